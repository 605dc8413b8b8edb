/*
 * review.h - the review queue: failed provisioning attempts waiting for an
 * operator to retry or dismiss them.
 *
 * tenant_provision() adds an "open" item for every failure.  An item ends
 * "retried" once an operator ran its stored request again, or "dismissed"
 * when the operator decided not to.  Both decisions are audited
 * (REVIEW_RETRIED, REVIEW_DISMISSED) with the context's actor.
 */
#ifndef APEX_REVIEW_H
#define APEX_REVIEW_H

#include <stddef.h>

#include "context.h"
#include "tenant.h"

typedef struct review_item {
	long long id;
	char created_at[40];		/* ISO 8601, UTC */
	char updated_at[40];
	char subdomain[64];
	char *request;			/* the provisioning request as JSON text */
	char failed_phase[16];		/* schema, seed, route, register */
	char *error;			/* the primary error message */
	char sqlstate[6];		/* "" when the server reported none */
	int attempts;			/* how often this request has been tried */
	char state[16];			/* open, retried, dismissed */
	char *actor;			/* who ran the failed attempt */
} review_item;

typedef struct review_list {
	review_item *items;
	size_t count;
} review_list;

/*
 * Loads the open items, oldest first, or every item when INCLUDE_CLOSED is
 * nonzero.  The caller frees OUT with review_list_free().
 */
apex_status review_list_load(const apex_ctx *ctx, int include_closed, review_list *out,
			     apex_error *err);

/* Loads item ID.  Returns APEX_NOT_FOUND when it does not exist. */
apex_status review_get(const apex_ctx *ctx, long long id, review_item *out, apex_error *err);

void review_item_clear(review_item *item);
void review_list_free(review_list *list);

/*
 * Runs the stored request of open item ID again through tenant_provision()
 * (PROGRESS may be NULL) and returns its status, with RESULT filled.
 *
 * When provisioning succeeds, or fails again and records a new review item
 * (result->review_id), the item becomes "retried" with attempts + 1 and the
 * new item inherits that attempt count.  When the request itself is
 * rejected (APEX_INVALID, for example because the tenant now exists with
 * other settings), the item stays open.  Every outcome is audited as
 * REVIEW_RETRIED.  Items that are not open give APEX_INVALID, unknown items
 * APEX_NOT_FOUND.
 */
apex_status review_retry(const apex_ctx *ctx, long long id, provision_progress_fn progress,
			 void *progress_data, provision_result *result, apex_error *err);

/*
 * Marks item ID "dismissed" with an optional REASON (NULL for none).
 * Dismissing a dismissed item succeeds with *changed = 0.  A retried item
 * cannot be dismissed (APEX_INVALID).
 */
apex_status review_dismiss(const apex_ctx *ctx, long long id, const char *reason, int *changed,
			   apex_error *err);

#endif
