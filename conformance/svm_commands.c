/*
 * The SVM enqueue commands through svmx on rusticl: data moves as asked,
 * events carry the SVM command type, real status and profiling times, wait
 * lists, blocking and both queue orders behave as the specification says,
 * clFinish waits for everything, and clEnqueueSVMFree frees after earlier
 * commands and before its event completes.  One case checks that PoCL's native SVM is left alone.
 */
#include "cltest.h"

#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static const char *source =
	"kernel void add(global int *p, int v) { p[get_global_id(0)] += v; }\n"
	/* Busy for a while (under llvmpipe's ~65,535-iteration loop cap), then writes. */
	"kernel void slow_store(global int *p, int v, int spins)\n"
	"{\n"
	"	volatile int x = 0;\n"
	"	for (int i = 0; i < spins; i++)\n"
	"		x += i;\n"
	"	p[get_global_id(0)] = v + (x & 0);\n"
	"}\n";

static cl_command_type command_type(cl_event ev)
{
	cl_command_type t = 0;

	clGetEventInfo(ev, CL_EVENT_COMMAND_TYPE, sizeof(t), &t, NULL);
	return t;
}

static cl_int status_of(cl_event ev)
{
	cl_int s = 1234;

	clGetEventInfo(ev, CL_EVENT_COMMAND_EXECUTION_STATUS, sizeof(s), &s, NULL);
	return s;
}

/* A queue of env's context, held by the case. */
static cl_command_queue make_queue(struct cltest_env *env, cl_command_queue_properties props)
{
	cl_queue_properties list[] = { CL_QUEUE_PROPERTIES, props, 0 };
	cl_int err;

	return cltest_keep(clCreateCommandQueueWithProperties(env->context, env->device, list,
							      &err));
}

CLTEST(memcpy_between_svm_allocations_and_host_memory)
{
	enum { N = 4096 };
	char *a = cltest_svm_alloc(env, CL_MEM_READ_WRITE, N, 0);
	char *b = cltest_svm_alloc(env, CL_MEM_SVM_FINE_GRAIN_BUFFER, N, 0);
	static char host[N], host2[N];
	cl_event ev = NULL;

	CHECK(a && b);
	for (int i = 0; i < N; i++)
		host[i] = (char)(i * 7 + 1);
	/* host -> SVM (interior destination), blocking. */
	CHECK_OK(clEnqueueSVMMemcpy(env->queue, CL_TRUE, a + 100, host, 1000, 0, NULL, &ev));
	cltest_keep(ev);
	CHECK(command_type(ev) == CL_COMMAND_SVM_MEMCPY);
	CHECK(status_of(ev) == CL_COMPLETE);
	cltest_release(ev);
	CHECK(memcmp(a + 100, host, 1000) == 0);
	/* SVM -> SVM, non-blocking, waited through the event. */
	CHECK_OK(clEnqueueSVMMemcpy(env->queue, CL_FALSE, b + 3, a + 100, 1000, 0, NULL, &ev));
	cltest_keep(ev);
	CHECK_OK(clWaitForEvents(1, &ev));
	CHECK(command_type(ev) == CL_COMMAND_SVM_MEMCPY);
	cltest_release(ev);
	CHECK(memcmp(b + 3, host, 1000) == 0);
	/* SVM -> host. */
	memset(host2, 0, N);
	CHECK_OK(clEnqueueSVMMemcpy(env->queue, CL_TRUE, host2, b + 3, 1000, 0, NULL, NULL));
	CHECK(memcmp(host2, host, 1000) == 0);
	/* host -> host. */
	memset(host2, 0, N);
	CHECK_OK(clEnqueueSVMMemcpy(env->queue, CL_FALSE, host2, host + 5, 2000, 0, NULL, &ev));
	cltest_keep(ev);
	CHECK_OK(clWaitForEvents(1, &ev));
	CHECK(command_type(ev) == CL_COMMAND_SVM_MEMCPY);
	cltest_release(ev);
	CHECK(memcmp(host2, host + 5, 2000) == 0);
	/* Within one allocation, disjoint ranges, up to its last byte. */
	CHECK_OK(clEnqueueSVMMemcpy(env->queue, CL_TRUE, a + N - 100, a, 100, 0, NULL, NULL));
	CHECK(memcmp(a + N - 100, a, 100) == 0);
	/* Size 0 is a command that does nothing. */
	CHECK_OK(clEnqueueSVMMemcpy(env->queue, CL_TRUE, a, b, 0, 0, NULL, &ev));
	cltest_keep(ev);
	CHECK(command_type(ev) == CL_COMMAND_SVM_MEMCPY);
	CHECK(status_of(ev) == CL_COMPLETE);
	cltest_release(ev);
}

CLTEST(memcpy_overlap_is_refused)
{
	char *a = cltest_svm_alloc(env, CL_MEM_READ_WRITE, 4096, 0);
	static char host[256];

	CHECK(a);
	CHECK_ERR(clEnqueueSVMMemcpy(env->queue, CL_TRUE, a + 10, a, 11, 0, NULL, NULL),
		  CL_MEM_COPY_OVERLAP);
	CHECK_ERR(clEnqueueSVMMemcpy(env->queue, CL_TRUE, a, a + 10, 11, 0, NULL, NULL),
		  CL_MEM_COPY_OVERLAP);
	CHECK_ERR(clEnqueueSVMMemcpy(env->queue, CL_TRUE, a, a, 1, 0, NULL, NULL),
		  CL_MEM_COPY_OVERLAP);
	CHECK_ERR(clEnqueueSVMMemcpy(env->queue, CL_TRUE, host + 1, host, 2, 0, NULL, NULL),
		  CL_MEM_COPY_OVERLAP);
	/* Touching but not overlapping. */
	CHECK_OK(clEnqueueSVMMemcpy(env->queue, CL_TRUE, a + 10, a, 10, 0, NULL, NULL));
}

CLTEST(memfill_every_pattern_size)
{
	enum { N = 8192 };
	unsigned char *a = cltest_svm_alloc(env, CL_MEM_READ_WRITE, N, 0);
	unsigned char pattern[128];
	cl_event ev;

	CHECK(a);
	for (int i = 0; i < 128; i++)
		pattern[i] = (unsigned char)(0x80 + i);
	for (size_t ps = 1; ps <= 128; ps *= 2) {
		size_t off = ps * 3, size = ps * 5;

		memset(a, 0x11, N);
		CHECK_OK(clEnqueueSVMMemFill(env->queue, a + off, pattern, ps, size, 0, NULL, &ev));
		cltest_keep(ev);
		CHECK_OK(clWaitForEvents(1, &ev));
		CHECK(command_type(ev) == CL_COMMAND_SVM_MEMFILL);
		cltest_release(ev);
		for (size_t i = 0; i < N; i++) {
			unsigned char want = i >= off && i < off + size ? pattern[(i - off) % ps] : 0x11;

			if (a[i] != want) {
				fprintf(stderr, "pattern size %zu: byte %zu is %#x, want %#x\n", ps, i,
					a[i], want);
				CHECK(0);
			}
		}
	}
	/* A fill that ends exactly at the end of the allocation. */
	CHECK_OK(clEnqueueSVMMemFill(env->queue, a + N - 128, pattern, 128, 128, 0, NULL, NULL));
	CHECK_OK(clFinish(env->queue));
	CHECK(memcmp(a + N - 128, pattern, 128) == 0);
}

CLTEST(map_and_unmap_order_host_access_around_kernels)
{
	enum { N = 256 };
	cl_kernel add = cltest_kernel(env, source, "add", "-cl-std=CL2.0");
	int *a = cltest_svm_alloc(env, CL_MEM_READ_WRITE, N * sizeof(int), 0);
	size_t n = N;
	int v = 5;
	cl_event ev;

	CHECK(add && a);
	CHECK_OK(clEnqueueSVMMap(env->queue, CL_TRUE, CL_MAP_WRITE_INVALIDATE_REGION, a,
				 N * sizeof(int), 0, NULL, &ev));
	cltest_keep(ev);
	CHECK(command_type(ev) == CL_COMMAND_SVM_MAP);
	CHECK(status_of(ev) == CL_COMPLETE);
	cltest_release(ev);
	for (int i = 0; i < N; i++)
		a[i] = i;
	CHECK_OK(clEnqueueSVMUnmap(env->queue, a, 0, NULL, &ev));
	cltest_keep(ev);
	CHECK(command_type(ev) == CL_COMMAND_SVM_UNMAP);
	cltest_release(ev);
	CHECK_OK(clSetKernelArgSVMPointer(add, 0, a));
	CHECK_OK(clSetKernelArg(add, 1, sizeof(v), &v));
	CHECK_OK(clEnqueueNDRangeKernel(env->queue, add, 1, NULL, &n, NULL, 0, NULL, NULL));
	/* An interior, partial map: blocking, so the kernel has finished. */
	CHECK_OK(clEnqueueSVMMap(env->queue, CL_TRUE, CL_MAP_READ, a + 10, 20 * sizeof(int), 0,
				 NULL, NULL));
	for (int i = 10; i < 30; i++)
		CHECK(a[i] == i + 5);
	CHECK_OK(clEnqueueSVMUnmap(env->queue, a + 10, 0, NULL, NULL));
	CHECK_OK(clFinish(env->queue));
}

CLTEST(wait_lists_and_user_events_order_svm_commands)
{
	char *a = cltest_svm_alloc(env, CL_MEM_READ_WRITE, 4096, 0);
	char *b = cltest_svm_alloc(env, CL_MEM_READ_WRITE, 4096, 0);
	cl_command_queue ooo = make_queue(env, CL_QUEUE_OUT_OF_ORDER_EXEC_MODE_ENABLE);
	cl_event gate = cltest_keep(clCreateUserEvent(env->context, NULL));
	cl_event fill, copy, map;
	char x = 'x';

	CHECK(a && b && ooo && gate);
	memset(a, 'a', 4096);
	memset(b, 'b', 4096);
	/* fill waits for the user event; the copy waits for the fill. */
	CHECK_OK(clEnqueueSVMMemFill(ooo, a, &x, 1, 64, 1, &gate, &fill));
	cltest_keep(fill);
	CHECK_OK(clEnqueueSVMMemcpy(ooo, CL_FALSE, b, a, 64, 1, &fill, &copy));
	cltest_keep(copy);
	CHECK_OK(clFlush(ooo));
	CHECK(status_of(fill) > CL_COMPLETE);
	CHECK(status_of(copy) > CL_COMPLETE);
	CHECK(a[0] == 'a' && b[0] == 'b');
	/* A native command can wait for an SVM command's event as well. */
	CHECK_OK(clSetUserEventStatus(gate, CL_COMPLETE));
	CHECK_OK(clEnqueueMarkerWithWaitList(ooo, 1, &copy, NULL));
	CHECK_OK(clWaitForEvents(1, &copy));
	CHECK(status_of(fill) == CL_COMPLETE);
	CHECK(b[0] == 'x' && b[63] == 'x' && b[64] == 'b');
	/* A blocking map in the out-of-order queue. */
	CHECK_OK(clEnqueueSVMMap(ooo, CL_TRUE, CL_MAP_READ, b + 1024, 16, 0, NULL, &map));
	cltest_keep(map);
	CHECK(status_of(map) == CL_COMPLETE);
	CHECK_OK(clEnqueueSVMUnmap(ooo, b + 1024, 1, &map, NULL));
	CHECK_OK(clFinish(ooo));
	cltest_release(fill);
	cltest_release(copy);
	cltest_release(map);
}

CLTEST(in_order_queue_runs_svm_commands_after_earlier_ones)
{
	cl_kernel slow = cltest_kernel(env, source, "slow_store", "-cl-std=CL2.0");
	int *a = cltest_svm_alloc(env, CL_MEM_SVM_FINE_GRAIN_BUFFER, 64 * sizeof(int), 0);
	static int host[64];
	int v = 77, spins = 50000;
	size_t n = 64;

	CHECK(slow && a);
	memset(a, 0, 64 * sizeof(int));
	CHECK_OK(clSetKernelArgSVMPointer(slow, 0, a));
	CHECK_OK(clSetKernelArg(slow, 1, sizeof(v), &v));
	CHECK_OK(clSetKernelArg(slow, 2, sizeof(spins), &spins));
	CHECK_OK(clEnqueueNDRangeKernel(env->queue, slow, 1, NULL, &n, NULL, 0, NULL, NULL));
	/* No wait list: the in-order queue still copies what the kernel wrote. */
	CHECK_OK(clEnqueueSVMMemcpy(env->queue, CL_TRUE, host, a, sizeof(host), 0, NULL, NULL));
	for (int i = 0; i < 64; i++)
		CHECK(host[i] == 77);
}

/*
 * rusticl 22.3's clFinish waits only for commands enqueued since the last
 * flush: after clFlush it returns at once, while a kernel still runs or
 * still waits for a user event.  For fine-grain SVM, where nothing else
 * reads results back, that looks like lost writes.
 */
CLTEST(finish_waits_for_flushed_commands)
{
	cl_program program = cltest_build(env, source, "-cl-std=CL2.0");
	cl_kernel add = cltest_kernel_of(program, "add");
	cl_kernel slow = cltest_kernel_of(program, "slow_store");
	int *a = cltest_svm_alloc(env, CL_MEM_SVM_FINE_GRAIN_BUFFER, 64 * sizeof(int), 0);
	cl_command_queue ooo = make_queue(env, CL_QUEUE_OUT_OF_ORDER_EXEC_MODE_ENABLE);
	cl_command_queue queues[2] = { env->queue, ooo };
	int one = 1, spins = 50000;
	size_t n = 64;

	CHECK(add && slow && a && ooo);
	memset(a, 0, 64 * sizeof(int));
	CHECK_OK(clSetKernelArgSVMPointer(add, 0, a));
	CHECK_OK(clSetKernelArg(add, 1, sizeof(one), &one));
	CHECK_OK(clSetKernelArgSVMPointer(slow, 0, a));
	CHECK_OK(clSetKernelArg(slow, 2, sizeof(spins), &spins));
	for (int q = 0; q < 2; q++) {
		int v = 100 * (q + 1);
		cl_event gate = cltest_keep(clCreateUserEvent(env->context, NULL));
		cl_int err;

		/* A running kernel, flushed. */
		CHECK_OK(clSetKernelArg(slow, 1, sizeof(v), &v));
		CHECK_OK(clEnqueueNDRangeKernel(queues[q], slow, 1, NULL, &n, NULL, 0, NULL, NULL));
		CHECK_OK(clFlush(queues[q]));
		CHECK_OK(clFinish(queues[q]));
		for (int i = 0; i < 64; i++)
			CHECK(((volatile int *)a)[i] == v);

		/* A kernel held by a user event, flushed, then released. */
		CHECK(gate);
		CHECK_OK(clEnqueueNDRangeKernel(queues[q], add, 1, NULL, &n, NULL, 1, &gate, NULL));
		err = clFlush(queues[q]);
		CHECK_OK(clSetUserEventStatus(gate, CL_COMPLETE));
		cltest_release(gate);
		CHECK_OK(err);
		CHECK_OK(clFinish(queues[q]));
		for (int i = 0; i < 64; i++)
			CHECK(((volatile int *)a)[i] == v + 1);
	}
}

CLTEST(failed_wait_list_fails_the_command)
{
	char *a = cltest_svm_alloc(env, CL_MEM_READ_WRITE, 4096, 0);
	cl_event gate = cltest_keep(clCreateUserEvent(env->context, NULL)), ev, freed;
	static char host[64];

	CHECK(a && gate);
	CHECK_OK(clEnqueueSVMMemcpy(env->queue, CL_FALSE, a, host, 64, 1, &gate, &ev));
	cltest_keep(ev);
	CHECK_OK(clEnqueueSVMFree(env->queue, 1, (void **)&a, NULL, NULL, 1, &gate, &freed));
	cltest_keep(freed);
	CHECK_OK(clFlush(env->queue));
	CHECK_OK(clSetUserEventStatus(gate, -42));
	CHECK_ERR(clWaitForEvents(1, &ev), CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST);
	CHECK(status_of(ev) < 0);
	/* The free fails too, and does not hang. */
	CHECK_ERR(clWaitForEvents(1, &freed), CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST);
	CHECK(status_of(freed) < 0);
	CHECK(command_type(freed) == CL_COMMAND_SVM_FREE);
	/* Blocking commands report the failure. */
	CHECK_ERR(clEnqueueSVMMemcpy(env->queue, CL_TRUE, host, a, 64, 1, &gate, NULL),
		  CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST);
	CHECK_ERR(clEnqueueSVMMap(env->queue, CL_TRUE, CL_MAP_READ, a, 64, 1, &gate, NULL),
		  CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST);
	/*
	 * The failed free did not free: the memory is still usable (through a
	 * queue of its own: after a failed command what a queue does is the
	 * driver's choice, OpenCL 3.0 5.11, and rusticl 25 fails every later
	 * command of an in-order queue).
	 */
	cl_command_queue again = make_queue(env, 0);

	CHECK(again != NULL);
	CHECK_OK(clEnqueueSVMMemcpy(again, CL_TRUE, a, host, 64, 0, NULL, NULL));
	cltest_release(ev);
	cltest_release(freed);
}

struct free_record {
	atomic_int calls;
	cl_command_queue queue;
	cl_uint n;
	void *ptrs[4];
	int first_value;	/* what the earlier kernel left in ptrs[0] */
	cl_context context;
};

static void CL_CALLBACK free_func(cl_command_queue queue, cl_uint n, void *ptrs[], void *data)
{
	struct free_record *r = data;

	r->queue = queue;
	r->n = n;
	for (cl_uint i = 0; i < n && i < 4; i++)
		r->ptrs[i] = ptrs[i];
	r->first_value = *(int *)ptrs[0];
	for (cl_uint i = 0; i < n; i++)
		clSVMFree(r->context, ptrs[i]);
	atomic_fetch_add(&r->calls, 1);
}

CLTEST(svm_free_with_callback_runs_after_earlier_commands)
{
	cl_kernel slow = cltest_kernel(env, source, "slow_store", "-cl-std=CL2.0");
	int *a = clSVMAlloc(env->context, CL_MEM_READ_WRITE, 4096, 0);
	int *b = clSVMAlloc(env->context, CL_MEM_SVM_FINE_GRAIN_BUFFER, 4096, 0);
	struct free_record r = { .context = env->context };
	cl_event gate = cltest_keep(clCreateUserEvent(env->context, NULL)), ev;
	void *ptrs[2] = { a, b };
	int v = 31, spins = 50000;
	size_t one = 1;

	CHECK(slow && a && b && gate);
	atomic_init(&r.calls, 0);
	CHECK_OK(clSetKernelArgSVMPointer(slow, 0, a));
	CHECK_OK(clSetKernelArg(slow, 1, sizeof(v), &v));
	CHECK_OK(clSetKernelArg(slow, 2, sizeof(spins), &spins));
	CHECK_OK(clEnqueueNDRangeKernel(env->queue, slow, 1, NULL, &one, NULL, 1, &gate, NULL));
	CHECK_OK(clEnqueueSVMFree(env->queue, 2, ptrs, free_func, &r, 0, NULL, &ev));
	cltest_keep(ev);
	ptrs[0] = ptrs[1] = NULL;	/* svmx must have copied the list */
	CHECK_OK(clFlush(env->queue));
	CHECK(command_type(ev) == CL_COMMAND_SVM_FREE);
	CHECK(atomic_load(&r.calls) == 0);
	CHECK(status_of(ev) > CL_COMPLETE);
	CHECK_OK(clSetUserEventStatus(gate, CL_COMPLETE));
	CHECK_OK(clWaitForEvents(1, &ev));
	/* The callback ran once, before the event completed, after the kernel. */
	CHECK(atomic_load(&r.calls) == 1);
	CHECK(r.queue == env->queue && r.n == 2 && r.ptrs[0] == a && r.ptrs[1] == b);
	CHECK(r.first_value == 31);
	cltest_release(ev);
}

CLTEST(svm_free_without_callback_frees_before_its_event_completes)
{
	cl_kernel add = cltest_kernel(env, source, "add", "-cl-std=CL2.0");
	cl_command_queue ooo = make_queue(env, CL_QUEUE_OUT_OF_ORDER_EXEC_MODE_ENABLE);
	cl_command_queue queues[2] = { env->queue, ooo };
	/* With fine-grain system SVM a freed pointer is still a valid SVM pointer. */
	cl_int freed_arg = cltest_system_svm(env) ? CL_SUCCESS : CL_INVALID_ARG_VALUE;

	CHECK(add && ooo);
	for (int qi = 0; qi < 2; qi++) {
		int *a = clSVMAlloc(env->context, CL_MEM_READ_WRITE, 4096, 0);
		int *b = clSVMAlloc(env->context, CL_MEM_READ_WRITE, 4096, 0);
		void *ptrs[3] = { a, NULL, b };
		cl_event ev;

		CHECK(a && b);
		CHECK_OK(clEnqueueSVMFree(queues[qi], 3, ptrs, NULL, NULL, 0, NULL, &ev));
		cltest_keep(ev);
		CHECK_OK(clWaitForEvents(1, &ev));
		CHECK(command_type(ev) == CL_COMMAND_SVM_FREE);
		cltest_release(ev);
		/* Gone: svmx no longer knows the pointers. */
		CHECK_ERR(clSetKernelArgSVMPointer(add, 0, a), freed_arg);
		CHECK_ERR(clSetKernelArgSVMPointer(add, 0, b), freed_arg);
	}
	/* An empty list is a valid command. */
	CHECK_OK(clEnqueueSVMFree(env->queue, 0, NULL, NULL, NULL, 0, NULL, NULL));
	CHECK_OK(clFinish(env->queue));
}

/*
 * After clFinish every earlier command's event is CL_COMPLETE (OpenCL 3.0,
 * 5.15), and in an in-order queue a later command cannot complete before an
 * earlier one.  rusticl 22.3 updates an event's status only when someone
 * waits for that very event or its queue thread gets to it, so svmx answers
 * for the events of its SVM commands.
 */
CLTEST(svm_events_are_complete_after_finish_and_in_queue_order)
{
	enum { ROUNDS = 300, KINDS = 6 };
	static const char *const names[KINDS] = { "memcpy", "fill", "map", "unmap", "migrate",
						  "free" };
	int late[KINDS] = { 0 }, late_after_marker = 0;
	static char host[256];
	char x = 5;

	for (int round = 0; round < ROUNDS; round++) {
		char *a = clSVMAlloc(env->context, CL_MEM_READ_WRITE, 4096, 0);
		char *b = clSVMAlloc(env->context, CL_MEM_READ_WRITE, 4096, 0);
		cl_event ev[KINDS], marker;

		CHECK(a && b);
		CHECK_OK(clEnqueueSVMMemcpy(env->queue, CL_FALSE, a, host, 64, 0, NULL, &ev[0]));
		cltest_keep(ev[0]);
		CHECK_OK(clEnqueueSVMMemFill(env->queue, a, &x, 1, 64, 0, NULL, &ev[1]));
		cltest_keep(ev[1]);
		CHECK_OK(clEnqueueSVMMap(env->queue, CL_FALSE, CL_MAP_READ, a, 64, 0, NULL, &ev[2]));
		cltest_keep(ev[2]);
		CHECK_OK(clEnqueueSVMUnmap(env->queue, a, 0, NULL, &ev[3]));
		cltest_keep(ev[3]);
		CHECK_OK(clEnqueueSVMMigrateMem(env->queue, 1, (const void **)&a, NULL, 0, 0, NULL,
						&ev[4]));
		cltest_keep(ev[4]);
		CHECK_OK(clEnqueueSVMFree(env->queue, 1, (void **)&a, NULL, NULL, 0, NULL, &ev[5]));
		cltest_keep(ev[5]);
		CHECK_OK(clFinish(env->queue));
		for (int k = 0; k < KINDS; k++) {
			late[k] += status_of(ev[k]) != CL_COMPLETE;
			cltest_release(ev[k]);
		}
		/* A later marker of the in-order queue completes after the free. */
		CHECK_OK(clEnqueueSVMFree(env->queue, 1, (void **)&b, NULL, NULL, 0, NULL, &ev[5]));
		cltest_keep(ev[5]);
		CHECK_OK(clEnqueueMarkerWithWaitList(env->queue, 0, NULL, &marker));
		cltest_keep(marker);
		CHECK_OK(clWaitForEvents(1, &marker));
		late_after_marker += status_of(ev[5]) != CL_COMPLETE;
		cltest_release(ev[5]);
		cltest_release(marker);
	}
	for (int k = 0; k < KINDS; k++)
		if (late[k])
			fprintf(stderr, "%s: %d of %d events not complete after clFinish\n", names[k],
				late[k], ROUNDS);
	if (late_after_marker)
		fprintf(stderr, "free: %d of %d events not complete after a later marker\n",
			late_after_marker, ROUNDS);
	for (int k = 0; k < KINDS; k++)
		CHECK(late[k] == 0);
	CHECK(late_after_marker == 0);
}

CLTEST(migrate_mem_validates_and_orders)
{
	char *a = cltest_svm_alloc(env, CL_MEM_READ_WRITE, 8192, 0);
	char *b = cltest_svm_alloc(env, CL_MEM_SVM_FINE_GRAIN_BUFFER, 100, 0);
	const void *ptrs[3] = { a + 16, b, a + 100 };
	size_t sizes[3] = { 4000, 0, 8092 };	/* overlapping ranges of a */
	cl_mem_migration_flags flags[4] = { 0, CL_MIGRATE_MEM_OBJECT_HOST,
		CL_MIGRATE_MEM_OBJECT_CONTENT_UNDEFINED,
		CL_MIGRATE_MEM_OBJECT_HOST | CL_MIGRATE_MEM_OBJECT_CONTENT_UNDEFINED };
	cl_event ev;

	CHECK(a && b);
	memset(a, 3, 8192);
	for (int i = 0; i < 4; i++) {
		CHECK_OK(clEnqueueSVMMigrateMem(env->queue, 3, ptrs, sizes, flags[i], 0, NULL, &ev));
		cltest_keep(ev);
		CHECK_OK(clWaitForEvents(1, &ev));
		CHECK(command_type(ev) == CL_COMMAND_SVM_MIGRATE_MEM);
		cltest_release(ev);
	}
	/* sizes NULL: whole allocations. */
	CHECK_OK(clEnqueueSVMMigrateMem(env->queue, 2, ptrs, NULL, 0, 0, NULL, NULL));
	CHECK_OK(clFinish(env->queue));
	/* Contents survive a migration that does not say they are undefined. */
	CHECK(a[0] == 3 && a[8191] == 3);
	sizes[2] = 8093;	/* one byte past the end */
	CHECK_ERR(clEnqueueSVMMigrateMem(env->queue, 3, ptrs, sizes, 0, 0, NULL, NULL),
		  CL_INVALID_VALUE);
}

CLTEST(profiling_times_are_real_and_ordered)
{
	cl_command_queue prof = make_queue(env, CL_QUEUE_PROFILING_ENABLE);
	char *a = cltest_svm_alloc(env, CL_MEM_READ_WRITE, 1 << 20, 0);
	static char host[1 << 20];
	cl_ulong t[4], t2[4];
	cl_event ev, ev2;
	double before = cltest_now();

	CHECK(prof && a);
	CHECK_OK(clEnqueueSVMMemcpy(prof, CL_FALSE, a, host, sizeof(host), 0, NULL, &ev));
	cltest_keep(ev);
	CHECK_OK(clEnqueueSVMMap(prof, CL_FALSE, CL_MAP_READ, a, 64, 0, NULL, &ev2));
	cltest_keep(ev2);
	cl_event both[2] = { ev, ev2 };

	CHECK_OK(clWaitForEvents(2, both));
	for (int i = 0; i < 4; i++) {
		CHECK_OK(clGetEventProfilingInfo(ev, CL_PROFILING_COMMAND_QUEUED + i,
						 sizeof(cl_ulong), &t[i], NULL));
		CHECK_OK(clGetEventProfilingInfo(ev2, CL_PROFILING_COMMAND_QUEUED + i,
						 sizeof(cl_ulong), &t2[i], NULL));
	}
	/* Nanoseconds of a clock that advances, in command order. */
	CHECK(t[0] > 1000000);
	CHECK(t[0] <= t[1] && t[1] <= t[2] && t[2] <= t[3]);
	CHECK(t2[0] <= t2[1] && t2[1] <= t2[2] && t2[2] <= t2[3]);
	CHECK(t[0] <= t2[0] && t[3] <= t2[3]);
	CHECK((double)(t2[3] - t[0]) * 1e-9 <= cltest_now() - before + 0.001);
	cl_ulong complete;

	CHECK_OK(clGetEventProfilingInfo(ev, CL_PROFILING_COMMAND_COMPLETE, sizeof(complete),
					 &complete, NULL));
	CHECK(complete >= t[3]);
	CHECK_ERR(clGetEventProfilingInfo(ev, CL_PROFILING_COMMAND_END, 4, &complete, NULL),
		  CL_INVALID_VALUE);
	CHECK_ERR(clGetEventProfilingInfo(ev, 0x1234, sizeof(complete), &complete, NULL),
		  CL_INVALID_VALUE);
	cltest_release(ev);
	cltest_release(ev2);
	CHECK_OK(clEnqueueSVMUnmap(prof, a, 0, NULL, NULL));
	/* Without CL_QUEUE_PROFILING_ENABLE there are no times. */
	CHECK_OK(clEnqueueSVMMemcpy(env->queue, CL_TRUE, a, host, 64, 0, NULL, &ev));
	cltest_keep(ev);
	CHECK_ERR(clGetEventProfilingInfo(ev, CL_PROFILING_COMMAND_START, sizeof(complete),
					  &complete, NULL),
		  CL_PROFILING_INFO_NOT_AVAILABLE);
	cltest_release(ev);
	/* Nor before the command has completed. */
	cl_event gate = cltest_keep(clCreateUserEvent(env->context, NULL));

	CHECK_OK(clEnqueueSVMMemcpy(prof, CL_FALSE, a, host, 64, 1, &gate, &ev));
	cltest_keep(ev);
	CHECK_ERR(clGetEventProfilingInfo(ev, CL_PROFILING_COMMAND_END, sizeof(complete),
					  &complete, NULL),
		  CL_PROFILING_INFO_NOT_AVAILABLE);
	clSetUserEventStatus(gate, CL_COMPLETE);
	CHECK_OK(clWaitForEvents(1, &ev));
	CHECK_OK(clGetEventProfilingInfo(ev, CL_PROFILING_COMMAND_END, sizeof(complete),
					 &complete, NULL));
	cltest_release(ev);
}

CLTEST(events_keep_their_type_while_retained)
{
	char *a = cltest_svm_alloc(env, CL_MEM_READ_WRITE, 4096, 0);
	char x = 1;
	cl_event ev, ev2;

	CHECK(a);
	CHECK_OK(clEnqueueSVMMemFill(env->queue, a, &x, 1, 16, 0, NULL, &ev));
	CHECK_OK(clRetainEvent(ev));
	CHECK_OK(clReleaseEvent(ev));
	CHECK(command_type(ev) == CL_COMMAND_SVM_MEMFILL);
	CHECK_OK(clReleaseEvent(ev));
	/* A native command's event keeps the native type. */
	CHECK_OK(clEnqueueMarkerWithWaitList(env->queue, 0, NULL, &ev2));
	CHECK(command_type(ev2) == CL_COMMAND_MARKER);
	clReleaseEvent(ev2);
	/* A query with too small a buffer is the driver's error. */
	CHECK_OK(clEnqueueSVMMemFill(env->queue, a, &x, 1, 16, 0, NULL, &ev));
	CHECK_ERR(clGetEventInfo(ev, CL_EVENT_COMMAND_TYPE, 1, &x, NULL), CL_INVALID_VALUE);
	size_t size = 0;

	CHECK_OK(clGetEventInfo(ev, CL_EVENT_COMMAND_TYPE, 0, NULL, &size));
	CHECK(size == sizeof(cl_command_type));
	clReleaseEvent(ev);
	CHECK_OK(clFinish(env->queue));
}

/* The memory of a released context's allocations lives as long as the context. */
CLTEST(released_context_keeps_memory_until_its_queue_is_done)
{
	cl_int err;
	cl_context c = cltest_keep(clCreateContext(NULL, 1, &env->device, NULL, NULL, &err));
	cl_command_queue q = c ? cltest_keep(clCreateCommandQueueWithProperties(c, env->device,
										NULL, &err))
			       : NULL;
	struct cltest_env e2 = { env->platform, env->device, c, q };
	cl_program program = q ? cltest_build(&e2, source, "-cl-std=CL2.0") : NULL;
	cl_kernel slow = cltest_kernel_of(program, "slow_store");
	int *a = c ? clSVMAlloc(c, CL_MEM_SVM_FINE_GRAIN_BUFFER, 4096, 0) : NULL;
	int *unused = c ? clSVMAlloc(c, CL_MEM_READ_WRITE, 3 * 4096, 0) : NULL;
	cl_event gate = c ? cltest_keep(clCreateUserEvent(c, &err)) : NULL;
	int v = 55, spins = 50000;
	size_t one = 1;
	struct cltest_mark ma, mu;

	CHECK(slow && a && unused && gate);
	a[0] = 0;
	cltest_mark(&ma, (char *)a + 4096 - 16);
	cltest_mark(&mu, unused);
	CHECK_OK(clSetKernelArgSVMPointer(slow, 0, a));
	CHECK_OK(clSetKernelArg(slow, 1, sizeof(v), &v));
	CHECK_OK(clSetKernelArg(slow, 2, sizeof(spins), &spins));
	cl_event ran;

	CHECK_OK(clEnqueueNDRangeKernel(q, slow, 1, NULL, &one, NULL, 1, &gate, &ran));
	cltest_keep(ran);
	CHECK_OK(clFlush(q));
	cltest_release(slow);
	cltest_release(program);
	CHECK_OK(cltest_release(c));	/* the application's last reference */
	CHECK(!cltest_unmarked(&ma) && !cltest_unmarked(&mu));
	CHECK_OK(clSetUserEventStatus(gate, CL_COMPLETE));
	/* Not clFinish: rusticl 22.3's ignores commands flushed already. */
	CHECK_OK(clWaitForEvents(1, &ran));
	CHECK(a[0] == 55);	/* the kernel wrote memory that was still there */
	cltest_release(ran);
	cltest_release(gate);
	CHECK(!cltest_unmarked(&ma));
	/*
	 * The last object of the context goes: the driver destroys it (maybe a
	 * moment later, on its queue thread) and svmx frees the memory then.
	 */
	CHECK_OK(cltest_release(q));
	CHECK(cltest_gone_within(&ma, 5) && cltest_gone_within(&mu, 5));
}

/*
 * A clEnqueueSVMFree whose wait list failed frees nothing and holds nothing:
 * once svmx has dropped it, its context can go (and takes the memory along).
 */
CLTEST(failed_free_lets_its_context_go)
{
	cl_int err;
	cl_context c = cltest_keep(clCreateContext(NULL, 1, &env->device, NULL, NULL, &err));
	cl_command_queue q = c ? cltest_keep(clCreateCommandQueueWithProperties(c, env->device,
										NULL, &err))
			       : NULL;
	char *a = c ? clSVMAlloc(c, CL_MEM_READ_WRITE, 4096, 0) : NULL;
	cl_event gate = c ? cltest_keep(clCreateUserEvent(c, &err)) : NULL, freed;
	struct cltest_mark m;

	CHECK(q && a && gate);
	cltest_mark(&m, a);
	CHECK_OK(clEnqueueSVMFree(q, 1, (void **)&a, NULL, NULL, 1, &gate, &freed));
	cltest_keep(freed);
	CHECK_OK(clSetUserEventStatus(gate, -7));
	CHECK_ERR(clWaitForEvents(1, &freed), CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST);
	CHECK(!cltest_unmarked(&m));	/* not freed */
	/* svmx drops failed frees at the next clEnqueueSVMFree, on any queue. */
	CHECK_OK(clEnqueueSVMFree(env->queue, 0, NULL, NULL, NULL, 0, NULL, NULL));
	CHECK_OK(clFinish(env->queue));
	cltest_release(freed);
	cltest_release(gate);
	CHECK_OK(cltest_release(q));
	CHECK_OK(cltest_release(c));
	CHECK(cltest_gone_within(&m, 5));
}

/* Contexts svmx does not serve keep the driver's own SVM (PoCL has it). */
CLTEST(pocl_svm_commands_are_forwarded)
{
	struct cltest_env pocl;
	cl_event ev;

	(void)env;
	CHECK(cltest_open(&pocl, "Portable Computing Language", 0));
	cltest_keep(pocl.context);
	cltest_keep(pocl.queue);
	char *a = clSVMAlloc(pocl.context, CL_MEM_READ_WRITE, 4096, 0);
	char *b = clSVMAlloc(pocl.context, CL_MEM_READ_WRITE, 4096, 0);
	char x = 9;

	CHECK(a && b);
	CHECK_OK(clEnqueueSVMMemFill(pocl.queue, a, &x, 1, 4096, 0, NULL, NULL));
	CHECK_OK(clEnqueueSVMMemcpy(pocl.queue, CL_TRUE, b, a, 4096, 0, NULL, &ev));
	cltest_keep(ev);
	CHECK(command_type(ev) == CL_COMMAND_SVM_MEMCPY);
	cltest_release(ev);
	CHECK_OK(clEnqueueSVMMap(pocl.queue, CL_TRUE, CL_MAP_READ, b, 4096, 0, NULL, NULL));
	CHECK(b[0] == 9 && b[4095] == 9);
	CHECK_OK(clEnqueueSVMUnmap(pocl.queue, b, 0, NULL, NULL));
	void *ptrs[2] = { a, b };

	CHECK_OK(clEnqueueSVMFree(pocl.queue, 2, ptrs, NULL, NULL, 0, NULL, &ev));
	cltest_keep(ev);
	CHECK_OK(clWaitForEvents(1, &ev));
	CHECK(command_type(ev) == CL_COMMAND_SVM_FREE);
	cltest_release(ev);
}

int main(int argc, char **argv)
{
	return cltest_run(argc, argv, "rusticl");
}
