/*
 * http.h - the HTTP side of apex-provider, on libmicrohttpd.
 *
 * GET and HEAD on /traefik (the document), /healthz and /metrics; every
 * other path is 404 and every other method 405.  Connections, idle time and
 * the memory per connection (which bounds request headers) are limited.
 */
#ifndef PROVIDER_HTTP_H
#define PROVIDER_HTTP_H

#include <microhttpd.h>

#include "error.h"
#include "state.h"

/* Limits of the HTTP server. */
#define HTTP_CONNECTION_LIMIT 1024
#define HTTP_PER_IP_LIMIT 512		/* Traefik and the benchmarks share 127.0.0.1 */
#define HTTP_IDLE_TIMEOUT_S 15
#define HTTP_CONNECTION_MEMORY 16384	/* bytes per connection, request headers included */
#define HTTP_MAX_THREADS 8

typedef struct http_server {
	struct MHD_Daemon *daemon;
	provider_state *state;
	struct MHD_Response *unauthorized;
	struct MHD_Response *not_found;
	struct MHD_Response *method_not_allowed;
	struct MHD_Response *unavailable;
} http_server;

/* Starts serving on LISTEN_FD (which the server then owns). */
apex_status http_start(http_server *srv, provider_state *st, int listen_fd, apex_error *err);

/* Stops accepting, waits for the worker threads and frees everything. */
void http_stop(http_server *srv);

#endif
