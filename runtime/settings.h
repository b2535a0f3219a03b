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

enum svmx_arm_mode {
	SVMX_ARM_AUTO,		/* devices not coherent with the host */
	SVMX_ARM_ALWAYS,	/* every device svmx serves, coherent ones too */
	SVMX_ARM_NEVER,
};

struct svmx_settings {
	enum svmx_log_level log_level;	/* SVMX_LOG */
	bool disable;			/* SVMX_DISABLE */
	enum svmx_arm_mode arm;		/* SVMX_ARM */
	bool stats;			/* SVMX_STATS */
	const char *workarounds_off;	/* SVMX_WORKAROUNDS_OFF, or NULL */
};

const struct svmx_settings *svmx_settings(void);

#endif
