#include "arming.h"

#include "device.h"
#include "dispatch.h"
#include "log.h"
#include "provider.h"
#include "settings.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/*
 * One SVM_ATOMICS allocation's counts, freed with the allocation's struct
 * (svmx_arming_forget).  While the memory is mapped the record is on the
 * list of live records; when it goes, its counts are added to bounded
 * totals for SVMX_STATS.
 */
struct svmx_arm_record {
	struct svmx_arm_record *prev, *next;	/* live records; NULL once freed */
	uintptr_t base;
	size_t len;		/* mapped: what is armed */
	size_t bytes;		/* asked for */
	bool live;		/* the memory is still mapped */
	bool armed;		/* whole allocation held, as far as events tell */
	uint64_t arms;
	uint64_t revoked[SVMX_STATS_REASONS];
	uint64_t pending;	/* pages revoked since the last arm */
	uint64_t rearms;
};

/* Guards every record, and serialises requests to the provider. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
/* Live records, oldest first. */
static struct svmx_arm_record records = { .prev = &records, .next = &records };

/*
 * Freed allocations: the last FREED_LISTED one by one (for SVMX_STATS's
 * lines), all of them in totals.  Fixed size, whatever the program does.
 */
#define FREED_LISTED 64
struct freed_line {
	uintptr_t base;
	size_t bytes;
	uint64_t arms, rearms;
	uint64_t revoked[SVMX_STATS_REASONS];
};
static struct freed_line freed_lines[FREED_LISTED];
static uint64_t freed_count;		/* freed_lines[freed_count % FREED_LISTED] is next */
static struct freed_line freed_totals;	/* base unused, bytes summed */
static uint64_t unattributed;	/* revoked pages in no live allocation */
static uint64_t events_lost;	/* records the provider dropped */

#define LARGE_FOLIO ((size_t)2 << 20)

static const char *const reason_names[SVMX_REASON_NR] = {
	[SVMX_REASON_CPU] = "cpu",	   [SVMX_REASON_FORK] = "fork",
	[SVMX_REASON_MPROTECT] = "mprotect", [SVMX_REASON_MUNMAP] = "munmap",
	[SVMX_REASON_OWNER] = "owner",	   [SVMX_REASON_EXIT] = "exit",
	[SVMX_REASON_OTHER] = "other",
};

static void print_at_exit(void)
{
	svmx_arming_print(stderr);
}

void svmx_arming_init(void)
{
	static bool registered;

	svmx_provider();
	pthread_mutex_lock(&lock);
	if (svmx_settings()->stats && !registered)
		registered = atexit(print_at_exit) == 0;
	pthread_mutex_unlock(&lock);
}

bool svmx_arming_active(void)
{
	return svmx_settings()->arm != SVMX_ARM_NEVER &&
	       svmx_provider()->kind != SVMX_PROVIDER_NONE;
}

bool svmx_arming_wanted(cl_device_id device)
{
	const struct svmx_device *dev;

	if (!svmx_arming_active())
		return false;
	if (svmx_settings()->arm == SVMX_ARM_ALWAYS)
		return true;
	dev = svmx_device_lookup(device);
	return dev && !dev->host_coherent;
}

bool svmx_arming_wanted_on_queue(cl_command_queue queue)
{
	cl_device_id device = NULL;

	return svmx_arming_active() &&
	       svmx_next.clGetCommandQueueInfo(queue, CL_QUEUE_DEVICE, sizeof(device), &device,
					       NULL) == CL_SUCCESS &&
	       svmx_arming_wanted(device);
}

void svmx_arming_track(struct svmx_alloc *alloc)
{
	struct svmx_arm_record *rec;

	if (!(alloc->flags & CL_MEM_SVM_ATOMICS))
		return;
	rec = calloc(1, sizeof(*rec));
	if (!rec) {
		svmx_warn("clSVMAlloc: no memory to count arming of %p", alloc->base);
		return;
	}
	rec->base = (uintptr_t)alloc->base;
	rec->len = alloc->map_size;
	rec->bytes = alloc->size;
	rec->live = true;
	pthread_mutex_lock(&lock);
	rec->next = &records;
	rec->prev = records.prev;
	records.prev->next = rec;
	records.prev = rec;
	alloc->arm = rec;
	pthread_mutex_unlock(&lock);
}

/* r's memory is gone: off the live list, its counts into the freed totals. */
static void retire_locked(struct svmx_arm_record *r)
{
	struct freed_line *line = &freed_lines[freed_count++ % FREED_LISTED];

	r->live = false;
	r->prev->next = r->next;
	r->next->prev = r->prev;
	r->prev = r->next = NULL;
	line->base = r->base;
	line->bytes = r->bytes;
	line->arms = r->arms;
	line->rearms = r->rearms;
	memcpy(line->revoked, r->revoked, sizeof(line->revoked));
	freed_totals.bytes += r->bytes;
	freed_totals.arms += r->arms;
	freed_totals.rearms += r->rearms;
	for (int i = 0; i < SVMX_STATS_REASONS; i++)
		freed_totals.revoked[i] += r->revoked[i];
}

void svmx_arming_forget(struct svmx_alloc *alloc)
{
	struct svmx_arm_record *r = alloc->arm;

	if (!r)
		return;
	pthread_mutex_lock(&lock);
	if (r->live)
		retire_locked(r);
	alloc->arm = NULL;
	pthread_mutex_unlock(&lock);
	free(r);
}

static void count_revocation(const struct svmx_event *ev, uint32_t page)
{
	uintptr_t start = ev->addr, end = ev->addr + ev->len;
	uint64_t attributed = 0;

	if (ev->reason == SVMX_REASON_OVERFLOW) {
		events_lost += ev->len;
		return;
	}
	/* Live allocations do not overlap: each takes its part of the event. */
	for (struct svmx_arm_record *r = records.next; r != &records; r = r->next) {
		uintptr_t s = start > r->base ? start : r->base;
		uintptr_t e = end < r->base + r->len ? end : r->base + r->len;
		uint64_t pages;

		if (!r->live || s >= e)
			continue;
		pages = (e - s) / page;
		if (ev->reason < SVMX_STATS_REASONS)
			r->revoked[ev->reason] += pages;
		r->pending += pages;
		r->armed = false;
		attributed += pages;
	}
	unattributed += ev->len / page - attributed;
}

static void collect_locked(const struct svmx_provider *p)
{
	struct svmx_event ev[64];
	int n;

	do {
		n = svmx_provider_events(p, ev, 64);
		for (int i = 0; i < n; i++)
			count_revocation(&ev[i], p->page_size);
	} while (n == 64);
	if (n < 0 && n != -ENODEV)
		svmx_warn("reading revocations from %s: %s", p->path, strerror(-n));
}

static void page_range(const struct svmx_arm_record *r, size_t offset, size_t size,
		       uint32_t page, uintptr_t *start, size_t *len)
{
	uintptr_t s, e;

	if (!size || offset >= r->len) {
		*start = r->base;
		*len = r->len;
		return;
	}
	if (size > r->len - offset)
		size = r->len - offset;
	s = (r->base + offset) & ~(uintptr_t)(page - 1);
	e = (r->base + offset + size + page - 1) & ~(uintptr_t)(page - 1);
	*start = s;
	*len = e - s;
}

/*
 * A large folio mapped by PTEs cannot be made exclusive until it is split,
 * which the kernel does not do for the provider: ARM gives -EBUSY.  Give the
 * range back, let MADV_COLD on one page of each 2 MiB split its folio, and
 * arm again (kernel-uapi/tests: pte_mapped_large_folio_arms_after_...).
 */
static int arm_splitting_folios(const struct svmx_provider *p, uintptr_t start, size_t len,
				uint64_t *pages)
{
	uintptr_t chunk = start & ~(uintptr_t)(LARGE_FOLIO - 1);

	svmx_provider_disarm(p, start, len, NULL);
	for (; chunk < start + len; chunk += LARGE_FOLIO) {
		uintptr_t one = chunk < start ? start : chunk;

		madvise((void *)one, p->page_size, MADV_COLD);
	}
	return svmx_provider_arm(p, start, len, pages);
}

int svmx_arming_arm(struct svmx_alloc *alloc, size_t offset, size_t size)
{
	const struct svmx_provider *p = svmx_provider();
	struct svmx_arm_record *r = alloc->arm;
	uint64_t pages = 0;
	uintptr_t start;
	size_t len;
	int err;

	if (!r || p->kind == SVMX_PROVIDER_NONE)
		return 0;
	pthread_mutex_lock(&lock);
	collect_locked(p);
	if (!r->live || (!size && r->armed)) {
		pthread_mutex_unlock(&lock);
		return 0;
	}
	page_range(r, offset, size, p->page_size, &start, &len);
	err = svmx_provider_arm(p, start, len, &pages);
	if (err == -EBUSY)
		err = arm_splitting_folios(p, start, len, &pages);
	if (!err) {
		r->arms++;
		r->rearms += r->pending < pages ? r->pending : pages;
		r->pending = 0;
		if (start == r->base && len == r->len)
			r->armed = true;
	} else {
		svmx_warn("arming %#" PRIxPTR "+%zu through %s: %s", start, len, p->path,
			  strerror(-err));
	}
	pthread_mutex_unlock(&lock);
	return err;
}

/* Give back what svmx may hold of r's range; lock held. */
static int disarm_locked(const struct svmx_provider *p, struct svmx_arm_record *r,
			 size_t offset, size_t size)
{
	uintptr_t start;
	size_t len;
	int err;

	collect_locked(p);
	if (!r->live || !r->arms)
		return 0;
	page_range(r, offset, size, p->page_size, &start, &len);
	err = svmx_provider_disarm(p, start, len, NULL);
	r->armed = false;
	if (err)
		svmx_warn("disarming %#" PRIxPTR "+%zu through %s: %s", start, len, p->path,
			  strerror(-err));
	return err;
}

int svmx_arming_disarm(struct svmx_alloc *alloc, size_t offset, size_t size)
{
	const struct svmx_provider *p = svmx_provider();
	int err;

	if (!alloc->arm || p->kind == SVMX_PROVIDER_NONE)
		return 0;
	pthread_mutex_lock(&lock);
	err = disarm_locked(p, alloc->arm, offset, size);
	pthread_mutex_unlock(&lock);
	return err;
}

void svmx_arming_release(struct svmx_alloc *alloc)
{
	if (!alloc->arm)
		return;
	/* One locked section: no arm can come between the disarm and the end. */
	pthread_mutex_lock(&lock);
	if (alloc->arm->live) {
		disarm_locked(svmx_provider(), alloc->arm, 0, 0);
		retire_locked(alloc->arm);
	}
	pthread_mutex_unlock(&lock);
}

bool svmx_arming_stats(struct svmx_alloc *alloc, cl_svm_arm_stats_svmx *stats)
{
	struct svmx_arm_record *r = alloc->arm;

	if (!r)
		return false;
	pthread_mutex_lock(&lock);
	collect_locked(svmx_provider());
	memset(stats, 0, sizeof(*stats));
	stats->bytes = r->bytes;
	stats->arms = r->arms;
	for (int i = 0; i < SVMX_STATS_REASONS; i++)
		stats->revoked[i] = r->revoked[i];
	stats->rearms = r->rearms;
	stats->armed = r->armed;
	pthread_mutex_unlock(&lock);
	return true;
}

static void print_line(FILE *out, const char *what, const struct freed_line *l,
		       const char *tail)
{
	if (strcmp(what, "alloc") == 0)
		fprintf(out, "svmx stats: alloc %#" PRIxPTR " bytes %zu", l->base, l->bytes);
	else
		fprintf(out, "svmx stats: %s bytes %zu", what, l->bytes);
	fprintf(out, " arms %" PRIu64 " revoked", l->arms);
	for (int i = SVMX_REASON_CPU; i < SVMX_REASON_OVERFLOW; i++)
		fprintf(out, " %s=%" PRIu64, reason_names[i], l->revoked[i]);
	fprintf(out, " rearms %" PRIu64 "%s\n", l->rearms, tail);
}

void svmx_arming_print(FILE *out)
{
	const struct svmx_provider *p = svmx_provider();
	struct svmx_stats st;

	pthread_mutex_lock(&lock);
	collect_locked(p);
	fprintf(out, "svmx stats: provider %s%s%s, arming %s\n", svmx_provider_name(p->kind),
		p->path[0] ? " at " : "", p->path,
		svmx_settings()->arm == SVMX_ARM_NEVER ? "off (SVMX_ARM=never)" :
		svmx_settings()->arm == SVMX_ARM_ALWAYS ? "on every device" :
		"on devices not coherent with the host");
	for (struct svmx_arm_record *r = records.next; r != &records; r = r->next) {
		struct freed_line l = { r->base, r->bytes, r->arms, r->rearms, { 0 } };

		memcpy(l.revoked, r->revoked, sizeof(l.revoked));
		print_line(out, "alloc", &l, "");
	}
	/* The freed ones still listed, oldest first, then the totals of all. */
	uint64_t listed = freed_count < FREED_LISTED ? freed_count : FREED_LISTED;

	for (uint64_t i = freed_count - listed; i < freed_count; i++)
		print_line(out, "alloc", &freed_lines[i % FREED_LISTED], " freed");
	if (freed_count) {
		char what[96];

		snprintf(what, sizeof(what), "freed %" PRIu64 " allocations (last %" PRIu64
			 " above) in all:", freed_count, listed);
		print_line(out, what, &freed_totals, "");
	}
	if (svmx_provider_stats(p, &st) == 0)
		fprintf(out, "svmx stats: provider totals armed %llu disarmed %llu "
			"device-fault rearms %llu busy %llu, unattributed %" PRIu64
			" pages, lost events %" PRIu64 "\n",
			(unsigned long long)st.armed, (unsigned long long)st.disarmed,
			(unsigned long long)st.dev_rearms, (unsigned long long)st.busy,
			unattributed, events_lost);
	pthread_mutex_unlock(&lock);
}
