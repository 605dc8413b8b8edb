/*
 * validate.h - rules for every value that reaches Apex from outside.
 *
 * Each validator returns APEX_OK or fills ERR with APEX_INVALID and a message
 * that quotes the value and states the rule.  Names derived from validated
 * input (schema, role, Traefik router and middleware names, file names) fit
 * every limit of the systems they land in.
 */
#ifndef APEX_VALIDATE_H
#define APEX_VALIDATE_H

#include <stddef.h>

#include "error.h"

/*
 * A subdomain becomes a DNS label, the schema and role "tenant_<label>" (a
 * PostgreSQL identifier of at most 63 bytes) and Traefik names, so it is at
 * most 63 - strlen("tenant_") = 56 bytes.
 */
#define APEX_SUBDOMAIN_MAX 56
#define APEX_SCHEMA_PREFIX "tenant_"
#define APEX_IDENT_MAX 63	/* PostgreSQL's NAMEDATALEN - 1 */
#define APEX_DISPLAY_NAME_MAX 200
#define APEX_EMAIL_MAX 254
#define APEX_DOMAIN_MAX 253
#define APEX_REASON_MAX 500

apex_status apex_validate_subdomain(const char *value, apex_error *err);
apex_status apex_validate_display_name(const char *value, apex_error *err);
apex_status apex_validate_email(const char *value, apex_error *err);
apex_status apex_validate_plan_name(const char *value, apex_error *err);
apex_status apex_validate_blueprint_name(const char *value, apex_error *err);
apex_status apex_validate_feature(const char *value, apex_error *err);
apex_status apex_validate_reason(const char *value, apex_error *err);

/* A fully qualified DNS name: labels of a-z, 0-9 and "-", 253 bytes. */
apex_status apex_validate_domain(const char *value, apex_error *err);

/* A Traefik object name (entry point, resolver): A-Z, a-z, 0-9, "-", "_". */
apex_status apex_validate_traefik_name(const char *value, const char *what, apex_error *err);

/*
 * A listen address "HOST:PORT": an IPv4 address, "[IPv6]" or a host name,
 * and a port from 0 to 65535 (0: the system picks a free port).
 */
apex_status apex_validate_listen(const char *value, apex_error *err);

/* An http or https URL without spaces, quotes or control characters. */
apex_status apex_validate_url(const char *value, apex_error *err);

/* Returns 1 when S is valid UTF-8 without control characters. */
int apex_text_is_printable(const char *s);

/* Returns 1 when S is valid UTF-8 (control characters allowed). */
int apex_utf8_valid(const char *s, size_t len);

/*
 * Parses a decimal integer: optional "-", digits only, no spaces, no
 * overflow.  Returns 0 on success, -1 otherwise.
 */
int apex_parse_integer(const char *s, long long *out);

/*
 * Writes the schema (and role) name of SUBDOMAIN, "tenant_" with "-" mapped
 * to "_", into BUF.  SUBDOMAIN must be valid.
 */
void apex_schema_name(const char *subdomain, char *buf, size_t size);

#endif
