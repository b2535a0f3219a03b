#include "program_binary.h"

#include "device.h"
#include "fence_word.h"

#include <stdint.h>
#include <string.h>

/*
 * rusticl 22.3's own binaries are a container: u32 version (1), u32 payload
 * length, u32 binary type, then the payload (SPIR-V).  svmx puts its header
 * at the start of the payload and the whole driver binary after it, so the
 * driver, given the binary without svmx, reads a container it knows around
 * a payload that is no SPIR-V.  A driver binary of another shape gets the
 * header in front.
 */
struct container {
	uint32_t version;
	uint32_t payload_len;
	uint32_t type;
};

struct header {
	char magic[8];
	uint32_t version;
	uint32_t reserved;
	uint64_t fence_word;
};

static const char magic[8] = "svmxbin";

static bool is_container(const unsigned char *bin, size_t len)
{
	struct container c;

	if (len < sizeof(c))
		return false;
	memcpy(&c, bin, sizeof(c));
	return c.version == 1 && c.payload_len == len - sizeof(c);
}

bool svmx_program_binary_wraps(cl_device_id dev)
{
	const struct svmx_device *d = svmx_device_lookup(dev);

	return d && svmx_wa(d->workarounds, SVMX_WA_FENCE) && svmx_fence_word();
}

size_t svmx_program_binary_wrapped_size(const unsigned char *driver, size_t len)
{
	return (is_container(driver, len) ? sizeof(struct container) : 0) +
	       sizeof(struct header) + len;
}

void svmx_program_binary_wrap(const unsigned char *driver, size_t len, unsigned char *out)
{
	struct header h = { .version = 1, .fence_word = svmx_fence_word() };

	memcpy(h.magic, magic, sizeof(h.magic));
	if (is_container(driver, len)) {
		struct container c;

		memcpy(&c, driver, sizeof(c));
		c.payload_len = (uint32_t)(sizeof(h) + len);
		memcpy(out, &c, sizeof(c));
		out += sizeof(c);
	}
	memcpy(out, &h, sizeof(h));
	memcpy(out + sizeof(h), driver, len);
}

/* The header's offset in bin, or -1 when it carries none. */
static long header_at(const unsigned char *bin, size_t len)
{
	size_t at = is_container(bin, len) ? sizeof(struct container) : 0;

	if (len - at < sizeof(struct header) || memcmp(bin + at, magic, sizeof(magic)) != 0)
		return -1;
	return (long)at;
}

bool svmx_program_binary_is_wrapped(const unsigned char *bin, size_t len)
{
	return bin && header_at(bin, len) >= 0;
}

cl_int svmx_program_binary_unwrap(const unsigned char *bin, size_t len,
				  const unsigned char **driver, size_t *driver_len)
{
	long at = header_at(bin, len);
	struct header h;

	if (at < 0)
		return CL_INVALID_BINARY;
	memcpy(&h, bin + at, sizeof(h));
	if (h.version != 1 || h.fence_word != svmx_fence_word())
		return CL_INVALID_BINARY;
	*driver = bin + at + sizeof(h);
	*driver_len = len - (size_t)at - sizeof(h);
	return CL_SUCCESS;
}
