/*
 * http.c - request handling: routing, the token, content negotiation,
 * conditional requests, and the fixed error responses.
 */
#include "http.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "log.h"
#include "report.h"
#include "token.h"

/* ---- request headers ---- */

static const char *
skip_spaces(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* Returns the q value of the coding at P (after its name), 1 when absent. */
static double
coding_quality(const char *p)
{
	const char *end = p + strcspn(p, ",");
	const char *q;

	for (q = strchr(p, ';'); q && q < end; q = strchr(q + 1, ';')) {
		const char *param = skip_spaces(q + 1);

		if ((param[0] == 'q' || param[0] == 'Q') && param[1] == '=')
			return strtod(param + 2, NULL);
	}
	return 1.0;
}

/*
 * Returns 1 when Accept-Encoding allows gzip: "gzip" (or "x-gzip") with a
 * non-zero q value, or "*" with one when gzip is not listed.
 */
static int
accepts_gzip(const char *header)
{
	double gzip_q = -1, any_q = -1;
	const char *p = header;

	while (p && *p) {
		size_t len;

		p = skip_spaces(p);
		len = strcspn(p, ",; \t");
		if ((len == 4 && strncasecmp(p, "gzip", 4) == 0) ||
		    (len == 6 && strncasecmp(p, "x-gzip", 6) == 0))
			gzip_q = coding_quality(p + len);
		else if (len == 1 && p[0] == '*')
			any_q = coding_quality(p + len);
		p = strchr(p, ',');
		if (p)
			p++;
	}
	return gzip_q >= 0 ? gzip_q > 0 : any_q > 0;
}

/* Returns 1 when If-None-Match lists ETAG (weak comparison) or is "*". */
static int
etag_listed(const char *header, const char *etag)
{
	size_t etag_len = strlen(etag);
	const char *p = header;

	while (p && *p) {
		size_t len;

		p = skip_spaces(p);
		if (p[0] == '*')
			return 1;
		if (p[0] == 'W' && p[1] == '/')
			p += 2;
		len = strcspn(p, ", \t");
		if (len == etag_len && memcmp(p, etag, len) == 0)
			return 1;
		p = strchr(p, ',');
		if (p)
			p++;
	}
	return 0;
}

static const char *
header_value(struct MHD_Connection *conn, const char *name)
{
	return MHD_lookup_connection_value(conn, MHD_HEADER_KIND, name);
}

/* ---- answering ---- */

static enum MHD_Result
reply(http_server *srv, struct MHD_Connection *conn, path_index path, unsigned int status,
      struct MHD_Response *response)
{
	enum MHD_Result ret = MHD_queue_response(conn, status, response);

	if (ret == MHD_YES)
		state_count(srv->state, path, status);
	return ret;
}

/* Queues TEXT (malloc'd; freed by libmicrohttpd) as a plain-text answer. */
static enum MHD_Result
reply_text(http_server *srv, struct MHD_Connection *conn, path_index path, unsigned int status,
	   char *text, size_t len, const char *content_type)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	if (!text)
		return MHD_NO;
	r = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(text);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	ret = reply(srv, conn, path, status, r);
	MHD_destroy_response(r);
	return ret;
}

static int
authorized(const provider_state *st, struct MHD_Connection *conn)
{
	return !st->token || token_matches(header_value(conn, MHD_HTTP_HEADER_AUTHORIZATION), st->token);
}

static enum MHD_Result
serve_document(http_server *srv, struct MHD_Connection *conn, int is_get)
{
	provider_state *st = srv->state;
	unsigned int status;
	struct MHD_Response *response;
	enum MHD_Result ret;

	/* the read lock keeps the responses alive until they are queued */
	pthread_rwlock_rdlock(&st->lock);
	if (!authorized(st, conn)) {
		status = MHD_HTTP_UNAUTHORIZED;
		response = srv->unauthorized;
	} else if (!st->doc) {
		status = MHD_HTTP_SERVICE_UNAVAILABLE;
		response = srv->unavailable;
	} else {
		int gzip = st->doc->full_gzip &&
			   accepts_gzip(header_value(conn, MHD_HTTP_HEADER_ACCEPT_ENCODING));
		const char *etag = gzip ? st->doc->etag_gzip : st->doc->etag;

		if (etag_listed(header_value(conn, MHD_HTTP_HEADER_IF_NONE_MATCH), etag)) {
			status = MHD_HTTP_NOT_MODIFIED;
			response = gzip ? st->doc->not_modified_gzip : st->doc->not_modified;
		} else {
			status = MHD_HTTP_OK;
			response = gzip ? st->doc->full_gzip : st->doc->full;
		}
	}
	ret = reply(srv, conn, PATH_TRAEFIK, status, response);
	pthread_rwlock_unlock(&st->lock);

	if (ret == MHD_YES && is_get && (status == MHD_HTTP_OK || status == MHD_HTTP_NOT_MODIFIED))
		state_count_poll(st);
	return ret;
}

static enum MHD_Result
serve_metrics(http_server *srv, struct MHD_Connection *conn)
{
	size_t len = 0;
	char *text;
	int ok;

	pthread_rwlock_rdlock(&srv->state->lock);
	ok = authorized(srv->state, conn);
	pthread_rwlock_unlock(&srv->state->lock);
	if (!ok)
		return reply(srv, conn, PATH_METRICS, MHD_HTTP_UNAUTHORIZED, srv->unauthorized);
	text = report_metrics(srv->state, &len);
	return reply_text(srv, conn, PATH_METRICS, MHD_HTTP_OK, text, len,
			  "text/plain; version=0.0.4; charset=utf-8");
}

static enum MHD_Result
serve_health(http_server *srv, struct MHD_Connection *conn)
{
	size_t len = 0;
	int healthy = 0;
	char *text = report_health(srv->state, &len, &healthy);

	return reply_text(srv, conn, PATH_HEALTHZ,
			  healthy ? MHD_HTTP_OK : MHD_HTTP_SERVICE_UNAVAILABLE, text, len,
			  "text/plain; charset=utf-8");
}

static path_index
classify(const char *url)
{
	if (strcmp(url, "/traefik") == 0)
		return PATH_TRAEFIK;
	if (strcmp(url, "/healthz") == 0)
		return PATH_HEALTHZ;
	if (strcmp(url, "/metrics") == 0)
		return PATH_METRICS;
	return PATH_OTHER;
}

/* Returns 1 when the request announces a body. */
static int
has_body(struct MHD_Connection *conn)
{
	const char *length = header_value(conn, MHD_HTTP_HEADER_CONTENT_LENGTH);

	return (length && strcmp(length, "0") != 0) ||
	       header_value(conn, MHD_HTTP_HEADER_TRANSFER_ENCODING) != NULL;
}

static enum MHD_Result
handle_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
	       const char *version, const char *upload_data, size_t *upload_data_size, void **req_cls)
{
	static int request_seen;
	http_server *srv = cls;
	path_index path = classify(url);
	int is_get = strcmp(method, MHD_HTTP_METHOD_GET) == 0;

	(void)version;
	(void)upload_data;

	/*
	 * libmicrohttpd closes the connection after an answer queued on the
	 * first call, and rejects one queued while a body is arriving.  So a
	 * request without a body is answered on the second call and keeps the
	 * connection, and one with a body (never needed here) is answered at
	 * once, unread, and the connection closed.
	 */
	if (*req_cls == NULL) {
		*req_cls = &request_seen;
		if (!has_body(conn))
			return MHD_YES;
	}
	if (*upload_data_size > 0) {
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (path == PATH_OTHER)
		return reply(srv, conn, path, MHD_HTTP_NOT_FOUND, srv->not_found);
	if (!is_get && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return reply(srv, conn, path, MHD_HTTP_METHOD_NOT_ALLOWED, srv->method_not_allowed);
	if (path == PATH_HEALTHZ)
		return serve_health(srv, conn);
	if (path == PATH_METRICS)
		return serve_metrics(srv, conn);
	return serve_document(srv, conn, is_get);
}

/* ---- set-up ---- */

/*
 * Percent-decodes S in place like libmicrohttpd's default, but leaves a
 * value containing "%00" undecoded.  Decoding it would cut the path at the
 * NUL, so "/traefik%00junk" would reach handle_request as "/traefik".
 */
static size_t
unescape_without_nul(void *cls, struct MHD_Connection *conn, char *s)
{
	(void)cls;
	(void)conn;
	for (const char *p = strchr(s, '%'); p; p = strchr(p + 1, '%'))
		if (p[1] == '0' && p[2] == '0')
			return strlen(s);
	return MHD_http_unescape(s);
}

static struct MHD_Response *
fixed_response(const char *body, const char *name, const char *value)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body), (void *)body,
								 MHD_RESPMEM_PERSISTENT);

	if (!r)
		return NULL;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (name)
		MHD_add_response_header(r, name, value);
	return r;
}

static int
create_fixed_responses(http_server *srv)
{
	srv->unauthorized = fixed_response("missing or wrong bearer token\n",
					   MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"apex-provider\"");
	srv->not_found = fixed_response("not found: the paths are /traefik, /healthz and /metrics\n",
					NULL, NULL);
	srv->method_not_allowed = fixed_response("method not allowed: use GET or HEAD\n",
						 MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	/* Traefik keeps its current configuration on any answer but 200 */
	srv->unavailable = fixed_response("no document yet: the database has not been readable "
					  "since apex-provider started\n",
					  MHD_HTTP_HEADER_RETRY_AFTER, "5");
	return srv->unauthorized && srv->not_found && srv->method_not_allowed && srv->unavailable;
}

static void
destroy_fixed_responses(http_server *srv)
{
	struct MHD_Response *all[] = { srv->unauthorized, srv->not_found, srv->method_not_allowed,
				       srv->unavailable };

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (all[i])
			MHD_destroy_response(all[i]);
}

/* libmicrohttpd reports malformed requests and resource limits here. */
static void
log_from_mhd(void *cls, const char *fmt, va_list ap)
{
	char message[512];
	size_t len;

	(void)cls;
	vsnprintf(message, sizeof(message), fmt, ap);
	len = strlen(message);
	while (len > 0 && message[len - 1] == '\n')
		message[--len] = '\0';
	provider_log(LEVEL_DEBUG, "http: %s", message);
}

static unsigned int
worker_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		return 1;
	return n > HTTP_MAX_THREADS ? HTTP_MAX_THREADS : (unsigned int)n;
}

apex_status
http_start(http_server *srv, provider_state *st, int listen_fd, apex_error *err)
{
	memset(srv, 0, sizeof(*srv));
	srv->state = st;
	if (!create_fixed_responses(srv)) {
		destroy_fixed_responses(srv);
		return apex_fail(err, APEX_FAILED, "could not start the HTTP server: out of memory");
	}
	srv->daemon = MHD_start_daemon(
		MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL,
		handle_request, srv,
		MHD_OPTION_EXTERNAL_LOGGER, log_from_mhd, NULL,
		MHD_OPTION_LISTEN_SOCKET, listen_fd,
		MHD_OPTION_THREAD_POOL_SIZE, worker_threads(),
		MHD_OPTION_CONNECTION_LIMIT, (unsigned int)HTTP_CONNECTION_LIMIT,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)HTTP_PER_IP_LIMIT,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)HTTP_IDLE_TIMEOUT_S,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_CONNECTION_MEMORY,
		MHD_OPTION_STRICT_FOR_CLIENT, 1,
		MHD_OPTION_UNESCAPE_CALLBACK, unescape_without_nul, NULL,
		MHD_OPTION_END);
	if (!srv->daemon) {
		destroy_fixed_responses(srv);
		close(listen_fd);
		return apex_fail(err, APEX_FAILED, "could not start the HTTP server");
	}
	return APEX_OK;
}

void
http_stop(http_server *srv)
{
	if (srv->daemon)
		MHD_stop_daemon(srv->daemon);
	srv->daemon = NULL;
	destroy_fixed_responses(srv);
}
