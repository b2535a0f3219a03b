// SPDX-License-Identifier: GPL-2.0
/*
 * svmx interval notifier: removes pages from the device's table when the
 * kernel takes them back, and says why.
 *
 * Classification of invalidations (event -> reason):
 *   EXCLUSIVE, owner == this client     our own arming: ignored (the only
 *                                       event filtered)
 *   EXCLUSIVE, owner == NULL            6.1-6.14: a CPU fault or GUP
 *                                       restoring the PTE: CPU, or OWNER
 *                                       when another svmx client is arming
 *                                       there; 6.15+: another driver
 *                                       converting the page: OWNER
 *   EXCLUSIVE, other owner              OWNER
 *   CLEAR, 6.15+                        a CPU fault restoring the PTE, but
 *                                       also madvise, reclaim, migration:
 *                                       CPU with SVMX_EVENT_CPU_INEXACT (or
 *                                       OWNER when another svmx client is
 *                                       arming there)
 *   PROTECTION_PAGE                     FORK (copy_page_range())
 *   PROTECTION_VMA                      MPROTECT
 *   UNMAP                               MUNMAP (munmap, mremap)
 *   RELEASE                             EXIT (exit_mmap())
 *   anything else                       OTHER
 *
 * The interval sequence is set for every event that is not filtered, as
 * mmu_interval_read_begin() requires: it waits only for invalidations that
 * set it, so an ARM whose conversion raced with a zap that did not set it
 * would program a page the zap frees.  That an owner-NULL event restoring a
 * page left exclusive by an earlier attempt then invalidates the retry is
 * handled in svmx_arm.c: such pages are restored before the retry.
 */
#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include "svmx_client.h"

/*
 * Give back the slot of a page the device no longer holds.  The slot stays
 * reserved (it reads as NULL and iterations skip it), as a device's page
 * table keeps its directories when it clears an entry: erased, the last
 * entry of the table would free every node on its path (six levels for a
 * user address), and the next ARM of a page there would allocate them all
 * again under client->lock.  Reserved slots are released when their
 * addresses are unmapped (svmx_unmap_locked()) and when the client goes.
 */
void svmx_clear_slot(struct svmx_client *c, unsigned long idx, void *entry)
{
	lockdep_assert_held(&c->lock);
	/* The slot exists, so nothing is allocated. */
	xa_cmpxchg(&c->pages, idx, entry, XA_ZERO_ENTRY, 0);
}

/*
 * Drop [start, end) from the device table.  A reason of 0 is a DISARM: no
 * event, no revocation stat.  flags go into the events (SVMX_EVENT_*).
 * The slots stay reserved unless the addresses are gone (MUNMAP, EXIT),
 * when reserved slots are released too.  One walk under the xarray's lock
 * (this runs on every CPU fault on a held page): xa_for_each_range() and
 * xa_cmpxchg() would walk the tree three times for one page.  Returns the
 * number of pages dropped.
 */
unsigned long svmx_unmap_locked(struct svmx_client *c, unsigned long start,
				unsigned long end, enum svmx_reason reason,
				u32 flags)
{
	bool gone = reason == SVMX_REASON_MUNMAP || reason == SVMX_REASON_EXIT;
	unsigned long run_start = 0, run_len = 0, n = 0;
	XA_STATE(xas, &c->pages, start >> PAGE_SHIFT);
	void *entry;

	lockdep_assert_held(&c->lock);
	if (end <= start || (!gone && !c->nr_held))
		return 0;
	xas_lock(&xas);
	xas_for_each(&xas, entry, (end - 1) >> PAGE_SHIFT) {
		if (xa_is_zero(entry)) {
			if (gone)
				xas_store(&xas, NULL);
			continue;
		}
		xas_store(&xas, gone ? NULL : XA_ZERO_ENTRY);
		n++;
		if (!reason)
			continue;
		if (run_len && run_start + run_len == xas.xa_index) {
			run_len++;
			continue;
		}
		if (run_len)
			svmx_event_push(c, run_start << PAGE_SHIFT,
					run_len << PAGE_SHIFT, reason, flags);
		run_start = xas.xa_index;
		run_len = 1;
	}
	xas_unlock(&xas);
	if (run_len)
		svmx_event_push(c, run_start << PAGE_SHIFT,
				run_len << PAGE_SHIFT, reason, flags);
	c->nr_held -= n;
	if (reason && n)
		svmx_stat_add(c, &c->stats.revoked[reason], n);
	return n;
}

static bool svmx_invalidate(struct mmu_interval_notifier *mni,
			    const struct mmu_notifier_range *range,
			    unsigned long cur_seq)
{
	struct svmx_client *c = container_of(mni, struct svmx_client, notifier);
	unsigned long start = range->start, end = range->end;
	enum svmx_reason reason;
	u32 flags = 0;

	switch (range->event) {
	case MMU_NOTIFY_EXCLUSIVE:
		if (range->owner == c)
			return true;
#ifdef SVMX_HAVE_MAKE_DEVICE_EXCLUSIVE
		reason = SVMX_REASON_OWNER;
#else
		reason = range->owner || svmx_arm_run_by_other(c, start, end) ?
			 SVMX_REASON_OWNER : SVMX_REASON_CPU;
#endif
		break;
#ifdef SVMX_HAVE_MAKE_DEVICE_EXCLUSIVE
	case MMU_NOTIFY_CLEAR:
		if (svmx_arm_run_by_other(c, start, end)) {
			reason = SVMX_REASON_OWNER;
		} else {
			reason = SVMX_REASON_CPU;
			flags = SVMX_EVENT_CPU_INEXACT;
		}
		break;
#endif
	case MMU_NOTIFY_PROTECTION_PAGE:
		reason = SVMX_REASON_FORK;
		break;
	case MMU_NOTIFY_PROTECTION_VMA:
		reason = SVMX_REASON_MPROTECT;
		break;
	case MMU_NOTIFY_UNMAP:
		reason = SVMX_REASON_MUNMAP;
		break;
	case MMU_NOTIFY_RELEASE:
		reason = SVMX_REASON_EXIT;
		break;
	default:
		reason = SVMX_REASON_OTHER;
		break;
	}

	if (mmu_notifier_range_blockable(range))
		mutex_lock(&c->lock);
	else if (!mutex_trylock(&c->lock))
		return false;
	mmu_interval_set_seq(mni, cur_seq);
	svmx_unmap_locked(c, start, end, reason, flags);
	mutex_unlock(&c->lock);
	return true;
}

const struct mmu_interval_notifier_ops svmx_notifier_ops = {
	.invalidate = svmx_invalidate,
};
