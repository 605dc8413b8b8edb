/*
 * listen.c - parsing "ADDRESS:PORT" and opening the listening socket.
 */
#include "listen.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "validate.h"

#define LISTEN_BACKLOG 511

typedef enum split_result {
	SPLIT_OK,
	SPLIT_MALFORMED,	/* no ADDRESS:PORT shape, or an empty or long address */
	SPLIT_BAD_PORT		/* the port is not a number from 0 to 65535 */
} split_result;

/* Splits SPEC into HOST and PORT. */
static split_result
split_spec(const char *spec, char *host, size_t host_size, char *port, size_t port_size)
{
	const char *colon;
	const char *host_start = spec;
	size_t host_len;
	long long number;

	if (spec[0] == '[') {
		const char *close = strchr(spec, ']');

		if (!close || close[1] != ':')
			return SPLIT_MALFORMED;
		host_start = spec + 1;
		host_len = (size_t)(close - host_start);
		colon = close + 1;
	} else {
		colon = strrchr(spec, ':');
		if (!colon || memchr(spec, ':', (size_t)(colon - spec)))
			return SPLIT_MALFORMED;
		host_len = (size_t)(colon - spec);
	}
	if (host_len == 0 || host_len >= host_size)
		return SPLIT_MALFORMED;
	if (strlen(colon + 1) >= port_size || colon[1] == '-' ||
	    apex_parse_integer(colon + 1, &number) || number > 65535)
		return SPLIT_BAD_PORT;
	memcpy(host, host_start, host_len);
	host[host_len] = '\0';
	snprintf(port, port_size, "%s", colon + 1);
	return SPLIT_OK;
}

static int
bind_first(const struct addrinfo *list, int *saved_errno)
{
	int one = 1;

	for (const struct addrinfo *ai = list; ai; ai = ai->ai_next) {
		int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
				ai->ai_protocol);

		if (fd < 0) {
			*saved_errno = errno;
			continue;
		}
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, LISTEN_BACKLOG) == 0)
			return fd;
		*saved_errno = errno;
		close(fd);
	}
	return -1;
}

static void
describe_bound(int fd, char *bound, size_t size)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char addr[INET6_ADDRSTRLEN];

	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0) {
		snprintf(bound, size, "?");
		return;
	}
	if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

		inet_ntop(AF_INET6, &in6->sin6_addr, addr, sizeof(addr));
		snprintf(bound, size, "[%s]:%u", addr, ntohs(in6->sin6_port));
	} else {
		struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;

		inet_ntop(AF_INET, &in4->sin_addr, addr, sizeof(addr));
		snprintf(bound, size, "%s:%u", addr, ntohs(in4->sin_port));
	}
}

int
listen_open(const char *spec, char *bound, size_t size, apex_error *err)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
	struct addrinfo *list = NULL;
	char host[256];
	char port[8];
	int saved_errno = 0;
	int rc, fd;

	switch (split_spec(spec, host, sizeof(host), port, sizeof(port))) {
	case SPLIT_OK:
		break;
	case SPLIT_BAD_PORT:
		apex_fail(err, APEX_INVALID, "invalid port \"%s\" in listen address \"%s\"",
			  strrchr(spec, ':') + 1, spec);
		apex_error_hint(err, "The port must be a number from 0 to 65535; 0 picks a free port.");
		return -1;
	case SPLIT_MALFORMED:
		apex_fail(err, APEX_INVALID, "invalid listen address \"%s\"", spec);
		apex_error_hint(err, "Use ADDRESS:PORT, for example 127.0.0.1:9000 or [::1]:9000.");
		return -1;
	}
	rc = getaddrinfo(host, port, &hints, &list);
	if (rc != 0) {
		apex_fail(err, APEX_INVALID, "could not resolve listen address \"%s\": %s", spec,
			  gai_strerror(rc));
		return -1;
	}
	fd = bind_first(list, &saved_errno);
	freeaddrinfo(list);
	if (fd < 0) {
		apex_fail(err, APEX_FAILED, "could not listen on \"%s\": %s", spec, strerror(saved_errno));
		return -1;
	}
	describe_bound(fd, bound, size);
	return fd;
}
