/*
 * Every live svmx allocation, ordered by address, so that any interior
 * pointer finds the allocation holding it in O(log n).
 */
#ifndef SVMX_REGISTRY_H
#define SVMX_REGISTRY_H

#include "allocation.h"

#include <stdbool.h>

bool svmx_registry_add(struct svmx_alloc *alloc);

/*
 * The allocation containing p, with a reference the caller puts, or NULL.
 * If context is not NULL only that context's allocations count.
 */
struct svmx_alloc *svmx_registry_find(const void *p, cl_context context);

/*
 * Like svmx_registry_find, but p may also be one past the end of an
 * allocation (base + size), as kernel arguments and exec info may be.
 */
struct svmx_alloc *svmx_registry_find_end(const void *p, cl_context context);

/* Unregister the allocation starting exactly at base in context, if any. */
struct svmx_alloc *svmx_registry_take(const void *base, cl_context context);

/* Call fn on every allocation of context, each held for the call. */
void svmx_registry_each_of_context(cl_context context, void (*fn)(struct svmx_alloc *alloc));

/* Unregister every allocation of context; calls out on each. */
void svmx_registry_take_context(cl_context context,
				void (*out)(struct svmx_alloc *alloc));

#endif
