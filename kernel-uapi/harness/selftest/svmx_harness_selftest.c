// SPDX-License-Identifier: GPL-2.0
/*
 * A module that does something wrong on purpose, so that the harness's log
 * check can be shown to catch it: mode=leak loses a kmalloc() (kmemleak
 * must report it), mode=warn fires a WARN_ON(), mode=uaf reads freed memory
 * (KASAN must report it, on kernels built with it).
 */
#include <linux/bug.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

static char *mode = "leak";
module_param(mode, charp, 0444);
MODULE_PARM_DESC(mode, "leak, warn or uaf");

static void *svmx_selftest_ptr;
static int svmx_selftest_sink;
module_param_named(sink, svmx_selftest_sink, int, 0444);
MODULE_PARM_DESC(sink, "what mode=uaf read");

static int __init svmx_harness_selftest_init(void)
{
	if (!strcmp(mode, "warn")) {
		WARN_ON(1);
		return 0;
	}
	if (!strcmp(mode, "uaf")) {
		char *p = kmalloc(64, GFP_KERNEL);

		if (!p)
			return -ENOMEM;
		kfree(p);
		svmx_selftest_sink = READ_ONCE(p[8]);	/* use after free */
		return 0;
	}
	/*
	 * Larger than any kmalloc cache (the page allocator serves it): on
	 * 7.3 a leaked small object stayed unreported, its pointer
	 * apparently still found in a per-CPU array of the slab allocator.
	 */
	svmx_selftest_ptr = kmalloc(16 * PAGE_SIZE, GFP_KERNEL);
	if (!svmx_selftest_ptr)
		return -ENOMEM;
	memset(svmx_selftest_ptr, 0x5a, 1024);
	WRITE_ONCE(svmx_selftest_ptr, NULL);	/* the only reference: leaked */
	return 0;
}

static void __exit svmx_harness_selftest_exit(void)
{
}

module_init(svmx_harness_selftest_init);
module_exit(svmx_harness_selftest_exit);
MODULE_DESCRIPTION("svmx harness self-test: a deliberate leak or warning");
MODULE_LICENSE("GPL");
