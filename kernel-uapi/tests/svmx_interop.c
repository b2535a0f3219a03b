// SPDX-License-Identifier: GPL-2.0
/*
 * svmx next to another device-exclusive user: the kernel's own HMM test
 * driver (lib/test_hmm.c, /dev/hmm_dmirror0, CONFIG_TEST_HMM=m), loaded in
 * the guest from the same kernel tree.  Its ABI is declared here from the
 * kernel's documentation of lib/test_hmm_uapi.h.
 */
#include "svmx_lib.h"
#include "svmx_test.h"

struct dmirror_cmd {
	uint64_t addr;
	uint64_t ptr;
	uint64_t npages;
	uint64_t cpages;
	uint64_t faults;
};

#define DMIRROR_EXCLUSIVE	_IOWR('H', 0x05, struct dmirror_cmd)

static int dmirror_open(void)
{
	int fd = open("/dev/hmm_dmirror0", O_RDWR);

	if (fd < 0)
		SVMX_FAIL("/dev/hmm_dmirror0: %s (test_hmm.ko loaded?)",
			  strerror(errno));
	return fd;
}

static int dmirror_exclusive(int fd, void *addr, size_t npages, void *buf)
{
	struct dmirror_cmd cmd = {
		.addr = (uintptr_t)addr,
		.ptr = (uintptr_t)buf,
		.npages = npages,
	};

	return ioctl(fd, DMIRROR_EXCLUSIVE, &cmd);
}

TEST(other_driver_arming_svmx_pages_revokes_them_and_svmx_takes_them_back)
{
	int fd = svmx_open(), dm = dmirror_open();
	size_t n = 8;
	int *p = map_anon(n * PAGE), *buf = malloc(n * PAGE);
	uint64_t cpu, owner;
	size_t i;

	ASSERT_GE(fd, 0);
	madvise(p, n * PAGE, MADV_NOHUGEPAGE);
	for (i = 0; i < n * PAGE / 4; i++)
		p[i] = (int)i;
	ASSERT_OK(svmx_arm(fd, p, n * PAGE, NULL));
	ASSERT_OK(svmx_dev_atomic(fd, p, SVMX_DEV_ADD, 4, 100, 0, 1, NULL, NULL));
	ASSERT_OK(dmirror_exclusive(dm, p, n, buf));
	ASSERT_EQ(buf[0], 100);		/* the other device sees svmx's add */
	ASSERT_EQ(buf[n * PAGE / 4 - 1], (int)(n * PAGE / 4 - 1));
	ASSERT_EQ(svmx_held(fd, p, n * PAGE), 0);
	cpu = svmx_event_bytes(fd, SVMX_REASON_CPU);
	TH_LOG("lost %llu bytes as CPU (test_hmm arms with owner NULL, "
	       "after a GUP that restores the PTEs)", (unsigned long long)cpu);
	ASSERT_EQ(cpu, n * PAGE);
	ASSERT_OK(svmx_arm(fd, p, n * PAGE, NULL));
	ASSERT_EQ(svmx_held(fd, p, n * PAGE), n);
	owner = svmx_event_bytes(fd, SVMX_REASON_OWNER);
	ASSERT_EQ(owner, 0);
	ASSERT_EQ(p[0], 100);
}

/*
 * The motivating difference on 6.1-6.14: with THPs,
 * make_device_exclusive_range() alone (test_hmm's EXCLUSIVE) cannot arm the
 * range; svmx arms all of it.  make_device_exclusive() (6.15 on, svmx
 * reports SVMX_FEAT_PTE_MAPPED_LARGE_FOLIOS) splits the PMD itself, and
 * there test_hmm arms the THP too.
 */
TEST(thp_range_svmx_arms_every_page_test_hmm_only_with_make_device_exclusive)
{
	struct svmx_version v = { .size = sizeof(v) };
	size_t len = 2UL << 20;
	int fd = svmx_open(), dm = dmirror_open(), ret, err;
	char *a = map_anon_aligned(len, len), *b = map_anon_aligned(len, len);
	void *buf = malloc(len);
	uint64_t pages = 0;

	ASSERT_TRUE(a && b && buf);
	ASSERT_OK(ioctl(fd, SVMX_IOC_VERSION, &v));
	ASSERT_OK(madvise(a, len, MADV_HUGEPAGE));
	ASSERT_OK(madvise(b, len, MADV_HUGEPAGE));
	memset(a, 1, len);
	memset(b, 1, len);
	ASSERT_EQ(anon_huge_kb(a), 2048);
	ASSERT_EQ(anon_huge_kb(b), 2048);
	ret = dmirror_exclusive(dm, a, len / PAGE, buf);
	err = errno;
	TH_LOG("test_hmm EXCLUSIVE on a THP: %d (%s)", ret,
	       ret ? strerror(err) : "ok");
	if (v.features & SVMX_FEAT_PTE_MAPPED_LARGE_FOLIOS) {
		ASSERT_OK(ret);
	} else {
		ASSERT_EQ(ret, -1);
		ASSERT_EQ(err, EBUSY);
	}
	ASSERT_OK(svmx_range_op(fd, SVMX_IOC_ARM, b, len, NULL, &pages));
	ASSERT_EQ(pages, len / PAGE);
}

TEST_HARNESS_MAIN
