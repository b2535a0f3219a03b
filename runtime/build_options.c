#include "build_options.h"

#include "device.h"
#include "dispatch.h"
#include "fence_word.h"
#include "handle_map.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * What a build for a device gets appended, by workaround (workarounds.c).
 * No spaces inside an option: drivers split options on white space (a
 * comment separates tokens instead).  Only -D, and no -D of a macro the
 * compiler predefines: rusticl 26 refuses -U, -W... and -cl-ext with
 * CL_INVALID_BUILD_OPTIONS, and a redefinition warns (an error under the
 * application's -Werror).
 *
 * SVMX_WA_ALL_DEVICES_SCOPE: every builtin that takes a memory scope is
 * called with the all-devices scope turned into the device scope.  With a
 * constant scope, as in nearly all code, clang folds the choice, so the
 * driver never sees the scope it aborts on.  The builtins are declared by
 * the compiler, not by a header (Mesa builds with -fdeclare-opencl-builtins),
 * so a function-like macro of the same name is safe; inside its own
 * expansion the name is the builtin again.  __svmx_os(o[,s]) passes an
 * order and an optional scope, the scope mapped by __svmx_sc.
 */
#define SCOPE_HELPERS \
	" -D__svmx_pick(a,b,f,...)=f" \
	" -D__svmx_os1(o)=o" \
	" -D__svmx_os2(o,s)=o,__svmx_sc(s)" \
	" -D__svmx_os(...)=__svmx_pick(__VA_ARGS__,__svmx_os2,__svmx_os1,)(__VA_ARGS__)"
#define SCOPE_TO_DEVICE \
	" -D__svmx_sc(s)=((s)==__OPENCL_MEMORY_SCOPE_ALL_SVM_DEVICES" \
	"?__OPENCL_MEMORY_SCOPE_DEVICE:(s))"
#define SCOPE_AS_IS " -D__svmx_sc(s)=(s)"

/* Builtins taking (object, value, order[, scope]) or (object, order[, scope]). */
static const char *const value_order_scope[] = {
	"atomic_exchange_explicit", "atomic_fetch_add_explicit", "atomic_fetch_sub_explicit",
	"atomic_fetch_or_explicit", "atomic_fetch_xor_explicit", "atomic_fetch_and_explicit",
	"atomic_fetch_min_explicit", "atomic_fetch_max_explicit",
};
static const char *const order_scope[] = {
	"atomic_load_explicit", "atomic_flag_test_and_set_explicit", "atomic_flag_clear_explicit",
};
static const char *const compare_exchange[] = {
	"atomic_compare_exchange_strong_explicit", "atomic_compare_exchange_weak_explicit",
};
static const char *const barriers[] = { "work_group_barrier", "sub_group_barrier" };

/*
 * SVMX_WA_SEQ_CST_STORE, SVMX_WA_FENCE: a locked read-modify-write is a full
 * barrier on the host's cores: a seq_cst store becomes an exchange, and a
 * fence other than relaxed a seq_cst add of 0 to svmx's fence word.
 */
#define SEQ_CST_STORE \
	" -Datomic_store(p,v)=((void)atomic_exchange(p,v))" \
	" -Datomic_store_explicit(p,v,o,...)=((o)==memory_order_seq_cst" \
	"?(void)atomic_exchange_explicit(p,v,o,##__VA_ARGS__)" \
	":atomic_store_explicit(p,v,__svmx_os(o,##__VA_ARGS__)))"
#define STORE_SCOPE " -Datomic_store_explicit(p,v,...)=atomic_store_explicit(p,v,__svmx_os(__VA_ARGS__))"
#define FULL_FENCE \
	" -Datomic_work_item_fence(f,o,s)=((o)==memory_order_relaxed?(void)0" \
	":(void)atomic_fetch_add_explicit((volatile/**/global/**/atomic_int*)%#lxUL,0," \
	"memory_order_seq_cst,memory_scope_device))"
#define FENCE_SCOPE " -Datomic_work_item_fence(f,o,s)=atomic_work_item_fence(f,o,__svmx_sc(s))"

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

/* options with extra appended (malloc'd). */
static char *append(const char *options, const char *extra)
{
	char *out = malloc(strlen(options) + strlen(extra) + 1);

	if (out) {
		strcpy(out, options);
		strcat(out, extra);
	}
	return out;
}

#define ADD(...) (used += (size_t)snprintf(extra + used, used < size ? size - used : 0, \
						__VA_ARGS__))

/* What a build on dev appends for the workarounds it has (malloc'd), or NULL. */
static char *extra_options(const struct svmx_device *dev)
{
	unsigned w = dev->workarounds;
	bool scope = svmx_wa(w, SVMX_WA_ALL_DEVICES_SCOPE);
	size_t size = 4096, used = 0;
	char *extra = malloc(size);

	if (!extra)
		return NULL;
	extra[0] = '\0';
	ADD("%s", dev->defines);
	if (scope || svmx_wa(w, SVMX_WA_SEQ_CST_STORE) || svmx_wa(w, SVMX_WA_FENCE))
		ADD("%s%s", SCOPE_HELPERS, scope ? SCOPE_TO_DEVICE : SCOPE_AS_IS);
	for (size_t i = 0; scope && i < sizeof(value_order_scope) / sizeof(*value_order_scope); i++)
		ADD(" -D%s(p,v,...)=%s(p,v,__svmx_os(__VA_ARGS__))", value_order_scope[i],
		    value_order_scope[i]);
	for (size_t i = 0; scope && i < sizeof(order_scope) / sizeof(*order_scope); i++)
		ADD(" -D%s(p,...)=%s(p,__svmx_os(__VA_ARGS__))", order_scope[i], order_scope[i]);
	for (size_t i = 0; scope && i < sizeof(compare_exchange) / sizeof(*compare_exchange); i++)
		ADD(" -D%s(p,e,d,o,...)=%s(p,e,d,o,__svmx_os(__VA_ARGS__))", compare_exchange[i],
		    compare_exchange[i]);
	for (size_t i = 0; scope && i < sizeof(barriers) / sizeof(*barriers); i++)
		ADD(" -D%s(...)=%s(__svmx_os(__VA_ARGS__))", barriers[i], barriers[i]);
	if (svmx_wa(w, SVMX_WA_SEQ_CST_STORE))
		ADD("%s", SEQ_CST_STORE);
	else if (scope)
		ADD("%s", STORE_SCOPE);
	if (svmx_wa(w, SVMX_WA_FENCE)) {
		uintptr_t word = svmx_fence_word();

		if (!word) {
			free(extra);
			return NULL;	/* no page for it: the build fails as the driver's own */
		}
		ADD(FULL_FENCE, (unsigned long)word);
	} else if (scope) {
		ADD("%s", FENCE_SCOPE);
	}
	if (used >= size || !used) {
		free(extra);
		return NULL;
	}
	return extra;
}

static char *options_for(const struct svmx_device *dev, const char *options, bool c3)
{
	char *extra, *out;

	/* PoCL's scope feature: its OpenCL C 2.0 has no such overloads at all. */
	if (!c3 && !svmx_wa(dev->workarounds, SVMX_WA_SVM_ATOMICS))
		return NULL;
	extra = extra_options(dev);
	out = extra ? append(options, extra) : NULL;
	free(extra);
	return out;
}

char *svmx_build_options(const char *options, cl_uint ndevices,
			 const cl_device_id *devices)
{
	const char *std = cl_std(options);
	bool c3 = std_is(std, "CL3.0") || std_is(std, "CL3.1"), c2 = std_is(std, "CL2.0");

	if (!c3 && !c2)
		return NULL;	/* OpenCL C 1.x names no scopes */
	for (cl_uint i = 0; i < ndevices; i++) {
		const struct svmx_device *dev = svmx_device_lookup(devices[i]);

		/* Devices of one program come from one driver: the first says it. */
		if (svmx_device_touched(dev))
			return options_for(dev, options, c3);
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

static struct svmx_handle_map app_options = SVMX_HANDLE_MAP_INIT;

void svmx_build_options_forget(cl_program program)
{
	free(svmx_handle_map_remove(&app_options, program));
}

void svmx_build_options_remember(cl_program program, const char *options, bool changed)
{
	char *copy;

	svmx_build_options_forget(program);
	if (!changed)
		return;
	copy = strdup(options ? options : "");
	if (copy && !svmx_handle_map_insert(&app_options, program, copy))
		free(copy);
}

bool svmx_build_options_answer(cl_program program, size_t size, void *value,
			       size_t *size_ret, cl_int *err)
{
	const char *options;
	size_t len;

	if (svmx_handle_map_empty(&app_options))
		return false;
	options = svmx_handle_map_find(&app_options, program, NULL);
	if (!options)
		return false;
	len = strlen(options) + 1;
	*err = CL_SUCCESS;
	if (value) {
		if (size < len)
			*err = CL_INVALID_VALUE;
		else
			memcpy(value, options, len);
	}
	if (size_ret && *err == CL_SUCCESS)
		*size_ret = len;
	return true;
}

bool svmx_build_options_any(void)
{
	return !svmx_handle_map_empty(&app_options);
}
