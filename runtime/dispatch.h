/* Where svmx forwards: the next layer, or the loader's own entry points. */
#ifndef SVMX_DISPATCH_H
#define SVMX_DISPATCH_H

#include "cl.h"

/*
 * A full-size copy of the target table; entries past the loader's num_entries
 * stay NULL, so "is this entry there" is one NULL check everywhere.
 * Never call an exported cl* symbol from inside svmx: it re-enters the
 * outermost layer.
 */
extern struct _cl_icd_dispatch svmx_next;

/* Number of entries in the table svmx was compiled with. */
#define SVMX_DISPATCH_ENTRIES \
	((cl_uint)(sizeof(struct _cl_icd_dispatch) / sizeof(void *)))

void svmx_dispatch_set_next(cl_uint num_entries,
			    const struct _cl_icd_dispatch *target);

#endif
