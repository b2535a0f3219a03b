// SPDX-License-Identifier: GPL-2.0
/*
 * A module that does something wrong on purpose, so that the harness's log
 * check can be shown to catch it.  mode is a comma-separated list of:
 * leak loses a kmalloc() (kmemleak must report it), warn fires a WARN_ON(),
 * uaf reads freed memory (KASAN must report it, on kernels built with it).
 * One boot with all of them costs one boot instead of three.
 */
#include <linux/bug.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

static char *mode = "leak";
module_param(mode, charp, 0444);
MODULE_PARM_DESC(mode, "comma-separated: leak, warn, uaf");

static void *svmx_selftest_ptr;
static int svmx_selftest_sink;
module_param_named(sink, svmx_selftest_sink, int, 0444);
MODULE_PARM_DESC(sink, "what mode=uaf read");

static bool svmx_selftest_wants(const char *what)
{
	size_t n = strlen(what);
	const char *p = mode;

	while (p && *p) {
		if (!strncmp(p, what, n) && (p[n] == ',' || !p[n]))
			return true;
		p = strchr(p, ',');
		if (p)
			p++;
	}
	return false;
}

static int __init svmx_harness_selftest_init(void)
{
	if (svmx_selftest_wants("warn"))
		WARN_ON(1);
	if (svmx_selftest_wants("uaf")) {
		char *p = kmalloc(64, GFP_KERNEL);

		if (!p)
			return -ENOMEM;
		kfree(p);
		svmx_selftest_sink = READ_ONCE(p[8]);	/* use after free */
	}
	if (svmx_selftest_wants("leak")) {
		/*
		 * Larger than any kmalloc cache (the page allocator serves
		 * it): on 7.3 a leaked small object stayed unreported, its
		 * pointer apparently still found in a per-CPU array of the
		 * slab allocator.
		 */
		svmx_selftest_ptr = kmalloc(16 * PAGE_SIZE, GFP_KERNEL);
		if (!svmx_selftest_ptr)
			return -ENOMEM;
		memset(svmx_selftest_ptr, 0x5a, 1024);
		WRITE_ONCE(svmx_selftest_ptr, NULL);	/* the only reference: leaked */
	}
	return 0;
}

static void __exit svmx_harness_selftest_exit(void)
{
}

module_init(svmx_harness_selftest_init);
module_exit(svmx_harness_selftest_exit);
MODULE_DESCRIPTION("svmx harness self-test: a deliberate leak, warning or use after free");
MODULE_LICENSE("GPL");
