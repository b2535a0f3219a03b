/*
 * The settings list (runtime/settings_list.h) as the runtime reads it: each
 * CHOICE word gives the enum constant of the same name, defaults hold for
 * unset and empty variables, a bad value falls back to the default with a
 * complaint, and svmx_setting_value() prints back what was read.
 */
#include "settings.h"

#include <stdlib.h>
#include <string.h>

static int failures;

#define CHECK(cond)                                                                   \
	do {                                                                          \
		if (!(cond)) {                                                        \
			fprintf(stderr, "%s:%d: FAIL: %s\n", __FILE__, __LINE__, #cond); \
			failures++;                                                   \
		}                                                                     \
	} while (0)

static struct svmx_settings read_with(const char *name, const char *value, char *complaint,
				      size_t size)
{
	struct svmx_settings s;
	FILE *f = fmemopen(complaint, size, "w");

	memset(complaint, 0, size);
	for (int i = 0; i < svmx_setting_count; i++)
		unsetenv(svmx_setting_list[i].name);
	if (name)
		setenv(name, value, 1);
	svmx_settings_read(&s, f);
	fclose(f);
	return s;
}

static int index_of(const char *name)
{
	for (int i = 0; i < svmx_setting_count; i++)
		if (strcmp(svmx_setting_list[i].name, name) == 0)
			return i;
	return -1;
}

int main(void)
{
	static const struct {
		const char *word;
		unsigned level;
	} levels[] = { { "none", SVMX_LOG_NONE },   { "error", SVMX_LOG_ERROR },
		       { "warn", SVMX_LOG_WARN },   { "info", SVMX_LOG_INFO },
		       { "debug", SVMX_LOG_DEBUG } };
	static const struct {
		const char *word;
		unsigned mode;
	} arms[] = { { "auto", SVMX_ARM_AUTO }, { "always", SVMX_ARM_ALWAYS },
		     { "never", SVMX_ARM_NEVER } };
	char complaint[256], buf[64];
	struct svmx_settings s;

	/* Every CHOICE and FLAG default is one of its words. */
	for (int i = 0; i < svmx_setting_count; i++) {
		const struct svmx_setting_info *info = &svmx_setting_list[i];
		bool found = info->kind == SVMX_SETTING_TEXT;

		CHECK(strncmp(info->name, "SVMX_", 5) == 0 && info->meaning[0]);
		for (int w = 0; !found && svmx_setting_word(info->values, w, buf, sizeof(buf)); w++)
			found = strcmp(buf, info->def) == 0;
		CHECK(found);
	}

	s = read_with(NULL, NULL, complaint, sizeof(complaint));
	CHECK(s.log_level == SVMX_LOG_WARN && !s.disable && s.arm == SVMX_ARM_AUTO && !s.stats &&
	      s.workarounds_off == NULL && complaint[0] == 0);
	for (int i = 0; i < svmx_setting_count; i++)
		CHECK(strcmp(svmx_setting_value(&s, i, buf, sizeof(buf)), svmx_setting_list[i].def) ==
		      0);

	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		s = read_with("SVMX_LOG", levels[i].word, complaint, sizeof(complaint));
		CHECK(s.log_level == levels[i].level && complaint[0] == 0);
		CHECK(strcmp(svmx_setting_value(&s, index_of("SVMX_LOG"), buf, sizeof(buf)),
			     levels[i].word) == 0);
	}
	for (size_t i = 0; i < sizeof(arms) / sizeof(arms[0]); i++) {
		s = read_with("SVMX_ARM", arms[i].word, complaint, sizeof(complaint));
		CHECK(s.arm == arms[i].mode && complaint[0] == 0);
	}
	s = read_with("SVMX_DISABLE", "1", complaint, sizeof(complaint));
	CHECK(s.disable && !s.stats);
	s = read_with("SVMX_STATS", "1", complaint, sizeof(complaint));
	CHECK(s.stats && !s.disable);
	s = read_with("SVMX_LOG", "", complaint, sizeof(complaint));
	CHECK(s.log_level == SVMX_LOG_WARN && complaint[0] == 0);

	s = read_with("SVMX_LOG", "loud", complaint, sizeof(complaint));
	CHECK(s.log_level == SVMX_LOG_WARN);
	CHECK(strcmp(complaint,
		     "svmx: SVMX_LOG=loud is not one of: none error warn info debug; using warn\n") ==
	      0);
	s = read_with("SVMX_STATS", "yes", complaint, sizeof(complaint));
	CHECK(!s.stats && strstr(complaint, "SVMX_STATS=yes") != NULL);

	s = read_with("SVMX_WORKAROUNDS_OFF", "fence,svm_atomics", complaint, sizeof(complaint));
	CHECK(s.workarounds_off && strcmp(s.workarounds_off, "fence,svm_atomics") == 0);
	CHECK(strcmp(svmx_setting_value(&s, index_of("SVMX_WORKAROUNDS_OFF"), buf, sizeof(buf)),
		     "fence,svm_atomics") == 0);
	s = read_with("SVMX_WORKAROUNDS_OFF", "", complaint, sizeof(complaint));
	CHECK(s.workarounds_off == NULL);

	/* svmx_settings() reads the environment once. */
	setenv("SVMX_LOG", "debug", 1);
	CHECK(svmx_settings()->log_level == SVMX_LOG_DEBUG);
	setenv("SVMX_LOG", "none", 1);
	CHECK(svmx_settings()->log_level == SVMX_LOG_DEBUG);

	printf("settings: %d settings, %s\n", svmx_setting_count, failures ? "FAIL" : "ok");
	return failures != 0;
}
