#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "cltest.h"

#include <stdint.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

bool cltest_failed;

bool cltest_open(struct cltest_env *env, const char *platform_name,
		 cl_command_queue_properties queue_props)
{
	cl_platform_id platforms[16];
	cl_uint n = 0;
	cl_int err;

	memset(env, 0, sizeof(*env));
	if (clGetPlatformIDs(16, platforms, &n) != CL_SUCCESS)
		return false;
	for (cl_uint i = 0; i < n && i < 16; i++) {
		char name[256] = "";

		clGetPlatformInfo(platforms[i], CL_PLATFORM_NAME, sizeof(name), name, NULL);
		/* rusticl has no CL_DEVICE_TYPE_DEFAULT device: ask for all. */
		if (strstr(name, platform_name) &&
		    clGetDeviceIDs(platforms[i], CL_DEVICE_TYPE_ALL, 1, &env->device,
				   NULL) == CL_SUCCESS) {
			env->platform = platforms[i];
			break;
		}
	}
	if (!env->platform)
		return false;
	env->context = clCreateContext(NULL, 1, &env->device, NULL, NULL, &err);
	if (!env->context)
		return false;
	cl_queue_properties props[] = { CL_QUEUE_PROPERTIES, queue_props, 0 };

	env->queue = clCreateCommandQueueWithProperties(env->context, env->device,
							queue_props ? props : NULL, &err);
	return env->queue != NULL;
}

void cltest_close(struct cltest_env *env)
{
	if (env->queue) {
		clFinish(env->queue);
		clReleaseCommandQueue(env->queue);
	}
	if (env->context)
		clReleaseContext(env->context);
	memset(env, 0, sizeof(*env));
}

cl_program cltest_build(struct cltest_env *env, const char *source, const char *options)
{
	cl_int err;
	cl_program program = clCreateProgramWithSource(env->context, 1, &source, NULL, &err);

	if (!program)
		return NULL;
	err = clBuildProgram(program, 1, &env->device, options, NULL, NULL);
	if (err != CL_SUCCESS) {
		char log[8192] = "";

		clGetProgramBuildInfo(program, env->device, CL_PROGRAM_BUILD_LOG, sizeof(log),
				      log, NULL);
		fprintf(stderr, "build with \"%s\" failed (%s):\n%s\n", options ? options : "",
			cltest_err_name(err), log);
		clReleaseProgram(program);
		return NULL;
	}
	return program;
}

cl_kernel cltest_kernel(struct cltest_env *env, const char *source, const char *name,
			const char *options)
{
	cl_program program = cltest_build(env, source, options);
	cl_kernel kernel = NULL;
	cl_int err = CL_SUCCESS;

	if (program) {
		kernel = clCreateKernel(program, name, &err);
		if (!kernel)
			fprintf(stderr, "clCreateKernel(%s) failed (%s)\n", name, cltest_err_name(err));
		clReleaseProgram(program);	/* the kernel keeps it */
	}
	return kernel;
}

int cltest_main(int argc, char **argv, const char *platform_name,
		const struct cltest_case *cases, size_t ncases)
{
	int failed = 0, ran = 0;

	for (size_t i = 0; i < ncases; i++) {
		struct cltest_env env;

		if (argc > 1 && strcmp(argv[1], cases[i].name) != 0)
			continue;
		ran++;
		if (!cltest_open(&env, platform_name, 0)) {
			printf("FAIL %s: no OpenCL platform \"%s\" with a device\n",
			       cases[i].name, platform_name);
			failed++;
			continue;
		}
		cltest_failed = false;
		cases[i].fn(&env);
		cltest_close(&env);
		printf("%s %s\n", cltest_failed ? "FAIL" : "PASS", cases[i].name);
		fflush(stdout);
		failed += cltest_failed;
	}
	printf("%d passed, %d failed\n", ran - failed, failed);
	return failed || !ran ? 1 : 0;
}

double cltest_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

const char *cltest_err_name(cl_int err)
{
	switch (err) {
#define NAME(e) case e: return #e
	NAME(CL_SUCCESS);
	NAME(CL_DEVICE_NOT_FOUND);
	NAME(CL_MEM_OBJECT_ALLOCATION_FAILURE);
	NAME(CL_OUT_OF_RESOURCES);
	NAME(CL_OUT_OF_HOST_MEMORY);
	NAME(CL_MEM_COPY_OVERLAP);
	NAME(CL_BUILD_PROGRAM_FAILURE);
	NAME(CL_MISALIGNED_SUB_BUFFER_OFFSET);
	NAME(CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST);
	NAME(CL_INVALID_VALUE);
	NAME(CL_INVALID_DEVICE);
	NAME(CL_INVALID_CONTEXT);
	NAME(CL_INVALID_QUEUE_PROPERTIES);
	NAME(CL_INVALID_COMMAND_QUEUE);
	NAME(CL_INVALID_HOST_PTR);
	NAME(CL_INVALID_MEM_OBJECT);
	NAME(CL_INVALID_BUILD_OPTIONS);
	NAME(CL_INVALID_PROGRAM);
	NAME(CL_INVALID_BINARY);
	NAME(CL_INVALID_PROGRAM_EXECUTABLE);
	NAME(CL_INVALID_KERNEL_NAME);
	NAME(CL_INVALID_KERNEL);
	NAME(CL_INVALID_ARG_INDEX);
	NAME(CL_INVALID_ARG_VALUE);
	NAME(CL_INVALID_ARG_SIZE);
	NAME(CL_INVALID_KERNEL_ARGS);
	NAME(CL_INVALID_WORK_DIMENSION);
	NAME(CL_INVALID_EVENT_WAIT_LIST);
	NAME(CL_INVALID_EVENT);
	NAME(CL_INVALID_OPERATION);
	NAME(CL_INVALID_BUFFER_SIZE);
	NAME(CL_INVALID_PROPERTY);
#undef NAME
	default:
		return "an unnamed status";
	}
}

void cltest_mark(struct cltest_mark *m, void *p)
{
	static unsigned counter;
	uint64_t words[2] = { (uint64_t)getpid() << 32 | ++counter,
			      (uint64_t)(uintptr_t)p ^ 0x53766d78c0decafeull };

	m->p = p;
	memcpy(m->bytes, words, sizeof(m->bytes));
	memcpy(p, m->bytes, sizeof(m->bytes));
}

bool cltest_unmarked(const struct cltest_mark *m)
{
	unsigned char now[sizeof(m->bytes)];
	struct iovec local = { now, sizeof(now) };
	struct iovec remote = { (void *)m->p, sizeof(now) };

	/* Reading through the kernel: an unmapped address is EFAULT, not a crash. */
	if (process_vm_readv(getpid(), &local, 1, &remote, 1, 0) != (ssize_t)sizeof(now))
		return true;
	return memcmp(now, m->bytes, sizeof(now)) != 0;
}

bool cltest_gone_within(const struct cltest_mark *m, double seconds)
{
	for (double t0 = cltest_now(); !cltest_unmarked(m);) {
		if (cltest_now() - t0 > seconds)
			return false;
		usleep(1000);
	}
	return true;
}

bool cltest_system_svm(const struct cltest_env *env)
{
	cl_device_svm_capabilities svm = 0;

	return clGetDeviceInfo(env->device, CL_DEVICE_SVM_CAPABILITIES, sizeof(svm), &svm,
			       NULL) == CL_SUCCESS &&
	       (svm & CL_DEVICE_SVM_FINE_GRAIN_SYSTEM);
}
