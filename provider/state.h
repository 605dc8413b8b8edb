/*
 * state.h - what the refresh thread publishes and the HTTP threads read.
 *
 * The refresh thread replaces the document, the token and the health under
 * the write lock.  Request handlers hold the read lock while they queue a
 * response.  Counters are atomics so that requests never wait for each
 * other to count.
 */
#ifndef PROVIDER_STATE_H
#define PROVIDER_STATE_H

#include <pthread.h>
#include <stdatomic.h>

#include "doc.h"
#include "routes.h"

typedef enum path_index { PATH_TRAEFIK, PATH_HEALTHZ, PATH_METRICS, PATH_OTHER, PATH_COUNT } path_index;

typedef enum code_index {
	CODE_200, CODE_304, CODE_401, CODE_404, CODE_405, CODE_503, CODE_OTHER, CODE_COUNT
} code_index;

#define PROBLEM_MAX 1024

typedef struct provider_state {
	pthread_rwlock_t lock;

	/* under lock */
	served_doc *doc;		/* NULL until the first successful render */
	char *token;			/* NULL: no token required */
	routes_stats stats;		/* of the served document */
	double render_ms;		/* from reading the database to serving the bytes */
	double confirmed_at;		/* apex_now_ms() when it last matched config_version */
	char problem[PROBLEM_MAX];	/* "" while healthy, else why it is degraded */

	/* first refresh attempt, for the start-up wait */
	pthread_mutex_t start_mutex;
	pthread_cond_t start_cond;
	int first_attempt_done;

	atomic_ullong requests[PATH_COUNT][CODE_COUNT];
	atomic_ullong polls;		/* GET /traefik answered with 200 or 304 */
	atomic_llong last_poll_ms;	/* wall-clock milliseconds of the last poll, 0 never */
	atomic_ullong renders;
	atomic_ullong render_failures;
	atomic_ullong reconnects;	/* connections re-established after a failure */
	atomic_int db_up;
} provider_state;

void state_init(provider_state *st);
void state_destroy(provider_state *st);

/* Returns the label of a path or status code index, for metrics. */
const char *state_path_label(path_index path);
const char *state_code_label(code_index code);
code_index state_code_index(unsigned int status);

void state_count(provider_state *st, path_index path, unsigned int status);

/* Counts a Traefik poll: GET /traefik with a 200 or 304 response. */
void state_count_poll(provider_state *st);

/*
 * Replaces the served document with DOC (taking ownership) and its STATS.
 * DOC NULL keeps the current bytes and only updates STATS.  Clears the
 * problem and marks the document confirmed now.
 */
void state_publish(provider_state *st, served_doc *doc, const routes_stats *stats, double render_ms);

/* Attaches the gzip copy of the served document (see doc.h). */
void state_attach_gzip(provider_state *st, gzip_copy *gz);

/* Marks the document confirmed current now and clears the problem. */
void state_confirm(provider_state *st);

/* Sets the reason the provider is degraded ("" clears it). */
void state_set_problem(provider_state *st, const char *problem);

/* Replaces the token (taking ownership; NULL disables it). */
void state_set_token(provider_state *st, char *token);

/* Wakes the threads waiting in state_wait_first_attempt(). */
void state_first_attempt_done(provider_state *st);

/* Waits up to TIMEOUT_MS for the first refresh attempt to finish. */
void state_wait_first_attempt(provider_state *st, int timeout_ms);

#endif
