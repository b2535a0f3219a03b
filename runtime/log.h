/* Messages to stderr, filtered by SVMX_LOG; each names what was wrong. */
#ifndef SVMX_LOG_H
#define SVMX_LOG_H

#include "settings.h"

void svmx_log(enum svmx_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define svmx_error(...) svmx_log(SVMX_LOG_ERROR, __VA_ARGS__)
#define svmx_warn(...) svmx_log(SVMX_LOG_WARN, __VA_ARGS__)
#define svmx_info(...) svmx_log(SVMX_LOG_INFO, __VA_ARGS__)
#define svmx_debug(...) svmx_log(SVMX_LOG_DEBUG, __VA_ARGS__)

#endif
