/*
 * cluster.c - initdb and pg_ctl for the private cluster.
 */
#include "cluster.h"

#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <libpq-fe.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "db.h"

typedef struct cluster_paths {
	char home[PATH_MAX];
	char data[PATH_MAX + 16];
	char run[PATH_MAX + 16];
	char log_dir[PATH_MAX + 16];
	char log[PATH_MAX + 32];
	char bindir[PATH_MAX];
} cluster_paths;

/* Picks the newest /usr/lib/postgresql/N/bin, or PATH when there is none. */
static void
find_bindir(char *out, size_t size)
{
	const char *env = getenv("APEX_PG_BINDIR");
	DIR *dir;
	struct dirent *de;
	long best = -1;

	out[0] = '\0';
	if (env && *env) {
		snprintf(out, size, "%s", env);
		return;
	}
	dir = opendir("/usr/lib/postgresql");
	if (!dir)
		return;
	while ((de = readdir(dir))) {
		char probe[PATH_MAX];
		long version = strtol(de->d_name, NULL, 10);

		snprintf(probe, sizeof(probe), "/usr/lib/postgresql/%s/bin/pg_ctl", de->d_name);
		if (version > best && access(probe, X_OK) == 0) {
			best = version;
			snprintf(out, size, "/usr/lib/postgresql/%s/bin", de->d_name);
		}
	}
	closedir(dir);
}

static void
paths_init(const apex_config *cfg, cluster_paths *p)
{
	snprintf(p->home, sizeof(p->home), "%s", cfg->apex_home);
	snprintf(p->data, sizeof(p->data), "%s/pgdata", p->home);
	snprintf(p->run, sizeof(p->run), "%s/run", p->home);
	snprintf(p->log_dir, sizeof(p->log_dir), "%s/log", p->home);
	snprintf(p->log, sizeof(p->log), "%s/postgresql.log", p->log_dir);
	find_bindir(p->bindir, sizeof(p->bindir));
}

static void
program_path(const cluster_paths *p, const char *name, char *out, size_t size)
{
	if (p->bindir[0])
		snprintf(out, size, "%s/%s", p->bindir, name);
	else
		snprintf(out, size, "%s", name);
}

/* The user the server runs as: ourselves, or an unprivileged one for root. */
static apex_status
server_user(struct passwd *out, apex_error *err)
{
	const char *name = getenv("APEX_PG_USER");
	struct passwd *pw;

	if (geteuid() != 0) {
		pw = getpwuid(geteuid());
	} else {
		pw = getpwnam(name && *name ? name : "postgres");
		if (!pw) {
			apex_fail(err, APEX_FAILED, "cannot run PostgreSQL as root and user \"%s\" does not exist",
				  name && *name ? name : "postgres");
			apex_error_hint(err, "Install the postgresql package, which creates the "
					"\"postgres\" user, or set APEX_PG_USER to an unprivileged user.");
			return APEX_FAILED;
		}
	}
	if (!pw)
		return apex_fail(err, APEX_FAILED, "could not look up the current user");
	*out = *pw;
	return APEX_OK;
}

/*
 * Runs ARGV as USER (dropping root when needed) and waits.  Output goes to
 * standard error only when QUIET is 0.  Returns the exit status, or -1.
 */
static int
run_as(const struct passwd *user, char *const argv[], int quiet)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (quiet) {
			FILE *null = freopen("/dev/null", "w", stdout);

			(void)null;
		}
		if (geteuid() == 0 && user->pw_uid != 0) {
			if (setgroups(0, NULL) < 0 || setgid(user->pw_gid) < 0 || setuid(user->pw_uid) < 0)
				_exit(126);
			setenv("HOME", user->pw_dir, 1);
			setenv("USER", user->pw_name, 1);
		}
		if (chdir("/") < 0)
			_exit(126);
		execv(argv[0], argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static apex_status
make_dir(const char *path, mode_t mode, const struct passwd *owner, apex_error *err)
{
	if (mkdir(path, mode) < 0 && errno != EEXIST)
		return apex_fail(err, APEX_FAILED, "could not create directory \"%s\": %s",
				 path, strerror(errno));
	if (owner && geteuid() == 0 && chown(path, owner->pw_uid, owner->pw_gid) < 0)
		return apex_fail(err, APEX_FAILED, "could not change the owner of \"%s\": %s",
				 path, strerror(errno));
	return APEX_OK;
}

/* Creates $APEX_HOME and its parents; root leaves it traversable (0711). */
static apex_status
make_home(const cluster_paths *p, apex_error *err)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s", p->home);
	for (char *slash = path + 1; (slash = strchr(slash, '/')); slash++) {
		*slash = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			return apex_fail(err, APEX_FAILED, "could not create directory \"%s\": %s",
					 path, strerror(errno));
		*slash = '/';
	}
	if (make_dir(p->home, geteuid() == 0 ? 0711 : 0700, NULL, err))
		return APEX_FAILED;
	if (geteuid() == 0)
		chmod(p->home, 0711);
	return APEX_OK;
}

static apex_status
initdb(const cluster_paths *p, const struct passwd *user, apex_error *err)
{
	char prog[PATH_MAX + 16];
	char version[PATH_MAX + 32];
	char *argv[] = { prog, "-D", (char *)p->data, "-U", "apex", "--auth=trust",
			 "-E", "UTF8", "--no-locale", "--no-sync", NULL };

	snprintf(version, sizeof(version), "%s/PG_VERSION", p->data);
	if (access(version, F_OK) == 0)
		return APEX_OK;
	program_path(p, "initdb", prog, sizeof(prog));
	if (make_dir(p->data, 0700, user, err))
		return APEX_FAILED;
	if (run_as(user, argv, 1) != 0) {
		apex_fail(err, APEX_FAILED, "could not create the private cluster in \"%s\"", p->data);
		apex_error_hint(err, "Check the messages above; the server programs come from "
				"the postgresql package (scripts/install-deps.sh installs it).");
		return APEX_FAILED;
	}
	return APEX_OK;
}

static apex_status
pg_ctl_start(const cluster_paths *p, const struct passwd *user, apex_error *err)
{
	char prog[PATH_MAX + 16];
	char options[PATH_MAX + 256];
	char *argv[] = { prog, "-D", (char *)p->data, "-l", (char *)p->log, "-w", "-t", "60",
			 "-o", options, "start", NULL };

	program_path(p, "pg_ctl", prog, sizeof(prog));
	snprintf(options, sizeof(options),
		 "-c listen_addresses='' -c unix_socket_directories='%s' "
		 "-c unix_socket_permissions=0700 -c max_connections=200 "
		 "-c shared_buffers=128MB -c fsync=on", p->run);
	if (run_as(user, argv, 1) != 0) {
		apex_fail(err, APEX_FAILED, "could not start the private cluster in \"%s\"", p->data);
		apex_error_hint(err, "See the server log \"%s\".", p->log);
		return APEX_FAILED;
	}
	return APEX_OK;
}

static apex_status
create_database(const apex_config *cfg, const cluster_paths *p, apex_error *err)
{
	char conninfo[PATH_MAX + 64];
	PGconn *conn;
	PGresult *res;
	apex_status st = APEX_OK;

	(void)cfg;
	snprintf(conninfo, sizeof(conninfo), "host='%s' dbname=postgres user=apex", p->run);
	conn = PQconnectdb(conninfo);
	if (PQstatus(conn) != CONNECTION_OK) {
		st = apex_db_error(err, conn, NULL, "could not connect to the private cluster");
		PQfinish(conn);
		return st;
	}
	res = apex_db_query(conn, err, "could not look up database \"apex\"",
			    "SELECT 1 FROM pg_database WHERE datname = 'apex'", 0, NULL);
	if (!res)
		st = APEX_FAILED;
	else if (PQntuples(res) == 0)
		st = apex_db_command(conn, err, "could not create database \"apex\"",
				     "CREATE DATABASE apex");
	PQclear(res);
	PQfinish(conn);
	return st;
}

int
apex_cluster_running(const apex_config *cfg)
{
	cluster_paths p;
	char conninfo[PATH_MAX + 64];

	paths_init(cfg, &p);
	snprintf(conninfo, sizeof(conninfo), "host='%s' dbname=postgres user=apex connect_timeout=5", p.run);
	return PQping(conninfo) == PQPING_OK;
}

apex_status
apex_cluster_start(const apex_config *cfg, apex_error *err)
{
	cluster_paths p;
	struct passwd user;

	paths_init(cfg, &p);
	if (apex_cluster_running(cfg))
		return create_database(cfg, &p, err);
	if (server_user(&user, err) || make_home(&p, err) ||
	    make_dir(p.run, 0700, &user, err) || make_dir(p.log_dir, 0700, &user, err) ||
	    initdb(&p, &user, err) || pg_ctl_start(&p, &user, err))
		return APEX_FAILED;
	return create_database(cfg, &p, err);
}

apex_status
apex_cluster_stop(const apex_config *cfg, apex_error *err)
{
	cluster_paths p;
	struct passwd user;
	char prog[PATH_MAX + 16];
	char pidfile[PATH_MAX + 32];
	char *argv[] = { prog, "-D", p.data, "-m", "fast", "-w", "-t", "60", "stop", NULL };

	paths_init(cfg, &p);
	snprintf(pidfile, sizeof(pidfile), "%s/postmaster.pid", p.data);
	if (access(pidfile, F_OK) != 0)
		return APEX_OK;
	if (server_user(&user, err))
		return APEX_FAILED;
	program_path(&p, "pg_ctl", prog, sizeof(prog));
	if (run_as(&user, argv, 1) != 0)
		return apex_fail(err, APEX_FAILED, "could not stop the private cluster in \"%s\"", p.data);
	return APEX_OK;
}
