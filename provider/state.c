/*
 * state.c - the state shared between the refresh and HTTP threads.
 */
#include "state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "context.h"

static const char *const path_labels[PATH_COUNT] = { "/traefik", "/healthz", "/metrics", "other" };
static const char *const code_labels[CODE_COUNT] = { "200", "304", "401", "404", "405", "503", "other" };
static const unsigned int code_values[CODE_OTHER] = { 200, 304, 401, 404, 405, 503 };

void
state_init(provider_state *st)
{
	memset(st, 0, sizeof(*st));
	pthread_rwlock_init(&st->lock, NULL);
	pthread_mutex_init(&st->start_mutex, NULL);
	pthread_cond_init(&st->start_cond, NULL);
}

void
state_destroy(provider_state *st)
{
	served_doc_free(st->doc);
	free(st->token);
	pthread_rwlock_destroy(&st->lock);
	pthread_mutex_destroy(&st->start_mutex);
	pthread_cond_destroy(&st->start_cond);
}

const char *
state_path_label(path_index path)
{
	return path_labels[path];
}

const char *
state_code_label(code_index code)
{
	return code_labels[code];
}

code_index
state_code_index(unsigned int status)
{
	for (int i = 0; i < CODE_OTHER; i++)
		if (code_values[i] == status)
			return (code_index)i;
	return CODE_OTHER;
}

void
state_count(provider_state *st, path_index path, unsigned int status)
{
	atomic_fetch_add_explicit(&st->requests[path][state_code_index(status)], 1, memory_order_relaxed);
}

void
state_count_poll(provider_state *st)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	atomic_fetch_add_explicit(&st->polls, 1, memory_order_relaxed);
	atomic_store_explicit(&st->last_poll_ms, (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000,
			      memory_order_relaxed);
}

void
state_publish(provider_state *st, served_doc *doc, const routes_stats *stats, double render_ms)
{
	served_doc *old = NULL;

	pthread_rwlock_wrlock(&st->lock);
	if (doc) {
		old = st->doc;
		st->doc = doc;
		st->render_ms = render_ms;
	}
	st->stats = *stats;
	st->confirmed_at = apex_now_ms();
	st->problem[0] = '\0';
	pthread_rwlock_unlock(&st->lock);
	served_doc_free(old);
}

void
state_attach_gzip(provider_state *st, gzip_copy *gz)
{
	pthread_rwlock_wrlock(&st->lock);
	gzip_copy_attach(st->doc, gz);
	pthread_rwlock_unlock(&st->lock);
}

void
state_confirm(provider_state *st)
{
	pthread_rwlock_wrlock(&st->lock);
	st->confirmed_at = apex_now_ms();
	st->problem[0] = '\0';
	pthread_rwlock_unlock(&st->lock);
}

void
state_set_problem(provider_state *st, const char *problem)
{
	pthread_rwlock_wrlock(&st->lock);
	snprintf(st->problem, sizeof(st->problem), "%s", problem);
	pthread_rwlock_unlock(&st->lock);
}

void
state_set_token(provider_state *st, char *token)
{
	char *old;

	pthread_rwlock_wrlock(&st->lock);
	old = st->token;
	st->token = token;
	pthread_rwlock_unlock(&st->lock);
	free(old);
}

void
state_first_attempt_done(provider_state *st)
{
	pthread_mutex_lock(&st->start_mutex);
	if (!st->first_attempt_done) {
		st->first_attempt_done = 1;
		pthread_cond_broadcast(&st->start_cond);
	}
	pthread_mutex_unlock(&st->start_mutex);
}

void
state_wait_first_attempt(provider_state *st, int timeout_ms)
{
	struct timespec deadline;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += timeout_ms / 1000;
	deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&st->start_mutex);
	while (!st->first_attempt_done)
		if (pthread_cond_timedwait(&st->start_cond, &st->start_mutex, &deadline) != 0)
			break;
	pthread_mutex_unlock(&st->start_mutex);
}
