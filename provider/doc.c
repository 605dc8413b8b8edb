/*
 * doc.c - compressing a document and building its responses.
 */
#include "doc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "context.h"

/* FNV-1a, 64 bits: a fast content hash; the ETag also carries the length. */
static uint64_t
content_hash(const char *data, size_t size)
{
	uint64_t hash = 14695981039346656037ULL;

	for (size_t i = 0; i < size; i++) {
		hash ^= (unsigned char)data[i];
		hash *= 1099511628211ULL;
	}
	return hash;
}

/*
 * Level 3: on the 100,000-tenant benchmark document (36 MB) it compressed
 * in about a third of level 6's time for 8% more bytes (zlib 1.2.13).
 */
#define GZIP_LEVEL 3

/*
 * Compresses DATA into a gzip stream.  zlib writes a zero modification
 * time, so equal input gives equal output.
 */
static char *
gzip_compress(const char *data, size_t size, size_t *out_size)
{
	z_stream zs = { 0 };
	size_t bound;
	char *out;

	if (deflateInit2(&zs, GZIP_LEVEL, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return NULL;
	bound = deflateBound(&zs, size) + 32;
	out = malloc(bound);
	if (!out) {
		deflateEnd(&zs);
		return NULL;
	}
	zs.next_in = (Bytef *)data;
	zs.avail_in = (uInt)size;
	zs.next_out = (Bytef *)out;
	zs.avail_out = (uInt)bound;
	if (deflate(&zs, Z_FINISH) != Z_STREAM_END) {
		deflateEnd(&zs);
		free(out);
		return NULL;
	}
	*out_size = zs.total_out;
	deflateEnd(&zs);
	return out;
}

static int
add_common_headers(struct MHD_Response *r, const char *etag, int gzip)
{
	return r &&
	       MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, etag) == MHD_YES &&
	       MHD_add_response_header(r, MHD_HTTP_HEADER_VARY, "Accept-Encoding") == MHD_YES &&
	       MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache") == MHD_YES &&
	       (!gzip || MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip") == MHD_YES);
}

/*
 * Builds a 200 response that owns DATA (malloc'd; freed here on failure).
 * Buffers, not a memfd sent with sendfile(2), because libmicrohttpd 0.9
 * caps each sendfile call in its event loop at 128 KiB (MHD_SENFILE_CHUNK_).
 * An A/B run with wrk on the benchmark machine gave 30 to 55% more requests
 * per second with buffers at 10,000 and 100,000 tenants.
 */
static struct MHD_Response *
body_response(char *data, size_t size, const char *etag, int gzip)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(size, data, MHD_RESPMEM_MUST_FREE);

	if (!r) {
		free(data);
		return NULL;
	}
	if (!add_common_headers(r, etag, gzip) ||
	    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json") != MHD_YES) {
		MHD_destroy_response(r);
		return NULL;
	}
	return r;
}

/*
 * NOTE: libmicrohttpd 0.9.75 adds "Content-Length: 0" to every 304, and
 * RFC 9110 (section 8.6) allows only the length a 200 would send.  With
 * MHD_RF_INSANITY_HEADER_CONTENT_LENGTH, a Content-Length added here is
 * sent besides the "0", not instead of it.  0.9.75 has no
 * MHD_create_response_empty.  Go's client (Traefik) and curl ignore it.
 */
static struct MHD_Response *
not_modified_response(const char *etag, int gzip)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);

	if (r && !add_common_headers(r, etag, gzip)) {
		MHD_destroy_response(r);
		return NULL;
	}
	return r;
}

static void
set_etags(served_doc *doc)
{
	unsigned long long hash = (unsigned long long)content_hash(doc->body, doc->size);

	snprintf(doc->etag, sizeof(doc->etag), "\"%016llx-%zx\"", hash, doc->size);
	snprintf(doc->etag_gzip, sizeof(doc->etag_gzip), "\"%016llx-%zx-gzip\"", hash, doc->size);
}

served_doc *
served_doc_new(char *body, size_t size, apex_error *err)
{
	served_doc *doc = calloc(1, sizeof(*doc));

	if (!doc) {
		free(body);
		apex_fail(err, APEX_FAILED, "could not store the document: out of memory");
		return NULL;
	}
	doc->body = body;
	doc->size = size;
	set_etags(doc);
	doc->full = body_response(body, size, doc->etag, 0);
	doc->not_modified = not_modified_response(doc->etag, 0);
	if (!doc->full || !doc->not_modified) {
		if (!doc->full)
			doc->body = NULL;	/* body_response freed it */
		served_doc_free(doc);
		apex_fail(err, APEX_FAILED, "could not prepare the HTTP responses: out of memory");
		return NULL;
	}
	return doc;
}

apex_status
gzip_copy_build(const served_doc *doc, gzip_copy *gz, apex_error *err)
{
	double started = apex_now_ms();
	size_t size = 0;
	char *data = gzip_compress(doc->body, doc->size, &size);

	memset(gz, 0, sizeof(*gz));
	gz->size = size;
	if (data)
		gz->full = body_response(data, size, doc->etag_gzip, 1);
	gz->not_modified = not_modified_response(doc->etag_gzip, 1);
	gz->ms = apex_now_ms() - started;
	if (gz->full && gz->not_modified)
		return APEX_OK;
	if (gz->full)
		MHD_destroy_response(gz->full);
	if (gz->not_modified)
		MHD_destroy_response(gz->not_modified);
	memset(gz, 0, sizeof(*gz));
	return apex_fail(err, APEX_FAILED, "could not compress the document: out of memory");
}

void
gzip_copy_attach(served_doc *doc, gzip_copy *gz)
{
	doc->full_gzip = gz->full;
	doc->not_modified_gzip = gz->not_modified;
	doc->gzip_size = gz->size;
	doc->gzip_ms = gz->ms;
	memset(gz, 0, sizeof(*gz));
}

void
served_doc_free(served_doc *doc)
{
	if (!doc)
		return;
	if (doc->full)
		MHD_destroy_response(doc->full);
	if (doc->full_gzip)
		MHD_destroy_response(doc->full_gzip);
	if (doc->not_modified)
		MHD_destroy_response(doc->not_modified);
	if (doc->not_modified_gzip)
		MHD_destroy_response(doc->not_modified_gzip);
	free(doc);
}

int
served_doc_equals(const served_doc *doc, const char *body, size_t size)
{
	return doc && doc->size == size && memcmp(doc->body, body, size) == 0;
}
