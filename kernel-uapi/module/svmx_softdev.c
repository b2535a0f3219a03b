// SPDX-License-Identifier: GPL-2.0
/*
 * svmx software device: a device whose "page table" is the client's table of
 * armed pages and whose memory accesses go through the kernel mapping of
 * those pages, in the manner of lib/test_hmm.c's dmirror.
 *
 * An access to a page the device does not hold is the device's atomic fault:
 * the page is re-armed (svmx_arm() of that one page) and the access retried.
 * Accesses run under client->lock, so an invalidation waits for the access in
 * progress and the device never touches a page it no longer holds: every
 * invalidation takes client->lock and removes the pages it covers, and ARM
 * enters a page only if no invalidation ran since it began (svmx_arm.c).
 * DEV_ATOMIC stops on any pending signal (-EINTR), DEV_READ/WRITE on a fatal
 * one.
 */
#include <linux/highmem.h>
#include <linux/jiffies.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include "svmx_client.h"

/* Ops done per hold of client->lock: bounds how long a CPU fault waits. */
#define SVMX_DEV_BATCH 64

/* The device's atomic fault: re-arm the page at addr. */
static int svmx_dev_fault(struct svmx_client *c, unsigned long addr)
{
	unsigned long held;
	long ret;

	addr &= PAGE_MASK;
	ret = svmx_arm(c, addr, addr + PAGE_SIZE, &held);
	if (ret)
		return ret;
	svmx_stat_add(c, &c->stats.dev_rearms, 1);
	return 0;
}

/*
 * Lock the table and return the page at addr, faulting it in first when the
 * device does not hold it.  On success client->lock is held.  A page the CPU
 * keeps taking back between the fault and the access is retried until
 * svmx_arm_timeout_ms has passed, then -EBUSY.
 */
static struct page *svmx_dev_get(struct svmx_client *c, unsigned long addr,
				 u64 *rearms, int *err)
{
	unsigned long deadline = jiffies + msecs_to_jiffies(svmx_arm_timeout_ms);
	struct page *page;

	for (;;) {
		mutex_lock(&c->lock);
		page = xa_load(&c->pages, addr >> PAGE_SHIFT);
		if (page)
			return page;
		mutex_unlock(&c->lock);
		if (*rearms && time_after(jiffies, deadline)) {
			svmx_stat_add(c, &c->stats.busy, 1);
			*err = -EBUSY;
			return NULL;
		}
		*err = svmx_dev_fault(c, addr);
		if (*err)
			return NULL;
		(*rearms)++;
	}
}

static u64 svmx_dev_op32(u32 op, atomic_t *p, u32 operand, u32 compare)
{
	switch (op) {
	case SVMX_DEV_ADD:
		return (u32)atomic_fetch_add(operand, p);
	case SVMX_DEV_XCHG:
		return (u32)atomic_xchg(p, operand);
	default:
		return (u32)atomic_cmpxchg(p, compare, operand);
	}
}

static u64 svmx_dev_op64(u32 op, atomic64_t *p, u64 operand, u64 compare)
{
	switch (op) {
	case SVMX_DEV_ADD:
		return atomic64_fetch_add(operand, p);
	case SVMX_DEV_XCHG:
		return atomic64_xchg(p, operand);
	default:
		return atomic64_cmpxchg(p, compare, operand);
	}
}

long svmx_dev_atomic(struct svmx_client *c, struct svmx_dev_atomic *arg)
{
	unsigned long addr = arg->addr, off = offset_in_page(arg->addr);
	u64 done = 0, rearms = 0, old = 0, n, i;
	struct page *page;
	bool wrote;
	void *kaddr;
	int err = 0;

	if (arg->flags || (arg->width != 4 && arg->width != 8))
		return -EINVAL;
	if (arg->op < SVMX_DEV_ADD || arg->op > SVMX_DEV_CMPXCHG)
		return -EINVAL;
	if (!IS_ALIGNED(arg->addr, arg->width))
		return -EINVAL;
	if (arg->addr >= TASK_SIZE)
		return -EFAULT;

	while (done < arg->count) {
		page = svmx_dev_get(c, addr, &rearms, &err);
		if (!page)
			break;
		kaddr = kmap_local_page(page) + off;
		n = min_t(u64, arg->count - done, SVMX_DEV_BATCH);
		wrote = arg->op != SVMX_DEV_CMPXCHG;
		for (i = 0; i < n; i++) {
			if (arg->width == 4)
				old = svmx_dev_op32(arg->op, kaddr, arg->operand,
						    arg->compare);
			else
				old = svmx_dev_op64(arg->op, kaddr, arg->operand,
						    arg->compare);
			/* A CMPXCHG wrote if any op of the batch succeeded. */
			if (old == (arg->width == 4 ? (u32)arg->compare :
				    arg->compare))
				wrote = true;
		}
		kunmap_local(kaddr);
		/*
		 * The CPU's page table does not see device writes (and since
		 * 6.15 device-exclusive entries count as clean): dirty the
		 * page here.
		 */
		if (wrote)
			set_page_dirty(page);
		mutex_unlock(&c->lock);
		done += n;
		if (signal_pending(current)) {
			err = -EINTR;
			break;
		}
		cond_resched();
	}
	arg->result = old;
	arg->rearms = rearms;
	return err;
}

long svmx_dev_rw(struct svmx_client *c, struct svmx_dev_rw *arg, bool write)
{
	char __user *ubuf = u64_to_user_ptr(arg->buf);
	unsigned long addr = arg->addr;
	u64 done = 0, rearms = 0;
	struct page *page;
	void *bounce, *kaddr;
	int err = 0;

	if (arg->flags)
		return -EINVAL;
	if (!arg->len)
		return 0;
	if (arg->addr + arg->len < arg->addr || arg->addr + arg->len > TASK_SIZE)
		return -EFAULT;
	bounce = kmalloc(PAGE_SIZE, GFP_KERNEL);
	if (!bounce)
		return -ENOMEM;

	while (done < arg->len) {
		unsigned long off = offset_in_page(addr);
		size_t n = min_t(u64, arg->len - done, PAGE_SIZE - off);

		/* No user copies under client->lock: they may fault. */
		if (write && copy_from_user(bounce, ubuf + done, n)) {
			err = -EFAULT;
			break;
		}
		page = svmx_dev_get(c, addr, &rearms, &err);
		if (!page)
			break;
		kaddr = kmap_local_page(page);
		if (write) {
			memcpy(kaddr + off, bounce, n);
			set_page_dirty(page);
		} else {
			memcpy(bounce, kaddr + off, n);
		}
		kunmap_local(kaddr);
		mutex_unlock(&c->lock);
		if (!write && copy_to_user(ubuf + done, bounce, n)) {
			err = -EFAULT;
			break;
		}
		done += n;
		addr += n;
		if (fatal_signal_pending(current)) {
			err = -EINTR;
			break;
		}
		cond_resched();
	}
	kfree(bounce);
	return err;
}
