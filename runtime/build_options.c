#include "build_options.h"

#include "device.h"
#include "dispatch.h"
#include "fence_word.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Devices svmx serves (SVMX_ROLE_EMULATE, rusticl 22.3 on llvmpipe): its
 * clCreateKernel aborts the process on seq_cst or release atomics of
 * all-devices scope in OpenCL C 3.0 builds, and on all-devices fences in
 * any build, while 2.0 builds of the same atomics work.  So a 3.0 build is
 * compiled in the compiler's 2.0 mode (3.0 source is 2.0 source but for the
 * name memory_scope_all_devices; __OPENCL_C_VERSION__ reads 200).
 * No spaces: drivers split options on white space (a comment separates).
 */
#define C2_FOR_C3 "-cl-std=CL2.0 -Dmemory_scope_all_devices=memory_scope_all_svm_devices"

/*
 * llvmpipe compiles an atomic store as a plain store and a fence as no
 * instruction, so a seq_cst store or fence lets a later load pass an earlier
 * store, against host threads as between work-items (store buffering,
 * conformance/seq_cst_ordering.c).  A locked read-modify-write is a full
 * barrier on the host's cores: a seq_cst store becomes an exchange, and a
 * fence other than relaxed a seq_cst add of 0 to svmx's fence word, which
 * also avoids the all-devices fence that aborts the driver.
 */
#define SEQ_CST_STORE \
	" -Datomic_store(p,v)=((void)atomic_exchange(p,v))" \
	" -Datomic_store_explicit(p,v,o,...)=((o)==memory_order_seq_cst" \
	"?(void)atomic_exchange_explicit(p,v,o,##__VA_ARGS__)" \
	":atomic_store_explicit(p,v,o,##__VA_ARGS__))"
#define FULL_FENCE \
	" -Datomic_work_item_fence(f,o,s)=((o)==memory_order_relaxed?(void)0" \
	":(void)atomic_fetch_add_explicit((volatile/**/global/**/atomic_int*)%#lxUL,0," \
	"memory_order_seq_cst,memory_scope_device))"

/* The last -cl-std= option (the one clang obeys), or NULL. */
static const char *cl_std(const char *options)
{
	const char *p = options, *last = NULL;

	while (options && (p = strstr(p, "-cl-std=")) != NULL) {
		if (p == options || p[-1] == ' ' || p[-1] == '\t')
			last = p;
		p += 8;
	}
	return last;
}

static bool std_is(const char *opt, const char *version)
{
	size_t n = strlen(version);

	return opt && strncmp(opt + 8, version, n) == 0 &&
	       (opt[8 + n] == '\0' || opt[8 + n] == ' ' || opt[8 + n] == '\t');
}

/* options with the -cl-std option at std replaced by with, then extra appended. */
static char *rewrite(const char *options, const char *std, const char *with, const char *extra)
{
	size_t head = std ? (size_t)(std - options) : strlen(options);
	const char *tail = std ? std + strcspn(std, " \t") : "";
	char *out = malloc(strlen(options) + strlen(with) + strlen(extra) + 1);

	if (out) {
		memcpy(out, options, head);
		strcpy(out + head, with);
		strcat(out, tail);
		strcat(out, extra);
	}
	return out;
}

static char *rewrite_for_host_device(const char *options, const char *std, bool c3)
{
	char extra[sizeof(SEQ_CST_STORE FULL_FENCE) + 32];
	uintptr_t word = svmx_fence_word();

	if (!word)
		return NULL;	/* no page for it: the build fails as the driver's own */
	snprintf(extra, sizeof(extra), SEQ_CST_STORE FULL_FENCE, (unsigned long)word);
	return rewrite(options, std, c3 ? C2_FOR_C3 : "-cl-std=CL2.0", extra);
}

char *svmx_build_options(const char *options, cl_uint ndevices,
			 const cl_device_id *devices)
{
	const char *std = cl_std(options);
	bool c3 = std_is(std, "CL3.0"), c2 = std_is(std, "CL2.0");

	if (!c3 && !c2)
		return NULL;	/* OpenCL C 1.x names no scopes */
	for (cl_uint i = 0; i < ndevices; i++) {
		const struct svmx_device *dev = svmx_device_lookup(devices[i]);

		/* Devices of one program come from one driver: the first says it. */
		if (!svmx_device_touched(dev))
			continue;
		if (dev->c3_as_c2)
			return rewrite_for_host_device(options, std, c3);
		if (c3 && dev->defines[0])
			return rewrite(options, NULL, "", dev->defines);
		return NULL;
	}
	return NULL;
}

char *svmx_build_options_for_program(const char *options, cl_program program,
				     cl_uint ndevices, const cl_device_id *devices)
{
	cl_device_id *all = NULL;
	cl_uint n = 0;
	char *out;

	if (!cl_std(options))
		return NULL;
	if (ndevices && devices)
		return svmx_build_options(options, ndevices, devices);
	if (svmx_next.clGetProgramInfo(program, CL_PROGRAM_NUM_DEVICES, sizeof(n), &n,
				       NULL) != CL_SUCCESS || !n)
		return NULL;
	all = calloc(n, sizeof(*all));
	if (!all || svmx_next.clGetProgramInfo(program, CL_PROGRAM_DEVICES, n * sizeof(*all),
					       all, NULL) != CL_SUCCESS) {
		free(all);
		return NULL;
	}
	out = svmx_build_options(options, n, all);
	free(all);
	return out;
}
