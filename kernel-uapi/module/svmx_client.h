/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svmx: one client per open file of /dev/svmx, bound to the opener's mm.
 *
 * Locking, outermost first:
 *   client->arm_lock -> mmap_lock (read) -> folio lock (pages handed back
 *   by make_device_exclusive_range() or make_device_exclusive(); never two
 *   at once with the latter) -> client->lock -> client->ev_lock,
 *   client->stats_lock.
 * client->arm_lock serialises the arming runs of one client (ARM and
 * device faults from many threads), which would otherwise make each other's
 * pages come back NULL and retry, or take back each other's pages; a run is
 * chosen under it.
 * client->lock guards the device "page table" (client->pages) and the
 * interval sequence; it is taken from the invalidate callback, so no
 * allocation that may reclaim is done while holding it.
 */
#ifndef _SVMX_CLIENT_H
#define _SVMX_CLIENT_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/mm_types.h>
#include <linux/mmu_notifier.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/xarray.h>
#include <svmx/svmx_uapi.h>

struct svmx_arm_run {
	struct list_head node;		/* on svmx_arm_runs */
	struct svmx_client *client;
	unsigned long start, end;
};

struct svmx_client {
	struct mm_struct *mm;		/* mmgrab()ed at open */
	struct mmu_interval_notifier notifier;

	struct mutex arm_lock;		/* one arming run at a time */
	struct mutex lock;		/* pages, nr_held, interval seq */
	/*
	 * addr >> PAGE_SHIFT -> struct page *; the slots of pages given back
	 * stay reserved (read as NULL) until their addresses are unmapped.
	 */
	struct xarray pages;
	unsigned long nr_held;
	atomic_t arming;		/* ARMs between read_begin and retry */
	/* make_device_exclusive_range()'s array, used under arm_lock */
	struct page **arm_pages;

	spinlock_t ev_lock;		/* the event ring */
	struct svmx_event *ev;		/* ring of ev_cap records */
	unsigned int ev_cap, ev_head, ev_count;
	u64 ev_dropped;			/* records lost since the last read */
	wait_queue_head_t ev_wait;

	spinlock_t stats_lock;		/* stats */
	struct svmx_stats stats;
};

/* Module parameters (svmx_main.c). */
extern unsigned int svmx_arm_timeout_ms;
extern unsigned int svmx_event_queue_len;
extern unsigned int svmx_fail_table_stores;

/* svmx_arm.c */
int svmx_check_range(u64 addr, u64 len);
long svmx_arm(struct svmx_client *c, unsigned long start, unsigned long end,
	      unsigned long *held);
long svmx_disarm(struct svmx_client *c, unsigned long start,
		 unsigned long end, bool restore);
unsigned long svmx_status(struct svmx_client *c, unsigned long start,
			  unsigned long end, u64 *bitmap);
int svmx_arm_run_begin(struct svmx_arm_run *a, struct svmx_client *c,
		       unsigned long start, unsigned long end);
void svmx_arm_run_end(struct svmx_arm_run *a);
bool svmx_arm_run_by_other(struct svmx_client *c, unsigned long start,
			   unsigned long end);

/* svmx_notifier.c */
extern const struct mmu_interval_notifier_ops svmx_notifier_ops;
void svmx_clear_slot(struct svmx_client *c, unsigned long idx, void *entry);
unsigned long svmx_unmap_locked(struct svmx_client *c, unsigned long start,
				unsigned long end, enum svmx_reason reason,
				u32 flags);

/* svmx_events.c */
int svmx_events_init(struct svmx_client *c);
void svmx_events_free(struct svmx_client *c);
void svmx_event_push(struct svmx_client *c, unsigned long addr,
		     unsigned long len, enum svmx_reason reason, u32 evflags);
ssize_t svmx_events_read(struct file *file, char __user *buf, size_t count,
			 loff_t *ppos);
__poll_t svmx_events_poll(struct file *file, struct poll_table_struct *wait);
long svmx_events_ioctl(struct svmx_client *c, struct svmx_events *arg);

/* svmx_softdev.c */
long svmx_dev_atomic(struct svmx_client *c, struct svmx_dev_atomic *arg);
long svmx_dev_rw(struct svmx_client *c, struct svmx_dev_rw *arg, bool write);

static inline void svmx_stat_add(struct svmx_client *c, u64 *field, u64 n)
{
	spin_lock(&c->stats_lock);
	*field += n;
	spin_unlock(&c->stats_lock);
}

#endif /* _SVMX_CLIENT_H */
