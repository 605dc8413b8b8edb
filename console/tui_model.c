/*
 * tui_model.c - sorting, filtering and paging the tenants table in memory.
 *
 * Rows are kept ordered by id, so an upsert is a binary search.  "order" is
 * a permutation of the rows in sort order, and "shown" the filtered subset
 * of it.  Sorting costs O(n log n) and runs only when the sort or the rows
 * change; filtering is one pass over the rows, or over the rows shown when
 * the new filter narrows the old one.
 */
#include "tui_model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const column_titles[COL_COUNT] = {
	"SUBDOMAIN", "NAME", "PLAN", "STATUS", "CREATED (UTC)", "PROV ms"
};

const char *
tui_column_title(tui_column column)
{
	return column < COL_COUNT ? column_titles[column] : "";
}

static void *
xrealloc(void *p, size_t n, size_t size)
{
	void *q = realloc(p, (n ? n : 1) * size);

	if (!q)
		abort();
	return q;
}

void
tui_table_init(tui_table *t)
{
	memset(t, 0, sizeof(*t));
}

void
tui_table_free(tui_table *t)
{
	free(t->rows);
	free(t->order);
	free(t->shown);
	memset(t, 0, sizeof(*t));
}

/* Remembers the selected tenant before row indexes change under the cursor. */
static void
mark_stale(tui_table *t)
{
	const tui_row *selected;

	if (t->stale)
		return;
	selected = tui_table_selected(t);
	t->keep_id = selected ? selected->id : -1;
	t->stale = 1;
}

void
tui_table_clear(tui_table *t)
{
	mark_stale(t);
	t->n_rows = 0;
	t->n_shown = 0;
	t->cursor = 0;
	t->top = 0;
}

/* Returns the index of the first row with an id >= ID. */
static size_t
lower_bound(const tui_table *t, long long id)
{
	size_t lo = 0, hi = t->n_rows;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->rows[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void
tui_table_upsert(tui_table *t, const tui_row *row)
{
	size_t at = lower_bound(t, row->id);

	mark_stale(t);
	if (at < t->n_rows && t->rows[at].id == row->id) {
		t->rows[at] = *row;
		return;
	}
	if (t->n_rows == t->cap_rows) {
		t->cap_rows = t->cap_rows ? t->cap_rows * 2 : 1024;
		t->rows = xrealloc(t->rows, t->cap_rows, sizeof(*t->rows));
		t->order = xrealloc(t->order, t->cap_rows, sizeof(*t->order));
		t->shown = xrealloc(t->shown, t->cap_rows, sizeof(*t->shown));
	}
	memmove(&t->rows[at + 1], &t->rows[at], (t->n_rows - at) * sizeof(*t->rows));
	t->rows[at] = *row;
	t->n_rows++;
}

/* ---- sorting ---- */

static int
compare_column(const tui_row *a, const tui_row *b, tui_column column)
{
	switch (column) {
	case COL_NAME:
		return strcmp(a->name, b->name);
	case COL_PLAN:
		return strcmp(a->plan, b->plan);
	case COL_STATUS:
		return strcmp(a->status, b->status);
	case COL_CREATED:
		return strcmp(a->created, b->created);
	case COL_PROVISIONING:
		return (a->provisioning_ms > b->provisioning_ms) - (a->provisioning_ms < b->provisioning_ms);
	default:
		return 0;
	}
}

/* qsort() has no context argument; sorting is single-threaded. */
static const tui_table *sorting;

static int
compare_rows(const void *pa, const void *pb)
{
	const tui_row *a = &sorting->rows[*(const size_t *)pa];
	const tui_row *b = &sorting->rows[*(const size_t *)pb];
	int c = compare_column(a, b, sorting->sort_column);

	/* subdomains are unique, so ties always resolve the same way */
	if (c == 0)
		c = strcmp(a->subdomain, b->subdomain);
	return sorting->descending ? -c : c;
}

static void
sort_rows(tui_table *t)
{
	/* an empty table has no arrays yet, and qsort() must not get NULL */
	if (t->n_rows == 0)
		return;
	for (size_t i = 0; i < t->n_rows; i++)
		t->order[i] = i;
	sorting = t;
	qsort(t->order, t->n_rows, sizeof(*t->order), compare_rows);
	sorting = NULL;
}

/* ---- filtering ---- */

static char
lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Returns 1 when the LEN bytes of NEEDLE (lowercase) occur in HAYSTACK. */
static int
contains(const char *haystack, const char *needle, size_t len)
{
	if (len == 0)
		return 1;
	for (; *haystack; haystack++) {
		size_t i = 0;

		while (i < len && haystack[i] && lower(haystack[i]) == needle[i])
			i++;
		if (i == len)
			return 1;
	}
	return 0;
}

static int
starts_with(const char *s, const char *prefix, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!s[i] || lower(s[i]) != prefix[i])
			return 0;
	return 1;
}

/* A filter word: the column it is limited to (-1: any) and its text, lowercased. */
typedef struct word {
	int column;
	char text[TUI_FILTER_MAX];
	size_t len;
} word;

static const struct {
	const char *key;
	tui_column column;
} filter_keys[] = {
	{ "status:", COL_STATUS }, { "plan:", COL_PLAN }, { "name:", COL_NAME },
	{ "sub:", COL_SUBDOMAIN },
};

static void
parse_word(const char *start, size_t len, word *w)
{
	w->column = -1;
	for (size_t k = 0; k < sizeof(filter_keys) / sizeof(filter_keys[0]); k++) {
		size_t klen = strlen(filter_keys[k].key);

		if (len >= klen && strncmp(start, filter_keys[k].key, klen) == 0) {
			w->column = (int)filter_keys[k].column;
			start += klen;
			len -= klen;
			break;
		}
	}
	w->len = len < TUI_FILTER_MAX ? len : TUI_FILTER_MAX - 1;
	for (size_t i = 0; i < w->len; i++)
		w->text[i] = lower(start[i]);
	w->text[w->len] = '\0';
}

/* Splits FILTER into at most MAX words; returns how many. */
static size_t
parse_filter(const char *filter, word *words, size_t max)
{
	size_t n = 0;

	while (*filter && n < max) {
		size_t len;

		while (*filter == ' ')
			filter++;
		len = strcspn(filter, " ");
		if (len == 0)
			break;
		parse_word(filter, len, &words[n++]);
		filter += len;
	}
	return n;
}

static const char *
column_text(const tui_row *row, int column)
{
	switch (column) {
	case COL_SUBDOMAIN: return row->subdomain;
	case COL_NAME: return row->name;
	case COL_PLAN: return row->plan;
	case COL_STATUS: return row->status;
	default: return "";
	}
}

static int
word_matches(const word *w, const tui_row *row)
{
	if (w->column >= 0)
		return starts_with(column_text(row, w->column), w->text, w->len);
	return contains(row->subdomain, w->text, w->len) || contains(row->name, w->text, w->len) ||
	       contains(row->plan, w->text, w->len) || contains(row->status, w->text, w->len);
}

#define MAX_WORDS 16

static int
words_match(const word *words, size_t n, const tui_row *row)
{
	for (size_t i = 0; i < n; i++)
		if (!word_matches(&words[i], row))
			return 0;
	return 1;
}

int
tui_filter_match(const char *filter, const tui_row *row)
{
	word words[MAX_WORDS];
	size_t n = parse_filter(filter, words, MAX_WORDS);

	return words_match(words, n, row);
}

int
tui_filter_narrows(const char *old_filter, const char *new_filter)
{
	word old_words[MAX_WORDS], new_words[MAX_WORDS];
	size_t n_old = parse_filter(old_filter, old_words, MAX_WORDS);
	size_t n_new = parse_filter(new_filter, new_words, MAX_WORDS);

	if (n_new < n_old || n_new == MAX_WORDS)
		return 0;
	/*
	 * Each old word must reappear limited to the same column with its text
	 * extended: whatever contains (or starts with) the longer text also
	 * contains (or starts with) the shorter one.  Extra words only narrow.
	 */
	for (size_t i = 0; i < n_old; i++) {
		const word *o = &old_words[i], *w = &new_words[i];

		if (o->column != w->column || w->len < o->len || strncmp(w->text, o->text, o->len) != 0)
			return 0;
	}
	return 1;
}

/* ---- cursor ---- */

const tui_row *
tui_table_selected(const tui_table *t)
{
	return t->n_shown && !t->stale ? &t->rows[t->shown[t->cursor]] : NULL;
}

const tui_row *
tui_table_find(const tui_table *t, const char *subdomain)
{
	for (size_t i = 0; i < t->n_rows; i++)
		if (strcmp(t->rows[i].subdomain, subdomain) == 0)
			return &t->rows[i];
	return NULL;
}

/* Puts the cursor on the row with ID when it is shown, else keeps its index in range. */
static void
restore_cursor(tui_table *t, long long id)
{
	if (id >= 0) {
		for (size_t i = 0; i < t->n_shown; i++) {
			if (t->rows[t->shown[i]].id == id) {
				t->cursor = i;
				return;
			}
		}
	}
	if (t->cursor >= t->n_shown)
		t->cursor = t->n_shown ? t->n_shown - 1 : 0;
}

static void
filter_rows(tui_table *t, const char *filter, int narrow)
{
	word words[MAX_WORDS];
	size_t n_words = parse_filter(filter, words, MAX_WORDS);
	const tui_row *selected = tui_table_selected(t);
	long long id = selected ? selected->id : -1;
	size_t n = 0;

	if (narrow) {
		for (size_t i = 0; i < t->n_shown; i++)
			if (words_match(words, n_words, &t->rows[t->shown[i]]))
				t->shown[n++] = t->shown[i];
	} else {
		for (size_t i = 0; i < t->n_rows; i++)
			if (words_match(words, n_words, &t->rows[t->order[i]]))
				t->shown[n++] = t->order[i];
	}
	t->n_shown = n;
	snprintf(t->filter, sizeof(t->filter), "%s", filter);
	restore_cursor(t, id);
}

void
tui_table_set_filter(tui_table *t, const char *filter)
{
	char copy[TUI_FILTER_MAX];

	snprintf(copy, sizeof(copy), "%s", filter);
	filter_rows(t, copy, tui_filter_narrows(t->filter, copy));
}

void
tui_table_refresh(tui_table *t)
{
	char filter[TUI_FILTER_MAX];
	const tui_row *selected = tui_table_selected(t);
	long long id = -1;

	if (t->stale)
		id = t->keep_id;
	else if (selected)
		id = selected->id;

	t->stale = 0;
	sort_rows(t);
	snprintf(filter, sizeof(filter), "%s", t->filter);
	t->n_shown = 0;
	filter_rows(t, filter, 0);
	restore_cursor(t, id);
}

void
tui_table_set_sort(tui_table *t, tui_column column, int descending)
{
	t->sort_column = column < COL_COUNT ? column : COL_SUBDOMAIN;
	t->descending = descending;
	tui_table_refresh(t);
}

void
tui_table_scroll(tui_table *t, size_t page)
{
	if (page == 0)
		page = 1;
	if (t->cursor < t->top)
		t->top = t->cursor;
	else if (t->cursor >= t->top + page)
		t->top = t->cursor - page + 1;
	if (t->n_shown <= page)
		t->top = 0;
	else if (t->top > t->n_shown - page)
		t->top = t->n_shown - page;
}

void
tui_table_move(tui_table *t, long delta, size_t page)
{
	long target = (long)t->cursor + delta;

	if (t->n_shown == 0) {
		t->cursor = t->top = 0;
		return;
	}
	if (target < 0)
		target = 0;
	if ((size_t)target >= t->n_shown)
		target = (long)t->n_shown - 1;
	t->cursor = (size_t)target;
	tui_table_scroll(t, page);
}

/* ---- audit filter ---- */

static void
append_text(char *buf, size_t size, const char *start, size_t len)
{
	size_t used = strlen(buf);

	if (used && used + 1 < size)
		buf[used++] = ' ';
	snprintf(buf + used, size - used, "%.*s", (int)len, start);
}

void
tui_audit_query_parse(const char *line, tui_audit_query *out)
{
	memset(out, 0, sizeof(*out));
	while (*line) {
		size_t len;

		while (*line == ' ')
			line++;
		len = strcspn(line, " ");
		if (len == 0)
			break;
		if (len > 7 && strncmp(line, "tenant:", 7) == 0)
			snprintf(out->tenant, sizeof(out->tenant), "%.*s", (int)(len - 7), line + 7);
		else if (len > 7 && strncmp(line, "action:", 7) == 0)
			snprintf(out->action, sizeof(out->action), "%.*s", (int)(len - 7), line + 7);
		else
			append_text(out->text, sizeof(out->text), line, len);
		line += len;
	}
}
