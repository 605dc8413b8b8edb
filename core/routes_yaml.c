/*
 * routes_yaml.c - the Traefik document as YAML, for Traefik's file provider.
 *
 * libyaml's emitter writes the JSON tree in block style with keys sorted
 * bytewise, like the JSON output.  Every JSON string becomes a double-quoted
 * scalar, so no value can be read back as a number, boolean or null.
 */
#include "routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

typedef struct yaml_out {
	char *data;
	size_t len;
	size_t cap;
} yaml_out;

static int
write_chunk(void *data, unsigned char *buffer, size_t size)
{
	yaml_out *out = data;

	if (out->len + size + 1 > out->cap) {
		size_t cap = (out->len + size + 1) * 2;
		char *grown = realloc(out->data, cap);

		if (!grown)
			return 0;
		out->data = grown;
		out->cap = cap;
	}
	memcpy(out->data + out->len, buffer, size);
	out->len += size;
	out->data[out->len] = '\0';
	return 1;
}

static int
emit_scalar(yaml_emitter_t *em, const char *text, yaml_scalar_style_t style)
{
	yaml_event_t event;

	if (!yaml_scalar_event_initialize(&event, NULL, NULL, (yaml_char_t *)text, (int)strlen(text),
					  1, 1, style))
		return 0;
	return yaml_emitter_emit(em, &event);
}

static int emit_value(yaml_emitter_t *em, const json_t *value);

static int
compare_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int
emit_object(yaml_emitter_t *em, const json_t *object)
{
	size_t n = json_object_size(object);
	const char **keys = calloc(n + 1, sizeof(*keys));
	const char *key;
	json_t *value;
	yaml_event_t event;
	size_t i = 0;
	int ok;

	if (!keys)
		return 0;
	json_object_foreach((json_t *)object, key, value)
		keys[i++] = key;
	qsort(keys, n, sizeof(*keys), compare_keys);

	ok = yaml_mapping_start_event_initialize(&event, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE) &&
	     yaml_emitter_emit(em, &event);
	for (i = 0; ok && i < n; i++)
		ok = emit_scalar(em, keys[i], YAML_ANY_SCALAR_STYLE) &&
		     emit_value(em, json_object_get(object, keys[i]));
	ok = ok && yaml_mapping_end_event_initialize(&event) && yaml_emitter_emit(em, &event);
	free(keys);
	return ok;
}

static int
emit_array(yaml_emitter_t *em, const json_t *array)
{
	yaml_event_t event;
	size_t i;
	json_t *item;
	int ok;

	ok = yaml_sequence_start_event_initialize(&event, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE) &&
	     yaml_emitter_emit(em, &event);
	json_array_foreach(array, i, item) {
		if (ok)
			ok = emit_value(em, item);
	}
	return ok && yaml_sequence_end_event_initialize(&event) && yaml_emitter_emit(em, &event);
}

static int
emit_value(yaml_emitter_t *em, const json_t *value)
{
	char number[64];

	switch (json_typeof(value)) {
	case JSON_OBJECT:
		return emit_object(em, value);
	case JSON_ARRAY:
		return emit_array(em, value);
	case JSON_STRING:
		return emit_scalar(em, json_string_value(value), YAML_DOUBLE_QUOTED_SCALAR_STYLE);
	case JSON_INTEGER:
		snprintf(number, sizeof(number), "%" JSON_INTEGER_FORMAT, json_integer_value(value));
		return emit_scalar(em, number, YAML_PLAIN_SCALAR_STYLE);
	case JSON_REAL:
		snprintf(number, sizeof(number), "%.17g", json_real_value(value));
		return emit_scalar(em, number, YAML_PLAIN_SCALAR_STYLE);
	case JSON_TRUE:
		return emit_scalar(em, "true", YAML_PLAIN_SCALAR_STYLE);
	case JSON_FALSE:
		return emit_scalar(em, "false", YAML_PLAIN_SCALAR_STYLE);
	case JSON_NULL:
		return emit_scalar(em, "null", YAML_PLAIN_SCALAR_STYLE);
	}
	return 0;
}

static int
emit_document(yaml_emitter_t *em, const json_t *doc)
{
	yaml_event_t event;

	return yaml_stream_start_event_initialize(&event, YAML_UTF8_ENCODING) &&
	       yaml_emitter_emit(em, &event) &&
	       yaml_document_start_event_initialize(&event, NULL, NULL, NULL, 1) &&
	       yaml_emitter_emit(em, &event) &&
	       emit_value(em, doc) &&
	       yaml_document_end_event_initialize(&event, 1) &&
	       yaml_emitter_emit(em, &event) &&
	       yaml_stream_end_event_initialize(&event) &&
	       yaml_emitter_emit(em, &event);
}

char *
routes_yaml_dump(const json_t *doc, size_t *len)
{
	yaml_emitter_t em;
	yaml_out out = { 0 };
	int ok;

	if (!yaml_emitter_initialize(&em))
		return NULL;
	yaml_emitter_set_output(&em, write_chunk, &out);
	yaml_emitter_set_unicode(&em, 1);
	yaml_emitter_set_width(&em, -1);	/* never fold long rules */
	yaml_emitter_set_indent(&em, 2);
	ok = emit_document(&em, doc) && yaml_emitter_flush(&em);
	yaml_emitter_delete(&em);
	if (!ok || !out.data) {
		free(out.data);
		return NULL;
	}
	*len = out.len;
	return out.data;
}
