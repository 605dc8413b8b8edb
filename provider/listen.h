/*
 * listen.h - the provider's listening socket.
 */
#ifndef PROVIDER_LISTEN_H
#define PROVIDER_LISTEN_H

#include <stddef.h>

#include "error.h"

/*
 * Binds and listens on SPEC, "ADDRESS:PORT" or "[IPV6-ADDRESS]:PORT"
 * (port 0 picks a free port).  Returns the non-blocking socket, or -1 with
 * ERR filled, and writes the bound "ADDRESS:PORT" into BOUND.
 */
int listen_open(const char *spec, char *bound, size_t size, apex_error *err);

#endif
