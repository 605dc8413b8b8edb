/*
 * doc.h - one rendered Traefik document, ready to send.
 *
 * The ETags are computed and the libmicrohttpd responses built once per
 * render, then queued for every request: libmicrohttpd counts the
 * references, so a replaced document stays valid for the connections still
 * sending it.  The identity body is published first and its gzip copy
 * attached right after, so that compressing never delays a change.  Until
 * then, clients that accept gzip get the identity body.
 */
#ifndef PROVIDER_DOC_H
#define PROVIDER_DOC_H

#include <microhttpd.h>
#include <stddef.h>

#include "error.h"

typedef struct served_doc {
	const char *body;		/* owned by the "full" response */
	size_t size;
	char etag[48];			/* strong ETag of the identity body, quoted */
	char etag_gzip[56];		/* the same for the gzip body */
	struct MHD_Response *full;
	struct MHD_Response *not_modified;

	/* NULL until gzip_copy_attach() */
	struct MHD_Response *full_gzip;
	struct MHD_Response *not_modified_gzip;
	size_t gzip_size;
	double gzip_ms;			/* time spent compressing */
} served_doc;

/* The gzip responses of a document, built outside any lock. */
typedef struct gzip_copy {
	struct MHD_Response *full;
	struct MHD_Response *not_modified;
	size_t size;
	double ms;
} gzip_copy;

/*
 * Builds the identity responses for BODY (SIZE bytes, malloc'd), taking
 * ownership of BODY even on failure.  Returns NULL with ERR filled when
 * memory runs out.
 */
served_doc *served_doc_new(char *body, size_t size, apex_error *err);

/* Compresses DOC's body into GZ.  DOC must not change meanwhile. */
apex_status gzip_copy_build(const served_doc *doc, gzip_copy *gz, apex_error *err);

/* Moves GZ into DOC; the caller holds the lock that readers of DOC take. */
void gzip_copy_attach(served_doc *doc, gzip_copy *gz);

/* Drops this document's references; connections still sending it finish. */
void served_doc_free(served_doc *doc);

/* Returns 1 when DOC's body is exactly BODY. */
int served_doc_equals(const served_doc *doc, const char *body, size_t size);

#endif
