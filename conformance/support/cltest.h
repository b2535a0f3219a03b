/*
 * Test support for svmx's conformance tests: cases that register themselves,
 * checks that name what failed, objects a case holds released after it
 * whatever happened, and the OpenCL setup every test needs.
 *
 *   CLTEST(what_it_asserts)
 *   {
 *           cl_kernel k = cltest_kernel(env, source, "k", NULL);
 *
 *           CHECK(k != NULL);
 *           ...                      (no release: the case holds k)
 *   }
 *
 *   int main(int argc, char **argv) { return cltest_run(argc, argv, "rusticl"); }
 *
 * Tests run through the ordinary libOpenCL with the layer loaded by the
 * loader (ctest sets OPENCL_LAYERS); they never call into svmx directly.
 */
#ifndef SVMX_CLTEST_H
#define SVMX_CLTEST_H

#ifndef CL_TARGET_OPENCL_VERSION
#define CL_TARGET_OPENCL_VERSION 300
#endif
#include <CL/cl.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

struct cltest_env {
	cl_platform_id platform;
	cl_device_id device;
	cl_context context;
	cl_command_queue queue;
};

/* Fail the current test case with a message naming the place. */
#define CHECK(cond)                                                              \
	do {                                                                     \
		if (!(cond)) {                                                   \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__,    \
				__LINE__, #cond);                                \
			cltest_failed = true;                                    \
			return;                                                  \
		}                                                                \
	} while (0)

/* Expect an OpenCL status; prints both codes by name. */
#define CHECK_ERR(expr, want)                                                    \
	do {                                                                     \
		cl_int got_ = (expr);                                            \
		if (got_ != (want)) {                                            \
			fprintf(stderr, "%s:%d: %s returned %s (%d), want %s\n",  \
				__FILE__, __LINE__, #expr, cltest_err_name(got_), \
				got_, cltest_err_name(want));                    \
			cltest_failed = true;                                    \
			return;                                                  \
		}                                                                \
	} while (0)

#define CHECK_OK(expr) CHECK_ERR(expr, CL_SUCCESS)

extern bool cltest_failed;

struct cltest_case {
	const char *name;
	void (*fn)(struct cltest_env *env);
	const char *suite;	/* NULL: the program's own cases */
	int line;		/* cases run in the order they are defined */
	bool ran;
	struct cltest_case *next;
};

void cltest_register(struct cltest_case *c);

/*
 * CLTEST(name) { ... } defines a case and registers it before main runs:
 * a defined case cannot be left out.  The body sees struct cltest_env *env.
 * CLTEST_IN(suite, name) puts it in a named suite, run by cltest_run_suite
 * (a program whose cases need different settings, one suite per run).
 */
#define CLTEST_IN(suite_, name)                                                   \
	static void name(struct cltest_env *env);                                \
	static struct cltest_case cltest_case_##name = { #name, name, suite_,     \
							  __LINE__, false, NULL }; \
	__attribute__((constructor)) static void cltest_register_##name(void)    \
	{                                                                        \
		cltest_register(&cltest_case_##name);                            \
	}                                                                        \
	static void name(struct cltest_env *env)

#define CLTEST(name) CLTEST_IN(NULL, name)

/*
 * Run the program's cases (or those of suite) against the first device of
 * the platform whose name contains platform_name ("rusticl", "Portable
 * Computing Language"), each with a new context and in-order queue, in the
 * order they are defined.  argv[1], if given, runs the case of that name
 * (none of that name fails); "--list" prints the names and runs nothing.
 * Exits 0 only if every case ran and passed; a missing platform fails.
 */
int cltest_run(int argc, char **argv, const char *platform_name);
int cltest_run_suite(int argc, char **argv, const char *platform_name, const char *suite);

/*
 * What a case holds: released after the case, in the reverse order of
 * taking, whether it passed or failed (a failed CHECK returns at once).
 * First every user event held that is still pending is given a failed
 * status (so no command waits for it), env's queue and every queue held
 * are finished; then the objects are released and the SVM allocations
 * freed; then env's queue and context.  Tests do not release what the
 * case holds; cltest_release gives it up early (releases or frees it now,
 * for tests that assert what a release does, and returns the release's
 * status: CL_SUCCESS for an SVM allocation).  Thread-safe.  Outside a
 * case (a program's own mode, program_binary --load) nothing is held: what
 * the helpers return belongs to the caller.
 *
 * cltest_keep(obj) holds any context, queue, program, kernel, memory
 * object or event and returns it (NULL is not held).
 */
cl_context cltest_keep_context(cl_context o);
cl_command_queue cltest_keep_queue(cl_command_queue o);
cl_program cltest_keep_program(cl_program o);
cl_kernel cltest_keep_kernel(cl_kernel o);
cl_mem cltest_keep_mem(cl_mem o);
cl_event cltest_keep_event(cl_event o);
#define cltest_keep(obj)                                                          \
	_Generic((obj), cl_context: cltest_keep_context,                         \
		 cl_command_queue: cltest_keep_queue, cl_program: cltest_keep_program, \
		 cl_kernel: cltest_keep_kernel, cl_mem: cltest_keep_mem,          \
		 cl_event: cltest_keep_event)(obj)

/* clSVMAlloc in env's context, held by the case (NULL if it failed). */
void *cltest_svm_alloc(struct cltest_env *env, cl_svm_mem_flags flags, size_t size,
		       cl_uint alignment);
/* An SVM allocation of context held by the case; returns p. */
void *cltest_keep_svm(cl_context context, void *p);

/*
 * Release (or clSVMFree) a held object now; it is no longer held.  NULL:
 * nothing (CL_INVALID_VALUE).
 */
cl_int cltest_release(const void *obj);

/* Set up env for a platform; false if no such platform/device. */
bool cltest_open(struct cltest_env *env, const char *platform_name,
		 cl_command_queue_properties queue_props);
void cltest_close(struct cltest_env *env);

/*
 * Build source with options; on failure prints the build log and returns
 * NULL.  The program is held by the case.
 */
cl_program cltest_build(struct cltest_env *env, const char *source, const char *options);

/*
 * Build source and create kernel name from it; NULL (with the log) on
 * failure.  The kernel is held by the case (it holds its program).
 */
cl_kernel cltest_kernel(struct cltest_env *env, const char *source, const char *name,
			const char *options);

/*
 * Create kernel name from program (NULL: none) and hold it; NULL, saying
 * why, on failure.
 */
cl_kernel cltest_kernel_of(cl_program program, const char *name);

/*
 * Run kernel k(global T *out, ...) as one work-item in a work-group of one,
 * with out a buffer holding the size bytes at data, and read them back.
 */
cl_int cltest_run_one(struct cltest_env *env, cl_kernel k, void *data, size_t size);

/*
 * Run k over global work-items (work-groups of *local, or the driver's
 * choice for NULL) to its end while nthreads host threads (at most
 * CLTEST_MAX_THREADS) each call one_round(arg) over and over, arg the i-th of
 * the arg_size-byte elements of args.  The threads stop after the round
 * they are in once the kernel has finished (or failed to enqueue), and are
 * joined before the call returns.  Returns the enqueue's status, else
 * clFinish's.
 */
#define CLTEST_MAX_THREADS 16
cl_int cltest_run_beside_host(struct cltest_env *env, cl_kernel k, size_t global,
			      const size_t *local, int nthreads, void (*one_round)(void *arg),
			      void *args, size_t arg_size);

const char *cltest_err_name(cl_int err);

/*
 * The device reports fine-grain system SVM (rusticl 25 and later do, and
 * svmx keeps it): any host pointer is then a valid SVM pointer for kernel
 * arguments and exec info, not only those inside SVM allocations.
 */
bool cltest_system_svm(const struct cltest_env *env);

/* The device's CL_DEVICE_SVM_CAPABILITIES; 0 if the query fails. */
cl_device_svm_capabilities cltest_svm_capabilities(const struct cltest_env *env);

/* The entry of a name-version list (features, extensions) named name, or NULL. */
const cl_name_version *cltest_find_name(const cl_name_version *list, size_t n,
					const char *name);

/* Monotonic time in seconds. */
double cltest_now(void);

/*
 * Whether memory is gone, without being fooled by the address being mapped
 * again by someone else: cltest_mark writes a pattern unique to this process
 * and call to the 16 bytes at p; cltest_unmarked is true once those bytes
 * cannot be read or no longer hold it.  cltest_gone_within waits up to
 * seconds for that (a driver may destroy an object after its last release
 * returns).
 */
struct cltest_mark {
	const void *p;
	unsigned char bytes[16];
};
void cltest_mark(struct cltest_mark *m, void *p);
bool cltest_unmarked(const struct cltest_mark *m);
bool cltest_gone_within(const struct cltest_mark *m, double seconds);

#endif
