#include "context.h"

#include "device.h"
#include "dispatch.h"
#include "handle_map.h"
#include "log.h"
#include "registry.h"

#include <stdlib.h>

static struct svmx_handle_map contexts = SVMX_HANDLE_MAP_INIT;

static void free_context(struct svmx_tracked *t)
{
	struct svmx_context *ctx = svmx_tracked_entry(t, struct svmx_context, tracked);

	free(ctx->devices);
	free(ctx);
}

void svmx_context_get(struct svmx_context *ctx)
{
	svmx_tracked_get(&ctx->tracked);
}

void svmx_context_put(struct svmx_context *ctx)
{
	svmx_tracked_put(&ctx->tracked);
}

struct svmx_context *svmx_context_find(cl_context context)
{
	struct svmx_tracked *t = svmx_tracked_find(&contexts, context);

	return t ? svmx_tracked_entry(t, struct svmx_context, tracked) : NULL;
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
		ctx->workarounds = i == 0 ? dev->workarounds : ctx->workarounds & dev->workarounds;
		ctx->host_pointers = (i == 0 || ctx->host_pointers) &&
				     (dev->svm & CL_DEVICE_SVM_FINE_GRAIN_SYSTEM);
	}
	return ctx->ndevices > 0;
}

static void free_leftover(struct svmx_alloc *alloc)
{
	svmx_info("context gone with SVM allocation %p (%zu bytes) not freed: freeing it",
		  alloc->base, alloc->size);
	svmx_alloc_release_memory(alloc);
	svmx_alloc_put(alloc);
}

/*
 * The driver destroys the context: every queue, kernel, buffer and command
 * that could use its allocations is gone.  May run on a driver thread.
 */
static void CL_CALLBACK context_destroyed(cl_context context, void *data)
{
	struct svmx_context *ctx = data;

	svmx_tracked_remove(&contexts, context, &ctx->tracked);
	svmx_registry_take_context(context, free_leftover);
	svmx_context_put(ctx);	/* the callback's */
}

void svmx_context_created(cl_context context)
{
	struct svmx_context *ctx = calloc(1, sizeof(*ctx));
	cl_uint n = 0;

	if (!ctx)
		return;
	svmx_tracked_init(&ctx->tracked, free_context);
	ctx->handle = context;
	if (svmx_next.clGetContextInfo(context, CL_CONTEXT_NUM_DEVICES, sizeof(n), &n,
				       NULL) != CL_SUCCESS || n == 0)
		goto drop;
	ctx->devices = calloc(n, sizeof(*ctx->devices));
	if (!ctx->devices ||
	    svmx_next.clGetContextInfo(context, CL_CONTEXT_DEVICES, n * sizeof(*ctx->devices),
				       ctx->devices, NULL) != CL_SUCCESS)
		goto drop;
	ctx->ndevices = n;
	if (!serves(ctx))
		goto drop;
	/* Set before the record is shared; the callback holds a reference. */
	svmx_context_get(ctx);
	ctx->destructor = svmx_next.clSetContextDestructorCallback &&
			  svmx_next.clSetContextDestructorCallback(context, context_destroyed,
								   ctx) == CL_SUCCESS;
	if (!ctx->destructor) {
		svmx_context_put(ctx);
		svmx_warn("context %p: the driver cannot report its destruction; its SVM "
			  "allocations are freed at the application's last clReleaseContext",
			  (void *)context);
	}
	/* The driver may destroy the context only after the application releases it. */
	if (!svmx_handle_map_insert(&contexts, context, &ctx->tracked)) {
		svmx_error("cannot track context %p: no SVM in it", (void *)context);
		goto drop;	/* a destructor callback holds its own reference */
	}
	svmx_debug("context %p: svmx provides SVM", (void *)context);
	return;
drop:
	svmx_context_put(ctx);
}

void svmx_context_retained(cl_context context)
{
	svmx_tracked_retained(&contexts, context);
}

static void drop_buffers(struct svmx_alloc *alloc)
{
	svmx_alloc_release_buffers(alloc);
}

void svmx_context_releasing(cl_context context)
{
	/* Released before the buffers go: no new ones are kept from here on. */
	struct svmx_tracked *t = svmx_tracked_releasing(&contexts, context);

	if (!t)
		return;
	if (svmx_tracked_entry(t, struct svmx_context, tracked)->destructor) {
		svmx_registry_each_of_context(context, drop_buffers);
	} else {
		svmx_tracked_remove(&contexts, context, t);
		svmx_registry_take_context(context, free_leftover);
	}
	svmx_tracked_put(t);
}
