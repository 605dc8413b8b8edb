/*
 * test_console_model.c - the parts of apex-console that need no terminal:
 * the tenants table (filter, sort, cursor, upserts), the audit filter line,
 * and the key table with the key bar, help and manual generated from it.
 *
 * The console's sources are compiled into this suite directly, since the
 * test binaries link only libapex.  They use <curses.h> for key constants
 * but call no curses function.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../console/tui_keys.c"
#include "../console/tui_model.c"

static tui_row
row(long long id, const char *sub, const char *name, const char *plan, const char *status,
    const char *created, double ms)
{
	return (tui_row){ .id = id, .subdomain = sub, .name = name, .plan = plan, .status = status,
			  .created = created, .provisioning_ms = ms };
}

static void
fill(tui_table *t)
{
	tui_row rows[] = {
		row(3, "charlie", "Charlie Goods", "pro", "active", "2024-01-03 10:00", 12.5),
		row(1, "alpha", "Alpha Shop", "basic", "suspended", "2024-01-01 10:00", 40.0),
		row(2, "bravo", "Bravo Store", "enterprise", "active", "2024-01-02 10:00", -1),
		row(5, "echo", "Echo Lab", "pro", "archived", "2024-01-05 10:00", 7.25),
		row(4, "delta", "delta", "basic", "active", "2024-01-04 10:00", 30.0),
	};

	tui_table_init(t);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		tui_table_upsert(t, &rows[i]);
	tui_table_refresh(t);
}

static const char *
shown(const tui_table *t, size_t i)
{
	return t->rows[t->shown[i]].subdomain;
}

/* ---- table ---- */

Test(console_model, sorts_by_subdomain_first)
{
	tui_table t;

	fill(&t);
	cr_assert_eq(t.n_shown, 5);
	cr_assert_str_eq(shown(&t, 0), "alpha");
	cr_assert_str_eq(shown(&t, 4), "echo");
	tui_table_free(&t);
}

Test(console_model, sorts_by_each_column)
{
	tui_table t;

	fill(&t);
	tui_table_set_sort(&t, COL_PROVISIONING, 0);
	cr_assert_str_eq(shown(&t, 0), "bravo", "unknown durations (-1) sort first");
	cr_assert_str_eq(shown(&t, 1), "echo");
	cr_assert_str_eq(shown(&t, 4), "alpha");
	tui_table_set_sort(&t, COL_PROVISIONING, 1);
	cr_assert_str_eq(shown(&t, 0), "alpha");
	tui_table_set_sort(&t, COL_STATUS, 0);
	cr_assert_str_eq(shown(&t, 0), "bravo", "ties are broken by subdomain");
	cr_assert_str_eq(shown(&t, 3), "echo");
	cr_assert_str_eq(shown(&t, 4), "alpha");
	tui_table_set_sort(&t, COL_CREATED, 1);
	cr_assert_str_eq(shown(&t, 0), "echo");
	tui_table_set_sort(&t, COL_NAME, 0);
	cr_assert_str_eq(shown(&t, 0), "alpha", "byte order: uppercase names before \"delta\"");
	cr_assert_str_eq(shown(&t, 4), "delta");
	tui_table_set_sort(&t, COL_PLAN, 0);
	cr_assert_str_eq(shown(&t, 0), "alpha");
	cr_assert_str_eq(shown(&t, 2), "bravo");
	tui_table_free(&t);
}

Test(console_model, filter_matches_any_column)
{
	tui_table t;

	fill(&t);
	tui_table_set_filter(&t, "STORE");
	cr_assert_eq(t.n_shown, 1, "case-insensitive match on the name");
	cr_assert_str_eq(shown(&t, 0), "bravo");
	tui_table_set_filter(&t, "pro");
	cr_assert_eq(t.n_shown, 2);
	tui_table_set_filter(&t, "suspend");
	cr_assert_eq(t.n_shown, 1);
	cr_assert_str_eq(shown(&t, 0), "alpha");
	tui_table_set_filter(&t, "");
	cr_assert_eq(t.n_shown, 5);
	tui_table_free(&t);
}

Test(console_model, filter_words_and_columns)
{
	tui_table t;

	fill(&t);
	tui_table_set_filter(&t, "pro active");
	cr_assert_eq(t.n_shown, 1, "every word must match");
	cr_assert_str_eq(shown(&t, 0), "charlie");
	tui_table_set_filter(&t, "status:act");
	cr_assert_eq(t.n_shown, 3, "a column word matches the start of that column");
	tui_table_set_filter(&t, "plan:b");
	cr_assert_eq(t.n_shown, 2);
	tui_table_set_filter(&t, "name:echo");
	cr_assert_eq(t.n_shown, 1);
	tui_table_set_filter(&t, "sub:lta");
	cr_assert_eq(t.n_shown, 0, "sub: matches the start, not the middle");
	tui_table_set_filter(&t, "zzz:top");
	cr_assert_eq(t.n_shown, 0, "unknown keys are plain text");
	tui_table_free(&t);
}

Test(console_model, narrowing_rules)
{
	cr_assert(tui_filter_narrows("", "a"));
	cr_assert(tui_filter_narrows("ab", "abc"));
	cr_assert(tui_filter_narrows("ab", "ab c"));
	cr_assert(tui_filter_narrows("plan:p", "plan:pro"));
	cr_assert_not(tui_filter_narrows("abc", "ab"), "deleting a character widens");
	cr_assert_not(tui_filter_narrows("pla", "plan:"), "a word turning into a column filter");
	cr_assert_not(tui_filter_narrows("ab c", "ab"));
	cr_assert_not(tui_filter_narrows("ab", "xy"));
}

Test(console_model, incremental_filter_equals_full)
{
	const char *steps[] = { "a", "al", "alp", "al", "", "plan:", "plan:p", "plan:pr", "plan:pro e" };
	tui_table t;

	fill(&t);
	for (size_t s = 0; s < sizeof(steps) / sizeof(steps[0]); s++) {
		size_t expected = 0;

		tui_table_set_filter(&t, steps[s]);
		for (size_t i = 0; i < t.n_rows; i++)
			expected += tui_filter_match(steps[s], &t.rows[i]);
		cr_assert_eq(t.n_shown, expected, "filter \"%s\" shows %zu rows, expected %zu",
			     steps[s], t.n_shown, expected);
		for (size_t i = 0; i < t.n_shown; i++)
			cr_assert(tui_filter_match(steps[s], &t.rows[t.shown[i]]));
	}
	tui_table_free(&t);
}

Test(console_model, cursor_follows_tenant)
{
	tui_table t;

	fill(&t);
	tui_table_move(&t, 2, 10);
	cr_assert_str_eq(tui_table_selected(&t)->subdomain, "charlie");
	tui_table_set_sort(&t, COL_SUBDOMAIN, 1);
	cr_assert_str_eq(tui_table_selected(&t)->subdomain, "charlie", "sorting keeps the selection");
	cr_assert_eq(t.cursor, 2);
	tui_table_set_filter(&t, "c");
	cr_assert_str_eq(tui_table_selected(&t)->subdomain, "charlie", "filtering keeps the selection");
	tui_table_set_filter(&t, "echo");
	cr_assert_str_eq(tui_table_selected(&t)->subdomain, "echo", "a hidden selection moves");
	tui_table_set_filter(&t, "nothing-matches");
	cr_assert_null(tui_table_selected(&t));
	tui_table_free(&t);
}

Test(console_model, upsert_replaces_and_inserts)
{
	tui_table t;
	tui_row changed = row(2, "bravo", "Bravo Store", "enterprise", "suspended", "2024-01-02 10:00", 5);
	tui_row added = row(0, "aaa-first", "First", "basic", "active", "2024-01-06 10:00", 1);

	fill(&t);
	tui_table_move(&t, 1, 10);
	cr_assert_str_eq(tui_table_selected(&t)->subdomain, "bravo");
	tui_table_upsert(&t, &changed);
	tui_table_upsert(&t, &added);
	cr_assert_null(tui_table_selected(&t), "no selection while the rows are stale");
	tui_table_refresh(&t);
	cr_assert_eq(t.n_rows, 6);
	cr_assert_str_eq(tui_table_selected(&t)->subdomain, "bravo", "the selection survives inserts");
	cr_assert_str_eq(tui_table_selected(&t)->status, "suspended");
	cr_assert_eq(t.rows[0].id, 0, "rows stay ordered by id");
	cr_assert_str_eq(shown(&t, 0), "aaa-first");
	cr_assert_str_eq(tui_table_find(&t, "echo")->name, "Echo Lab");
	cr_assert_null(tui_table_find(&t, "missing"));
	tui_table_free(&t);
}

Test(console_model, paging_keeps_cursor_visible)
{
	static char names[1000][16];
	tui_table t;

	tui_table_init(&t);
	for (int i = 0; i < 1000; i++) {
		tui_row r = row(i, names[i], names[i], "basic", "active", "2024-01-01 00:00", 1);

		snprintf(names[i], sizeof(names[i]), "shop%04d", i);
		tui_table_upsert(&t, &r);
	}
	tui_table_refresh(&t);
	tui_table_move(&t, 20, 20);
	cr_assert_eq(t.cursor, 20);
	cr_assert_eq(t.top, 1, "the page scrolls by one line at its bottom edge");
	tui_table_move(&t, 100000, 20);
	cr_assert_eq(t.cursor, 999);
	cr_assert_eq(t.top, 980);
	tui_table_move(&t, -100000, 20);
	cr_assert_eq(t.cursor, 0);
	cr_assert_eq(t.top, 0);
	tui_table_free(&t);
}

Test(console_model, empty_table_is_safe)
{
	tui_table t;

	tui_table_init(&t);
	tui_table_refresh(&t);
	tui_table_move(&t, 5, 10);
	tui_table_set_filter(&t, "x");
	cr_assert_null(tui_table_selected(&t));
	cr_assert_eq(t.cursor, 0);
	tui_table_free(&t);
}

/* ---- audit filter line ---- */

Test(console_model, audit_query_parts)
{
	tui_audit_query q;

	tui_audit_query_parse("  tenant:shop1 action:suspend  by alice ", &q);
	cr_assert_str_eq(q.tenant, "shop1");
	cr_assert_str_eq(q.action, "suspend");
	cr_assert_str_eq(q.text, "by alice");
	tui_audit_query_parse("tenant: plain", &q);
	cr_assert_str_eq(q.tenant, "", "an empty tenant: is text");
	cr_assert_str_eq(q.text, "tenant: plain");
}

/* ---- key table ---- */

Test(console_keys, no_key_has_two_meanings)
{
	size_t n;
	const tui_key *keys_table = tui_keys_table(&n);

	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			cr_assert(keys_table[i].code != keys_table[j].code ||
				  keys_table[i].section != keys_table[j].section ||
				  keys_table[i].action == keys_table[j].action,
				  "key %s has two actions in section %u", keys_table[i].label,
				  keys_table[i].section);
}

Test(console_keys, every_key_documented)
{
	size_t n;
	const tui_key *keys_table = tui_keys_table(&n);

	for (size_t i = 0; i < n; i++) {
		unsigned contexts;

		cr_assert(keys_table[i].label && keys_table[i].label[0]);
		cr_assert(keys_table[i].help && keys_table[i].help[0], "key %s has no help",
			  keys_table[i].label);
		cr_assert(tui_keys_section_title(keys_table[i].section, &contexts)[0]);
		cr_assert_neq(contexts, 0);
	}
}

Test(console_keys, lookup_by_context)
{
	cr_assert_eq(tui_keys_lookup(TUI_CTX_TENANTS, 'q', 0), ACT_QUIT);
	cr_assert_eq(tui_keys_lookup(TUI_CTX_DETAIL, 'q', 0), ACT_BACK);
	cr_assert_eq(tui_keys_lookup(TUI_CTX_TENANTS, 'j', 0), ACT_DOWN);
	cr_assert_eq(tui_keys_lookup(TUI_CTX_TENANTS, TUI_FN(KEY_DOWN), 0), ACT_DOWN);
	cr_assert_eq(tui_keys_lookup(TUI_CTX_FORM, TUI_FN(KEY_DOWN), 0), ACT_NEXT_FIELD);
	cr_assert_eq(tui_keys_lookup(TUI_CTX_FORM, 'j', 0), ACT_NONE, "letters are text in the form");
	cr_assert_eq(tui_keys_lookup(TUI_CTX_PROMPT, TUI_CTRL('U'), 0), ACT_CLEAR_FIELD);
	cr_assert_eq(tui_keys_lookup(TUI_CTX_AUDIT, TUI_CTRL('U'), 0), ACT_HALF_UP);
	cr_assert_eq(tui_keys_lookup(TUI_CTX_TENANTS, TUI_ESC, 0), ACT_CLEAR_FILTER);
	cr_assert_eq(tui_keys_lookup(TUI_CTX_REVIEW, 'r', 0), ACT_RETRY);
	cr_assert_eq(tui_keys_lookup(TUI_CTX_TENANTS, 'r', 0), ACT_RESUME);
	cr_assert_eq(tui_keys_lookup(TUI_CTX_QUESTION, 'y', 0), ACT_YES);
}

Test(console_keys, read_only_hides_actions)
{
	char bar[256];

	cr_assert_eq(tui_keys_lookup(TUI_CTX_TENANTS, 's', 1), ACT_NONE);
	cr_assert_eq(tui_keys_lookup(TUI_CTX_TENANTS, 'n', 1), ACT_NONE);
	cr_assert_eq(tui_keys_lookup(TUI_CTX_TENANTS, 'a', 1), ACT_NONE);
	cr_assert_eq(tui_keys_lookup(TUI_CTX_REVIEW, 'd', 1), ACT_NONE);
	cr_assert_eq(tui_keys_lookup(TUI_CTX_TENANTS, '/', 1), ACT_FILTER);
	tui_keys_bar(TUI_CTX_TENANTS, 1, 200, bar, sizeof(bar));
	cr_assert_null(strstr(bar, "Suspend"), "bar: %s", bar);
	cr_assert_null(strstr(bar, "New"), "bar: %s", bar);
	cr_assert_not_null(strstr(bar, "Filter"), "bar: %s", bar);
}

Test(console_keys, bar_fits_and_keeps_quit)
{
	char bar[256];

	for (size_t width = 20; width <= 200; width += 10) {
		size_t len = tui_keys_bar(TUI_CTX_TENANTS, 0, width, bar, sizeof(bar));

		cr_assert_leq(len, width, "bar of %zu columns for width %zu: %s", len, width, bar);
		cr_assert_eq(strlen(bar), len);
		cr_assert_not_null(strstr(bar, "q Quit"), "width %zu: %s", width, bar);
	}
	tui_keys_bar(TUI_CTX_TENANTS, 0, 200, bar, sizeof(bar));
	cr_assert_eq(strncmp(bar, "? Help", 6), 0, "help comes first: %s", bar);
	tui_keys_bar(TUI_CTX_DETAIL, 0, 80, bar, sizeof(bar));
	cr_assert_not_null(strstr(bar, "q Back"), "bar: %s", bar);
	tui_keys_bar(TUI_CTX_FORM, 0, 80, bar, sizeof(bar));
	cr_assert_not_null(strstr(bar, "F10 Provision"), "bar: %s", bar);
	cr_assert_not_null(strstr(bar, "Esc Cancel"), "bar: %s", bar);
}

/* Returns 1 when the help of CTX lists KEYS_TEXT for an entry whose text contains FRAGMENT. */
static int
help_lists(unsigned ctx, const char *keys_text, const char *fragment)
{
	tui_help_line lines[256];
	size_t n = tui_keys_help(ctx, 0, lines, 256);

	for (size_t i = 0; i < n; i++)
		if (!lines[i].is_title && strcmp(lines[i].keys, keys_text) == 0 &&
		    strstr(lines[i].text, fragment))
			return 1;
	return 0;
}

Test(console_keys, help_groups_keys_of_one_action)
{
	cr_assert(help_lists(TUI_CTX_TENANTS, "j, Down", "down one line"));
	cr_assert(help_lists(TUI_CTX_TENANTS, "Enter, l, Right", "detail"),
		  "the three Enter codes appear once");
	cr_assert(help_lists(TUI_CTX_FORM, "F10", "provision"));
	cr_assert_not(help_lists(TUI_CTX_TENANTS, "F10", "provision"), "form keys only in the form");
}

Test(console_keys, resume_asks_for_reason)
{
	cr_assert(help_lists(TUI_CTX_TENANTS, "r", "subdomain and a reason"),
		  "the tenants help says resume asks for a reason");
	cr_assert(help_lists(TUI_CTX_DETAIL, "r", "subdomain and a reason"),
		  "the detail help says resume asks for a reason");
}

Test(console_keys, help_covers_every_key)
{
	size_t n;
	const tui_key *keys_table = tui_keys_table(&n);
	tui_help_line lines[256];
	size_t n_lines = tui_keys_help(0, 0, lines, 256);

	cr_assert_lt(n_lines, 256, "the help may have been cut");
	for (size_t i = 0; i < n; i++) {
		int found = 0;

		for (size_t l = 0; l < n_lines && !found; l++)
			found = !lines[l].is_title && strstr(lines[l].keys, keys_table[i].label) &&
				strcmp(lines[l].text, keys_table[i].help) == 0;
		cr_assert(found, "key %s (%s) is missing from the help", keys_table[i].label,
			  keys_table[i].help);
	}
}

/* Reads the whole file PATH into a new string. */
static char *
read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *text;
	long size;

	cr_assert_not_null(f, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	rewind(f);
	text = calloc(1, (size_t)size + 1);
	cr_assert_eq(fread(text, 1, (size_t)size, f), (size_t)size);
	fclose(f);
	return text;
}

Test(console_keys, manual_lists_generated_keys)
{
	const char *root = getenv("APEX_ROOT");
	char path[4096];
	char *page, *generated = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&generated, &size);

	tui_keys_print_man(out);
	fclose(out);
	snprintf(path, sizeof(path), "%s/man/apex-console.1", root ? root : ".");
	page = read_file(path);
	cr_assert_not_null(strstr(page, generated),
			   "man/apex-console.1 does not contain the KEYS section generated from the "
			   "key table; regenerate it with \"build/apex-console --print-man-keys\"");
	free(page);
	free(generated);
}

Test(console_keys, manual_names_every_key)
{
	const char *root = getenv("APEX_ROOT");
	char path[4096];
	size_t n;
	const tui_key *keys_table = tui_keys_table(&n);
	char *page;

	snprintf(path, sizeof(path), "%s/man/apex-console.1", root ? root : ".");
	page = read_file(path);
	for (size_t i = 0; i < n; i++) {
		char label[64];
		size_t k = 0;

		/* roff writes "-" as "\-" */
		for (const char *p = keys_table[i].label; *p && k + 2 < sizeof(label); p++) {
			if (*p == '-')
				label[k++] = '\\';
			label[k++] = *p;
		}
		label[k] = '\0';
		cr_assert_not_null(strstr(page, label), "key %s is not in the manual", keys_table[i].label);
	}
	free(page);
}
