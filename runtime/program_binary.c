#include "program_binary.h"

#include "device.h"
#include "fence_word.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/*
 * rusticl 22.3's own binaries are a container: u32 version (1), u32 payload
 * length, u32 binary type, then the payload (SPIR-V).  svmx puts its header
 * at the start of the payload and the whole driver binary after it, so the
 * driver, given the binary without svmx, reads a container it knows around
 * a payload that is no SPIR-V.  A driver binary of another shape gets the
 * header in front.
 *
 * The fence word's address is a 64-bit OpConstant in the SPIR-V.  Handed
 * out, each such constant is 0 and the header lists where it was
 * (relocations); loading puts the address of this process's word there.
 * A driver binary that holds no SPIR-V cannot be relocated: the header
 * then keeps the address (fixed_word), and only a process whose word is
 * at that address can load it.
 */
struct container {
	uint32_t version;
	uint32_t payload_len;
	uint32_t type;
};

struct header {
	char magic[8];
	uint32_t version;
	uint32_t relocations;	/* u32 byte offsets into the driver binary follow */
	uint64_t fixed_word;	/* 0, or the address a non-SPIR-V binary holds */
};

#define VERSION 2
#define SPIRV_MAGIC 0x07230203u
#define SPIRV_HEADER_WORDS 5
#define OP_TYPE_INT 21
#define OP_CONSTANT 43
/* A larger id bound is no module svmx built; it is not parsed. */
#define MAX_ID_BOUND (1u << 22)

static const char magic[8] = "svmxbin";

static bool is_container(const unsigned char *bin, size_t len)
{
	struct container c;

	if (len < sizeof(c))
		return false;
	memcpy(&c, bin, sizeof(c));
	return c.version == 1 && c.payload_len == len - sizeof(c);
}

static uint32_t word_at(const unsigned char *p, size_t i)
{
	uint32_t w;

	memcpy(&w, p + 4 * i, sizeof(w));
	return w;
}

/* Whether id is declared by an OpTypeInt of width 64 in the module s of n words. */
static bool is_int64_type(const unsigned char *s, size_t n, uint32_t id)
{
	for (size_t i = SPIRV_HEADER_WORDS; i < n; i += word_at(s, i) >> 16)
		if ((word_at(s, i) & 0xffff) == OP_TYPE_INT && word_at(s, i) >> 16 == 4 &&
		    word_at(s, i + 1) == id)
			return word_at(s, i + 2) == 64;
	return false;
}

/*
 * The byte offsets in driver of the 64-bit integer OpConstants whose value
 * is word, written as u32 to out (when not NULL) and counted; -1 when
 * driver holds no SPIR-V svmx can read.  No allocation: the size handed
 * out and the binary written must agree.
 */
static long find_relocations(const unsigned char *driver, size_t len, uint64_t word,
			     unsigned char *out)
{
	size_t at = is_container(driver, len) ? sizeof(struct container) : 0;
	const unsigned char *s = driver + at;
	size_t n = (len - at) / 4;
	long found = 0;

	if ((len - at) % 4 || n < SPIRV_HEADER_WORDS || word_at(s, 0) != SPIRV_MAGIC)
		return -1;
	/* Every instruction within the module, so the type lookups stay in it. */
	for (size_t i = SPIRV_HEADER_WORDS; i < n; i += word_at(s, i) >> 16)
		if (word_at(s, i) >> 16 == 0 || word_at(s, i) >> 16 > n - i)
			return -1;
	for (size_t i = SPIRV_HEADER_WORDS; i < n; i += word_at(s, i) >> 16) {
		uint32_t offset = (uint32_t)(at + 4 * (i + 3));

		if ((word_at(s, i) & 0xffff) != OP_CONSTANT || word_at(s, i) >> 16 != 5 ||
		    (word_at(s, i + 3) | (uint64_t)word_at(s, i + 4) << 32) != word ||
		    !is_int64_type(s, n, word_at(s, i + 1)))
			continue;
		if (out)
			memcpy(out + 4 * found, &offset, sizeof(offset));
		found++;
	}
	return found;
}

bool svmx_program_binary_wraps(cl_device_id dev)
{
	const struct svmx_device *d = svmx_device_lookup(dev);

	return d && svmx_wa(d->workarounds, SVMX_WA_FENCE) && svmx_fence_word();
}

static uint32_t relocations_of(const unsigned char *driver, size_t len)
{
	long n = find_relocations(driver, len, svmx_fence_word(), NULL);

	/* LLVM emits a constant once; a flood of them is kept as fixed_word. */
	return n > 0 && n < 1024 ? (uint32_t)n : 0;
}

size_t svmx_program_binary_wrapped_size(const unsigned char *driver, size_t len)
{
	return (is_container(driver, len) ? sizeof(struct container) : 0) +
	       sizeof(struct header) + 4 * (size_t)relocations_of(driver, len) + len;
}

void svmx_program_binary_wrap(const unsigned char *driver, size_t len, unsigned char *out)
{
	struct header h = { .version = VERSION, .relocations = relocations_of(driver, len) };
	size_t header_len = sizeof(h) + 4 * (size_t)h.relocations;

	memcpy(h.magic, magic, sizeof(h.magic));
	if (!h.relocations)
		h.fixed_word = svmx_fence_word();
	if (is_container(driver, len)) {
		struct container c;

		memcpy(&c, driver, sizeof(c));
		c.payload_len = (uint32_t)(header_len + len);
		memcpy(out, &c, sizeof(c));
		out += sizeof(c);
	}
	memcpy(out, &h, sizeof(h));
	if (h.relocations)
		find_relocations(driver, len, svmx_fence_word(), out + sizeof(h));
	memcpy(out + header_len, driver, len);
	for (uint32_t i = 0; i < h.relocations; i++) {
		uint32_t offset;

		memcpy(&offset, out + sizeof(h) + 4 * i, sizeof(offset));
		memset(out + header_len + offset, 0, sizeof(uint64_t));
	}
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

cl_int svmx_program_binary_unwrap(const unsigned char *bin, size_t len, unsigned char **driver,
				  size_t *driver_len)
{
	long at = header_at(bin, len);
	uint64_t word = svmx_fence_word();
	struct header h;
	size_t header_len;
	unsigned char *copy;

	if (at < 0)
		return CL_INVALID_BINARY;
	memcpy(&h, bin + at, sizeof(h));
	header_len = sizeof(h) + 4 * (size_t)h.relocations;
	if (h.version != VERSION || !word || h.relocations > (len - (size_t)at) / 4 ||
	    len - (size_t)at < header_len || (h.relocations ? h.fixed_word : h.fixed_word != word))
		return CL_INVALID_BINARY;
	*driver_len = len - (size_t)at - header_len;
	copy = malloc(*driver_len ? *driver_len : 1);
	if (!copy)
		return CL_OUT_OF_HOST_MEMORY;
	memcpy(copy, bin + at + header_len, *driver_len);
	for (uint32_t i = 0; i < h.relocations; i++) {
		uint32_t offset;
		uint64_t placeholder;

		memcpy(&offset, bin + at + sizeof(h) + 4 * i, sizeof(offset));
		if (offset % 4 || offset > *driver_len || *driver_len - offset < sizeof(word) ||
		    (memcpy(&placeholder, copy + offset, sizeof(placeholder)), placeholder)) {
			free(copy);
			return CL_INVALID_BINARY;
		}
		memcpy(copy + offset, &word, sizeof(word));
	}
	*driver = copy;
	return CL_SUCCESS;
}
