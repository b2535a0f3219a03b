/*
 * PoCL 3.1 has native SVM with atomics and claims all-devices atomic scope,
 * but its compiler neither lists nor defines __opencl_c_atomic_scope_all_devices,
 * so memory_scope_all_svm_devices does not compile.  svmx leaves PoCL's SVM
 * native and completes the claim: it reports the feature and defines it for
 * OpenCL C 3.0 builds.  PoCL does not claim OpenCL C 2.0, and svmx does not
 * add it.
 */
#include "cltest.h"

#include <pthread.h>
#include <stdatomic.h>

CLTEST(svm_capabilities_stay_native)
{
	/* PoCL's own SVM, fine-grain system or not (PoCL 6.0 has it). */
	CHECK((cltest_svm_capabilities(env) &
	       ~(cl_device_svm_capabilities)CL_DEVICE_SVM_FINE_GRAIN_SYSTEM) ==
	      (CL_DEVICE_SVM_COARSE_GRAIN_BUFFER | CL_DEVICE_SVM_FINE_GRAIN_BUFFER |
	       CL_DEVICE_SVM_ATOMICS));
}

CLTEST(all_devices_scope_feature_is_reported)
{
	cl_name_version features[64];
	cl_device_atomic_capabilities mem = 0;
	size_t size = 0;

	CHECK_OK(clGetDeviceInfo(env->device, CL_DEVICE_ATOMIC_MEMORY_CAPABILITIES,
				 sizeof(mem), &mem, NULL));
	CHECK(mem & CL_DEVICE_ATOMIC_SCOPE_ALL_DEVICES);
	CHECK_OK(clGetDeviceInfo(env->device, CL_DEVICE_OPENCL_C_FEATURES, sizeof(features),
				 features, &size));
	CHECK(cltest_find_name(features, size / sizeof(*features),
			       "__opencl_c_atomic_scope_all_devices"));
}

CLTEST(opencl_c_2_0_is_not_claimed)
{
	cl_name_version versions[16];
	size_t size = 0;

	CHECK_OK(clGetDeviceInfo(env->device, CL_DEVICE_OPENCL_C_ALL_VERSIONS, sizeof(versions),
				 versions, &size));
	for (size_t i = 0; i < size / sizeof(*versions); i++)
		CHECK(CL_VERSION_MAJOR(versions[i].version) != 2);
}

static atomic_int *counter;
#define HOST_ADDS 1000000
#define DEVICE_ITEMS 4
#define DEVICE_ADDS 1000000

static void *host_adder(void *arg)
{
	(void)arg;
	for (int i = 0; i < HOST_ADDS; i++)
		atomic_fetch_add(counter, 1);
	return NULL;
}

CLTEST(all_svm_devices_counter_is_exact_in_opencl_c_3_0)
{
	const char *src =
		"kernel void count(global atomic_int *c, int n)\n"
		"{\n"
		"	for (int i = 0; i < n; i++)\n"
		"		atomic_fetch_add_explicit(c, 1, memory_order_seq_cst,\n"
		"					  memory_scope_all_svm_devices);\n"
		"}\n";
	cl_kernel k = cltest_kernel(env, src, "count", "-cl-std=CL3.0");
	size_t global = DEVICE_ITEMS;
	int n = DEVICE_ADDS;
	pthread_t host[2];
	cl_int err;

	CHECK(k != NULL);
	counter = cltest_svm_alloc(env, CL_MEM_READ_WRITE | CL_MEM_SVM_FINE_GRAIN_BUFFER |
				   CL_MEM_SVM_ATOMICS, sizeof(*counter), 0);
	CHECK(counter != NULL);
	atomic_store(counter, 0);
	CHECK_OK(clSetKernelArgSVMPointer(k, 0, counter));
	CHECK_OK(clSetKernelArg(k, 1, sizeof(n), &n));
	for (int i = 0; i < 2; i++)
		pthread_create(&host[i], NULL, host_adder, NULL);
	err = clEnqueueNDRangeKernel(env->queue, k, 1, NULL, &global, NULL, 0, NULL, NULL);
	clFinish(env->queue);
	for (int i = 0; i < 2; i++)
		pthread_join(host[i], NULL);
	int total = atomic_load(counter);

	CHECK_OK(err);
	CHECK(total == 2 * HOST_ADDS + DEVICE_ITEMS * DEVICE_ADDS);
}

int main(int argc, char **argv)
{
	return cltest_run(argc, argv, "Portable Computing Language");
}
