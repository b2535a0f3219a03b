/*
 * The one list of svmx's settings: every environment variable the layer
 * reads.  runtime/settings.c parses them from it, `svmx-run --settings`
 * prints them from it (runtime/settings_print.c), and the table in the
 * top-level README ("Settings") and the SETTINGS section of svmx(7) are
 * generated from it (packaging/ checks the README's copy).
 *
 *   SVMX_SETTING(member, kind, name, default, values, meaning)
 *
 * member   the field of struct svmx_settings
 * kind     CHOICE: one of the space-separated words of values; the field is
 *                  its index, so the words are in the order of the enum
 *                  (settings.h) that names them
 *          FLAG:   "0" or "1"; the field is a bool
 *          TEXT:   any text; the field is the string, or NULL when unset
 * default  what an unset or empty variable means
 * values   CHOICE, FLAG: the words; TEXT: what the text may be
 * meaning  one sentence or two, Markdown (`code` only)
 *
 * Include it with SVMX_SETTING defined; it undefines it.
 */
SVMX_SETTING(log_level, CHOICE, "SVMX_LOG", "warn", "none error warn info debug",
	     "what the layer prints to stderr. Each message names the call and what was wrong "
	     "with it")
SVMX_SETTING(disable, FLAG, "SVMX_DISABLE", "0", "0 1",
	     "`1`: the layer forwards every call untouched (output is identical to running "
	     "without it)")
SVMX_SETTING(arm, CHOICE, "SVMX_ARM", "auto", "auto always never",
	     "which devices get their atomic ranges armed through the provider: `auto` those "
	     "not coherent with the host, `always` every device svmx serves, `never` none "
	     "(kernel launches are then not intercepted)")
SVMX_SETTING(stats, FLAG, "SVMX_STATS", "0", "0 1",
	     "`1`: print per-allocation arming statistics to stderr at exit")
SVMX_SETTING(workarounds_off, TEXT, "SVMX_WORKAROUNDS_OFF", "",
	     "names from `runtime/workarounds.c` separated by commas",
	     "turns those driver workarounds off everywhere, to measure a driver without them; "
	     "an unknown name is reported")

#undef SVMX_SETTING
