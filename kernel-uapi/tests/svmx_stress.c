// SPDX-License-Identifier: GPL-2.0
/*
 * svmx stress: CPU threads write and atomically increment the same page
 * while the software device does at least 10^6 atomic adds on it through
 * its own mapping, taking the page back on every CPU revocation.  The final
 * counter must be exact, and revocations and device re-arms must have
 * happened.
 */
#include <pthread.h>
#include <stdatomic.h>
#include "svmx_lib.h"
#include "svmx_test.h"

#define CPU_THREADS 2
#define DEV_OPS 1000000ULL
#define DEV_CHUNK 1000ULL

struct shared {
	uint64_t *page;
	atomic_int done;
	uint64_t cpu_adds[CPU_THREADS];
};

struct cpu_arg {
	struct shared *s;
	int idx;
};

static void *cpu_thread(void *arg)
{
	struct cpu_arg *a = arg;
	uint64_t *page = a->s->page, n = 0;

	while (!atomic_load(&a->s->done) || n < 1000) {
		__atomic_fetch_add(&page[0], 1, __ATOMIC_SEQ_CST);	/* shared */
		page[16 + a->idx * 8] = ++n;				/* own slot */
		__atomic_fetch_add(&page[1], 2, __ATOMIC_RELAXED);
	}
	a->s->cpu_adds[a->idx] = n;
	return NULL;
}

TEST_TIMEOUT(cpu_threads_and_device_atomics_on_one_page_end_exact, 900)
{
	struct shared s = { 0 };
	struct cpu_arg args[CPU_THREADS];
	pthread_t th[CPU_THREADS];
	struct svmx_stats st;
	uint64_t done = 0, rearms = 0, cpu = 0, r;
	double t0;
	int fd = svmx_open(), i;

	ASSERT_GE(fd, 0);
	s.page = map_anon(PAGE);
	ASSERT_TRUE(s.page);
	ASSERT_OK(svmx_arm(fd, s.page, PAGE, NULL));
	t0 = svmx_now();
	for (i = 0; i < CPU_THREADS; i++) {
		args[i].s = &s;
		args[i].idx = i;
		ASSERT_EQ(pthread_create(&th[i], NULL, cpu_thread, &args[i]), 0);
	}
	while (done < DEV_OPS) {
		ASSERT_OK(svmx_dev_atomic(fd, s.page, SVMX_DEV_ADD, 8, 1, 0,
					  DEV_CHUNK, NULL, &r));
		done += DEV_CHUNK;
		rearms += r;
		/* and the 32-bit path on the second counter's low half */
		ASSERT_OK(svmx_dev_atomic(fd, &s.page[1], SVMX_DEV_ADD, 4, 2, 0, 1,
					  NULL, &r));
		rearms += r;
	}
	atomic_store(&s.done, 1);
	for (i = 0; i < CPU_THREADS; i++) {
		pthread_join(th[i], NULL);
		cpu += s.cpu_adds[i];
		ASSERT_EQ(s.page[16 + i * 8], s.cpu_adds[i]);
	}
	ASSERT_OK(svmx_stats(fd, &st));
	printf("# %.2f s: device %llu atomics, CPU %llu atomics, %llu CPU revocations, %llu device re-arms, %llu retries\n",
	       svmx_now() - t0, (unsigned long long)done,
	       (unsigned long long)cpu,
	       (unsigned long long)st.revoked[SVMX_REASON_CPU],
	       (unsigned long long)st.dev_rearms,
	       (unsigned long long)st.retries);
	ASSERT_EQ(s.page[0], DEV_OPS + cpu);
	ASSERT_EQ(s.page[1], 2 * cpu + 2 * (DEV_OPS / DEV_CHUNK));
	ASSERT_GT(st.revoked[SVMX_REASON_CPU], 0);
	ASSERT_GT(st.dev_rearms, 0);
	ASSERT_EQ(st.dev_rearms, rearms);
	ASSERT_EQ(st.busy, 0);
}

TEST_HARNESS_MAIN
