#include "handle_map.h"

#include <stdint.h>
#include <stdlib.h>

/* Open addressing, linear probing, deletion by backward shift (no tombstones). */
struct svmx_handle_slot {
	const void *key;	/* NULL: empty */
	void *value;
};

static size_t slot_of(const struct svmx_handle_map *map, const void *key)
{
	uint64_t h = (uint64_t)(uintptr_t)key;

	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return (size_t)h & (map->capacity - 1);
}

static size_t probe(const struct svmx_handle_map *map, const void *key)
{
	size_t i = slot_of(map, key);

	while (map->slots[i].key && map->slots[i].key != key)
		i = (i + 1) & (map->capacity - 1);
	return i;
}

void *svmx_handle_map_find(struct svmx_handle_map *map, const void *key,
			   void (*get)(void *value))
{
	void *value = NULL;

	if (!key || svmx_handle_map_empty(map))
		return NULL;
	pthread_rwlock_rdlock(&map->lock);
	if (map->capacity) {
		struct svmx_handle_slot *s = &map->slots[probe(map, key)];

		if (s->key) {
			value = s->value;
			if (get)
				get(value);
		}
	}
	pthread_rwlock_unlock(&map->lock);
	return value;
}

static bool grow(struct svmx_handle_map *map)
{
	size_t capacity = map->capacity ? map->capacity * 2 : 64;
	struct svmx_handle_slot *old = map->slots;
	size_t old_capacity = map->capacity;

	map->slots = calloc(capacity, sizeof(*map->slots));
	if (!map->slots) {
		map->slots = old;
		return false;
	}
	map->capacity = capacity;
	for (size_t i = 0; i < old_capacity; i++)
		if (old[i].key)
			map->slots[probe(map, old[i].key)] = old[i];
	free(old);
	return true;
}

bool svmx_handle_map_insert(struct svmx_handle_map *map, const void *key,
			    void *value)
{
	bool ok = false;

	if (!key)
		return false;
	pthread_rwlock_wrlock(&map->lock);
	/* Keep the load under 1/2 so probes stay short. */
	if ((atomic_load(&map->count) + 1) * 2 > map->capacity && !grow(map))
		goto out;
	struct svmx_handle_slot *s = &map->slots[probe(map, key)];

	if (!s->key) {
		s->key = key;
		s->value = value;
		atomic_fetch_add(&map->count, 1);
		ok = true;
	}
out:
	pthread_rwlock_unlock(&map->lock);
	return ok;
}

/* Empty slot i and pull later members of its probe chain back into the gap. */
static void erase_slot(struct svmx_handle_map *map, size_t i)
{
	size_t mask = map->capacity - 1;
	size_t j = i;

	map->slots[i].key = NULL;
	for (;;) {
		j = (j + 1) & mask;
		if (!map->slots[j].key)
			break;
		size_t home = slot_of(map, map->slots[j].key);

		/* Move j into the hole at i unless its home lies in (i, j]. */
		if ((j > i && (home <= i || home > j)) ||
		    (j < i && home <= i && home > j)) {
			map->slots[i] = map->slots[j];
			map->slots[j].key = NULL;
			i = j;
		}
	}
	atomic_fetch_sub(&map->count, 1);
}

void *svmx_handle_map_remove(struct svmx_handle_map *map, const void *key)
{
	void *value = NULL;

	if (!key)
		return NULL;
	pthread_rwlock_wrlock(&map->lock);
	if (map->capacity) {
		size_t i = probe(map, key);

		if (map->slots[i].key) {
			value = map->slots[i].value;
			erase_slot(map, i);
		}
	}
	pthread_rwlock_unlock(&map->lock);
	return value;
}
