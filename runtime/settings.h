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

enum svmx_provider_choice {
	SVMX_PROVIDER_AUTO,	/* nouveau render node, else /dev/svmx, else none */
	SVMX_PROVIDER_NOUVEAU,
	SVMX_PROVIDER_SVMX,
	SVMX_PROVIDER_NONE,
};

enum svmx_arm_mode {
	SVMX_ARM_AUTO,		/* arm only for devices not coherent with the host */
	SVMX_ARM_ALWAYS,	/* arm for every svmx device (tests, diagnosis) */
	SVMX_ARM_NEVER,
};

struct svmx_settings {
	enum svmx_log_level log_level;	/* SVMX_LOG */
	bool disable;			/* SVMX_DISABLE */
	bool stats;			/* SVMX_STATS */
	enum svmx_provider_choice provider; /* SVMX_PROVIDER */
	enum svmx_arm_mode arm;		/* SVMX_ARM */
};

const struct svmx_settings *svmx_settings(void);

#endif
