/*
 * A thread-safe map from an OpenCL handle (or any non-NULL pointer) to
 * svmx's state for it.  Lookups take a shared lock; the common "nothing
 * tracked at all" case is one relaxed load.
 */
#ifndef SVMX_HANDLE_MAP_H
#define SVMX_HANDLE_MAP_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

struct svmx_handle_map {
	pthread_rwlock_t lock;
	struct svmx_handle_slot *slots;
	size_t capacity;	/* power of two, or 0 */
	atomic_size_t count;
};

#define SVMX_HANDLE_MAP_INIT { PTHREAD_RWLOCK_INITIALIZER, NULL, 0, 0 }

/*
 * Value for key, or NULL.  If get is not NULL it is called on the value
 * under the lock, so the value cannot be freed before the caller holds it.
 */
void *svmx_handle_map_find(struct svmx_handle_map *map, const void *key,
			   void (*get)(void *value));

/* false if key is already there or memory ran out. */
bool svmx_handle_map_insert(struct svmx_handle_map *map, const void *key,
			    void *value);

/* The removed value, or NULL if key was not there. */
void *svmx_handle_map_remove(struct svmx_handle_map *map, const void *key);

static inline bool svmx_handle_map_empty(struct svmx_handle_map *map)
{
	return atomic_load_explicit(&map->count, memory_order_relaxed) == 0;
}

#endif
