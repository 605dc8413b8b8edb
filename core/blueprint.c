/*
 * blueprint.c - loads and validates blueprint files with libyaml.
 *
 * The loader pulls libyaml parser events one at a time and checks each one
 * against the schema of apex-blueprint(5) as it arrives.  It never builds a
 * document tree, and it stops at the first node of the wrong type, so a
 * nested structure can never go deeper than the schema itself (three levels:
 * top-level mapping, sequence, item mapping).  Anchors, aliases, tags and
 * further documents are rejected where libyaml reports them, so nothing is
 * ever expanded.  Every scalar is text, and numbers and booleans are checked
 * by their spelling.
 */
#include "blueprint.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yaml.h>

#define MAX_IDENT_BYTES 63
#define MAX_SKU_BYTES 32
#define MAX_TITLE_BYTES 200
#define MAX_CATEGORY_BYTES 100
#define MAX_BODY_BYTES 65536
#define MAX_DESCRIPTION_BYTES 4096
#define MAX_SETTING_VALUE_BYTES 4096
#define MAX_PRICE_CENTS 100000000LL
#define MAX_STOCK 1000000000LL

#define MAX_FIELDS 8		/* keys in the largest mapping of the schema */
#define QUOTE_BYTES 60		/* bytes of a value that a message repeats */
#define QUOTE_BUF (QUOTE_BYTES + 4)
#define SUBJECT_BUF 128
#define READ_CHUNK 65536

enum field_kind {
	FIELD_IDENT,		/* identifier from a fixed character set */
	FIELD_LINE,		/* one line of text, not blank */
	FIELD_TEXT,		/* free text, may be empty, "" when absent */
	FIELD_COUNT,		/* integer from 0 to max */
	FIELD_BOOL,		/* true or false */
	FIELD_SETTINGS,
	FIELD_PAGES,
	FIELD_PRODUCTS
};

/* One key of a mapping and how to check and store its value. */
struct field {
	const char *key;
	enum field_kind kind;
	size_t offset;		/* of the member in the target structure */
	int required;
	long long max;		/* bytes for text, value for FIELD_COUNT */
	int (*allowed)(int c);	/* FIELD_IDENT only */
	const char *allowed_text;
};

/* A key that must be unique, with where it was found. */
struct key_ref {
	const char *key;
	size_t index;
	yaml_mark_t mark;
};

struct key_list {
	struct key_ref *refs;
	size_t n;
	size_t cap;
};

struct loader {
	yaml_parser_t parser;
	yaml_event_t event;	/* the current event; valid when has_event */
	int has_event;
	const char *fname;	/* file name for messages */
	const char *data;
	size_t len;
	const char *expected_name;	/* NULL unless loaded by name */
	apex_error *err;
	blueprint *bp;
	size_t settings_cap;
	size_t pages_cap;
	size_t products_cap;
	struct key_list setting_keys;
	struct key_list slugs;
	struct key_list skus;
};

static int
is_name_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-';
}

static int
is_setting_key_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.';
}

static int
is_slug_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

static int
is_sku_char(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

static const struct field top_fields[] = {
	{ "name", FIELD_IDENT, offsetof(blueprint, name), 1, MAX_IDENT_BYTES,
	  is_name_char, "a-z, 0-9, \"_\" and \"-\"" },
	{ "description", FIELD_TEXT, offsetof(blueprint, description), 0,
	  MAX_DESCRIPTION_BYTES, NULL, NULL },
	{ "settings", FIELD_SETTINGS, 0, 0, 0, NULL, NULL },
	{ "pages", FIELD_PAGES, 0, 0, 0, NULL, NULL },
	{ "products", FIELD_PRODUCTS, 0, 0, 0, NULL, NULL },
};

static const struct field page_fields[] = {
	{ "slug", FIELD_IDENT, offsetof(blueprint_page, slug), 1,
	  MAX_IDENT_BYTES, is_slug_char, "a-z, 0-9 and \"-\"" },
	{ "title", FIELD_LINE, offsetof(blueprint_page, title), 1,
	  MAX_TITLE_BYTES, NULL, NULL },
	{ "body", FIELD_TEXT, offsetof(blueprint_page, body), 0,
	  MAX_BODY_BYTES, NULL, NULL },
	{ "published", FIELD_BOOL, offsetof(blueprint_page, published), 0, 0,
	  NULL, NULL },
};

static const struct field product_fields[] = {
	{ "sku", FIELD_IDENT, offsetof(blueprint_product, sku), 1,
	  MAX_SKU_BYTES, is_sku_char, "A-Z, 0-9 and \"-\"" },
	{ "name", FIELD_LINE, offsetof(blueprint_product, name), 1,
	  MAX_TITLE_BYTES, NULL, NULL },
	{ "category", FIELD_LINE, offsetof(blueprint_product, category), 1,
	  MAX_CATEGORY_BYTES, NULL, NULL },
	{ "description", FIELD_TEXT, offsetof(blueprint_product, description),
	  0, MAX_DESCRIPTION_BYTES, NULL, NULL },
	{ "price_cents", FIELD_COUNT, offsetof(blueprint_product, price_cents),
	  1, MAX_PRICE_CENTS, NULL, NULL },
	{ "stock", FIELD_COUNT, offsetof(blueprint_product, stock), 0,
	  MAX_STOCK, NULL, NULL },
};

#define N_FIELDS(table) (sizeof(table) / sizeof((table)[0]))

_Static_assert(N_FIELDS(product_fields) <= MAX_FIELDS, "too many fields");

/* Error reports */

static apex_status __attribute__((format(printf, 3, 4)))
fail_at(struct loader *ld, yaml_mark_t mark, const char *fmt, ...)
{
	char text[APEX_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	return apex_fail(ld->err, APEX_INVALID, "%s:%zu:%zu: %s", ld->fname,
			 mark.line + 1, mark.column + 1, text);
}

static apex_status
fail_memory(apex_error *err)
{
	return apex_fail(err, APEX_FAILED, "out of memory");
}

static apex_status
fail_too_large(const char *fname, apex_error *err)
{
	return apex_fail(err, APEX_INVALID,
			 "%s:1:1: file is larger than the maximum of %d bytes",
			 fname, BLUEPRINT_MAX_FILE_BYTES);
}

/* Returns the code point of the control character at S[I], or -1. */
static long
control_char_at(const unsigned char *s, size_t len, size_t i)
{
	if (s[i] < 0x20 || s[i] == 0x7F)
		return s[i];
	if (s[i] == 0xC2 && i + 1 < len && s[i + 1] >= 0x80 && s[i + 1] <= 0x9F)
		return s[i + 1];
	return -1;
}

/*
 * Copies at most QUOTE_BYTES of VALUE into OUT (QUOTE_BUF bytes) for a
 * message, cut at a UTF-8 character boundary, with control characters shown
 * as '?' and "..." added when VALUE was cut.
 */
static void
quote(char *out, const void *value, size_t len)
{
	const unsigned char *s = value;
	size_t n = len;
	size_t i, used = 0;

	if (n > QUOTE_BYTES) {
		n = QUOTE_BYTES;
		while (n > 0 && (s[n] & 0xC0) == 0x80)
			n--;
	}
	for (i = 0; i < n; i++) {
		if (control_char_at(s, n, i) < 0) {
			out[used++] = (char)s[i];
			continue;
		}
		out[used++] = '?';
		if (s[i] == 0xC2)
			i++;
	}
	strcpy(out + used, n < len ? "..." : "");
}

/*
 * Turns a byte offset into DATA (LEN bytes) into a position.  libyaml
 * reports reader errors (bad UTF-8, control characters) by offset only.
 */
static yaml_mark_t
mark_at_offset(const char *data, size_t len, size_t offset)
{
	yaml_mark_t mark = { 0, 0, 0 };
	size_t i;

	if (offset > len)
		offset = len;
	mark.index = offset;
	for (i = 0; i < offset; i++) {
		if (data[i] == '\n') {
			mark.line++;
			mark.column = 0;
		} else if (((unsigned char)data[i] & 0xC0) != 0x80) {
			mark.column++;
		}
	}
	return mark;
}

static apex_status
fail_yaml(struct loader *ld)
{
	const yaml_parser_t *parser = &ld->parser;
	const char *problem = parser->problem ? parser->problem : "unknown error";

	if (parser->error == YAML_MEMORY_ERROR)
		return fail_memory(ld->err);
	if (parser->error == YAML_READER_ERROR && parser->problem_value >= 0)
		return fail_at(ld, mark_at_offset(ld->data, ld->len, parser->problem_offset),
			       "invalid input: %s (0x%X)", problem,
			       (unsigned)parser->problem_value);
	if (parser->error == YAML_READER_ERROR)
		return fail_at(ld, mark_at_offset(ld->data, ld->len, parser->problem_offset),
			       "invalid input: %s", problem);
	if (parser->context)
		return fail_at(ld, parser->problem_mark,
			       "invalid YAML: %s %s that starts at line %zu, column %zu",
			       problem, parser->context, parser->context_mark.line + 1,
			       parser->context_mark.column + 1);
	return fail_at(ld, parser->problem_mark, "invalid YAML: %s", problem);
}

static const char *
node_kind(yaml_event_type_t type)
{
	switch (type) {
	case YAML_SCALAR_EVENT:
		return "a scalar";
	case YAML_SEQUENCE_START_EVENT:
		return "a sequence";
	case YAML_MAPPING_START_EVENT:
		return "a mapping";
	default:
		return "the end of a collection";
	}
}

/* Events */

static apex_status
reject_anchor_or_tag(struct loader *ld, const yaml_char_t *anchor,
		     const yaml_char_t *tag)
{
	char shown[QUOTE_BUF];

	if (anchor) {
		quote(shown, anchor, strlen((const char *)anchor));
		return fail_at(ld, ld->event.start_mark,
			       "anchor \"&%s\" is not allowed (blueprints must not use anchors or aliases)",
			       shown);
	}
	if (tag) {
		quote(shown, tag, strlen((const char *)tag));
		return fail_at(ld, ld->event.start_mark,
			       "tag \"%s\" is not allowed (blueprints must not use tags)",
			       shown);
	}
	return APEX_OK;
}

/* Rejects the YAML features that a blueprint never needs. */
static apex_status
check_event(struct loader *ld)
{
	const yaml_event_t *event = &ld->event;
	char shown[QUOTE_BUF];

	switch (event->type) {
	case YAML_ALIAS_EVENT:
		quote(shown, event->data.alias.anchor,
		      strlen((const char *)event->data.alias.anchor));
		return fail_at(ld, event->start_mark,
			       "alias \"*%s\" is not allowed (blueprints must not use anchors or aliases)",
			       shown);
	case YAML_SCALAR_EVENT:
		return reject_anchor_or_tag(ld, event->data.scalar.anchor,
					    event->data.scalar.tag);
	case YAML_SEQUENCE_START_EVENT:
		return reject_anchor_or_tag(ld, event->data.sequence_start.anchor,
					    event->data.sequence_start.tag);
	case YAML_MAPPING_START_EVENT:
		return reject_anchor_or_tag(ld, event->data.mapping_start.anchor,
					    event->data.mapping_start.tag);
	default:
		return APEX_OK;
	}
}

/* Replaces the current event with the next one from the parser. */
static apex_status
next_event(struct loader *ld)
{
	if (ld->has_event) {
		yaml_event_delete(&ld->event);
		ld->has_event = 0;
	}
	if (!yaml_parser_parse(&ld->parser, &ld->event))
		return fail_yaml(ld);
	ld->has_event = 1;
	return check_event(ld);
}

static apex_status
expect_type(struct loader *ld, yaml_event_type_t type, const char *subject)
{
	if (ld->event.type == type)
		return APEX_OK;
	return fail_at(ld, ld->event.start_mark, "%s must be %s, not %s",
		       subject, node_kind(type), node_kind(ld->event.type));
}

static const char *
scalar_text(const struct loader *ld)
{
	return (const char *)ld->event.data.scalar.value;
}

static int
scalar_is(const struct loader *ld, const char *text)
{
	return ld->event.data.scalar.length == strlen(text) &&
	       memcmp(scalar_text(ld), text, strlen(text)) == 0;
}

static int
scalar_is_plain(const struct loader *ld)
{
	return ld->event.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

/* Growing arrays */

/* Returns ARRAY with room for N + 1 elements, or NULL with ARRAY intact. */
static void *
grow_array(void *array, size_t *cap, size_t n, size_t size)
{
	size_t new_cap;
	void *grown;

	if (n < *cap)
		return array;
	new_cap = *cap ? *cap * 2 : 16;
	grown = realloc(array, new_cap * size);
	if (grown)
		*cap = new_cap;
	return grown;
}

static apex_status
add_key_ref(struct loader *ld, struct key_list *list, const char *key,
	    size_t index, yaml_mark_t mark)
{
	struct key_ref *refs;

	refs = grow_array(list->refs, &list->cap, list->n, sizeof(*refs));
	if (!refs)
		return fail_memory(ld->err);
	list->refs = refs;
	refs[list->n].key = key;
	refs[list->n].index = index;
	refs[list->n].mark = mark;
	list->n++;
	return APEX_OK;
}

static int
compare_key_refs(const void *a, const void *b)
{
	const struct key_ref *x = a;
	const struct key_ref *y = b;
	int order = strcmp(x->key, y->key);

	if (order)
		return order;
	return (x->index > y->index) - (x->index < y->index);
}

/*
 * Finds the repeated key that comes first in the file, and the earlier key
 * it repeats.  Sorting keeps this O(n log n) for 10000 SKUs.  Reorders LIST.
 */
static int
find_duplicate(struct key_list *list, struct key_ref *dup,
	       struct key_ref *first)
{
	size_t group = 0;
	int found = 0;
	size_t i;

	if (list->n < 2)
		return 0;
	qsort(list->refs, list->n, sizeof(*list->refs), compare_key_refs);
	for (i = 1; i < list->n; i++) {
		if (strcmp(list->refs[group].key, list->refs[i].key) != 0) {
			group = i;
			continue;
		}
		if (found && list->refs[i].index >= dup->index)
			continue;
		*dup = list->refs[i];
		*first = list->refs[group];
		found = 1;
	}
	return found;
}

/* Scalar values */

static apex_status
copy_scalar(struct loader *ld, char **dst)
{
	size_t len = ld->event.data.scalar.length;
	char *copy = malloc(len + 1);

	if (!copy)
		return fail_memory(ld->err);
	memcpy(copy, scalar_text(ld), len);
	copy[len] = '\0';
	*dst = copy;
	return APEX_OK;
}

static int
is_blank(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] != ' ')
			return 0;
	return 1;
}

/*
 * Checks text for length and control characters.  ONE_LINE text must not be
 * blank and allows no control characters, other text allows tab, line feed
 * and carriage return.
 */
static apex_status
check_text(struct loader *ld, const char *subject, size_t max, int one_line)
{
	const unsigned char *s = ld->event.data.scalar.value;
	size_t len = ld->event.data.scalar.length;
	char shown[QUOTE_BUF];
	size_t i;
	long c;

	if (one_line && is_blank((const char *)s, len))
		return fail_at(ld, ld->event.start_mark,
			       "%s must not be empty", subject);
	if (len > max)
		return fail_at(ld, ld->event.start_mark,
			       "%s is too long: %zu bytes, the maximum is %zu",
			       subject, len, max);
	for (i = 0; i < len; i++) {
		c = control_char_at(s, len, i);
		if (c < 0 || (!one_line && (c == '\t' || c == '\n' || c == '\r')))
			continue;
		quote(shown, s, len);
		return fail_at(ld, ld->event.start_mark,
			       "%s contains control character U+%04lX, which is not allowed: \"%s\"",
			       subject, (unsigned long)c, shown);
	}
	return APEX_OK;
}

static apex_status
check_ident(struct loader *ld, const char *subject, const struct field *f)
{
	const char *s = scalar_text(ld);
	size_t len = ld->event.data.scalar.length;
	char shown[QUOTE_BUF];
	size_t i;

	if (len == 0)
		return fail_at(ld, ld->event.start_mark,
			       "%s must not be empty", subject);
	for (i = 0; i < len && f->allowed((unsigned char)s[i]); i++)
		;
	if (i == len && len <= (size_t)f->max)
		return APEX_OK;
	quote(shown, s, len);
	return fail_at(ld, ld->event.start_mark,
		       "%s must be 1 to %lld characters from %s: \"%s\"",
		       subject, f->max, f->allowed_text, shown);
}

/* Returns why the current scalar is not a plain decimal integer, or NULL. */
static const char *
integer_problem(const struct loader *ld)
{
	const char *s = scalar_text(ld);
	size_t len = ld->event.data.scalar.length;
	size_t digits = strspn(s, "0123456789");

	if (!scalar_is_plain(ld))
		return "must be an unquoted integer";
	if (s[0] == '-' && len > 1 && strspn(s + 1, "0123456789") == len - 1)
		return "must not be negative";
	if (digits != len)
		return "must be an integer of decimal digits only";
	if (len > 1 && s[0] == '0')
		return "must not have leading zeros";
	return NULL;
}

static apex_status
parse_count(struct loader *ld, const char *subject, long long max,
	    long long *out)
{
	const char *s = scalar_text(ld);
	size_t len = ld->event.data.scalar.length;
	const char *problem = integer_problem(ld);
	char shown[QUOTE_BUF];
	long long value = 0;
	size_t i;

	if (len == 0)
		return fail_at(ld, ld->event.start_mark,
			       "%s must not be empty", subject);
	quote(shown, s, len);
	if (problem)
		return fail_at(ld, ld->event.start_mark, "%s %s: \"%s\"",
			       subject, problem, shown);
	for (i = 0; i < len; i++) {
		if (value > (max - (s[i] - '0')) / 10)
			return fail_at(ld, ld->event.start_mark,
				       "%s is out of range: \"%s\", the maximum is %lld",
				       subject, shown, max);
		value = value * 10 + (s[i] - '0');
	}
	*out = value;
	return APEX_OK;
}

static apex_status
parse_bool(struct loader *ld, const char *subject, int *out)
{
	char shown[QUOTE_BUF];

	if (scalar_is_plain(ld) && scalar_is(ld, "true")) {
		*out = 1;
		return APEX_OK;
	}
	if (scalar_is_plain(ld) && scalar_is(ld, "false")) {
		*out = 0;
		return APEX_OK;
	}
	quote(shown, scalar_text(ld), ld->event.data.scalar.length);
	return fail_at(ld, ld->event.start_mark,
		       "%s must be true or false, unquoted: \"%s\"",
		       subject, shown);
}

/* Checks the current scalar and stores it in the member that F names. */
static apex_status
store_scalar(struct loader *ld, const struct field *f, void *obj,
	     const char *subject)
{
	char *member = (char *)obj + f->offset;
	apex_status status = APEX_OK;

	switch (f->kind) {
	case FIELD_IDENT:
		status = check_ident(ld, subject, f);
		break;
	case FIELD_LINE:
	case FIELD_TEXT:
		status = check_text(ld, subject, (size_t)f->max,
				    f->kind == FIELD_LINE);
		break;
	case FIELD_COUNT:
		return parse_count(ld, subject, f->max, (long long *)member);
	case FIELD_BOOL:
		return parse_bool(ld, subject, (int *)member);
	default:
		break;
	}
	if (status != APEX_OK)
		return status;
	return copy_scalar(ld, (char **)member);
}

/* Mappings */

static apex_status parse_settings(struct loader *ld);
static apex_status parse_pages(struct loader *ld);
static apex_status parse_products(struct loader *ld);

/* Reads the value of key F and stores it.  MARK receives its position. */
static apex_status
parse_field(struct loader *ld, const struct field *f, void *obj,
	    const char *where, yaml_mark_t *mark)
{
	char subject[SUBJECT_BUF];
	apex_status status;

	snprintf(subject, sizeof(subject), "\"%s\" %s", f->key, where);
	status = next_event(ld);
	if (status != APEX_OK)
		return status;
	*mark = ld->event.start_mark;
	switch (f->kind) {
	case FIELD_SETTINGS:
		return parse_settings(ld);
	case FIELD_PAGES:
		return parse_pages(ld);
	case FIELD_PRODUCTS:
		return parse_products(ld);
	default:
		status = expect_type(ld, YAML_SCALAR_EVENT, subject);
		if (status != APEX_OK)
			return status;
		return store_scalar(ld, f, obj, subject);
	}
}

static apex_status
fail_unknown_key(struct loader *ld, const struct field *fields, size_t n,
		 const char *where)
{
	char allowed[256] = "";
	char shown[QUOTE_BUF];
	size_t i;

	for (i = 0; i < n; i++) {
		if (i > 0)
			strcat(allowed, ", ");
		strcat(allowed, fields[i].key);
	}
	quote(shown, scalar_text(ld), ld->event.data.scalar.length);
	return fail_at(ld, ld->event.start_mark,
		       "unknown key \"%s\" %s, expected one of: %s",
		       shown, where, allowed);
}

/* Finds the field for the current key event and marks it as seen. */
static apex_status
match_key(struct loader *ld, const struct field *fields, size_t n,
	  const char *where, unsigned *seen, size_t *index)
{
	char subject[SUBJECT_BUF];
	apex_status status;
	size_t i;

	snprintf(subject, sizeof(subject), "key %s", where);
	status = expect_type(ld, YAML_SCALAR_EVENT, subject);
	if (status != APEX_OK)
		return status;
	for (i = 0; i < n && !scalar_is(ld, fields[i].key); i++)
		;
	if (i == n)
		return fail_unknown_key(ld, fields, n, where);
	if (*seen & (1u << i))
		return fail_at(ld, ld->event.start_mark,
			       "duplicate key \"%s\" %s", fields[i].key, where);
	*seen |= 1u << i;
	*index = i;
	return APEX_OK;
}

/* Checks required keys and fills absent text with "". */
static apex_status
finish_mapping(struct loader *ld, const struct field *fields, size_t n,
	       void *obj, const char *where, yaml_mark_t start, unsigned seen)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char **member = (char **)((char *)obj + fields[i].offset);

		if (seen & (1u << i))
			continue;
		if (fields[i].required)
			return fail_at(ld, start, "missing required key \"%s\" %s",
				       fields[i].key, where);
		if (fields[i].kind == FIELD_TEXT && !(*member = strdup("")))
			return fail_memory(ld->err);
	}
	return APEX_OK;
}

/*
 * Parses the mapping whose MAPPING-START is the current event into OBJ.
 * MARKS[i] receives the position of the value of FIELDS[i].
 */
static apex_status
parse_mapping(struct loader *ld, const struct field *fields, size_t n,
	      void *obj, const char *where, yaml_mark_t *marks)
{
	yaml_mark_t start = ld->event.start_mark;
	unsigned seen = 0;
	apex_status status;
	size_t i = 0;

	for (;;) {
		status = next_event(ld);
		if (status != APEX_OK)
			return status;
		if (ld->event.type == YAML_MAPPING_END_EVENT)
			break;
		status = match_key(ld, fields, n, where, &seen, &i);
		if (status == APEX_OK)
			status = parse_field(ld, &fields[i], obj, where, &marks[i]);
		if (status != APEX_OK)
			return status;
	}
	return finish_mapping(ld, fields, n, obj, where, start, seen);
}

/* Settings */

static apex_status
add_setting(struct loader *ld, blueprint_setting **slot)
{
	blueprint *bp = ld->bp;
	blueprint_setting *settings;

	if (bp->n_settings == BLUEPRINT_MAX_SETTINGS)
		return fail_at(ld, ld->event.start_mark,
			       "too many settings, the maximum is %d",
			       BLUEPRINT_MAX_SETTINGS);
	settings = grow_array(bp->settings, &ld->settings_cap,
			      bp->n_settings, sizeof(*settings));
	if (!settings)
		return fail_memory(ld->err);
	bp->settings = settings;
	*slot = &settings[bp->n_settings++];
	memset(*slot, 0, sizeof(**slot));
	return APEX_OK;
}

static const struct field setting_key_field = {
	"key", FIELD_IDENT, 0, 1, MAX_IDENT_BYTES, is_setting_key_char,
	"a-z, 0-9, \"_\" and \".\""
};

/* Checks the setting key that is the current event and adds the setting. */
static apex_status
parse_setting_key(struct loader *ld, blueprint_setting **setting)
{
	apex_status status;

	status = expect_type(ld, YAML_SCALAR_EVENT, "setting key");
	if (status == APEX_OK)
		status = check_ident(ld, "setting key", &setting_key_field);
	if (status == APEX_OK)
		status = add_setting(ld, setting);
	if (status == APEX_OK)
		status = copy_scalar(ld, &(*setting)->key);
	if (status != APEX_OK)
		return status;
	return add_key_ref(ld, &ld->setting_keys, (*setting)->key,
			   ld->bp->n_settings - 1, ld->event.start_mark);
}

/* Parses one "key: value" pair whose key is the current event. */
static apex_status
parse_setting(struct loader *ld)
{
	char subject[SUBJECT_BUF];
	blueprint_setting *setting = NULL;
	apex_status status;

	status = parse_setting_key(ld, &setting);
	if (status == APEX_OK)
		status = next_event(ld);
	if (status != APEX_OK)
		return status;
	snprintf(subject, sizeof(subject), "setting \"%s\"", setting->key);
	status = expect_type(ld, YAML_SCALAR_EVENT, subject);
	if (status == APEX_OK)
		status = check_text(ld, subject, MAX_SETTING_VALUE_BYTES, 0);
	if (status != APEX_OK)
		return status;
	return copy_scalar(ld, &setting->value);
}

static apex_status
parse_settings(struct loader *ld)
{
	struct key_ref dup, first;
	apex_status status;

	status = expect_type(ld, YAML_MAPPING_START_EVENT, "\"settings\"");
	while (status == APEX_OK) {
		status = next_event(ld);
		if (status != APEX_OK || ld->event.type == YAML_MAPPING_END_EVENT)
			break;
		status = parse_setting(ld);
	}
	if (status != APEX_OK)
		return status;
	if (find_duplicate(&ld->setting_keys, &dup, &first))
		return fail_at(ld, dup.mark,
			       "duplicate key \"%s\" in settings", dup.key);
	return APEX_OK;
}

/* Pages */

static apex_status
add_page(struct loader *ld, blueprint_page **slot)
{
	blueprint *bp = ld->bp;
	blueprint_page *pages;

	if (bp->n_pages == BLUEPRINT_MAX_PAGES)
		return fail_at(ld, ld->event.start_mark,
			       "too many pages, the maximum is %d",
			       BLUEPRINT_MAX_PAGES);
	pages = grow_array(bp->pages, &ld->pages_cap, bp->n_pages,
			   sizeof(*pages));
	if (!pages)
		return fail_memory(ld->err);
	bp->pages = pages;
	*slot = &pages[bp->n_pages++];
	memset(*slot, 0, sizeof(**slot));
	(*slot)->published = 1;
	return APEX_OK;
}

/* Parses the page whose MAPPING-START is the current event. */
static apex_status
parse_page(struct loader *ld)
{
	yaml_mark_t marks[MAX_FIELDS];
	char item[SUBJECT_BUF], where[SUBJECT_BUF];
	blueprint_page *page = NULL;
	apex_status status;

	snprintf(item, sizeof(item), "page %zu", ld->bp->n_pages + 1);
	snprintf(where, sizeof(where), "in %s", item);
	status = expect_type(ld, YAML_MAPPING_START_EVENT, item);
	if (status == APEX_OK)
		status = add_page(ld, &page);
	if (status == APEX_OK)
		status = parse_mapping(ld, page_fields, N_FIELDS(page_fields), page,
				       where, marks);
	if (status != APEX_OK)
		return status;
	return add_key_ref(ld, &ld->slugs, page->slug, ld->bp->n_pages - 1,
			   marks[0]);
}

static apex_status
parse_pages(struct loader *ld)
{
	struct key_ref dup, first;
	apex_status status;

	status = expect_type(ld, YAML_SEQUENCE_START_EVENT, "\"pages\"");
	while (status == APEX_OK) {
		status = next_event(ld);
		if (status != APEX_OK || ld->event.type == YAML_SEQUENCE_END_EVENT)
			break;
		status = parse_page(ld);
	}
	if (status != APEX_OK)
		return status;
	if (find_duplicate(&ld->slugs, &dup, &first))
		return fail_at(ld, dup.mark,
			       "duplicate slug \"%s\" in page %zu, already used by page %zu",
			       dup.key, dup.index + 1, first.index + 1);
	return APEX_OK;
}

/* Products */

static apex_status
add_product(struct loader *ld, blueprint_product **slot)
{
	blueprint *bp = ld->bp;
	blueprint_product *products;

	if (bp->n_products == BLUEPRINT_MAX_PRODUCTS)
		return fail_at(ld, ld->event.start_mark,
			       "too many products, the maximum is %d",
			       BLUEPRINT_MAX_PRODUCTS);
	products = grow_array(bp->products, &ld->products_cap,
			      bp->n_products, sizeof(*products));
	if (!products)
		return fail_memory(ld->err);
	bp->products = products;
	*slot = &products[bp->n_products++];
	memset(*slot, 0, sizeof(**slot));
	return APEX_OK;
}

/* Parses the product whose MAPPING-START is the current event. */
static apex_status
parse_product(struct loader *ld)
{
	yaml_mark_t marks[MAX_FIELDS];
	char item[SUBJECT_BUF], where[SUBJECT_BUF];
	blueprint_product *product = NULL;
	apex_status status;

	snprintf(item, sizeof(item), "product %zu", ld->bp->n_products + 1);
	snprintf(where, sizeof(where), "in %s", item);
	status = expect_type(ld, YAML_MAPPING_START_EVENT, item);
	if (status == APEX_OK)
		status = add_product(ld, &product);
	if (status == APEX_OK)
		status = parse_mapping(ld, product_fields, N_FIELDS(product_fields),
				       product, where, marks);
	if (status != APEX_OK)
		return status;
	return add_key_ref(ld, &ld->skus, product->sku,
			   ld->bp->n_products - 1, marks[0]);
}

static apex_status
parse_products(struct loader *ld)
{
	struct key_ref dup, first;
	apex_status status;

	status = expect_type(ld, YAML_SEQUENCE_START_EVENT, "\"products\"");
	while (status == APEX_OK) {
		status = next_event(ld);
		if (status != APEX_OK || ld->event.type == YAML_SEQUENCE_END_EVENT)
			break;
		status = parse_product(ld);
	}
	if (status != APEX_OK)
		return status;
	if (find_duplicate(&ld->skus, &dup, &first))
		return fail_at(ld, dup.mark,
			       "duplicate SKU \"%s\" in product %zu, already used by product %zu",
			       dup.key, dup.index + 1, first.index + 1);
	return APEX_OK;
}

/* Documents */

static apex_status
parse_top_mapping(struct loader *ld)
{
	yaml_mark_t marks[MAX_FIELDS];
	apex_status status;

	status = expect_type(ld, YAML_MAPPING_START_EVENT, "top level");
	if (status == APEX_OK)
		status = parse_mapping(ld, top_fields, N_FIELDS(top_fields),
				       ld->bp, "at top level", marks);
	if (status != APEX_OK)
		return status;
	if (ld->expected_name && strcmp(ld->bp->name, ld->expected_name) != 0)
		return fail_at(ld, marks[0],
			       "blueprint name \"%s\" does not match file name \"%s.yaml\"",
			       ld->bp->name, ld->expected_name);
	if (!ld->bp->description && !(ld->bp->description = strdup("")))
		return fail_memory(ld->err);
	return APEX_OK;
}

/* Starts at DOCUMENT-START and ends after DOCUMENT-END. */
static apex_status
parse_document(struct loader *ld)
{
	const yaml_event_t *event = &ld->event;
	apex_status status;

	if (event->data.document_start.tag_directives.start !=
	    event->data.document_start.tag_directives.end)
		return fail_at(ld, event->start_mark,
			       "%%TAG directives are not allowed (blueprints must not use tags)");
	status = next_event(ld);
	if (status == APEX_OK)
		status = parse_top_mapping(ld);
	if (status == APEX_OK)
		status = next_event(ld);
	return status;
}

static apex_status
parse_stream(struct loader *ld)
{
	apex_status status;

	status = next_event(ld);
	if (status == APEX_OK)
		status = next_event(ld);
	if (status != APEX_OK)
		return status;
	if (ld->event.type == YAML_STREAM_END_EVENT)
		return fail_at(ld, ld->event.start_mark,
			       "blueprint is empty, expected a mapping with at least \"name\"");
	status = parse_document(ld);
	if (status == APEX_OK)
		status = next_event(ld);
	if (status == APEX_OK && ld->event.type == YAML_DOCUMENT_START_EVENT)
		return fail_at(ld, ld->event.start_mark,
			       "more than one document is not allowed (a blueprint is one YAML document)");
	return status;
}

static void
free_loader(struct loader *ld)
{
	if (ld->has_event)
		yaml_event_delete(&ld->event);
	yaml_parser_delete(&ld->parser);
	free(ld->setting_keys.refs);
	free(ld->slugs.refs);
	free(ld->skus.refs);
}

/* Parses DATA.  EXPECTED_NAME, unless NULL, must equal the "name" key. */
static apex_status
load_data(const char *data, size_t len, const char *fname,
	  const char *expected_name, blueprint **out, apex_error *err)
{
	struct loader ld = { 0 };
	apex_status status;

	*out = NULL;
	if (len > BLUEPRINT_MAX_FILE_BYTES)
		return fail_too_large(fname, err);
	ld.fname = fname;
	ld.data = data;
	ld.len = len;
	ld.expected_name = expected_name;
	ld.err = err;
	ld.bp = calloc(1, sizeof(*ld.bp));
	if (!ld.bp || !yaml_parser_initialize(&ld.parser)) {
		free(ld.bp);
		return fail_memory(err);
	}
	yaml_parser_set_input_string(&ld.parser, (const unsigned char *)data,
				     len);
	yaml_parser_set_encoding(&ld.parser, YAML_UTF8_ENCODING);
	status = parse_stream(&ld);
	if (status == APEX_OK)
		*out = ld.bp;
	else
		blueprint_free(ld.bp);
	free_loader(&ld);
	return status;
}

/* Files */

/*
 * Checks the opened file and makes reads block again.  O_NONBLOCK was only
 * needed so that opening a FIFO without a writer does not wait.
 */
static apex_status
check_opened_file(int fd, const char *path, apex_error *err)
{
	struct stat info;
	int flags;

	if (fstat(fd, &info) != 0)
		return apex_fail(err, APEX_FAILED, "could not stat file \"%s\": %s",
				 path, strerror(errno));
	if (S_ISDIR(info.st_mode))
		return apex_fail(err, APEX_FAILED, "could not read file \"%s\": %s",
				 path, strerror(EISDIR));
	if (S_ISREG(info.st_mode) && info.st_size > BLUEPRINT_MAX_FILE_BYTES)
		return fail_too_large(path, err);
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0)
		return apex_fail(err, APEX_FAILED, "could not read file \"%s\": %s",
				 path, strerror(errno));
	return APEX_OK;
}

/* Doubles the read buffer, up to BLUEPRINT_MAX_FILE_BYTES + 1 bytes. */
static char *
grow_read_buffer(char *buf, size_t *cap)
{
	size_t new_cap = *cap ? *cap * 2 : READ_CHUNK;
	char *grown;

	if (new_cap > BLUEPRINT_MAX_FILE_BYTES + 1)
		new_cap = BLUEPRINT_MAX_FILE_BYTES + 1;
	grown = realloc(buf, new_cap);
	if (grown)
		*cap = new_cap;
	return grown;
}

/*
 * Reads at most BLUEPRINT_MAX_FILE_BYTES + 1 bytes, enough to tell that a
 * file is too large, so an endless source such as /dev/zero stops early.
 * On success the caller frees *DATA.
 */
static apex_status
read_bounded(int fd, const char *path, char **data, size_t *len,
	     apex_error *err)
{
	size_t cap = 0, n = 0;
	char *buf = NULL, *grown;
	ssize_t got;

	do {
		if (n == cap) {
			grown = grow_read_buffer(buf, &cap);
			if (!grown) {
				free(buf);
				return fail_memory(err);
			}
			buf = grown;
		}
		got = read(fd, buf + n, cap - n);
		if (got > 0)
			n += (size_t)got;
	} while ((got > 0 || (got < 0 && errno == EINTR)) &&
		 n <= BLUEPRINT_MAX_FILE_BYTES);
	if (got < 0) {
		int saved_errno = errno;

		free(buf);
		return apex_fail(err, APEX_FAILED, "could not read file \"%s\": %s",
				 path, strerror(saved_errno));
	}
	*data = buf;
	*len = n;
	return APEX_OK;
}

/* Reads PATH.  *OPEN_ERRNO receives errno if open() failed, else 0. */
static apex_status
read_file(const char *path, char **data, size_t *len, int *open_errno,
	  apex_error *err)
{
	apex_status status;
	int fd;

	*open_errno = 0;
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		*open_errno = errno;
		return apex_fail(err, APEX_FAILED, "could not open file \"%s\": %s",
				 path, strerror(*open_errno));
	}
	status = check_opened_file(fd, path, err);
	if (status == APEX_OK)
		status = read_bounded(fd, path, data, len, err);
	close(fd);
	return status;
}

static apex_status
load_path(const char *path, const char *expected_name, blueprint **out,
	  int *open_errno, apex_error *err)
{
	char *data = NULL;
	size_t len = 0;
	apex_status status;

	*out = NULL;
	status = read_file(path, &data, &len, open_errno, err);
	if (status != APEX_OK)
		return status;
	status = load_data(data, len, path, expected_name, out, err);
	free(data);
	return status;
}

/* Lookup by name */

static int
compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Returns NAME's stem if NAME is "STEM.yaml" with a valid blueprint name. */
static char *
blueprint_stem(const char *name)
{
	size_t len = strlen(name);
	size_t i;

	if (len <= 5 || len - 5 > MAX_IDENT_BYTES ||
	    strcmp(name + len - 5, ".yaml") != 0)
		return NULL;
	for (i = 0; i < len - 5; i++)
		if (!is_name_char((unsigned char)name[i]))
			return NULL;
	return strndup(name, len - 5);
}

/* Collects the sorted blueprint names in DIR, or returns -1 with errno set. */
static int
list_blueprints(const char *dir, char ***names, size_t *n)
{
	size_t cap = 0;
	struct dirent *entry;
	char **grown, *stem;
	DIR *stream = opendir(dir);

	*names = NULL;
	*n = 0;
	if (!stream)
		return -1;
	while ((entry = readdir(stream))) {
		if (!(stem = blueprint_stem(entry->d_name)))
			continue;
		grown = grow_array(*names, &cap, *n, sizeof(*grown));
		if (!grown) {
			free(stem);
			break;
		}
		*names = grown;
		(*names)[(*n)++] = stem;
	}
	closedir(stream);
	qsort(*names, *n, sizeof(**names), compare_strings);
	return 0;
}

static void
hint_blueprints(const char *dir, apex_error *err)
{
	char list[APEX_MSG_MAX / 2] = "";
	char **names;
	size_t i, n;

	if (list_blueprints(dir, &names, &n) != 0) {
		apex_error_hint(err, "Could not list directory \"%s\": %s.", dir,
				strerror(errno));
		return;
	}
	for (i = 0; i < n; i++) {
		if (strlen(list) + strlen(names[i]) + 3 < sizeof(list)) {
			if (i > 0)
				strcat(list, ", ");
			strcat(list, names[i]);
		}
		free(names[i]);
	}
	free(names);
	if (n == 0)
		apex_error_hint(err, "No blueprints (*.yaml) found in \"%s\".", dir);
	else
		apex_error_hint(err, "Available blueprints: %s.", list);
}

/* Public interface */

apex_status
blueprint_load_file(const char *path, blueprint **out, apex_error *err)
{
	int open_errno;

	return load_path(path, NULL, out, &open_errno, err);
}

apex_status
blueprint_load_buffer(const char *data, size_t len, const char *name,
		      blueprint **out, apex_error *err)
{
	return load_data(data, len, name, NULL, out, err);
}

/* Rejects a name that could leave DIR or is not a blueprint name. */
static apex_status
check_blueprint_name(const char *name, apex_error *err)
{
	size_t i;

	for (i = 0; name[i] && is_name_char((unsigned char)name[i]); i++)
		;
	if (i > 0 && !name[i] && i <= MAX_IDENT_BYTES)
		return APEX_OK;
	return apex_fail(err, APEX_INVALID,
			 "invalid blueprint name \"%.*s\", expected 1 to %d characters from a-z, 0-9, \"_\" and \"-\"",
			 QUOTE_BYTES, name, MAX_IDENT_BYTES);
}

apex_status
blueprint_load_named(const char *dir, const char *name, blueprint **out,
		     apex_error *err)
{
	size_t size = strlen(dir) + strlen(name) + sizeof("/.yaml");
	int open_errno;
	apex_status status;
	char *path;

	*out = NULL;
	status = check_blueprint_name(name, err);
	if (status != APEX_OK)
		return status;
	path = malloc(size);
	if (!path)
		return fail_memory(err);
	snprintf(path, size, "%s/%s.yaml", dir, name);
	status = load_path(path, name, out, &open_errno, err);
	free(path);
	if (open_errno == ENOENT) {
		status = apex_fail(err, APEX_INVALID, "unknown blueprint \"%s\"", name);
		hint_blueprints(dir, err);
	}
	return status;
}

void
blueprint_free(blueprint *bp)
{
	size_t i;

	if (!bp)
		return;
	for (i = 0; i < bp->n_settings; i++) {
		free(bp->settings[i].key);
		free(bp->settings[i].value);
	}
	for (i = 0; i < bp->n_pages; i++) {
		free(bp->pages[i].slug);
		free(bp->pages[i].title);
		free(bp->pages[i].body);
	}
	for (i = 0; i < bp->n_products; i++) {
		free(bp->products[i].sku);
		free(bp->products[i].name);
		free(bp->products[i].category);
		free(bp->products[i].description);
	}
	free(bp->settings);
	free(bp->pages);
	free(bp->products);
	free(bp->name);
	free(bp->description);
	free(bp);
}
