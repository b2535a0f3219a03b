// SPDX-License-Identifier: GPL-2.0
/*
 * svmx benchmark, run once inside the test guest:
 *   - ARM cost per page for 1, 64 and 4096 pages, and for a 2 MiB THP;
 *   - the fixed cost of an ARM call: one page already held (nothing to do),
 *     and one page the CPU has just taken back (the device's atomic fault);
 *   - the CPU-fault revoke round trip (a write to an armed page) against a
 *     plain minor fault (first write to an untouched anonymous page), same
 *     guest, same sizes;
 *   - device <-> CPU ping-pong round trips per second (device atomic on a
 *     revoked page = re-arm, then a CPU write = revoke), in one thread and
 *     between a "device" thread and a "CPU" thread;
 *   - the best userspace hand-over between two threads for comparison: the
 *     page is mapped twice (a tmpfs file); the "device" thread revokes the
 *     CPU's mapping with mprotect(PROT_NONE) and adds through its own
 *     mapping, the "CPU" thread's write faults (SIGSEGV), its handler gives
 *     the mapping back with mprotect(PROT_READ | PROT_WRITE).
 * Prints "SVMX-BENCH key value" lines and medians of several repetitions.
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include "svmx_lib.h"
#include "svmx_test.h"

#define REPS 9

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

static int fd;

/* ns per page to arm npages already faulted-in pages. */
static double arm_ns_per_page(size_t npages)
{
	char *p = map_anon(npages * PAGE);
	double v[REPS], t0;
	int r;

	if (!p)
		SVMX_FAIL("mmap");
	madvise(p, npages * PAGE, MADV_NOHUGEPAGE);
	memset(p, 1, npages * PAGE);
	for (r = 0; r < REPS; r++) {
		t0 = svmx_now();
		if (svmx_arm(fd, p, npages * PAGE, NULL))
			SVMX_FAIL("arm: %s", strerror(errno));
		v[r] = (svmx_now() - t0) * 1e9 / npages;
		if (svmx_disarm(fd, p, npages * PAGE, NULL))
			SVMX_FAIL("disarm: %s", strerror(errno));
	}
	munmap(p, npages * PAGE);
	return median(v, REPS);
}

/* ns per page to arm a fresh 2 MiB THP (split included). */
static double arm_thp_ns_per_page(void)
{
	size_t len = 2UL << 20;
	double v[REPS], t0;
	int r;

	for (r = 0; r < REPS; r++) {
		char *p = map_anon_aligned(len, len);

		if (!p || madvise(p, len, MADV_HUGEPAGE))
			SVMX_FAIL("THP mapping: %s", strerror(errno));
		memset(p, 1, len);
		if (anon_huge_kb(p) != 2048)
			SVMX_FAIL("no THP (AnonHugePages %ld kB)", anon_huge_kb(p));
		t0 = svmx_now();
		if (svmx_arm(fd, p, len, NULL))
			SVMX_FAIL("arm: %s", strerror(errno));
		v[r] = (svmx_now() - t0) * 1e9 / (len / PAGE);
		munmap(p, len);
	}
	return median(v, REPS);
}

/*
 * ns for an ARM of one page: already held (held != 0: the fixed cost of the
 * call), or just taken back by a CPU write (the device's atomic fault; the
 * table holds nothing else).
 */
static double arm_one_ns(int held)
{
	volatile char *p = map_anon(PAGE);
	struct svmx_event ev[16];
	double v[REPS], t0;
	int r;

	if (!p)
		SVMX_FAIL("mmap");
	p[0] = 1;
	for (r = 0; r < REPS; r++) {
		if (svmx_arm(fd, (void *)p, PAGE, NULL))
			SVMX_FAIL("arm: %s", strerror(errno));
		if (!held)
			p[0] = 2;
		t0 = svmx_now();
		if (svmx_arm(fd, (void *)p, PAGE, NULL))
			SVMX_FAIL("arm: %s", strerror(errno));
		v[r] = (svmx_now() - t0) * 1e9;
		if (svmx_disarm(fd, (void *)p, PAGE, NULL))
			SVMX_FAIL("disarm: %s", strerror(errno));
		while (svmx_read_events(fd, ev, 16) > 0)
			;
	}
	munmap((void *)p, PAGE);
	return median(v, REPS);
}

/* ns per page of a first write to untouched anonymous pages. */
static double minor_fault_ns(size_t npages)
{
	double v[REPS], t0;
	size_t i;
	int r;

	for (r = 0; r < REPS; r++) {
		volatile char *p = map_anon(npages * PAGE);

		if (!p)
			SVMX_FAIL("mmap");
		madvise((void *)p, npages * PAGE, MADV_NOHUGEPAGE);
		t0 = svmx_now();
		for (i = 0; i < npages; i++)
			p[i * PAGE] = 1;
		v[r] = (svmx_now() - t0) * 1e9 / npages;
		munmap((void *)p, npages * PAGE);
	}
	return median(v, REPS);
}

/* ns per page of a CPU write to an armed page (fault + revoke + event). */
static double revoke_ns(size_t npages)
{
	volatile char *p = map_anon(npages * PAGE);
	struct svmx_event ev[256];
	double v[REPS], t0;
	size_t i;
	int r;

	if (!p)
		SVMX_FAIL("mmap");
	madvise((void *)p, npages * PAGE, MADV_NOHUGEPAGE);
	memset((void *)p, 1, npages * PAGE);
	for (r = 0; r < REPS; r++) {
		if (svmx_arm(fd, (void *)p, npages * PAGE, NULL))
			SVMX_FAIL("arm: %s", strerror(errno));
		t0 = svmx_now();
		for (i = 0; i < npages; i++)
			p[i * PAGE] = 2;
		v[r] = (svmx_now() - t0) * 1e9 / npages;
		if (svmx_held(fd, (void *)p, npages * PAGE) != 0)
			SVMX_FAIL("pages still held after CPU writes");
		while (svmx_read_events(fd, ev, 256) > 0)
			;
	}
	munmap((void *)p, npages * PAGE);
	return median(v, REPS);
}

/* Round trips per second: device atomic (re-arm) then CPU write (revoke). */
static double pingpong_per_s(void)
{
	volatile uint64_t *p = map_anon(PAGE);
	struct svmx_event ev[256];
	double v[REPS], t0;
	int r, i, n = 2000;

	for (r = 0; r < REPS; r++) {
		t0 = svmx_now();
		for (i = 0; i < n; i++) {
			if (svmx_dev_atomic(fd, (void *)p, SVMX_DEV_ADD, 8, 1, 0,
					    1, NULL, NULL))
				SVMX_FAIL("dev atomic: %s", strerror(errno));
			p[1]++;
		}
		v[r] = n / (svmx_now() - t0);
		while (svmx_read_events(fd, ev, 256) > 0)
			;
	}
	if (p[0] != (uint64_t)n * REPS || p[1] != (uint64_t)n * REPS)
		SVMX_FAIL("ping-pong counters wrong: %llu %llu",
			  (unsigned long long)p[0], (unsigned long long)p[1]);
	return median(v, REPS);
}

/*
 * Two-thread ping-pong: the device side runs dev_turn(), then passes the
 * turn; the CPU side writes the CPU's view of the page, then passes it back.
 */
struct pp {
	atomic_int turn;		/* 0: device's, 1: CPU's, 2: stop */
	int n;
	volatile uint64_t *cpu;		/* the CPU's mapping */
	volatile uint64_t *dev;		/* the userspace "device" mapping */
	int mode;			/* 0 svmx, 1 mprotect + SIGSEGV */
	int err;
};

static struct pp *pp_cur;

static void pp_segv(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	if (!pp_cur || (char *)si->si_addr < (char *)pp_cur->cpu ||
	    (char *)si->si_addr >= (char *)pp_cur->cpu + PAGE)
		abort();
	/* The CPU takes the page back; the faulting write is retried. */
	mprotect((void *)pp_cur->cpu, PAGE, PROT_READ | PROT_WRITE);
}

static void *pp_device(void *arg)
{
	struct pp *pp = arg;
	int i;

	for (i = 0; i < pp->n; i++) {
		while (atomic_load_explicit(&pp->turn, memory_order_acquire) != 0)
			;
		if (pp->mode == 0) {
			if (svmx_dev_atomic(fd, (void *)pp->cpu, SVMX_DEV_ADD, 8,
					    1, 0, 1, NULL, NULL))
				pp->err = errno;
		} else {
			mprotect((void *)pp->cpu, PAGE, PROT_NONE);
			__atomic_fetch_add(pp->dev, 1, __ATOMIC_SEQ_CST);
		}
		atomic_store_explicit(&pp->turn, 1, memory_order_release);
	}
	return NULL;
}

/* Round trips per second between a device thread and a CPU thread. */
static double pingpong2_per_s(int mode)
{
	struct sigaction sa = { .sa_sigaction = pp_segv, .sa_flags = SA_SIGINFO };
	struct svmx_event ev[256];
	double v[REPS], t0;
	struct pp pp = { .n = 1000, .mode = mode };
	uint64_t expect = 0;
	pthread_t th;
	int r, i, tfd = -1;

	if (mode == 0) {
		pp.cpu = map_anon(PAGE);
		pp.dev = pp.cpu;
	} else {
		tfd = open("/tmp/svmx-bench-page", O_RDWR | O_CREAT | O_TRUNC, 0600);
		if (tfd < 0 || ftruncate(tfd, PAGE))
			SVMX_FAIL("tmpfs page: %s", strerror(errno));
		pp.cpu = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, tfd, 0);
		pp.dev = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, tfd, 0);
		if (pp.cpu == MAP_FAILED || pp.dev == MAP_FAILED)
			SVMX_FAIL("mmap: %s", strerror(errno));
		pp_cur = &pp;
		sigaction(SIGSEGV, &sa, NULL);
	}
	pp.cpu[0] = 0;
	pp.cpu[1] = 0;
	for (r = 0; r < REPS; r++) {
		atomic_store(&pp.turn, 0);
		if (pthread_create(&th, NULL, pp_device, &pp))
			SVMX_FAIL("pthread_create");
		t0 = svmx_now();
		for (i = 0; i < pp.n; i++) {
			while (atomic_load_explicit(&pp.turn, memory_order_acquire) != 1)
				;
			pp.cpu[1]++;
			atomic_store_explicit(&pp.turn, 0, memory_order_release);
		}
		pthread_join(th, NULL);
		v[r] = pp.n / (svmx_now() - t0);
		expect += pp.n;
		if (mode == 0)
			while (svmx_read_events(fd, ev, 256) > 0)
				;
	}
	if (pp.err)
		SVMX_FAIL("dev atomic: %s", strerror(pp.err));
	if (pp.cpu[0] != expect || pp.cpu[1] != expect)
		SVMX_FAIL("two-thread ping-pong counters wrong: %llu %llu",
			  (unsigned long long)pp.cpu[0],
			  (unsigned long long)pp.cpu[1]);
	if (mode == 1) {
		signal(SIGSEGV, SIG_DFL);
		pp_cur = NULL;
		close(tfd);
		unlink("/tmp/svmx-bench-page");
	}
	return median(v, REPS);
}

TEST_TIMEOUT(benchmark, 600)
{
	static const size_t sizes[] = { 1, 64, 4096 };
	double minor, rev, pp2, user;
	unsigned int i;

	fd = svmx_open();
	ASSERT_GE(fd, 0);
	for (i = 0; i < 3; i++)
		printf("SVMX-BENCH arm_ns_per_page_%zu %.0f\n", sizes[i],
		       arm_ns_per_page(sizes[i]));
	printf("SVMX-BENCH arm_ns_per_page_thp_512 %.0f\n", arm_thp_ns_per_page());
	printf("SVMX-BENCH arm_held_page_ns %.0f\n", arm_one_ns(1));
	printf("SVMX-BENCH arm_after_cpu_revoke_ns %.0f\n", arm_one_ns(0));
	minor = minor_fault_ns(4096);
	rev = revoke_ns(4096);
	printf("SVMX-BENCH minor_fault_ns %.0f\n", minor);
	printf("SVMX-BENCH revoke_round_trip_ns %.0f\n", rev);
	printf("SVMX-BENCH revoke_over_minor_fault %.2f\n", rev / minor);
	printf("SVMX-BENCH pingpong_round_trips_per_s %.0f\n", pingpong_per_s());
	pp2 = pingpong2_per_s(0);
	user = pingpong2_per_s(1);
	printf("SVMX-BENCH pingpong_two_threads_per_s %.0f\n", pp2);
	printf("SVMX-BENCH userspace_mprotect_segv_two_threads_per_s %.0f\n", user);
	printf("SVMX-BENCH pingpong_two_threads_over_userspace %.2f\n", pp2 / user);
}

TEST_HARNESS_MAIN
