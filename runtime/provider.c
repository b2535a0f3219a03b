#include "provider.h"

#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <xf86drm.h>

static struct svmx_provider provider = { .kind = SVMX_PROVIDER_NONE, .fd = -1 };
static pthread_once_t once = PTHREAD_ONCE_INIT;

const char *svmx_provider_name(enum svmx_provider_kind kind)
{
	switch (kind) {
	case SVMX_PROVIDER_NOUVEAU:
		return "nouveau";
	case SVMX_PROVIDER_MODULE:
		return "svmx module";
	default:
		return "none";
	}
}

/* The version request answered with our uapi version: the fd is a provider. */
static bool answers(int fd, unsigned long req_version, struct svmx_version *v)
{
	memset(v, 0, sizeof(*v));
	v->size = sizeof(*v);
	return ioctl(fd, req_version, v) == 0 && v->version == SVMX_UAPI_VERSION &&
	       v->page_size;
}

static bool try_nouveau(void)
{
	drmDevicePtr devices[16];
	int n = drmGetDevices2(0, devices, 16);
	bool found = false;

	for (int i = 0; i < n && !found; i++) {
		const char *node = devices[i]->nodes[DRM_NODE_RENDER];
		struct svmx_version v;
		drmVersionPtr ver;
		int fd;

		if (!(devices[i]->available_nodes & (1 << DRM_NODE_RENDER)))
			continue;
		fd = open(node, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		ver = drmGetVersion(fd);
		if (ver && strcmp(ver->name, "nouveau") == 0 &&
		    answers(fd, SVMX_DRM_NOUVEAU_VERSION, &v)) {
			provider = (struct svmx_provider){
				.kind = SVMX_PROVIDER_NOUVEAU, .fd = fd,
				.page_size = v.page_size, .features = v.features,
				.req_arm = SVMX_DRM_NOUVEAU_ARM,
				.req_disarm = SVMX_DRM_NOUVEAU_DISARM,
				.req_events = SVMX_DRM_NOUVEAU_EVENTS,
				.req_stats = SVMX_DRM_NOUVEAU_STATS,
			};
			snprintf(provider.path, sizeof(provider.path), "%s", node);
			found = true;
		} else {
			if (ver && strcmp(ver->name, "nouveau") == 0)
				svmx_info("%s: nouveau without the svmx requests", node);
			close(fd);
		}
		drmFreeVersion(ver);
	}
	if (n > 0)
		drmFreeDevices(devices, n);
	return found;
}

static bool try_module(void)
{
	int fd = open(SVMX_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	struct svmx_version v;

	if (fd < 0)
		return false;
	if (!answers(fd, SVMX_IOC_VERSION, &v)) {
		svmx_warn("%s does not answer SVMX_IOC_VERSION %u", SVMX_DEVICE_PATH,
			  SVMX_UAPI_VERSION);
		close(fd);
		return false;
	}
	provider = (struct svmx_provider){
		.kind = SVMX_PROVIDER_MODULE, .fd = fd,
		.page_size = v.page_size, .features = v.features,
		.req_arm = SVMX_IOC_ARM, .req_disarm = SVMX_IOC_DISARM,
		.req_events = SVMX_IOC_EVENTS, .req_stats = SVMX_IOC_STATS,
	};
	snprintf(provider.path, sizeof(provider.path), "%s", SVMX_DEVICE_PATH);
	return true;
}

static void discover(void)
{
	if (try_nouveau() || try_module())
		svmx_info("exclusive-access provider: %s at %s",
			  svmx_provider_name(provider.kind), provider.path);
	else
		svmx_info("no exclusive-access provider (no nouveau with svmx, no %s)",
			  SVMX_DEVICE_PATH);
}

const struct svmx_provider *svmx_provider(void)
{
	pthread_once(&once, discover);
	return &provider;
}

static int range_request(const struct svmx_provider *p, unsigned long req, uintptr_t addr,
			 size_t len, uint64_t *pages)
{
	struct svmx_range r = { .size = sizeof(r), .addr = addr, .len = len };

	if (p->fd < 0)
		return -ENODEV;
	if (ioctl(p->fd, req, &r) != 0)
		return -errno;
	if (pages)
		*pages = r.pages;
	return 0;
}

int svmx_provider_arm(const struct svmx_provider *p, uintptr_t addr, size_t len,
		      uint64_t *pages)
{
	return range_request(p, p->req_arm, addr, len, pages);
}

int svmx_provider_disarm(const struct svmx_provider *p, uintptr_t addr, size_t len,
			 uint64_t *pages)
{
	return range_request(p, p->req_disarm, addr, len, pages);
}

int svmx_provider_events(const struct svmx_provider *p, struct svmx_event *events,
			 size_t max)
{
	struct svmx_events e = {
		.size = sizeof(e), .count = (uint32_t)max, .events = (uintptr_t)events,
	};

	if (p->fd < 0)
		return -ENODEV;
	if (ioctl(p->fd, p->req_events, &e) != 0)
		return -errno;
	return (int)e.count;
}

int svmx_provider_stats(const struct svmx_provider *p, struct svmx_stats *stats)
{
	memset(stats, 0, sizeof(*stats));
	stats->size = sizeof(*stats);
	if (p->fd < 0)
		return -ENODEV;
	return ioctl(p->fd, p->req_stats, stats) == 0 ? 0 : -errno;
}
