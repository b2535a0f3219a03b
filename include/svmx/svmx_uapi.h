/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * svmx uapi: arm ranges of a process's anonymous memory for exclusive device
 * access and learn when the device loses them.
 *
 * Served by /dev/svmx (the svmx module, with a software device for tests) and
 * by nouveau render nodes carrying the svmx patch (see SVMX_DRM_NOUVEAU_*).
 *
 * One open file is one client, bound to the opener's mm.  Every ioctl argument
 * begins with a __u32 size: the caller sets it to sizeof() of the struct it was
 * compiled with.  The kernel dispatches on _IOC_TYPE/_IOC_NR only, accepts any
 * size from the first version's up, zero-fills fields an older caller does not
 * know and rejects (-E2BIG) non-zero bytes it does not know itself.
 */
#ifndef _UAPI_SVMX_H
#define _UAPI_SVMX_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define SVMX_UAPI_VERSION	1
#define SVMX_DEVICE_PATH	"/dev/svmx"
#define SVMX_MAX_STRUCT_SIZE	4096	/* larger size fields: -E2BIG */

/* SVMX_IOC_VERSION: what the kernel side speaks. */
struct svmx_version {
	__u32 size;
	__u32 version;		/* out: SVMX_UAPI_VERSION */
	__u32 page_size;	/* out: granule of every range */
	__u32 features;		/* out: SVMX_FEAT_* */
};

#define SVMX_FEAT_SOFT_DEVICE	(1u << 0)	/* SVMX_IOC_DEV_* exist */
#define SVMX_FEAT_EVENTS_READ	(1u << 1)	/* read()/poll() give events */
/*
 * SVMX_REASON_CPU is exact: only a CPU access (or a GUP) taking the page
 * back is reported as CPU; madvise, reclaim and migration are OTHER.  Kernels
 * without it (Linux 6.15 and later: a CPU fault on a device-exclusive entry
 * sends the same notifier event as madvise(MADV_DONTNEED), reclaim and
 * migration) report all of these as CPU with SVMX_EVENT_CPU_INEXACT set.
 */
#define SVMX_FEAT_CPU_EXACT	(1u << 2)
/*
 * ARM arms large folios that are already mapped by PTEs (e.g. after an
 * mprotect() of part of a THP).  Without it such a range ends in -EBUSY and
 * userspace splits the folio (DISARM, madvise(MADV_COLD) one page, ARM).
 */
#define SVMX_FEAT_PTE_MAPPED_LARGE_FOLIOS (1u << 3)

/*
 * SVMX_IOC_ARM, SVMX_IOC_DISARM, SVMX_IOC_STATUS.
 * addr and len are page aligned, len > 0, the range lies in user space.
 * bitmap, if not 0, points to DIV_ROUND_UP(len / page_size, 64) __u64 words:
 * on return bit i of word i / 64 says whether page i of the range is held.
 * Errors: EINVAL (alignment, len 0, overflow, flags, a file, shmem, hugetlb,
 * VM_IO or VM_PFNMAP mapping), EFAULT (a hole, beyond user space, bad
 * bitmap), EPERM (mapping not writable), EIO (ARM, DISARM and DEV_* from a
 * process other than the opener, e.g. after fork()), EBUSY (ARM: not every
 * page could be armed in the module's time bound; pages and bitmap are still
 * written), EINTR (fatal signal).
 */
struct svmx_range {
	__u32 size;
	__u32 flags;		/* in: must be 0 */
	__u64 addr;
	__u64 len;
	__u64 bitmap;		/* in: user pointer or 0 */
	__u64 pages;		/* out: ARM, STATUS: pages held in the range;
				 *      DISARM: pages given back */
};

/* Why a client lost pages.  Stats count them per reason. */
enum svmx_reason {
	SVMX_REASON_CPU = 1,	/* a CPU access faulted the page back */
	SVMX_REASON_FORK,	/* fork() write-protected or copied the page */
	SVMX_REASON_MPROTECT,	/* protection of the mapping changed */
	SVMX_REASON_MUNMAP,	/* munmap(), mremap() */
	SVMX_REASON_OWNER,	/* another client or driver armed the page */
	SVMX_REASON_EXIT,	/* the address space is being torn down */
	SVMX_REASON_OTHER,	/* reclaim, migration, madvise, ... */
	SVMX_REASON_OVERFLOW,	/* events were dropped: len is how many */
	SVMX_REASON_NR
};

/* One revocation, as read() from the fd returns them (whole records only). */
struct svmx_event {
	__u64 addr;
	__u64 len;
	__u32 reason;		/* enum svmx_reason */
	__u32 flags;		/* SVMX_EVENT_* */
};

/*
 * reason is SVMX_REASON_CPU but the kernel cannot tell a CPU access from
 * madvise(), reclaim or migration (no SVMX_FEAT_CPU_EXACT).
 */
#define SVMX_EVENT_CPU_INEXACT	(1u << 0)

/*
 * SVMX_IOC_EVENTS: the same records through an ioctl, for drivers whose fd
 * read() belongs to someone else (DRM).  count: in capacity, out filled.
 */
struct svmx_events {
	__u32 size;
	__u32 count;
	__u64 events;		/* user pointer to struct svmx_event[count] */
};

/*
 * SVMX_IOC_STATS: counters of this client since open.  revoked[] has a fixed
 * length, indexed by enum svmx_reason, so that new reasons do not move the
 * fields after it.
 */
#define SVMX_STATS_REASONS	16

struct svmx_stats {
	__u32 size;
	__u32 flags;
	__u64 armed;		/* pages made exclusive by ARM */
	__u64 disarmed;		/* pages given back by DISARM */
	__u64 revoked[SVMX_STATS_REASONS];	/* pages lost, by reason */
	__u64 dev_rearms;	/* device atomic faults that re-armed a page */
	__u64 retries;		/* arm attempts repeated after a race */
	__u64 busy;		/* arms that gave up with -EBUSY */
	__u64 events_dropped;
};

/* Software device (SVMX_FEAT_SOFT_DEVICE): the device's own view of memory. */
enum svmx_dev_op {
	SVMX_DEV_ADD = 1,
	SVMX_DEV_XCHG,
	SVMX_DEV_CMPXCHG,
};

/*
 * SVMX_IOC_DEV_ATOMIC: count atomic ops of width 4 or 8 bytes at a naturally
 * aligned addr, through the device mapping.  A page the device lost is
 * re-armed first (the device's atomic fault); -EPERM where the VMA forbids
 * writes.  Any pending signal stops it with -EINTR (between batches of 64
 * ops; the ops done stay done, the struct is not written back).
 */
struct svmx_dev_atomic {
	__u32 size;
	__u32 op;		/* enum svmx_dev_op */
	__u32 width;		/* 4 or 8 */
	__u32 flags;		/* 0 */
	__u64 addr;
	__u64 operand;		/* ADD: addend; XCHG, CMPXCHG: new value */
	__u64 compare;		/* CMPXCHG: expected value */
	__u64 count;
	__u64 result;		/* out: old value seen by the last op */
	__u64 rearms;		/* out: atomic faults taken */
};

/* SVMX_IOC_DEV_READ, SVMX_IOC_DEV_WRITE: copy through the device mapping. */
struct svmx_dev_rw {
	__u32 size;
	__u32 flags;		/* 0 */
	__u64 addr;
	__u64 len;
	__u64 buf;		/* user pointer */
};

#define SVMX_IOC_MAGIC		'X'
#define SVMX_IOC_VERSION	_IOWR(SVMX_IOC_MAGIC, 0x00, struct svmx_version)
#define SVMX_IOC_ARM		_IOWR(SVMX_IOC_MAGIC, 0x01, struct svmx_range)
#define SVMX_IOC_DISARM		_IOWR(SVMX_IOC_MAGIC, 0x02, struct svmx_range)
#define SVMX_IOC_STATUS		_IOWR(SVMX_IOC_MAGIC, 0x03, struct svmx_range)
#define SVMX_IOC_EVENTS		_IOWR(SVMX_IOC_MAGIC, 0x04, struct svmx_events)
#define SVMX_IOC_STATS		_IOWR(SVMX_IOC_MAGIC, 0x05, struct svmx_stats)
#define SVMX_IOC_DEV_ATOMIC	_IOWR(SVMX_IOC_MAGIC, 0x10, struct svmx_dev_atomic)
#define SVMX_IOC_DEV_READ	_IOWR(SVMX_IOC_MAGIC, 0x11, struct svmx_dev_rw)
#define SVMX_IOC_DEV_WRITE	_IOWR(SVMX_IOC_MAGIC, 0x12, struct svmx_dev_rw)

/*
 * nouveau: the same requests as DRM driver ioctls on a nouveau render node
 * whose kernel carries the svmx series (kernel-uapi/nouveau/).  The DRM
 * client must have called DRM_IOCTL_NOUVEAU_SVM_INIT first: pages are mapped
 * with atomic access in that client's SVM VMM.  read() on a DRM fd returns
 * DRM events, so revocation records come from SVMX_DRM_NOUVEAU_EVENTS only
 * (features has no SVMX_FEAT_*).  'd' is DRM_IOCTL_BASE and 0x60 is
 * DRM_COMMAND_BASE + DRM_NOUVEAU_SVMX_VERSION (0x20); the kernel names these
 * DRM_IOCTL_NOUVEAU_SVMX_* in <drm/nouveau_drm.h>.
 */
#define SVMX_DRM_NOUVEAU_VERSION	_IOWR('d', 0x60, struct svmx_version)
#define SVMX_DRM_NOUVEAU_ARM		_IOWR('d', 0x61, struct svmx_range)
#define SVMX_DRM_NOUVEAU_DISARM		_IOWR('d', 0x62, struct svmx_range)
#define SVMX_DRM_NOUVEAU_STATUS		_IOWR('d', 0x63, struct svmx_range)
#define SVMX_DRM_NOUVEAU_EVENTS		_IOWR('d', 0x64, struct svmx_events)
#define SVMX_DRM_NOUVEAU_STATS		_IOWR('d', 0x65, struct svmx_stats)

#endif /* _UAPI_SVMX_H */
