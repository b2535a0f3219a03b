// SPDX-License-Identifier: GPL-2.0
/*
 * svmx guest tests: arming, revocation reasons, the software device, THP,
 * and bad input.  Run inside a kernel with CONFIG_DEVICE_PRIVATE and the
 * svmx module loaded (kernel-uapi/harness/run-guest.sh).
 */
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/time.h>
#include "svmx_lib.h"
#include "svmx_test.h"

static int open_client(void)
{
	int fd = svmx_open();

	if (fd < 0)
		SVMX_FAIL("open %s: %s", SVMX_DEVICE_PATH, strerror(errno));
	return fd;
}

static uint32_t features(void)
{
	struct svmx_version v = { .size = sizeof(v) };
	int fd = open_client();

	if (ioctl(fd, SVMX_IOC_VERSION, &v))
		SVMX_FAIL("VERSION: %s", strerror(errno));
	close(fd);
	return v.features;
}

/* The event flags a CPU revocation carries on this kernel. */
static uint32_t cpu_flags(void)
{
	return features() & SVMX_FEAT_CPU_EXACT ? 0 : SVMX_EVENT_CPU_INEXACT;
}

static char *map_filled(size_t npages)
{
	char *p = map_anon(npages * PAGE);
	size_t i;

	if (!p)
		SVMX_FAIL("mmap: %s", strerror(errno));
	madvise(p, npages * PAGE, MADV_NOHUGEPAGE);
	for (i = 0; i < npages * PAGE / sizeof(int); i++)
		((int *)p)[i] = (int)i;
	return p;
}

TEST(version_reports_uapi_version_page_size_and_features)
{
	struct svmx_version v = { .size = sizeof(v) };
	int fd = open_client();

	ASSERT_OK(ioctl(fd, SVMX_IOC_VERSION, &v));
	ASSERT_EQ(v.version, SVMX_UAPI_VERSION);
	ASSERT_EQ(v.page_size, PAGE);
	ASSERT_TRUE(v.features & SVMX_FEAT_SOFT_DEVICE);
	ASSERT_TRUE(v.features & SVMX_FEAT_EVENTS_READ);
	ASSERT_EQ(v.size, sizeof(v));
}

TEST(arm_holds_every_page_and_hides_them_from_the_cpu)
{
	int fd = open_client();
	char *p = map_filled(64);
	uint64_t bitmap[1] = { 0 }, pages = 0;
	int i;

	ASSERT_OK(svmx_range_op(fd, SVMX_IOC_ARM, p, 64 * PAGE, bitmap, &pages));
	ASSERT_EQ(pages, 64);
	ASSERT_EQ(bitmap[0], ~0ULL);
	ASSERT_EQ(svmx_held(fd, p, 64 * PAGE), 64);
	for (i = 0; i < 64; i++)
		ASSERT_TRUE(page_is_device_exclusive(p + i * PAGE));
}

TEST(arm_then_cpu_write_revokes_with_reason_cpu)
{
	int fd = open_client();
	char *p = map_filled(4);
	struct svmx_event ev[8];
	struct svmx_stats st;
	int n;

	ASSERT_OK(svmx_arm(fd, p, 4 * PAGE, NULL));
	ASSERT_EQ(svmx_read_events(fd, ev, 8), 0);
	p[PAGE + 5] = 1;
	ASSERT_TRUE(page_is_present(p + PAGE));
	ASSERT_TRUE(page_is_device_exclusive(p));
	n = svmx_read_events(fd, ev, 8);
	ASSERT_EQ(n, 1);
	ASSERT_EQ(ev[0].addr, (uintptr_t)p + PAGE);
	ASSERT_EQ(ev[0].len, PAGE);
	ASSERT_EQ(ev[0].reason, SVMX_REASON_CPU);
	ASSERT_EQ(ev[0].flags, cpu_flags());
	ASSERT_EQ(svmx_held(fd, p, 4 * PAGE), 3);
	ASSERT_OK(svmx_stats(fd, &st));
	ASSERT_EQ(st.armed, 4);
	ASSERT_EQ(st.revoked[SVMX_REASON_CPU], 1);
}

/* hmm-tests "exclusive": arm, the device adds, the CPU faults back. */
TEST(exclusive_device_atomics_then_cpu_access_sees_them_and_revokes_all)
{
	int fd = open_client();
	size_t n = 16, i, ints = n * PAGE / sizeof(int);
	int *p = (int *)map_filled(n);
	uint64_t rearms = 1;

	ASSERT_OK(svmx_arm(fd, p, n * PAGE, NULL));
	for (i = 0; i < ints; i += 97)
		ASSERT_OK(svmx_dev_atomic(fd, &p[i], SVMX_DEV_ADD, 4, 1000, 0, 1,
					  NULL, &rearms));
	ASSERT_EQ(rearms, 0);
	ASSERT_EQ(svmx_held(fd, p, n * PAGE), n);
	for (i = 0; i < ints; i++)
		ASSERT_EQ(p[i]++, (int)i + (i % 97 ? 0 : 1000));
	for (i = 0; i < ints; i++)
		ASSERT_EQ(p[i], (int)i + 1 + (i % 97 ? 0 : 1000));
	ASSERT_EQ(svmx_held(fd, p, n * PAGE), 0);
	ASSERT_EQ(svmx_event_bytes(fd, SVMX_REASON_CPU), n * PAGE);
}

TEST(arming_a_held_range_again_changes_nothing)
{
	int fd = open_client();
	char *p = map_filled(8);
	struct svmx_event ev[4];
	struct svmx_stats st;
	uint64_t pages = 0;

	ASSERT_OK(svmx_arm(fd, p, 8 * PAGE, NULL));
	ASSERT_OK(svmx_arm(fd, p, 8 * PAGE, &pages));
	ASSERT_EQ(pages, 8);
	ASSERT_OK(svmx_arm(fd, p + 2 * PAGE, 2 * PAGE, &pages));
	ASSERT_EQ(pages, 2);
	ASSERT_EQ(svmx_read_events(fd, ev, 4), 0);
	ASSERT_OK(svmx_stats(fd, &st));
	ASSERT_EQ(st.armed, 8);
	ASSERT_EQ(st.retries, 0);
}

TEST(cpu_read_of_armed_page_revokes_with_reason_cpu)
{
	int fd = open_client();
	volatile int *p = (int *)map_filled(2);

	ASSERT_OK(svmx_arm(fd, (void *)p, 2 * PAGE, NULL));
	ASSERT_EQ(p[PAGE / sizeof(int)], PAGE / sizeof(int));
	ASSERT_EQ(svmx_held(fd, (void *)p, 2 * PAGE), 1);
	ASSERT_EQ(svmx_event_bytes(fd, SVMX_REASON_CPU), PAGE);
}

/* hmm-tests "exclusive_mprotect". */
TEST(exclusive_mprotect_revokes_with_reason_mprotect_and_device_gets_eperm)
{
	int fd = open_client();
	size_t n = 8;
	int *p = (int *)map_filled(n);
	uint64_t v = 0;

	ASSERT_OK(svmx_arm(fd, p, n * PAGE, NULL));
	ASSERT_OK(mprotect(p, n * PAGE, PROT_READ));
	ASSERT_EQ(svmx_held(fd, p, n * PAGE), 0);
	ASSERT_EQ(svmx_event_bytes(fd, SVMX_REASON_MPROTECT), n * PAGE);
	ASSERT_ERRNO(svmx_dev_atomic(fd, p, SVMX_DEV_ADD, 4, 1, 0, 1, NULL, NULL),
		     EPERM);
	ASSERT_ERRNO(svmx_dev_rw(fd, SVMX_IOC_DEV_WRITE, p, &v, 4), EPERM);
	ASSERT_ERRNO(svmx_arm(fd, p, n * PAGE, NULL), EPERM);
	/* The CPU can still read what was there. */
	ASSERT_EQ(p[7], 7);
}

/* hmm-tests "exclusive_cow": fork write-protects; both sides stay right. */
TEST(exclusive_cow_fork_revokes_with_reason_fork_and_keeps_data)
{
	int fd = open_client();
	size_t n = 8, i, ints = n * PAGE / sizeof(int);
	int *p = (int *)map_filled(n);
	int status;
	pid_t pid;

	ASSERT_OK(svmx_arm(fd, p, n * PAGE, NULL));
	ASSERT_OK(svmx_dev_atomic(fd, p, SVMX_DEV_ADD, 4, 5, 0, 1, NULL, NULL));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		for (i = 0; i < ints; i++)
			if (p[i] != (int)i + (i ? 0 : 5))
				_exit(2);
		for (i = 0; i < ints; i++)
			p[i] = -1;
		_exit(0);
	}
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ASSERT_EQ(svmx_held(fd, p, n * PAGE), 0);
	ASSERT_EQ(svmx_event_bytes(fd, SVMX_REASON_FORK), n * PAGE);
	for (i = 0; i < ints; i++)
		ASSERT_EQ(p[i], (int)i + (i ? 0 : 5));
	/* Writable again after the child is gone; the device re-arms. */
	ASSERT_OK(svmx_dev_atomic(fd, p, SVMX_DEV_ADD, 4, 1, 0, 1, NULL, NULL));
	ASSERT_EQ(p[0], 6);
}

/* hmm-tests "exclusive_shared": shared mappings cannot be armed. */
TEST(exclusive_shared_anonymous_mapping_fails_einval)
{
	int fd = open_client();
	char *p = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	ASSERT_TRUE(p != MAP_FAILED);
	memset(p, 1, 4 * PAGE);
	ASSERT_ERRNO(svmx_arm(fd, p, 4 * PAGE, NULL), EINVAL);
	ASSERT_EQ(svmx_held(fd, p, 4 * PAGE), 0);
}

static char *map_thp(size_t len)
{
	char *p = map_anon_aligned(len, 2UL << 20);

	if (!p)
		SVMX_FAIL("mmap: %s", strerror(errno));
	if (madvise(p, len, MADV_HUGEPAGE))
		SVMX_FAIL("madvise(MADV_HUGEPAGE): %s", strerror(errno));
	memset(p, 0x5a, len);
	return p;
}

TEST(thp_backed_range_arms_all_512_pages)
{
	size_t len = 4UL << 20, i;
	int fd = open_client();
	char *p = map_thp(len);
	uint64_t pages = 0, bitmap[16];
	long huge = anon_huge_kb(p);
	struct svmx_stats st;

	TH_LOG("AnonHugePages before arming: %ld kB", huge);
	ASSERT_EQ(huge, (long)(len >> 10));
	memset(bitmap, 0, sizeof(bitmap));
	ASSERT_OK(svmx_range_op(fd, SVMX_IOC_ARM, p, len, bitmap, &pages));
	ASSERT_EQ(pages, len / PAGE);
	for (i = 0; i < 16; i++)
		ASSERT_EQ(bitmap[i], ~0ULL);
	for (i = 0; i < len / PAGE; i++)
		ASSERT_TRUE(page_is_device_exclusive(p + i * PAGE));
	ASSERT_OK(svmx_stats(fd, &st));
	ASSERT_EQ(st.armed, len / PAGE);
	/* The data survived the split and the device sees it. */
	ASSERT_OK(svmx_dev_atomic(fd, p + 3 * PAGE, SVMX_DEV_ADD, 4, 1, 0, 1,
				  NULL, NULL));
	ASSERT_EQ(svmx_held(fd, p, len), len / PAGE);
	/* A CPU write takes back one page, not the whole THP. */
	p[7 * PAGE] = 1;
	ASSERT_EQ(svmx_held(fd, p, len), len / PAGE - 1);
	ASSERT_EQ(*(uint32_t *)(p + 3 * PAGE), 0x5a5a5a5bU);
	ASSERT_EQ(p[len - 1], 0x5a);
}

TEST(thp_backed_range_arms_completely_in_one_page_steps)
{
	size_t len = 2UL << 20, i;
	int fd = open_client();
	char *p = map_thp(len);

	ASSERT_EQ(anon_huge_kb(p), 2048);
	for (i = 0; i < len / PAGE; i += 37)
		ASSERT_OK(svmx_arm(fd, p + i * PAGE, PAGE, NULL));
	ASSERT_EQ(svmx_held(fd, p, len), (len / PAGE + 36) / 37);
	ASSERT_OK(svmx_arm(fd, p, len, NULL));
	ASSERT_EQ(svmx_held(fd, p, len), len / PAGE);
}

/*
 * A large folio mapped by PTEs (here: after mprotect() split the PMD) cannot
 * be split from a module; ARM must still finish in bounded time, with -EBUSY
 * for what it could not arm, or succeed if the kernel split the folio.
 */
TEST(pte_mapped_large_folio_arm_ends_in_bounded_time)
{
	size_t len = 2UL << 20;
	int fd = open_client();
	char *p = map_thp(len);
	double t0;
	uint64_t pages = 0;
	int ret;

	ASSERT_EQ(anon_huge_kb(p), 2048);
	ASSERT_OK(mprotect(p, len / 2, PROT_READ));
	ASSERT_OK(mprotect(p, len / 2, PROT_READ | PROT_WRITE));
	t0 = svmx_now();
	ret = svmx_range_op(fd, SVMX_IOC_ARM, p, len, NULL, &pages);
	TH_LOG("arm: %d (%s), %llu pages held, %.2f s", ret,
	       ret ? strerror(errno) : "ok", (unsigned long long)pages,
	       svmx_now() - t0);
	ASSERT_LT(svmx_now() - t0, 5.0);
	if (features() & SVMX_FEAT_PTE_MAPPED_LARGE_FOLIOS)
		ASSERT_OK(ret);
	if (ret) {
		struct svmx_stats st;

		ASSERT_EQ(errno, EBUSY);
		ASSERT_LT(pages, len / PAGE);
		ASSERT_OK(svmx_stats(fd, &st));
		ASSERT_EQ(st.busy, 1);
		ASSERT_GT(st.retries, 0);
	} else {
		ASSERT_EQ(pages, len / PAGE);
	}
	ASSERT_EQ(svmx_held(fd, p, len), (long)pages);
}

/*
 * The userspace remedy for the case above: give the range back, let
 * madvise(MADV_COLD) on one page of the folio split it (6.1 splits every
 * large folio MADV_COLD meets, 6.12 those it covers only in part), arm again.
 */
TEST(pte_mapped_large_folio_arms_after_disarm_and_madvise_cold)
{
	size_t len = 2UL << 20, i;
	int fd = open_client();
	char *p = map_thp(len);
	uint64_t pages = 0;

	ASSERT_EQ(anon_huge_kb(p), 2048);
	ASSERT_OK(mprotect(p, len / 2, PROT_READ));
	ASSERT_OK(mprotect(p, len / 2, PROT_READ | PROT_WRITE));
	ASSERT_EQ(anon_huge_kb(p), 0);	/* PTE-mapped now */
	if (svmx_range_op(fd, SVMX_IOC_ARM, p, len, NULL, &pages) == 0)
		TH_LOG("armed without help (the kernel split the folio)");
	ASSERT_OK(svmx_disarm(fd, p, len, NULL));
	ASSERT_OK(madvise(p, PAGE, MADV_COLD));
	ASSERT_OK(svmx_range_op(fd, SVMX_IOC_ARM, p, len, NULL, &pages));
	ASSERT_EQ(pages, len / PAGE);
	for (i = 0; i < len; i += 4093)
		ASSERT_EQ(p[i], 0x5a);
	ASSERT_EQ(svmx_held(fd, p, len), 0);
}

TEST(dev_atomic_add_xchg_cmpxchg_are_exact_in_32_and_64_bits)
{
	int fd = open_client();
	uint64_t *p = (uint64_t *)map_filled(1), r = 0;
	uint32_t *q = (uint32_t *)(p + 8);

	p[0] = 10;
	*q = 7;
	ASSERT_OK(svmx_arm(fd, p, PAGE, NULL));
	ASSERT_OK(svmx_dev_atomic(fd, p, SVMX_DEV_ADD, 8, 3, 0, 1000, &r, NULL));
	ASSERT_EQ(r, 10 + 3 * 999);
	ASSERT_OK(svmx_dev_atomic(fd, p, SVMX_DEV_XCHG, 8, 1ULL << 40, 0, 1, &r,
				  NULL));
	ASSERT_EQ(r, 3010);
	ASSERT_OK(svmx_dev_atomic(fd, p, SVMX_DEV_CMPXCHG, 8, 5, 1, 1, &r, NULL));
	ASSERT_EQ(r, 1ULL << 40);
	ASSERT_OK(svmx_dev_atomic(fd, p, SVMX_DEV_CMPXCHG, 8, 5, 1ULL << 40, 1,
				  &r, NULL));
	ASSERT_EQ(r, 1ULL << 40);
	ASSERT_OK(svmx_dev_atomic(fd, q, SVMX_DEV_ADD, 4, 0xffffffffU, 0, 8, &r,
				  NULL));
	ASSERT_EQ(r, 0);	/* 7 - 7 */
	ASSERT_OK(svmx_dev_atomic(fd, q, SVMX_DEV_CMPXCHG, 4, 42, 0xffffffffU, 1,
				  &r, NULL));
	ASSERT_EQ(r, 0xffffffffU);
	ASSERT_EQ(svmx_held(fd, p, PAGE), 1);
	ASSERT_EQ(p[0], 5);
	ASSERT_EQ(*q, 42);
	ASSERT_EQ(p[1], (3ULL << 32) | 2);	/* untouched neighbour (ints 2, 3) */
}

TEST(dev_atomic_on_revoked_page_rearms_it)
{
	int fd = open_client();
	int *p = (int *)map_filled(1);
	uint64_t rearms = 0;
	struct svmx_stats st;

	ASSERT_OK(svmx_arm(fd, p, PAGE, NULL));
	p[0] = 100;
	ASSERT_EQ(svmx_held(fd, p, PAGE), 0);
	ASSERT_OK(svmx_dev_atomic(fd, p, SVMX_DEV_ADD, 4, 1, 0, 1, NULL, &rearms));
	ASSERT_EQ(rearms, 1);
	ASSERT_EQ(svmx_held(fd, p, PAGE), 1);
	ASSERT_TRUE(page_is_device_exclusive(p));
	ASSERT_OK(svmx_stats(fd, &st));
	ASSERT_EQ(st.dev_rearms, 1);
	ASSERT_EQ(p[0], 101);
}

TEST(dev_atomic_without_arm_faults_the_page_in)
{
	int fd = open_client();
	uint64_t *p = map_anon(PAGE), rearms = 0;

	ASSERT_OK(svmx_dev_atomic(fd, p, SVMX_DEV_ADD, 8, 9, 0, 2, NULL, &rearms));
	ASSERT_EQ(rearms, 1);
	ASSERT_EQ(p[0], 18);
}

TEST(dev_atomic_bad_width_op_alignment_fail_einval)
{
	int fd = open_client();
	char *p = map_filled(1);

	ASSERT_ERRNO(svmx_dev_atomic(fd, p, SVMX_DEV_ADD, 2, 1, 0, 1, NULL, NULL),
		     EINVAL);
	ASSERT_ERRNO(svmx_dev_atomic(fd, p, 0, 4, 1, 0, 1, NULL, NULL), EINVAL);
	ASSERT_ERRNO(svmx_dev_atomic(fd, p, 99, 4, 1, 0, 1, NULL, NULL), EINVAL);
	ASSERT_ERRNO(svmx_dev_atomic(fd, p + 4, SVMX_DEV_ADD, 8, 1, 0, 1, NULL,
				     NULL), EINVAL);
	ASSERT_ERRNO(svmx_dev_atomic(fd, (void *)-8L, SVMX_DEV_ADD, 8, 1, 0, 1,
				     NULL, NULL), EFAULT);
}

TEST(dev_read_write_go_through_the_device_mapping)
{
	int fd = open_client();
	char *p = map_filled(3), buf[2 * PAGE], back[2 * PAGE];
	size_t i;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (char)(i * 7);
	ASSERT_OK(svmx_arm(fd, p, 3 * PAGE, NULL));
	ASSERT_OK(svmx_dev_rw(fd, SVMX_IOC_DEV_WRITE, p + 100, buf, sizeof(buf)));
	ASSERT_EQ(svmx_held(fd, p, 3 * PAGE), 3);
	ASSERT_OK(svmx_dev_rw(fd, SVMX_IOC_DEV_READ, p + 100, back, sizeof(back)));
	ASSERT_EQ(memcmp(buf, back, sizeof(buf)), 0);
	ASSERT_EQ(svmx_held(fd, p, 3 * PAGE), 3);
	ASSERT_EQ(memcmp(p + 100, buf, sizeof(buf)), 0);
	ASSERT_EQ(((int *)p)[0], 0);
	ASSERT_ERRNO(svmx_dev_rw(fd, SVMX_IOC_DEV_READ, p, NULL, 16), EFAULT);
}

TEST(disarm_gives_pages_back_without_a_cpu_fault_or_event)
{
	int fd = open_client();
	char *p = map_filled(8);
	uint64_t given = 0;
	struct svmx_event ev[4];
	struct svmx_stats st;
	int i;

	ASSERT_OK(svmx_arm(fd, p, 8 * PAGE, NULL));
	ASSERT_OK(svmx_disarm(fd, p + 2 * PAGE, 4 * PAGE, &given));
	ASSERT_EQ(given, 4);
	for (i = 2; i < 6; i++)
		ASSERT_TRUE(page_is_present(p + i * PAGE));
	ASSERT_TRUE(page_is_device_exclusive(p));
	ASSERT_EQ(svmx_held(fd, p, 8 * PAGE), 4);
	ASSERT_EQ(svmx_read_events(fd, ev, 4), 0);
	ASSERT_OK(svmx_stats(fd, &st));
	ASSERT_EQ(st.disarmed, 4);
	ASSERT_OK(svmx_disarm(fd, p, 8 * PAGE, &given));
	ASSERT_EQ(given, 4);
	ASSERT_OK(svmx_disarm(fd, p, 8 * PAGE, &given));
	ASSERT_EQ(given, 0);
	ASSERT_EQ(((int *)p)[5 * PAGE / 4], 5 * PAGE / 4);
}

TEST(status_bitmap_tracks_partial_revocation)
{
	int fd = open_client();
	size_t n = 130;
	char *p = map_filled(n);
	uint64_t bm[3] = { 0 }, pages = 0;

	ASSERT_OK(svmx_arm(fd, p, n * PAGE, NULL));
	p[0] = 1;
	p[65 * PAGE] = 1;
	p[129 * PAGE] = 1;
	ASSERT_OK(svmx_range_op(fd, SVMX_IOC_STATUS, p, n * PAGE, bm, &pages));
	ASSERT_EQ(pages, n - 3);
	ASSERT_EQ(bm[0], ~1ULL);
	ASSERT_EQ(bm[1], ~2ULL);
	ASSERT_EQ(bm[2], 1ULL);
}

TEST(munmap_of_armed_range_revokes_with_reason_munmap)
{
	int fd = open_client();
	char *p = map_filled(6);

	ASSERT_OK(svmx_arm(fd, p, 6 * PAGE, NULL));
	ASSERT_OK(munmap(p + 2 * PAGE, 2 * PAGE));
	ASSERT_EQ(svmx_held(fd, p, 6 * PAGE), 4);
	ASSERT_EQ(svmx_event_bytes(fd, SVMX_REASON_MUNMAP), 2 * PAGE);
	ASSERT_ERRNO(svmx_arm(fd, p, 6 * PAGE, NULL), EFAULT);
}

TEST(mremap_of_armed_range_revokes_with_reason_munmap_and_moves_data)
{
	int fd = open_client();
	int *p = (int *)map_filled(4), *q;

	ASSERT_OK(svmx_arm(fd, p, 4 * PAGE, NULL));
	q = mremap(p, 4 * PAGE, 8 * PAGE, MREMAP_MAYMOVE);
	ASSERT_TRUE(q != MAP_FAILED);
	if (q == p)	/* grew in place: nothing moved */
		TH_LOG("mremap grew in place");
	ASSERT_EQ(svmx_held(fd, p, 4 * PAGE), q == p ? 4 : 0);
	if (q != p)
		ASSERT_EQ(svmx_event_bytes(fd, SVMX_REASON_MUNMAP), 4 * PAGE);
	ASSERT_EQ(q[3 * PAGE / 4 + 1], 3 * PAGE / 4 + 1);
	ASSERT_OK(svmx_arm(fd, q, 8 * PAGE, NULL));
	ASSERT_EQ(svmx_held(fd, q, 8 * PAGE), 8);
}

TEST(mremap_fixed_onto_armed_range_revokes_with_reason_munmap)
{
	int fd = open_client();
	char *p = map_filled(4), *src = map_filled(4);

	ASSERT_OK(svmx_arm(fd, p, 4 * PAGE, NULL));
	ASSERT_TRUE(mremap(src, 4 * PAGE, 4 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED,
			   p) == p);
	ASSERT_EQ(svmx_held(fd, p, 4 * PAGE), 0);
	ASSERT_EQ(svmx_event_bytes(fd, SVMX_REASON_MUNMAP), 4 * PAGE);
}

/*
 * OTHER where the kernel tells madvise from a CPU access (6.1, 6.12); where
 * it cannot (7.x), CPU flagged SVMX_EVENT_CPU_INEXACT.
 */
TEST(madvise_dontneed_revokes_with_reason_other_or_inexact_cpu)
{
	int fd = open_client();
	char *p = map_filled(4);
	struct svmx_event ev[8];
	int n;

	ASSERT_OK(svmx_arm(fd, p, 4 * PAGE, NULL));
	ASSERT_OK(madvise(p, 4 * PAGE, MADV_DONTNEED));
	ASSERT_EQ(svmx_held(fd, p, 4 * PAGE), 0);
	n = svmx_read_events(fd, ev, 8);
	ASSERT_EQ(n, 1);
	ASSERT_EQ(ev[0].len, 4 * PAGE);
	if (features() & SVMX_FEAT_CPU_EXACT) {
		ASSERT_EQ(ev[0].reason, SVMX_REASON_OTHER);
		ASSERT_EQ(ev[0].flags, 0);
	} else {
		ASSERT_EQ(ev[0].reason, SVMX_REASON_CPU);
		ASSERT_EQ(ev[0].flags, SVMX_EVENT_CPU_INEXACT);
	}
	ASSERT_EQ(p[0], 0);
}

TEST(second_client_arming_takes_pages_with_reason_owner)
{
	int a = open_client(), b = open_client();
	char *p = map_filled(4);

	ASSERT_OK(svmx_arm(a, p, 4 * PAGE, NULL));
	ASSERT_OK(svmx_arm(b, p + PAGE, 2 * PAGE, NULL));
	ASSERT_EQ(svmx_held(a, p, 4 * PAGE), 2);
	ASSERT_EQ(svmx_held(b, p, 4 * PAGE), 2);
	ASSERT_EQ(svmx_event_bytes(a, SVMX_REASON_OWNER), 2 * PAGE);
	ASSERT_EQ(svmx_event_bytes(b, SVMX_REASON_OWNER), 0);
	ASSERT_OK(svmx_dev_atomic(b, p + PAGE, SVMX_DEV_ADD, 4, 1, 0, 1, NULL,
				  NULL));
	ASSERT_EQ(svmx_held(a, p, 4 * PAGE), 2);
}

TEST(fd_used_from_forked_child_fails_eio)
{
	int fd = open_client(), status;
	char *p = map_filled(2);
	pid_t pid;

	ASSERT_OK(svmx_arm(fd, p, PAGE, NULL));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		if (svmx_arm(fd, p, PAGE, NULL) != -1 || errno != EIO)
			_exit(2);
		if (svmx_disarm(fd, p, PAGE, NULL) != -1 || errno != EIO)
			_exit(3);
		if (svmx_dev_atomic(fd, p, SVMX_DEV_ADD, 4, 1, 0, 1, NULL,
				    NULL) != -1 || errno != EIO)
			_exit(4);
		_exit(0);
	}
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(WEXITSTATUS(status), 0);
	/* The parent's client still works (fork revoked its page). */
	ASSERT_EQ(svmx_event_bytes(fd, SVMX_REASON_FORK), PAGE);
	ASSERT_OK(svmx_arm(fd, p, 2 * PAGE, NULL));
}

TEST(closing_fd_with_pages_armed_gives_them_back)
{
	int fd = open_client();
	int *p = (int *)map_filled(32);
	int i;

	ASSERT_OK(svmx_arm(fd, p, 32 * PAGE, NULL));
	ASSERT_OK(close(fd));
	for (i = 0; i < 32; i++)
		ASSERT_TRUE(page_is_present((char *)p + i * PAGE));
	ASSERT_EQ(p[31 * PAGE / 4], 31 * PAGE / 4);
}

/*
 * The arming process exits while a process it forked before arming still
 * has the fd: that one reads EXIT records for every page.
 */
TEST(process_exit_with_pages_armed_reports_reason_exit)
{
	int result[2], go[2], status;
	pid_t pid;
	long got = -1;

	ASSERT_OK(pipe(result));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		int fd = open_client();
		char *p = map_filled(16);
		pid_t reader;

		if (pipe(go))
			_exit(2);
		reader = fork();
		if (reader == 0) {
			struct pollfd pfd = { .fd = fd, .events = POLLIN };
			char c;
			long exit_bytes = 0;
			struct svmx_event ev[16];
			int n, i;

			close(go[1]);
			if (read(go[0], &c, 1) != 0)	/* EOF: arming done */
				_exit(3);
			while (exit_bytes < (long)(16 * PAGE) &&
			       poll(&pfd, 1, 10000) == 1) {
				n = read(fd, ev, sizeof(ev)) / sizeof(ev[0]);
				for (i = 0; i < n; i++)
					if (ev[i].reason == SVMX_REASON_EXIT)
						exit_bytes += ev[i].len;
			}
			if (write(result[1], &exit_bytes, sizeof(exit_bytes)) < 0)
				_exit(4);
			_exit(0);
		}
		close(go[0]);
		if (svmx_arm(fd, p, 16 * PAGE, NULL))
			_exit(5);
		_exit(0);	/* closes go[1]: the reader starts */
	}
	close(result[1]);
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ASSERT_EQ(read(result[0], &got, sizeof(got)), sizeof(got));
	ASSERT_EQ(got, 16 * PAGE);
}

TEST(event_queue_overflow_is_reported_with_the_number_lost)
{
	const char *param = "/sys/module/svmx/parameters/event_queue_len";
	char old[32] = "4096";
	struct svmx_event ev[64];
	struct svmx_stats st;
	int pf, fd, n, i, recs = 0;
	uint64_t lost = 0;
	char *p;

	pf = open(param, O_RDWR);
	ASSERT_GE(pf, 0);
	ASSERT_GT(read(pf, old, sizeof(old) - 1), 0);
	ASSERT_EQ(pwrite(pf, "8\n", 2, 0), 2);
	fd = open_client();
	ASSERT_EQ(pwrite(pf, old, strlen(old), 0), (ssize_t)strlen(old));
	close(pf);

	p = map_filled(64);
	ASSERT_OK(svmx_arm(fd, p, 64 * PAGE, NULL));
	for (i = 0; i < 64; i += 2)	/* 32 separate records */
		p[i * PAGE] = 1;
	n = svmx_read_events(fd, ev, 64);
	for (i = 0; i < n; i++) {
		if (ev[i].reason == SVMX_REASON_OVERFLOW) {
			ASSERT_EQ(i, n - 1);
			lost = ev[i].len;
		} else {
			ASSERT_EQ(ev[i].reason, SVMX_REASON_CPU);
			recs++;
		}
	}
	ASSERT_EQ(recs, 8);
	ASSERT_EQ(lost, 24);
	ASSERT_OK(svmx_stats(fd, &st));
	ASSERT_EQ(st.events_dropped, 24);
	ASSERT_EQ(st.revoked[SVMX_REASON_CPU], 32);
	ASSERT_EQ(svmx_read_events(fd, ev, 64), 0);
}

TEST(poll_and_blocking_read_wake_on_revocation)
{
	int fd = open_client();
	char *p = map_filled(2);
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	struct svmx_event ev[2];
	struct svmx_events evs = { .size = sizeof(evs), .count = 2,
				   .events = (uintptr_t)ev };
	char small[8];

	ASSERT_OK(svmx_arm(fd, p, 2 * PAGE, NULL));
	ASSERT_EQ(poll(&pfd, 1, 0), 0);
	ASSERT_ERRNO(read(fd, small, sizeof(small)), EINVAL);
	p[0] = 1;
	ASSERT_EQ(poll(&pfd, 1, 1000), 1);
	ASSERT_TRUE(pfd.revents & POLLIN);
	ASSERT_EQ(read(fd, ev, sizeof(ev)), sizeof(ev[0]));
	ASSERT_EQ(ev[0].reason, SVMX_REASON_CPU);
	ASSERT_EQ(poll(&pfd, 1, 0), 0);
	/* The same through the ioctl. */
	p[PAGE] = 1;
	ASSERT_OK(ioctl(fd, SVMX_IOC_EVENTS, &evs));
	ASSERT_EQ(evs.count, 1);
	ASSERT_EQ(ev[0].addr, (uintptr_t)p + PAGE);
}

/* Bad input: each a defined errno, nothing held afterwards. */
TEST(arm_unaligned_addr_or_len_or_zero_len_fails_einval)
{
	int fd = open_client();
	char *p = map_filled(4);

	ASSERT_ERRNO(svmx_arm(fd, p + 1, PAGE, NULL), EINVAL);
	ASSERT_ERRNO(svmx_arm(fd, p, PAGE + 8, NULL), EINVAL);
	ASSERT_ERRNO(svmx_arm(fd, p, 0, NULL), EINVAL);
	ASSERT_ERRNO(svmx_disarm(fd, p, 0, NULL), EINVAL);
	ASSERT_ERRNO(svmx_range_op(fd, SVMX_IOC_STATUS, p + 8, PAGE, NULL, NULL),
		     EINVAL);
	ASSERT_EQ(svmx_held(fd, p, 4 * PAGE), 0);
}

TEST(arm_overflowing_or_kernel_range_fails)
{
	int fd = open_client();
	char *p = map_filled(1);

	ASSERT_ERRNO(svmx_arm(fd, p, (size_t)0 - (uintptr_t)p, NULL), EINVAL);
	ASSERT_ERRNO(svmx_arm(fd, p, -PAGE, NULL), EINVAL);
	ASSERT_ERRNO(svmx_arm(fd, (void *)0xffff888000000000UL, PAGE, NULL),
		     EFAULT);
	ASSERT_ERRNO(svmx_arm(fd, (void *)(0x800000000000UL - PAGE), 2 * PAGE,
			      NULL), EFAULT);
}

TEST(arm_range_with_unmapped_hole_fails_efault_and_holds_nothing)
{
	int fd = open_client();
	char *p = map_filled(3);

	ASSERT_OK(munmap(p + PAGE, PAGE));
	ASSERT_ERRNO(svmx_arm(fd, p, 3 * PAGE, NULL), EFAULT);
	ASSERT_EQ(svmx_held(fd, p, PAGE), 0);
	ASSERT_ERRNO(svmx_arm(fd, NULL, PAGE, NULL), EFAULT);
}

TEST(arm_file_backed_mapping_fails_einval)
{
	int fd = open_client(), f;
	char *p;

	f = open("/tmp/svmx-file", O_RDWR | O_CREAT | O_TRUNC, 0600);
	ASSERT_GE(f, 0);
	ASSERT_OK(ftruncate(f, 4 * PAGE));
	p = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, f, 0);
	ASSERT_TRUE(p != MAP_FAILED);
	p[0] = 1;
	ASSERT_ERRNO(svmx_arm(fd, p, 4 * PAGE, NULL), EINVAL);
	p = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, f, 0);
	ASSERT_TRUE(p != MAP_FAILED);
	ASSERT_ERRNO(svmx_arm(fd, p, 4 * PAGE, NULL), EINVAL);
	unlink("/tmp/svmx-file");
}

TEST(arm_hugetlb_mapping_fails_einval)
{
	int fd = open_client();
	char *p = mmap(NULL, 2UL << 20, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);

	if (p == MAP_FAILED)
		SVMX_FAIL("MAP_HUGETLB: %s (nr_hugepages set?)", strerror(errno));
	p[0] = 1;
	ASSERT_ERRNO(svmx_arm(fd, p, 2UL << 20, NULL), EINVAL);
	ASSERT_ERRNO(svmx_dev_atomic(fd, p, SVMX_DEV_ADD, 4, 1, 0, 1, NULL, NULL),
		     EINVAL);
}

/* [vvar] is a VM_IO | VM_PFNMAP special mapping. */
TEST(arm_pfnmap_io_mapping_fails_einval)
{
	int fd = open_client();
	unsigned long lo = 0, hi = 0;
	char line[256];
	FILE *f = fopen("/proc/self/maps", "r");

	ASSERT_TRUE(f);
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "[vvar]") &&
		    sscanf(line, "%lx-%lx", &lo, &hi) == 2)
			break;
	fclose(f);
	ASSERT_NE(lo, 0);
	ASSERT_ERRNO(svmx_arm(fd, (void *)lo, PAGE, NULL), EINVAL);
}

TEST(arm_read_only_mapping_fails_eperm)
{
	int fd = open_client();
	char *p = mmap(NULL, 2 * PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);

	ASSERT_TRUE(p != MAP_FAILED);
	ASSERT_ERRNO(svmx_arm(fd, p, 2 * PAGE, NULL), EPERM);
	ASSERT_ERRNO(svmx_dev_atomic(fd, p, SVMX_DEV_ADD, 4, 1, 0, 1, NULL, NULL),
		     EPERM);
	ASSERT_EQ(p[0], 0);
}

TEST(ioctl_struct_size_and_flags_are_checked)
{
	int fd = open_client();
	char *p = map_filled(1);
	struct {
		struct svmx_range r;
		uint64_t extra;
	} big = { .r = { .size = sizeof(big), .addr = (uintptr_t)p,
			 .len = PAGE } };
	struct svmx_range r = { .size = sizeof(r) - 8, .addr = (uintptr_t)p,
				.len = PAGE };

	ASSERT_ERRNO(ioctl(fd, SVMX_IOC_ARM, &r), EINVAL);
	r.size = sizeof(r);
	r.flags = 1;
	ASSERT_ERRNO(ioctl(fd, SVMX_IOC_ARM, &r), EINVAL);
	r.flags = 0;
	r.bitmap = 8;
	ASSERT_ERRNO(ioctl(fd, SVMX_IOC_ARM, &r), EFAULT);
	big.extra = 1;
	ASSERT_ERRNO(ioctl(fd, SVMX_IOC_ARM, &big), E2BIG);
	big.extra = 0;
	ASSERT_OK(ioctl(fd, SVMX_IOC_ARM, &big));
	ASSERT_EQ(big.r.pages, 1);
	ASSERT_ERRNO(ioctl(fd, _IO(SVMX_IOC_MAGIC, 0x7f), 0), ENOTTY);
	ASSERT_ERRNO(ioctl(fd, SVMX_IOC_ARM, NULL), EFAULT);
}

struct churn {
	int fd;
	char *p;
	size_t npages;
	unsigned int seed;
	atomic_long errors;
	atomic_long dev_busy;
	atomic_int first_error;	/* op * 1000 + errno of the first error */
	long adds;
};

static void *churn_thread(void *arg)
{
	struct churn *c = arg;
	unsigned int seed = __atomic_fetch_add(&c->seed, 7919, __ATOMIC_RELAXED);
	long i;

	for (i = 0; i < 400; i++) {
		size_t a = rand_r(&seed) % c->npages;
		size_t n = 1 + rand_r(&seed) % (c->npages - a);
		int op = rand_r(&seed) % 5, ret = 0, none = 0;

		switch (op) {
		case 0:
		case 1:
			ret = svmx_arm(c->fd, c->p + a * PAGE, n * PAGE, NULL);
			if (ret && errno == EBUSY)
				ret = 0;
			break;
		case 2:
			ret = svmx_disarm(c->fd, c->p + a * PAGE, n * PAGE, NULL);
			break;
		case 3:
			ret = svmx_held(c->fd, c->p + a * PAGE, n * PAGE) < 0;
			break;
		case 4:
			ret = svmx_dev_atomic(c->fd, c->p + a * PAGE, SVMX_DEV_ADD,
					      8, 1, 0, 3, NULL, NULL);
			if (!ret)
				__atomic_fetch_add(&c->adds, 3, __ATOMIC_RELAXED);
			/*
			 * Its re-arm lost to the other threads for
			 * arm_timeout_ms: the defined -EBUSY, before any add
			 * (3 adds are one batch).
			 */
			if (ret && errno == EBUSY) {
				atomic_fetch_add(&c->dev_busy, 1);
				ret = 0;
			}
			break;
		}
		if (ret) {
			atomic_compare_exchange_strong(&c->first_error, &none,
						       op * 1000 + errno);
			atomic_fetch_add(&c->errors, 1);
		}
	}
	return NULL;
}

TEST_TIMEOUT(concurrent_arm_disarm_from_many_threads_keeps_counts_exact, 300)
{
	struct churn c = { .fd = open_client(), .npages = 64, .seed = 1 };
	pthread_t th[8];
	uint64_t sum = 0;
	size_t i;
	int t;

	c.p = map_filled(c.npages);
	memset(c.p, 0, c.npages * PAGE);
	for (t = 0; t < 8; t++)
		ASSERT_EQ(pthread_create(&th[t], NULL, churn_thread, &c), 0);
	for (i = 0; i < 2000; i++)	/* the CPU touches pages meanwhile */
		__atomic_fetch_add((uint64_t *)(c.p + (i % c.npages) * PAGE) + 1,
				   1, __ATOMIC_SEQ_CST);
	struct svmx_stats st;

	for (t = 0; t < 8; t++)
		pthread_join(th[t], NULL);
	ASSERT_OK(svmx_stats(c.fd, &st));
	TH_LOG("armed %llu, disarmed %llu, cpu revocations %llu, re-arms %llu, retries %llu, busy %llu (device atomics %ld), adds %ld",
	       (unsigned long long)st.armed, (unsigned long long)st.disarmed,
	       (unsigned long long)st.revoked[SVMX_REASON_CPU],
	       (unsigned long long)st.dev_rearms,
	       (unsigned long long)st.retries, (unsigned long long)st.busy,
	       atomic_load(&c.dev_busy), c.adds);
	if (atomic_load(&c.errors))
		TH_LOG("first error: op %d (0-1 arm, 2 disarm, 3 held, 4 device atomic), %s",
		       atomic_load(&c.first_error) / 1000,
		       strerror(atomic_load(&c.first_error) % 1000));
	ASSERT_EQ(atomic_load(&c.errors), 0);
	ASSERT_GT(c.adds, 0);
	for (i = 0; i < c.npages; i++)
		sum += *(uint64_t *)(c.p + i * PAGE);
	ASSERT_EQ(sum, (uint64_t)c.adds);
	ASSERT_EQ(svmx_held(c.fd, c.p, c.npages * PAGE), 0);
}

struct racer {
	int fd;
	char *p;
	size_t npages;
	atomic_int stop;
	atomic_long bad;
	atomic_long ok;
};

static void *arm_racer(void *arg)
{
	struct racer *r = arg;
	unsigned int seed = (unsigned int)(uintptr_t)&seed;

	while (!atomic_load(&r->stop)) {
		size_t a = rand_r(&seed) % r->npages;
		int ret, e;

		if (rand_r(&seed) & 1)
			ret = svmx_arm(r->fd, r->p + a * PAGE,
				       (r->npages - a) * PAGE, NULL);
		else
			ret = svmx_dev_atomic(r->fd, r->p + a * PAGE,
					      SVMX_DEV_ADD, 8, 1, 0, 2, NULL,
					      NULL);
		e = errno;
		if (!ret)
			atomic_fetch_add(&r->ok, 1);
		else if (e != EFAULT && e != EPERM && e != EBUSY)
			atomic_fetch_add(&r->bad, 1);
	}
	return NULL;
}

/* munmap, mmap, mprotect and madvise race with ARM and device faults. */
TEST_TIMEOUT(arm_racing_munmap_mprotect_gives_only_defined_errors, 300)
{
	struct racer r = { .fd = open_client(), .npages = 32 };
	pthread_t th[3];
	int t, i;

	r.p = map_filled(r.npages);
	for (t = 0; t < 3; t++)
		ASSERT_EQ(pthread_create(&th[t], NULL, arm_racer, &r), 0);
	for (i = 0; i < 3000; i++) {
		char *q;

		switch (i % 4) {
		case 0:
			ASSERT_OK(munmap(r.p + 8 * PAGE, 8 * PAGE));
			q = mmap(r.p + 8 * PAGE, 8 * PAGE, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
			ASSERT_TRUE(q == r.p + 8 * PAGE);
			break;
		case 1:
			ASSERT_OK(mprotect(r.p, 16 * PAGE, PROT_READ));
			ASSERT_OK(mprotect(r.p, 16 * PAGE, PROT_READ | PROT_WRITE));
			break;
		case 2:
			ASSERT_OK(madvise(r.p + 20 * PAGE, 4 * PAGE, MADV_DONTNEED));
			break;
		case 3:
			r.p[(i % r.npages) * PAGE] = 1;
			break;
		}
	}
	atomic_store(&r.stop, 1);
	for (t = 0; t < 3; t++)
		pthread_join(th[t], NULL);
	TH_LOG("%ld calls succeeded", atomic_load(&r.ok));
	ASSERT_EQ(atomic_load(&r.bad), 0);
	ASSERT_GT(atomic_load(&r.ok), 0);
}

struct forker {
	int fd;
	uint64_t *page;
	atomic_int stop;
	uint64_t adds;
	int err;
};

static void *device_adder(void *arg)
{
	struct forker *f = arg;

	while (!atomic_load(&f->stop)) {
		if (svmx_dev_atomic(f->fd, f->page, SVMX_DEV_ADD, 8, 1, 0, 50,
				    NULL, NULL)) {
			f->err = errno;
			break;
		}
		f->adds += 50;
	}
	return NULL;
}

/*
 * fork() write-protects the page the device is adding to (FORK revocation,
 * then a COW break on the device's re-arm): no add may be lost, and each
 * child sees a value the device had produced.
 */
TEST_TIMEOUT(fork_during_device_atomics_loses_no_add, 300)
{
	struct forker f = { .fd = open_client() };
	struct svmx_stats st;
	pthread_t th;
	int i, status;

	f.page = map_anon(PAGE);
	ASSERT_TRUE(f.page);
	ASSERT_EQ(pthread_create(&th, NULL, device_adder, &f), 0);
	for (i = 0; i < 30; i++) {
		pid_t pid = fork();

		ASSERT_GE(pid, 0);
		if (pid == 0)
			_exit(f.page[0] % 50 == 0 ? 0 : 1);
		ASSERT_EQ(waitpid(pid, &status, 0), pid);
		ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		usleep(1000);
	}
	atomic_store(&f.stop, 1);
	pthread_join(th, NULL);
	ASSERT_EQ(f.err, 0);
	ASSERT_EQ(f.page[0], f.adds);
	ASSERT_OK(svmx_stats(f.fd, &st));
	TH_LOG("%llu adds, %llu FORK revocations, %llu re-arms",
	       (unsigned long long)f.adds,
	       (unsigned long long)st.revoked[SVMX_REASON_FORK],
	       (unsigned long long)st.dev_rearms);
	ASSERT_GT(st.revoked[SVMX_REASON_FORK], 0);
}

/* A process killed while its threads are inside ARM and the device. */
TEST_TIMEOUT(process_killed_during_concurrent_arms_is_clean, 120)
{
	int status, i;
	pid_t pid;

	for (i = 0; i < 5; i++) {
		pid = fork();
		ASSERT_GE(pid, 0);
		if (pid == 0) {
			static struct racer r = { .npages = 64 };
			pthread_t th[3];
			int t;

			r.fd = open_client();
			r.p = map_filled(r.npages);
			for (t = 0; t < 3; t++)
				pthread_create(&th[t], NULL, arm_racer, &r);
			for (;;)
				r.p[(rand() % r.npages) * PAGE]++;
		}
		usleep(200000 + 100000 * i);
		ASSERT_OK(kill(pid, SIGKILL));
		ASSERT_EQ(waitpid(pid, &status, 0), pid);
		ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	}
}

/*
 * Two threads of one client arm the same range at once: the second must
 * not take the pages the first has just armed back through the CPU (each
 * thread used to choose its run before taking arm_lock).
 */
struct twin {
	int fd;
	char *p;
	size_t len;
	pthread_barrier_t go;
	atomic_long errors;
};

static void *twin_arm(void *arg)
{
	struct twin *t = arg;
	int i;

	for (i = 0; i < 100; i++) {
		pthread_barrier_wait(&t->go);
		if (svmx_arm(t->fd, t->p, t->len, NULL))
			atomic_fetch_add(&t->errors, 1);
		pthread_barrier_wait(&t->go);
		if (svmx_disarm(t->fd, t->p, t->len, NULL))
			atomic_fetch_add(&t->errors, 1);
	}
	return NULL;
}

TEST_TIMEOUT(two_threads_of_one_client_arming_one_range_cause_no_cpu_revocation, 120)
{
	struct twin t = { .fd = open_client(), .len = 64 * PAGE };
	struct svmx_stats st;
	pthread_t th[2];
	int i;

	t.p = map_filled(64);
	pthread_barrier_init(&t.go, NULL, 2);
	for (i = 0; i < 2; i++)
		ASSERT_EQ(pthread_create(&th[i], NULL, twin_arm, &t), 0);
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	ASSERT_OK(svmx_stats(t.fd, &st));
	TH_LOG("armed %llu, cpu revocations %llu, retries %llu",
	       (unsigned long long)st.armed,
	       (unsigned long long)st.revoked[SVMX_REASON_CPU],
	       (unsigned long long)st.retries);
	ASSERT_EQ(atomic_load(&t.errors), 0);
	ASSERT_EQ(st.revoked[SVMX_REASON_CPU], 0);
	ASSERT_EQ(svmx_event_bytes(t.fd, SVMX_REASON_CPU), 0);
	ASSERT_EQ(st.armed, 100 * 64);
}

/* Module parameters, cgroup and proc files: one value per file. */
static void write_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		SVMX_FAIL("write '%s' to %s: %s", text, path, strerror(errno));
	close(fd);
}

static void write_number(const char *path, long long value)
{
	char text[32];

	snprintf(text, sizeof(text), "%lld", value);
	write_text(path, text);
}

static long long read_number(const char *path)
{
	char buf[64] = "";
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (n <= 0)
		SVMX_FAIL("read %s: %s", path, strerror(errno));
	close(fd);
	return atoll(buf);
}

#define FAIL_TABLE_STORES "/sys/module/svmx/parameters/fail_table_stores"

/*
 * A page that cannot go into the device table (xa_store() failing, here
 * injected once) fails ARM with ENOMEM at once, not a retry that hides it:
 * the pages of the failed run go back to the CPU, present and intact, and
 * what was held before stays held.  The next ARM takes the whole range.
 */
TEST(arm_whose_table_insertion_fails_returns_enomem_and_gives_the_run_back)
{
	int fd = open_client();
	int *p = (int *)map_filled(4);
	unsigned int left;
	int ret, e;
	size_t i;

	ASSERT_OK(svmx_arm(fd, p, 2 * PAGE, NULL));
	write_number(FAIL_TABLE_STORES, 1);
	ret = svmx_arm(fd, p, 4 * PAGE, NULL);
	e = errno;
	left = read_number(FAIL_TABLE_STORES);
	if (left)
		write_number(FAIL_TABLE_STORES, 0);
	ASSERT_EQ(left, 0);	/* the injected failure was taken */
	errno = e;
	ASSERT_ERRNO(ret, ENOMEM);
	ASSERT_EQ(svmx_held(fd, p, 2 * PAGE), 2);
	ASSERT_TRUE(page_is_device_exclusive(p));
	for (i = 2; i < 4; i++) {
		ASSERT_EQ(svmx_held(fd, (char *)p + i * PAGE, PAGE), 0);
		ASSERT_TRUE(page_is_present((char *)p + i * PAGE));
	}
	for (i = 2 * PAGE / sizeof(int); i < 4 * PAGE / sizeof(int); i++)
		ASSERT_EQ(p[i], (int)i);
	ASSERT_OK(svmx_arm(fd, p, 4 * PAGE, NULL));
	ASSERT_EQ(svmx_held(fd, p, 4 * PAGE), 4);
}

/* PG_dirty in /proc/kpageflags (include/uapi/linux/kernel-page-flags.h). */
#define KPF_DIRTY 4
#define PM_PFN_MASK ((1ULL << 55) - 1)

static int page_flag_dirty(uint64_t pfn)
{
	uint64_t f = 0;
	int fd = open("/proc/kpageflags", O_RDONLY);

	if (fd < 0)
		SVMX_FAIL("/proc/kpageflags: %s", strerror(errno));
	if (pread(fd, &f, sizeof(f), pfn * sizeof(f)) != sizeof(f))
		SVMX_FAIL("/proc/kpageflags: %s", strerror(errno));
	close(fd);
	return !!(f & (1ULL << KPF_DIRTY));
}

/*
 * A CMPXCHG batch whose first op succeeds and whose last fails still wrote:
 * the page must stay dirty, or reclaim would discard the device's value.
 * MADV_FREE makes the page clean and lazily freeable (PG_dirty off, as
 * kpageflags shows); MADV_PAGEOUT then reclaims what is still clean, as the
 * control page shows.  (ARM itself already dirties the page: GUP with
 * FOLL_WRITE marks a clean page dirty.  So this holds with the module that
 * dirtied the page only when the batch's last op succeeded, too; no
 * userspace sequence leaves an armed page clean.)  The test pins itself to
 * one CPU so that MADV_PAGEOUT's lru_add_drain() sees the MADV_FREE.
 */
TEST(dev_cmpxchg_batch_ending_in_a_failed_compare_leaves_a_lazyfree_page_dirty_for_reclaim)
{
	unsigned long cpu0 = 1;
	uint64_t *p, *ctl, pfn, result = 0;
	int fd = open_client();

	/* One CPU from the first fault on: the LRU's per-CPU batches. */
	ASSERT_OK(syscall(SYS_sched_setaffinity, 0, sizeof(cpu0), &cpu0));
	p = (uint64_t *)map_filled(2);
	ctl = p + PAGE / 8;
	p[0] = 7;
	ctl[0] = 7;
	ASSERT_TRUE(page_is_present(p));
	pfn = pagemap(p) & PM_PFN_MASK;
	ASSERT_NE(pfn, 0);
	/* MADV_FREE skips pages not yet on the LRU: MADV_COLD drains them. */
	ASSERT_OK(madvise(p, 2 * PAGE, MADV_COLD));
	ASSERT_OK(madvise(p, 2 * PAGE, MADV_FREE));
	ASSERT_FALSE(page_flag_dirty(pfn));
	ASSERT_OK(svmx_arm(fd, p, PAGE, NULL));
	TH_LOG("PG_dirty after MADV_FREE 0, after ARM %d", page_flag_dirty(pfn));
	ASSERT_OK(svmx_dev_atomic(fd, p, SVMX_DEV_CMPXCHG, 8, 9, 7, 2,
				  &result, NULL));
	ASSERT_EQ(result, 9);	/* 7 -> 9, then 9 != 7: the last op failed */
	ASSERT_TRUE(page_flag_dirty(pfn));
	ASSERT_OK(svmx_disarm(fd, p, PAGE, NULL));
	ASSERT_EQ(pagemap(p) & PM_PFN_MASK, pfn);
	ASSERT_OK(madvise(p, 2 * PAGE, MADV_PAGEOUT));
	ASSERT_EQ(ctl[0], 0);	/* the clean lazyfree page was discarded */
	ASSERT_EQ(p[0], 9);	/* the dirty one kept the device's value */
}

static void on_signal(int sig)
{
	(void)sig;
}

/*
 * A caught signal (not only a fatal one) ends a long DEV_ATOMIC with EINTR.
 * The call runs in a child that the test kills after 20 s.
 */
TEST(dev_atomic_is_interrupted_by_a_caught_signal)
{
	int status = 0, i;
	pid_t pid;

	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		struct sigaction sa = { .sa_handler = on_signal };
		struct itimerval it = { .it_value = { .tv_usec = 200000 } };
		uint64_t *p = (uint64_t *)map_filled(1);
		int fd = open_client(), ret;

		if (svmx_arm(fd, p, PAGE, NULL))
			_exit(3);
		sigaction(SIGALRM, &sa, NULL);	/* no SA_RESTART */
		setitimer(ITIMER_REAL, &it, NULL);
		ret = svmx_dev_atomic(fd, p, SVMX_DEV_ADD, 8, 1, 0, 1ULL << 40,
				      NULL, NULL);
		_exit(ret == -1 && errno == EINTR ? 0 : 2);
	}
	for (i = 0; i < 200 && waitpid(pid, &status, WNOHANG) == 0; i++)
		usleep(100000);
	if (i == 200) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		SVMX_FAIL("DEV_ATOMIC still running 20 s after the signal");
	}
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(WEXITSTATUS(status), 0);
}

/*
 * Under SA_RESTART too a caught signal ends DEV_ATOMIC with EINTR: the call
 * is not restarted (that would repeat the ops already done), and those ops
 * are whole batches of 64 (SVMX_DEV_BATCH), done and kept.
 */
TEST(dev_atomic_interrupted_under_sa_restart_fails_eintr_keeping_whole_batches)
{
	int status = 0, i;
	uint64_t *p;
	pid_t pid;

	p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(p != MAP_FAILED);
	p[0] = 0;
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		struct sigaction sa = { .sa_handler = on_signal,
					.sa_flags = SA_RESTART };
		struct itimerval it = { .it_value = { .tv_usec = 200000 } };
		uint64_t *q = (uint64_t *)map_filled(1);
		int fd = open_client(), ret, e;

		q[0] = 0;
		if (svmx_arm(fd, q, PAGE, NULL))
			_exit(3);
		sigaction(SIGALRM, &sa, NULL);
		setitimer(ITIMER_REAL, &it, NULL);
		ret = svmx_dev_atomic(fd, q, SVMX_DEV_ADD, 8, 1, 0, 1ULL << 40,
				      NULL, NULL);
		e = errno;
		p[0] = q[0];	/* the adds done, through a CPU fault */
		_exit(ret == -1 && e == EINTR ? 0 : 2);
	}
	for (i = 0; i < 200 && waitpid(pid, &status, WNOHANG) == 0; i++)
		usleep(100000);
	if (i == 200) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		SVMX_FAIL("DEV_ATOMIC still running 20 s after the signal");
	}
	TH_LOG("%llu adds done before EINTR", (unsigned long long)p[0]);
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(WEXITSTATUS(status), 0);
	ASSERT_GT(p[0], 0);
	ASSERT_EQ(p[0] % 64, 0);
}

/* A size field beyond SVMX_MAX_STRUCT_SIZE is refused before any copy. */
TEST(ioctl_struct_size_above_the_maximum_fails_e2big)
{
	int fd = open_client();
	char *p = map_filled(1);
	size_t sz = 4 * PAGE;
	struct svmx_range *r = calloc(1, sz);
	struct svmx_version *v = calloc(1, sz);

	ASSERT_TRUE(r && v);
	r->size = SVMX_MAX_STRUCT_SIZE + 1;
	r->addr = (uintptr_t)p;
	r->len = PAGE;
	ASSERT_ERRNO(ioctl(fd, SVMX_IOC_ARM, r), E2BIG);
	ASSERT_EQ(svmx_held(fd, p, PAGE), 0);
	v->size = sz;
	ASSERT_ERRNO(ioctl(fd, SVMX_IOC_VERSION, v), E2BIG);
	v->size = SVMX_MAX_STRUCT_SIZE;
	ASSERT_OK(ioctl(fd, SVMX_IOC_VERSION, v));
	ASSERT_EQ(v->size, sizeof(*v));
}

/*
 * /dev/svmx is 0660: a process outside the owner and the group gets
 * EACCES; one in the device's group may open it.
 */
TEST(open_by_a_user_outside_the_device_group_fails_eacces)
{
	struct stat st;
	int status, member;

	ASSERT_OK(stat(SVMX_DEVICE_PATH, &st));
	TH_LOG("%s: mode %o, uid %u, gid %u", SVMX_DEVICE_PATH,
	       st.st_mode & 07777, st.st_uid, st.st_gid);
	ASSERT_EQ(st.st_mode & 0007, 0);
	for (member = 0; member < 2; member++) {
		pid_t pid = fork();

		ASSERT_GE(pid, 0);
		if (pid == 0) {
			gid_t g = member ? st.st_gid : 65534;
			int fd;

			if (setgroups(0, NULL) || setgid(g) || setuid(65534))
				_exit(3);
			fd = open(SVMX_DEVICE_PATH, O_RDWR);
			if (member)
				_exit(fd >= 0 ? 0 : 1);
			_exit(fd < 0 && errno == EACCES ? 0 : 2);
		}
		ASSERT_EQ(waitpid(pid, &status, 0), pid);
		ASSERT_TRUE(WIFEXITED(status));
		ASSERT_EQ(WEXITSTATUS(status), 0);
	}
}

/*
 * The races of MADV_DONTNEED, munmap + mmap(MAP_FIXED) and CPU faults with
 * ARM and device atomics.  A run the zap invalidated must not be programmed:
 * every page the client says it holds is still device-exclusive (a page the
 * zap freed would not be), the counter page, which nothing zaps, holds
 * exactly the adds of the device and the CPU, and the kernel log stays clean
 * (KASAN on 7.3, bad page state elsewhere).  The zaps cover 2048 present
 * pages, so that a zap that has begun has pages left to clear while an ARM
 * of one of the last of them runs; the armer pauses between ARMs, so that
 * zaps begin while no ARM is in flight.
 */
#define ZAP_PAGES 2048
#define ZAP_TAIL 64

struct zapper {
	int fd;
	char *p;		/* ZAP_PAGES, zapped and remapped */
	uint64_t *ctr;		/* never zapped */
	atomic_int stop, pause, paused;
	atomic_long dev_adds, bad, ok;
};

static void *zap_armer(void *arg)
{
	struct zapper *z = arg;
	unsigned int seed = (unsigned int)(uintptr_t)&seed;
	int ret, e;

	while (!atomic_load(&z->stop)) {
		/* The far end of the range: zapped last. */
		size_t a = ZAP_PAGES - 1 - rand_r(&seed) % ZAP_TAIL;

		if (atomic_load(&z->pause)) {
			atomic_store(&z->paused, 1);
			while (atomic_load(&z->pause))
				;
			atomic_store(&z->paused, 0);
			continue;
		}
		if (rand_r(&seed) % 4) {
			ret = svmx_arm(z->fd, z->p + a * PAGE, PAGE, NULL);
			if (!ret)
				ret = svmx_dev_atomic(z->fd, z->p + a * PAGE,
						      SVMX_DEV_ADD, 8, 1, 0, 1,
						      NULL, NULL);
		} else {
			/* One batch: all 8 adds or none. */
			ret = svmx_dev_atomic(z->fd, z->ctr, SVMX_DEV_ADD, 8, 1,
					      0, 8, NULL, NULL);
			if (!ret)
				atomic_fetch_add(&z->dev_adds, 8);
		}
		e = errno;
		if (!ret)
			atomic_fetch_add(&z->ok, 1);
		else if (e != EFAULT && e != EBUSY)
			atomic_fetch_add(&z->bad, 1);
		usleep(rand_r(&seed) % 300);
	}
	return NULL;
}

TEST_TIMEOUT(arm_racing_zap_and_remap_keeps_only_exclusive_pages_held_and_exact_totals, 300)
{
	struct zapper z = { .fd = open_client() };
	uint64_t cpu_adds = 0;
	long held = 0, stray = 0;
	pthread_t th;
	size_t k;
	char *q;
	int i;

	z.p = map_filled(ZAP_PAGES);
	z.ctr = (uint64_t *)map_filled(1);
	z.ctr[0] = 0;
	ASSERT_EQ(pthread_create(&th, NULL, zap_armer, &z), 0);
	for (i = 0; i < 60; i++) {
		/* Re-fault every page, then zap or remap them all. */
		for (k = 0; k < ZAP_PAGES; k++)
			z.p[k * PAGE] = 1;
		__atomic_fetch_add(z.ctr, 1, __ATOMIC_SEQ_CST);
		cpu_adds++;
		if (i % 3) {
			ASSERT_OK(madvise(z.p, ZAP_PAGES * PAGE, MADV_DONTNEED));
		} else {
			ASSERT_OK(munmap(z.p, ZAP_PAGES * PAGE));
			q = mmap(z.p, ZAP_PAGES * PAGE, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
			ASSERT_TRUE(q == z.p);
			madvise(z.p, ZAP_PAGES * PAGE, MADV_NOHUGEPAGE);
		}
		/* Quiet the armer: what the client holds must be exclusive. */
		atomic_store(&z.pause, 1);
		while (!atomic_load(&z.paused))
			;
		for (k = ZAP_PAGES - ZAP_TAIL; k < ZAP_PAGES; k++) {
			if (svmx_held(z.fd, z.p + k * PAGE, PAGE) != 1)
				continue;
			held++;
			if (!page_is_device_exclusive(z.p + k * PAGE))
				stray++;
		}
		atomic_store(&z.pause, 0);
		while (atomic_load(&z.paused))
			;
	}
	atomic_store(&z.stop, 1);
	pthread_join(th, NULL);
	TH_LOG("%ld calls ok, %ld held pages checked, %ld not exclusive, %llu cpu + %ld device adds",
	       atomic_load(&z.ok), held, stray, (unsigned long long)cpu_adds,
	       atomic_load(&z.dev_adds));
	ASSERT_EQ(atomic_load(&z.bad), 0);
	ASSERT_EQ(stray, 0);
	ASSERT_GT(atomic_load(&z.ok), 0);
	ASSERT_EQ(z.ctr[0], cpu_adds + atomic_load(&z.dev_adds));
}

/* ---- memory cgroup charging ---------------------------------------------- */

#define CGROUP_ROOT "/sys/fs/cgroup"
#define CGROUP_SVMX CGROUP_ROOT "/svmx-memcg"
#define EVENT_QUEUE_LEN_PARAM "/sys/module/svmx/parameters/event_queue_len"

static bool kernel_has_filesystem(const char *name)
{
	char line[128], want[64];
	FILE *f = fopen("/proc/filesystems", "r");
	bool found = false;

	snprintf(want, sizeof(want), "\t%s\n", name);
	while (f && !found && fgets(line, sizeof(line), f))
		found = strstr(line, want) != NULL;
	if (f)
		fclose(f);
	return found;
}

/* This process alone in a cgroup with the memory controller on. */
static void enter_memory_cgroup(void)
{
	if (!kernel_has_filesystem("cgroup2"))
		SVMX_SKIP("no cgroup v2 in this kernel (CONFIG_CGROUPS; the 7.3 guest has it)");
	mkdir(CGROUP_ROOT, 0755);
	if (mount("cgroup2", CGROUP_ROOT, "cgroup2", 0, NULL) && errno != EBUSY)
		SVMX_FAIL("mount cgroup2: %s", strerror(errno));
	/* cgroup v2 without "memory" here is a kernel without CONFIG_MEMCG: a failure. */
	write_text(CGROUP_ROOT "/cgroup.subtree_control", "+memory");
	if (mkdir(CGROUP_SVMX, 0755) && errno != EEXIST)
		SVMX_FAIL("mkdir %s: %s", CGROUP_SVMX, strerror(errno));
	write_number(CGROUP_SVMX "/cgroup.procs", getpid());
}

TEST(event_rings_are_charged_to_the_openers_memory_cgroup_and_uncharged_on_close)
{
	enum { RING_RECORDS = 65536, OPENS = 8 };
	long long ring = (long long)RING_RECORDS * sizeof(struct svmx_event);
	long long before, opened, closed, old_len;
	int fds[OPENS];

	enter_memory_cgroup();
	old_len = read_number(EVENT_QUEUE_LEN_PARAM);
	write_number(EVENT_QUEUE_LEN_PARAM, RING_RECORDS);
	before = read_number(CGROUP_SVMX "/memory.current");
	for (int i = 0; i < OPENS; i++)
		fds[i] = open_client();
	opened = read_number(CGROUP_SVMX "/memory.current");
	for (int i = 0; i < OPENS; i++)
		close(fds[i]);
	closed = read_number(CGROUP_SVMX "/memory.current");
	write_number(EVENT_QUEUE_LEN_PARAM, old_len);
	TH_LOG("memory.current: %lld before, %lld with %d rings of %lld bytes, %lld after close",
	       before, opened, OPENS, ring, closed);
	/* Every ring is charged here and given back; other charges move by pages. */
	ASSERT_GE(opened - before, OPENS * ring);
	ASSERT_LT(closed - before, ring);
}

TEST_HARNESS_MAIN
