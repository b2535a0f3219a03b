/*
 * svmx's settings: environment variables, all named SVMX_*, read once.
 * The one list of them, with defaults and meanings, is settings_list.h.
 */
#ifndef SVMX_SETTINGS_H
#define SVMX_SETTINGS_H

#include <stdbool.h>
#include <stdio.h>

/* The words of SVMX_LOG, in settings_list.h's order. */
enum svmx_log_level {
	SVMX_LOG_NONE,
	SVMX_LOG_ERROR,
	SVMX_LOG_WARN,
	SVMX_LOG_INFO,
	SVMX_LOG_DEBUG,
};

/* The words of SVMX_ARM, in settings_list.h's order. */
enum svmx_arm_mode {
	SVMX_ARM_AUTO,		/* devices not coherent with the host */
	SVMX_ARM_ALWAYS,	/* every device svmx serves, coherent ones too */
	SVMX_ARM_NEVER,
};

#define SVMX_SETTING_FIELD_CHOICE unsigned	/* index of the word: an enum above */
#define SVMX_SETTING_FIELD_FLAG bool
#define SVMX_SETTING_FIELD_TEXT const char *

struct svmx_settings {
#define SVMX_SETTING(member, kind, name, def, values, meaning) SVMX_SETTING_FIELD_##kind member;
#include "settings_list.h"
};

enum svmx_setting_kind { SVMX_SETTING_CHOICE, SVMX_SETTING_FLAG, SVMX_SETTING_TEXT };

/* One entry of settings_list.h. */
struct svmx_setting_info {
	const char *name;
	enum svmx_setting_kind kind;
	const char *def;
	const char *values;
	const char *meaning;
};

extern const struct svmx_setting_info svmx_setting_list[];
extern const int svmx_setting_count;

/* The settings of this process, read from the environment at the first call. */
const struct svmx_settings *svmx_settings(void);

/*
 * Read the settings from the environment into *s.  A value that is not one
 * of a setting's words is reported to complaints (unless NULL), and the
 * default is used.
 */
void svmx_settings_read(struct svmx_settings *s, FILE *complaints);

/*
 * The value setting i of *s has, as text: a word for CHOICE and FLAG, the
 * text (or "") for TEXT.  buf holds it where needed.
 */
const char *svmx_setting_value(const struct svmx_settings *s, int i, char *buf, size_t size);

/* Word number n of a space-separated list into buf; false past the last one. */
bool svmx_setting_word(const char *words, int n, char *buf, size_t size);

#endif
