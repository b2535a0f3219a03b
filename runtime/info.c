#include "info.h"

#include <string.h>

cl_int svmx_info_answer(const void *data, size_t len, size_t size, void *value,
			size_t *size_ret)
{
	if (value) {
		if (size < len)
			return CL_INVALID_VALUE;
		memcpy(value, data, len);
	}
	if (size_ret)
		*size_ret = len;
	return CL_SUCCESS;
}
