/*
 * svmx's settings: environment variables, all named SVMX_*, read once.
 * The list and meaning of each is in the top-level README ("Settings").
 */
#ifndef SVMX_SETTINGS_H
#define SVMX_SETTINGS_H

#include <stdbool.h>

enum svmx_log_level {
	SVMX_LOG_NONE,
	SVMX_LOG_ERROR,
	SVMX_LOG_WARN,
	SVMX_LOG_INFO,
	SVMX_LOG_DEBUG,
};

struct svmx_settings {
	enum svmx_log_level log_level;	/* SVMX_LOG */
	bool disable;			/* SVMX_DISABLE */
};

const struct svmx_settings *svmx_settings(void);

#endif
