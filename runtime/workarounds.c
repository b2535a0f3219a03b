#include "workarounds.h"

#include "device.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Mesa versions as major * 100 + minor: 22.3 is 2203. */
#define MESA(major, minor) ((major) * 100 + (minor))

struct workaround {
	const char *name;
	bool (*applies)(const struct svmx_device *dev);
};

/*
 * A CPU device sharing the host's memory (rusticl on llvmpipe) whose own
 * SVM allocations cannot be used: rusticl before 23.2 has none, and the
 * native SVM of rusticl 25.0.7 and 26.2.6 aborts the process on bad inputs
 * (a Rust panic, "remainder with a divisor of zero", in api/memory.rs for
 * a fill), crashes on a second clSVMFree, accepts invalid flags and
 * alignments and unchecked copy ranges (conformance/bad_inputs.c,
 * svm_alloc.c).  svmx maps the memory and hands the driver zero-copy
 * buffers over it; pointers outside svmx's allocations still go to the
 * driver where it has fine-grain system SVM.
 */
static bool provide_svm(const struct svmx_device *dev)
{
	return dev->host_coherent && !(dev->native_svm & CL_DEVICE_SVM_ATOMICS) &&
	       (!(dev->native_svm & CL_DEVICE_SVM_FINE_GRAIN_BUFFER) ||
		dev->mesa_version >= MESA(23, 2));
}

/*
 * A host-coherent device without SVM atomics: every rusticl from 22.3 to
 * 26.2.  Its kernels run on host cores over host memory, so its atomic
 * instructions are the host's own and order against host threads at every
 * scope; svmx reports the atomics, orders and scopes that gives.
 */
static bool svm_atomics(const struct svmx_device *dev)
{
	return dev->host_coherent && !(dev->native_svm & CL_DEVICE_SVM_ATOMICS) &&
	       (provide_svm(dev) || (dev->native_svm & CL_DEVICE_SVM_FINE_GRAIN_BUFFER));
}

/*
 * svmx provides SVM on a device without fine-grain system SVM of its own
 * (rusticl before 23.2; 22.3 here).  Its CL_MEM_USE_HOST_PTR buffers are
 * zero-copy at any address, and kernels reach memory past a buffer's end
 * unchecked (measured on 22.3.6, 25.0.7 and 26.2.6: a one-byte buffer at
 * malloc + 3 gave the kernel that very pointer, and its writes 5000 bytes
 * further landed in the host's memory).  So svmx reports fine-grain system
 * SVM and hands a kernel any host pointer as a one-byte buffer there.
 */
static bool system_svm(const struct svmx_device *dev)
{
	return provide_svm(dev) && !(dev->native_svm & CL_DEVICE_SVM_FINE_GRAIN_SYSTEM);
}

/*
 * Native SVM atomics, all-devices scope claimed, but the compiler neither
 * lists nor defines __opencl_c_atomic_scope_all_devices (PoCL 3.1), so the
 * claimed scope does not compile in OpenCL C 3.0.
 */
static bool scope_feature(const struct svmx_device *dev)
{
	return (dev->native_svm & CL_DEVICE_SVM_ATOMICS) &&
	       (dev->native_atomic_memory & CL_DEVICE_ATOMIC_SCOPE_ALL_DEVICES) &&
	       !svmx_device_has_feature(dev, "__opencl_c_atomic_scope_all_devices");
}

/*
 * svmx supplies the all-devices scope the driver lacks.  rusticl 22.3 and
 * 25.0 abort the process on all-devices atomics, fences and barriers (Rust
 * panics in program.rs), 26.2 fails the build.  On a host-coherent device
 * the device-scope instructions are the all-devices ones, so builds compile
 * that scope as device scope.
 */
static bool all_devices_scope(const struct svmx_device *dev)
{
	return svm_atomics(dev) &&
	       !(dev->native_atomic_memory & CL_DEVICE_ATOMIC_SCOPE_ALL_DEVICES);
}

/*
 * llvmpipe compiled an atomic store as a plain store, and before 25 a fence
 * as no instruction: a seq_cst store or fence then let a later load pass an
 * earlier store.  Measured with conformance/seq_cst_ordering.c and
 * SVMX_WORKAROUNDS_OFF: seq_cst stores fail on rusticl 22.3.6 (9 forbidden
 * outcomes in 4103 rounds) and 25.0.7 (22 in 31200, where the control saw
 * 8) and hold on 26.2.6; fences failed once on 22.3.6 and hold on 25.0.7
 * and 26.2.6.  Versions in between are unmeasured and keep the rewrite,
 * which is correct everywhere, only slower.
 */
static bool seq_cst_store(const struct svmx_device *dev)
{
	return svm_atomics(dev) && dev->mesa_version >= MESA(22, 3) &&
	       dev->mesa_version < MESA(26, 2);
}

static bool fence(const struct svmx_device *dev)
{
	return svm_atomics(dev) && dev->mesa_version >= MESA(22, 3) &&
	       dev->mesa_version < MESA(25, 0);
}

/*
 * rusticl 22.3's clFinish waits only for commands enqueued since the last
 * flush (conformance/svm_commands.c finish_waits_for_flushed_commands).
 * Measured fixed in 25.0.7 and 26.2.6.  The fix lives in svmx's own
 * queues, which exist where svmx provides SVM.
 */
static bool finish_after_flush(const struct svmx_device *dev)
{
	return provide_svm(dev) && dev->mesa_version && dev->mesa_version < MESA(23, 0);
}

/*
 * rusticl 25.0.7's clFinish returns CL_DEVICE_NOT_FOUND once a command of
 * the queue failed by its wait list (conformance/bad_inputs.c
 * finish_after_a_failed_command); the specification allows clFinish only
 * CL_INVALID_COMMAND_QUEUE and out-of-memory errors.  Probed at the call:
 * only a status outside those becomes CL_SUCCESS, on svmx's own queues.
 */
static bool finish_status(const struct svmx_device *dev)
{
	return provide_svm(dev);
}

/*
 * rusticl 26.2 refuses a non-blocking command whose wait list holds a failed
 * event (CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST; bad_inputs
 * finish_after_a_failed_command); the specification fails the command by its
 * event.  Probed at the call: only that status of a non-blocking command
 * becomes a failed event, on svmx's own queues.
 */
static bool failed_wait_list(const struct svmx_device *dev)
{
	return provide_svm(dev);
}

/*
 * rusticl 25.0 rejects clSetKernelExecInfo(SVM_PTRS, 0, NULL), the reset the
 * specification allows (26.2 accepts it).  On a host-coherent device the
 * list changes what the kernel may reach in nothing, so where the driver
 * refuses the reset svmx answers it.  Probed at the call: only a rejection
 * of exactly that reset is answered.
 */
static bool exec_info_reset(const struct svmx_device *dev)
{
	return dev->host_coherent && (dev->native_svm & CL_DEVICE_SVM_FINE_GRAIN_BUFFER);
}

/*
 * llvmpipe runs 64-bit atomics as the host's own locked instructions, but
 * rusticl tells clang neither cl_khr_int64_base_atomics nor
 * cl_khr_int64_extended_atomics (no version from 22.3 to 26.2 does), so
 * atomic_long and its functions do not compile.  Through the build options
 * (build_options.c) the calls reach the driver as the 64-bit builtins clang
 * would have made: on x86-64 a counter that host threads and a kernel add
 * 0x80000001 to at once (the low half carries every other add) ended exact
 * on 22.3.6, 25.0.7 and 26.2.6 (plain adds in the kernel lost 9 M of 28 M
 * on 22.3.6), and a lock-free stack of SVM pointers pushed and popped by
 * both sides kept every node (conformance/int64_atomics.c); atomic_double
 * too where the device has cl_khr_fp64 (25.0.7 and 26.2.6 with
 * RUSTICL_FEATURES=fp64).  Other architectures are unmeasured.
 */
static bool int64_atomics(const struct svmx_device *dev)
{
#if defined(__x86_64__)
	return svm_atomics(dev) && dev->mesa_version >= MESA(22, 3) &&
	       !svmx_device_has_extension(dev, "cl_khr_int64_base_atomics") &&
	       !svmx_device_has_extension(dev, "cl_khr_int64_extended_atomics");
#else
	(void)dev;
	return false;
#endif
}

static const struct workaround table[SVMX_WA_COUNT] = {
	[SVMX_WA_PROVIDE_SVM] = { "provide_svm", provide_svm },
	[SVMX_WA_SVM_ATOMICS] = { "svm_atomics", svm_atomics },
	[SVMX_WA_SCOPE_FEATURE] = { "scope_feature", scope_feature },
	[SVMX_WA_ALL_DEVICES_SCOPE] = { "all_devices_scope", all_devices_scope },
	[SVMX_WA_SEQ_CST_STORE] = { "seq_cst_store", seq_cst_store },
	[SVMX_WA_FENCE] = { "fence", fence },
	[SVMX_WA_FINISH_AFTER_FLUSH] = { "finish_after_flush", finish_after_flush },
	[SVMX_WA_FINISH_STATUS] = { "finish_status", finish_status },
	[SVMX_WA_FAILED_WAIT_LIST] = { "failed_wait_list", failed_wait_list },
	[SVMX_WA_EXEC_INFO_RESET] = { "exec_info_reset", exec_info_reset },
	[SVMX_WA_SYSTEM_SVM] = { "system_svm", system_svm },
	[SVMX_WA_INT64_ATOMICS] = { "int64_atomics", int64_atomics },
};

const char *svmx_workaround_name(enum svmx_workaround w)
{
	return w < SVMX_WA_COUNT ? table[w].name : "?";
}

/* SVMX_WORKAROUNDS_OFF: names, comma-separated, turned off everywhere. */
static bool turned_off(enum svmx_workaround w)
{
	const char *off = svmx_settings()->workarounds_off;
	size_t n = strlen(table[w].name);

	for (const char *p = off; p && *p; p += strcspn(p, ",")) {
		p += *p == ',';
		if (strncmp(p, table[w].name, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return true;
	}
	return false;
}

unsigned svmx_workarounds_for(const struct svmx_device *dev)
{
	unsigned set = 0;

	for (int w = 0; w < SVMX_WA_COUNT; w++)
		if (table[w].applies(dev) && !turned_off(w))
			set |= 1u << w;
	return set;
}

void svmx_workarounds_check_names(void)
{
	const char *off = svmx_settings()->workarounds_off;

	for (const char *p = off; p && *p; p += strcspn(p, ",")) {
		size_t n;
		int w;

		p += *p == ',';
		n = strcspn(p, ",");
		for (w = 0; w < SVMX_WA_COUNT; w++)
			if (strlen(table[w].name) == n && strncmp(p, table[w].name, n) == 0)
				break;
		if (n && w == SVMX_WA_COUNT)
			fprintf(stderr, "svmx: SVMX_WORKAROUNDS_OFF names %.*s, which is not a workaround\n",
				(int)n, p);
	}
}
