/*
 * Test support for svmx's conformance tests: a tiny kselftest-like runner,
 * checks that name what failed, and the OpenCL setup every test needs.
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
};

#define CLTEST_CASE(fn) { #fn, fn }

/*
 * Run the cases against the first device of the platform whose name
 * contains platform_name ("rusticl", "Portable Computing Language").  A new
 * context and in-order queue per case.  argv[1], if given, runs one case.
 * Exits 0 only if every case passed; a missing platform fails.
 */
int cltest_main(int argc, char **argv, const char *platform_name,
		const struct cltest_case *cases, size_t ncases);

/* Set up env for a platform; false if no such platform/device. */
bool cltest_open(struct cltest_env *env, const char *platform_name,
		 cl_command_queue_properties queue_props);
void cltest_close(struct cltest_env *env);

/* Build source with options; on failure prints the build log and returns NULL. */
cl_program cltest_build(struct cltest_env *env, const char *source, const char *options);

/* Build source and create kernel name from it; NULL (with the log) on failure. */
cl_kernel cltest_kernel(struct cltest_env *env, const char *source, const char *name,
			const char *options);

const char *cltest_err_name(cl_int err);

/*
 * The device reports fine-grain system SVM (rusticl 25 and later do, and
 * svmx keeps it): any host pointer is then a valid SVM pointer for kernel
 * arguments and exec info, not only those inside SVM allocations.
 */
bool cltest_system_svm(const struct cltest_env *env);

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
