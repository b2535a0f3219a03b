/* Where svmx forwards: the next layer, or the loader's own entry points. */
#ifndef SVMX_DISPATCH_H
#define SVMX_DISPATCH_H

#include "cl.h"

/*
 * A full-size copy of the target table; entries past the loader's num_entries
 * stay NULL.  Never call an exported cl* symbol from inside svmx: it re-enters
 * the outermost layer.
 *
 * The forwarding rule: the OpenCL 1.x entries svmx calls or replaces are
 * checked once, at layer init (svmx_dispatch_missing), and called without a
 * check; svmx serves nothing where one is missing.  Later entries (2.0 on)
 * may be NULL: every call of one is guarded (SVMX_FORWARD).
 */
extern struct _cl_icd_dispatch svmx_next;

/* Number of entries in the table svmx was compiled with. */
#define SVMX_DISPATCH_ENTRIES \
	((cl_uint)(sizeof(struct _cl_icd_dispatch) / sizeof(void *)))

void svmx_dispatch_set_next(cl_uint num_entries,
			    const struct _cl_icd_dispatch *target);

/* The first OpenCL 1.x entry svmx needs that svmx_next lacks, or NULL. */
const char *svmx_dispatch_missing(void);

/* Forward to a later entry, or fail as the spec says for a missing one. */
#define SVMX_FORWARD(fn, missing, ...) \
	(svmx_next.fn ? svmx_next.fn(__VA_ARGS__) : (missing))

#endif
