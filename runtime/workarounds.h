/*
 * Every driver workaround svmx has, in one table (workarounds.c): what it
 * fixes, and the probe or driver version that decides where it applies.
 * A device's record holds the set that applies to it; code that works
 * around something asks for its bit and does nothing elsewhere.
 */
#ifndef SVMX_WORKAROUNDS_H
#define SVMX_WORKAROUNDS_H

#include <stdbool.h>

struct svmx_device;

enum svmx_workaround {
	SVMX_WA_PROVIDE_SVM,		/* svmx's own SVM allocations */
	SVMX_WA_SVM_ATOMICS,		/* report SVM atomics, orders, scopes */
	SVMX_WA_SCOPE_FEATURE,		/* define a claimed scope feature */
	SVMX_WA_ALL_DEVICES_SCOPE,	/* all-devices scope compiled as device */
	SVMX_WA_SEQ_CST_STORE,		/* seq_cst store as an exchange */
	SVMX_WA_FENCE,			/* fence as a locked add to a host word */
	SVMX_WA_FINISH_AFTER_FLUSH,	/* clFinish also waits for flushed work */
	SVMX_WA_FINISH_STATUS,		/* clFinish's status outside the spec's */
	SVMX_WA_FAILED_WAIT_LIST,	/* non-blocking command, failed wait list */
	SVMX_WA_EXEC_INFO_RESET,	/* answer the SVM_PTRS reset (0, NULL) */
	SVMX_WA_SYSTEM_SVM,		/* host pointers as zero-copy buffers */
	SVMX_WA_INT64_ATOMICS,		/* 64-bit atomics the compiler was not told of */
	SVMX_WA_COUNT
};

/* The set of workarounds that apply to dev (bit n: enum value n). */
unsigned svmx_workarounds_for(const struct svmx_device *dev);

/* Complain on stderr about names in SVMX_WORKAROUNDS_OFF that are none. */
void svmx_workarounds_check_names(void);

/* The workaround's name as SVMX_WORKAROUNDS_OFF and the logs spell it. */
const char *svmx_workaround_name(enum svmx_workaround w);

static inline bool svmx_wa(unsigned set, enum svmx_workaround w)
{
	return set & (1u << w);
}

#endif
