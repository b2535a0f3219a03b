#include "settings.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct svmx_settings settings;
static pthread_once_t settings_once = PTHREAD_ONCE_INIT;

/* Index of value in names[], or fallback (with a complaint) if it is not there. */
static int pick(const char *var, const char *const *names, int n, int fallback)
{
	const char *value = getenv(var);

	if (!value || !*value)
		return fallback;
	for (int i = 0; i < n; i++)
		if (names[i] && strcmp(value, names[i]) == 0)
			return i;
	fprintf(stderr, "svmx: %s=%s is not one of:", var, value);
	for (int i = 0; i < n; i++)
		if (names[i])
			fprintf(stderr, " %s", names[i]);
	fprintf(stderr, "; using %s\n", names[fallback]);
	return fallback;
}

static bool flag(const char *var)
{
	static const char *const names[] = { "0", "1" };

	return pick(var, names, 2, 0) == 1;
}

static void read_settings(void)
{
	static const char *const levels[] = { "none", "error", "warn", "info", "debug" };
	static const char *const arm[] = { "auto", "always", "never" };

	settings.log_level = pick("SVMX_LOG", levels, 5, SVMX_LOG_WARN);
	settings.disable = flag("SVMX_DISABLE");
	settings.arm = pick("SVMX_ARM", arm, 3, SVMX_ARM_AUTO);
	settings.stats = flag("SVMX_STATS");
	settings.workarounds_off = getenv("SVMX_WORKAROUNDS_OFF");
}

const struct svmx_settings *svmx_settings(void)
{
	pthread_once(&settings_once, read_settings);
	return &settings;
}
