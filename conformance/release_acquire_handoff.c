/*
 * Release/acquire hand-off between a running kernel and the host on
 * fine-grain SVM: the kernel publishes data with a release store, the host
 * sees it while the kernel still runs and answers with a value the kernel
 * waits for with acquire loads.  The host writes its answer only after it
 * has seen the flag, so a kernel that reads the answer was running then.
 */
#include "cltest.h"

#include <stdatomic.h>
#include <string.h>

#define FINE_ATOMIC (CL_MEM_READ_WRITE | CL_MEM_SVM_FINE_GRAIN_BUFFER | CL_MEM_SVM_ATOMICS)

/*
 * llvmpipe ends any work-item loop after about 65535 iterations, and the
 * compiler may merge back-to-back acquire loads of one location (legal: they
 * may all read the same value).  Each wait iteration therefore does one
 * acquire load plus 256 relaxed increments of a private slot, which cannot
 * be merged: the kernel waits up to about a quarter of a second.
 */
static const char *source =
	"#define ATOMIC(p) ((global atomic_int *)(p))\n"
	"#define BURN atomic_fetch_add_explicit(ATOMIC(burn), 1, memory_order_relaxed, \\\n"
	"					memory_scope_device)\n"
	"#define BURN8 BURN; BURN; BURN; BURN; BURN; BURN; BURN; BURN\n"
	"#define BURN64 BURN8; BURN8; BURN8; BURN8; BURN8; BURN8; BURN8; BURN8\n"
	"kernel void handoff(global int *data, global int *flag, global int *answer,\n"
	"		     global int *payload, global long *out, global int *burn)\n"
	"{\n"
	"	data[0] = 42;\n"
	"	atomic_store_explicit(ATOMIC(flag), 1, memory_order_release,\n"
	"			      memory_scope_all_svm_devices);\n"
	"	long spins = 0;\n"
	"	int a = 0;\n"
	"	for (int i = 0; i < 60000; i++, spins++) {\n"
	"		a = atomic_load_explicit(ATOMIC(answer), memory_order_acquire,\n"
	"					 memory_scope_all_svm_devices);\n"
	"		if (a == 1234)\n"
	"			break;\n"
	"		BURN64; BURN64; BURN64; BURN64;\n"
	"	}\n"
	"	out[0] = a;\n"
	"	out[1] = payload[0];\n"
	"	out[2] = spins;\n"
	"}\n";

enum { ROUNDS = 50 };

/* One hand-off; *spins is the kernel's wait iterations, or -1 when it failed. */
static void handoff_once(struct cltest_env *env, cl_kernel k, char *mem, long *spins)
{
	int *data = (int *)mem;
	atomic_int *flag = (atomic_int *)(mem + 64);
	atomic_int *answer = (atomic_int *)(mem + 128);
	int *payload = (int *)(mem + 192);
	cl_long *out = (cl_long *)(mem + 256);
	int *burn = (int *)(mem + 2048);
	size_t one = 1;
	cl_event ev;

	*spins = -1;
	memset(mem, 0, 4096);
	CHECK_OK(clSetKernelArgSVMPointer(k, 0, data));
	CHECK_OK(clSetKernelArgSVMPointer(k, 1, flag));
	CHECK_OK(clSetKernelArgSVMPointer(k, 2, answer));
	CHECK_OK(clSetKernelArgSVMPointer(k, 3, payload));
	CHECK_OK(clSetKernelArgSVMPointer(k, 4, out));
	CHECK_OK(clSetKernelArgSVMPointer(k, 5, burn));
	CHECK_OK(clEnqueueNDRangeKernel(env->queue, k, 1, NULL, &one, NULL, 0, NULL, &ev));
	CHECK_OK(clFlush(env->queue));
	double deadline = cltest_now() + 60;

	while (!atomic_load_explicit(flag, memory_order_acquire) && cltest_now() < deadline)
		;
	bool flagged = atomic_load_explicit(flag, memory_order_acquire) == 1;
	int seen = data[0];	/* ordered after the flag by release/acquire */

	payload[0] = 777;
	atomic_store_explicit(answer, 1234, memory_order_release);
	CHECK_OK(clWaitForEvents(1, &ev));
	clReleaseEvent(ev);
	cl_long got_answer = out[0], got_payload = out[1], waited = out[2];

	if (flagged && seen == 42 && got_answer == 1234 && got_payload == 777) {
		*spins = (long)waited;
		return;
	}
	printf("  flag %d data %d answer %lld payload %lld spins %lld\n", flagged, seen,
	       (long long)got_answer, (long long)got_payload, (long long)waited);
}

CLTEST(release_flag_seen_by_host_while_kernel_waits_for_its_answer)
{
	cl_kernel k = cltest_kernel(env, source, "handoff", "-cl-std=CL2.0");
	char *mem = cltest_svm_alloc(env, FINE_ATOMIC, 4096, 0);
	long most = 0;
	int ok = 0;

	CHECK(k && mem);
	if (!k || !mem)
		return;
	for (int round = 0; round < ROUNDS; round++) {
		long spins;

		handoff_once(env, k, mem, &spins);

		ok += spins >= 0;
		most = spins > most ? spins : most;
	}
	printf("  %d/%d hand-offs; the longest kernel wait was %ld iterations of 60000\n", ok,
	       ROUNDS, most);
	CHECK(ok == ROUNDS);
}

int main(int argc, char **argv)
{
	return cltest_run(argc, argv, "rusticl");
}
