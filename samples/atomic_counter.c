/*
 * atomic_counter: host threads and an OpenCL kernel increment one counter in
 * fine-grain SVM at the same time, with C11 atomics on the host and
 * memory_scope_all_svm_devices atomics on the device.  With svmx loaded
 * (svmx-run) this runs on Mesa rusticl's llvmpipe, which has no SVM itself.
 *
 * usage: atomic_counter [host_threads [platform_name]]   (defaults: 2, rusticl)
 */
#define CL_TARGET_OPENCL_VERSION 300
#include <CL/cl.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEVICE_ITEMS 256
#define ADDS_PER_ITEM 40000	/* llvmpipe caps a work-item's loops near 65535 */

static const char *source =
	"kernel void count(global atomic_int *counter, int n)\n"
	"{\n"
	"	for (int i = 0; i < n; i++)\n"
	"		atomic_fetch_add_explicit(counter, 1, memory_order_seq_cst,\n"
	"					  memory_scope_all_svm_devices);\n"
	"}\n";

struct host_thread {
	pthread_t thread;
	atomic_int *counter;
	atomic_bool *stop;
	long adds;
};

static void *host_adds(void *arg)
{
	struct host_thread *t = arg;

	/* Keep adding until the kernel is done, so both sides overlap. */
	while (!atomic_load_explicit(t->stop, memory_order_relaxed)) {
		for (int i = 0; i < 4096; i++)
			atomic_fetch_add(t->counter, 1);
		t->adds += 4096;
	}
	return NULL;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int fail(const char *what, cl_int err)
{
	fprintf(stderr, "atomic_counter: %s failed (%d)\n", what, err);
	return 1;
}

int main(int argc, char **argv)
{
	int nthreads = argc > 1 ? atoi(argv[1]) : 2;
	const char *want = argc > 2 ? argv[2] : "rusticl";
	cl_platform_id platforms[16], platform = NULL;
	cl_device_svm_capabilities svm = 0;
	cl_device_id device;
	cl_uint n = 0;
	cl_int err;

	if (nthreads < 0 || nthreads > 64)
		return fail("host thread count (0..64)", CL_INVALID_VALUE);
	clGetPlatformIDs(16, platforms, &n);
	for (cl_uint i = 0; i < n && i < 16 && !platform; i++) {
		char name[256] = "";

		clGetPlatformInfo(platforms[i], CL_PLATFORM_NAME, sizeof(name), name, NULL);
		if (strstr(name, want) &&
		    clGetDeviceIDs(platforms[i], CL_DEVICE_TYPE_ALL, 1, &device, NULL) == CL_SUCCESS)
			platform = platforms[i];
	}
	if (!platform) {
		fprintf(stderr, "atomic_counter: no OpenCL platform named like \"%s\" with a device "
				"(for rusticl set RUSTICL_ENABLE=llvmpipe, or use svmx-run)\n", want);
		return 1;
	}
	clGetDeviceInfo(device, CL_DEVICE_SVM_CAPABILITIES, sizeof(svm), &svm, NULL);
	if (!(svm & CL_DEVICE_SVM_ATOMICS)) {
		fprintf(stderr, "atomic_counter: the device reports no SVM atomics "
				"(run it with svmx-run to load the svmx layer)\n");
		return 1;
	}
	cl_context ctx = clCreateContext(NULL, 1, &device, NULL, NULL, &err);
	if (!ctx)
		return fail("clCreateContext", err);
	cl_command_queue queue = clCreateCommandQueueWithProperties(ctx, device, NULL, &err);
	cl_program program = clCreateProgramWithSource(ctx, 1, &source, NULL, &err);

	err = clBuildProgram(program, 1, &device, "-cl-std=CL2.0", NULL, NULL);
	if (err != CL_SUCCESS)
		return fail("clBuildProgram", err);
	cl_kernel kernel = clCreateKernel(program, "count", &err);
	atomic_int *counter = clSVMAlloc(ctx, CL_MEM_READ_WRITE | CL_MEM_SVM_FINE_GRAIN_BUFFER |
					 CL_MEM_SVM_ATOMICS, sizeof(*counter), 0);
	int adds = ADDS_PER_ITEM;
	size_t items = DEVICE_ITEMS;

	if (!counter)
		return fail("clSVMAlloc", CL_OUT_OF_RESOURCES);
	atomic_store(counter, 0);
	clSetKernelArgSVMPointer(kernel, 0, counter);
	clSetKernelArg(kernel, 1, sizeof(adds), &adds);

	struct host_thread threads[64];
	atomic_bool stop = false;
	double t0 = now();

	for (int i = 0; i < nthreads; i++) {
		threads[i] = (struct host_thread){ .counter = counter, .stop = &stop };
		pthread_create(&threads[i].thread, NULL, host_adds, &threads[i]);
	}
	err = clEnqueueNDRangeKernel(queue, kernel, 1, NULL, &items, NULL, 0, NULL, NULL);
	if (err == CL_SUCCESS)
		err = clFinish(queue);
	atomic_store(&stop, true);
	long host = 0, device_adds = (long)DEVICE_ITEMS * ADDS_PER_ITEM;

	for (int i = 0; i < nthreads; i++) {
		pthread_join(threads[i].thread, NULL);
		host += threads[i].adds;
	}
	double secs = now() - t0;
	long total = atomic_load(counter);
	int exact = err == CL_SUCCESS && total == host + device_adds;

	printf("host threads: %d, host adds: %ld\n", nthreads, host);
	printf("device adds:  %ld (%d work-items)\n", device_adds, DEVICE_ITEMS);
	printf("counter:      %ld, expected %ld: %s\n", total, host + device_adds,
	       exact ? "exact" : "LOST UPDATES");
	printf("rate:         %.1f M atomic adds/s\n", (double)(host + device_adds) / secs / 1e6);
	clSVMFree(ctx, counter);
	clReleaseKernel(kernel);
	clReleaseProgram(program);
	clReleaseCommandQueue(queue);
	clReleaseContext(ctx);
	return exact ? 0 : 1;
}
