#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "cltest.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

bool cltest_failed;

/* Inside a case: what the helpers return is held by the case. */
static bool holding;

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
	return cltest_keep_program(program);
}

cl_kernel cltest_kernel(struct cltest_env *env, const char *source, const char *name,
			const char *options)
{
	cl_program program = cltest_build(env, source, options);
	cl_kernel kernel = cltest_kernel_of(program, name);

	if (program && holding)
		cltest_release(program);	/* the kernel keeps it */
	else if (program)
		clReleaseProgram(program);
	return kernel;
}

cl_kernel cltest_kernel_of(cl_program program, const char *name)
{
	cl_kernel kernel = NULL;
	cl_int err = CL_SUCCESS;

	if (program) {
		kernel = clCreateKernel(program, name, &err);
		if (!kernel)
			fprintf(stderr, "clCreateKernel(%s) failed (%s)\n", name, cltest_err_name(err));
	}
	return cltest_keep_kernel(kernel);
}

/* ---- what a case holds ---- */

enum held_kind { HELD_CONTEXT, HELD_QUEUE, HELD_PROGRAM, HELD_KERNEL, HELD_MEM, HELD_EVENT, HELD_SVM };

struct held {
	enum held_kind kind;
	void *obj;
	cl_context context;	/* of an SVM allocation */
};

static struct held *held;
static size_t nheld, held_cap;
static pthread_mutex_t held_lock = PTHREAD_MUTEX_INITIALIZER;

static void *hold(enum held_kind kind, void *obj, cl_context context)
{
	if (!obj || !holding)
		return obj;
	pthread_mutex_lock(&held_lock);
	if (nheld == held_cap) {
		held_cap = held_cap ? 2 * held_cap : 64;
		held = realloc(held, held_cap * sizeof(*held));
		if (!held) {
			perror("cltest: holding an object");
			abort();
		}
	}
	held[nheld++] = (struct held){ kind, obj, context };
	pthread_mutex_unlock(&held_lock);
	return obj;
}

cl_context cltest_keep_context(cl_context o) { return hold(HELD_CONTEXT, o, NULL); }
cl_command_queue cltest_keep_queue(cl_command_queue o) { return hold(HELD_QUEUE, o, NULL); }
cl_program cltest_keep_program(cl_program o) { return hold(HELD_PROGRAM, o, NULL); }
cl_kernel cltest_keep_kernel(cl_kernel o) { return hold(HELD_KERNEL, o, NULL); }
cl_mem cltest_keep_mem(cl_mem o) { return hold(HELD_MEM, o, NULL); }
cl_event cltest_keep_event(cl_event o) { return hold(HELD_EVENT, o, NULL); }

void *cltest_keep_svm(cl_context context, void *p)
{
	return hold(HELD_SVM, p, context);
}

void *cltest_svm_alloc(struct cltest_env *env, cl_svm_mem_flags flags, size_t size,
		       cl_uint alignment)
{
	return cltest_keep_svm(env->context, clSVMAlloc(env->context, flags, size, alignment));
}

static cl_int release_held(const struct held *h)
{
	switch (h->kind) {
	case HELD_CONTEXT:
		return clReleaseContext(h->obj);
	case HELD_QUEUE:
		return clReleaseCommandQueue(h->obj);
	case HELD_PROGRAM:
		return clReleaseProgram(h->obj);
	case HELD_KERNEL:
		return clReleaseKernel(h->obj);
	case HELD_MEM:
		return clReleaseMemObject(h->obj);
	case HELD_EVENT:
		return clReleaseEvent(h->obj);
	case HELD_SVM:
		clSVMFree(h->context, h->obj);
		break;
	}
	return CL_SUCCESS;
}

cl_int cltest_release(const void *obj)
{
	struct held h;
	size_t i;

	if (!obj)
		return CL_INVALID_VALUE;
	pthread_mutex_lock(&held_lock);
	for (i = nheld; i > 0 && held[i - 1].obj != obj; i--)
		;
	if (i == 0) {
		pthread_mutex_unlock(&held_lock);
		fprintf(stderr, "cltest_release(%p): not held by the case\n", obj);
		abort();
	}
	h = held[i - 1];
	memmove(&held[i - 1], &held[i], (nheld - i) * sizeof(*held));
	nheld--;
	pthread_mutex_unlock(&held_lock);
	return release_held(&h);
}

/*
 * After a case: no command may wait for a user event the case left pending
 * (its CHECK may have returned before setting it), every queue is finished,
 * then everything goes, the latest first.
 */
static void release_all_held(struct cltest_env *env)
{
	size_t n;

	pthread_mutex_lock(&held_lock);
	n = nheld;
	pthread_mutex_unlock(&held_lock);
	for (size_t i = 0; i < n; i++) {
		cl_command_type type = 0;
		cl_int status = CL_COMPLETE;

		if (held[i].kind == HELD_EVENT &&
		    clGetEventInfo(held[i].obj, CL_EVENT_COMMAND_TYPE, sizeof(type), &type,
				   NULL) == CL_SUCCESS && type == CL_COMMAND_USER &&
		    clGetEventInfo(held[i].obj, CL_EVENT_COMMAND_EXECUTION_STATUS, sizeof(status),
				   &status, NULL) == CL_SUCCESS && status > CL_COMPLETE)
			clSetUserEventStatus(held[i].obj, -1);
	}
	if (env->queue)
		clFinish(env->queue);
	for (size_t i = 0; i < n; i++)
		if (held[i].kind == HELD_QUEUE)
			clFinish(held[i].obj);
	while (n > 0)
		release_held(&held[--n]);
	pthread_mutex_lock(&held_lock);
	nheld = 0;
	pthread_mutex_unlock(&held_lock);
}

/* ---- cases ---- */

static struct cltest_case *registered;

void cltest_register(struct cltest_case *c)
{
	struct cltest_case **at = &registered;

	while (*at && (*at)->line < c->line)
		at = &(*at)->next;
	c->next = *at;
	*at = c;
}

/* Run one case in a new context and queue; true if it passed. */
static bool run_case(const struct cltest_case *c, const char *platform_name)
{
	struct cltest_env env;

	if (!cltest_open(&env, platform_name, 0)) {
		printf("FAIL %s: no OpenCL platform \"%s\" with a device\n", c->name, platform_name);
		cltest_close(&env);
		return false;
	}
	cltest_failed = false;
	holding = true;
	c->fn(&env);
	release_all_held(&env);
	holding = false;
	cltest_close(&env);
	printf("%s %s\n", cltest_failed ? "FAIL" : "PASS", c->name);
	fflush(stdout);
	return !cltest_failed;
}

static bool in_suite(const struct cltest_case *c, const char *suite)
{
	return c->suite == suite || (c->suite && suite && strcmp(c->suite, suite) == 0);
}

int cltest_run_suite(int argc, char **argv, const char *platform_name, const char *suite)
{
	const char *only = argc > 1 ? argv[1] : NULL;
	int failed = 0, ran = 0;
	struct cltest_case *c;

	if (only && strcmp(only, "--list") == 0) {
		for (c = registered; c; c = c->next)
			if (in_suite(c, suite))
				printf("%s\n", c->name);
		return 0;
	}
	for (c = registered; c; c = c->next) {
		if (!in_suite(c, suite))
			continue;
		c->ran = false;
		if (only && strcmp(only, c->name) != 0)
			continue;
		ran++;
		failed += !run_case(c, platform_name);
		c->ran = true;
	}
	if (only && !ran)
		printf("FAIL %s: no case of that name\n", only);
	for (c = registered; c && !only; c = c->next) {
		if (in_suite(c, suite) && !c->ran) {
			printf("FAIL %s: defined but not run\n", c->name);
			failed++;
		}
	}
	printf("%d passed, %d failed\n", ran - failed, failed);
	return failed || !ran ? 1 : 0;
}

int cltest_run(int argc, char **argv, const char *platform_name)
{
	return cltest_run_suite(argc, argv, platform_name, NULL);
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
	/* api_soak marks from several threads at once. */
	static atomic_uint counter;
	uint64_t words[2] = { (uint64_t)getpid() << 32 | (atomic_fetch_add(&counter, 1) + 1),
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

cl_device_svm_capabilities cltest_svm_capabilities(const struct cltest_env *env)
{
	cl_device_svm_capabilities svm = 0;

	if (clGetDeviceInfo(env->device, CL_DEVICE_SVM_CAPABILITIES, sizeof(svm), &svm, NULL) !=
	    CL_SUCCESS)
		return 0;
	return svm;
}

bool cltest_system_svm(const struct cltest_env *env)
{
	return cltest_svm_capabilities(env) & CL_DEVICE_SVM_FINE_GRAIN_SYSTEM;
}

const cl_name_version *cltest_find_name(const cl_name_version *list, size_t n,
					const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i].name, name) == 0)
			return &list[i];
	return NULL;
}

cl_int cltest_run_one(struct cltest_env *env, cl_kernel k, void *data, size_t size)
{
	cl_mem buf = clCreateBuffer(env->context, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, size,
				    data, NULL);
	size_t one = 1;
	cl_int err = buf ? CL_SUCCESS : CL_OUT_OF_RESOURCES;

	if (err == CL_SUCCESS)
		err = clSetKernelArg(k, 0, sizeof(buf), &buf);
	if (err == CL_SUCCESS)
		err = clEnqueueNDRangeKernel(env->queue, k, 1, NULL, &one, &one, 0, NULL, NULL);
	if (err == CL_SUCCESS)
		err = clEnqueueReadBuffer(env->queue, buf, CL_TRUE, 0, size, data, 0, NULL, NULL);
	if (buf)
		clReleaseMemObject(buf);
	return err;
}

struct beside {
	pthread_t thread;
	void (*one_round)(void *arg);
	void *arg;
	atomic_bool *stop;
};

static void *beside_thread(void *p)
{
	struct beside *b = p;

	while (!atomic_load(b->stop))
		b->one_round(b->arg);
	return NULL;
}

cl_int cltest_run_beside_host(struct cltest_env *env, cl_kernel k, size_t global,
			      const size_t *local, int nthreads, void (*one_round)(void *arg),
			      void *args, size_t arg_size)
{
	struct beside threads[CLTEST_MAX_THREADS];
	atomic_bool stop = false;
	int started = 0;
	cl_int err;

	if (nthreads < 0 || nthreads > CLTEST_MAX_THREADS)
		return CL_INVALID_VALUE;
	for (; started < nthreads; started++) {
		threads[started] = (struct beside){ .one_round = one_round, .stop = &stop,
						    .arg = (char *)args + started * arg_size };
		if (pthread_create(&threads[started].thread, NULL, beside_thread,
				   &threads[started]) != 0)
			break;
	}
	err = clEnqueueNDRangeKernel(env->queue, k, 1, NULL, &global, local, 0, NULL, NULL);
	if (err == CL_SUCCESS)
		err = clFinish(env->queue);
	atomic_store(&stop, true);
	while (started > 0)
		pthread_join(threads[--started].thread, NULL);
	return err;
}
