// SPDX-License-Identifier: GPL-2.0
/*
 * svmx interval notifier: removes pages from the device's table when the
 * kernel takes them back, and says why.
 *
 * Classification of invalidations (event -> reason):
 *   EXCLUSIVE, owner == this client     our own arming: ignored
 *   EXCLUSIVE, owner == NULL            CPU fault restoring the PTE (or a
 *                                       GUP doing so): CPU, or OWNER when
 *                                       another svmx client is arming there
 *   EXCLUSIVE, other owner              OWNER
 *   PROTECTION_PAGE                     FORK (copy_page_range())
 *   PROTECTION_VMA                      MPROTECT
 *   UNMAP                               MUNMAP (munmap, mremap)
 *   RELEASE                             EXIT (exit_mmap())
 *   anything else                       OTHER
 *
 * The interval sequence is bumped for every event except EXCLUSIVE ones, and
 * only when the event touched a page we hold or an ARM is in flight.  An
 * owner-NULL EXCLUSIVE event cannot race with an ARM of the same page: the
 * restoring fault holds the folio lock, and ARM programs the device while it
 * still holds the folio locks from make_device_exclusive_range().  Bumping
 * for it would make every re-arm of a page that is still exclusive restart
 * forever, since the GUP inside make_device_exclusive_range() restores such
 * pages itself.
 */
#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include "svmx_client.h"

/*
 * Drop [start, end) from the device table.  A reason of 0 is a DISARM: no
 * event, no revocation stat.  Returns the number of pages dropped.
 */
unsigned long svmx_unmap_locked(struct svmx_client *c, unsigned long start,
				unsigned long end, enum svmx_reason reason)
{
	unsigned long first = start >> PAGE_SHIFT;
	unsigned long last = (end - 1) >> PAGE_SHIFT;
	unsigned long idx, run_start = 0, run_len = 0, n = 0;
	void *entry;

	lockdep_assert_held(&c->lock);
	if (!c->nr_held || end <= start)
		return 0;
	xa_for_each_range(&c->pages, idx, entry, first, last) {
		xa_erase(&c->pages, idx);
		n++;
		if (!reason)
			continue;
		if (run_len && run_start + run_len == idx) {
			run_len++;
			continue;
		}
		if (run_len)
			svmx_event_push(c, run_start << PAGE_SHIFT,
					run_len << PAGE_SHIFT, reason);
		run_start = idx;
		run_len = 1;
	}
	if (run_len)
		svmx_event_push(c, run_start << PAGE_SHIFT,
				run_len << PAGE_SHIFT, reason);
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
	enum svmx_reason reason;
	bool bump = true;
	unsigned long n;

	switch (range->event) {
	case MMU_NOTIFY_EXCLUSIVE:
		if (range->owner == c)
			return true;
		bump = false;
		if (range->owner ||
		    svmx_arming_by_other(c, range->start, range->end))
			reason = SVMX_REASON_OWNER;
		else
			reason = SVMX_REASON_CPU;
		break;
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
	n = svmx_unmap_locked(c, range->start, range->end, reason);
	if (bump && (n || atomic_read(&c->arming)))
		mmu_interval_set_seq(mni, cur_seq);
	mutex_unlock(&c->lock);
	return true;
}

const struct mmu_interval_notifier_ops svmx_notifier_ops = {
	.invalidate = svmx_invalidate,
};
