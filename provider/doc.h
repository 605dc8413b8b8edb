/*
 * doc.h - one rendered Traefik document, ready to send.
 *
 * The body, its gzip copy and their ETags are computed once per render, and
 * the libmicrohttpd responses are built once and queued for every request:
 * libmicrohttpd counts the references, so a replaced document stays valid
 * for the connections still sending it.
 */
#ifndef PROVIDER_DOC_H
#define PROVIDER_DOC_H

#include <microhttpd.h>
#include <stddef.h>

#include "error.h"

typedef struct served_doc {
	const char *body;		/* owned by the "full" response */
	size_t size;
	size_t gzip_size;
	char etag[48];			/* strong ETag of the identity body, quoted */
	char etag_gzip[56];		/* the same for the gzip body */
	double gzip_ms;			/* time spent compressing */
	struct MHD_Response *full;
	struct MHD_Response *full_gzip;
	struct MHD_Response *not_modified;
	struct MHD_Response *not_modified_gzip;
} served_doc;

/*
 * Builds the responses for BODY (SIZE bytes, malloc'd), taking ownership of
 * BODY even on failure.  Returns NULL with ERR filled when memory or zlib
 * fails.
 */
served_doc *served_doc_new(char *body, size_t size, apex_error *err);

/* Drops this document's references; connections still sending it finish. */
void served_doc_free(served_doc *doc);

/* Returns 1 when DOC's body is exactly BODY. */
int served_doc_equals(const served_doc *doc, const char *body, size_t size);

#endif
