/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small test harness for svmx's guest tests, in the spirit of the kernel's
 * kselftest harness: TEST(name) { ... } registers a test; each test runs in
 * its own child process with a time limit; output is TAP.
 *
 *   ./svmx_tests            run every test
 *   ./svmx_tests a b        run the tests named a and b
 *   ./svmx_tests -l         list the tests
 */
#ifndef SVMX_TEST_H
#define SVMX_TEST_H

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct svmx_test {
	const char *name;
	void (*fn)(void);
	unsigned int timeout;
	struct svmx_test *next;
};

static struct svmx_test *svmx_tests_head, **svmx_tests_tail = &svmx_tests_head;

static inline void svmx_test_register(struct svmx_test *t)
{
	*svmx_tests_tail = t;
	svmx_tests_tail = &t->next;
}

#define TEST_TIMEOUT(name, secs)					\
	static void name(void);						\
	static struct svmx_test svmx_t_##name = { #name, name, secs, NULL }; \
	__attribute__((constructor)) static void svmx_reg_##name(void)	\
	{								\
		svmx_test_register(&svmx_t_##name);			\
	}								\
	static void name(void)

#define TEST(name) TEST_TIMEOUT(name, 60)

#define SVMX_FAIL(fmt, ...) do {					\
		fprintf(stderr, "#   %s:%d: " fmt "\n", __FILE__, __LINE__, \
			##__VA_ARGS__);					\
		fflush(stderr);						\
		_exit(1);						\
	} while (0)

/*
 * The kernel lacks what the test needs (kselftest's SKIP): the test is
 * reported "ok ... # SKIP" with the reason.  Only for a missing kernel
 * feature, never for a failure.
 */
#define SVMX_SKIP_EXIT 4
#define SVMX_SKIP(fmt, ...) do {					\
		printf("#   SKIP: " fmt "\n", ##__VA_ARGS__);		\
		fflush(stdout);						\
		_exit(SVMX_SKIP_EXIT);					\
	} while (0)

#define ASSERT_TRUE(c) do {						\
		if (!(c))						\
			SVMX_FAIL("expected %s", #c);			\
	} while (0)
#define ASSERT_FALSE(c) ASSERT_TRUE(!(c))

#define SVMX_ASSERT_CMP(a, op, b) do {					\
		long long _a = (long long)(a), _b = (long long)(b);	\
		if (!(_a op _b))					\
			SVMX_FAIL("expected %s %s %s: %lld vs %lld",	\
				  #a, #op, #b, _a, _b);			\
	} while (0)
#define ASSERT_EQ(a, b) SVMX_ASSERT_CMP(a, ==, b)
#define ASSERT_NE(a, b) SVMX_ASSERT_CMP(a, !=, b)
#define ASSERT_LT(a, b) SVMX_ASSERT_CMP(a, <, b)
#define ASSERT_LE(a, b) SVMX_ASSERT_CMP(a, <=, b)
#define ASSERT_GT(a, b) SVMX_ASSERT_CMP(a, >, b)
#define ASSERT_GE(a, b) SVMX_ASSERT_CMP(a, >=, b)

/* ret must be -1 with errno e (a syscall failing as expected). */
#define ASSERT_ERRNO(ret, e) do {					\
		long _r = (long)(ret);					\
		int _e = errno;						\
		if (_r != -1 || _e != (e))				\
			SVMX_FAIL("expected %s to fail with %s, got %ld (%s)", \
				  #ret, #e, _r, strerror(_e));		\
	} while (0)
/* ret must not be -1. */
#define ASSERT_OK(ret) do {						\
		long _r = (long)(ret);					\
		if (_r == -1)						\
			SVMX_FAIL("%s failed: %s", #ret, strerror(errno)); \
	} while (0)

#define TH_LOG(fmt, ...) \
	fprintf(stderr, "#   " fmt "\n", ##__VA_ARGS__)

static inline double svmx_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* 0: passed, 1: failed, SVMX_SKIP_EXIT: skipped. */
static inline int svmx_run_one(struct svmx_test *t, int idx)
{
	double t0 = svmx_now();
	int status = 0;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (pid == 0) {
		alarm(t->timeout);
		t->fn();
		fflush(NULL);
		_exit(0);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		printf("ok %d %s # %.2f s\n", idx, t->name, svmx_now() - t0);
		return 0;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == SVMX_SKIP_EXIT) {
		printf("ok %d %s # SKIP\n", idx, t->name);
		return SVMX_SKIP_EXIT;
	}
	if (WIFSIGNALED(status))
		printf("not ok %d %s # killed by signal %d%s\n", idx, t->name,
		       WTERMSIG(status),
		       WTERMSIG(status) == SIGALRM ? " (timeout)" : "");
	else
		printf("not ok %d %s\n", idx, t->name);
	return 1;
}

static inline int svmx_test_main(int argc, char **argv)
{
	struct svmx_test *t;
	int n = 0, idx = 0, failed = 0, skipped = 0, i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1 && !strcmp(argv[1], "-l")) {
		for (t = svmx_tests_head; t; t = t->next)
			printf("%s\n", t->name);
		return 0;
	}
	for (t = svmx_tests_head; t; t = t->next) {
		for (i = 1; i < argc && strcmp(argv[i], t->name); i++)
			;
		if (argc == 1 || i < argc)
			n++;
	}
	if (!n) {
		fprintf(stderr, "no such test\n");
		return 1;
	}
	printf("TAP version 13\n1..%d\n", n);
	for (t = svmx_tests_head; t; t = t->next) {
		for (i = 1; i < argc && strcmp(argv[i], t->name); i++)
			;
		if (argc > 1 && i == argc)
			continue;
		switch (svmx_run_one(t, ++idx)) {
		case 0:
			break;
		case SVMX_SKIP_EXIT:
			skipped++;
			break;
		default:
			failed++;
		}
	}
	printf("# %s: %d passed, %d skipped, %d failed\n", argv[0],
	       n - failed - skipped, skipped, failed);
	return failed ? 1 : 0;
}

#define TEST_HARNESS_MAIN \
	int main(int argc, char **argv) { return svmx_test_main(argc, argv); }

#endif /* SVMX_TEST_H */
