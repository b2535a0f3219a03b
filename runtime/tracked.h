/*
 * svmx's record of an OpenCL object the application holds (a context, a
 * kernel, an event), found by its handle in a handle map.  Two counts:
 * refs, the record's users (the map's reference and every lookup's), whose
 * last put frees it; app_refs, the application's references to the object,
 * counted by svmx because drivers count their internal ones too.
 */
#ifndef SVMX_TRACKED_H
#define SVMX_TRACKED_H

#include "handle_map.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

struct svmx_tracked {
	atomic_uint refs;
	atomic_uint app_refs;
	void (*free)(struct svmx_tracked *t);	/* frees the struct t is in */
};

/* The struct of type holding t as its member. */
#define svmx_tracked_entry(t, type, member) \
	((type *)((char *)(t) - offsetof(type, member)))

/* One use (the caller's, to hand to a map) and one application reference. */
void svmx_tracked_init(struct svmx_tracked *t, void (*free)(struct svmx_tracked *t));

void svmx_tracked_get(struct svmx_tracked *t);
void svmx_tracked_put(struct svmx_tracked *t);

/* handle's record in map with a reference to put, or NULL. */
struct svmx_tracked *svmx_tracked_find(struct svmx_handle_map *map, const void *handle);

/* The application retained handle. */
void svmx_tracked_retained(struct svmx_handle_map *map, const void *handle);

/*
 * The application is about to release handle.  Its record, with a
 * reference to put, if that was the application's last reference; else
 * NULL.
 */
struct svmx_tracked *svmx_tracked_releasing(struct svmx_handle_map *map, const void *handle);

/* The application holds no reference to t's object (retaining it again may). */
static inline bool svmx_tracked_released(struct svmx_tracked *t)
{
	return atomic_load(&t->app_refs) == 0;
}

/* Take handle's record t out of map and put the map's reference; false if not there. */
bool svmx_tracked_remove(struct svmx_handle_map *map, const void *handle,
			 struct svmx_tracked *t);

#endif
