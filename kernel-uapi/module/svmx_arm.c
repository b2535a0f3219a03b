// SPDX-License-Identifier: GPL-2.0
/*
 * svmx arming: make pages of a client's mm device-exclusive, give them back,
 * report which are held.
 *
 * ARM walks the range in runs of pages the client does not hold yet, at most
 * SVMX_ARM_BATCH pages at a time.  For each run, under client->arm_lock (the
 * run is chosen under it too):
 *   - the run is announced (svmx_arm_run_begin()) and, with
 *     make_device_exclusive_range(), PMD-mapped THPs in it are split
 *     (svmx_split_thp());
 *   - mmu_interval_read_begin(), then under mmap_read_lock the VMAs are
 *     checked (private, anonymous, writable, no holes) and the kernel
 *     converts the PTEs: make_device_exclusive_range() for the run (Linux
 *     6.1-6.14) or make_device_exclusive() page by page (6.15 on; chosen by
 *     a Kbuild probe of <linux/rmap.h>, SVMX_HAVE_MAKE_DEVICE_EXCLUSIVE);
 *   - each page is entered into the device table under client->lock unless
 *     the interval sequence moved, then its folio is unlocked and put.  A
 *     page that could not be entered is restored to the CPU at once, so no
 *     retry finds it device-exclusive (its GUP would restore it inside the
 *     retry's own notifier window and invalidate it, forever).
 * Pages that could not be armed (folio lock contention, a racing fault, a
 * folio that could not be split) and runs invalidated in flight are retried
 * until svmx_arm_timeout_ms has passed; then ARM fails with -EBUSY, leaving
 * what it did hold held.  A fatal signal ends it with -EINTR.
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

static LIST_HEAD(svmx_arm_runs);
static DEFINE_SPINLOCK(svmx_arm_runs_lock);

int svmx_arm_run_begin(struct svmx_arm_run *a, struct svmx_client *c,
		       unsigned long start, unsigned long end)
{
	a->client = c;
	a->start = start;
	a->end = end;
	atomic_inc(&c->arming);
	spin_lock(&svmx_arm_runs_lock);
	list_add(&a->node, &svmx_arm_runs);
	spin_unlock(&svmx_arm_runs_lock);
	return 0;
}

void svmx_arm_run_end(struct svmx_arm_run *a)
{
	spin_lock(&svmx_arm_runs_lock);
	list_del(&a->node);
	spin_unlock(&svmx_arm_runs_lock);
	atomic_dec(&a->client->arming);
}

/* Is another svmx client of c's mm arming part of [start, end) right now? */
bool svmx_arm_run_by_other(struct svmx_client *c, unsigned long start,
			   unsigned long end)
{
	struct svmx_arm_run *a;
	bool ret = false;

	/*
	 * Nobody arming is the common case: no lock for it.  An arming that
	 * causes this invalidation was announced by the thread running it.
	 */
	if (list_empty(&svmx_arm_runs))
		return false;
	spin_lock(&svmx_arm_runs_lock);
	list_for_each_entry(a, &svmx_arm_runs, node) {
		if (a->client != c && a->client->mm == c->mm &&
		    a->start < end && start < a->end) {
			ret = true;
			break;
		}
	}
	spin_unlock(&svmx_arm_runs_lock);
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

/*
 * Needed with make_device_exclusive_range() only (make_device_exclusive()
 * converts PTE-mapped large folios itself):
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
#if defined(CONFIG_TRANSPARENT_HUGEPAGE) && !defined(SVMX_HAVE_MAKE_DEVICE_EXCLUSIVE)
static bool svmx_holds_any(struct svmx_client *c, unsigned long start,
			   unsigned long end)
{
	unsigned long idx = start >> PAGE_SHIFT;

	return xa_find(&c->pages, &idx, (end - 1) >> PAGE_SHIFT, XA_PRESENT);
}

static void svmx_split_thp(struct svmx_client *c, unsigned long start,
			   unsigned long end)
{
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
}
#else
static void svmx_split_thp(struct svmx_client *c, unsigned long start,
			   unsigned long end)
{
}
#endif

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
 * Put a page the device could not take into its table back into the CPU's
 * page table (as a CPU fault would), so that no later attempt finds it still
 * device-exclusive: the GUP of that attempt would restore it itself, inside
 * the attempt's notifier window, and invalidate the attempt every time.
 * Called with mmap_lock held for read and the folio unlocked.
 */
static void svmx_restore(struct mm_struct *mm, unsigned long addr)
{
	fixup_user_fault(mm, addr, 0, NULL);
}

/* Take one injected table insertion failure, if any are left. */
static bool svmx_inject_store_failure(void)
{
	unsigned int n = READ_ONCE(svmx_fail_table_stores);

	do {
		if (!n)
			return false;
	} while (!try_cmpxchg(&svmx_fail_table_stores, &n, n - 1));
	return true;
}

/*
 * Enter page into the device table at addr unless the run was invalidated
 * since seq: 1 entered (or held already), 0 invalidated, -ENOMEM when the
 * table could not grow.  Called with the page's folio locked.
 */
static int svmx_program(struct svmx_client *c, unsigned long addr,
			struct page *page, unsigned long seq)
{
	void *old;
	int ret = 1;

	mutex_lock(&c->lock);
	if (mmu_interval_read_retry(&c->notifier, seq)) {
		ret = 0;
	} else if (svmx_inject_store_failure()) {
		ret = -ENOMEM;
	} else {
		old = xa_store(&c->pages, addr >> PAGE_SHIFT, page,
			       GFP_NOWAIT | __GFP_NOWARN);
		/* A reserved slot comes back NULL, or on 6.1 XA_ZERO_ENTRY. */
		if (xa_is_err(old))
			ret = xa_err(old);
		else if (!old || xa_is_zero(old))
			c->nr_held++;	/* else it was held already */
	}
	mutex_unlock(&c->lock);
	return ret;
}

#ifdef SVMX_HAVE_MAKE_DEVICE_EXCLUSIVE
/*
 * make_device_exclusive(): one page per call, returned with its folio
 * locked and referenced, or an ERR_PTR.  Program the device, then unlock and
 * put the folio before the next page: pages of one large folio share one
 * lock, and the next call waits on it.  The kernel splits PMD mappings and
 * accepts PTE-mapped large folios itself.
 */
static long svmx_arm_pages(struct svmx_client *c, unsigned long start,
			   unsigned long end, unsigned long seq, bool *stale)
{
	struct mm_struct *mm = c->mm;
	struct folio *folio;
	struct page *page;
	unsigned long addr;
	long held = 0;
	int ret;

	for (addr = start; addr < end; addr += PAGE_SIZE) {
		page = make_device_exclusive(mm, addr, c, &folio);
		if (IS_ERR(page)) {
			ret = PTR_ERR(page);
			if (ret == -EAGAIN || ret == -EBUSY) {
				*stale = true;
				break;
			}
			return held ? held : (ret == -EOPNOTSUPP ? -EINVAL : ret);
		}
		ret = svmx_program(c, addr, page, seq);
		folio_unlock(folio);
		folio_put(folio);
		if (ret <= 0) {
			svmx_restore(mm, addr);
			if (ret < 0)
				return ret;
			*stale = true;
			break;
		}
		held++;
	}
	return held;
}

static int svmx_arm_alloc(struct svmx_client *c)
{
	return 0;
}
#else
/*
 * The array make_device_exclusive_range() fills: one per client, allocated
 * at its first ARM and used under arm_lock (not one per call: allocating
 * and freeing it was a good part of the cost of a one-page ARM).
 */
static int svmx_arm_alloc(struct svmx_client *c)
{
	lockdep_assert_held(&c->arm_lock);
	if (!c->arm_pages)
		c->arm_pages = kmalloc_array(SVMX_ARM_BATCH,
					     sizeof(*c->arm_pages),
					     GFP_KERNEL_ACCOUNT);
	return c->arm_pages ? 0 : -ENOMEM;
}

/*
 * make_device_exclusive_range(): pages come back locked and referenced,
 * NULL where they could not be made exclusive (e.g. folio lock contention).
 * Each is programmed, then unlocked and put; one that could not be
 * programmed is restored.  Pages of a large folio other than the first come
 * back NULL (svmx_split_thp() avoids that), so no two share a lock.
 */
static long svmx_arm_pages(struct svmx_client *c, unsigned long start,
			   unsigned long end, unsigned long seq, bool *stale)
{
	struct page **pages = c->arm_pages;
	struct mm_struct *mm = c->mm;
	unsigned long i, addr;
	long npages, held = 0;
	int ret = 0, r;

	npages = make_device_exclusive_range(mm, start, end, pages, c);
	if (npages < 0)
		return npages;
	if (npages < (end - start) >> PAGE_SHIFT)
		*stale = true;
	for (i = 0; i < npages; i++) {
		if (!pages[i]) {
			*stale = true;
			continue;
		}
		addr = start + (i << PAGE_SHIFT);
		r = ret ? 0 : svmx_program(c, addr, pages[i], seq);
		if (r < 0)
			ret = r;
		else if (!r)
			*stale = true;
		unlock_page(pages[i]);
		put_page(pages[i]);
		if (r > 0)
			held++;
		else
			svmx_restore(mm, addr);
	}
	return ret ? ret : held;
}
#endif

/*
 * Arm the first run of pages the client does not hold in [*addr, end), at
 * most SVMX_ARM_BATCH pages.  The run is chosen under arm_lock: chosen
 * before, another thread of the client may arm it meanwhile, and this one's
 * GUP would take those pages back.  Returns the number of pages now held or
 * a negative errno; *addr and *run_end delimit the run (*addr == end: none
 * left); *stale tells that not every page of the run could be armed.
 */
static long svmx_arm_run(struct svmx_client *c, unsigned long *addr,
			 unsigned long end, unsigned long *run_end, bool *stale)
{
	struct mm_struct *mm = c->mm;
	struct svmx_arm_run arming;
	unsigned long seq;
	long held;
	int ret;

	*stale = false;
	mutex_lock(&c->arm_lock);
	if (!svmx_next_unheld_run(c, addr, end, run_end)) {
		mutex_unlock(&c->arm_lock);
		return 0;
	}
	ret = svmx_arm_alloc(c);
	if (ret) {
		mutex_unlock(&c->arm_lock);
		return ret;
	}
	/*
	 * Announce the arming before anything restores another client's
	 * pages (the THP probe and the conversion both do), so that client
	 * sees SVMX_REASON_OWNER.  Split THPs before read_begin: the
	 * migration invalidates the run.
	 */
	svmx_arm_run_begin(&arming, c, *addr, *run_end);
	svmx_split_thp(c, *addr, *run_end);

	seq = mmu_interval_read_begin(&c->notifier);
	mmap_read_lock(mm);
	ret = svmx_check_vmas(mm, *addr, *run_end);
	held = ret ? ret : svmx_arm_pages(c, *addr, *run_end, seq, stale);
	mmap_read_unlock(mm);
	svmx_arm_run_end(&arming);
	mutex_unlock(&c->arm_lock);
	if (held > 0)
		svmx_stat_add(c, &c->stats.armed, held);
	return held;
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
	long ret = 0, n;
	bool stale;

	*held_now = 0;
	mmap_read_lock(c->mm);
	ret = svmx_check_vmas(c->mm, start, end);
	mmap_read_unlock(c->mm);
	if (ret)
		return ret;

	addr = start;
	for (;;) {
		n = svmx_arm_run(c, &addr, end, &run_end, &stale);
		if (n < 0) {
			ret = n;
			break;
		}
		if (addr >= end)
			break;
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
			svmx_clear_slot(c, idx, entry);
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
