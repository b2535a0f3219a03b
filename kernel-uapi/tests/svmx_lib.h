/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers shared by the svmx guest tests and benchmark. */
#ifndef SVMX_LIB_H
#define SVMX_LIB_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <svmx/svmx_uapi.h>

#define PAGE 4096UL

static inline int svmx_open(void)
{
	return open(SVMX_DEVICE_PATH, O_RDWR | O_CLOEXEC);
}

static inline int svmx_range_op(int fd, unsigned long cmd, void *addr,
				size_t len, uint64_t *bitmap, uint64_t *pages)
{
	struct svmx_range r = {
		.size = sizeof(r),
		.addr = (uintptr_t)addr,
		.len = len,
		.bitmap = (uintptr_t)bitmap,
	};
	int ret = ioctl(fd, cmd, &r);

	if (pages)
		*pages = r.pages;
	return ret;
}

static inline int svmx_arm(int fd, void *addr, size_t len, uint64_t *pages)
{
	return svmx_range_op(fd, SVMX_IOC_ARM, addr, len, NULL, pages);
}

static inline int svmx_disarm(int fd, void *addr, size_t len, uint64_t *pages)
{
	return svmx_range_op(fd, SVMX_IOC_DISARM, addr, len, NULL, pages);
}

/* Pages of the range this client holds, or -1. */
static inline long svmx_held(int fd, void *addr, size_t len)
{
	uint64_t pages = 0;

	if (svmx_range_op(fd, SVMX_IOC_STATUS, addr, len, NULL, &pages))
		return -1;
	return (long)pages;
}

static inline int svmx_dev_atomic(int fd, void *addr, uint32_t op,
				  uint32_t width, uint64_t operand,
				  uint64_t compare, uint64_t count,
				  uint64_t *result, uint64_t *rearms)
{
	struct svmx_dev_atomic a = {
		.size = sizeof(a),
		.op = op,
		.width = width,
		.addr = (uintptr_t)addr,
		.operand = operand,
		.compare = compare,
		.count = count,
	};
	int ret = ioctl(fd, SVMX_IOC_DEV_ATOMIC, &a);

	if (result)
		*result = a.result;
	if (rearms)
		*rearms = a.rearms;
	return ret;
}

static inline int svmx_dev_rw(int fd, unsigned long cmd, void *addr,
			      void *buf, size_t len)
{
	struct svmx_dev_rw rw = {
		.size = sizeof(rw),
		.addr = (uintptr_t)addr,
		.len = len,
		.buf = (uintptr_t)buf,
	};

	return ioctl(fd, cmd, &rw);
}

static inline int svmx_stats(int fd, struct svmx_stats *s)
{
	memset(s, 0, sizeof(*s));
	s->size = sizeof(*s);
	return ioctl(fd, SVMX_IOC_STATS, s);
}

/* Non-blocking read of up to max events; returns the count (0 if none). */
static inline int svmx_read_events(int fd, struct svmx_event *ev, int max)
{
	int fl = fcntl(fd, F_GETFL);
	ssize_t n;

	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	n = read(fd, ev, max * sizeof(*ev));
	fcntl(fd, F_SETFL, fl);
	if (n < 0)
		return errno == EAGAIN ? 0 : -1;
	return n / sizeof(*ev);
}

/* Total bytes of events with this reason (drains the queue into ev). */
static inline uint64_t svmx_event_bytes(int fd, uint32_t reason)
{
	struct svmx_event ev[256];
	uint64_t total = 0;
	int n, i;

	while ((n = svmx_read_events(fd, ev, 256)) > 0)
		for (i = 0; i < n; i++)
			if (ev[i].reason == reason)
				total += ev[i].len;
	return total;
}

/* /proc/self/pagemap entry of addr (bit 63 present, bit 62 swap/special). */
static inline uint64_t pagemap(void *addr)
{
	uint64_t e = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0)
		return 0;
	if (pread(fd, &e, sizeof(e), ((uintptr_t)addr / PAGE) * 8) != 8)
		e = 0;
	close(fd);
	return e;
}

#define PM_PRESENT (1ULL << 63)
#define PM_SWAP (1ULL << 62)

/* Armed pages show as non-present special (swap-type) entries. */
static inline int page_is_device_exclusive(void *addr)
{
	uint64_t e = pagemap(addr);

	return !(e & PM_PRESENT) && (e & PM_SWAP);
}

static inline int page_is_present(void *addr)
{
	return !!(pagemap(addr) & PM_PRESENT);
}

static inline void *map_anon(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* len bytes of anonymous memory aligned to align, fault-in by the caller. */
static inline void *map_anon_aligned(size_t len, size_t align)
{
	char *p = mmap(NULL, len + align, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uintptr_t a;

	if (p == MAP_FAILED)
		return NULL;
	a = ((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1);
	if (a > (uintptr_t)p)
		munmap(p, a - (uintptr_t)p);
	munmap((char *)a + len, (uintptr_t)p + align - a);
	return (void *)a;
}

/* AnonHugePages (kB) of the mapping containing addr, from smaps. */
static inline long anon_huge_kb(void *addr)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[256];
	unsigned long lo, hi;
	int in = 0;
	long kb = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2) {
			in = (uintptr_t)addr >= lo && (uintptr_t)addr < hi;
			continue;
		}
		if (in && sscanf(line, "AnonHugePages: %ld kB", &kb) == 1)
			break;
	}
	fclose(f);
	return kb;
}

#endif /* SVMX_LIB_H */
