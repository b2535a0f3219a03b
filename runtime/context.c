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

void svmx_context_releasing(cl_context context)
{
	struct svmx_context *ctx = svmx_context_find(context);

	if (!ctx)
		return;
	if (atomic_fetch_sub(&ctx->app_refs, 1) == 1) {
		svmx_handle_map_remove(&contexts, context);
		svmx_registry_take_context(context, free_leftover);
		svmx_context_put(ctx);	/* the map's reference */
	}
	svmx_context_put(ctx);
}
