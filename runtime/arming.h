/*
 * Arming SVM_ATOMICS allocations for exclusive device access through the
 * provider (provider.h), and what became of each: arms, revocations by
 * reason, re-arms.  Devices coherent with the host (llvmpipe, PoCL's CPU
 * device) need none and get none unless SVMX_ARM=always.
 */
#ifndef SVMX_ARMING_H
#define SVMX_ARMING_H

#include "allocation.h"
#include "cl.h"

#include <stdbool.h>
#include <stdio.h>
#include <svmx/svmx_ext.h>

/* Reads the settings; with SVMX_STATS=1 the statistics print at exit. */
void svmx_arming_init(void);

/* A provider exists and SVMX_ARM is not never. */
bool svmx_arming_active(void);

/* Kernels on device need their atomic ranges armed. */
bool svmx_arming_wanted(cl_device_id device);

/* Same, for the device of queue (no driver call when arming is off). */
bool svmx_arming_wanted_on_queue(cl_command_queue queue);

/* Start counting for a new allocation (SVM_ATOMICS ones; others are ignored). */
void svmx_arming_track(struct svmx_alloc *alloc);

/*
 * Arm [offset, offset + size) of alloc, rounded out to pages (size 0: the
 * whole allocation, skipped when it is still held).  0 or -errno.
 */
int svmx_arming_arm(struct svmx_alloc *alloc, size_t offset, size_t size);
int svmx_arming_disarm(struct svmx_alloc *alloc, size_t offset, size_t size);

/* The allocation's memory is about to go: give its pages back, stop counting. */
void svmx_arming_release(struct svmx_alloc *alloc);

/* The allocation's struct is about to go: free its record. */
void svmx_arming_forget(struct svmx_alloc *alloc);

/* The counts of alloc; false if it was not made with SVM_ATOMICS. */
bool svmx_arming_stats(struct svmx_alloc *alloc, cl_svm_arm_stats_svmx *stats);

/* What SVMX_STATS=1 prints: one line per SVM_ATOMICS allocation, then totals. */
void svmx_arming_print(FILE *out);

#endif
