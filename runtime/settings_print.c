/*
 * svmx-settings: svmx's settings (settings_list.h) with the values they
 * have in this environment, for `svmx-run --settings`; and the same list as
 * the README's Markdown table (--markdown) or as svmx(7)'s roff (--man).
 */
#include "settings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* meaning without Markdown: `x` -> x, or in roff -> \fBx\fR, and - -> \- */
static void put_text(const char *s, bool roff)
{
	bool code = false;

	for (; *s; s++) {
		if (*s == '`') {
			code = !code;
			if (roff)
				fputs(code ? "\\fB" : "\\fR", stdout);
		} else if (roff && *s == '-') {
			fputs("\\-", stdout);
		} else if (roff && *s == '\\') {
			fputs("\\e", stdout);
		} else {
			putchar(*s);
		}
	}
}

/* The words of a setting, the default first, each wrapped in open/close. */
static void put_words(const struct svmx_setting_info *info, const char *open, const char *close,
		      bool roff)
{
	char word[32];

	if (info->kind == SVMX_SETTING_TEXT) {
		fputs("empty, or ", stdout);
		if (*open == '`')
			fputs(info->values, stdout); /* Markdown as it is */
		else
			put_text(info->values, roff);
		return;
	}
	printf("%s", open);
	put_text(info->def, roff);
	printf("%s", close);
	for (int i = 0; svmx_setting_word(info->values, i, word, sizeof(word)); i++) {
		if (strcmp(word, info->def) == 0)
			continue;
		printf(", %s", open);
		put_text(word, roff);
		printf("%s", close);
	}
}

static void markdown(void)
{
	puts("| variable | values (default first) | what it does |");
	puts("|---|---|---|");
	for (int i = 0; i < svmx_setting_count; i++) {
		const struct svmx_setting_info *info = &svmx_setting_list[i];

		printf("| `%s` | ", info->name);
		put_words(info, "`", "`", false);
		printf(" | %s |\n", info->meaning);
	}
}

static void man(void)
{
	for (int i = 0; i < svmx_setting_count; i++) {
		const struct svmx_setting_info *info = &svmx_setting_list[i];

		printf(".TP\n.B ");
		put_text(info->name, true);
		printf("\nValues (default first): ");
		put_words(info, "\\fB", "\\fR", true);
		/* The meaning as a sentence of its own. */
		printf(".\n%c", info->meaning[0] >= 'a' && info->meaning[0] <= 'z' ?
					  info->meaning[0] - 'a' + 'A' : info->meaning[0]);
		put_text(info->meaning + 1, true);
		printf(".\n");
	}
}

static void current(void)
{
	struct svmx_settings s;

	svmx_settings_read(&s, stderr);
	printf("svmx settings (environment variables; an unset or empty one has its default):\n");
	for (int i = 0; i < svmx_setting_count; i++) {
		const struct svmx_setting_info *info = &svmx_setting_list[i];
		const char *env = getenv(info->name);
		char buf[64];

		printf("\n%s=%s", info->name, svmx_setting_value(&s, i, buf, sizeof(buf)));
		printf("%s\n", env && *env ? "" : "   (not set: default)");
		printf("    default: %s\n", *info->def ? info->def : "empty");
		printf("    values:  ");
		put_words(info, "", "", false);
		printf("\n    ");
		put_text(info->meaning, false);
		printf("\n");
	}
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--markdown") == 0)
		markdown();
	else if (argc == 2 && strcmp(argv[1], "--man") == 0)
		man();
	else if (argc == 1)
		current();
	else {
		fprintf(stderr, "usage: svmx-settings [--markdown | --man]\n");
		return 2;
	}
	return fflush(stdout) == 0 ? 0 : 1;
}
