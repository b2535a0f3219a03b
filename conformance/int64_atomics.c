/*
 * 64-bit atomics (cl_khr_int64_base_atomics, cl_khr_int64_extended_atomics)
 * on SVM: reported exactly where builds have them, every function gives its
 * result, a counter that host threads and a kernel add to ends exact and
 * never goes backwards, and a lock-free stack of SVM pointers that both
 * sides push and pop with 64-bit compare-exchange loses no node.
 */
#include "cltest.h"

#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#define FINE_ATOMIC (CL_MEM_READ_WRITE | CL_MEM_SVM_FINE_GRAIN_BUFFER | CL_MEM_SVM_ATOMICS)

static const char *const extensions[] = {
	"cl_khr_int64_base_atomics", "cl_khr_int64_extended_atomics",
};

static bool listed(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list; (p = strstr(p, name)) != NULL; p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return true;
	return false;
}

/* The device reports ext in CL_DEVICE_EXTENSIONS (NULL: both of them). */
static bool reports(struct cltest_env *env, const char *ext)
{
	char list[8192] = "";

	if (clGetDeviceInfo(env->device, CL_DEVICE_EXTENSIONS, sizeof(list) - 1, list, NULL) !=
	    CL_SUCCESS)
		return false;
	if (ext)
		return listed(list, ext);
	return listed(list, extensions[0]) && listed(list, extensions[1]);
}

static bool reports_versioned(struct cltest_env *env, const char *ext)
{
	cl_name_version list[128];
	const cl_name_version *nv;
	size_t size = 0;

	if (clGetDeviceInfo(env->device, CL_DEVICE_EXTENSIONS_WITH_VERSION, sizeof(list), list,
			    &size) != CL_SUCCESS)
		return false;
	nv = cltest_find_name(list, size / sizeof(list[0]), ext);
	return nv && nv->version == CL_MAKE_VERSION(1, 0, 0);
}

/* --- what is reported is what builds have ---------------------------------- */

static const char *macros_source =
	"kernel void k(global long *out)\n"
	"{\n"
	"	out[0] = 0;\n"
	"#ifdef cl_khr_int64_base_atomics\n"
	"	out[0] |= 1;\n"
	"#endif\n"
	"#ifdef cl_khr_int64_extended_atomics\n"
	"	out[0] |= 2;\n"
	"#endif\n"
	"}\n";

/* What a build with options defines of the two macros (bit 0, bit 1), or -1. */
static long defined_in(struct cltest_env *env, const char *options)
{
	cl_kernel k = cltest_kernel(env, macros_source, "k", options);
	long out[1] = { -1 };
	cl_int err;

	if (!k)
		return -1;
	err = cltest_run_one(env, k, out, sizeof(long));
	cltest_release(k);
	return err == CL_SUCCESS ? out[0] : -1;
}

/* Builds define both macros: the functions must then work (the cases below). */
static bool delivered(struct cltest_env *env)
{
	return defined_in(env, "-cl-std=CL3.0") == 3;
}

/*
 * A reported extension is defined in builds of every OpenCL C version; the
 * string and the versioned list agree; every version defines the same.
 */
CLTEST(extensions_reported_are_defined_in_every_build)
{
	const char *options[] = { "", "-cl-std=CL1.2", "-cl-std=CL2.0", "-cl-std=CL3.0" };
	long reported = (reports(env, extensions[0]) ? 1 : 0) | (reports(env, extensions[1]) ? 2 : 0);
	long first = defined_in(env, options[0]);

	for (size_t i = 0; i < 2; i++)
		CHECK(reports(env, extensions[i]) == reports_versioned(env, extensions[i]));
	CHECK(first >= 0);
	for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++) {
		long defined = defined_in(env, options[i]);

		if (defined != first || (defined & reported) != reported)
			fprintf(stderr, "\"%s\": macros %ld, reported %ld\n", options[i], defined,
				reported);
		CHECK(defined == first);
		CHECK((defined & reported) == reported);
	}
	printf("  reported: %s; defined in builds: %s\n",
	       reported == 3 ? "both" : reported ? "one" : "neither",
	       first == 3 ? "both" : first ? "one" : "neither");
}

/* --- every function gives its result ----------------------------------------- */

/*
 * Every function of the two extensions in OpenCL C 2.0 and 3.0, on global
 * and local objects of each 64-bit atomic type.  Values have both halves set,
 * so a 32-bit operation anywhere gives another result.  out[0] is the object
 * array (global), results follow.
 */
#define FUNCTIONS_BODY(AS)                                                                   \
	"	{\n"                                                                             \
	"		" AS " atomic_long *l = (" AS " atomic_long *)obj;\n"                     \
	"		" AS " atomic_ulong *u = (" AS " atomic_ulong *)(obj + 1);\n"             \
	"		" AS " atomic_intptr_t *ip = (" AS " atomic_intptr_t *)(obj + 2);\n"      \
	"		" AS " atomic_uintptr_t *up = (" AS " atomic_uintptr_t *)(obj + 3);\n"    \
	"		" AS " atomic_size_t *sz = (" AS " atomic_size_t *)(obj + 4);\n"          \
	"		" AS " atomic_ptrdiff_t *pd = (" AS " atomic_ptrdiff_t *)(obj + 5);\n"    \
	"		long e = 0;\n"                                                            \
	"		ulong eu = 0;\n"                                                          \
	"		atomic_init(l, BIG);\n"                                                   \
	"		atomic_init(u, (ulong)NEG);\n"                                            \
	"		R(atomic_load(l));\n"                                                     \
	"		R(atomic_load_explicit(u, memory_order_acquire, memory_scope_device));\n"  \
	"		atomic_store(l, NEG);\n"                                                  \
	"		atomic_store_explicit(ip, BIG, memory_order_release);\n"                  \
	"		atomic_store_explicit(up, (uintptr_t)BIG, memory_order_seq_cst,\n"        \
	"				      memory_scope_all_svm_devices);\n"                       \
	"		R(atomic_load(l));\n"                                                     \
	"		R(atomic_load_explicit(ip, memory_order_seq_cst));\n"                     \
	"		R(atomic_exchange(l, BIG));\n"                                            \
	"		R(atomic_exchange_explicit(up, 7, memory_order_acq_rel,\n"                \
	"					   memory_scope_all_svm_devices));\n"                 \
	"		R(atomic_fetch_add(l, 0x100000001L));\n"                                  \
	"		R(atomic_fetch_sub_explicit(l, 0x200000002L, memory_order_relaxed));\n"   \
	"		R(atomic_fetch_or(u, 0xf0000000fUL));\n"                                  \
	"		R(atomic_fetch_xor_explicit(u, 0xff000000ffUL, memory_order_release,\n"   \
	"					    memory_scope_work_group));\n"                     \
	"		R(atomic_fetch_and(u, 0xffff0000ffff0000UL));\n"                          \
	"		R(atomic_load(u));\n"                                                     \
	"		atomic_store(sz, 0);\n"                                                   \
	"		atomic_store(pd, 0);\n"                                                   \
	"		R(atomic_fetch_min(l, NEG));\n"                                           \
	"		R(atomic_fetch_max_explicit(l, BIG, memory_order_acq_rel,\n"              \
	"					    memory_scope_device));\n"                         \
	"		R(atomic_fetch_min(u, (ulong)NEG));\n"                                    \
	"		R(atomic_fetch_max(sz, (size_t)NEG));\n"                                  \
	"		R(atomic_fetch_min(pd, NEG));\n"                                          \
	"		R(atomic_load(l));\n"                                                     \
	"		R(atomic_load(u));\n"                                                     \
	"		e = NEG;\n"                                                               \
	"		R(atomic_compare_exchange_strong(l, &e, 1));\n"                           \
	"		R(e);\n"                                                                  \
	"		R(atomic_compare_exchange_strong_explicit(l, &e, NEG, memory_order_acq_rel,\n" \
	"			memory_order_acquire, memory_scope_all_svm_devices));\n"           \
	"		R(e);\n"                                                                  \
	"		eu = 7;\n"                                                                \
	"		while (!atomic_compare_exchange_weak(up, &eu, (uintptr_t)BIG))\n"       \
	"			;\n"                                                              \
	"		R(eu);\n"                                                                 \
	"		R(atomic_compare_exchange_weak_explicit(up, &eu, 1, memory_order_seq_cst,\n" \
	"							memory_order_relaxed));\n"                    \
	"		R(eu);\n"                                                                 \
	"		R(atomic_load(up));\n"                                                    \
	"	}\n"

/* What each R() above gives, in order, computed as the kernel does on the host. */
#define BIG 0x123456789abcdef0UL
#define NEG ((uint64_t)-0x0000000200000001L)
#define NRESULTS 27

static void function_results(uint64_t *r)
{
	uint64_t l = BIG, u = NEG, ip, up, sz, pd, e, eu;
	int n = 0;

	r[n++] = l;
	r[n++] = u;
	l = NEG, ip = BIG, up = BIG;
	r[n++] = l;
	r[n++] = ip;
	r[n++] = l, l = BIG;
	r[n++] = up, up = 7;
	r[n++] = l, l += 0x100000001UL;
	r[n++] = l, l -= 0x200000002UL;
	r[n++] = u, u |= 0xf0000000fUL;
	r[n++] = u, u ^= 0xff000000ffUL;
	r[n++] = u, u &= 0xffff0000ffff0000UL;
	r[n++] = u;
	sz = 0, pd = 0;
	r[n++] = l, l = (int64_t)l < (int64_t)NEG ? l : NEG;
	r[n++] = l, l = (int64_t)l > (int64_t)BIG ? l : BIG;
	r[n++] = u, u = u < NEG ? u : NEG;
	r[n++] = sz, sz = sz > NEG ? sz : NEG;
	r[n++] = pd, pd = (int64_t)pd < (int64_t)NEG ? pd : NEG;
	r[n++] = l;
	r[n++] = u;
	e = NEG;
	r[n++] = l == e, e = l;		/* fails: e gets the value */
	r[n++] = e;
	r[n++] = l == e, l = NEG;	/* succeeds */
	r[n++] = e;
	eu = 7, up = BIG;
	r[n++] = eu;
	r[n++] = up == eu, eu = up;	/* fails */
	r[n++] = eu;
	r[n++] = up;
	(void)sz, (void)pd;
}

static void functions(struct cltest_env *env, const char *std)
{
	char src[16384];
	long out[8 + 2 * NRESULTS];
	uint64_t want[NRESULTS];
	cl_kernel k;
	cl_int err;

	snprintf(src, sizeof(src),
		 "#define BIG 0x123456789abcdef0L\n"
		 "#define NEG (-0x0000000200000001L)\n"
		 "#define R(x) (out[8 + n++] = (long)(x))\n"
		 "kernel void k(global long *out)\n"
		 "{\n"
		 "	local long lobj[6];\n"
		 "	int n = 0;\n"
		 "	global long *obj = out;\n"
		 "%s"
		 "	{\n"
		 "	local long *obj = lobj;\n"
		 "%s"
		 "	}\n"
		 "}\n",
		 FUNCTIONS_BODY("global"), FUNCTIONS_BODY("local"));
	memset(out, 0, sizeof(out));
	function_results(want);
	k = cltest_kernel(env, src, "k", std);
	CHECK(k != NULL);
	err = cltest_run_one(env, k, out, sizeof(out));
	cltest_release(k);
	CHECK_OK(err);
	for (size_t side = 0; side < 2; side++)
		for (size_t i = 0; i < NRESULTS; i++) {
			uint64_t got = (uint64_t)out[8 + side * NRESULTS + i];

			if (got != want[i])
				fprintf(stderr, "%s %s result %zu: %#llx, want %#llx\n", std,
					side ? "local" : "global", i, (unsigned long long)got,
					(unsigned long long)want[i]);
			CHECK(got == want[i]);
		}
}

CLTEST(every_function_gives_its_result_opencl_c_2_0)
{
	if (reports(env, NULL) || delivered(env))
		functions(env, "-cl-std=CL2.0");
}

CLTEST(every_function_gives_its_result_opencl_c_3_0)
{
	if (reports(env, NULL) || delivered(env))
		functions(env, "-cl-std=CL3.0 -Werror");
}

/*
 * atomic_double, where the device has doubles (rusticl 25 and 26 with
 * RUSTICL_FEATURES=fp64, which main() sets; 22.3's llvmpipe has none):
 * load, store, exchange, init and compare-exchange, which compares
 * representations (-0.0 is not 0.0).
 */
#define DOUBLE_BODY(AS, OBJ)                                                                 \
	"	{\n"                                                                             \
	"		" AS " atomic_double *d = (" AS " atomic_double *)(" OBJ ");\n"          \
	"		double e = 1.0;\n"                                                       \
	"		atomic_init(d, 0.5);\n"                                                  \
	"		R(atomic_load(d));\n"                                                    \
	"		atomic_store(d, -2.25);\n"                                               \
	"		R(atomic_load_explicit(d, memory_order_acquire, memory_scope_device));\n" \
	"		R(atomic_exchange(d, 1e300));\n"                                         \
	"		R(atomic_compare_exchange_strong(d, &e, 3.0));\n"                        \
	"		R(e);\n"                                                                 \
	"		while (!atomic_compare_exchange_weak_explicit(d, &e, 0x1.123456789abcdp+100,\n" \
	"				memory_order_seq_cst, memory_order_relaxed))\n"                \
	"			;\n"                                                             \
	"		R(e);\n"                                                                 \
	"		R(atomic_load(d));\n"                                                    \
	"		atomic_store_explicit(d, -0.0, memory_order_seq_cst,\n"                  \
	"				      memory_scope_all_svm_devices);\n"                       \
	"		e = 0.0;\n"                                                              \
	"		R(atomic_compare_exchange_strong(d, &e, 1.0));\n"                        \
	"		R(e);\n"                                                                 \
	"	}\n"

CLTEST(double_functions_give_their_results_where_the_device_has_doubles)
{
	const double want[] = { 0.5, -2.25, -2.25, 0, 1e300, 1e300, 0x1.123456789abcdp+100, 0, -0.0 };
	const size_t nwant = sizeof(want) / sizeof(want[0]);
	const char *options[] = { "-cl-std=CL2.0", "-cl-std=CL3.0 -Werror" };
	char src[8192];

	if (!reports(env, "cl_khr_fp64") || (!reports(env, NULL) && !delivered(env)))
		return;
	snprintf(src, sizeof(src),
		 "#define R(x) (out[1 + n++] = as_long((double)(x)))\n"
		 "kernel void k(global long *out)\n"
		 "{\n"
		 "	local double lobj[1];\n"
		 "	int n = 0;\n"
		 "%s%s"
		 "}\n", DOUBLE_BODY("global", "out"), DOUBLE_BODY("local", "lobj"));
	for (size_t o = 0; o < sizeof(options) / sizeof(options[0]); o++) {
		cl_kernel k = cltest_kernel(env, src, "k", options[o]);
		long out[1 + 2 * 9] = { 0 };
		cl_int err;

		CHECK(k != NULL);
		err = cltest_run_one(env, k, out, (1 + 2 * nwant) * sizeof(long));
		cltest_release(k);
		CHECK_OK(err);
		for (size_t i = 0; i < 2 * nwant; i++) {
			double got;

			memcpy(&got, &out[1 + i], sizeof(got));
			if (memcmp(&got, &want[i % nwant], sizeof(got)) != 0)
				fprintf(stderr, "\"%s\" %s result %zu: %a, want %a\n", options[o],
					i < nwant ? "global" : "local", i % nwant, got, want[i % nwant]);
			CHECK(memcmp(&got, &want[i % nwant], sizeof(got)) == 0);
		}
	}
	printf("  atomic_double: load, store, exchange, init and compare-exchange\n");
}

static const char *legacy_source =
	"#pragma OPENCL EXTENSION cl_khr_int64_base_atomics : enable\n"
	"#pragma OPENCL EXTENSION cl_khr_int64_extended_atomics : enable\n"
	"#define BIG 0x123456789abcdef0L\n"
	"kernel void k(global long *out)\n"
	"{\n"
	"	local ulong l[1];\n"
	"	int n = 2;\n"
	"	out[0] = BIG;\n"
	"	out[n++] = atom_add(out, 0x100000001L);\n"
	"	out[n++] = atom_sub(out, 0x200000002L);\n"
	"	out[n++] = atom_xchg(out, -1L);\n"
	"	out[n++] = atom_inc(out);\n"
	"	out[n++] = atom_dec(out);\n"
	"	out[n++] = atom_cmpxchg(out, -1L, BIG);\n"
	"	out[n++] = atom_cmpxchg(out, -1L, 0);\n"
	"	out[n++] = atom_min(out, -2L);\n"
	"	out[n++] = atom_max(out, BIG);\n"
	"	out[n++] = atom_and(out, 0xff000000ff000000L);\n"
	"	out[n++] = atom_or(out, 0x100000001L);\n"
	"	out[n++] = atom_xor(out, 0x300000003L);\n"
	"	l[0] = 0xfffffffffUL;\n"
	"	out[n++] = atom_inc(l);\n"
	"	out[n++] = atom_max(l, 0xffffffff00000000UL);\n"
	"	out[n++] = l[0];\n"
	"	out[1] = n;\n"
	"}\n";

CLTEST(legacy_atom_functions_work_on_64_bit_objects)
{
	const uint64_t mask = 0xff000000ff000000UL, x1 = 0x100000001UL;
	const uint64_t want[] = {
		BIG, BIG + x1, BIG - x1, -1UL, 0, -1UL, BIG, BIG, -2UL, BIG, BIG & mask,
		(BIG & mask) | x1, 0xfffffffffUL, 0x1000000000UL, 0xffffffff00000000UL,
	};
	const char *options[] = { "", "-cl-std=CL2.0", "-cl-std=CL3.0" };

	if (!reports(env, NULL) && !delivered(env))
		return;
	for (size_t o = 0; o < sizeof(options) / sizeof(options[0]); o++) {
		cl_kernel k = cltest_kernel(env, legacy_source, "k", options[o]);
		long out[32] = { 0 };
		cl_int err;

		CHECK(k != NULL);
		err = cltest_run_one(env, k, out, 32 * sizeof(long));
		cltest_release(k);
		CHECK_OK(err);
		CHECK(out[1] == 2 + (long)(sizeof(want) / sizeof(want[0])));
		for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
			if ((uint64_t)out[2 + i] != want[i])
				fprintf(stderr, "\"%s\" result %zu: %#lx, want %#llx\n", options[o], i,
					out[2 + i], (unsigned long long)want[i]);
			CHECK((uint64_t)out[2 + i] == want[i]);
		}
		CHECK((uint64_t)out[0] == (((BIG & mask) | x1) ^ 0x300000003UL));
	}
}

/* --- a counter of host threads and a kernel --------------------------------- */

/*
 * Each add carries from the low half into the high half every other time: a
 * kernel whose adds were two 32-bit halves would let a host read see the
 * counter go backwards, and non-atomic adds would lose updates.
 */
#define INC 0x80000001UL
#define HOST_THREADS 2
#define DEVICE_ITEMS 256
#define DEVICE_ADDS_PER_ITEM 20000	/* 5.12 M device adds, under llvmpipe's loop cap */

static const char *counter_source =
	"kernel void count(global ulong *counter, global int *progress, int n)\n"
	"{\n"
	"	global atomic_ulong *c = (global atomic_ulong *)counter;\n"
	"	for (int i = 0; i < n; i++) {\n"
	"		atomic_fetch_add_explicit(c, 0x80000001UL, memory_order_relaxed,\n"
	"					  memory_scope_all_svm_devices);\n"
	"		if (i % 64 == 0)\n"
	"			atomic_fetch_add_explicit((global atomic_int *)progress, 1,\n"
	"						  memory_order_relaxed, memory_scope_all_svm_devices);\n"
	"	}\n"
	"}\n";

struct adder {
	_Atomic uint64_t *counter;
	atomic_int *progress;
	uint64_t last;
	long ops, backwards;
	bool saw_device_midway;
};

/* One round of a host thread beside the kernel (cltest_run_beside_host). */
static void host_adds(void *arg)
{
	struct adder *a = arg;
	const int device_marks = DEVICE_ITEMS * ((DEVICE_ADDS_PER_ITEM + 63) / 64);

	for (int i = 0; i < 1024; i++) {
		uint64_t v = atomic_fetch_add(a->counter, INC);

		/* Only adds happen, and the counter never wraps: never lower. */
		a->backwards += v < a->last;
		a->last = v + INC;
	}
	a->ops += 1024;
	int p = atomic_load_explicit(a->progress, memory_order_relaxed);

	if (p > 0 && p < device_marks)
		a->saw_device_midway = true;
}

static void counter(struct cltest_env *env, const char *std)
{
	cl_kernel k = cltest_kernel(env, counter_source, "count", std);
	_Atomic uint64_t *counter = cltest_svm_alloc(env, FINE_ATOMIC, 64, 0);
	atomic_int *progress = (atomic_int *)(counter + 1);
	struct adder adders[HOST_THREADS];
	int n = DEVICE_ADDS_PER_ITEM;
	long host_ops = 0, backwards = 0;
	bool overlapped = false;
	cl_int err;

	CHECK(k && counter);
	atomic_store(counter, 0);
	atomic_store(progress, 0);
	CHECK_OK(clSetKernelArgSVMPointer(k, 0, counter));
	CHECK_OK(clSetKernelArgSVMPointer(k, 1, progress));
	CHECK_OK(clSetKernelArg(k, 2, sizeof(n), &n));
	for (int i = 0; i < HOST_THREADS; i++)
		adders[i] = (struct adder){ .counter = counter, .progress = progress };
	err = cltest_run_beside_host(env, k, DEVICE_ITEMS, NULL, HOST_THREADS, host_adds, adders,
				     sizeof(adders[0]));
	for (int i = 0; i < HOST_THREADS; i++) {
		host_ops += adders[i].ops;
		backwards += adders[i].backwards;
		overlapped |= adders[i].saw_device_midway;
	}
	long device_ops = (long)DEVICE_ITEMS * DEVICE_ADDS_PER_ITEM;
	uint64_t want = (uint64_t)(host_ops + device_ops) * INC, total = atomic_load(counter);

	printf("  %s: host %ld + device %ld adds of %#lx: counter %#llx, want %#llx; "
	       "%ld host reads went backwards\n", std, host_ops, device_ops, INC,
	       (unsigned long long)total, (unsigned long long)want, backwards);
	CHECK_OK(err);
	CHECK(total == want);
	CHECK(backwards == 0);
	CHECK(overlapped);
}

CLTEST(counter_of_host_threads_and_kernel_is_exact_opencl_c_2_0)
{
	if (reports(env, NULL) || delivered(env))
		counter(env, "-cl-std=CL2.0");
}

CLTEST(counter_of_host_threads_and_kernel_is_exact_opencl_c_3_0)
{
	if (reports(env, NULL) || delivered(env))
		counter(env, "-cl-std=CL3.0");
}

/* --- a lock-free stack of SVM pointers ----------------------------------------- */

/*
 * The head and every next field are atomic_ulong holding a node's SVM
 * address.  Nodes are 64-byte aligned; the head carries a 22-bit count of
 * its changes in the 6 low bits and the 16 high bits (user addresses fit in
 * 47 bits), so a pop that slept through other pops and pushes of the same
 * node fails its compare-exchange instead of corrupting the stack (ABA).
 * The head changes in both halves at once: only a 64-bit compare-exchange
 * keeps it.
 */
#define NODES 64
#define STACK_ITEMS 256
#define STACK_ROUNDS 200	/* per work-item: with retries, under llvmpipe's loop cap */
#define HOST_PAUSE 512		/* spins between host rounds: the kernel's CAS must win too */
/*
 * rusticl 22.3's llvmpipe loses stores of these loops in work-groups wider
 * than its SIMD width (8 lanes with AVX2): measured with 32-bit atomics on an
 * index stack, without svmx; 25.0.7 and 26.2.6 do not.  4 fits every width.
 */
#define STACK_LOCAL 4

struct node {
	_Atomic uint64_t next;
	_Atomic uint64_t pops;
	uint64_t pad[6];
};

static const char *stack_source =
	"#define PTR(x) ((x) & 0x0000ffffffffffc0UL)\n"
	"#define TAG(x) (((x) & 63) | ((x) >> 48 << 6))\n"
	"#define MAKE(p, t) ((p) | ((t) & 63) | (((t) >> 6 & 0xffff) << 48))\n"
	"struct node { atomic_ulong next; atomic_ulong pops; ulong pad[6]; };\n"
	"kernel void churn(global ulong *head, global struct node *nodes, global int *done,\n"
	"		   global int *progress, int rounds)\n"
	"{\n"
	"	global atomic_ulong *h = (global atomic_ulong *)head;\n"
	"	int empty = 0, r;\n"
	"	(void)nodes;\n"
	"	for (r = 0; r < rounds; r++) {\n"
	"		ulong old = atomic_load_explicit(h, memory_order_acquire,\n"
	"						 memory_scope_all_svm_devices), next = 0;\n"
	"		global struct node *n;\n"
	"		do {\n"
	"			n = (global struct node *)PTR(old);\n"
	"			if (!n)\n"
	"				break;\n"
	"			next = atomic_load_explicit(&n->next, memory_order_relaxed,\n"
	"						    memory_scope_all_svm_devices);\n"
	"		} while (!atomic_compare_exchange_weak_explicit(h, &old,\n"
	"				MAKE(next, TAG(old) + 1), memory_order_acquire,\n"
	"				memory_order_acquire, memory_scope_all_svm_devices));\n"
	"		if (!n) {\n"
	"			empty++;\n"
	"			continue;\n"
	"		}\n"
	"		atomic_fetch_add_explicit(&n->pops, 1, memory_order_relaxed,\n"
	"					  memory_scope_all_svm_devices);\n"
	"		old = atomic_load_explicit(h, memory_order_relaxed, memory_scope_all_svm_devices);\n"
	"		do {\n"
	"			atomic_store_explicit(&n->next, PTR(old), memory_order_relaxed,\n"
	"					      memory_scope_all_svm_devices);\n"
	"		} while (!atomic_compare_exchange_weak_explicit(h, &old,\n"
	"				MAKE((ulong)n, TAG(old) + 1), memory_order_release,\n"
	"				memory_order_relaxed, memory_scope_all_svm_devices));\n"
	"		if (r % 16 == 0)\n"
	"			atomic_fetch_add_explicit((global atomic_int *)progress, 1,\n"
	"						  memory_order_relaxed, memory_scope_all_svm_devices);\n"
	"	}\n"
	"	done[get_global_id(0) * 2] = r;\n"
	"	done[get_global_id(0) * 2 + 1] = empty;\n"
	"}\n";

#define PTR(x) ((x) & 0x0000ffffffffffc0ULL)
#define TAG(x) (((x) & 63) | ((x) >> 48 << 6))
#define MAKE(p, t) ((p) | ((t) & 63) | ((((uint64_t)(t)) >> 6 & 0xffff) << 48))

struct churner {
	_Atomic uint64_t *head;
	atomic_int *progress;
	long pops, empty;
	bool saw_device_midway;
};

/* One round of a host thread beside the kernel (cltest_run_beside_host). */
static void host_churn(void *arg)
{
	struct churner *c = arg;
	uint64_t old = atomic_load_explicit(c->head, memory_order_acquire), next = 0;
	struct node *n;

	do {
		n = (struct node *)(uintptr_t)PTR(old);
		if (!n)
			break;
		next = atomic_load_explicit(&n->next, memory_order_relaxed);
	} while (!atomic_compare_exchange_weak_explicit(c->head, &old, MAKE(next, TAG(old) + 1),
							memory_order_acquire,
							memory_order_acquire));
	if (!n) {
		c->empty++;
		return;
	}
	atomic_fetch_add_explicit(&n->pops, 1, memory_order_relaxed);
	c->pops++;
	old = atomic_load_explicit(c->head, memory_order_relaxed);
	do {
		atomic_store_explicit(&n->next, PTR(old), memory_order_relaxed);
	} while (!atomic_compare_exchange_weak_explicit(c->head, &old,
							MAKE((uintptr_t)n, TAG(old) + 1),
							memory_order_release,
							memory_order_relaxed));
	int p = atomic_load_explicit(c->progress, memory_order_relaxed);

	if (p > 0 && p < STACK_ITEMS * STACK_ROUNDS / 16)
		c->saw_device_midway = true;
	for (volatile int i = 0; i < HOST_PAUSE; i++)
		;
}

static void stack_of_svm_pointers(struct cltest_env *env, const char *std)
{
	cl_kernel k = cltest_kernel(env, stack_source, "churn", std);
	struct node *nodes = cltest_svm_alloc(env, FINE_ATOMIC, NODES * sizeof(*nodes), 64);
	_Atomic uint64_t *head = cltest_svm_alloc(env, FINE_ATOMIC, 64, 0);
	atomic_int *progress = (atomic_int *)(head + 1);
	int *done = cltest_svm_alloc(env, CL_MEM_READ_WRITE | CL_MEM_SVM_FINE_GRAIN_BUFFER,
				     STACK_ITEMS * 2 * sizeof(int), 0);
	struct churner churners[HOST_THREADS];
	size_t local = STACK_LOCAL;
	int rounds = STACK_ROUNDS;
	long host_pops = 0, device_pops = 0, popped = 0, device_empty = 0, host_empty = 0;
	bool overlapped = false, seen[NODES] = { false };
	int found = 0, bad = 0, short_items = 0;
	cl_int err;

	CHECK(k && nodes && head && done);
	/* The stack holds every node, in address order. */
	for (int i = 0; i < NODES; i++) {
		atomic_store(&nodes[i].next, i + 1 < NODES ? (uintptr_t)&nodes[i + 1] : 0);
		atomic_store(&nodes[i].pops, 0);
	}
	atomic_store(head, MAKE((uintptr_t)&nodes[0], 0));
	atomic_store(progress, 0);
	memset(done, 0, STACK_ITEMS * 2 * sizeof(int));
	CHECK_OK(clSetKernelArgSVMPointer(k, 0, head));
	CHECK_OK(clSetKernelArgSVMPointer(k, 1, nodes));
	CHECK_OK(clSetKernelArgSVMPointer(k, 2, done));
	CHECK_OK(clSetKernelArgSVMPointer(k, 3, progress));
	CHECK_OK(clSetKernelArg(k, 4, sizeof(rounds), &rounds));
	for (int i = 0; i < HOST_THREADS; i++)
		churners[i] = (struct churner){ .head = head, .progress = progress };
	err = cltest_run_beside_host(env, k, STACK_ITEMS, &local, HOST_THREADS, host_churn,
				     churners, sizeof(churners[0]));
	for (int i = 0; i < HOST_THREADS; i++) {
		host_pops += churners[i].pops;
		host_empty += churners[i].empty;
		overlapped |= churners[i].saw_device_midway;
	}
	for (int i = 0; i < STACK_ITEMS; i++) {
		short_items += done[2 * i] != STACK_ROUNDS;
		device_empty += done[2 * i + 1];
		device_pops += done[2 * i] - done[2 * i + 1];
	}
	/* Walk the stack: every node once, nothing else. */
	for (uint64_t p = PTR(atomic_load(head)); p && found <= NODES; found++) {
		struct node *n = (struct node *)(uintptr_t)p;
		long i = n - nodes;

		if (i < 0 || i >= NODES || (uintptr_t)n != (uintptr_t)&nodes[i] || seen[i]) {
			bad++;
			break;
		}
		seen[i] = true;
		p = atomic_load(&n->next);
	}
	for (int i = 0; i < NODES; i++)
		popped += (long)atomic_load(&nodes[i].pops);
	printf("  %s: %d of %d nodes on the stack after %ld host and %ld device pops "
	       "(%ld counted by the nodes; empty %ld host, %ld device), head changed %llu times\n",
	       std, found, NODES, host_pops, device_pops, popped, host_empty, device_empty,
	       (unsigned long long)TAG(atomic_load(head)));
	CHECK_OK(err);
	CHECK(short_items == 0);
	CHECK(bad == 0 && found == NODES);
	CHECK(popped == host_pops + device_pops);
	CHECK(device_pops > 0 && host_pops > 0);
	CHECK(overlapped);
}

CLTEST(stack_keeps_every_node_host_and_kernel_opencl_c_2_0)
{
	if (reports(env, NULL) || delivered(env))
		stack_of_svm_pointers(env, "-cl-std=CL2.0");
}

CLTEST(stack_keeps_every_node_host_and_kernel_opencl_c_3_0)
{
	if (reports(env, NULL) || delivered(env))
		stack_of_svm_pointers(env, "-cl-std=CL3.0");
}

int main(int argc, char **argv)
{
	/* rusticl 25 and later have doubles on llvmpipe only when asked. */
	setenv("RUSTICL_FEATURES", "fp64", 0);
	return cltest_run(argc, argv, "rusticl");
}
