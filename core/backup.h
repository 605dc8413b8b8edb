/*
 * backup.h - tenant backups: every table of a tenant schema, gzip-compressed.
 *
 * A backup file is "<backup_dir>/<subdomain>-<UTC time>.apexbak.gz": a text
 * header, then for each table "\table NAME (COLUMNS)" followed by the rows
 * in COPY text format and a "\." line.  The rows come from one REPEATABLE
 * READ snapshot, so the tables are consistent with each other.  Each backup
 * is catalogued in apex.backups with its size and SHA-256.
 */
#ifndef APEX_BACKUP_H
#define APEX_BACKUP_H

#include "context.h"

typedef struct backup_info {
	long long id;		/* apex.backups row */
	char file[4096];
	long long size_bytes;
	char sha256[65];
	long long rows;
} backup_info;

/*
 * Writes a backup of SUBDOMAIN and catalogues it (audit BACKUP_CREATED).
 * APEX_NOT_FOUND for unknown tenants, APEX_INVALID for purged ones.  The
 * file is written under a temporary name and renamed when complete, so a
 * failed backup leaves no file behind.
 */
apex_status backup_create(const apex_ctx *ctx, const char *subdomain, backup_info *out,
			  apex_error *err);

/*
 * Checks that FILE still has SIZE bytes and the catalogued SHA256.
 * Returns APEX_OK when it does.
 */
apex_status backup_verify(const char *file, long long size, const char *sha256, apex_error *err);

#endif
