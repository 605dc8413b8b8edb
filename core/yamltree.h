/*
 * yamltree.h - a small YAML document tree for configuration files.
 *
 * Built from libyaml's event parser so that hostile files are bounded:
 * aliases, anchors and explicit tags are rejected, and so are multiple
 * documents, duplicate mapping keys, deep nesting and oversized files.
 * Every node keeps its 1-based line and column for error messages.
 */
#ifndef APEX_YAMLTREE_H
#define APEX_YAMLTREE_H

#include <stddef.h>

#include "error.h"

typedef enum ytree_kind { YT_SCALAR, YT_SEQUENCE, YT_MAPPING } ytree_kind;

typedef struct ytree {
	ytree_kind kind;
	int line;
	int column;
	int plain;		/* scalar written without quotes */
	char *value;		/* scalar text; NULL for collections */
	char *key;		/* the key when this node is a mapping value */
	int key_line;		/* position of that key */
	int key_column;
	struct ytree **items;	/* sequence items or mapping values */
	size_t n_items;
} ytree;

#define YTREE_MAX_BYTES (1024 * 1024)
#define YTREE_MAX_DEPTH 16

/*
 * Parses the file at PATH.  An empty file gives an empty mapping.  Returns
 * APEX_INVALID with "PATH:LINE:COLUMN: ..." for bad content, APEX_FAILED when
 * the file cannot be read.
 */
apex_status ytree_load_file(const char *path, ytree **out, apex_error *err);

void ytree_free(ytree *node);

/* Names a node's kind for messages: "a scalar", "a list", "a mapping". */
const char *ytree_kind_name(ytree_kind kind);

#endif
