// SPDX-License-Identifier: GPL-2.0
/*
 * svmx arming: make pages of a client's mm device-exclusive, give them back,
 * report which are held.
 *
 * ARM walks the range in runs of pages the client does not hold yet, at most
 * SVMX_ARM_BATCH pages at a time.  For each run, under client->arm_lock:
 *   - the run is announced (svmx_arming_begin()) and PMD-mapped THPs in it
 *     are split (svmx_split_thp());
 *   - mmu_interval_read_begin(), then under mmap_read_lock the VMAs are
 *     checked (private, anonymous, writable, no holes) and
 *     make_device_exclusive_range() converts the PTEs and hands the pages
 *     back locked and referenced;
 *   - under client->lock, unless the interval sequence moved, the pages go
 *     into the device table; then they are unlocked and put.
 * Pages that came back NULL (folio lock contention, a racing fault, a folio
 * that could not be split) and runs invalidated in flight are retried until
 * svmx_arm_timeout_ms has passed; then ARM fails with -EBUSY, leaving what it
 * did hold held.  A fatal signal ends it with -EINTR.
 */
#include <linux/jiffies.h>
#include <linux/migrate.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/rmap.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include "svmx_client.h"

#define SVMX_ARM_BATCH	512UL

static LIST_HEAD(svmx_arming_list);
static DEFINE_SPINLOCK(svmx_arming_lock);

int svmx_arming_begin(struct svmx_arming *a, struct svmx_client *c,
		      unsigned long start, unsigned long end)
{
	a->client = c;
	a->start = start;
	a->end = end;
	atomic_inc(&c->arming);
	spin_lock(&svmx_arming_lock);
	list_add(&a->node, &svmx_arming_list);
	spin_unlock(&svmx_arming_lock);
	return 0;
}

void svmx_arming_end(struct svmx_arming *a)
{
	spin_lock(&svmx_arming_lock);
	list_del(&a->node);
	spin_unlock(&svmx_arming_lock);
	atomic_dec(&a->client->arming);
}

/* Is another svmx client of c's mm arming part of [start, end) right now? */
bool svmx_arming_by_other(struct svmx_client *c, unsigned long start,
			  unsigned long end)
{
	struct svmx_arming *a;
	bool ret = false;

	spin_lock(&svmx_arming_lock);
	list_for_each_entry(a, &svmx_arming_list, node) {
		if (a->client != c && a->client->mm == c->mm &&
		    a->start < end && start < a->end) {
			ret = true;
			break;
		}
	}
	spin_unlock(&svmx_arming_lock);
	return ret;
}

int svmx_check_range(u64 addr, u64 len)
{
	if (!len || !PAGE_ALIGNED(addr) || !PAGE_ALIGNED(len))
		return -EINVAL;
	if (addr + len < addr)
		return -EINVAL;
	if (addr + len > TASK_SIZE)
		return -EFAULT;
	return 0;
}

/*
 * Every byte of [start, end) must be in a private, anonymous, writable VMA:
 * -EFAULT for holes, -EINVAL for file, shmem, hugetlb, VM_IO and PFN maps,
 * -EPERM for mappings without write permission.
 */
static int svmx_check_vmas(struct mm_struct *mm, unsigned long start,
			   unsigned long end)
{
	struct vm_area_struct *vma;
	unsigned long addr = start;

	lockdep_assert_held(&mm->mmap_lock);	/* dump_mm() is not exported */
	while (addr < end) {
		vma = find_vma(mm, addr);
		if (!vma || vma->vm_start > addr)
			return -EFAULT;
		if (!vma_is_anonymous(vma) || is_vm_hugetlb_page(vma) ||
		    (vma->vm_flags & (VM_IO | VM_PFNMAP | VM_MIXEDMAP |
				      VM_SHARED)))
			return -EINVAL;
		if (!(vma->vm_flags & VM_WRITE))
			return -EPERM;
		addr = vma->vm_end;
	}
	return 0;
}

static bool svmx_holds_any(struct svmx_client *c, unsigned long start,
			   unsigned long end)
{
	unsigned long idx = start >> PAGE_SHIFT;

	return xa_find(&c->pages, &idx, (end - 1) >> PAGE_SHIFT, XA_PRESENT);
}

/*
 * make_device_exclusive_range() asks GUP for FOLL_SPLIT_PMD, which splits
 * the PMD mapping of a THP but leaves the large folio: its tail pages then
 * come back NULL, and a THP-backed range arms one page in 512.  So before
 * arming, look at the first page of each PMD-sized block of the run that
 * could hold a THP; if it belongs to a large folio, have migrate_vma_setup()
 * split the folio (it splits PMD-mapped THPs while collecting) and let
 * migrate_vma_finalize() put every page back where it was.  Blocks holding
 * pages of this client are left alone: those are PTE-mapped already and the
 * migration would revoke them.
 */
static void svmx_split_thp(struct svmx_client *c, unsigned long start,
			   unsigned long end)
{
#ifdef CONFIG_TRANSPARENT_HUGEPAGE
	const unsigned long nr = PMD_SIZE >> PAGE_SHIFT;
	struct mm_struct *mm = c->mm;
	unsigned long blk, *pfns = NULL;
	struct vm_area_struct *vma;
	struct page *page;
	bool large;

	/* ARM and device faults run in the client's own mm. */
	if (current->mm != mm)
		return;
	for (blk = start & PMD_MASK; blk < end; blk += PMD_SIZE) {
		struct migrate_vma args = { };

		if (svmx_holds_any(c, blk, blk + PMD_SIZE))
			continue;
		if (get_user_pages_fast(max(blk, start), 1, FOLL_WRITE,
					&page) != 1)
			continue;
		large = PageCompound(page);
		put_page(page);
		if (!large)
			continue;
		if (!pfns) {
			pfns = kcalloc(2 * nr, sizeof(*pfns), GFP_KERNEL);
			if (!pfns)
				return;
		} else {
			memset(pfns, 0, 2 * nr * sizeof(*pfns));
		}
		mmap_read_lock(mm);
		vma = find_vma(mm, blk);
		if (vma && vma->vm_start <= blk &&
		    vma->vm_end >= blk + PMD_SIZE && vma_is_anonymous(vma)) {
			args.vma = vma;
			args.start = blk;
			args.end = blk + PMD_SIZE;
			args.src = pfns;
			args.dst = pfns + nr;
			args.pgmap_owner = c;
			args.flags = MIGRATE_VMA_SELECT_SYSTEM;
			if (!migrate_vma_setup(&args))
				migrate_vma_finalize(&args);
		}
		mmap_read_unlock(mm);
	}
	kfree(pfns);
#endif
}

/*
 * Arm [start, end) once (at most SVMX_ARM_BATCH pages).  Returns the number
 * of pages now held or a negative errno; *stale tells that the run was
 * invalidated before it could be programmed.
 */
static long svmx_arm_run(struct svmx_client *c, unsigned long start,
			 unsigned long end, struct page **pages, bool *stale)
{
	struct mm_struct *mm = c->mm;
	struct svmx_arming arming;
	unsigned long seq, i;
	long npages, held = 0;
	int ret;

	*stale = false;
	/*
	 * Announce the arming before anything restores another client's
	 * pages (the THP probe and make_device_exclusive_range() both do),
	 * so that client sees SVMX_REASON_OWNER.  Split THPs before
	 * read_begin: the migration invalidates the run.
	 */
	mutex_lock(&c->arm_lock);
	svmx_arming_begin(&arming, c, start, end);
	svmx_split_thp(c, start, end);

	seq = mmu_interval_read_begin(&c->notifier);
	mmap_read_lock(mm);
	ret = svmx_check_vmas(mm, start, end);
	if (ret)
		goto out_unlock;
	npages = make_device_exclusive_range(mm, start, end, pages, c);
	if (npages < 0) {
		ret = npages;
		goto out_unlock;
	}

	mutex_lock(&c->lock);
	if (mmu_interval_read_retry(&c->notifier, seq)) {
		*stale = true;
	} else {
		for (i = 0; i < npages; i++) {
			unsigned long idx = (start >> PAGE_SHIFT) + i;
			void *old;

			if (!pages[i])
				continue;
			old = xa_store(&c->pages, idx, pages[i],
				       GFP_NOWAIT | __GFP_NOWARN);
			if (xa_is_err(old))
				continue;
			if (!old)	/* else it was held already */
				c->nr_held++;
			held++;
		}
	}
	mutex_unlock(&c->lock);

	for (i = 0; i < npages; i++) {
		if (pages[i]) {
			unlock_page(pages[i]);
			put_page(pages[i]);
		}
	}
out_unlock:
	mmap_read_unlock(mm);
	svmx_arming_end(&arming);
	mutex_unlock(&c->arm_lock);
	if (held)
		svmx_stat_add(c, &c->stats.armed, held);
	return ret ? ret : held;
}

/* First page in [*addr, end) not held; and the end of that run. */
static bool svmx_next_unheld_run(struct svmx_client *c, unsigned long *addr,
				 unsigned long end, unsigned long *run_end)
{
	unsigned long a = *addr;

	rcu_read_lock();
	while (a < end && xa_load(&c->pages, a >> PAGE_SHIFT))
		a += PAGE_SIZE;
	*addr = a;
	while (a < end && a - *addr < SVMX_ARM_BATCH * PAGE_SIZE &&
	       !xa_load(&c->pages, a >> PAGE_SHIFT))
		a += PAGE_SIZE;
	rcu_read_unlock();
	*run_end = a;
	return *addr < end;
}

/*
 * Arm every page of [start, end).  Returns 0 when all are held, -EBUSY when
 * some could not be armed in time, or another negative errno.  *held_now
 * counts pages this call added.
 */
long svmx_arm(struct svmx_client *c, unsigned long start, unsigned long end,
	      unsigned long *held_now)
{
	unsigned long deadline = jiffies + msecs_to_jiffies(svmx_arm_timeout_ms);
	unsigned long addr, run_end;
	struct page **pages;
	long ret = 0, n;
	bool stale;

	*held_now = 0;
	mmap_read_lock(c->mm);
	ret = svmx_check_vmas(c->mm, start, end);
	mmap_read_unlock(c->mm);
	if (ret)
		return ret;

	pages = kmalloc_array(SVMX_ARM_BATCH, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;

	addr = start;
	while (svmx_next_unheld_run(c, &addr, end, &run_end)) {
		n = svmx_arm_run(c, addr, run_end, pages, &stale);
		if (n < 0) {
			ret = n;
			break;
		}
		*held_now += n;
		if (!stale && n == (run_end - addr) >> PAGE_SHIFT) {
			addr = run_end;
			cond_resched();
			continue;
		}
		/* Some pages were not armed: try again from the top. */
		if (time_after(jiffies, deadline)) {
			svmx_stat_add(c, &c->stats.busy, 1);
			ret = -EBUSY;
			break;
		}
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		svmx_stat_add(c, &c->stats.retries, 1);
		addr = start;
		cond_resched();
	}
	kfree(pages);
	return ret;
}

#define SVMX_DISARM_BATCH 32

/*
 * Give back [start, end).  With restore, the CPU PTEs are made present again
 * now (as a CPU fault would), so the next CPU access costs nothing.  Returns
 * the number of pages given back.
 */
long svmx_disarm(struct svmx_client *c, unsigned long start,
		 unsigned long end, bool restore)
{
	unsigned long addrs[SVMX_DISARM_BATCH];
	unsigned long idx, last = (end - 1) >> PAGE_SHIFT, next, i, n;
	long total = 0;
	void *entry;

	if (restore)
		mmap_read_lock(c->mm);
	next = start >> PAGE_SHIFT;
	for (;;) {
		n = 0;
		mutex_lock(&c->lock);
		xa_for_each_range(&c->pages, idx, entry, next, last) {
			xa_erase(&c->pages, idx);
			addrs[n++] = idx << PAGE_SHIFT;
			if (n == SVMX_DISARM_BATCH)
				break;
		}
		c->nr_held -= n;
		mutex_unlock(&c->lock);
		if (!n)
			break;
		total += n;
		for (i = 0; restore && i < n; i++)
			fixup_user_fault(c->mm, addrs[i], 0, NULL);
		if (n < SVMX_DISARM_BATCH)
			break;
		next = (addrs[n - 1] >> PAGE_SHIFT) + 1;
		cond_resched();
	}
	if (restore)
		mmap_read_unlock(c->mm);
	if (total)
		svmx_stat_add(c, &c->stats.disarmed, total);
	return total;
}

/*
 * Pages of [start, end) held; when bitmap is given (end - start covering at
 * most 64 * bitmap words pages, zeroed by the caller) set their bits.
 */
unsigned long svmx_status(struct svmx_client *c, unsigned long start,
			  unsigned long end, u64 *bitmap)
{
	unsigned long first = start >> PAGE_SHIFT, idx, n = 0;
	void *entry;

	mutex_lock(&c->lock);
	xa_for_each_range(&c->pages, idx, entry, first,
			  (end - 1) >> PAGE_SHIFT) {
		if (bitmap)
			bitmap[(idx - first) / 64] |= 1ULL << ((idx - first) % 64);
		n++;
	}
	mutex_unlock(&c->lock);
	return n;
}
