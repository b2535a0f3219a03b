#include "dispatch.h"

#include <string.h>

struct _cl_icd_dispatch svmx_next;

void svmx_dispatch_set_next(cl_uint num_entries,
			    const struct _cl_icd_dispatch *target)
{
	cl_uint n = num_entries < SVMX_DISPATCH_ENTRIES ? num_entries
							: SVMX_DISPATCH_ENTRIES;

	memset(&svmx_next, 0, sizeof(svmx_next));
	memcpy(&svmx_next, target, n * sizeof(void *));
}
