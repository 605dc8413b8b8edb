/*
 * yamltree.c - builds a ytree from libyaml events, rejecting the YAML
 * features that let a file blow up a loader (aliases) or smuggle types
 * (tags).
 */
#include "yamltree.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

typedef struct yparse {
	yaml_parser_t parser;
	const char *path;
	apex_error *err;
} yparse;

static apex_status parse_node(yparse *p, yaml_event_t *ev, int depth, ytree **out);

static apex_status
fail_at(yparse *p, yaml_mark_t mark, const char *what)
{
	return apex_fail(p->err, APEX_INVALID, "%s:%zu:%zu: %s", p->path,
			 mark.line + 1, mark.column + 1, what);
}

static apex_status
next_event(yparse *p, yaml_event_t *ev)
{
	if (yaml_parser_parse(&p->parser, ev))
		return APEX_OK;
	return apex_fail(p->err, APEX_INVALID, "%s:%zu:%zu: invalid YAML: %s",
			 p->path, p->parser.problem_mark.line + 1,
			 p->parser.problem_mark.column + 1,
			 p->parser.problem ? p->parser.problem : "syntax error");
}

static ytree *
node_new(ytree_kind kind, yaml_mark_t mark)
{
	ytree *node = calloc(1, sizeof(*node));

	if (!node)
		abort();
	node->kind = kind;
	node->line = (int)mark.line + 1;
	node->column = (int)mark.column + 1;
	return node;
}

static void
node_append(ytree *parent, ytree *child)
{
	ytree **items = realloc(parent->items, (parent->n_items + 1) * sizeof(*items));

	if (!items)
		abort();
	items[parent->n_items++] = child;
	parent->items = items;
}

static apex_status
check_tag(yparse *p, yaml_event_t *ev, const yaml_char_t *anchor, const yaml_char_t *tag)
{
	if (anchor)
		return fail_at(p, ev->start_mark, "anchors and aliases are not allowed");
	if (tag)
		return fail_at(p, ev->start_mark, "explicit tags are not allowed");
	return APEX_OK;
}

static apex_status
parse_scalar(yparse *p, yaml_event_t *ev, ytree **out)
{
	ytree *node;

	if (check_tag(p, ev, ev->data.scalar.anchor, ev->data.scalar.tag))
		return APEX_INVALID;
	if (strlen((char *)ev->data.scalar.value) != ev->data.scalar.length)
		return fail_at(p, ev->start_mark, "NUL bytes are not allowed");
	node = node_new(YT_SCALAR, ev->start_mark);
	node->value = strdup((char *)ev->data.scalar.value);
	node->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	*out = node;
	return APEX_OK;
}

static apex_status
parse_children(yparse *p, ytree *node, int depth, yaml_event_type_t end)
{
	for (;;) {
		yaml_event_t ev;
		ytree *child = NULL;
		apex_status st;

		if (next_event(p, &ev))
			return APEX_INVALID;
		if (ev.type == end) {
			yaml_event_delete(&ev);
			return APEX_OK;
		}
		st = parse_node(p, &ev, depth + 1, &child);
		yaml_event_delete(&ev);
		if (st)
			return st;
		node_append(node, child);
	}
}

static apex_status
check_key(yparse *p, ytree **values, size_t n_values, const ytree *key)
{
	yaml_mark_t mark = { 0, (size_t)key->line - 1, (size_t)key->column - 1 };
	char msg[APEX_MSG_MAX];

	if (key->kind != YT_SCALAR)
		return fail_at(p, mark, "mapping keys must be scalars");
	for (size_t j = 0; j < n_values; j++) {
		if (strcmp(values[j]->key, key->value) == 0) {
			snprintf(msg, sizeof(msg), "duplicate key \"%.200s\"", key->value);
			return fail_at(p, mark, msg);
		}
	}
	return APEX_OK;
}

/*
 * Turns the flat key, value, key, value items into values that carry their
 * keys.  On failure the node still owns every item exactly once.
 */
static apex_status
pair_mapping(yparse *p, ytree *node)
{
	size_t n = node->n_items / 2;
	ytree **values = calloc(n ? n : 1, sizeof(*values));

	for (size_t i = 0; i < n; i++) {
		ytree *key = node->items[2 * i];

		if (check_key(p, values, i, key)) {
			for (size_t j = 0; j < i; j++)
				values[j]->key = NULL;
			free(values);
			return APEX_INVALID;
		}
		values[i] = node->items[2 * i + 1];
		values[i]->key = key->value;
		values[i]->key_line = key->line;
		values[i]->key_column = key->column;
	}
	for (size_t i = 0; i < n; i++) {
		node->items[2 * i]->value = NULL;
		ytree_free(node->items[2 * i]);
	}
	free(node->items);
	node->items = values;
	node->n_items = n;
	return APEX_OK;
}

static apex_status
parse_node(yparse *p, yaml_event_t *ev, int depth, ytree **out)
{
	ytree *node;
	apex_status st;

	if (depth > YTREE_MAX_DEPTH)
		return fail_at(p, ev->start_mark, "document is nested too deeply");
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		return parse_scalar(p, ev, out);
	case YAML_ALIAS_EVENT:
		return fail_at(p, ev->start_mark, "anchors and aliases are not allowed");
	case YAML_SEQUENCE_START_EVENT:
		if (check_tag(p, ev, ev->data.sequence_start.anchor, ev->data.sequence_start.tag))
			return APEX_INVALID;
		node = node_new(YT_SEQUENCE, ev->start_mark);
		st = parse_children(p, node, depth, YAML_SEQUENCE_END_EVENT);
		break;
	case YAML_MAPPING_START_EVENT:
		if (check_tag(p, ev, ev->data.mapping_start.anchor, ev->data.mapping_start.tag))
			return APEX_INVALID;
		node = node_new(YT_MAPPING, ev->start_mark);
		st = parse_children(p, node, depth, YAML_MAPPING_END_EVENT);
		if (!st)
			st = pair_mapping(p, node);
		break;
	default:
		return fail_at(p, ev->start_mark, "unexpected YAML event");
	}
	if (st) {
		ytree_free(node);
		return st;
	}
	*out = node;
	return APEX_OK;
}

static apex_status
parse_stream(yparse *p, ytree **out)
{
	yaml_event_t ev;
	apex_status st;

	yaml_event_type_t type;

	/* skip the stream start; an empty stream is an empty mapping */
	do {
		if (next_event(p, &ev))
			return APEX_INVALID;
		type = ev.type;
		yaml_event_delete(&ev);
		if (type == YAML_STREAM_END_EVENT) {
			*out = node_new(YT_MAPPING, p->parser.mark);
			return APEX_OK;
		}
	} while (type != YAML_DOCUMENT_START_EVENT);

	if (next_event(p, &ev))
		return APEX_INVALID;
	st = parse_node(p, &ev, 1, out);
	yaml_event_delete(&ev);
	if (st)
		return st;

	/* document end, then the stream must end: one document only */
	for (int i = 0; i < 2; i++) {
		if (next_event(p, &ev))
			st = APEX_INVALID;
		else if (ev.type == YAML_DOCUMENT_START_EVENT)
			st = fail_at(p, ev.start_mark, "only one YAML document is allowed");
		yaml_event_delete(&ev);
		if (st) {
			ytree_free(*out);
			*out = NULL;
			return st;
		}
	}
	return APEX_OK;
}

/* Reads at most YTREE_MAX_BYTES + 1 bytes, so FIFOs and devices stay bounded. */
static apex_status
read_bounded(const char *path, char **data, size_t *len, apex_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	struct stat st;
	size_t used = 0;
	char *buf;

	if (fd < 0)
		return apex_fail(err, APEX_FAILED, "could not open \"%s\": %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return apex_fail(err, APEX_INVALID, "cannot read \"%s\": not a regular file", path);
	}
	buf = malloc(YTREE_MAX_BYTES + 2);
	for (;;) {
		ssize_t n = read(fd, buf + used, YTREE_MAX_BYTES + 1 - used);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || (used += (size_t)n) > YTREE_MAX_BYTES)
			break;
	}
	close(fd);
	if (used > YTREE_MAX_BYTES) {
		free(buf);
		return apex_fail(err, APEX_INVALID, "%s: file is larger than %d bytes", path, YTREE_MAX_BYTES);
	}
	buf[used] = '\0';
	*data = buf;
	*len = used;
	return APEX_OK;
}

apex_status
ytree_load_file(const char *path, ytree **out, apex_error *err)
{
	yparse p = { .path = path, .err = err };
	char *data = NULL;
	size_t len = 0;
	apex_status st;

	*out = NULL;
	if ((st = read_bounded(path, &data, &len, err)))
		return st;
	yaml_parser_initialize(&p.parser);
	yaml_parser_set_input_string(&p.parser, (unsigned char *)data, len);
	st = parse_stream(&p, out);
	yaml_parser_delete(&p.parser);
	free(data);
	return st;
}

void
ytree_free(ytree *node)
{
	if (!node)
		return;
	for (size_t i = 0; i < node->n_items; i++)
		ytree_free(node->items[i]);
	free(node->items);
	free(node->value);
	free(node->key);
	free(node);
}

const char *
ytree_kind_name(ytree_kind kind)
{
	switch (kind) {
	case YT_SCALAR:
		return "a scalar";
	case YT_SEQUENCE:
		return "a list";
	default:
		return "a mapping";
	}
}
