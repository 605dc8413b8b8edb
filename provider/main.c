/*
 * main.c - apex-provider: serves Traefik's dynamic configuration, rendered
 * from the Apex tenants table, to Traefik's HTTP provider.
 *
 * Threads: the main thread handles signals, the refresh thread keeps the
 * document current (refresh.c), and libmicrohttpd's worker threads serve
 * requests from the published state (http.c).
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "http.h"
#include "listen.h"
#include "log.h"
#include "refresh.h"
#include "state.h"
#include "token.h"

#define PROGRAM "apex-provider"

/* How long start-up waits for the first render before serving requests. */
#define START_WAIT_MS 5000

typedef struct options {
	const char *config_path;
	const char *listen;
	int verbose;
} options;

static void
print_help(FILE *out)
{
	fprintf(out,
		"Usage: %s [--config FILE] [--listen ADDRESS:PORT] [--verbose]\n\n"
		"Serves Traefik's dynamic configuration, rendered from the Apex tenants table,\n"
		"on GET /traefik, with GET /healthz and GET /metrics beside it.\n\n"
		"Options:\n"
		"  -c, --config FILE          configuration file (default: $APEX_CONFIG, else\n"
		"                             /etc/apex/apex.yaml when it exists)\n"
		"  -l, --listen ADDRESS:PORT  address to listen on (default: provider.listen,\n"
		"                             127.0.0.1:9000); port 0 picks a free port\n"
		"  -v, --verbose              also log debug messages\n"
		"  -h, --help                 show this help and exit\n"
		"  -V, --version              show the version and exit\n\n"
		"SIGHUP reloads the configuration and the token file; SIGTERM and SIGINT stop.\n"
		"Exit status: 0 after a clean stop, 1 when it could not start, 2 for invalid\n"
		"usage or configuration.  See apex-provider(8).\n", PROGRAM);
}

static int
usage_error(const char *fmt, const char *value)
{
	fprintf(stderr, "%s: error: ", PROGRAM);
	fprintf(stderr, fmt, value);
	fprintf(stderr, "\nHINT:  Run \"%s --help\" for the options.\n", PROGRAM);
	return 2;
}

/* Returns -1 to go on, else the exit status. */
static int
parse_options(int argc, char **argv, options *opts)
{
	static const struct option long_options[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "listen", required_argument, NULL, 'l' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int opt;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":c:l:vhV", long_options, NULL)) != -1) {
		switch (opt) {
		case 'c': opts->config_path = optarg; break;
		case 'l': opts->listen = optarg; break;
		case 'v': opts->verbose = 1; break;
		case 'h': print_help(stdout); return 0;
		case 'V': printf("%s %s\n", PROGRAM, APEX_VERSION); return 0;
		case ':': return usage_error("option \"%s\" requires a value", argv[optind - 1]);
		default: return usage_error("invalid option \"%s\"", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument \"%s\"", argv[optind]);
	return -1;
}

static void
describe_instance(refresher *r, const char *bound)
{
	char host[256];
	struct timespec ts;

	if (gethostname(host, sizeof(host)) != 0)
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	snprintf(r->instance, sizeof(r->instance), "%s/%s", host, bound);
	clock_gettime(CLOCK_REALTIME, &ts);
	r->started_ms = (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Loads the configuration and token and returns 0, or else the exit status. */
static int
load_settings(const options *opts, apex_config **cfg, char **token)
{
	apex_error err = { 0 };

	*token = NULL;
	if (apex_config_load(opts->config_path, cfg, &err)) {
		apex_error_print(&err, PROGRAM);
		return 2;
	}
	if (opts->listen)
		apex_config_set(&(*cfg)->provider_listen, opts->listen);
	if ((*cfg)->provider_token_file[0] && token_load((*cfg)->provider_token_file, token, &err)) {
		apex_error_print(&err, PROGRAM);
		apex_config_free(*cfg);
		return err.status == APEX_INVALID ? 2 : 1;
	}
	return 0;
}

/*
 * Raises the soft limit on open files toward the hard one, so that the
 * connection limit and not the descriptor limit bounds the connections.
 */
static void
raise_file_limit(void)
{
	struct rlimit limit;
	rlim_t needed = HTTP_CONNECTION_LIMIT + 64;

	if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= needed)
		return;
	limit.rlim_cur = limit.rlim_max < needed ? limit.rlim_max : needed;
	if (setrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur < needed)
		provider_log(LEVEL_WARNING, "only %llu file descriptors are allowed, fewer than the %d "
			     "connections apex-provider accepts", (unsigned long long)limit.rlim_cur,
			     HTTP_CONNECTION_LIMIT);
}

/* Blocks the signals the main thread waits for, before any thread starts. */
static void
block_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, set, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static void
wait_for_stop(const sigset_t *set, refresher *r)
{
	int sig = 0;

	for (;;) {
		if (sigwait(set, &sig) != 0)
			continue;
		if (sig != SIGHUP)
			break;
		provider_log(LEVEL_INFO, "SIGHUP received; reloading the configuration");
		refresher_request_reload(r);
	}
	provider_log(LEVEL_INFO, "%s received; stopping", sig == SIGINT ? "SIGINT" : "SIGTERM");
}

/* Starts the threads, serves until a stop signal, and stops them again. */
static int
run(apex_config *cfg, char *token, const options *opts)
{
	static provider_state state;
	static refresher r;
	http_server srv;
	apex_error err = { 0 };
	char bound[128];
	sigset_t signals;
	int fd = listen_open(cfg->provider_listen, bound, sizeof(bound), &err);

	if (fd < 0) {
		apex_error_print(&err, PROGRAM);
		apex_config_free(cfg);
		free(token);
		return err.status == APEX_INVALID ? 2 : 1;
	}
	raise_file_limit();
	block_signals(&signals);
	state_init(&state);
	state_set_token(&state, token);
	r = (refresher){ .state = &state, .cfg = cfg, .config_path = opts->config_path,
			 .listen_override = opts->listen };
	describe_instance(&r, bound);
	if (refresher_start(&r, &err)) {
		apex_error_print(&err, PROGRAM);
		return 1;
	}
	state_wait_first_attempt(&state, START_WAIT_MS);
	if (http_start(&srv, &state, fd, &err)) {
		apex_error_print(&err, PROGRAM);
		refresher_stop(&r);
		return 1;
	}
	provider_log(LEVEL_INFO, "listening on http://%s/traefik (instance \"%s\", bearer token %s)",
		     bound, r.instance, token ? "required" : "not required");

	wait_for_stop(&signals, &r);
	http_stop(&srv);
	refresher_stop(&r);
	state_destroy(&state);
	provider_log(LEVEL_INFO, "stopped");
	return 0;
}

int
main(int argc, char **argv)
{
	options opts = { 0 };
	apex_config *cfg;
	char *token;
	int status = parse_options(argc, argv, &opts);

	if (status >= 0)
		return status;
	provider_log_init(opts.verbose ? LEVEL_DEBUG : LEVEL_INFO);
	status = load_settings(&opts, &cfg, &token);
	if (status)
		return status;
	return run(cfg, token, &opts);
}
