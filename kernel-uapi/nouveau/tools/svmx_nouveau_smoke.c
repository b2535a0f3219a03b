// SPDX-License-Identifier: MIT
/*
 * svmx_nouveau_smoke: exercise the svmx ioctls of a nouveau render node, for a
 * machine with a Pascal GPU and a kernel carrying kernel-uapi/nouveau/.
 *
 * NEVER RUN ON HARDWARE: written and compiled where no GPU exists.  Without a
 * nouveau render node it prints so and exits 77 (skip); that says nothing
 * about the ioctls.
 *
 *   svmx_nouveau_smoke [/dev/dri/renderDN]
 *
 * Steps, each checked: DRM_NOUVEAU_SVM_INIT with an unmanaged window reserved
 * like Mesa does, VERSION, ARM of 4 MiB of anonymous memory (THP advised),
 * every page held (bitmap, and /proc/self/pagemap shows them non-present),
 * a CPU write to one page gives a SVMX_REASON_CPU record and STATUS one page
 * less, DISARM gives the rest back, STATS agrees.  It does not run anything on
 * the GPU.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <svmx/svmx_uapi.h>

/* DRM_IOCTL_NOUVEAU_SVM_INIT, from the kernel's uapi <drm/nouveau_drm.h> */
struct smoke_nouveau_svm_init {
	__u64 unmanaged_addr;
	__u64 unmanaged_size;
};

#define SMOKE_IOCTL_NOUVEAU_SVM_INIT \
	_IOWR('d', 0x40 + 0x08, struct smoke_nouveau_svm_init)

#define LEN (4UL << 20)
#define CUTOUT (256UL << 20)

static int failures;

#define CHECK(cond, ...)                                                  \
	do {                                                              \
		if (!(cond)) {                                            \
			failures++;                                       \
			printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
			printf(__VA_ARGS__);                              \
			printf("\n");                                     \
		}                                                         \
	} while (0)

static int is_nouveau(const char *node)
{
	char path[PATH_MAX], link[PATH_MAX];
	const char *name = strrchr(node, '/');
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/class/drm/%s/device/driver",
		 name ? name + 1 : node);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return 0;
	link[n] = 0;
	name = strrchr(link, '/');
	return name && !strcmp(name + 1, "nouveau");
}

static int open_node(const char *want)
{
	char node[64];
	int i;

	if (want)
		return is_nouveau(want) ? open(want, O_RDWR | O_CLOEXEC) : -1;
	for (i = 128; i < 192; i++) {
		snprintf(node, sizeof(node), "/dev/dri/renderD%d", i);
		if (is_nouveau(node))
			return open(node, O_RDWR | O_CLOEXEC);
	}
	return -1;
}

/* 1 if the page at addr is present in the CPU page table */
static int present(void *addr)
{
	uint64_t e = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (pread(fd, &e, sizeof(e),
		  (off_t)((uintptr_t)addr / 4096) * sizeof(e)) != sizeof(e))
		e = 0;
	close(fd);
	return !!(e >> 63);
}

static unsigned long popcount_bitmap(const __u64 *b, unsigned long bits)
{
	unsigned long i, n = 0;

	for (i = 0; i < bits; i++)
		n += (b[i / 64] >> (i % 64)) & 1;
	return n;
}

int main(int argc, char **argv)
{
	struct smoke_nouveau_svm_init init = { 0 };
	struct svmx_version ver = { .size = sizeof(ver) };
	struct svmx_range r = { .size = sizeof(r) };
	struct svmx_stats st = { .size = sizeof(st) };
	struct svmx_event ev[16];
	struct svmx_events evs = { .size = sizeof(evs) };
	unsigned long npages, i, cpu = 0;
	__u64 *bitmap;
	char *buf;
	void *cut;
	int fd;

	fd = open_node(argc > 1 ? argv[1] : NULL);
	if (fd < 0) {
		printf("SKIP: no nouveau render node%s%s\n",
		       argc > 1 ? " at " : "", argc > 1 ? argv[1] : "");
		return 77;
	}

	/* the GPU VA window for buffer objects, kept away from our memory */
	cut = mmap(NULL, CUTOUT, PROT_NONE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (cut == MAP_FAILED)
		return perror("mmap cutout"), 1;
	init.unmanaged_addr = (uintptr_t)cut;
	init.unmanaged_size = CUTOUT;
	if (ioctl(fd, SMOKE_IOCTL_NOUVEAU_SVM_INIT, &init)) {
		printf("SKIP: DRM_NOUVEAU_SVM_INIT: %s (no SVM on this GPU or kernel)\n",
		       strerror(errno));
		return 77;
	}

	if (ioctl(fd, SVMX_DRM_NOUVEAU_VERSION, &ver)) {
		printf("FAIL: SVMX_DRM_NOUVEAU_VERSION: %s (kernel without the svmx series?)\n",
		       strerror(errno));
		return 1;
	}
	printf("svmx version %u, page size %u, features %#x\n",
	       ver.version, ver.page_size, ver.features);
	CHECK(ver.version == SVMX_UAPI_VERSION, "version %u", ver.version);
	if (ver.page_size != 4096) {
		printf("SKIP: this test assumes 4 KiB pages\n");
		return 77;
	}

	npages = LEN / 4096;
	bitmap = calloc((npages + 63) / 64, sizeof(*bitmap));
	buf = mmap(NULL, LEN, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!bitmap || buf == MAP_FAILED)
		return perror("alloc"), 1;
	madvise(buf, LEN, MADV_HUGEPAGE);
	memset(buf, 1, LEN);

	r.addr = (uintptr_t)buf;
	r.len = LEN;
	r.bitmap = (uintptr_t)bitmap;
	CHECK(!ioctl(fd, SVMX_DRM_NOUVEAU_ARM, &r), "ARM: %s", strerror(errno));
	CHECK(r.pages == npages, "ARM held %llu of %lu pages",
	      (unsigned long long)r.pages, npages);
	CHECK(popcount_bitmap(bitmap, npages) == npages, "bitmap has %lu bits",
	      popcount_bitmap(bitmap, npages));
	for (i = 0; i < npages; i += 97)
		CHECK(present(buf + i * 4096) == 0, "page %lu still present", i);

	buf[5 * 4096] = 2;	/* CPU write: revokes one page */

	evs.count = 16;
	evs.events = (uintptr_t)ev;
	CHECK(!ioctl(fd, SVMX_DRM_NOUVEAU_EVENTS, &evs), "EVENTS: %s",
	      strerror(errno));
	for (i = 0; i < evs.count; i++) {
		printf("event %#llx +%#llx reason %u flags %#x\n",
		       (unsigned long long)ev[i].addr,
		       (unsigned long long)ev[i].len, ev[i].reason,
		       ev[i].flags);
		if (ev[i].reason == SVMX_REASON_CPU &&
		    ev[i].addr == (uintptr_t)(buf + 5 * 4096) && ev[i].len == 4096) {
			cpu++;
			/* 7.3: a CPU fault sends the event madvise() sends */
			CHECK(ev[i].flags == ((ver.features & SVMX_FEAT_CPU_EXACT) ?
					      0 : SVMX_EVENT_CPU_INEXACT),
			      "flags %#x with features %#x", ev[i].flags,
			      ver.features);
		}
	}
	CHECK(cpu == 1, "%lu CPU records for the page written", cpu);

	memset(bitmap, 0, (npages + 63) / 64 * sizeof(*bitmap));
	CHECK(!ioctl(fd, SVMX_DRM_NOUVEAU_STATUS, &r), "STATUS: %s",
	      strerror(errno));
	CHECK(r.pages == npages - 1, "STATUS %llu", (unsigned long long)r.pages);
	CHECK(!((bitmap[0] >> 5) & 1), "page 5 still marked held");

	CHECK(!ioctl(fd, SVMX_DRM_NOUVEAU_DISARM, &r), "DISARM: %s",
	      strerror(errno));
	CHECK(r.pages == npages - 1, "DISARM gave back %llu",
	      (unsigned long long)r.pages);
	CHECK(present(buf) == 1, "page 0 not restored by DISARM");
	for (i = 0; i < LEN; i += 4096)
		CHECK(buf[i] == (i == 5 * 4096 ? 2 : 1), "data at %lu", i);

	CHECK(!ioctl(fd, SVMX_DRM_NOUVEAU_STATS, &st), "STATS: %s",
	      strerror(errno));
	CHECK(st.armed == npages, "armed %llu", (unsigned long long)st.armed);
	CHECK(st.disarmed == npages - 1, "disarmed %llu",
	      (unsigned long long)st.disarmed);
	CHECK(st.revoked[SVMX_REASON_CPU] == 1, "revoked[CPU] %llu",
	      (unsigned long long)st.revoked[SVMX_REASON_CPU]);

	printf("%s: %d failure(s)\n", failures ? "FAIL" : "PASS", failures);
	return failures ? 1 : 0;
}
