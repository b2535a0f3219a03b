#include "context.h"

#include "device.h"
#include "dispatch.h"
#include "handle_map.h"
#include "log.h"
#include "registry.h"

#include <stdlib.h>

static struct svmx_handle_map contexts = SVMX_HANDLE_MAP_INIT;

static void get(void *value)
{
	atomic_fetch_add_explicit(&((struct svmx_context *)value)->refs, 1,
				  memory_order_relaxed);
}

void svmx_context_put(struct svmx_context *ctx)
{
	if (atomic_fetch_sub_explicit(&ctx->refs, 1, memory_order_acq_rel) != 1)
		return;
	free(ctx->devices);
	free(ctx);
}

struct svmx_context *svmx_context_find(cl_context context)
{
	return svmx_handle_map_find(&contexts, context, get);
}

/* svmx serves a context only if it serves every device in it. */
static bool serves(struct svmx_context *ctx)
{
	for (cl_uint i = 0; i < ctx->ndevices; i++) {
		const struct svmx_device *dev = svmx_device_lookup(ctx->devices[i]);

		if (!dev || dev->role != SVMX_ROLE_EMULATE)
			return false;
		if (i == 0 || dev->max_alloc < ctx->max_alloc)
			ctx->max_alloc = dev->max_alloc;
	}
	return ctx->ndevices > 0;
}

void svmx_context_created(cl_context context)
{
	struct svmx_context *ctx = calloc(1, sizeof(*ctx));
	cl_uint n = 0;

	if (!ctx)
		return;
	ctx->handle = context;
	atomic_init(&ctx->app_refs, 1);
	atomic_init(&ctx->refs, 1);
	if (svmx_next.clGetContextInfo(context, CL_CONTEXT_NUM_DEVICES, sizeof(n), &n,
				       NULL) != CL_SUCCESS || n == 0)
		goto drop;
	ctx->devices = calloc(n, sizeof(*ctx->devices));
	if (!ctx->devices ||
	    svmx_next.clGetContextInfo(context, CL_CONTEXT_DEVICES, n * sizeof(*ctx->devices),
				       ctx->devices, NULL) != CL_SUCCESS)
		goto drop;
	ctx->ndevices = n;
	if (!serves(ctx) || !svmx_handle_map_insert(&contexts, context, ctx))
		goto drop;
	svmx_debug("context %p: svmx provides SVM", (void *)context);
	return;
drop:
	svmx_context_put(ctx);
}

void svmx_context_retained(cl_context context)
{
	struct svmx_context *ctx = svmx_context_find(context);

	if (ctx) {
		atomic_fetch_add(&ctx->app_refs, 1);
		svmx_context_put(ctx);
	}
}

static void free_leftover(struct svmx_alloc *alloc)
{
	svmx_info("context released with SVM allocation %p (%zu bytes) not freed: freeing it",
		  alloc->base, alloc->size);
	svmx_alloc_release_memory(alloc);
	svmx_alloc_put(alloc);
}

/*
 * Allocations left in a context the application has released: their memory
 * stays until the driver destroys the context, which it does only once the
 * queues, kernels and buffers still using the context (and so, maybe, the
 * memory) are gone too.
 */
struct orphans {
	size_t n, cap;
	struct svmx_alloc **allocs;
	/*
	 * Published before the driver may call back on another thread; the
	 * driver's own hand-over is invisible to ThreadSanitizer.
	 */
	atomic_bool ready;
};

static _Thread_local struct orphans *collecting;

static void collect(struct svmx_alloc *alloc)
{
	struct orphans *o = collecting;

	if (o->n == o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 8;
		struct svmx_alloc **grown = realloc(o->allocs, cap * sizeof(*grown));

		if (!grown) {
			free_leftover(alloc);
			return;
		}
		o->allocs = grown;
		o->cap = cap;
	}
	/* svmx's own buffers hold the context: let it go. */
	svmx_alloc_release_buffers(alloc);
	o->allocs[o->n++] = alloc;
}

static void free_orphans(struct orphans *o)
{
	for (size_t i = 0; i < o->n; i++)
		free_leftover(o->allocs[i]);
	free(o->allocs);
	free(o);
}

static void CL_CALLBACK context_destroyed(cl_context context, void *data)
{
	struct orphans *o = data;

	(void)context;
	if (atomic_load_explicit(&o->ready, memory_order_acquire))
		free_orphans(o);
}

static void release_allocations(cl_context context)
{
	struct orphans *o = svmx_next.clSetContextDestructorCallback ? calloc(1, sizeof(*o)) : NULL;

	if (!o) {
		svmx_registry_take_context(context, free_leftover);
		return;
	}
	collecting = o;
	svmx_registry_take_context(context, collect);
	collecting = NULL;
	if (!o->n) {
		free_orphans(o);
		return;
	}
	/* From here on o may be freed on the driver's thread at any time. */
	atomic_store_explicit(&o->ready, true, memory_order_release);
	if (svmx_next.clSetContextDestructorCallback(context, context_destroyed, o) != CL_SUCCESS) {
		svmx_warn("context %p: no destructor callback; freeing its SVM allocations now",
			  (void *)context);
		free_orphans(o);
	}
}

void svmx_context_releasing(cl_context context)
{
	struct svmx_context *ctx = svmx_context_find(context);

	if (!ctx)
		return;
	if (atomic_fetch_sub(&ctx->app_refs, 1) == 1) {
		svmx_handle_map_remove(&contexts, context);
		release_allocations(context);
		svmx_context_put(ctx);	/* the map's reference */
	}
	svmx_context_put(ctx);
}
