/*
 * The conformance harness tested by itself (ctest cltest_selftest): a case
 * that is defined runs without being named anywhere else, a run naming no
 * case fails, and a case whose CHECK fails half-way through leaves nothing
 * of its own to the next case, as the driver's reference count of its
 * context and svmx's record of its SVM allocation show.
 */
#include "cltest.h"

#include <svmx/svmx_ext.h>

#include <string.h>

static const char *source = "kernel void k(global int *p) { p[0] = 1; }\n";

static int failures;

static void expect(bool ok, const char *what)
{
	printf("%s selftest: %s\n", ok ? "ok" : "NOT OK", what);
	fflush(stdout);
	failures += !ok;
}

/* ---- defined cases run ---- */

static unsigned defined_ran;

CLTEST_IN("defined", first_case_runs_though_named_nowhere_else)
{
	(void)env;
	defined_ran |= 1;
}

CLTEST_IN("defined", second_case_runs_after_the_first)
{
	(void)env;
	CHECK(defined_ran == 1);
	defined_ran |= 2;
}

/* ---- a failed case leaves nothing behind ---- */

static struct {
	cl_platform_id platform;
	cl_context context;	/* the failed case's, kept by the self-test only */
	cl_uint refs_at_start, refs_holding;
	cl_int stats_while_held;
	void *svm;
	struct cltest_mark mark;
	bool got_past_the_failure, next_case_saw_nothing_left;
} seen;

static cl_uint context_refs(cl_context c)
{
	cl_uint refs = 0;

	clGetContextInfo(c, CL_CONTEXT_REFERENCE_COUNT, sizeof(refs), &refs, NULL);
	return refs;
}

static cl_int arm_stats(const void *p)
{
	clGetSVMArmStatsSVMX_fn get = (clGetSVMArmStatsSVMX_fn)
		clGetExtensionFunctionAddressForPlatform(seen.platform,
							 CL_SVMX_ARM_STATS_FUNCTION_NAME);
	cl_svm_arm_stats_svmx st;

	return get ? get(seen.context, p, &st) : CL_INVALID_OPERATION;
}

CLTEST_IN("failing", fails_half_way_holding_one_of_everything)
{
	cl_int err;
	cl_event pending;

	seen.platform = env->platform;
	seen.context = env->context;
	clRetainContext(seen.context);
	seen.refs_at_start = context_refs(env->context);
	CHECK(cltest_build(env, source, NULL) != NULL);
	CHECK(cltest_kernel(env, source, "k", NULL) != NULL);
	seen.svm = cltest_svm_alloc(env, CL_MEM_SVM_FINE_GRAIN_BUFFER | CL_MEM_SVM_ATOMICS, 4096, 0);
	CHECK(seen.svm != NULL);
	cltest_mark(&seen.mark, seen.svm);
	seen.stats_while_held = arm_stats(seen.svm);
	CHECK(cltest_keep(clCreateBuffer(env->context, CL_MEM_READ_WRITE, 64, NULL, &err)));
	CHECK(cltest_keep(clCreateCommandQueueWithProperties(env->context, env->device, NULL,
							     &err)));
	pending = cltest_keep(clCreateUserEvent(env->context, &err));
	CHECK(pending != NULL);
	/* Would wait for ever if the harness left the user event pending. */
	CHECK_OK(clEnqueueMarkerWithWaitList(env->queue, 1, &pending, NULL));
	seen.refs_holding = context_refs(env->context);
	CHECK(!"the failure this case is about");
	seen.got_past_the_failure = true;
}

CLTEST_IN("failing", next_case_sees_nothing_of_the_failed_one)
{
	(void)env;
	CHECK(seen.context != NULL);
	CHECK(context_refs(seen.context) == 1);
	CHECK(arm_stats(seen.svm) == CL_INVALID_VALUE);
	CHECK(cltest_unmarked(&seen.mark));
	seen.next_case_saw_nothing_left = true;
}

int main(int argc, char **argv)
{
	char *list[] = { argv[0], "--list", NULL };
	char *no_such[] = { argv[0], "no_such_case", NULL };

	(void)argc;
	expect(cltest_run_suite(1, argv, "rusticl", "defined") == 0 && defined_ran == 3,
	       "both cases of a suite ran, in the order defined, with nothing naming them");
	expect(cltest_run_suite(2, list, "rusticl", "defined") == 0,
	       "--list names the cases and runs none");
	expect(cltest_run_suite(2, no_such, "rusticl", "defined") == 1,
	       "a run naming no case fails");
	expect(cltest_run_suite(1, argv, "rusticl", "failing") == 1,
	       "a run with a failed case fails");
	expect(!seen.got_past_the_failure, "a failed CHECK returns from the case");
	expect(seen.refs_holding > seen.refs_at_start,
	       "what the case held referenced its context");
	expect(seen.stats_while_held == CL_SUCCESS, "svmx had a record of the held allocation");
	expect(seen.next_case_saw_nothing_left,
	       "after the failed case its context had only the self-test's reference, and svmx "
	       "had no record of its allocation");
	if (seen.context)
		clReleaseContext(seen.context);
	printf("selftest: %s\n", failures ? "FAIL" : "PASS");
	return failures ? 1 : 0;
}
