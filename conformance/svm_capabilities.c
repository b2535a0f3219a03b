/*
 * What rusticl's llvmpipe device reports through svmx, and that the report
 * holds: kernels using every order and scope it claims build under OpenCL C
 * 2.0 and 3.0.
 */
#include "cltest.h"

static const char *all_svm_devices_kernel =
	"kernel void count(global atomic_int *c, int n)\n"
	"{\n"
	"	for (int i = 0; i < n; i++)\n"
	"		atomic_fetch_add_explicit(c, 1, memory_order_seq_cst,\n"
	"					  memory_scope_all_svm_devices);\n"
	"	atomic_work_item_fence(CLK_GLOBAL_MEM_FENCE, memory_order_acq_rel,\n"
	"			       memory_scope_all_svm_devices);\n"
	"	atomic_work_item_fence(CLK_GLOBAL_MEM_FENCE, memory_order_seq_cst,\n"
	"			       memory_scope_all_svm_devices);\n"
	"	atomic_store(c, 2);\n"
	"	atomic_store_explicit(c, 3, memory_order_seq_cst);\n"
	"	atomic_store_explicit(c, 4, memory_order_seq_cst, memory_scope_device);\n"
	"	atomic_store_explicit(c, 1, memory_order_release, memory_scope_all_svm_devices);\n"
	"	atomic_fetch_add_explicit(c, 0, memory_order_acq_rel, memory_scope_device);\n"
	"}\n";

CLTEST(reports_coarse_fine_buffer_and_atomics)
{
	/* Fine-grain system SVM stays whatever the driver says (rusticl 25+: yes). */
	CHECK((cltest_svm_capabilities(env) &
	       ~(cl_device_svm_capabilities)CL_DEVICE_SVM_FINE_GRAIN_SYSTEM) ==
	      (CL_DEVICE_SVM_COARSE_GRAIN_BUFFER | CL_DEVICE_SVM_FINE_GRAIN_BUFFER |
	       CL_DEVICE_SVM_ATOMICS));
}

CLTEST(reports_seq_cst_and_all_devices_atomics)
{
	const cl_device_atomic_capabilities need =
		CL_DEVICE_ATOMIC_ORDER_RELAXED | CL_DEVICE_ATOMIC_ORDER_ACQ_REL |
		CL_DEVICE_ATOMIC_ORDER_SEQ_CST | CL_DEVICE_ATOMIC_SCOPE_WORK_GROUP |
		CL_DEVICE_ATOMIC_SCOPE_DEVICE | CL_DEVICE_ATOMIC_SCOPE_ALL_DEVICES;
	cl_device_atomic_capabilities mem = 0, fence = 0;

	CHECK_OK(clGetDeviceInfo(env->device, CL_DEVICE_ATOMIC_MEMORY_CAPABILITIES,
				 sizeof(mem), &mem, NULL));
	CHECK_OK(clGetDeviceInfo(env->device, CL_DEVICE_ATOMIC_FENCE_CAPABILITIES,
				 sizeof(fence), &fence, NULL));
	CHECK((mem & need) == need);
	CHECK((fence & need) == need);
}

static bool has_feature(const cl_name_version *f, size_t n, const char *name)
{
	const cl_name_version *nv = cltest_find_name(f, n, name);

	return nv && nv->version == CL_MAKE_VERSION(3, 0, 0);
}

CLTEST(c_features_match_atomic_capabilities)
{
	cl_name_version features[64];
	size_t size = 0;

	CHECK_OK(clGetDeviceInfo(env->device, CL_DEVICE_OPENCL_C_FEATURES, 0, NULL, &size));
	CHECK(size % sizeof(cl_name_version) == 0 && size <= sizeof(features));
	/* Too small a buffer is the caller's error, as for any query. */
	CHECK_ERR(clGetDeviceInfo(env->device, CL_DEVICE_OPENCL_C_FEATURES, size - 1, features,
				  NULL), CL_INVALID_VALUE);
	CHECK_OK(clGetDeviceInfo(env->device, CL_DEVICE_OPENCL_C_FEATURES, size, features, NULL));
	size /= sizeof(cl_name_version);
	CHECK(has_feature(features, size, "__opencl_c_atomic_order_acq_rel"));
	CHECK(has_feature(features, size, "__opencl_c_atomic_order_seq_cst"));
	CHECK(has_feature(features, size, "__opencl_c_atomic_scope_device"));
	CHECK(has_feature(features, size, "__opencl_c_atomic_scope_all_devices"));
	/* The driver's own features are still there. */
	CHECK(cltest_find_name(features, size, "__opencl_c_int64"));
}

/* Built, and the kernel created: rusticl 22.3 compiles some builds it then cannot load. */
static void builds_and_loads(struct cltest_env *env, const char *options)
{
	CHECK(cltest_kernel(env, all_svm_devices_kernel, "count", options) != NULL);
}

CLTEST(all_svm_devices_scope_builds_as_opencl_c_2_0)
{
	builds_and_loads(env, "-cl-std=CL2.0");
}

CLTEST(all_svm_devices_scope_builds_as_opencl_c_3_0)
{
	builds_and_loads(env, "-cl-std=CL3.0");
	builds_and_loads(env, "-Werror -cl-std=CL1.2 -cl-std=CL3.0 -cl-mad-enable");
}

CLTEST(feature_macros_are_defined_in_opencl_c_3_0)
{
	/* The build fails unless every feature svmx reports is defined. */
	const char *src =
		"#if !defined(__opencl_c_atomic_scope_all_devices) || \\\n"
		"    !defined(__opencl_c_atomic_order_seq_cst) || \\\n"
		"    !defined(__opencl_c_atomic_order_acq_rel) || \\\n"
		"    !defined(__opencl_c_atomic_scope_device)\n"
		"#error svmx reports a feature the compiler does not define\n"
		"#endif\n"
		"kernel void k(global int *p) { p[0] = memory_scope_all_devices; }\n";
	cl_program p = cltest_build(env, src, "-cl-std=CL3.0 -Werror");

	CHECK(p != NULL);
}

CLTEST(opencl_c_1_2_build_is_left_alone)
{
	/* Without -cl-std=CL3.0 svmx adds nothing: 1.2 has no scopes to name. */
	const char *src =
		"#ifdef __opencl_c_atomic_scope_all_devices\n"
		"#error svmx leaked a 3.0 feature macro into an OpenCL C 1.2 build\n"
		"#endif\n"
		"kernel void k(global int *p) { atomic_inc(p); }\n";
	cl_program p = cltest_build(env, src, NULL);

	CHECK(p != NULL);
	cltest_release(p);
	p = cltest_build(env, src, "-cl-std=CL1.2");
	CHECK(p != NULL);
}

CLTEST(compile_program_gets_the_feature_macros_too)
{
	cl_int err;
	cl_program p = clCreateProgramWithSource(env->context, 1, &all_svm_devices_kernel, NULL,
						 &err);

	CHECK(p != NULL);
	err = clCompileProgram(p, 0, NULL, "-cl-std=CL3.0", 0, NULL, NULL, NULL, NULL);
	clReleaseProgram(p);
	CHECK_OK(err);
}

int main(int argc, char **argv)
{
	return cltest_run(argc, argv, "rusticl");
}
