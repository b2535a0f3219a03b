/*
 * Builds through svmx keep the OpenCL C version the application asked for:
 * a 3.0 program is compiled as 3.0, so what the device cannot do is a clean
 * build error (never a process abort), the feature macros are exactly the
 * reported features, and every construct that takes a memory scope works
 * with every scope svmx claims.
 */
#include "cltest.h"

#include <string.h>

static bool reports(struct cltest_env *env, const char *feature)
{
	cl_name_version list[64];
	size_t size = 0;

	if (clGetDeviceInfo(env->device, CL_DEVICE_OPENCL_C_FEATURES, sizeof(list), list,
			    &size) != CL_SUCCESS)
		return false;
	for (size_t i = 0; i < size / sizeof(list[0]); i++)
		if (strcmp(list[i].name, feature) == 0)
			return true;
	return false;
}

CLTEST(program_scope_global_is_a_clean_error_or_runs_in_opencl_c_3_0)
{
	const char *src = "global int g = 41;\n"
			  "kernel void k(global int *out) { out[0] = ++g; }\n";
	cl_program p;
	cl_kernel k;
	cl_int err;
	int out[1] = { 0 };

	p = clCreateProgramWithSource(env->context, 1, &src, NULL, &err);
	CHECK_OK(err);
	err = clBuildProgram(p, 1, &env->device, "-cl-std=CL3.0", NULL, NULL);
	if (!reports(env, "__opencl_c_program_scope_global_variables")) {
		clReleaseProgram(p);
		CHECK_ERR(err, CL_BUILD_PROGRAM_FAILURE);
		return;
	}
	CHECK_OK(err);
	k = clCreateKernel(p, "k", &err);
	clReleaseProgram(p);
	CHECK_OK(err);
	err = cltest_run_one(env, k, out, sizeof(int));
	clReleaseKernel(k);
	CHECK_OK(err);
	CHECK(out[0] == 42);
}

CLTEST(feature_guard_takes_the_branch_the_device_reports)
{
	const char *src =
		"#ifdef __opencl_c_program_scope_global_variables\n"
		"global int g = 7;\n"
		"kernel void k(global int *out) { out[0] = g; }\n"
		"#else\n"
		"kernel void k(global int *out) { out[0] = -7; }\n"
		"#endif\n";
	cl_kernel k = cltest_kernel(env, src, "k", "-cl-std=CL3.0");
	int out[1] = { 0 };
	cl_int err;

	CHECK(k != NULL);
	err = cltest_run_one(env, k, out, sizeof(int));
	cltest_release(k);
	CHECK_OK(err);
	CHECK(out[0] == (reports(env, "__opencl_c_program_scope_global_variables") ? 7 : -7));
}

/* Every feature OpenCL C 3.0 defines, and the ones drivers here add. */
static const char *const features[] = {
	"__opencl_c_3d_image_writes", "__opencl_c_atomic_order_acq_rel",
	"__opencl_c_atomic_order_seq_cst", "__opencl_c_atomic_scope_device",
	"__opencl_c_atomic_scope_all_devices", "__opencl_c_device_enqueue",
	"__opencl_c_generic_address_space", "__opencl_c_fp64", "__opencl_c_images",
	"__opencl_c_int64", "__opencl_c_pipes", "__opencl_c_program_scope_global_variables",
	"__opencl_c_read_write_images", "__opencl_c_subgroups",
	"__opencl_c_work_group_collective_functions",
	"__opencl_c_integer_dot_product_input_4x8bit",
	"__opencl_c_integer_dot_product_input_4x8bit_packed",
};
#define NFEATURES (sizeof(features) / sizeof(features[0]))

CLTEST(feature_macros_are_exactly_the_reported_features_in_opencl_c_3_0)
{
	char src[8192];
	size_t used = 0;
	int out[NFEATURES + 1];
	cl_kernel k;
	cl_int err;

	used += (size_t)snprintf(src, sizeof(src),
				 "kernel void k(global int *out)\n{\n\tout[%zu] = __OPENCL_C_VERSION__;\n",
				 NFEATURES);
	for (size_t i = 0; i < NFEATURES; i++)
		used += (size_t)snprintf(src + used, sizeof(src) - used,
					 "#ifdef %s\n\tout[%zu] = 1;\n#endif\n", features[i], i);
	snprintf(src + used, sizeof(src) - used, "}\n");
	memset(out, 0, sizeof(out));
	k = cltest_kernel(env, src, "k", "-cl-std=CL3.0");
	CHECK(k != NULL);
	err = cltest_run_one(env, k, out, (NFEATURES + 1) * sizeof(int));
	cltest_release(k);
	CHECK_OK(err);
	CHECK(out[NFEATURES] == 300);
	for (size_t i = 0; i < NFEATURES; i++) {
		if (out[i] != reports(env, features[i]))
			fprintf(stderr, "%s: %s but %s\n", features[i],
				out[i] ? "defined" : "not defined",
				out[i] ? "not reported" : "reported");
		CHECK(out[i] == reports(env, features[i]));
	}
}

/* Atomics, fences, barriers and atomic_flag at every scope svmx claims. */
static const char *every_scope_kernel =
	"#define SCOPES(X) X(memory_scope_work_group) X(memory_scope_device) \\\n"
	"	X(memory_scope_all_svm_devices) X(memory_scope_all_devices)\n"
	"kernel void k(global int *out)\n"
	"{\n"
	"	global atomic_int *a = (global atomic_int *)out;\n"
	"	global atomic_flag *f = (global atomic_flag *)(out + 1);\n"
	"#define USE(s) \\\n"
	"	atomic_fetch_add_explicit(a, 1, memory_order_seq_cst, s); \\\n"
	"	atomic_store_explicit(a + 2, 5, memory_order_seq_cst, s); \\\n"
	"	atomic_fetch_add_explicit(a, atomic_load_explicit(a + 2, memory_order_acquire, s) - 5, \\\n"
	"				  memory_order_acq_rel, s); \\\n"
	"	atomic_work_item_fence(CLK_GLOBAL_MEM_FENCE, memory_order_seq_cst, s); \\\n"
	"	work_group_barrier(CLK_GLOBAL_MEM_FENCE, s); \\\n"
	"	if (!atomic_flag_test_and_set_explicit(f, memory_order_seq_cst, s)) \\\n"
	"		atomic_fetch_add_explicit(a + 3, 1, memory_order_relaxed, s); \\\n"
	"	atomic_flag_clear_explicit(f, memory_order_seq_cst, s);\n"
	"	SCOPES(USE)\n"
	"	work_group_barrier(CLK_GLOBAL_MEM_FENCE);\n"
	"}\n";

CLTEST(every_scope_works_in_atomics_fences_barriers_and_flags)
{
	const char *options[] = { "-cl-std=CL3.0", "-cl-std=CL3.0 -Werror" };

	for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++) {
		cl_kernel k = cltest_kernel(env, every_scope_kernel, "k", options[i]);
		int out[4] = { 0, 0, 0, 0 };
		cl_int err;

		CHECK(k != NULL);
		err = cltest_run_one(env, k, out, 4 * sizeof(int));
		cltest_release(k);
		CHECK_OK(err);
		CHECK(out[0] == 4 && out[2] == 5 && out[3] == 4);
	}
}

CLTEST(build_options_query_returns_the_applications_options)
{
	const char *src = "kernel void k(global int *out) { out[0] = X; }\n";
	const char *asked[] = { "-cl-std=CL3.0 -DX=3", "-cl-std=CL2.0  -DX=2", "-DX=1" };

	for (size_t i = 0; i < sizeof(asked) / sizeof(asked[0]); i++) {
		cl_program p = cltest_build(env, src, asked[i]);
		char got[256] = "";
		size_t size = 0;
		cl_int err;

		CHECK(p != NULL);
		err = clGetProgramBuildInfo(p, env->device, CL_PROGRAM_BUILD_OPTIONS, sizeof(got),
					    got, &size);
		cltest_release(p);
		CHECK_OK(err);
		if (strcmp(got, asked[i]) != 0)
			fprintf(stderr, "asked for \"%s\", CL_PROGRAM_BUILD_OPTIONS says \"%s\"\n",
				asked[i], got);
		CHECK(strcmp(got, asked[i]) == 0 && size == strlen(asked[i]) + 1);
	}
}

int main(int argc, char **argv)
{
	return cltest_run(argc, argv, "rusticl");
}
