#include "tracked.h"

void svmx_tracked_init(struct svmx_tracked *t, void (*free)(struct svmx_tracked *t))
{
	atomic_init(&t->refs, 1);
	atomic_init(&t->app_refs, 1);
	t->free = free;
}

void svmx_tracked_get(struct svmx_tracked *t)
{
	atomic_fetch_add_explicit(&t->refs, 1, memory_order_relaxed);
}

static void get(void *value)
{
	svmx_tracked_get(value);
}

void svmx_tracked_put(struct svmx_tracked *t)
{
	if (atomic_fetch_sub_explicit(&t->refs, 1, memory_order_acq_rel) == 1)
		t->free(t);
}

struct svmx_tracked *svmx_tracked_find(struct svmx_handle_map *map, const void *handle)
{
	return svmx_handle_map_find(map, handle, get);
}

void svmx_tracked_retained(struct svmx_handle_map *map, const void *handle)
{
	struct svmx_tracked *t = svmx_tracked_find(map, handle);

	if (t) {
		atomic_fetch_add(&t->app_refs, 1);
		svmx_tracked_put(t);
	}
}

struct svmx_tracked *svmx_tracked_releasing(struct svmx_handle_map *map, const void *handle)
{
	struct svmx_tracked *t = svmx_tracked_find(map, handle);
	unsigned n;

	if (!t)
		return NULL;
	/* Never below 0: a record may outlive the application's last release. */
	n = atomic_load(&t->app_refs);
	while (n > 0 && !atomic_compare_exchange_weak(&t->app_refs, &n, n - 1))
		;
	if (n == 1)
		return t;
	svmx_tracked_put(t);
	return NULL;
}

bool svmx_tracked_remove(struct svmx_handle_map *map, const void *handle,
			 struct svmx_tracked *t)
{
	if (svmx_handle_map_remove(map, handle) != t)
		return false;
	svmx_tracked_put(t);	/* the map's reference */
	return true;
}
