/*
 * Many host threads on one context at once, through svmx on rusticl:
 * allocating and freeing (clSVMFree and clEnqueueSVMFree), setting SVM
 * arguments and exec info on a kernel they share and on their own, filling,
 * copying and migrating, while a watcher thread retains, queries, waits for
 * and releases their events and another creates and releases contexts with
 * allocations left in them; and threads that share a queue, where each
 * clFinish must see that thread's kernel done however others flush.  Every
 * result is checked.  Built with -DSVMX_TSAN=ON it is the ThreadSanitizer run.
 */
#include "cltest.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

enum { THREADS = 6, ITERATIONS = 60, N = 1024 };

static const char *source =
	"kernel void add(global int *p, int v) { p[get_global_id(0)] += v; }\n"
	"kernel void add_all(global int *p, int v)\n"
	"{ p[get_global_id(0)] += v; }\n";

struct shared {
	struct cltest_env *env;
	cl_program program;
	cl_kernel kernel;		/* shared by every thread */
	pthread_mutex_t kernel_lock;	/* clSetKernelArg*: one thread per kernel at a time */
	atomic_int failures;
	atomic_int frees_called;
	atomic_int contexts_made;
	atomic_bool stop;
	/* Each worker's latest fill event, for the watcher to use from its thread. */
	pthread_mutex_t published_lock;
	cl_event published[THREADS];
	atomic_int watched;
};

struct worker {
	struct shared *s;
	int id;
	char what[160];	/* the first failure */
};

#define FAIL_IF(cond, ...)                                                  \
	do {                                                                \
		if (cond) {                                                 \
			snprintf(w->what, sizeof(w->what), __VA_ARGS__);    \
			atomic_fetch_add(&w->s->failures, 1);               \
			goto out;                                           \
		}                                                           \
	} while (0)

/*
 * Two threads make the first SVM allocations of this process at the same
 * moment: whatever svmx sets up on first use must be set up once, safely
 * (the ThreadSanitizer run fails on a race).  First case in the file, so it
 * runs before any other allocation of the process.
 */
struct first_alloc {
	struct cltest_env *env;
	pthread_barrier_t *start;
	void *p;
};

static void *alloc_at_once(void *arg)
{
	struct first_alloc *a = arg;

	pthread_barrier_wait(a->start);
	a->p = clSVMAlloc(a->env->context, CL_MEM_READ_WRITE, 4096, 0);
	return NULL;
}

CLTEST(first_allocations_of_a_process_from_two_threads_at_once)
{
	pthread_barrier_t start;
	struct first_alloc a[2] = { { env, &start, NULL }, { env, &start, NULL } };
	pthread_t t[2];

	pthread_barrier_init(&start, NULL, 2);
	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, alloc_at_once, &a[i]);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&start);
	for (int i = 0; i < 2; i++) {
		CHECK(a[i].p != NULL);
		if (a[i].p) {
			memset(a[i].p, i + 1, 4096);
			clSVMFree(env->context, a[i].p);
		}
	}
	CHECK(a[0].p != a[1].p);
}

static void CL_CALLBACK counted_free(cl_command_queue queue, cl_uint n, void *ptrs[], void *data)
{
	struct shared *s = data;
	cl_context context = NULL;

	clGetCommandQueueInfo(queue, CL_QUEUE_CONTEXT, sizeof(context), &context, NULL);
	for (cl_uint i = 0; i < n; i++)
		clSVMFree(context, ptrs[i]);
	atomic_fetch_add(&s->frees_called, 1);
}

static cl_int run(cl_command_queue q, cl_kernel k, int *p, int v, size_t n, cl_uint nwait,
		  const cl_event *wait, cl_event *ev)
{
	cl_int err = clSetKernelArgSVMPointer(k, 0, p);

	if (err == CL_SUCCESS)
		err = clSetKernelArg(k, 1, sizeof(v), &v);
	if (err == CL_SUCCESS)
		err = clEnqueueNDRangeKernel(q, k, 1, NULL, &n, NULL, nwait, wait, ev);
	return err;
}

static void *work(void *arg)
{
	struct worker *w = arg;
	struct shared *s = w->s;
	cl_context context = s->env->context;
	cl_queue_properties props[] = { CL_QUEUE_PROPERTIES,
		(w->id % 2) ? CL_QUEUE_OUT_OF_ORDER_EXEC_MODE_ENABLE : 0, 0 };
	cl_command_queue q = clCreateCommandQueueWithProperties(context, s->env->device, props,
								 NULL);
	cl_kernel own = clCreateKernel(s->program, "add", NULL);
	static _Thread_local int host[N];
	cl_int err;

	FAIL_IF(!q || !own, "thread %d: no queue or kernel", w->id);
	for (int it = 0; it < ITERATIONS; it++) {
		cl_svm_mem_flags flags = (it % 3 == 0) ? CL_MEM_READ_WRITE :
					 (it % 3 == 1) ? CL_MEM_SVM_FINE_GRAIN_BUFFER :
					 CL_MEM_SVM_FINE_GRAIN_BUFFER | CL_MEM_SVM_ATOMICS;
		size_t extra = (size_t)(w->id * 97 + it * 13) % 5000;
		int *p = clSVMAlloc(context, flags, N * sizeof(int) + extra, 0);
		int base = w->id * 100000 + it;
		size_t offset = (size_t)(it % 7);	/* interior pointers */
		cl_event filled = NULL, added = NULL;

		FAIL_IF(!p, "thread %d: clSVMAlloc failed", w->id);
		err = clEnqueueSVMMemFill(q, p, &base, sizeof(base), N * sizeof(int), 0, NULL,
					  &filled);
		FAIL_IF(err, "thread %d: fill: %s", w->id, cltest_err_name(err));
		err = run(q, own, p + offset, 1, N - offset, 1, &filled, &added);
		FAIL_IF(err, "thread %d: own kernel: %s", w->id, cltest_err_name(err));
		pthread_mutex_lock(&s->kernel_lock);
		err = run(q, s->kernel, p, 2, N, 1, &added, NULL);
		pthread_mutex_unlock(&s->kernel_lock);
		clReleaseEvent(added);
		FAIL_IF(err, "thread %d: shared kernel: %s", w->id, cltest_err_name(err));
		/* Thread-safe: exec info on the shared kernel with no lock. */
		void *exec[1] = { p };

		err = clSetKernelExecInfo(s->kernel, CL_KERNEL_EXEC_INFO_SVM_PTRS, sizeof(exec),
					  exec);
		FAIL_IF(err, "thread %d: exec info: %s", w->id, cltest_err_name(err));
		cl_command_type type = 0;

		err = clGetEventInfo(filled, CL_EVENT_COMMAND_TYPE, sizeof(type), &type, NULL);
		FAIL_IF(err || type != CL_COMMAND_SVM_MEMFILL, "thread %d: fill event type %#x",
			w->id, type);
		/* Hand the event to the watcher thread, which releases its copy. */
		pthread_mutex_lock(&s->published_lock);
		if (s->published[w->id])
			clReleaseEvent(s->published[w->id]);
		s->published[w->id] = filled;
		pthread_mutex_unlock(&s->published_lock);
		/* Migrate and map while other threads do the same. */
		const void *mig[1] = { p };

		err = clEnqueueSVMMigrateMem(q, 1, mig, NULL, (it % 2) ? CL_MIGRATE_MEM_OBJECT_HOST : 0,
					     0, NULL, NULL);
		FAIL_IF(err, "thread %d: migrate: %s", w->id, cltest_err_name(err));
		/* Everything before it in an in-order queue; in an out-of-order one, wait. */
		if (w->id % 2)
			clFinish(q);
		err = clEnqueueSVMMemcpy(q, CL_TRUE, host, p, sizeof(host), 0, NULL, NULL);
		FAIL_IF(err, "thread %d: memcpy: %s", w->id, cltest_err_name(err));
		for (int i = 0; i < N; i++) {
			int want = base + 2 + (i >= (int)offset ? 1 : 0);

			FAIL_IF(host[i] != want, "thread %d it %d: p[%d] = %d, want %d", w->id, it, i,
				host[i], want);
		}
		/* Three ways to free. */
		if (it % 3 == 0) {
			clSVMFree(context, p);
		} else {
			void *ptrs[1] = { p };
			cl_event freed;

			err = clEnqueueSVMFree(q, 1, ptrs, (it % 3 == 1) ? counted_free : NULL, s, 0,
					       NULL, &freed);
			FAIL_IF(err, "thread %d: enqueue free: %s", w->id, cltest_err_name(err));
			if (it % 2)
				clWaitForEvents(1, &freed);
			clReleaseEvent(freed);
		}
	}
	clFinish(q);
out:
	if (own)
		clReleaseKernel(own);
	if (q)
		clReleaseCommandQueue(q);
	return NULL;
}

/* Events of other threads' SVM commands: retained, queried, waited for, released. */
static void *watch(void *arg)
{
	struct worker *w = arg;
	struct shared *s = w->s;

	for (int i = 0; !atomic_load(&s->stop); i = (i + 1) % THREADS) {
		cl_command_type type = 0;
		cl_event ev;

		pthread_mutex_lock(&s->published_lock);
		ev = s->published[i];
		if (ev)
			clRetainEvent(ev);
		pthread_mutex_unlock(&s->published_lock);
		if (!ev) {
			sched_yield();
			continue;
		}
		cl_int err = clGetEventInfo(ev, CL_EVENT_COMMAND_TYPE, sizeof(type), &type, NULL);

		FAIL_IF(err || type != CL_COMMAND_SVM_MEMFILL, "watcher: event type %#x (%s)", type,
			cltest_err_name(err));
		err = clWaitForEvents(1, &ev);
		FAIL_IF(err, "watcher: wait: %s", cltest_err_name(err));
		clReleaseEvent(ev);
		atomic_fetch_add(&s->watched, 1);
	}
out:
	return NULL;
}

/* Contexts come and go with allocations left in them: svmx frees those. */
static void *churn(void *arg)
{
	struct worker *w = arg;
	struct shared *s = w->s;

	while (!atomic_load(&s->stop)) {
		cl_int err;
		cl_context c = clCreateContext(NULL, 1, &s->env->device, NULL, NULL, &err);

		FAIL_IF(!c, "churn: clCreateContext: %s", cltest_err_name(err));
		for (int i = 0; i < 4; i++) {
			char *p = clSVMAlloc(c, CL_MEM_SVM_FINE_GRAIN_BUFFER, 4096, 0);

			FAIL_IF(!p, "churn: clSVMAlloc failed");
			p[0] = 1;
		}
		clRetainContext(c);
		clReleaseContext(c);
		clReleaseContext(c);
		atomic_fetch_add(&s->contexts_made, 1);
	}
out:
	return NULL;
}

CLTEST(many_threads_share_a_context_and_a_kernel)
{
	struct shared s = { .env = env };
	struct worker workers[THREADS + 2];
	pthread_t threads[THREADS + 2];

	pthread_mutex_init(&s.kernel_lock, NULL);
	pthread_mutex_init(&s.published_lock, NULL);
	atomic_init(&s.watched, 0);
	atomic_init(&s.failures, 0);
	atomic_init(&s.frees_called, 0);
	atomic_init(&s.contexts_made, 0);
	atomic_init(&s.stop, false);
	s.program = cltest_build(env, source, "-cl-std=CL2.0");
	CHECK(s.program);
	s.kernel = cltest_keep(clCreateKernel(s.program, "add_all", NULL));
	CHECK(s.kernel);
	for (int i = 0; i < THREADS + 2; i++) {
		workers[i] = (struct worker){ .s = &s, .id = i };
		CHECK(pthread_create(&threads[i], NULL,
				     i < THREADS ? work : i == THREADS ? churn : watch,
				     &workers[i]) == 0);
	}
	for (int i = 0; i < THREADS; i++)
		pthread_join(threads[i], NULL);
	atomic_store(&s.stop, true);
	pthread_join(threads[THREADS], NULL);
	pthread_join(threads[THREADS + 1], NULL);
	for (int i = 0; i < THREADS; i++)
		if (s.published[i])
			clReleaseEvent(s.published[i]);
	for (int i = 0; i < THREADS + 2; i++)
		if (workers[i].what[0])
			fprintf(stderr, "%s\n", workers[i].what);
	CHECK(atomic_load(&s.failures) == 0);
	/* Every free callback ran: a third of the iterations used one... */
	CHECK(atomic_load(&s.frees_called) == THREADS * ((ITERATIONS + 1) / 3));
	CHECK(atomic_load(&s.contexts_made) > 0);
	CHECK(atomic_load(&s.watched) > 0);
	/* ...and the shared kernel still works. */
	int *p = cltest_svm_alloc(env, CL_MEM_SVM_FINE_GRAIN_BUFFER, 16 * sizeof(int), 0);

	CHECK(p);
	memset(p, 0, 16 * sizeof(int));
	CHECK_OK(run(env->queue, s.kernel, p, 5, 16, 0, NULL, NULL));
	CHECK_OK(clFinish(env->queue));
	CHECK(p[0] == 5 && p[15] == 5);
	pthread_mutex_destroy(&s.kernel_lock);
	pthread_mutex_destroy(&s.published_lock);
}

/*
 * Threads share one queue: each enqueues a slow kernel that stores into its
 * own slice of one fine-grain allocation, flushes or waits or not, then
 * calls clFinish and must see its store, while another thread keeps
 * flushing the queue (rusticl 22.3's clFinish alone misses flushed work).
 */
enum { FINISHERS = 3, FINISH_ROUNDS = 40, SLICE = 64 };

static const char *slow_source =
	"kernel void slow_store(global int *p, int v)\n"
	"{\n"
	"	volatile int x = 0;\n"
	"	for (int i = 0; i < 20000; i++)\n"
	"		x += i;\n"
	"	p[get_global_id(0)] = v + (x & 0);\n"
	"}\n";

struct finisher {
	struct cltest_env *env;
	cl_kernel kernel;	/* finishers: slow_store on their slice */
	int *slice;
	int id;
	atomic_bool *stop;	/* the flusher: when to end */
	int wrong;
	char what[160];
};

static void *finish_and_check(void *arg)
{
	struct finisher *f = arg;
	size_t n = SLICE;

	for (int round = 0; round < FINISH_ROUNDS && !f->wrong; round++) {
		int v = f->id * 1000 + round;
		cl_event ev = NULL;
		cl_int err;

		err = clSetKernelArg(f->kernel, 1, sizeof(v), &v);
		if (!err)
			err = clEnqueueNDRangeKernel(f->env->queue, f->kernel, 1, NULL, &n, NULL, 0,
						     NULL, &ev);
		if (!err && round % 3 == 1)
			err = clFlush(f->env->queue);
		if (!err && round % 3 == 2)
			err = clWaitForEvents(1, &ev);
		if (!err)
			err = clFinish(f->env->queue);
		if (ev)
			clReleaseEvent(ev);
		for (int i = 0; !err && i < SLICE; i++) {
			int got = ((volatile int *)f->slice)[i];

			if (got != v) {
				snprintf(f->what, sizeof(f->what),
					 "thread %d round %d: slice[%d] is %d after clFinish, want %d",
					 f->id, round, i, got, v);
				f->wrong = 1;
				break;
			}
		}
		if (err) {
			snprintf(f->what, sizeof(f->what), "thread %d round %d: %s", f->id, round,
				 cltest_err_name(err));
			f->wrong = 1;
		}
	}
	return NULL;
}

static void *keep_flushing(void *arg)
{
	struct finisher *f = arg;

	while (!atomic_load(f->stop)) {
		clFlush(f->env->queue);
		sched_yield();
	}
	return NULL;
}

CLTEST(finish_sees_what_other_threads_flushed)
{
	cl_program program = cltest_build(env, slow_source, "-cl-std=CL2.0");
	int *mem = cltest_svm_alloc(env, CL_MEM_SVM_FINE_GRAIN_BUFFER,
				    FINISHERS * SLICE * sizeof(int), 0);
	struct finisher f[FINISHERS + 1];
	pthread_t threads[FINISHERS + 1];
	atomic_bool stop;

	CHECK(program && mem);
	memset(mem, 0xff, FINISHERS * SLICE * sizeof(int));
	atomic_init(&stop, false);
	f[FINISHERS] = (struct finisher){ .env = env, .stop = &stop };
	for (int i = 0; i < FINISHERS; i++) {
		f[i] = (struct finisher){ .env = env, .id = i, .slice = mem + i * SLICE };
		f[i].kernel = cltest_keep(clCreateKernel(program, "slow_store", NULL));
		CHECK(f[i].kernel);
		CHECK_OK(clSetKernelArgSVMPointer(f[i].kernel, 0, f[i].slice));
	}
	for (int i = 0; i <= FINISHERS; i++)
		CHECK(pthread_create(&threads[i], NULL,
				     i < FINISHERS ? finish_and_check : keep_flushing, &f[i]) == 0);
	for (int i = 0; i < FINISHERS; i++)
		pthread_join(threads[i], NULL);
	atomic_store(&stop, true);
	pthread_join(threads[FINISHERS], NULL);
	CHECK_OK(clFinish(env->queue));
	for (int i = 0; i < FINISHERS; i++) {
		if (f[i].wrong)
			fprintf(stderr, "%s\n", f[i].what);
		CHECK(!f[i].wrong);
	}
}

int main(int argc, char **argv)
{
	return cltest_run(argc, argv, "rusticl");
}
