/*
 * Sequential consistency between a running kernel and a host thread, by the
 * store-buffering litmus test: each side stores 1 to its own word, then
 * loads the other's.  Under seq_cst (seq_cst stores and loads, or relaxed
 * ones around seq_cst fences) at least one side must see the other's 1;
 * both reading 0 is forbidden.  Kernel and host meet at every round, and the
 * host waits a random few hundred cycles so the two stores land close
 * together.
 *
 * The same litmus with relaxed accesses and no fences (the control) runs
 * first, until this machine has reordered a store with a later load
 * CONTROL_FORBIDDEN times; the litmus under test then runs at least as many
 * rounds.  Had seq_cst done nothing, it would see none in those rounds with
 * a chance of about e^-8.  A machine that does not reorder that often
 * within MAX_ROUNDS or CONTROL_SECONDS, or where the litmus under test gets
 * fewer rounds than that in LITMUS_SECONDS with nothing forbidden, ends the
 * test as skipped, saying so: a pass there would prove nothing.  A forbidden
 * outcome fails it whatever the count.
 */
#include "cltest.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define FINE_ATOMIC (CL_MEM_READ_WRITE | CL_MEM_SVM_FINE_GRAIN_BUFFER | CL_MEM_SVM_ATOMICS)

/* llvmpipe ends a work-item's loops after ~65535 iterations in all. */
enum { ROUNDS = 300, SPIN_BUDGET = 60000 };

/*
 * Rounds to count, from as many kernel runs as it takes: a host thread that
 * loses its core leaves the kernel spinning its budget away, ending a run.
 * How often the control reorders differs per driver and machine (about 1 in
 * 3600 rounds on rusticl 25 on a quiet machine, 1 in 170 on 22.3), hence a
 * count of reorderings, not of rounds.
 */
enum { MIN_ROUNDS = 3600, CONTROL_FORBIDDEN = 8, MAX_ROUNDS = 400000 };
enum { CONTROL_SECONDS = 240, LITMUS_SECONDS = 400, SKIPPED = 77 };	/* ctest's SKIP_RETURN_CODE */
/* Runs in a row in which host and kernel never met: the kernel is not running. */
enum { MAX_STALLED_RUNS = 20 };

/*
 * STORE(p) and LOAD(p) are the litmus accesses, FENCE what sits between.
 * go/ready: the round both sides are in.  r1[r]: what the kernel loaded;
 * done[r]: the kernel finished round r.
 */
static const char *source =
	"#define A(p) ((global atomic_int *)(p))\n"
	"kernel void sb(global int *ready, global int *go, global int *x, global int *y,\n"
	"		global int *r1, global int *done)\n"
	"{\n"
	"	int spins = 0;\n"
	"	for (int r = 1; r <= ROUNDS; r++) {\n"
	"		atomic_store_explicit(A(ready), r, memory_order_relaxed,\n"
	"				      memory_scope_all_svm_devices);\n"
	"		while (atomic_load_explicit(A(go), memory_order_relaxed,\n"
	"					    memory_scope_all_svm_devices) != r)\n"
	"			if (++spins >= SPIN_BUDGET)\n"
	"				return;\n"
	"		STORE(x + r);\n"
	"		FENCE;\n"
	"		r1[r] = LOAD(y + r);\n"
	"		done[r] = 1;\n"
	"	}\n"
	"}\n";

struct litmus {
	const char *name;
	const char *defines;	/* STORE, LOAD, FENCE for the kernel */
	memory_order host_order;	/* of the host's store and load */
	bool host_fence;
};

static const struct litmus seq_cst_accesses = {
	"seq_cst stores and loads",
	"-DSTORE(p)=atomic_store_explicit(A(p),1,memory_order_seq_cst,"
	"memory_scope_all_svm_devices) -DFENCE=(void)0 "
	"-DLOAD(p)=atomic_load_explicit(A(p),memory_order_seq_cst,"
	"memory_scope_all_svm_devices)",
	memory_order_seq_cst, false,
};

static const struct litmus seq_cst_fences = {
	"relaxed accesses around seq_cst all-devices fences",
	"-DSTORE(p)=atomic_store_explicit(A(p),1,memory_order_relaxed,"
	"memory_scope_all_svm_devices) "
	"-DFENCE=atomic_work_item_fence(CLK_GLOBAL_MEM_FENCE,memory_order_seq_cst,"
	"memory_scope_all_svm_devices) "
	"-DLOAD(p)=atomic_load_explicit(A(p),memory_order_relaxed,"
	"memory_scope_all_svm_devices)",
	memory_order_relaxed, true,
};

static const struct litmus unordered = {
	"relaxed accesses, no fences (control)",
	"-DSTORE(p)=atomic_store_explicit(A(p),1,memory_order_relaxed,"
	"memory_scope_all_svm_devices) -DFENCE=(void)0 "
	"-DLOAD(p)=atomic_load_explicit(A(p),memory_order_relaxed,"
	"memory_scope_all_svm_devices)",
	memory_order_relaxed, false,
};

struct tally {
	int rounds;	/* rounds both sides completed */
	int forbidden;	/* of those, rounds where both loaded 0 */
};

static void run_once(struct cltest_env *env, cl_kernel k, const struct litmus *l, int *mem,
		     int max_delay, struct tally *t)
{
	const size_t words = 1024;
	atomic_int *ready = (atomic_int *)mem, *go = (atomic_int *)(mem + 16);
	atomic_int *x = (atomic_int *)(mem + words), *y = (atomic_int *)(mem + 2 * words);
	int *r1 = mem + 3 * words, *done = mem + 4 * words;
	int r2[ROUNDS + 1];
	size_t one = 1;
	cl_event ev;
	int r;

	memset(mem, 0, 5 * words * sizeof(int));
	CHECK_OK(clSetKernelArgSVMPointer(k, 0, ready));
	CHECK_OK(clSetKernelArgSVMPointer(k, 1, go));
	CHECK_OK(clSetKernelArgSVMPointer(k, 2, x));
	CHECK_OK(clSetKernelArgSVMPointer(k, 3, y));
	CHECK_OK(clSetKernelArgSVMPointer(k, 4, r1));
	CHECK_OK(clSetKernelArgSVMPointer(k, 5, done));
	CHECK_OK(clEnqueueNDRangeKernel(env->queue, k, 1, NULL, &one, NULL, 0, NULL, &ev));
	CHECK_OK(clFlush(env->queue));
	for (r = 1; r <= ROUNDS; r++) {
		/* The first round waits for the launch (a compile, on a loaded machine). */
		double deadline = cltest_now() + (r == 1 ? 10 : 1);

		while (atomic_load_explicit(ready, memory_order_relaxed) != r &&
		       cltest_now() < deadline)
			;
		if (atomic_load_explicit(ready, memory_order_relaxed) != r)
			break;	/* the kernel spent its loop budget */
		atomic_store_explicit(go, r, memory_order_relaxed);
		for (volatile int d = rand() % max_delay; d > 0; d--)
			;
		atomic_store_explicit(&y[r], 1, l->host_order);
		if (l->host_fence)
			atomic_thread_fence(memory_order_seq_cst);
		r2[r] = atomic_load_explicit(&x[r], l->host_order);
	}
	CHECK_OK(clWaitForEvents(1, &ev));
	clReleaseEvent(ev);
	for (int i = 1; i < r; i++) {
		if (!done[i])
			break;
		t->rounds++;
		t->forbidden += r1[i] == 0 && r2[i] == 0;
	}
}

/*
 * Runs l until it has done min_rounds and seen want_forbidden, or MAX_ROUNDS,
 * or until the deadline (cltest_now()) passes.
 */
static void run_litmus(struct cltest_env *env, const struct litmus *l, int min_rounds,
		       int want_forbidden, double deadline, struct tally *t)
{
	char options[1024];
	cl_kernel k;
	int *mem = cltest_svm_alloc(env, FINE_ATOMIC, 5 * 4096, 0);

	snprintf(options, sizeof(options), "-cl-std=CL2.0 -DROUNDS=%d -DSPIN_BUDGET=%d %s",
		 ROUNDS, SPIN_BUDGET, l->defines);
	k = cltest_kernel(env, source, "sb", options);
	*t = (struct tally){ 0, 0 };
	if (k && mem) {
		srand(1);
		for (int run = 0, stalled = 0; t->rounds < MAX_ROUNDS; run++) {
			int before = t->rounds;

			if ((t->rounds >= min_rounds && t->forbidden >= want_forbidden) ||
			    cltest_now() > deadline || stalled >= MAX_STALLED_RUNS)
				break;
			run_once(env, k, l, mem, 50 << (run % 4), t);
			stalled = t->rounds == before ? stalled + 1 : 0;
		}
	}
	printf("  %s: %d of %d rounds both sides loaded 0\n", l->name, t->forbidden, t->rounds);
	cltest_release(mem);
	cltest_release(k);
}

/*
 * The control, run once per process: the rounds it took this machine to
 * reorder CONTROL_FORBIDDEN times.  A machine too loaded for the host
 * thread and the kernel to meet often enough (CONTROL_SECONDS) tells
 * nothing: the test then ends as skipped (77), saying so, not passed.
 */
static const struct tally *control(struct cltest_env *env)
{
	static struct tally t;
	static bool ran;

	if (!ran)
		run_litmus(env, &unordered, MIN_ROUNDS, CONTROL_FORBIDDEN,
			   cltest_now() + CONTROL_SECONDS, &t);
	ran = true;
	if (t.forbidden < CONTROL_FORBIDDEN) {
		printf("SKIP: without ordering this machine reordered %d times in %d rounds (want %d in %d s): the litmus cannot tell ordered from unordered here\n",
		       t.forbidden, t.rounds, CONTROL_FORBIDDEN, CONTROL_SECONDS);
		fflush(stdout);
		exit(SKIPPED);
	}
	return &t;
}

/* The litmus l, for as many rounds as the control needed; nothing forbidden. */
static void check_litmus_orders(struct cltest_env *env, const struct litmus *l)
{
	const struct tally *c = control(env);
	struct tally t;

	run_litmus(env, l, c->rounds, 0, cltest_now() + LITMUS_SECONDS, &t);

	CHECK(t.forbidden == 0);
	CHECK(t.rounds > 0);	/* the kernel ran and met the host */
	if (t.rounds < c->rounds) {
		/* Nothing forbidden, but too few rounds to say so with confidence. */
		printf("SKIP: %s: %d rounds in %d s, the control needed %d: too loaded to tell\n",
		       l->name, t.rounds, LITMUS_SECONDS, c->rounds);
		fflush(stdout);
		exit(SKIPPED);
	}
}

CLTEST(seq_cst_stores_and_loads_are_not_reordered_against_the_host)
{
	check_litmus_orders(env, &seq_cst_accesses);
}

CLTEST(seq_cst_all_devices_fences_order_against_the_host)
{
	check_litmus_orders(env, &seq_cst_fences);
}

int main(int argc, char **argv)
{
	return cltest_run(argc, argv, "rusticl");
}
