/*
 * blueprint.h - starter data for new tenants, loaded from YAML.
 *
 * A blueprint contains the settings, pages and products that a new tenant
 * schema is seeded with.  The loader is strict: unknown keys, wrong types,
 * duplicate keys, out-of-range values, aliases, tags and oversized documents
 * are rejected with FILE:LINE:COLUMN in the error message.  See
 * apex-blueprint(5) for the format.
 */
#ifndef APEX_BLUEPRINT_H
#define APEX_BLUEPRINT_H

#include <stddef.h>

#include "error.h"

/* Hard limits of the format; the loader rejects anything beyond them. */
#define BLUEPRINT_MAX_FILE_BYTES (4 * 1024 * 1024)
#define BLUEPRINT_MAX_PRODUCTS 10000
#define BLUEPRINT_MAX_PAGES 1000
#define BLUEPRINT_MAX_SETTINGS 1000

typedef struct blueprint_setting {
	char *key;		/* [a-z0-9_.]{1,63} */
	char *value;		/* scalar text, at most 4096 bytes */
} blueprint_setting;

typedef struct blueprint_page {
	char *slug;		/* [a-z0-9-]{1,63}, unique in the blueprint */
	char *title;		/* 1..200 bytes of UTF-8 */
	char *body;		/* 0..65536 bytes of UTF-8 */
	int published;		/* 0 or 1; default 1 */
} blueprint_page;

typedef struct blueprint_product {
	char *sku;		/* [A-Z0-9-]{1,32}, unique in the blueprint */
	char *name;		/* 1..200 bytes of UTF-8 */
	char *category;		/* 1..100 bytes of UTF-8 */
	char *description;	/* 0..4096 bytes; "" when absent */
	long long price_cents;	/* 0..100000000 */
	long long stock;	/* 0..1000000000; default 0 */
} blueprint_product;

typedef struct blueprint {
	char *name;		/* the blueprint's name: [a-z0-9_-]{1,63} */
	char *description;	/* "" when absent */
	blueprint_setting *settings;
	size_t n_settings;
	blueprint_page *pages;
	size_t n_pages;
	blueprint_product *products;
	size_t n_products;
} blueprint;

/*
 * Loads and validates the blueprint in FILE.  On success returns APEX_OK and
 * stores a new blueprint in *out that the caller frees with blueprint_free().
 * On failure returns APEX_INVALID (bad content, message starting with
 * "FILE:LINE:COLUMN: ") or APEX_FAILED (the file cannot be read), and *out is
 * left NULL.
 */
apex_status blueprint_load_file(const char *path, blueprint **out, apex_error *err);

/* The same for a document in memory; NAME stands for the file in messages. */
apex_status blueprint_load_buffer(const char *data, size_t len, const char *name,
				  blueprint **out, apex_error *err);

/*
 * Finds blueprint NAME (already validated as a blueprint name) in DIR, as
 * DIR/NAME.yaml, and loads it.  A missing file gives APEX_INVALID with a
 * hint listing the blueprints present in DIR.
 */
apex_status blueprint_load_named(const char *dir, const char *name,
				 blueprint **out, apex_error *err);

/* Frees a blueprint and everything it owns.  NULL is allowed. */
void blueprint_free(blueprint *bp);

#endif
