/*
 * alert.c - alerts for failed and slow provisioning.
 */
#include "alert.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ALERT_TIMEOUT_MS 10000

static int
wait_bounded(pid_t pid)
{
	struct timespec pause = { 0, 10 * 1000 * 1000 };
	int status;

	for (int waited = 0; waited < ALERT_TIMEOUT_MS; waited += 10) {
		pid_t done = waitpid(pid, &status, WNOHANG);

		if (done == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
		if (done < 0 && errno != EINTR)
			return -1;
		nanosleep(&pause, NULL);
	}
	fprintf(stderr, "apex: alert command did not finish within 10 s and was killed\n");
	kill(-pid, SIGKILL);	/* its whole process group: sh and what it started */
	waitpid(pid, &status, 0);
	return -1;
}

int
alert_send(const apex_config *cfg, const char *kind, const char *tenant, const char *message)
{
	pid_t pid;

	if (!cfg->alerts_command || !*cfg->alerts_command)
		return 0;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		/*
		 * Its own process group, so a timeout kills everything it
		 * started; its output goes to standard error, so it never mixes
		 * with the JSON that scripts read from standard output.
		 */
		setpgid(0, 0);
		dup2(STDERR_FILENO, STDOUT_FILENO);
		setenv("APEX_ALERT_KIND", kind, 1);
		setenv("APEX_ALERT_TENANT", tenant ? tenant : "", 1);
		setenv("APEX_ALERT_MESSAGE", message ? message : "", 1);
		execl("/bin/sh", "sh", "-c", cfg->alerts_command, (char *)NULL);
		_exit(127);
	}
	setpgid(pid, pid);	/* also here, so the group exists before any kill */
	return wait_bounded(pid) == 0 ? 0 : -1;
}
