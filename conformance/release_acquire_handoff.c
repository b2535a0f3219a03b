/*
 * Release/acquire hand-off between a running kernel and the host on
 * fine-grain SVM: the kernel publishes data with a release store, the host
 * sees it while the kernel still runs and answers with a value the kernel
 * waits for with acquire loads.
 *
 * KNOWN FAILING on Debian 12's rusticl 22.3 / llvmpipe (registered DISABLED
 * in CMakeLists.txt): the host sees the flag only once the kernel has ended,
 * and the kernel never sees the host's answer, whatever the form of load
 * and store (atomic_load/store_explicit, RMW stand-ins, volatile).  Atomic
 * read-modify-writes from both sides are exact (shared_atomics.c).  See
 * the top-level README, "Known limits".
 */
#include "cltest.h"

#include <stdatomic.h>
#include <string.h>

#define FINE_ATOMIC (CL_MEM_READ_WRITE | CL_MEM_SVM_FINE_GRAIN_BUFFER | CL_MEM_SVM_ATOMICS)

/* llvmpipe caps a work-item's loop iterations near 65535: the wait is unrolled. */
static const char *source =
	"#define ATOMIC(p) ((global atomic_int *)(p))\n"
	"#define LOAD a = atomic_load_explicit(ATOMIC(answer), memory_order_acquire, \\\n"
	"					  memory_scope_all_svm_devices)\n"
	"#define LOAD8 LOAD; LOAD; LOAD; LOAD; LOAD; LOAD; LOAD; LOAD\n"
	"#define LOAD64 LOAD8; LOAD8; LOAD8; LOAD8; LOAD8; LOAD8; LOAD8; LOAD8\n"
	"kernel void handoff(global int *data, global int *flag, global int *answer,\n"
	"		     global int *payload, global long *out)\n"
	"{\n"
	"	data[0] = 42;\n"
	"	atomic_store_explicit(ATOMIC(flag), 1, memory_order_release,\n"
	"			      memory_scope_all_svm_devices);\n"
	"	long spins = 0;\n"
	"	int a = 0;\n"
	"	for (int i = 0; i < 60000 && a != 1234; i++, spins++) {\n"
	"		LOAD64; LOAD64; LOAD64; LOAD64; LOAD64; LOAD64; LOAD64; LOAD64;\n"
	"	}\n"
	"	out[0] = a;\n"
	"	out[1] = payload[0];\n"
	"	out[2] = spins;\n"
	"}\n";

static void release_flag_seen_by_host_while_kernel_waits_for_its_answer(struct cltest_env *env)
{
	cl_kernel k = cltest_kernel(env, source, "handoff", "-cl-std=CL2.0");
	char *mem = clSVMAlloc(env->context, FINE_ATOMIC, 4096, 0);
	int *data = (int *)mem;
	atomic_int *flag = (atomic_int *)(mem + 64);
	atomic_int *answer = (atomic_int *)(mem + 128);
	int *payload = (int *)(mem + 192);
	cl_long *out = (cl_long *)(mem + 256);
	cl_int status = CL_COMPLETE;
	size_t one = 1;
	cl_event ev;

	CHECK(k && mem);
	memset(mem, 0, 4096);
	CHECK_OK(clSetKernelArgSVMPointer(k, 0, data));
	CHECK_OK(clSetKernelArgSVMPointer(k, 1, flag));
	CHECK_OK(clSetKernelArgSVMPointer(k, 2, answer));
	CHECK_OK(clSetKernelArgSVMPointer(k, 3, payload));
	CHECK_OK(clSetKernelArgSVMPointer(k, 4, out));
	CHECK_OK(clEnqueueNDRangeKernel(env->queue, k, 1, NULL, &one, NULL, 0, NULL, &ev));
	clFlush(env->queue);
	double deadline = cltest_now() + 60;

	while (!atomic_load_explicit(flag, memory_order_acquire) && cltest_now() < deadline)
		;
	bool flagged = atomic_load_explicit(flag, memory_order_acquire) == 1;
	int seen = data[0];	/* ordered after the flag by release/acquire */

	clGetEventInfo(ev, CL_EVENT_COMMAND_EXECUTION_STATUS, sizeof(status), &status, NULL);
	payload[0] = 777;
	atomic_store_explicit(answer, 1234, memory_order_release);
	CHECK_OK(clWaitForEvents(1, &ev));
	clReleaseEvent(ev);
	long got_answer = out[0], got_payload = out[1];
	cl_long spins = out[2];

	printf("  flag %d data %d status-at-flag %d answer %ld payload %ld spins %lld\n", flagged,
	       seen, status, got_answer, got_payload, (long long)spins);
	clSVMFree(env->context, mem);
	clReleaseKernel(k);
	CHECK(flagged);
	CHECK(seen == 42);
	CHECK(status != CL_COMPLETE);	/* the kernel was still running */
	CHECK(got_answer == 1234 && got_payload == 777);
	printf("  kernel waited %lld x 512 acquire loads for the host's answer\n",
	       (long long)spins);
}

static const struct cltest_case cases[] = {
	CLTEST_CASE(release_flag_seen_by_host_while_kernel_waits_for_its_answer),
};

int main(int argc, char **argv)
{
	return cltest_main(argc, argv, "rusticl", cases, sizeof(cases) / sizeof(cases[0]));
}
