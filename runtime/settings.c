#include "settings.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

const struct svmx_setting_info svmx_setting_list[] = {
#define SVMX_SETTING(member, kind, name, def, values, meaning) \
	{ name, SVMX_SETTING_##kind, def, values, meaning },
#include "settings_list.h"
};

const int svmx_setting_count = sizeof(svmx_setting_list) / sizeof(svmx_setting_list[0]);

bool svmx_setting_word(const char *words, int n, char *buf, size_t size)
{
	const char *p = words;

	for (;;) {
		size_t len;

		p += strspn(p, " ");
		if (!*p)
			return false;
		len = strcspn(p, " ");
		if (n-- == 0) {
			snprintf(buf, size, "%.*s", (int)len, p);
			return true;
		}
		p += len;
	}
}

/* Index of the variable's value among the words, or that of the default. */
static unsigned pick(const struct svmx_setting_info *info, FILE *complaints)
{
	const char *value = getenv(info->name);
	char word[32];
	unsigned fallback = 0;

	for (int i = 0; svmx_setting_word(info->values, i, word, sizeof(word)); i++)
		if (strcmp(word, info->def) == 0)
			fallback = i;
	if (!value || !*value)
		return fallback;
	for (int i = 0; svmx_setting_word(info->values, i, word, sizeof(word)); i++)
		if (strcmp(value, word) == 0)
			return i;
	if (complaints)
		fprintf(complaints, "svmx: %s=%s is not one of: %s; using %s\n", info->name, value,
			info->values, info->def);
	return fallback;
}

static const char *text(const struct svmx_setting_info *info)
{
	const char *value = getenv(info->name);

	return value && *value ? value : NULL;
}

void svmx_settings_read(struct svmx_settings *s, FILE *complaints)
{
	const struct svmx_setting_info *info = svmx_setting_list;

#define SVMX_READ_CHOICE(info) pick(info, complaints)
#define SVMX_READ_FLAG(info) (pick(info, complaints) == 1)
#define SVMX_READ_TEXT(info) text(info)
#define SVMX_SETTING(member, kind, name, def, values, meaning) \
	s->member = SVMX_READ_##kind(info);                     \
	info++;
#include "settings_list.h"
}

const char *svmx_setting_value(const struct svmx_settings *s, int i, char *buf, size_t size)
{
	const char *t = NULL;
	unsigned index = 0;
	int k = 0;

	if (i < 0 || i >= svmx_setting_count)
		return "";
#define SVMX_VALUE_CHOICE(member) index = s->member
#define SVMX_VALUE_FLAG(member) index = s->member
#define SVMX_VALUE_TEXT(member) t = s->member ? s->member : ""
#define SVMX_SETTING(member, kind, var, def, values, meaning) \
	if (k++ == i)                                          \
		SVMX_VALUE_##kind(member);
#include "settings_list.h"
	if (svmx_setting_list[i].kind == SVMX_SETTING_TEXT)
		return t;
	if (!svmx_setting_word(svmx_setting_list[i].values, index, buf, size))
		return "";
	return buf;
}

static struct svmx_settings settings;
static pthread_once_t settings_once = PTHREAD_ONCE_INIT;

static void read_settings(void)
{
	svmx_settings_read(&settings, stderr);
}

const struct svmx_settings *svmx_settings(void)
{
	pthread_once(&settings_once, read_settings);
	return &settings;
}
