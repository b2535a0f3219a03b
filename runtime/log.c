#include "log.h"

#include <stdarg.h>
#include <stdio.h>

void svmx_log(enum svmx_log_level level, const char *fmt, ...)
{
	static const char *const tag[] = { "", "error", "warning", "info", "debug" };
	char line[512];
	va_list ap;

	if (level > svmx_settings()->log_level)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* One write per message so lines of concurrent threads do not mix. */
	fprintf(stderr, "svmx: %s: %s\n", tag[level], line);
}
