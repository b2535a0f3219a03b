/*
 * A program outside the svmx tree, built against the installed headers
 * (pkg-config svmx, or CMake find_package(svmx)): it finds
 * clGetSVMArmStatsSVMX through the loader and asks it about an SVM atomics
 * allocation on rusticl's llvmpipe device.  Prints "arm stats: N bytes" and
 * exits 0 when the call succeeds and reports the size asked for.
 */
#define _POSIX_C_SOURCE 200809L /* setenv */
#define CL_TARGET_OPENCL_VERSION 200
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <svmx/svmx_ext.h>

int main(void)
{
	cl_platform_id platforms[16];
	cl_uint n = 0;
	size_t bytes = 3 * 4096 + 100;

	/* rusticl shows llvmpipe only when asked; a program may ask for itself. */
	setenv("RUSTICL_ENABLE", "llvmpipe", 0);
	if (clGetPlatformIDs(16, platforms, &n) != CL_SUCCESS)
		return fprintf(stderr, "consumer: no OpenCL platform\n"), 1;
	for (cl_uint i = 0; i < n && i < 16; i++) {
		char name[64] = "";
		cl_device_id dev;
		cl_int err;

		clGetPlatformInfo(platforms[i], CL_PLATFORM_NAME, sizeof(name) - 1, name, NULL);
		if (strcmp(name, "rusticl") != 0 ||
		    clGetDeviceIDs(platforms[i], CL_DEVICE_TYPE_ALL, 1, &dev, NULL) != CL_SUCCESS)
			continue;
		clGetSVMArmStatsSVMX_fn get = (clGetSVMArmStatsSVMX_fn)
			clGetExtensionFunctionAddressForPlatform(platforms[i],
								 CL_SVMX_ARM_STATS_FUNCTION_NAME);
		if (!get)
			return fprintf(stderr, "consumer: %s not found: is svmx loaded?\n",
				       CL_SVMX_ARM_STATS_FUNCTION_NAME), 1;
		cl_context ctx = clCreateContext(NULL, 1, &dev, NULL, NULL, &err);
		if (!ctx)
			return fprintf(stderr, "consumer: clCreateContext: %d\n", err), 1;
		void *mem = clSVMAlloc(ctx, CL_MEM_READ_WRITE | CL_MEM_SVM_FINE_GRAIN_BUFFER |
						    CL_MEM_SVM_ATOMICS, bytes, 0);
		cl_svm_arm_stats_svmx st;
		memset(&st, 0xff, sizeof(st));
		err = mem ? get(ctx, (char *)mem + 100, &st) : CL_OUT_OF_RESOURCES;
		printf("arm stats: %d, %llu bytes, %llu arms\n", err, (unsigned long long)st.bytes,
		       (unsigned long long)st.arms);
		if (mem)
			clSVMFree(ctx, mem);
		clReleaseContext(ctx);
		return err == CL_SUCCESS && st.bytes == bytes ? 0 : 1;
	}
	fprintf(stderr, "consumer: no rusticl device\n");
	return 1;
}
