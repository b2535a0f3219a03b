/*
 * The exclusive-access provider: the kernel interface that arms ranges of
 * this process for a device's atomics and reports revocations.  Found once,
 * at start: a nouveau render node whose driver answers the svmx requests,
 * else /dev/svmx (the svmx module), else none.  Both speak the structs of
 * include/svmx/svmx_uapi.h; they differ in request numbers and in where
 * revocation records come from.
 */
#ifndef SVMX_PROVIDER_H
#define SVMX_PROVIDER_H

#include <stddef.h>
#include <stdint.h>
#include <svmx/svmx_uapi.h>

enum svmx_provider_kind {
	SVMX_PROVIDER_NONE,
	SVMX_PROVIDER_NOUVEAU,	/* DRM_IOCTL_NOUVEAU_SVMX_* on a render node */
	SVMX_PROVIDER_MODULE,	/* /dev/svmx */
};

struct svmx_provider {
	enum svmx_provider_kind kind;
	int fd;
	char path[64];
	uint32_t page_size;
	uint32_t features;		/* SVMX_FEAT_* */
	unsigned long req_arm, req_disarm, req_events, req_stats;
};

/* The provider of this process, discovered on first call; never NULL. */
const struct svmx_provider *svmx_provider(void);

const char *svmx_provider_name(enum svmx_provider_kind kind);

/*
 * Arm, disarm: addr and len page aligned.  0 or -errno; *pages (may be NULL)
 * is what the request reports (held after ARM, given back after DISARM).
 */
int svmx_provider_arm(const struct svmx_provider *p, uintptr_t addr, size_t len,
		      uint64_t *pages);
int svmx_provider_disarm(const struct svmx_provider *p, uintptr_t addr, size_t len,
			 uint64_t *pages);

/* Revocation records waiting, up to max: how many were read, or -errno. */
int svmx_provider_events(const struct svmx_provider *p, struct svmx_event *events,
			 size_t max);

int svmx_provider_stats(const struct svmx_provider *p, struct svmx_stats *stats);

#endif
