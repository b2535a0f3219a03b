#include "build_options.h"

#include "device.h"
#include "dispatch.h"
#include "fence_word.h"
#include "handle_map.h"
#include "info.h"

#include <stdarg.h>
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
static const char *const order_scope[] = {	/* atomic_load_explicit first */
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
	char *out = malloc(strlen(options ? options : "") + strlen(extra) + 1);

	if (out) {
		strcpy(out, options ? options : "");
		strcat(out, extra);
	}
	return out;
}

/* A growing string; failed once anything did not fit in memory. */
struct text {
	char *s;
	size_t len, size;
	bool failed;
};

static void __attribute__((format(printf, 2, 3))) add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->failed)
		return;
	va_start(ap, fmt);
	n = vsnprintf(t->s ? t->s + t->len : NULL, t->s ? t->size - t->len : 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		t->failed = true;
		return;
	}
	if (!t->s || t->len + (size_t)n >= t->size) {
		size_t size = t->size ? t->size : 4096;
		char *s;

		while (size <= t->len + (size_t)n)
			size *= 2;
		s = realloc(t->s, size);
		if (!s) {
			t->failed = true;
			return;
		}
		t->s = s;
		t->size = size;
		va_start(ap, fmt);
		vsnprintf(t->s + t->len, t->size - t->len, fmt, ap);
		va_end(ap);
	}
	t->len += (size_t)n;
}

/*
 * SVMX_WA_INT64_ATOMICS: atomic_long, atomic_ulong, atomic_intptr_t,
 * atomic_uintptr_t, atomic_size_t and atomic_ptrdiff_t (and atomic_double
 * where the device has cl_khr_fp64), the atomic functions on them, and the
 * legacy 64-bit atom_* functions, where the driver's compiler has them but
 * was not told the extensions are there.
 *
 * clang declares those types and the 64-bit builtins only for a target with
 * cl_khr_int64_base_atomics and cl_khr_int64_extended_atomics, and OpenCL C
 * has no _Atomic keyword to spell the types.  So the types are their plain
 * integer types, and a call whose object is a 64-bit pointer calls the
 * builtin clang would have declared, by its mangled name, declared in a
 * statement expression; the SPIR-V translator turns it into the 64-bit
 * atomic instruction as it does every builtin call.  Other objects go to the
 * builtin as before.  Every association of a _Generic must compile for every
 * object without a warning (an error under -Werror): the 32-bit call gets a
 * dummy object and 0 for its values when the object is 64-bit, and each
 * 64-bit call a null pointer of its own type (__svmx_ptr) and 0 for its
 * values (__svmx_val) when the object is not its type.
 *
 * The name says the object's own address space (global "PU3AS1", local
 * "PU3AS3", generic "PU3AS4" where builds have generic pointers) and a
 * private expected value, which the compare-exchange copies in and out: the
 * translator reads the function from the name and the types from the call,
 * and clang declares other sets in different builds (rusticl 26.2's 2.0
 * builds have no generic overloads, 22.3's and 25.0's only generic ones).
 * The non-explicit functions are the explicit ones with
 * memory_order_seq_cst and memory_scope_device, as the specification defines
 * them.
 */
#define I64_NAME(fn, rest) "_Z" fn "PU3AS##n##VU7_Atomic##m##" rest
#define I64_CALL(ret, fn, rest, params, args) \
	"({" ret "/**/" I64_NAME(fn, rest) "(volatile/**/A/**/T*" params ");" \
	I64_NAME(fn, rest) "(__svmx_ptr(p,A,T)" args ");})"
#define I64_VALUE(fn, len) " -D__svmx_" fn "(A,T,m,n,p,v,o,s)=" \
	I64_CALL("T", len "atomic_" fn "_explicit", "m##12memory_order12memory_scope", \
		 ",T,int,int", ",__svmx_val(p,A,T,v),(o),__svmx_sc(s)")
#define I64_CAS(kind, len) " -D__svmx_" kind "(A,T,m,n,p,e,d,so,fo,s)=({" \
	"__typeof__(e)__svmx_ep=(e);T/**/__svmx_e=(T)*__svmx_ep;" \
	"bool/**/" I64_NAME(len "atomic_compare_exchange_" kind "_explicit", \
			    "P##m##m##12memory_orderS4_12memory_scope") \
	"(volatile/**/A/**/T*,private/**/T*,T,int,int,int);" \
	"bool/**/__svmx_r=" I64_NAME(len "atomic_compare_exchange_" kind "_explicit", \
				      "P##m##m##12memory_orderS4_12memory_scope") \
	"(__svmx_ptr(p,A,T),&__svmx_e,__svmx_val(p,A,T,d),(so),(fo),__svmx_sc(s));" \
	"if(!__svmx_r)*__svmx_ep=(__typeof__(*__svmx_ep))__svmx_e;__svmx_r;})"

/*
 * The 64-bit calls, each __svmx_<what>(A,T,m,n,...): A the object's address
 * space, T its type, m T mangled, n the address space in the name.
 */
static const char *const i64_calls[] = {
	I64_VALUE("fetch_add", "25"), I64_VALUE("fetch_sub", "25"), I64_VALUE("fetch_or", "24"),
	I64_VALUE("fetch_xor", "25"), I64_VALUE("fetch_and", "25"), I64_VALUE("fetch_min", "25"),
	I64_VALUE("fetch_max", "25"), I64_VALUE("exchange", "24"),
	" -D__svmx_load(A,T,m,n,p,o,s)="
	I64_CALL("T", "20atomic_load_explicit", "12memory_order12memory_scope", ",int,int",
		 ",(o),__svmx_sc(s)"),
	" -D__svmx_store_plain(A,T,m,n,p,v,o,s)="
	I64_CALL("void", "21atomic_store_explicit", "m##12memory_order12memory_scope",
		 ",T,int,int", ",__svmx_val(p,A,T,v),(o),__svmx_sc(s)"),
	" -D__svmx_init(A,T,m,n,p,v)=" I64_CALL("void", "11atomic_init", "m", ",T",
						",__svmx_val(p,A,T,v)"),
	I64_CAS("strong", "39"), I64_CAS("weak", "37"),
};

/*
 * atomic_double: its bits through the ulong calls.  Compare-exchange
 * compares representations anyway, and rusticl 22.3's translator asserts
 * (aborting the process) on a floating-point one (measured with float).
 * The fetch operations have no double form: selected, their call stays
 * unresolved and the build fails.  x is the mangled letter, unused.
 */
#define I64_DPTR "__svmx_dp(p,A)"
#define I64_DVAL(v) "as_ulong((double)(__svmx_val(p,A,double," v ")))"
#define I64_DCAS(kind) " -D__svmx_" kind "_d(A,T,x,n,p,e,d,so,fo,s)=({" \
	"__typeof__(e)__svmx_dep=(e);ulong/**/__svmx_de=as_ulong((double)*__svmx_dep);" \
	"bool/**/__svmx_dr=__svmx_" kind "(A,ulong,m,n," I64_DPTR ",&__svmx_de," I64_DVAL("d") \
	",so,fo,s);if(!__svmx_dr)*__svmx_dep=(__typeof__(*__svmx_dep))as_double(__svmx_de);" \
	"__svmx_dr;})"

static const char *const i64_double_calls[] = {
	" -D__svmx_dp(p,A)=((volatile/**/A/**/ulong*)__svmx_ptr(p,A,double))",
	" -D__svmx_load_d(A,T,x,n,p,o,s)=as_double(__svmx_load(A,ulong,m,n," I64_DPTR ",o,s))",
	" -D__svmx_exchange_d(A,T,x,n,p,v,o,s)=as_double(__svmx_exchange(A,ulong,m,n," I64_DPTR
	"," I64_DVAL("v") ",o,s))",
	" -D__svmx_store_d(A,T,x,n,p,v,o,s)=__svmx_store(A,ulong,m,n," I64_DPTR "," I64_DVAL("v")
	",o,s)",
	" -D__svmx_init_d(A,T,x,n,p,v)=__svmx_init(A,ulong,m,n," I64_DPTR "," I64_DVAL("v") ")",
	I64_DCAS("strong"), I64_DCAS("weak"),
};

/* A seq_cst store as an exchange (SVMX_WA_SEQ_CST_STORE), or as it is. */
#define I64_STORE_XCHG " -D__svmx_store(A,T,m,n,p,v,o,s)=((o)==memory_order_seq_cst" \
	"?(void)__svmx_exchange(A,T,m,n,p,v,o,s):__svmx_store_plain(A,T,m,n,p,v,o,s))"
#define I64_STORE " -D__svmx_store(A,T,m,n,p,v,o,s)=__svmx_store_plain(A,T,m,n,p,v,o,s)"

/* Each function: its parameters, the 64-bit call, and the call otherwise. */
struct i64_function {
	const char *name, *params, *call, *args, *call32;
};

#define P32 "__svmx_p32(p)"
#define V32 "__svmx_64(p,0,v)"
#define OS "__svmx_o(__VA_ARGS__),__svmx_s(__VA_ARGS__)"
#define I64_FN(fn) { "atomic_" fn "_explicit", "p,v,...", "__svmx_" fn, "p,v," OS, \
		     "atomic_" fn "_explicit(" P32 "," V32 ",__svmx_os(__VA_ARGS__))" }
#define I64_CAS_FN(kind) { "atomic_compare_exchange_" kind "_explicit", "p,e,d,so,...", \
	"__svmx_" kind, "p,e,d,so," OS, "atomic_compare_exchange_" kind "_explicit(" P32 \
	",__svmx_64(p,(private/**/int*)0,e),__svmx_64(p,0,d),so,__svmx_os(__VA_ARGS__))" }

static const struct i64_function i64_functions[] = {
	I64_FN("fetch_add"), I64_FN("fetch_sub"), I64_FN("fetch_or"), I64_FN("fetch_xor"),
	I64_FN("fetch_and"), I64_FN("fetch_min"), I64_FN("fetch_max"), I64_FN("exchange"),
	{ "atomic_load_explicit", "p,...", "__svmx_load", "p," OS,
	  "atomic_load_explicit(" P32 ",__svmx_os(__VA_ARGS__))" },
	{ "atomic_init", "p,v", "__svmx_init", "p,v", "atomic_init(" P32 "," V32 ")" },
	I64_CAS_FN("strong"), I64_CAS_FN("weak"),
};

/* The 32-bit store, with or without SVMX_WA_SEQ_CST_STORE. */
#define I64_STORE32_XCHG "((__svmx_o(__VA_ARGS__))==memory_order_seq_cst" \
	"?(void)atomic_exchange_explicit(" P32 "," V32 ",__VA_ARGS__)" \
	":atomic_store_explicit(" P32 "," V32 ",__svmx_os(__VA_ARGS__)))"
#define I64_STORE32 "atomic_store_explicit(" P32 "," V32 ",__svmx_os(__VA_ARGS__))"

/* Non-explicit functions. */
static const char *const i64_implicit[] = {
	" -Datomic_load(p)=atomic_load_explicit(p,memory_order_seq_cst,memory_scope_device)",
	" -Datomic_store(p,v)=atomic_store_explicit(p,v,memory_order_seq_cst,memory_scope_device)",
	" -Datomic_compare_exchange_strong(p,e,d)=atomic_compare_exchange_strong_explicit(p,e,d,"
	"memory_order_seq_cst,memory_order_seq_cst,memory_scope_device)",
	" -Datomic_compare_exchange_weak(p,e,d)=atomic_compare_exchange_weak_explicit(p,e,d,"
	"memory_order_seq_cst,memory_order_seq_cst,memory_scope_device)",
};
static const char *const i64_implicit_value[] = {
	"exchange", "fetch_add", "fetch_sub", "fetch_or", "fetch_xor", "fetch_and", "fetch_min",
	"fetch_max",
};

/* The legacy functions: name, mangled name up to "PU3AS", operands after the object. */
struct i64_legacy {
	const char *name, *mangled;
	int operands;
};

static const struct i64_legacy i64_legacy[] = {
	{ "atom_add", "_Z8atom_add", 1 }, { "atom_sub", "_Z8atom_sub", 1 },
	{ "atom_xchg", "_Z9atom_xchg", 1 }, { "atom_inc", "_Z8atom_inc", 0 },
	{ "atom_dec", "_Z8atom_dec", 0 }, { "atom_cmpxchg", "_Z12atom_cmpxchg", 2 },
	{ "atom_min", "_Z8atom_min", 1 }, { "atom_max", "_Z8atom_max", 1 },
	{ "atom_and", "_Z8atom_and", 1 }, { "atom_or", "_Z7atom_or", 1 },
	{ "atom_xor", "_Z8atom_xor", 1 },
};

struct i64_type {
	const char *name, *mangled;
};

/* double last: only where the device has doubles, never in the legacy functions. */
static const struct i64_type i64_types[] = { { "long", "l" }, { "ulong", "m" }, { "double", "d" } };
static const char *const i64_spaces[] = { "global", "local", "generic" };
static const int i64_as[] = { 1, 3, 4 };

/*
 * ",<object type>:<fmt>" for each 64-bit object type: long, ulong (and
 * double, with double_fmt), volatile or not, global or local (and generic).
 * The formats may use the address space, the type, its mangled letter and
 * the address space number of the name.
 */
static void i64_associations(struct text *t, bool generic, bool doubles, const char *fmt,
			     const char *double_fmt)
{
	for (size_t i = 0; i < (doubles ? 3 : 2); i++)
		for (size_t s = 0; s < (generic ? 3 : 2); s++)
			for (int vol = 1; vol >= 0; vol--) {
				add(t, ",%s%s/**/%s*:", vol ? "volatile/**/" : "", i64_spaces[s],
				    i64_types[i].name);
				add(t, i == 2 ? double_fmt : fmt, i64_spaces[s], i64_types[i].name,
				    i64_types[i].mangled, i64_as[s]);
			}
}

/* The extensions' macros and the legacy atom_* functions (every OpenCL C version). */
static void add_int64_legacy(struct text *t)
{
	add(t, " -Dcl_khr_int64_base_atomics=1 -Dcl_khr_int64_extended_atomics=1");
	add(t, " -D__svmx_ptr(p,A,T)=_Generic((p),volatile/**/A/**/T*:(p),A/**/T*:(p),"
	    "default:(volatile/**/A/**/T*)0)"
	    " -D__svmx_val(p,A,T,v)=_Generic((p),volatile/**/A/**/T*:(v),A/**/T*:(v),default:0)");
	add(t, " -D__svmx_l64(p,a,b)=_Generic((p)");
	i64_associations(t, false, false, "a", NULL);
	add(t, ",default:b)");
	add(t, " -D__svmx_lsel(p,F,d,...)=_Generic((p)");
	i64_associations(t, false, false, "F(%s,%s,%s,%d,__VA_ARGS__)", NULL);
	add(t, ",default:d)");
	for (size_t i = 0; i < sizeof(i64_legacy) / sizeof(*i64_legacy); i++) {
		const struct i64_legacy *f = &i64_legacy[i];
		static const char *const params[] = { "p", "p,v", "p,c,v" };
		static const char *const types[] = { "", ",T", ",T,T" };
		static const char *const args[] = { "", ",__svmx_val(p,A,T,v)",
						    ",__svmx_val(p,A,T,c),__svmx_val(p,A,T,v)" };
		static const char *const letters[] = { "", "##m", "##m##m" };
		static const char *const v32[] = { "", ",__svmx_l64(p,0,v)",
						   ",__svmx_l64(p,0,c),__svmx_l64(p,0,v)" };
		int n = f->operands;

		add(t, " -D__svmx_%s(A,T,m,n,%s)=({T/**/%sPU3AS##n##V##m%s(volatile/**/A/**/T*%s);"
		    "%sPU3AS##n##V##m%s(__svmx_ptr(p,A,T)%s);})", f->name, params[n], f->mangled,
		    letters[n], types[n], f->mangled, letters[n], args[n]);
		add(t, " -D%s(%s)=__svmx_lsel(p,__svmx_%s,%s(__svmx_l64(p,(volatile/**/global/**/"
		    "int*)0,p)%s),%s)", f->name, params[n], f->name, f->name, v32[n], params[n]);
	}
}

/*
 * The 2.0 atomics on the 64-bit types, with the scope mapping (__svmx_sc)
 * and seq_cst stores as the workarounds want them.
 */
static void add_int64(struct text *t, const struct svmx_device *dev, bool generic)
{
	bool xchg = svmx_wa(dev->workarounds, SVMX_WA_SEQ_CST_STORE);
	bool doubles = svmx_device_has_extension(dev, "cl_khr_fp64");

	add(t, " -Datomic_long=long -Datomic_ulong=ulong -Datomic_intptr_t=intptr_t"
	    " -Datomic_uintptr_t=uintptr_t -Datomic_size_t=size_t -Datomic_ptrdiff_t=ptrdiff_t");
	if (doubles)
		add(t, " -Datomic_double=double");
	add(t, " -D__svmx_o1(o)=o -D__svmx_o2(o,s)=o"
	    " -D__svmx_o(...)=__svmx_pick(__VA_ARGS__,__svmx_o2,__svmx_o1,)(__VA_ARGS__)"
	    " -D__svmx_s1(o)=memory_scope_device -D__svmx_s2(o,s)=s"
	    " -D__svmx_s(...)=__svmx_pick(__VA_ARGS__,__svmx_s2,__svmx_s1,)(__VA_ARGS__)");
	add(t, " -D__svmx_64(p,a,b)=_Generic((p)");
	i64_associations(t, generic, doubles, "a", "a");
	add(t, ",default:b)");
	add(t, " -D__svmx_p32(p)=__svmx_64(p,(volatile/**/global/**/atomic_int*)0,p)");
	add(t, " -D__svmx_sel(p,F,d,...)=_Generic((p)");
	i64_associations(t, generic, doubles, "F(%s,%s,%s,%d,__VA_ARGS__)",
			 "F##_d(%s,%s,%s,%d,__VA_ARGS__)");
	add(t, ",default:d)");
	for (size_t i = 0; i < sizeof(i64_calls) / sizeof(*i64_calls); i++)
		add(t, "%s", i64_calls[i]);
	add(t, "%s", xchg ? I64_STORE_XCHG : I64_STORE);
	for (size_t i = 0; doubles && i < sizeof(i64_double_calls) / sizeof(*i64_double_calls); i++)
		add(t, "%s", i64_double_calls[i]);
	/* The fetch operations: i64_implicit_value after "exchange". */
	for (size_t i = 1; doubles && i < sizeof(i64_implicit_value) / sizeof(*i64_implicit_value); i++)
		add(t, " -D__svmx_%s_d(A,T,x,n,p,v,o,s)=({double/**/__svmx_no_atomic_%s_on_atomic_double"
		    "(void);__svmx_no_atomic_%s_on_atomic_double();})", i64_implicit_value[i],
		    i64_implicit_value[i], i64_implicit_value[i]);
	for (size_t i = 0; i < sizeof(i64_functions) / sizeof(*i64_functions); i++) {
		const struct i64_function *f = &i64_functions[i];

		add(t, " -D%s(%s)=__svmx_sel(p,%s,%s,%s)", f->name, f->params, f->call, f->call32,
		    f->args);
	}
	add(t, " -Datomic_store_explicit(p,v,...)=__svmx_sel(p,__svmx_store,%s,p,v," OS ")",
	    xchg ? I64_STORE32_XCHG : I64_STORE32);
	for (size_t i = 0; i < sizeof(i64_implicit) / sizeof(*i64_implicit); i++)
		add(t, "%s", i64_implicit[i]);
	for (size_t i = 0; i < sizeof(i64_implicit_value) / sizeof(*i64_implicit_value); i++)
		add(t, " -Datomic_%s(p,v)=atomic_%s_explicit(p,v,memory_order_seq_cst,"
		    "memory_scope_device)", i64_implicit_value[i], i64_implicit_value[i]);
}

/* The atomic functions on 32-bit objects: scope mapping and seq_cst stores. */
static void add_atomic_functions(struct text *t, unsigned w)
{
	bool scope = svmx_wa(w, SVMX_WA_ALL_DEVICES_SCOPE);

	for (size_t i = 0; scope && i < sizeof(value_order_scope) / sizeof(*value_order_scope); i++)
		add(t, " -D%s(p,v,...)=%s(p,v,__svmx_os(__VA_ARGS__))", value_order_scope[i],
		    value_order_scope[i]);
	if (scope)
		add(t, " -D%s(p,...)=%s(p,__svmx_os(__VA_ARGS__))", order_scope[0], order_scope[0]);
	for (size_t i = 0; scope && i < sizeof(compare_exchange) / sizeof(*compare_exchange); i++)
		add(t, " -D%s(p,e,d,o,...)=%s(p,e,d,o,__svmx_os(__VA_ARGS__))", compare_exchange[i],
		    compare_exchange[i]);
	if (svmx_wa(w, SVMX_WA_SEQ_CST_STORE))
		add(t, "%s", SEQ_CST_STORE);
	else if (scope)
		add(t, "%s", STORE_SCOPE);
}

/* What a build on dev appends for the workarounds it has (malloc'd), or NULL. */
static char *extra_options(const struct svmx_device *dev, bool c3)
{
	unsigned w = dev->workarounds;
	bool scope = svmx_wa(w, SVMX_WA_ALL_DEVICES_SCOPE);
	bool int64 = svmx_wa(w, SVMX_WA_INT64_ATOMICS);
	struct text t = { 0 };

	add(&t, "%s", dev->defines);
	if (scope || int64 || svmx_wa(w, SVMX_WA_SEQ_CST_STORE) || svmx_wa(w, SVMX_WA_FENCE))
		add(&t, "%s%s", SCOPE_HELPERS, scope ? SCOPE_TO_DEVICE : SCOPE_AS_IS);
	if (int64) {
		/* Every atomic function on objects of any width, scopes and stores included. */
		add_int64_legacy(&t);
		add_int64(&t, dev, !c3 || svmx_device_has_feature(dev,
							"__opencl_c_generic_address_space"));
	} else {
		add_atomic_functions(&t, w);
	}
	/* The flags (order_scope after atomic_load_explicit) and the barriers. */
	for (size_t i = 1; scope && i < sizeof(order_scope) / sizeof(*order_scope); i++)
		add(&t, " -D%s(p,...)=%s(p,__svmx_os(__VA_ARGS__))", order_scope[i], order_scope[i]);
	for (size_t i = 0; scope && i < sizeof(barriers) / sizeof(*barriers); i++)
		add(&t, " -D%s(...)=%s(__svmx_os(__VA_ARGS__))", barriers[i], barriers[i]);
	if (svmx_wa(w, SVMX_WA_FENCE)) {
		uintptr_t word = svmx_fence_word();

		if (!word) {
			free(t.s);
			return NULL;	/* no page for it: the build fails as the driver's own */
		}
		add(&t, FULL_FENCE, (unsigned long)word);
	} else if (scope) {
		add(&t, "%s", FENCE_SCOPE);
	}
	if (t.failed || !t.len) {
		free(t.s);
		return NULL;
	}
	return t.s;
}

/* OpenCL C 1.x builds: the legacy 64-bit functions only. */
static char *legacy_options(const struct svmx_device *dev, const char *options)
{
	struct text t = { 0 };
	char *out = NULL;

	if (!svmx_wa(dev->workarounds, SVMX_WA_INT64_ATOMICS))
		return NULL;
	add_int64_legacy(&t);
	if (!t.failed)
		out = append(options, t.s);
	free(t.s);
	return out;
}

static char *options_for(const struct svmx_device *dev, const char *options, bool c3)
{
	char *extra, *out;

	/* PoCL's scope feature: its OpenCL C 2.0 has no such overloads at all. */
	if (!c3 && !svmx_wa(dev->workarounds, SVMX_WA_SVM_ATOMICS))
		return NULL;
	extra = extra_options(dev, c3);
	out = extra ? append(options, extra) : NULL;
	free(extra);
	return out;
}

char *svmx_build_options(const char *options, cl_uint ndevices,
			 const cl_device_id *devices)
{
	const char *std = cl_std(options);
	bool c3 = std_is(std, "CL3.0") || std_is(std, "CL3.1"), c2 = std_is(std, "CL2.0");

	for (cl_uint i = 0; i < ndevices; i++) {
		const struct svmx_device *dev = svmx_device_lookup(devices[i]);

		/* Devices of one program come from one driver: the first says it. */
		if (!svmx_device_touched(dev))
			continue;
		/* OpenCL C 1.x names no scopes: only its 64-bit atom_* functions. */
		if (!c3 && !c2)
			return legacy_options(dev, options);
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

/*
 * The driver's options for the program's first device are not passed: the
 * call that passed them was refused before building (a bad argument), and
 * the last build's options stand.  false when it cannot tell.
 */
static bool driver_refused(cl_program program, const char *passed)
{
	cl_device_id *devices = NULL;
	char *got = NULL;
	cl_uint n = 0;
	size_t size = 0;
	bool refused = false;

	if (svmx_next.clGetProgramInfo(program, CL_PROGRAM_NUM_DEVICES, sizeof(n), &n,
				       NULL) != CL_SUCCESS || !n)
		return false;
	devices = calloc(n, sizeof(*devices));
	if (devices &&
	    svmx_next.clGetProgramInfo(program, CL_PROGRAM_DEVICES, n * sizeof(*devices), devices,
				       NULL) == CL_SUCCESS &&
	    svmx_next.clGetProgramBuildInfo(program, devices[0], CL_PROGRAM_BUILD_OPTIONS, 0, NULL,
					    &size) == CL_SUCCESS && size &&
	    (got = calloc(1, size)) != NULL &&
	    svmx_next.clGetProgramBuildInfo(program, devices[0], CL_PROGRAM_BUILD_OPTIONS, size, got,
					    NULL) == CL_SUCCESS)
		refused = strcmp(got, passed ? passed : "") != 0;
	free(got);
	free(devices);
	return refused;
}

void svmx_build_options_remember(cl_program program, const char *options, bool changed)
{
	char *copy, *ours = changed ? svmx_build_options_for_program(options, program, 0, NULL) : NULL;
	bool refused = (!changed || ours) && driver_refused(program, changed ? ours : options);

	free(ours);
	if (refused)
		return;
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
	*err = svmx_info_answer(options, len, size, value, size_ret);
	return true;
}

bool svmx_build_options_any(void)
{
	return !svmx_handle_map_empty(&app_options);
}
