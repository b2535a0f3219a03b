// SPDX-License-Identifier: GPL-2.0
/*
 * The layer runtime's exclusive-access provider against /dev/svmx, end to
 * end: discovery, the runtime's arming calls on its own allocations, the
 * module's revocation records, and the per-allocation counts that
 * SVMX_STATS prints and clGetSVMArmStatsSVMX returns.  Runs in the guest
 * with svmx.ko loaded (no OpenCL there: the runtime is linked in directly).
 */
#include "svmx_lib.h"
#include "svmx_test.h"

#include "allocation.h"
#include "arming.h"
#include "provider.h"

#include <sys/mman.h>

#define PAGE 4096UL
#define FINE_ATOMIC (CL_MEM_READ_WRITE | CL_MEM_SVM_FINE_GRAIN_BUFFER | CL_MEM_SVM_ATOMICS)

static struct svmx_alloc *atomic_alloc(size_t size, size_t alignment)
{
	struct svmx_alloc *a = svmx_alloc_create(NULL, FINE_ATOMIC, size, alignment);

	if (!a)
		SVMX_FAIL("svmx_alloc_create(%zu): %s", size, strerror(errno));
	memset(a->base, 0, a->map_size);
	return a;
}

static cl_svm_arm_stats_svmx stats_of(struct svmx_alloc *a)
{
	cl_svm_arm_stats_svmx st;

	if (!svmx_arming_stats(a, &st))
		SVMX_FAIL("no arming stats for %p", a->base);
	return st;
}

static long held(struct svmx_alloc *a)
{
	return svmx_held(svmx_provider()->fd, a->base, a->map_size);
}

TEST(provider_discovered_is_the_svmx_module)
{
	const struct svmx_provider *p = svmx_provider();

	ASSERT_EQ(p->kind, SVMX_PROVIDER_MODULE);
	ASSERT_EQ(strcmp(p->path, SVMX_DEVICE_PATH), 0);
	ASSERT_EQ(p->page_size, PAGE);
	ASSERT_TRUE(p->features & SVMX_FEAT_SOFT_DEVICE);
	ASSERT_TRUE(svmx_arming_active());
}

TEST(allocations_without_atomics_are_not_counted_or_armed)
{
	struct svmx_alloc *a = svmx_alloc_create(NULL, CL_MEM_SVM_FINE_GRAIN_BUFFER, PAGE, PAGE);
	cl_svm_arm_stats_svmx st;

	ASSERT_TRUE(a);
	ASSERT_FALSE(svmx_arming_stats(a, &st));
	ASSERT_OK(svmx_arming_arm(a, 0, 0));
	ASSERT_EQ(svmx_held(svmx_provider()->fd, a->base, PAGE), 0);
	svmx_alloc_put(a);
}

TEST(arm_holds_every_page_and_is_skipped_while_held)
{
	struct svmx_alloc *a = atomic_alloc(16 * PAGE, PAGE);
	cl_svm_arm_stats_svmx st;

	ASSERT_OK(svmx_arming_arm(a, 0, 0));
	ASSERT_EQ(held(a), 16);
	ASSERT_OK(svmx_arming_arm(a, 0, 0));
	st = stats_of(a);
	ASSERT_EQ(st.bytes, 16 * PAGE);
	ASSERT_EQ(st.arms, 1);	/* the second found it held */
	ASSERT_EQ(st.armed, 1);
	for (int i = 0; i < 16; i++)
		ASSERT_EQ(page_is_device_exclusive((char *)a->base + i * PAGE), 1);
	svmx_alloc_put(a);
}

TEST(cpu_touch_is_counted_as_cpu_revocation_and_rearmed_before_next_use)
{
	struct svmx_alloc *a = atomic_alloc(16 * PAGE, PAGE);
	volatile char *p = a->base;
	cl_svm_arm_stats_svmx st;

	ASSERT_OK(svmx_arming_arm(a, 0, 0));
	p[3 * PAGE] = 1;	/* faults page 3 back to the CPU */
	p[7 * PAGE + 5] = 2;
	st = stats_of(a);
	ASSERT_EQ(st.revoked[SVMX_REASON_CPU], 2);
	ASSERT_EQ(st.armed, 0);
	ASSERT_EQ(held(a), 14);
	/* What a kernel launch does next: arm again, the two pages come back. */
	ASSERT_OK(svmx_arming_arm(a, 0, 0));
	st = stats_of(a);
	ASSERT_EQ(st.arms, 2);
	ASSERT_EQ(st.rearms, 2);
	ASSERT_EQ(st.armed, 1);
	ASSERT_EQ(held(a), 16);
	ASSERT_EQ(p[3 * PAGE], 1);	/* data survives: and this revokes again */
	ASSERT_EQ(stats_of(a).revoked[SVMX_REASON_CPU], 3);
	svmx_alloc_put(a);
}

TEST(device_atomics_on_armed_pages_are_exact_and_visible_to_the_cpu)
{
	struct svmx_alloc *a = atomic_alloc(4 * PAGE, PAGE);
	uint64_t result = 0, rearms = 1;
	uint32_t *counter = (uint32_t *)((char *)a->base + PAGE + 64);

	ASSERT_OK(svmx_arming_arm(a, 0, 0));
	ASSERT_OK(svmx_dev_atomic(svmx_provider()->fd, counter, SVMX_DEV_ADD, 4, 1, 0, 1000,
				  &result, &rearms));
	ASSERT_EQ(rearms, 0);	/* armed ahead: the device took no fault */
	ASSERT_EQ(*counter, 1000);	/* the CPU read revokes page 1 */
	ASSERT_EQ(stats_of(a).revoked[SVMX_REASON_CPU], 1);
	svmx_alloc_put(a);
}

TEST(migrate_ranges_disarm_to_host_and_arm_to_device)
{
	struct svmx_alloc *a = atomic_alloc(8 * PAGE, PAGE);

	ASSERT_OK(svmx_arming_arm(a, 0, 0));
	/* clEnqueueSVMMigrateMem(..., CL_MIGRATE_MEM_OBJECT_HOST) of bytes 4100..8300 */
	ASSERT_OK(svmx_arming_disarm(a, PAGE + 4, 4200));
	ASSERT_EQ(held(a), 6);	/* pages 1 and 2 given back */
	ASSERT_EQ(stats_of(a).armed, 0);
	ASSERT_EQ(stats_of(a).revoked[SVMX_REASON_CPU], 0);	/* not a revocation */
	/* ...and back to the device */
	ASSERT_OK(svmx_arming_arm(a, PAGE + 4, 4200));
	ASSERT_EQ(held(a), 8);
	ASSERT_EQ(stats_of(a).arms, 2);
	ASSERT_EQ(stats_of(a).rearms, 0);
	svmx_alloc_put(a);
}

TEST(fork_and_mprotect_revocations_are_counted_by_reason)
{
	struct svmx_alloc *a = atomic_alloc(4 * PAGE, PAGE);
	cl_svm_arm_stats_svmx st;
	pid_t pid;

	ASSERT_OK(svmx_arming_arm(a, 0, 0));
	pid = fork();
	if (pid == 0)
		_exit(0);
	ASSERT_GT(pid, 0);
	ASSERT_EQ(waitpid(pid, NULL, 0), pid);
	st = stats_of(a);
	ASSERT_EQ(st.revoked[SVMX_REASON_FORK], 4);
	ASSERT_OK(svmx_arming_arm(a, 0, 0));
	ASSERT_OK(mprotect(a->base, PAGE, PROT_READ));
	st = stats_of(a);
	ASSERT_EQ(st.revoked[SVMX_REASON_MPROTECT], 1);
	ASSERT_EQ(st.rearms, 4);
	ASSERT_OK(mprotect(a->base, PAGE, PROT_READ | PROT_WRITE));
	svmx_alloc_put(a);
}

TEST(free_gives_pages_back_without_a_munmap_revocation)
{
	struct svmx_alloc *a = atomic_alloc(4 * PAGE, PAGE);
	struct svmx_stats before, after;
	cl_svm_arm_stats_svmx st;

	ASSERT_OK(svmx_arming_arm(a, 0, 0));
	ASSERT_OK(svmx_provider_stats(svmx_provider(), &before));
	svmx_alloc_get(a);
	svmx_alloc_release_memory(a);	/* what clSVMFree does */
	ASSERT_OK(svmx_provider_stats(svmx_provider(), &after));
	ASSERT_EQ(after.disarmed - before.disarmed, 4);
	ASSERT_EQ(after.revoked[SVMX_REASON_MUNMAP], 0);
	st = stats_of(a);
	ASSERT_EQ(st.revoked[SVMX_REASON_MUNMAP], 0);
	ASSERT_EQ(st.arms, 1);
	svmx_alloc_put(a);
	svmx_alloc_put(a);
}

TEST_TIMEOUT(pte_mapped_large_folio_is_split_by_the_runtime_and_armed, 120)
{
	size_t len = 2UL << 20;
	struct svmx_alloc *a = svmx_alloc_create(NULL, FINE_ATOMIC, len, len);
	struct svmx_stats st;
	char *p;

	ASSERT_TRUE(a);
	p = a->base;
	ASSERT_OK(madvise(p, len, MADV_HUGEPAGE));
	memset(p, 0x5a, len);
	if (anon_huge_kb(p) != 2048) {
		TH_LOG("no THP for the allocation (%ld kB): nothing to split", anon_huge_kb(p));
		svmx_alloc_put(a);
		return;
	}
	/* Split the PMD mapping, not the folio: PTE-mapped large folio. */
	ASSERT_OK(mprotect(p, len / 2, PROT_READ));
	ASSERT_OK(mprotect(p, len / 2, PROT_READ | PROT_WRITE));
	ASSERT_OK(svmx_arming_arm(a, 0, 0));
	ASSERT_EQ(held(a), 512);
	ASSERT_OK(svmx_provider_stats(svmx_provider(), &st));
	TH_LOG("module gave up with -EBUSY %llu times before the runtime split",
	       (unsigned long long)st.busy);
	ASSERT_EQ(stats_of(a).arms, 1);
	for (size_t i = 0; i < len; i += 4093)
		ASSERT_EQ(p[i], 0x5a);
	svmx_alloc_put(a);
}

/* The alloc line of SVMX_STATS output for base, parsed. */
static int parse_line(const char *text, uintptr_t base, cl_svm_arm_stats_svmx *st)
{
	char want[64];
	const char *line;
	unsigned long long v[SVMX_REASON_OTHER + 3];
	size_t bytes;

	snprintf(want, sizeof(want), "svmx stats: alloc %#lx ", (unsigned long)base);
	line = strstr(text, want);
	if (!line || sscanf(line + strlen(want),
			    "bytes %zu arms %llu revoked cpu=%llu fork=%llu mprotect=%llu "
			    "munmap=%llu owner=%llu exit=%llu other=%llu rearms %llu",
			    &bytes, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7],
			    &v[8]) != 10)
		return -1;
	memset(st, 0, sizeof(*st));
	st->bytes = bytes;
	st->arms = v[0];
	for (int r = SVMX_REASON_CPU; r <= SVMX_REASON_OTHER; r++)
		st->revoked[r] = v[r];
	st->rearms = v[8];
	return 0;
}

TEST(stats_printout_matches_the_query)
{
	struct svmx_alloc *a = atomic_alloc(8 * PAGE, PAGE);
	cl_svm_arm_stats_svmx q, printed;
	volatile char *p = a->base;
	char *text = NULL;
	size_t size = 0;
	FILE *f;

	ASSERT_OK(svmx_arming_arm(a, 0, 0));
	p[0] = 1;
	p[5 * PAGE] = 1;
	ASSERT_OK(svmx_arming_arm(a, 0, 0));
	ASSERT_OK(mprotect(a->base, PAGE, PROT_READ));
	f = open_memstream(&text, &size);
	ASSERT_TRUE(f);
	svmx_arming_print(f);
	fclose(f);
	printf("%s", text);
	q = stats_of(a);
	ASSERT_OK(parse_line(text, (uintptr_t)a->base, &printed));
	ASSERT_EQ(printed.bytes, q.bytes);
	ASSERT_EQ(printed.arms, q.arms);
	ASSERT_EQ(printed.arms, 2);
	ASSERT_EQ(printed.rearms, q.rearms);
	ASSERT_EQ(printed.rearms, 2);
	for (int r = SVMX_REASON_CPU; r <= SVMX_REASON_OTHER; r++)
		ASSERT_EQ(printed.revoked[r], q.revoked[r]);
	ASSERT_EQ(printed.revoked[SVMX_REASON_CPU], 2);
	ASSERT_EQ(printed.revoked[SVMX_REASON_MPROTECT], 1);
	ASSERT_TRUE(strstr(text, "provider svmx module at /dev/svmx"));
	free(text);
	ASSERT_OK(mprotect(a->base, PAGE, PROT_READ | PROT_WRITE));
	svmx_alloc_put(a);
}

TEST_HARNESS_MAIN
