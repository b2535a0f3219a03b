// SPDX-License-Identifier: GPL-2.0
/*
 * svmx revocation events: a bounded ring per client, drained by read(),
 * poll() and SVMX_IOC_EVENTS.  When the ring is full, records are counted
 * instead of queued and the reader gets one SVMX_REASON_OVERFLOW record whose
 * len says how many were lost, after the records that were kept.
 */
#include <linux/fs.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include "svmx_client.h"

int svmx_events_init(struct svmx_client *c)
{
	spin_lock_init(&c->ev_lock);
	init_waitqueue_head(&c->ev_wait);
	c->ev_cap = clamp(svmx_event_queue_len, 1U, 1U << 20);
	/* Charged to the opener's memory cgroup: one ring per open file. */
	c->ev = kvcalloc(c->ev_cap, sizeof(*c->ev), GFP_KERNEL_ACCOUNT);
	return c->ev ? 0 : -ENOMEM;
}

void svmx_events_free(struct svmx_client *c)
{
	kvfree(c->ev);
	c->ev = NULL;
}

/*
 * Queue one record; merges with the newest record when it continues it.
 * Callable from any context that may take a spinlock.
 */
void svmx_event_push(struct svmx_client *c, unsigned long addr,
		     unsigned long len, enum svmx_reason reason, u32 evflags)
{
	struct svmx_event *last;
	unsigned long flags;
	bool dropped = false;

	spin_lock_irqsave(&c->ev_lock, flags);
	if (c->ev_count) {
		last = &c->ev[(c->ev_head + c->ev_count - 1) % c->ev_cap];
		if (last->reason == reason && last->flags == evflags &&
		    last->addr + last->len == addr) {
			last->len += len;
			goto out;
		}
	}
	if (c->ev_count == c->ev_cap) {
		c->ev_dropped++;
		dropped = true;
		goto out;
	}
	last = &c->ev[(c->ev_head + c->ev_count) % c->ev_cap];
	last->addr = addr;
	last->len = len;
	last->reason = reason;
	last->flags = evflags;
	c->ev_count++;
out:
	spin_unlock_irqrestore(&c->ev_lock, flags);
	if (dropped)
		svmx_stat_add(c, &c->stats.events_dropped, 1);
	wake_up_interruptible_poll(&c->ev_wait, EPOLLIN | EPOLLRDNORM);
}

static bool svmx_events_pending(struct svmx_client *c)
{
	unsigned long flags;
	bool ret;

	spin_lock_irqsave(&c->ev_lock, flags);
	ret = c->ev_count || c->ev_dropped;
	spin_unlock_irqrestore(&c->ev_lock, flags);
	return ret;
}

/* Move up to max records into out[]; returns how many. */
static unsigned int svmx_events_take(struct svmx_client *c,
				     struct svmx_event *out, unsigned int max)
{
	unsigned long flags;
	unsigned int n = 0;

	spin_lock_irqsave(&c->ev_lock, flags);
	while (n < max && c->ev_count) {
		out[n++] = c->ev[c->ev_head];
		c->ev_head = (c->ev_head + 1) % c->ev_cap;
		c->ev_count--;
	}
	if (n < max && !c->ev_count && c->ev_dropped) {
		out[n].addr = 0;
		out[n].len = c->ev_dropped;
		out[n].reason = SVMX_REASON_OVERFLOW;
		out[n].flags = 0;
		c->ev_dropped = 0;
		n++;
	}
	spin_unlock_irqrestore(&c->ev_lock, flags);
	return n;
}

#define SVMX_EV_CHUNK 32

/*
 * Copy records to user memory a chunk at a time: taken records are gone, so
 * a fault on the user buffer loses them; we report that as -EFAULT only when
 * nothing was copied yet, like read() on a pipe.
 */
static ssize_t svmx_events_copy(struct svmx_client *c, char __user *buf,
				size_t max)
{
	struct svmx_event tmp[SVMX_EV_CHUNK];
	size_t done = 0;

	while (done < max) {
		unsigned int want = min_t(size_t, max - done, SVMX_EV_CHUNK);
		unsigned int n = svmx_events_take(c, tmp, want);

		if (!n)
			break;
		if (copy_to_user(buf + done * sizeof(tmp[0]), tmp,
				 n * sizeof(tmp[0])))
			return done ? done : -EFAULT;
		done += n;
		if (n < want)
			break;
	}
	return done;
}

ssize_t svmx_events_read(struct file *file, char __user *buf, size_t count,
			 loff_t *ppos)
{
	struct svmx_client *c = file->private_data;
	size_t max = count / sizeof(struct svmx_event);
	ssize_t n;

	if (!max)
		return -EINVAL;
	for (;;) {
		n = svmx_events_copy(c, buf, max);
		if (n)
			return n < 0 ? n : n * sizeof(struct svmx_event);
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		if (wait_event_interruptible(c->ev_wait,
					     svmx_events_pending(c)))
			return -ERESTARTSYS;
	}
}

__poll_t svmx_events_poll(struct file *file, struct poll_table_struct *wait)
{
	struct svmx_client *c = file->private_data;

	poll_wait(file, &c->ev_wait, wait);
	return svmx_events_pending(c) ? EPOLLIN | EPOLLRDNORM : 0;
}

long svmx_events_ioctl(struct svmx_client *c, struct svmx_events *arg)
{
	ssize_t n;

	if (!arg->count) {
		arg->count = 0;
		return 0;
	}
	if (!arg->events)
		return -EFAULT;
	n = svmx_events_copy(c, u64_to_user_ptr(arg->events), arg->count);
	if (n < 0)
		return n;
	arg->count = n;
	return 0;
}
