/*
 * console_bench.c - start-up and redraw times of apex-console with many
 * tenants.
 *
 * Runs the real apex-console on a pseudo-terminal of 80x24 (--size) with
 * APEX_CONSOLE_TIMING_LOG set, sends keys the way a terminal would, and
 * reads the console's timing log.  Both sides use CLOCK_MONOTONIC, so:
 *
 *   start-up   from fork() to the console's "ready" event, logged after the
 *              first full screen with the tenants was written to the pty
 *   keypress   from writing a key to the pty to the "frame" event logged
 *              after the redraw it caused was written
 *   filter     the same for each character typed on the "/" filter line,
 *              and for Backspace, which widens the filter
 *   detail     Enter on a tenant until its detail is drawn; the detail
 *              renders the whole Traefik document to show one router
 *   idle       the CPU time the console uses while nothing happens, from
 *              /proc/PID/stat
 *
 * It prints the median, p95 and maximum of each, as a Markdown table.
 *
 * The tenants are rows inserted into apex.tenants with generate_series
 * (subdomains "bench-NNNNNN", no schemas behind them), because the list only
 * reads apex.tenants and provisioning 100,000 real schemas takes too long.
 * Rows already present are kept, so --tenants only ever adds rows.
 *
 *   console_bench [--tenants N] [--runs N] [--keys N] [--size COLSxROWS]
 *                 [--console PATH] [--remove]
 *
 * It uses the database apexctl would use (APEX_HOME, APEX_DATABASE_URL...).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "context.h"
#include "db.h"

#define PROGRAM "console_bench"
#define EVENT_TIMEOUT_MS 10000
#define MAX_SAMPLES 4096
#define IDLE_SECONDS 20
#define SLOW_MS 2000.0

typedef struct bench_opts {
	long tenants;
	int runs;
	int keys;
	int cols, rows;
	const char *console;
	int remove;
} bench_opts;

typedef struct session {
	pid_t pid;
	int master;			/* the pty the console runs on */
	char log_path[64];
	FILE *log;
	double forked_ms;
} session;

typedef struct samples {
	double values[MAX_SAMPLES];
	int n;
} samples;

static void
add_sample(samples *s, double value)
{
	if (s->n < MAX_SAMPLES)
		s->values[s->n++] = value;
}

/* ---- tenants ---- */

static const char insert_sql[] =
	"INSERT INTO apex.tenants (subdomain, schema_name, display_name, owner_email, plan, "
	"blueprint, status, provisioning_ms, created_at, updated_at) "
	"SELECT 'bench-' || lpad(i::text, 6, '0'), 'tenant_bench_' || lpad(i::text, 6, '0'), "
	"'Bench Store ' || i, 'owner' || i || '@bench.example.com', "
	"(ARRAY['basic', 'pro', 'enterprise'])[1 + i % 3], 'standard', "
	"CASE WHEN i % 10 = 0 THEN 'suspended' ELSE 'active' END, 5 + (i % 97) / 3.0, "
	"now() - make_interval(mins => i), now() - make_interval(mins => i) "
	"FROM generate_series(1, $1::int) i ON CONFLICT (subdomain) DO NOTHING";

static long long
count_all(PGconn *conn)
{
	apex_error err = { 0 };
	char *value = apex_db_value(conn, &err, "could not count the tenants",
				    "SELECT count(*) FROM apex.tenants", 0, NULL);
	long long n = value ? atoll(value) : -1;

	if (!value)
		fprintf(stderr, "%s: %s\n", PROGRAM, err.message);
	free(value);
	return n;
}

static int
prepare_tenants(PGconn *conn, const bench_opts *o)
{
	char n[24];
	const char *params[1] = { n };
	apex_error err = { 0 };
	PGresult *res;

	if (o->remove) {
		res = apex_db_query(conn, &err, "could not remove the bench tenants",
				    "DELETE FROM apex.tenants WHERE subdomain LIKE 'bench-%' AND "
				    "to_regnamespace(schema_name) IS NULL", 0, NULL);
	} else {
		snprintf(n, sizeof(n), "%ld", o->tenants);
		res = apex_db_query(conn, &err, "could not insert the bench tenants", insert_sql, 1, params);
	}
	if (!res) {
		fprintf(stderr, "%s: %s\n", PROGRAM, err.message);
		return -1;
	}
	PQclear(res);
	return 0;
}

/* ---- the console on a pty ---- */

static void
run_child(const session *s, const bench_opts *o, const char *slave_name)
{
	int slave;

	setsid();
	slave = open(slave_name, O_RDWR);
	if (slave < 0)
		_exit(127);
	ioctl(slave, TIOCSCTTY, 0);
	dup2(slave, 0);
	dup2(slave, 1);
	dup2(slave, 2);
	if (slave > 2)
		close(slave);
	setenv("APEX_CONSOLE_TIMING_LOG", s->log_path, 1);
	setenv("TERM", "xterm-256color", 1);
	setenv("LANG", "C.UTF-8", 1);
	setenv("LC_ALL", "C.UTF-8", 1);
	execl(o->console, o->console, (char *)NULL);
	_exit(127);
}

static int
start(session *s, const bench_opts *o)
{
	struct winsize ws = { .ws_row = (unsigned short)o->rows, .ws_col = (unsigned short)o->cols };
	int fd;

	memset(s, 0, sizeof(*s));
	snprintf(s->log_path, sizeof(s->log_path), "/tmp/console-bench.XXXXXX");
	fd = mkstemp(s->log_path);
	s->master = posix_openpt(O_RDWR | O_NOCTTY);
	if (fd < 0 || s->master < 0 || grantpt(s->master) || unlockpt(s->master)) {
		perror(PROGRAM ": cannot create a pseudo-terminal");
		return -1;
	}
	close(fd);
	ioctl(s->master, TIOCSWINSZ, &ws);
	s->log = fopen(s->log_path, "r");
	s->forked_ms = apex_now_ms();
	s->pid = fork();
	if (s->pid == 0)
		run_child(s, o, ptsname(s->master));
	return s->pid > 0 && s->log ? 0 : -1;
}

/* Reads and drops the console's output for up to WAIT_MS, so it never blocks on a full pty. */
static void
drain(session *s, int wait_ms)
{
	struct pollfd pfd = { .fd = s->master, .events = POLLIN };
	char buf[65536];

	while (poll(&pfd, 1, wait_ms) > 0) {
		if (read(s->master, buf, sizeof(buf)) <= 0)
			return;
		wait_ms = 0;
	}
}

/*
 * Waits for the next EVENT in the timing log logged at or after AFTER_MS.
 * Returns its time, or -1 after EVENT_TIMEOUT_MS.
 */
static double
wait_event(session *s, const char *event, double after_ms)
{
	double deadline = apex_now_ms() + EVENT_TIMEOUT_MS;
	char line[256];

	while (apex_now_ms() < deadline) {
		long start = ftell(s->log);

		while (fgets(line, sizeof(line), s->log)) {
			double at;
			char name[32];

			/* a line the console is still writing: read it again later */
			if (!strchr(line, '\n')) {
				fseek(s->log, start, SEEK_SET);
				break;
			}
			start = ftell(s->log);
			if (sscanf(line, "%lf %31s", &at, name) == 2 && strcmp(name, event) == 0 &&
			    at >= after_ms)
				return at;
		}
		clearerr(s->log);
		drain(s, 2);
	}
	return -1;
}

static double
send_key(session *s, const char *bytes)
{
	double sent = apex_now_ms();

	if (write(s->master, bytes, strlen(bytes)) < 0)
		return -1;
	return sent;
}

static void
stop(session *s)
{
	double deadline;
	int status;

	send_key(s, "Q");
	deadline = apex_now_ms() + 5000;
	while (waitpid(s->pid, &status, WNOHANG) == 0) {
		if (apex_now_ms() > deadline) {
			kill(s->pid, SIGTERM);
			waitpid(s->pid, &status, 0);
			break;
		}
		drain(s, 10);
	}
	fclose(s->log);
	close(s->master);
	unlink(s->log_path);
}

/* ---- measurements ---- */

static int
measure_startup(const bench_opts *o, samples *out)
{
	for (int r = 0; r < o->runs; r++) {
		session s;
		double ready;

		if (start(&s, o))
			return -1;
		ready = wait_event(&s, "ready", 0);
		stop(&s);
		if (ready < 0) {
			fprintf(stderr, "%s: the console showed no first screen within %d ms\n", PROGRAM,
				EVENT_TIMEOUT_MS);
			return -1;
		}
		add_sample(out, ready - s.forked_ms);
	}
	return 0;
}

/* Prints the console's events since OFFSET in its log, to explain a slow redraw. */
static void
show_events(session *s, long offset, double ms)
{
	long end = ftell(s->log);
	char line[256];

	fprintf(stderr, "%s: a redraw took %.1f ms; the console logged:\n", PROGRAM, ms);
	fseek(s->log, offset, SEEK_SET);
	while (ftell(s->log) < end && fgets(line, sizeof(line), s->log))
		fprintf(stderr, "  %s", line);
	fseek(s->log, end, SEEK_SET);
}

/* Sends KEY and records the time until the redraw it caused. */
static int
timed_key(session *s, const char *key, samples *out)
{
	long offset = ftell(s->log);
	double sent = send_key(s, key);
	double frame = wait_event(s, "frame", sent);

	if (frame < 0) {
		fprintf(stderr, "%s: no redraw within %d ms after a key\n", PROGRAM, EVENT_TIMEOUT_MS);
		return -1;
	}
	add_sample(out, frame - sent);
	if (frame - sent > SLOW_MS)
		show_events(s, offset, frame - sent);
	return 0;
}

/* Moves through the table: down, page down, end, top, and sorting by another column. */
static int
measure_keys(session *s, const bench_opts *o, samples *out)
{
	static const char *const cycle[] = { "j", "j", "j", " ", "j", "k", " ", "G", "g", ">", "<", "I", "I" };

	for (int i = 0; i < o->keys; i++)
		if (timed_key(s, cycle[i % (int)(sizeof(cycle) / sizeof(cycle[0]))], out))
			return -1;
	return 0;
}

/* Opens the selected tenant's detail and goes back, five times. */
static int
measure_detail(session *s, samples *out)
{
	samples back = { .n = 0 };

	for (int round = 0; round < 5; round++)
		if (timed_key(s, "\r", out) || timed_key(s, "q", &back))
			return -1;
	return 0;
}

/* Types a filter character by character, then deletes it again. */
static int
measure_filter(session *s, samples *typing, samples *deleting)
{
	static const char text[] = "bench-0123";

	for (int round = 0; round < 5; round++) {
		if (timed_key(s, "/", typing) < 0)
			return -1;
		typing->n--;	/* opening the line is not a filter keystroke */
		for (const char *c = text; *c; c++) {
			char key[2] = { *c, '\0' };

			if (timed_key(s, key, typing))
				return -1;
		}
		for (size_t i = 0; i < strlen(text); i++)
			if (timed_key(s, "\x7f", deleting))
				return -1;
		if (timed_key(s, "\r", deleting))
			return -1;
		deleting->n--;
	}
	return 0;
}

/* Returns the CPU time the process has used in milliseconds, or -1. */
static double
cpu_ms(pid_t pid)
{
	char path[64], buf[1024];
	unsigned long utime, stime;
	const char *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* fields 14 and 15 (utime, stime) follow the ")" that ends the command name */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime,
			 &stime) != 2)
		return -1;
	return (double)(utime + stime) * 1000.0 / (double)sysconf(_SC_CLK_TCK);
}

/* Leaves the console alone on the tenants screen for SECONDS; returns its CPU use in percent. */
static double
measure_idle(session *s, int seconds)
{
	double before = cpu_ms(s->pid), start_ms = apex_now_ms(), after;

	send_key(s, "g");
	while (apex_now_ms() - start_ms < seconds * 1000.0)
		drain(s, 100);
	after = cpu_ms(s->pid);
	if (before < 0 || after < 0)
		return -1;
	return (after - before) / (apex_now_ms() - start_ms) * 100.0;
}

/* ---- report ---- */

static int
compare_doubles(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void
report(const char *what, samples *s)
{
	if (s->n == 0)
		return;
	qsort(s->values, (size_t)s->n, sizeof(double), compare_doubles);
	printf("| %-34s | %6d | %8.1f | %8.1f | %8.1f |\n", what, s->n, s->values[s->n / 2],
	       s->values[(int)(s->n * 0.95)], s->values[s->n - 1]);
}

static void
parse_args(int argc, char **argv, bench_opts *o)
{
	static const struct option options[] = {
		{ "tenants", required_argument, NULL, 't' }, { "runs", required_argument, NULL, 'r' },
		{ "keys", required_argument, NULL, 'k' }, { "size", required_argument, NULL, 's' },
		{ "console", required_argument, NULL, 'c' }, { "remove", no_argument, NULL, 'x' },
		{ NULL, 0, NULL, 0 }
	};
	int opt;

	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (opt) {
		case 't': o->tenants = atol(optarg); break;
		case 'r': o->runs = atoi(optarg); break;
		case 'k': o->keys = atoi(optarg); break;
		case 's': sscanf(optarg, "%dx%d", &o->cols, &o->rows); break;
		case 'c': o->console = optarg; break;
		case 'x': o->remove = 1; break;
		default:
			fprintf(stderr, "usage: %s [--tenants N] [--runs N] [--keys N] [--size COLSxROWS] "
				"[--console PATH] [--remove]\n", PROGRAM);
			exit(2);
		}
	}
}

static int
run(const bench_opts *o, long long total)
{
	samples startup = { .n = 0 }, keys = { .n = 0 }, typing = { .n = 0 }, deleting = { .n = 0 };
	samples detail = { .n = 0 };
	session s;
	double idle = -1;
	int failed;

	if (measure_startup(o, &startup) || start(&s, o))
		return 1;
	failed = wait_event(&s, "ready", 0) < 0 || measure_keys(&s, o, &keys) ||
		 measure_filter(&s, &typing, &deleting) || measure_detail(&s, &detail);
	if (!failed)
		idle = measure_idle(&s, IDLE_SECONDS);
	stop(&s);
	if (failed)
		return 1;
	printf("\napex-console with %lld tenants, %dx%d terminal (milliseconds)\n\n", total, o->cols,
	       o->rows);
	printf("| %-34s | %6s | %8s | %8s | %8s |\n", "measurement", "n", "median", "p95", "max");
	printf("|%s|%s|%s|%s|%s|\n", "------------------------------------", "--------", "----------",
	       "----------", "----------");
	report("start-up to full first screen", &startup);
	report("keypress to redraw (move, sort)", &keys);
	report("filter keystroke to redraw", &typing);
	report("filter Backspace to redraw", &deleting);
	report("Enter to tenant detail drawn", &detail);
	printf("\nidle on the tenants screen for %d s: %.2f %% of one CPU (from /proc/PID/stat, "
	       "%ld ticks per second)\n", IDLE_SECONDS, idle, sysconf(_SC_CLK_TCK));
	return 0;
}

int
main(int argc, char **argv)
{
	bench_opts o = { .tenants = 10000, .runs = 15, .keys = 260, .cols = 80, .rows = 24 };
	const char *build = getenv("APEX_BUILD");
	char console[4096];
	apex_config *cfg;
	apex_error err = { 0 };
	PGconn *conn;
	long long total;

	snprintf(console, sizeof(console), "%s/apex-console", build ? build : "build");
	o.console = console;
	parse_args(argc, argv, &o);
	if (apex_config_load(NULL, &cfg, &err) || !(conn = apex_db_connect(cfg, PROGRAM, &err))) {
		fprintf(stderr, "%s: %s\n", PROGRAM, err.message);
		return 1;
	}
	if (prepare_tenants(conn, &o) || (total = count_all(conn)) < 0) {
		PQfinish(conn);
		return 1;
	}
	PQfinish(conn);
	apex_config_free(cfg);
	if (o.remove) {
		printf("removed the bench tenants; %lld tenants remain\n", total);
		return 0;
	}
	return run(&o, total);
}
