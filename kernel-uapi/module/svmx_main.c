// SPDX-License-Identifier: GPL-2.0
/*
 * svmx: arm ranges of a process's anonymous memory for exclusive device
 * access with device-exclusive entries, report revocations, and carry a
 * software device for tests.
 *
 * This file: the misc device /dev/svmx, one client per open file, and the
 * ioctl dispatch.  Every ioctl argument starts with its __u32 size; see
 * include/svmx/svmx_uapi.h.
 */
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include "svmx_client.h"

unsigned int svmx_arm_timeout_ms = 1000;
module_param_named(arm_timeout_ms, svmx_arm_timeout_ms, uint, 0644);
MODULE_PARM_DESC(arm_timeout_ms,
		 "How long ARM and device faults retry before -EBUSY (ms)");

unsigned int svmx_event_queue_len = 4096;
module_param_named(event_queue_len, svmx_event_queue_len, uint, 0644);
MODULE_PARM_DESC(event_queue_len,
		 "Revocation records queued per client before overflow");

/*
 * Fault injection for the tests: a real failure to grow a device table
 * needs the zone at its min watermark (the insertion is GFP_NOWAIT, under
 * client->lock), where anything that may reclaim would invoke the OOM killer.
 */
unsigned int svmx_fail_table_stores;
module_param_named(fail_table_stores, svmx_fail_table_stores, uint, 0600);
MODULE_PARM_DESC(fail_table_stores,
		 "Debug: fail this many device table insertions with -ENOMEM");

static int svmx_dev_open(struct inode *inode, struct file *file)
{
	struct svmx_client *c;
	int ret;

	if (!current->mm)
		return -EINVAL;
	c = kzalloc(sizeof(*c), GFP_KERNEL_ACCOUNT);
	if (!c)
		return -ENOMEM;
	mutex_init(&c->arm_lock);
	mutex_init(&c->lock);
	xa_init(&c->pages);
	spin_lock_init(&c->stats_lock);
	c->stats.size = sizeof(c->stats);
	ret = svmx_events_init(c);
	if (ret)
		goto err_free;
	c->mm = current->mm;
	mmgrab(c->mm);
	/* Whole address space; inserted without mmap_lock held. */
	ret = mmu_interval_notifier_insert(&c->notifier, c->mm, 0,
					   ULONG_MAX & PAGE_MASK,
					   &svmx_notifier_ops);
	if (ret)
		goto err_mm;
	file->private_data = c;
	return 0;

err_mm:
	mmdrop(c->mm);
	svmx_events_free(c);
err_free:
	kfree(c);
	return ret;
}

static int svmx_release(struct inode *inode, struct file *file)
{
	struct svmx_client *c = file->private_data;

	/* Give pages back now if the mm is still alive. */
	if (mmget_not_zero(c->mm)) {
		svmx_disarm(c, 0, TASK_SIZE, true);
		mmput(c->mm);
	}
	mmu_interval_notifier_remove(&c->notifier);
	mutex_lock(&c->lock);
	xa_destroy(&c->pages);
	c->nr_held = 0;
	mutex_unlock(&c->lock);
	mmdrop(c->mm);
	svmx_events_free(c);
	kfree(c->arm_pages);
	kfree(c);
	return 0;
}

#define SVMX_BITMAP_WORDS 512

/*
 * Count the held pages of [start, end) and, if ubitmap is set, write the
 * bitmap of them, a chunk at a time.
 */
static int svmx_report(struct svmx_client *c, unsigned long start,
		       unsigned long end, u64 ubitmap, u64 *pages)
{
	const unsigned long chunk = SVMX_BITMAP_WORDS * 64UL * PAGE_SIZE;
	u64 __user *ubm = u64_to_user_ptr(ubitmap);
	unsigned long a, e, words;
	u64 *bm = NULL;
	int ret = 0;

	*pages = 0;
	if (!ubitmap) {
		*pages = svmx_status(c, start, end, NULL);
		return 0;
	}
	bm = kmalloc_array(SVMX_BITMAP_WORDS, sizeof(*bm), GFP_KERNEL);
	if (!bm)
		return -ENOMEM;
	for (a = start; a < end; a = e) {
		e = end - a > chunk ? a + chunk : end;
		words = DIV_ROUND_UP((e - a) >> PAGE_SHIFT, 64);
		memset(bm, 0, words * sizeof(*bm));
		*pages += svmx_status(c, a, e, bm);
		if (copy_to_user(ubm, bm, words * sizeof(*bm))) {
			ret = -EFAULT;
			break;
		}
		ubm += words;
	}
	kfree(bm);
	return ret;
}

static long svmx_range_ioctl(struct svmx_client *c, unsigned int nr,
			     struct svmx_range *r)
{
	unsigned long held_now, start, end;
	u64 held_after;
	long ret = 0, ret2;

	if (r->flags)
		return -EINVAL;
	ret = svmx_check_range(r->addr, r->len);
	if (ret)
		return ret;
	start = r->addr;
	end = r->addr + r->len;
	if (nr != _IOC_NR(SVMX_IOC_STATUS) && current->mm != c->mm)
		return -EIO;

	switch (nr) {
	case _IOC_NR(SVMX_IOC_ARM):
		ret = svmx_arm(c, start, end, &held_now);
		if (ret && ret != -EBUSY)
			return ret;
		break;
	case _IOC_NR(SVMX_IOC_DISARM):
		r->pages = svmx_disarm(c, start, end, true);
		if (!r->bitmap)
			return 0;
		break;
	}
	ret2 = svmx_report(c, start, end, r->bitmap, &held_after);
	if (nr != _IOC_NR(SVMX_IOC_DISARM))
		r->pages = held_after;
	return ret2 ? ret2 : ret;
}

static long svmx_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct svmx_client *c = file->private_data;
	void __user *uarg = (void __user *)arg;
	union {
		struct svmx_version version;
		struct svmx_range range;
		struct svmx_events events;
		struct svmx_stats stats;
		struct svmx_dev_atomic atomic;
		struct svmx_dev_rw rw;
	} u;
	unsigned int nr = _IOC_NR(cmd);
	size_t ksize;
	u32 usize;
	long ret;

	if (_IOC_TYPE(cmd) != SVMX_IOC_MAGIC)
		return -ENOTTY;
	switch (nr) {
	case _IOC_NR(SVMX_IOC_VERSION):
		ksize = sizeof(u.version);
		break;
	case _IOC_NR(SVMX_IOC_ARM):
	case _IOC_NR(SVMX_IOC_DISARM):
	case _IOC_NR(SVMX_IOC_STATUS):
		ksize = sizeof(u.range);
		break;
	case _IOC_NR(SVMX_IOC_EVENTS):
		ksize = sizeof(u.events);
		break;
	case _IOC_NR(SVMX_IOC_STATS):
		ksize = sizeof(u.stats);
		break;
	case _IOC_NR(SVMX_IOC_DEV_ATOMIC):
		ksize = sizeof(u.atomic);
		break;
	case _IOC_NR(SVMX_IOC_DEV_READ):
	case _IOC_NR(SVMX_IOC_DEV_WRITE):
		ksize = sizeof(u.rw);
		break;
	default:
		return -ENOTTY;
	}

	if (get_user(usize, (u32 __user *)uarg))
		return -EFAULT;
	/* Version 1 is the oldest: its structs are the smallest accepted. */
	if (usize < ksize)
		return -EINVAL;
	/* copy_struct_from_user() checks every byte past ksize: bound it. */
	if (usize > SVMX_MAX_STRUCT_SIZE)
		return -E2BIG;
	ret = copy_struct_from_user(&u, ksize, uarg, usize);
	if (ret)
		return ret;

	switch (nr) {
	case _IOC_NR(SVMX_IOC_VERSION):
		u.version.version = SVMX_UAPI_VERSION;
		u.version.page_size = PAGE_SIZE;
		u.version.features = SVMX_FEAT_SOFT_DEVICE |
				     SVMX_FEAT_EVENTS_READ;
#ifdef SVMX_HAVE_MAKE_DEVICE_EXCLUSIVE
		u.version.features |= SVMX_FEAT_PTE_MAPPED_LARGE_FOLIOS;
#else
		u.version.features |= SVMX_FEAT_CPU_EXACT;
#endif
		ret = 0;
		break;
	case _IOC_NR(SVMX_IOC_ARM):
	case _IOC_NR(SVMX_IOC_DISARM):
	case _IOC_NR(SVMX_IOC_STATUS):
		ret = svmx_range_ioctl(c, nr, &u.range);
		if (ret && ret != -EBUSY)
			return ret;
		break;
	case _IOC_NR(SVMX_IOC_EVENTS):
		ret = svmx_events_ioctl(c, &u.events);
		break;
	case _IOC_NR(SVMX_IOC_STATS):
		if (u.stats.flags)
			return -EINVAL;
		spin_lock(&c->stats_lock);
		u.stats = c->stats;
		spin_unlock(&c->stats_lock);
		ret = 0;
		break;
	case _IOC_NR(SVMX_IOC_DEV_ATOMIC):
		if (current->mm != c->mm)
			return -EIO;
		ret = svmx_dev_atomic(c, &u.atomic);
		break;
	default:
		if (current->mm != c->mm)
			return -EIO;
		ret = svmx_dev_rw(c, &u.rw,
				  nr == _IOC_NR(SVMX_IOC_DEV_WRITE));
		break;
	}
	if (ret && ret != -EBUSY)
		return ret;
	u.range.size = ksize;	/* size leads every struct */
	if (copy_to_user(uarg, &u, ksize))
		return -EFAULT;
	return ret;
}

static const struct file_operations svmx_fops = {
	.owner = THIS_MODULE,
	.open = svmx_dev_open,
	.release = svmx_release,
	.read = svmx_events_read,
	.poll = svmx_events_poll,
	.unlocked_ioctl = svmx_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

/*
 * Like a DRM render node: owner and group only.  devtmpfs creates the node
 * root:root 0660; the udev rule installed with the module (60-svmx.rules)
 * gives it the group "render".
 */
static struct miscdevice svmx_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "svmx",
	.fops = &svmx_fops,
	.mode = 0660,
};

module_misc_device(svmx_misc);

MODULE_DESCRIPTION("svmx: device-exclusive access to process memory, with a software device");
MODULE_LICENSE("GPL");
