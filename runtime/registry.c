#include "registry.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static pthread_rwlock_t lock = PTHREAD_RWLOCK_INITIALIZER;
static struct svmx_alloc **sorted;	/* by base address */
static size_t count, capacity;

/* Index of the first allocation whose base is above p. */
static size_t upper_bound(const void *p)
{
	size_t lo = 0, hi = count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if ((const char *)sorted[mid]->base <= (const char *)p)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

bool svmx_registry_add(struct svmx_alloc *alloc)
{
	bool ok = true;

	pthread_rwlock_wrlock(&lock);
	if (count == capacity) {
		size_t cap = capacity ? capacity * 2 : 64;
		struct svmx_alloc **grown = realloc(sorted, cap * sizeof(*grown));

		if (!grown) {
			ok = false;
			goto out;
		}
		sorted = grown;
		capacity = cap;
	}
	size_t at = upper_bound(alloc->base);

	memmove(&sorted[at + 1], &sorted[at], (count - at) * sizeof(*sorted));
	sorted[at] = alloc;
	count++;
out:
	pthread_rwlock_unlock(&lock);
	return ok;
}

static struct svmx_alloc *find(const void *p, cl_context context, bool or_end)
{
	struct svmx_alloc *alloc = NULL;

	pthread_rwlock_rdlock(&lock);
	size_t at = upper_bound(p);

	/*
	 * Mappings reach past base + size, so the allocation below p is the
	 * only one p can be in or end.
	 */
	if (at > 0 &&
	    (svmx_alloc_contains(sorted[at - 1], p) ||
	     (or_end && svmx_alloc_ends_at(sorted[at - 1], p))) &&
	    (!context || sorted[at - 1]->context == context)) {
		alloc = sorted[at - 1];
		svmx_alloc_get(alloc);
	}
	pthread_rwlock_unlock(&lock);
	return alloc;
}

struct svmx_alloc *svmx_registry_find(const void *p, cl_context context)
{
	return find(p, context, false);
}

struct svmx_alloc *svmx_registry_find_end(const void *p, cl_context context)
{
	return find(p, context, true);
}

static void remove_at(size_t at)
{
	memmove(&sorted[at], &sorted[at + 1], (count - at - 1) * sizeof(*sorted));
	count--;
}

struct svmx_alloc *svmx_registry_take(const void *base, cl_context context)
{
	struct svmx_alloc *alloc = NULL;

	pthread_rwlock_wrlock(&lock);
	size_t at = upper_bound(base);

	if (at > 0 && sorted[at - 1]->base == base &&
	    sorted[at - 1]->context == context) {
		alloc = sorted[at - 1];
		remove_at(at - 1);
	}
	pthread_rwlock_unlock(&lock);
	return alloc;
}

void svmx_registry_each_of_context(cl_context context, void (*fn)(struct svmx_alloc *alloc))
{
	struct svmx_alloc **held;
	size_t n = 0;

	pthread_rwlock_rdlock(&lock);
	held = malloc((count ? count : 1) * sizeof(*held));
	for (size_t i = 0; held && i < count; i++) {
		if (sorted[i]->context == context) {
			svmx_alloc_get(sorted[i]);
			held[n++] = sorted[i];
		}
	}
	pthread_rwlock_unlock(&lock);
	/* Outside the lock: fn may release driver objects. */
	for (size_t i = 0; i < n; i++) {
		fn(held[i]);
		svmx_alloc_put(held[i]);
	}
	free(held);
}

void svmx_registry_take_context(cl_context context,
				void (*out)(struct svmx_alloc *alloc))
{
	struct svmx_alloc **taken = NULL;
	size_t ntaken = 0;

	pthread_rwlock_wrlock(&lock);
	taken = malloc((count ? count : 1) * sizeof(*taken));
	for (size_t i = 0; taken && i < count;) {
		if (sorted[i]->context == context) {
			taken[ntaken++] = sorted[i];
			remove_at(i);
		} else {
			i++;
		}
	}
	pthread_rwlock_unlock(&lock);
	/* Outside the lock: out() releases driver objects. */
	for (size_t i = 0; i < ntaken; i++)
		out(taken[i]);
	free(taken);
}
