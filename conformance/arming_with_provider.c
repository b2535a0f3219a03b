/*
 * Arming through the OpenCL API with an exclusive-access provider present:
 * clEnqueueNDRangeKernel and clEnqueueTask arm the SVM_ATOMICS allocations
 * a kernel can reach before it runs, clEnqueueSVMMigrateMem arms toward the
 * device and gives back toward the host, and every page the CPU takes back
 * is counted, exactly, in clGetSVMArmStatsSVMX.
 *
 * It needs a provider, so it runs in the kernel harness's guest against
 * /dev/svmx (kernel-uapi/CMakeLists.txt), never on the host.
 *
 *   arming_with_provider always|auto [case]
 *
 * The first argument is the SVMX_ARM setting the cases are written for; the
 * program sets it before the layer loads.  llvmpipe is coherent with the
 * host, so "always" is what makes it armed at all, and "auto" checks that it
 * then gets nothing even with a provider present.  Before each allocation is
 * freed its numbers are printed as "query: alloc ..." lines in the format of
 * SVMX_STATS=1, for arming_with_provider.sh to compare with the layer's own.
 */
#define CL_USE_DEPRECATED_OPENCL_1_1_APIS
#define CL_USE_DEPRECATED_OPENCL_1_2_APIS /* clEnqueueTask */
#include "cltest.h"

#include <inttypes.h>
#include <string.h>
#include <unistd.h>
#include <svmx/svmx_ext.h>

#define FINE (CL_MEM_READ_WRITE | CL_MEM_SVM_FINE_GRAIN_BUFFER)
#define FINE_ATOMIC (FINE | CL_MEM_SVM_ATOMICS)
#define PAGE 4096

static cl_int query(struct cltest_env *env, const void *p, struct cl_svm_arm_stats_svmx *st)
{
	clGetSVMArmStatsSVMX_fn get = (clGetSVMArmStatsSVMX_fn)
		clGetExtensionFunctionAddressForPlatform(env->platform,
							 CL_SVMX_ARM_STATS_FUNCTION_NAME);

	return get ? get(env->context, p, st) : CL_INVALID_OPERATION;
}

/* The statistics of p's allocation; all ones (failing every check) if none. */
static struct cl_svm_arm_stats_svmx stats_of(struct cltest_env *env, const void *p)
{
	struct cl_svm_arm_stats_svmx st;

	memset(&st, 0xff, sizeof(st));
	if (query(env, p, &st) != CL_SUCCESS) {
		fprintf(stderr, "no arming statistics for %p\n", p);
		memset(&st, 0xff, sizeof(st));
	}
	return st;
}

static uint64_t revoked_total(const struct cl_svm_arm_stats_svmx *st)
{
	uint64_t n = 0;

	for (int r = 0; r < SVMX_STATS_REASONS; r++)
		n += st->revoked[r];
	return n;
}

/* The query's numbers in SVMX_STATS=1's format, then free. */
static void report_and_free(struct cltest_env *env, void *p)
{
	static const char *const names[] = { "cpu", "fork", "mprotect", "munmap",
					     "owner", "exit", "other" };
	struct cl_svm_arm_stats_svmx st = stats_of(env, p);

	printf("query: alloc %#" PRIxPTR " bytes %" PRIu64 " arms %" PRIu64 " revoked",
	       (uintptr_t)p, (uint64_t)st.bytes, (uint64_t)st.arms);
	for (int r = SVMX_REASON_CPU; r < SVMX_REASON_OVERFLOW; r++)
		printf(" %s=%" PRIu64, names[r - SVMX_REASON_CPU], (uint64_t)st.revoked[r]);
	printf(" rearms %" PRIu64 " freed\n", (uint64_t)st.rearms);
	clSVMFree(env->context, p);
}

/* Each work-item adds 1 to a[gid % na] and to (*via)[gid % nb]. */
static const char *source =
	"kernel void count(global atomic_int *a, uint na, global atomic_int *global *via,\n"
	"		   uint nb)\n"
	"{\n"
	"	size_t i = get_global_id(0);\n"
	"	atomic_fetch_add_explicit(a + i % na, 1, memory_order_relaxed,\n"
	"				  memory_scope_all_svm_devices);\n"
	"	if (nb)\n"
	"		atomic_fetch_add_explicit(*via + i % nb, 1, memory_order_relaxed,\n"
	"					  memory_scope_all_svm_devices);\n"
	"}\n";

static cl_int set_count_args(cl_kernel k, int *a, cl_uint na, void *via, cl_uint nb)
{
	cl_int err = clSetKernelArgSVMPointer(k, 0, a);

	if (!err)
		err = clSetKernelArg(k, 1, sizeof(na), &na);
	if (!err)
		err = clSetKernelArgSVMPointer(k, 2, via);
	if (!err)
		err = clSetKernelArg(k, 3, sizeof(nb), &nb);
	return err;
}

/* How many of the n counters at c are not want; the first is printed. */
static size_t wrong_counts(const char *name, const int *c, size_t n, size_t want)
{
	size_t wrong = 0;

	for (size_t i = 0; i < n; i++) {
		if (c[i] != (int)want && !wrong++)
			fprintf(stderr, "%s[%zu] is %d, want %zu\n", name, i, c[i], want);
	}
	if (wrong)
		fprintf(stderr, "%s: %zu of %zu counters wrong\n", name, wrong, n);
	return wrong;
}

static bool provider_present(void)
{
	return access("/dev/svmx", R_OK | W_OK) == 0;
}

/* While the kernel of the next case waits for its gate. */
static void ndrange_held(struct cltest_env *env, int *a, size_t abytes, int *b, int *c,
			 void *plain)
{
	struct cl_svm_arm_stats_svmx sa = stats_of(env, a);
	struct cl_svm_arm_stats_svmx sb = stats_of(env, (char *)b + PAGE);
	struct cl_svm_arm_stats_svmx sc = stats_of(env, c), unused;
	int seen;

	CHECK(sa.bytes == abytes && sa.arms == 1 && sa.armed == 1 && revoked_total(&sa) == 0);
	CHECK(sb.bytes == 2 * PAGE && sb.arms == 1 && sb.armed == 1 && revoked_total(&sb) == 0);
	CHECK(sc.arms == 0 && sc.armed == 0);
	/* Not SVM_ATOMICS: not armed, not counted. */
	CHECK_ERR(query(env, plain, &unused), CL_INVALID_VALUE);

	/* The host reads one page while the kernel waits: that page comes back. */
	seen = ((volatile int *)a)[1024 + 5];
	CHECK(seen == 0);
	sa = stats_of(env, a);
	CHECK(sa.arms == 1 && sa.armed == 0 && sa.revoked[SVMX_REASON_CPU] == 1);
	CHECK(revoked_total(&sa) == 1);
}

/*
 * a is an argument, b is reached only through a pointer in plain (not
 * atomic) and named by exec-info, c is reachable by nothing.  A user event
 * holds the kernel back, so what is armed was armed at enqueue.
 */
CLTEST_IN("always", ndrange_arms_what_the_kernel_reaches_before_it_runs)
{
	cl_kernel k = cltest_kernel(env, source, "count", "-cl-std=CL2.0");
	size_t abytes = 3 * PAGE + 100, n = 3 * 1024 * 8;
	cl_uint na = 3 * 1024, nb = 1024;
	int *a = clSVMAlloc(env->context, FINE_ATOMIC, abytes, 0);
	int *b = clSVMAlloc(env->context, FINE_ATOMIC, 2 * PAGE, 0);
	int *c = clSVMAlloc(env->context, FINE_ATOMIC, PAGE, 0);
	int **plain = clSVMAlloc(env->context, FINE, PAGE, 0);
	struct cl_svm_arm_stats_svmx sa, sb, sc;
	cl_event gate = NULL;
	cl_int err;

	CHECK(provider_present());
	CHECK(k && a && b && c && plain);
	memset(a, 0, abytes);
	memset(b, 0, 2 * PAGE);
	memset(c, 0, PAGE);
	*plain = b;
	gate = clCreateUserEvent(env->context, &err);
	CHECK_OK(err);
	CHECK_OK(set_count_args(k, a, na, plain, nb));
	CHECK_OK(clSetKernelExecInfo(k, CL_KERNEL_EXEC_INFO_SVM_PTRS, sizeof(b), &b));
	CHECK_OK(clEnqueueNDRangeKernel(env->queue, k, 1, NULL, &n, NULL, 1, &gate, NULL));
	err = clFlush(env->queue);
	if (err == CL_SUCCESS)
		ndrange_held(env, a, abytes, b, c, plain);
	/* Always: a queue left waiting would hang the rest of the program. */
	clSetUserEventStatus(gate, CL_COMPLETE);
	clReleaseEvent(gate);
	CHECK_OK(err);
	if (cltest_failed)
		return;
	CHECK_OK(clFinish(env->queue));
	CHECK(wrong_counts("a", a, na, n / na) == 0);
	CHECK(wrong_counts("b", b, nb, n / nb) == 0);
	/* llvmpipe's threads are CPU touches: pages 0 and 2 of a, page 0 of b. */
	sa = stats_of(env, a);
	sb = stats_of(env, b);
	sc = stats_of(env, c);
	CHECK(sa.revoked[SVMX_REASON_CPU] == 3 && revoked_total(&sa) == 3 && sa.rearms == 0);
	CHECK(sb.revoked[SVMX_REASON_CPU] == 1 && revoked_total(&sb) == 1);
	CHECK(sc.arms == 0 && revoked_total(&sc) == 0);
	report_and_free(env, a);
	report_and_free(env, b);
	report_and_free(env, c);
	clSVMFree(env->context, plain);
}

/* Revoked pages are armed again by the next launch, and counted as re-arms. */
CLTEST_IN("always", next_launch_rearms_revoked_pages)
{
	cl_kernel k = cltest_kernel(env, source, "count", "-cl-std=CL2.0");
	size_t n = 2048;
	cl_uint na = 2048;
	int *a = clSVMAlloc(env->context, FINE_ATOMIC, 4 * PAGE, 0);
	struct cl_svm_arm_stats_svmx st;

	CHECK(provider_present());
	CHECK(k && a);
	memset(a, 0, 4 * PAGE);
	CHECK_OK(set_count_args(k, a, na, NULL, 0));
	for (int launch = 1; launch <= 3; launch++) {
		CHECK_OK(clEnqueueNDRangeKernel(env->queue, k, 1, NULL, &n, NULL, 0, NULL, NULL));
		CHECK_OK(clFinish(env->queue));
		st = stats_of(env, a);
		/* Pages 0 and 1 are touched by each run, 2 and 3 stay armed. */
		CHECK(st.arms == (cl_ulong)launch && st.armed == 0);
		CHECK(st.revoked[SVMX_REASON_CPU] == 2 * (cl_ulong)launch);
		CHECK(st.rearms == 2 * (cl_ulong)(launch - 1));
	}
	for (int i = 0; i < 2048; i++)
		CHECK(a[i] == 3);
	report_and_free(env, a);
}

CLTEST_IN("always", task_arms_like_ndrange)
{
	cl_kernel k = cltest_kernel(env, source, "count", "-cl-std=CL2.0");
	cl_uint na = 1;
	int *a = clSVMAlloc(env->context, FINE_ATOMIC, PAGE, 0);
	struct cl_svm_arm_stats_svmx st;
	cl_event gate;
	cl_int err;

	CHECK(provider_present());
	CHECK(k && a);
	*a = 41;
	gate = clCreateUserEvent(env->context, &err);
	CHECK_OK(err);
	CHECK_OK(set_count_args(k, a, na, NULL, 0));
	CHECK_OK(clEnqueueTask(env->queue, k, 1, &gate, NULL));
	st = stats_of(env, a);
	clSetUserEventStatus(gate, CL_COMPLETE);
	clReleaseEvent(gate);
	CHECK(st.arms == 1 && st.armed == 1 && revoked_total(&st) == 0);
	CHECK_OK(clFinish(env->queue));
	CHECK(*a == 42);
	st = stats_of(env, a);
	CHECK(st.revoked[SVMX_REASON_CPU] == 1);
	report_and_free(env, a);
}

/*
 * Toward the device arms what is named (rounded out to pages), toward the
 * host gives it back: later CPU touches of given-back pages revoke nothing.
 */
CLTEST_IN("always", migrate_to_device_arms_and_to_host_gives_back)
{
	size_t bytes = 4 * PAGE, part = PAGE + 8;
	char *m = clSVMAlloc(env->context, FINE_ATOMIC, bytes, 0);
	const void *ptr;
	struct cl_svm_arm_stats_svmx st;

	CHECK(provider_present());
	CHECK(m);
	memset(m, 1, bytes);
	/* Bytes PAGE+100 .. 2*PAGE+108: pages 1 and 2. */
	ptr = m + PAGE + 100;
	CHECK_OK(clEnqueueSVMMigrateMem(env->queue, 1, &ptr, &part, 0, 0, NULL, NULL));
	CHECK_OK(clFinish(env->queue));
	st = stats_of(env, m);
	CHECK(st.arms == 1 && st.armed == 0 && revoked_total(&st) == 0);
	m[0] = 2;		/* page 0: never armed */
	m[3 * PAGE] = 2;	/* page 3: never armed */
	st = stats_of(env, m);
	CHECK(revoked_total(&st) == 0);
	m[2 * PAGE + 7] = 2;	/* page 2: armed */
	st = stats_of(env, m);
	CHECK(st.revoked[SVMX_REASON_CPU] == 1 && revoked_total(&st) == 1);

	/* The whole allocation (size 0), then back to the host. */
	ptr = m;
	CHECK_OK(clEnqueueSVMMigrateMem(env->queue, 1, &ptr, NULL, 0, 0, NULL, NULL));
	st = stats_of(env, m);
	CHECK(st.arms == 2 && st.armed == 1 && st.rearms == 1);
	CHECK_OK(clEnqueueSVMMigrateMem(env->queue, 1, &ptr, NULL, CL_MIGRATE_MEM_OBJECT_HOST, 0,
					NULL, NULL));
	CHECK_OK(clFinish(env->queue));
	st = stats_of(env, m);
	CHECK(st.arms == 2 && st.armed == 0);
	for (size_t i = 0; i < bytes; i += PAGE)
		m[i + 1] = 3;
	st = stats_of(env, m);
	CHECK(revoked_total(&st) == 1);
	CHECK(m[0] == 2 && m[1] == 3 && m[2 * PAGE + 7] == 2 && m[PAGE + 100] == 1);
	report_and_free(env, m);
}

/* Freeing an armed allocation gives its pages back without a revocation. */
CLTEST_IN("always", free_gives_armed_pages_back)
{
	char *m = clSVMAlloc(env->context, FINE_ATOMIC, 2 * PAGE, 0);
	const void *ptr = m;
	struct cl_svm_arm_stats_svmx st;

	CHECK(provider_present());
	CHECK(m);
	memset(m, 0, 2 * PAGE);
	CHECK_OK(clEnqueueSVMMigrateMem(env->queue, 1, &ptr, NULL, 0, 0, NULL, NULL));
	st = stats_of(env, m);
	CHECK(st.arms == 1 && st.armed == 1);
	report_and_free(env, m);
}

/* auto: llvmpipe is coherent with the host, so nothing is armed. */
CLTEST_IN("auto", coherent_device_gets_no_arming_with_a_provider)
{
	cl_kernel k = cltest_kernel(env, source, "count", "-cl-std=CL2.0");
	size_t n = 4096;
	cl_uint na = 1024;
	int *a = clSVMAlloc(env->context, FINE_ATOMIC, 2 * PAGE, 0);
	const void *ptr = a;
	struct cl_svm_arm_stats_svmx st;

	CHECK(provider_present());
	CHECK(k && a);
	memset(a, 0, 2 * PAGE);
	CHECK_OK(set_count_args(k, a, na, NULL, 0));
	CHECK_OK(clEnqueueNDRangeKernel(env->queue, k, 1, NULL, &n, NULL, 0, NULL, NULL));
	CHECK_OK(clEnqueueTask(env->queue, k, 0, NULL, NULL));
	CHECK_OK(clEnqueueSVMMigrateMem(env->queue, 1, &ptr, NULL, 0, 0, NULL, NULL));
	CHECK_OK(clFinish(env->queue));
	CHECK(a[0] == 5 && a[1023] == 4);
	st = stats_of(env, a);
	CHECK(st.bytes == 2 * PAGE && st.arms == 0 && st.armed == 0);
	CHECK(revoked_total(&st) == 0);
	report_and_free(env, a);
}

int main(int argc, char **argv)
{
	if (argc < 2 || (strcmp(argv[1], "always") && strcmp(argv[1], "auto"))) {
		fprintf(stderr, "usage: %s always|auto [case]\n", argv[0]);
		return 2;
	}
	/* Read by the layer when the loader first loads it, which is after this. */
	setenv("SVMX_ARM", argv[1], 1);
	/* The cases of each setting are the suite of that name. */
	return cltest_run_suite(argc - 1, argv + 1, "rusticl", argv[1]);
}
