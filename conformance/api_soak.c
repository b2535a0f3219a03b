/*
 * A randomized soak of svmx's SVM API on rusticl: several threads, each with
 * its own contexts, queues, kernels and allocations, issue random valid and
 * invalid calls (clSVMAlloc, clSVMFree, clSetKernelArgSVMPointer,
 * clSetKernelExecInfo, every clEnqueueSVM*, kernel launches, clFinish,
 * clWaitForEvents, and the release of contexts, queues and kernels in random
 * order) and check each result against a model of what the OpenCL 3.0
 * specification (and, where it leaves things undefined, BAD_INPUTS.md)
 * requires: return codes, the data every command leaves (a shadow copy of
 * every allocation and of the host buffer), event status and type after
 * clFinish, and that the allocations of a destroyed context are freed.
 *
 * Bounded: --ops calls per thread (default 1000), --threads (default 3).  The
 * seed is printed; each thread's calls are a function of the seed and its
 * number only, so --seed S replays them (--only T runs thread T alone, which
 * replays it exactly).  Default seed: from the clock, or SVMX_SOAK_SEED.
 */
#include "cltest.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum {
	WORLDS = 2,		/* contexts per thread */
	MAX_ALLOCS = 10,
	MAX_EVENTS = 24,
	MAX_FREED = 16,
	MAX_BUILDS = 6,		/* program builds per thread (they are slow) */
	HOST_BYTES = 16384,
	MAX_THREADS = 8,
};

static const char *source =
	"kernel void add(global int *p, int v) { p[get_global_id(0)] += v; }\n";

struct m_alloc {
	char *p;
	size_t size;
	cl_svm_mem_flags flags;
	unsigned char *shadow;	/* what the memory holds once the queue is finished */
};

struct m_event {
	cl_event ev;
	cl_command_type type;
};

/* One context and what the thread holds in it. */
struct world {
	bool alive;		/* the context exists: something holds it */
	cl_context ctx;
	bool app_held;		/* the thread's own reference */
	cl_command_queue q;
	cl_program prog;
	cl_kernel k;
	struct m_alloc a[MAX_ALLOCS];
	int na;
	void *pending[MAX_ALLOCS * 2];	/* enqueued frees not known complete */
	int npending;
	void *freed[MAX_FREED];		/* freed pointers, for invalid calls */
	int nfreed;
	struct m_event ev[MAX_EVENTS];
	int nev;
	/* Host memory only this context's commands touch (queues run unordered). */
	unsigned char *host, *host_shadow;
};

struct soak {
	int id;
	uint64_t rng;
	uint64_t seed;
	int op, ops, builds;
	char what[160];		/* the call being made, for the failure report */
	cl_platform_id platform;
	cl_device_id device;
	struct world w[WORLDS];
	struct world *cur;	/* the context of the current call */
	bool system_svm;	/* any host pointer is a valid SVM pointer */
	bool failed;
	/* What the run covered, printed at the end. */
	unsigned calls, on_released, end_pointers, invalid, destroyed, kernels;
};

static uint64_t seed_all;
static int nthreads = 3, ops_per_thread = 1000, only = -1;
static atomic_int failures;
static pthread_mutex_t build_lock = PTHREAD_MUTEX_INITIALIZER;

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static size_t rnd(struct soak *s, size_t n)
{
	return n ? (size_t)(splitmix(&s->rng) % n) : 0;
}

static bool chance(struct soak *s, int percent)
{
	return (int)rnd(s, 100) < percent;
}

static void doing(struct soak *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->what, sizeof(s->what), fmt, ap);
	va_end(ap);
}

static void fail(struct soak *s, const char *fmt, ...)
{
	va_list ap;

	if (s->failed)
		return;
	s->failed = true;
	atomic_fetch_add(&failures, 1);
	flockfile(stderr);
	fprintf(stderr, "api_soak: seed %" PRIu64 " thread %d op %d (%s", s->seed, s->id, s->op,
		s->what);
	if (s->cur && s->cur->alive)
		fprintf(stderr, "; context %s by the application, held by%s%s%s",
			s->cur->app_held ? "held" : "released", s->cur->q ? " queue" : "",
			s->cur->k ? " kernel" : "", s->cur->prog ? " program" : "");
	fprintf(stderr, "): ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\napi_soak: replay with: api_soak --seed %" PRIu64 " --ops %d --only %d\n",
		s->seed, s->ops, s->id);
	funlockfile(stderr);
}

/* Check a status against the model's; false (and the thread stops) if wrong. */
#define EXPECT_ERR(s, got, want)                                                      \
	((got) == (want) ? true                                                        \
			 : (fail((s), "%s returned %s (%d), want %s (%d)", #got,       \
				 cltest_err_name(got), (int)(got), cltest_err_name(want), \
				 (int)(want)),                                          \
			    false))
#define EXPECT(s, cond) ((cond) ? true : (fail((s), "check failed: %s", #cond), false))

/* ---- the model's view of memory ---- */

/* The live allocation of w holding [p, p + len) (p may be its end if len is 0). */
static struct m_alloc *holder(struct world *w, const void *p, size_t len, bool end_ok)
{
	for (int i = 0; i < w->na; i++) {
		const char *b = w->a[i].p, *c = p;

		if (c >= b && (c < b + w->a[i].size || (end_ok && c == b + w->a[i].size)) &&
		    len <= (size_t)(b + w->a[i].size - c))
			return &w->a[i];
	}
	return NULL;
}

static bool in_any(struct world *w, const void *p)
{
	return holder(w, p, 0, true) != NULL;
}

static bool is_base(struct world *w, const void *p)
{
	for (int i = 0; i < w->na; i++)
		if (w->a[i].p == p)
			return true;
	return false;
}

/* Where the model keeps the bytes at p (an allocation's shadow or the host's). */
static unsigned char *shadow_of(struct world *w, const void *p)
{
	const unsigned char *c = p;
	struct m_alloc *a = holder(w, p, 0, false);

	if (a)
		return a->shadow + (c - (const unsigned char *)a->p);
	return w->host_shadow + (c - w->host);
}

static void forget_event(struct world *w, int i)
{
	clReleaseEvent(w->ev[i].ev);
	w->ev[i] = w->ev[--w->nev];
}

/* Keep ev (if the call returned one) for the checks after clFinish. */
static void keep_event(struct world *w, cl_event ev, cl_command_type type)
{
	if (!ev)
		return;
	if (w->nev == MAX_EVENTS)
		forget_event(w, 0);
	w->ev[w->nev++] = (struct m_event){ ev, type };
}

static cl_event *maybe_event(struct soak *s, cl_event *ev)
{
	*ev = NULL;
	return chance(s, 50) ? ev : NULL;
}

/* ---- lifetime ---- */

static bool open_world(struct soak *s, struct world *w)
{
	cl_int err;

	unsigned char *host = w->host, *host_shadow = w->host_shadow;

	memset(w, 0, sizeof(*w));
	w->host = host;
	w->host_shadow = host_shadow;
	if (s->builds >= MAX_BUILDS)
		return false;
	s->builds++;
	doing(s, "creating a context, queue and kernel");
	w->ctx = clCreateContext(NULL, 1, &s->device, NULL, NULL, &err);
	if (!EXPECT_ERR(s, err, CL_SUCCESS))
		return false;
	w->alive = w->app_held = true;
	w->q = clCreateCommandQueueWithProperties(w->ctx, s->device, NULL, &err);
	w->prog = clCreateProgramWithSource(w->ctx, 1, &source, NULL, &err);
	if (!w->q || !w->prog) {
		fail(s, "queue or program: %s", cltest_err_name(err));
		return false;
	}
	/*
	 * One build at a time: rusticl 22.3's SPIR-V translator shares tables
	 * between builds without locks (ThreadSanitizer sees it), and builds
	 * are not what this soak is about.
	 */
	pthread_mutex_lock(&build_lock);
	err = clBuildProgram(w->prog, 1, &s->device, "-cl-std=CL2.0", NULL, NULL);
	pthread_mutex_unlock(&build_lock);
	if (!EXPECT_ERR(s, err, CL_SUCCESS))
		return false;
	w->k = clCreateKernel(w->prog, "add", &err);
	return EXPECT_ERR(s, err, CL_SUCCESS);
}

/* Finish the queue; then every event is complete and every enqueued free done. */
static void finish(struct soak *s, struct world *w)
{
	if (!w->q)
		return;
	doing(s, "clFinish");
	if (!EXPECT_ERR(s, clFinish(w->q), CL_SUCCESS))
		return;
	for (int i = 0; i < w->nev && !s->failed; i++) {
		cl_int status = 1234;
		cl_command_type type = 0;

		clGetEventInfo(w->ev[i].ev, CL_EVENT_COMMAND_EXECUTION_STATUS, sizeof(status),
			       &status, NULL);
		clGetEventInfo(w->ev[i].ev, CL_EVENT_COMMAND_TYPE, sizeof(type), &type, NULL);
		doing(s, "event %d of %d after clFinish", i, w->nev);
		EXPECT(s, status == CL_COMPLETE);
		EXPECT(s, type == w->ev[i].type);
	}
	while (w->nev)
		forget_event(w, 0);
	for (int i = 0; i < w->npending; i++) {
		if (w->nfreed == MAX_FREED)
			w->nfreed--;
		w->freed[w->nfreed++] = w->pending[i];
	}
	w->npending = 0;
}

/* After a finish: every allocation and the host buffer hold what the model says. */
static void verify_memory(struct soak *s, struct world *w)
{
	for (int i = 0; i < w->na && !s->failed; i++) {
		struct m_alloc *a = &w->a[i];

		doing(s, "comparing allocation %p (%zu bytes) with the model", (void *)a->p,
		      a->size);
		if (memcmp(a->p, a->shadow, a->size) != 0) {
			size_t at = 0;

			while (a->p[at] == (char)a->shadow[at])
				at++;
			fail(s, "byte %zu is %#x, want %#x", at, (unsigned char)a->p[at],
			     a->shadow[at]);
		}
	}
	doing(s, "comparing the host buffer with the model");
	EXPECT(s, memcmp(w->host, w->host_shadow, HOST_BYTES) == 0);
}

static void drop_alloc(struct world *w, int i, bool pending)
{
	if (pending)
		w->pending[w->npending++] = w->a[i].p;
	free(w->a[i].shadow);
	w->a[i] = w->a[--w->na];
}

/*
 * The thread let go of its last holder of w's context: the driver destroys
 * it, and svmx must free every allocation left in it.
 */
static void destroyed(struct soak *s, struct world *w, struct cltest_mark *marks, int n)
{
	s->destroyed++;
	w->alive = false;
	for (int i = 0; i < n && !s->failed; i++) {
		doing(s, "context destroyed: allocation %d of %d left in it", i, n);
		EXPECT(s, cltest_gone_within(&marks[i], 5));
	}
	while (w->na)
		drop_alloc(w, 0, false);
	w->nfreed = w->npending = 0;
}

/* Release one holder of the context (which = 0 context, 1 queue, 2 kernel, 3 program). */
static void release_one(struct soak *s, struct world *w, int which)
{
	struct cltest_mark marks[MAX_ALLOCS];
	bool last;

	finish(s, w);
	verify_memory(s, w);
	if (s->failed)
		return;
	if (which == 1 && w->q) {
		/* Events hold the queue and the context: let them go first. */
		while (w->nev)
			forget_event(w, 0);
	}
	last = (which == 0 && w->app_held && !w->q && !w->k && !w->prog) ||
	       (which == 1 && w->q && !w->app_held && !w->k && !w->prog) ||
	       (which == 2 && w->k && !w->app_held && !w->q && !w->prog) ||
	       (which == 3 && w->prog && !w->app_held && !w->q && !w->k);
	if (last)
		for (int i = 0; i < w->na; i++)
			cltest_mark(&marks[i], w->a[i].p);
	switch (which) {
	case 0:
		if (!w->app_held)
			return;
		doing(s, "clReleaseContext (q %d, k %d, prog %d left)", !!w->q, !!w->k, !!w->prog);
		w->app_held = false;
		EXPECT_ERR(s, clReleaseContext(w->ctx), CL_SUCCESS);
		break;
	case 1:
		if (!w->q)
			return;
		doing(s, "clReleaseCommandQueue");
		EXPECT_ERR(s, clReleaseCommandQueue(w->q), CL_SUCCESS);
		w->q = NULL;
		break;
	case 2:
		if (!w->k)
			return;
		doing(s, "clReleaseKernel");
		EXPECT_ERR(s, clReleaseKernel(w->k), CL_SUCCESS);
		w->k = NULL;
		break;
	default:
		if (!w->prog)
			return;
		doing(s, "clReleaseProgram");
		EXPECT_ERR(s, clReleaseProgram(w->prog), CL_SUCCESS);
		w->prog = NULL;
		break;
	}
	if (last)
		destroyed(s, w, marks, w->na);
}

/* ---- the calls ---- */

static const cl_svm_mem_flags valid_flags[] = {
	0,
	CL_MEM_READ_WRITE,
	CL_MEM_READ_ONLY,
	CL_MEM_WRITE_ONLY,
	CL_MEM_SVM_FINE_GRAIN_BUFFER,
	CL_MEM_READ_WRITE | CL_MEM_SVM_FINE_GRAIN_BUFFER,
	CL_MEM_SVM_FINE_GRAIN_BUFFER | CL_MEM_SVM_ATOMICS,
	CL_MEM_READ_WRITE | CL_MEM_SVM_FINE_GRAIN_BUFFER | CL_MEM_SVM_ATOMICS,
};

static void op_alloc(struct soak *s, struct world *w)
{
	if (chance(s, 20)) {
		static const struct {
			cl_svm_mem_flags flags;
			size_t size;
			cl_uint align;
		} bad[] = {
			{ CL_MEM_READ_WRITE, 0, 0 },
			{ CL_MEM_SVM_ATOMICS, 64, 0 },
			{ CL_MEM_READ_ONLY | CL_MEM_WRITE_ONLY, 64, 0 },
			{ CL_MEM_USE_HOST_PTR, 64, 0 },
			{ CL_MEM_READ_WRITE, 64, 3 },
			{ CL_MEM_READ_WRITE, 64, 1u << 30 },
			{ CL_MEM_READ_WRITE, SIZE_MAX / 2, 0 },
		};
		size_t i = rnd(s, sizeof(bad) / sizeof(bad[0]));

		doing(s, "clSVMAlloc(flags %#llx, size %zu, alignment %u), invalid",
		      (unsigned long long)bad[i].flags, bad[i].size, bad[i].align);
		void *p = clSVMAlloc(w->ctx, bad[i].flags, bad[i].size, bad[i].align);

		if (!EXPECT(s, p == NULL))
			clSVMFree(w->ctx, p);
		return;
	}
	if (w->na == MAX_ALLOCS)
		return;
	cl_svm_mem_flags flags = valid_flags[rnd(s, sizeof(valid_flags) / sizeof(valid_flags[0]))];
	size_t size = chance(s, 30) ? 4096 * (1 + rnd(s, 3)) : 1 + rnd(s, 3 * 4096);
	cl_uint align = chance(s, 30) ? 1u << rnd(s, 14) : 0;

	doing(s, "clSVMAlloc(flags %#llx, size %zu, alignment %u)", (unsigned long long)flags,
	      size, align);
	char *p = clSVMAlloc(w->ctx, flags, size, align);

	if (!EXPECT(s, p != NULL) || !EXPECT(s, !align || (uintptr_t)p % align == 0))
		return;
	struct m_alloc *a = &w->a[w->na++];

	a->p = p;
	a->size = size;
	a->flags = flags;
	a->shadow = malloc(size);
	for (size_t i = 0; i < size; i++)
		a->shadow[i] = (unsigned char)rnd(s, 256);
	memcpy(p, a->shadow, size);
	/* A new allocation may reuse a freed address. */
	for (int i = 0; i < w->nfreed;) {
		if (in_any(w, w->freed[i]))
			w->freed[i] = w->freed[--w->nfreed];
		else
			i++;
	}
}

/* A pointer no allocation of w holds (or ends at), for invalid calls. */
static void *outside(struct soak *s, struct world *w, struct world *other)
{
	for (int tries = 0; tries < 8; tries++) {
		void *p;

		switch (rnd(s, 4)) {
		case 0:
			p = w->host + rnd(s, HOST_BYTES);
			break;
		case 1:
			p = w->nfreed ? w->freed[rnd(s, w->nfreed)] : NULL;
			break;
		case 2:	/* two past the end */
			if (w->na) {
				struct m_alloc *a = &w->a[rnd(s, w->na)];

				p = a->p + a->size + 1;
			} else {
				p = NULL;
			}
			break;
		default:
			p = other && other->alive && other->na ? other->a[rnd(s, other->na)].p : NULL;
			break;
		}
		if (p && !in_any(w, p))
			return p;
	}
	return NULL;
}

static void op_free(struct soak *s, struct world *w, struct world *other)
{
	if (chance(s, 30) || !w->na) {
		void *p = chance(s, 30) && w->na ? w->a[rnd(s, w->na)].p + 1 : outside(s, w, other);

		/* Ignored (BAD_INPUTS.md): nothing in the model changes, the next checks see it. */
		if (p && !is_base(w, p)) {
			doing(s, "clSVMFree(%p), not an allocation of this context", p);
			clSVMFree(w->ctx, p);
		}
		return;
	}
	int i = (int)rnd(s, w->na);

	/* Commands using it must be done: freeing under them is the application's fault. */
	finish(s, w);
	verify_memory(s, w);
	if (s->failed)
		return;
	doing(s, "clSVMFree(%p)", (void *)w->a[i].p);
	clSVMFree(w->ctx, w->a[i].p);
	if (w->nfreed < MAX_FREED)
		w->freed[w->nfreed++] = w->a[i].p;
	drop_alloc(w, i, false);
}

static void op_set_arg(struct soak *s, struct world *w, struct world *other)
{
	cl_int want = CL_SUCCESS;
	void *p = NULL;

	if (!w->k)
		return;
	switch (rnd(s, 6)) {
	case 0:	/* NULL */
		break;
	case 1:
	case 2:	/* in an allocation */
		if (w->na) {
			struct m_alloc *a = &w->a[rnd(s, w->na)];

			p = a->p + rnd(s, a->size);
		}
		break;
	case 3:	/* one past the end */
		if (w->na) {
			struct m_alloc *a = &w->a[rnd(s, w->na)];

			p = a->p + a->size;
		}
		break;
	default:
		p = outside(s, w, other);
		want = p && !s->system_svm ? CL_INVALID_ARG_VALUE : CL_SUCCESS;
		break;
	}
	s->end_pointers += want == CL_SUCCESS && p && !holder(w, p, 0, false) &&
			   holder(w, p, 0, true);
	s->invalid += want != CL_SUCCESS;
	struct m_alloc *a = p ? holder(w, p, 0, true) : NULL;

	if (a)
		doing(s, "clSetKernelArgSVMPointer(k, 0, %p): %s %zu of a %zu-byte allocation", p,
		      (char *)p == a->p + a->size ? "one past the end, offset" : "offset",
		      (size_t)((char *)p - a->p), a->size);
	else
		doing(s, "clSetKernelArgSVMPointer(k, 0, %p): %s", p,
		      p ? "outside every allocation of the context" : "NULL");
	EXPECT_ERR(s, clSetKernelArgSVMPointer(w->k, 0, p), want);
}

static void op_exec_info(struct soak *s, struct world *w, struct world *other)
{
	void *ptrs[4];
	size_t n = rnd(s, 5);
	cl_int want = CL_SUCCESS;

	if (!w->k)
		return;
	for (size_t i = 0; i < n; i++) {
		if (w->na && !chance(s, 15)) {
			struct m_alloc *a = &w->a[rnd(s, w->na)];

			ptrs[i] = a->p + rnd(s, a->size + 1);	/* the end too */
		} else {
			ptrs[i] = outside(s, w, other);
			if (!ptrs[i] && w->na)
				ptrs[i] = w->a[0].p;
			else if (!ptrs[i])
				n = i;
			else if (!s->system_svm)
				want = CL_INVALID_VALUE;
		}
	}
	doing(s, "clSetKernelExecInfo(SVM_PTRS, %zu pointers)", n);
	EXPECT_ERR(s, clSetKernelExecInfo(w->k, CL_KERNEL_EXEC_INFO_SVM_PTRS, n * sizeof(void *),
					  n ? ptrs : NULL),
		   want);
}

/* A random range: in an allocation (size 0..rest), or in the host buffer. */
static char *range(struct soak *s, struct world *w, size_t *len, bool svm_only)
{
	if (w->na && (svm_only || chance(s, 70))) {
		struct m_alloc *a = &w->a[rnd(s, w->na)];
		size_t off = rnd(s, a->size);

		*len = rnd(s, a->size - off + 1);
		return a->p + off;
	}
	size_t off = rnd(s, HOST_BYTES);

	*len = rnd(s, HOST_BYTES - off + 1);
	return (char *)w->host + off;
}

static void op_memcpy(struct soak *s, struct world *w)
{
	size_t dlen, slen, len;
	char *dst = range(s, w, &dlen, false), *src = range(s, w, &slen, false);
	cl_bool blocking = chance(s, 50);
	cl_int want = CL_SUCCESS;
	cl_event ev;

	if (!w->q)
		return;
	len = dlen < slen ? dlen : slen;
	if (chance(s, 15) && w->na) {
		/* Runs past the end of an allocation. */
		struct m_alloc *a = &w->a[rnd(s, w->na)];
		size_t off = rnd(s, a->size + 1);

		dst = a->p + off;
		src = (char *)w->host;
		len = a->size - off + 1 + rnd(s, 64);
		if (len > HOST_BYTES)
			return;
		want = CL_INVALID_VALUE;
	} else if (len && (dst < src ? (size_t)(src - dst) < len : (size_t)(dst - src) < len)) {
		want = CL_MEM_COPY_OVERLAP;
	}
	cl_event *evp = maybe_event(s, &ev);

	doing(s, "clEnqueueSVMMemcpy(%s, %p, %p, %zu)", blocking ? "blocking" : "non-blocking",
	      (void *)dst, (void *)src, len);
	if (!EXPECT_ERR(s, clEnqueueSVMMemcpy(w->q, blocking, dst, src, len, 0, NULL, evp), want))
		return;
	if (want == CL_SUCCESS) {
		if (len)
			memmove(shadow_of(w, dst), shadow_of(w, src), len);
		keep_event(w, ev, CL_COMMAND_SVM_MEMCPY);
	}
}

static void op_fill(struct soak *s, struct world *w, struct world *other)
{
	size_t ps = (size_t)1 << rnd(s, 8), len;
	unsigned char pattern[128];
	cl_int want = CL_SUCCESS;
	char *p;
	cl_event ev;

	if (!w->q || !w->na)
		return;
	for (size_t i = 0; i < ps; i++)
		pattern[i] = (unsigned char)rnd(s, 256);
	struct m_alloc *a = &w->a[rnd(s, w->na)];

	if (a->size < ps)
		return;
	size_t off = rnd(s, a->size / ps) * ps;

	p = a->p + off;
	len = rnd(s, (a->size - off) / ps + 1) * ps;
	switch (rnd(s, 8)) {
	case 0:
		len = ((a->size - off) / ps + 1) * ps;	/* past the end */
		want = CL_INVALID_VALUE;
		break;
	case 1:
		if (ps > 1) {
			p++;	/* misaligned */
			want = CL_INVALID_VALUE;
		}
		break;
	case 2:
		if (s->system_svm) {
			/* Any host memory is SVM memory: fill the host buffer. */
			off = rnd(s, HOST_BYTES / ps) * ps;
			p = (char *)w->host + off;
			len = rnd(s, (HOST_BYTES - off) / ps + 1) * ps;
			if ((uintptr_t)p % ps)
				return;
			break;
		}
		p = outside(s, w, other);
		if (!p || (uintptr_t)p % ps)
			return;
		want = CL_INVALID_VALUE;
		break;
	default:
		break;
	}
	cl_event *evp = maybe_event(s, &ev);

	doing(s, "clEnqueueSVMMemFill(%p, pattern %zu bytes, %zu)", (void *)p, ps, len);
	if (!EXPECT_ERR(s, clEnqueueSVMMemFill(w->q, p, pattern, ps, len, 0, NULL, evp), want))
		return;
	if (want == CL_SUCCESS) {
		for (size_t i = 0; i < len; i++)
			shadow_of(w, p)[i] = pattern[i % ps];
		keep_event(w, ev, CL_COMMAND_SVM_MEMFILL);
	}
}

static void op_map_unmap(struct soak *s, struct world *w)
{
	size_t len;
	char *p;
	cl_int want = CL_SUCCESS;
	cl_event ev;

	if (!w->q || !w->na)
		return;
	p = range(s, w, &len, true);
	if (chance(s, 15)) {
		struct m_alloc *a = holder(w, p, 0, false);

		len = (size_t)(a->p + a->size - p) + 1;	/* past the end */
		want = CL_INVALID_VALUE;
	} else if (!len) {
		want = CL_INVALID_VALUE;
	}
	cl_event *evp = maybe_event(s, &ev);

	doing(s, "clEnqueueSVMMap(%p, %zu)", (void *)p, len);
	if (!EXPECT_ERR(s, clEnqueueSVMMap(w->q, chance(s, 50), CL_MAP_READ | CL_MAP_WRITE, p, len,
					   0, NULL, evp), want) ||
	    want != CL_SUCCESS)
		return;
	keep_event(w, ev, CL_COMMAND_SVM_MAP);
	evp = maybe_event(s, &ev);
	doing(s, "clEnqueueSVMUnmap(%p)", (void *)p);
	if (EXPECT_ERR(s, clEnqueueSVMUnmap(w->q, p, 0, NULL, evp), CL_SUCCESS))
		keep_event(w, ev, CL_COMMAND_SVM_UNMAP);
}

static void op_migrate(struct soak *s, struct world *w)
{
	const void *ptrs[3];
	size_t sizes[3], n = 1 + rnd(s, 3);
	bool with_sizes = chance(s, 50);
	cl_event ev;

	if (!w->q || !w->na)
		return;
	for (size_t i = 0; i < n; i++) {
		size_t len;

		ptrs[i] = range(s, w, &len, true);
		sizes[i] = len;
	}
	cl_event *evp = maybe_event(s, &ev);

	doing(s, "clEnqueueSVMMigrateMem(%zu ranges)", n);
	if (EXPECT_ERR(s, clEnqueueSVMMigrateMem(w->q, (cl_uint)n, ptrs, with_sizes ? sizes : NULL,
						 chance(s, 50) ? CL_MIGRATE_MEM_OBJECT_HOST : 0,
						 0, NULL, evp),
		       CL_SUCCESS))
		keep_event(w, ev, CL_COMMAND_SVM_MIGRATE_MEM);
}

static void op_enqueue_free(struct soak *s, struct world *w, struct world *other)
{
	void *ptrs[4];	/* up to 3 allocations and a NULL */
	cl_uint n = 0;
	cl_event ev;

	if (!w->q)
		return;
	if (chance(s, 25)) {
		void *bad = chance(s, 50) && w->na ? w->a[rnd(s, w->na)].p + 1 : outside(s, w, other);

		if (!bad || is_base(w, bad))
			return;
		doing(s, "clEnqueueSVMFree(%p), not an allocation of this context", bad);
		EXPECT_ERR(s, clEnqueueSVMFree(w->q, 1, &bad, NULL, NULL, 0, NULL, NULL),
			   CL_INVALID_VALUE);
		return;
	}
	while (n < 3 && w->na && chance(s, 60)) {
		int i = (int)rnd(s, w->na);

		ptrs[n++] = w->a[i].p;
		drop_alloc(w, i, true);
	}
	if (chance(s, 20))
		ptrs[n++] = NULL;	/* ignored */
	cl_event *evp = maybe_event(s, &ev);

	doing(s, "clEnqueueSVMFree(%u pointers)", n);
	if (EXPECT_ERR(s, clEnqueueSVMFree(w->q, n, n ? ptrs : NULL, NULL, NULL, 0, NULL, evp),
		       CL_SUCCESS))
		keep_event(w, ev, CL_COMMAND_SVM_FREE);
}

static void op_kernel(struct soak *s, struct world *w)
{
	cl_int v = (cl_int)rnd(s, 1000) - 500;
	size_t off, n;
	struct m_alloc *a;

	if (!w->q || !w->k || !w->na)
		return;
	a = &w->a[rnd(s, w->na)];
	if (a->size < 4 || (a->flags & (CL_MEM_READ_ONLY | CL_MEM_WRITE_ONLY)))
		return;
	off = rnd(s, a->size / 4) * 4;
	n = (a->size - off) / 4;
	if (n > 1024)
		n = 1024;
	if (!n)
		return;
	s->kernels++;
	doing(s, "kernel add(%p, %d) over %zu items", (void *)(a->p + off), v, n);
	if (!EXPECT_ERR(s, clSetKernelArgSVMPointer(w->k, 0, a->p + off), CL_SUCCESS) ||
	    !EXPECT_ERR(s, clSetKernelArg(w->k, 1, sizeof(v), &v), CL_SUCCESS) ||
	    !EXPECT_ERR(s, clEnqueueNDRangeKernel(w->q, w->k, 1, NULL, &n, NULL, 0, NULL, NULL),
			CL_SUCCESS))
		return;
	for (size_t i = 0; i < n; i++) {
		int32_t x;

		memcpy(&x, a->shadow + off + 4 * i, 4);
		x = (int32_t)((uint32_t)x + (uint32_t)v);
		memcpy(a->shadow + off + 4 * i, &x, 4);
	}
}

static void op_bad_wait_list(struct soak *s, struct world *w)
{
	size_t len;
	char *p;

	if (!w->q || !w->na)
		return;
	p = range(s, w, &len, true);
	doing(s, "an SVM command with num_events 1 and no list");
	switch (rnd(s, 3)) {
	case 0:
		EXPECT_ERR(s, clEnqueueSVMMemcpy(w->q, CL_FALSE, p, w->host, len, 1, NULL, NULL),
			   CL_INVALID_EVENT_WAIT_LIST);
		break;
	case 1:
		EXPECT_ERR(s, clEnqueueSVMUnmap(w->q, p, 1, NULL, NULL), CL_INVALID_EVENT_WAIT_LIST);
		break;
	default:
		EXPECT_ERR(s, clEnqueueSVMFree(w->q, 0, NULL, NULL, NULL, 1, NULL, NULL),
			   CL_INVALID_EVENT_WAIT_LIST);
		break;
	}
}

static void op_wait(struct soak *s, struct world *w)
{
	cl_int status = 1234;
	int i;

	if (!w->nev)
		return;
	i = (int)rnd(s, w->nev);
	doing(s, "clWaitForEvents on an event of type %#x", w->ev[i].type);
	if (!EXPECT_ERR(s, clWaitForEvents(1, &w->ev[i].ev), CL_SUCCESS))
		return;
	clGetEventInfo(w->ev[i].ev, CL_EVENT_COMMAND_EXECUTION_STATUS, sizeof(status), &status,
		       NULL);
	EXPECT(s, status == CL_COMPLETE);
}

static void op_retain_context(struct soak *s, struct world *w)
{
	cl_context c = NULL;

	if (w->app_held || !w->q)
		return;
	doing(s, "clRetainContext of the queue's context");
	if (EXPECT_ERR(s, clGetCommandQueueInfo(w->q, CL_QUEUE_CONTEXT, sizeof(c), &c, NULL),
		       CL_SUCCESS) &&
	    EXPECT(s, c == w->ctx) && EXPECT_ERR(s, clRetainContext(c), CL_SUCCESS))
		w->app_held = true;
}

static void op_recreate(struct soak *s, struct world *w)
{
	cl_int err;

	if (w->app_held && !w->q) {
		doing(s, "a new queue");
		w->q = clCreateCommandQueueWithProperties(w->ctx, s->device, NULL, &err);
		EXPECT_ERR(s, err, CL_SUCCESS);
	} else if (w->prog && !w->k) {
		doing(s, "a new kernel");
		w->k = clCreateKernel(w->prog, "add", &err);
		EXPECT_ERR(s, err, CL_SUCCESS);
	}
}

static void step(struct soak *s)
{
	int wi = (int)rnd(s, WORLDS);
	struct world *w = &s->w[wi], *other = &s->w[1 - wi];
	size_t r;

	s->cur = w;
	if (!w->alive) {
		if (chance(s, 30))
			open_world(s, w);
		return;
	}
	s->calls++;
	s->on_released += !w->app_held;
	r = rnd(s, 100);
	if (r < 12)
		op_alloc(s, w);
	else if (r < 17)
		op_free(s, w, other);
	else if (r < 29)
		op_set_arg(s, w, other);
	else if (r < 34)
		op_exec_info(s, w, other);
	else if (r < 44)
		op_memcpy(s, w);
	else if (r < 52)
		op_fill(s, w, other);
	else if (r < 56)
		op_map_unmap(s, w);
	else if (r < 59)
		op_migrate(s, w);
	else if (r < 64)
		op_enqueue_free(s, w, other);
	else if (r < 76)
		op_kernel(s, w);
	else if (r < 78)
		op_bad_wait_list(s, w);
	else if (r < 81)
		op_wait(s, w);
	else if (r < 87) {
		finish(s, w);
		verify_memory(s, w);
	} else if (r < 89)
		release_one(s, w, 0);
	else if (r < 90)
		op_retain_context(s, w);
	else if (r < 92)
		release_one(s, w, 1 + (int)rnd(s, 3));
	else
		op_recreate(s, w);
}

static void *soak_thread(void *arg)
{
	struct soak *s = arg;

	for (int i = 0; i < WORLDS; i++) {
		s->w[i].host = malloc(HOST_BYTES);
		s->w[i].host_shadow = malloc(HOST_BYTES);
		for (size_t j = 0; j < HOST_BYTES; j++)
			s->w[i].host[j] = s->w[i].host_shadow[j] = (unsigned char)rnd(s, 256);
	}
	for (int i = 0; i < WORLDS && !s->failed; i++)
		open_world(s, &s->w[i]);
	for (s->op = 0; s->op < s->ops && !s->failed; s->op++)
		step(s);
	/* Let everything go, in a random order, and check what remains. */
	for (int i = 0; i < WORLDS && !s->failed; i++) {
		struct world *w = &s->w[i];
		int order[4] = { 0, 1, 2, 3 };

		for (int j = 3; j > 0; j--) {
			int k = (int)rnd(s, (size_t)j + 1), t = order[j];

			order[j] = order[k];
			order[k] = t;
		}
		for (int j = 0; j < 4 && w->alive && !s->failed; j++)
			release_one(s, w, order[j]);
	}
	for (int i = 0; i < WORLDS; i++) {
		free(s->w[i].host);
		free(s->w[i].host_shadow);
	}
	return NULL;
}

CLTEST(random_valid_and_invalid_svm_calls)
{
	struct soak soaks[MAX_THREADS];
	pthread_t threads[MAX_THREADS];

	printf("api_soak: seed %" PRIu64 ", %d threads, %d calls each%s\n", seed_all, nthreads,
	       ops_per_thread, only >= 0 ? " (one thread)" : "");
	fflush(stdout);
	atomic_store(&failures, 0);
	for (int t = 0; t < nthreads; t++) {
		struct soak *s = &soaks[t];

		memset(s, 0, sizeof(*s));
		s->id = t;
		s->seed = seed_all;
		s->rng = seed_all * 0x2545f4914f6cdd1dull + (uint64_t)t + 1;
		s->ops = ops_per_thread;
		s->platform = env->platform;
		s->device = env->device;
		s->system_svm = cltest_system_svm(env);
		if (only >= 0 && only != t)
			continue;
		CHECK(pthread_create(&threads[t], NULL, soak_thread, s) == 0);
	}
	for (int t = 0; t < nthreads; t++)
		if (only < 0 || only == t)
			pthread_join(threads[t], NULL);
	for (int t = 0; t < nthreads; t++) {
		struct soak *s = &soaks[t];

		if (only < 0 || only == t)
			printf("api_soak: thread %d: %u calls, %u in contexts it had released, %u "
			       "kernels, %u one-past-the-end arguments, %u invalid arguments, %u "
			       "contexts destroyed%s\n",
			       t, s->calls, s->on_released, s->kernels, s->end_pointers, s->invalid,
			       s->destroyed, s->failed ? " (stopped at the failure)" : "");
	}
	CHECK(atomic_load(&failures) == 0);
}

int main(int argc, char **argv)
{
	const char *env_seed = getenv("SVMX_SOAK_SEED");
	char *rest[2] = { argv[0], NULL };
	int nrest = 1;

	seed_all = env_seed ? strtoull(env_seed, NULL, 0)
			    : (uint64_t)time(NULL) * 1000003u ^ (uint64_t)getpid();
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
			seed_all = strtoull(argv[++i], NULL, 0);
		else if (strcmp(argv[i], "--ops") == 0 && i + 1 < argc)
			ops_per_thread = atoi(argv[++i]);
		else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc)
			nthreads = atoi(argv[++i]);
		else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc)
			only = atoi(argv[++i]);
		else if (nrest < 2)
			rest[nrest++] = argv[i];
	}
	if (nthreads < 1 || nthreads > MAX_THREADS || ops_per_thread < 0 || only >= MAX_THREADS) {
		fprintf(stderr, "usage: api_soak [--seed N] [--ops N] [--threads 1..%d] [--only T]\n",
			MAX_THREADS);
		return 2;
	}
	if (only >= nthreads)
		nthreads = only + 1;
	return cltest_run(nrest, rest, "rusticl");
}
