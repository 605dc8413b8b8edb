/*
 * review.c - listing, retrying and dismissing review queue items.
 *
 * Retrying cannot hold a row lock across tenant_provision(), which runs its
 * own transactions on the same connection.  So the item is checked first and
 * marked afterwards with "WHERE state = 'open'".  When two operators retry
 * at once, the advisory lock inside tenant_provision() makes the second run
 * find the tenant already provisioned, and only one of them changes the item.
 */
#include "review.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "db.h"
#include "sqlbuf.h"
#include "validate.h"

#define REVIEW_COLUMNS \
	"id, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), " \
	"to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), " \
	"subdomain, request::text, failed_phase, error, coalesce(sqlstate, ''), attempts, " \
	"state, actor"

static char *
xstrdup(const char *s)
{
	char *copy = strdup(s);

	if (!copy)
		abort();
	return copy;
}

static void
item_from_row(const PGresult *res, int row, review_item *item)
{
	memset(item, 0, sizeof(*item));
	item->id = atoll(PQgetvalue(res, row, 0));
	snprintf(item->created_at, sizeof(item->created_at), "%s", PQgetvalue(res, row, 1));
	snprintf(item->updated_at, sizeof(item->updated_at), "%s", PQgetvalue(res, row, 2));
	snprintf(item->subdomain, sizeof(item->subdomain), "%s", PQgetvalue(res, row, 3));
	item->request = xstrdup(PQgetvalue(res, row, 4));
	snprintf(item->failed_phase, sizeof(item->failed_phase), "%s", PQgetvalue(res, row, 5));
	item->error = xstrdup(PQgetvalue(res, row, 6));
	snprintf(item->sqlstate, sizeof(item->sqlstate), "%s", PQgetvalue(res, row, 7));
	item->attempts = atoi(PQgetvalue(res, row, 8));
	snprintf(item->state, sizeof(item->state), "%s", PQgetvalue(res, row, 9));
	item->actor = xstrdup(PQgetvalue(res, row, 10));
}

apex_status
review_list_load(const apex_ctx *ctx, int include_closed, review_list *out, apex_error *err)
{
	PGresult *res;
	int n;

	memset(out, 0, sizeof(*out));
	res = apex_db_query(ctx->conn, err, "could not read the review queue",
			    include_closed ? "SELECT " REVIEW_COLUMNS " FROM apex.review_queue ORDER BY id"
					   : "SELECT " REVIEW_COLUMNS " FROM apex.review_queue "
					     "WHERE state = 'open' ORDER BY id",
			    0, NULL);
	if (!res)
		return APEX_FAILED;
	n = PQntuples(res);
	out->items = calloc(n ? (size_t)n : 1, sizeof(*out->items));
	if (!out->items)
		abort();
	for (int i = 0; i < n; i++)
		item_from_row(res, i, &out->items[i]);
	out->count = (size_t)n;
	PQclear(res);
	return APEX_OK;
}

static apex_status
item_not_found(long long id, apex_error *err)
{
	apex_fail(err, APEX_NOT_FOUND, "review item %lld does not exist", id);
	apex_error_hint(err, "Run \"apexctl review list\" to see the open items.");
	return APEX_NOT_FOUND;
}

apex_status
review_get(const apex_ctx *ctx, long long id, review_item *out, apex_error *err)
{
	char id_text[24];
	const char *params[1] = { id_text };
	PGresult *res;

	memset(out, 0, sizeof(*out));
	snprintf(id_text, sizeof(id_text), "%lld", id);
	res = apex_db_query(ctx->conn, err, "could not read the review item",
			    "SELECT " REVIEW_COLUMNS " FROM apex.review_queue WHERE id = $1", 1, params);
	if (!res)
		return APEX_FAILED;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return item_not_found(id, err);
	}
	item_from_row(res, 0, out);
	PQclear(res);
	return APEX_OK;
}

void
review_item_clear(review_item *item)
{
	free(item->request);
	free(item->error);
	free(item->actor);
	memset(item, 0, sizeof(*item));
}

void
review_list_free(review_list *list)
{
	for (size_t i = 0; i < list->count; i++)
		review_item_clear(&list->items[i]);
	free(list->items);
	memset(list, 0, sizeof(*list));
}

/* ---- retry ---- */

/* A stored request with its strings owned by the parsed JSON document. */
typedef struct stored_request {
	json_t *doc;
	tenant_request req;
} stored_request;

static const char *
optional_string(json_t *doc, const char *key)
{
	json_t *value = json_object_get(doc, key);

	return json_is_string(value) ? json_string_value(value) : NULL;
}

static apex_status
parse_request(const review_item *item, stored_request *out, apex_error *err)
{
	memset(out, 0, sizeof(*out));
	out->doc = json_loads(item->request, 0, NULL);
	if (!json_is_object(out->doc)) {
		json_decref(out->doc);
		out->doc = NULL;
		return apex_fail(err, APEX_INVALID, "review item %lld has an unreadable request",
				 item->id);
	}
	out->req.subdomain = optional_string(out->doc, "subdomain");
	out->req.display_name = optional_string(out->doc, "display_name");
	out->req.email = optional_string(out->doc, "email");
	out->req.plan = optional_string(out->doc, "plan");
	out->req.blueprint = optional_string(out->doc, "blueprint");
	if (!out->req.subdomain)
		out->req.subdomain = item->subdomain;
	return APEX_OK;
}

static apex_status
require_open(const review_item *item, const char *verb, apex_error *err)
{
	if (strcmp(item->state, "open") == 0)
		return APEX_OK;
	apex_fail(err, APEX_INVALID, "cannot %s review item %lld: it is already %s", verb, item->id,
		  item->state);
	apex_error_detail(err, "Only open items can be retried or dismissed.");
	return APEX_INVALID;
}

static json_t *
retry_detail(const review_item *item, apex_status st, const provision_result *result,
	     const apex_error *cause)
{
	json_t *detail = json_pack("{s:I, s:i}", "review_id", (json_int_t)item->id,
				   "attempts", item->attempts + 1);

	if (st == APEX_OK) {
		json_object_set_new(detail, "outcome", json_string(result->created ? "provisioned"
									 : "already provisioned"));
		json_object_set_new(detail, "total_ms", json_real(result->total_ms));
		return detail;
	}
	json_object_set_new(detail, "outcome", json_string(st == APEX_INVALID ? "rejected" : "failed"));
	json_object_set_new(detail, "error", json_string(cause->message));
	if (result->review_id)
		json_object_set_new(detail, "new_review_id", json_integer(result->review_id));
	return detail;
}

/*
 * Marks ITEM retried (unless the request was rejected), hands its attempt
 * count on to the new item of a repeated failure, and audits the retry, in
 * one transaction.
 */
static apex_status
record_retry(const apex_ctx *ctx, const review_item *item, apex_status st,
	     const provision_result *result, const apex_error *cause, apex_error *err)
{
	json_t *detail = retry_detail(item, st, result, cause);
	char *audit = audit_insert_sql(ctx, "REVIEW_RETRIED", item->subdomain, st == APEX_OK, -1, detail);
	sqlbuf b;
	apex_status rec;

	json_decref(detail);
	sqlbuf_init(&b, ctx->conn);
	sqlbuf_append(&b, "BEGIN;");
	if (st != APEX_INVALID)
		sqlbuf_appendf(&b, "UPDATE apex.review_queue SET state = 'retried', attempts = "
			       "attempts + 1, updated_at = now() WHERE id = %lld AND state = 'open';",
			       item->id);
	if (st == APEX_FAILED && result->review_id)
		sqlbuf_appendf(&b, "UPDATE apex.review_queue SET attempts = %d WHERE id = %lld;",
			       item->attempts + 1, result->review_id);
	sqlbuf_append(&b, audit ? audit : "SELECT 1/0");
	sqlbuf_append(&b, "; COMMIT");
	free(audit);
	if (sqlbuf_failed(&b))
		rec = apex_fail(err, APEX_FAILED, "could not build the SQL text");
	else
		rec = apex_db_command(ctx->conn, err, "could not record the retry", b.data);
	if (rec)
		PQclear(PQexec(ctx->conn, "ROLLBACK"));
	sqlbuf_free(&b);
	return rec;
}

apex_status
review_retry(const apex_ctx *ctx, long long id, provision_progress_fn progress,
	     void *progress_data, provision_result *result, apex_error *err)
{
	review_item item;
	stored_request stored;
	apex_error record_err = { 0 };
	apex_status st;

	memset(result, 0, sizeof(*result));
	st = review_get(ctx, id, &item, err);
	if (st)
		return st;
	st = require_open(&item, "retry", err);
	if (!st)
		st = parse_request(&item, &stored, err);
	if (st) {
		review_item_clear(&item);
		return st;
	}

	st = tenant_provision(ctx, &stored.req, progress, progress_data, result, err);
	if (record_retry(ctx, &item, st, result, err, &record_err) && st == APEX_OK)
		*err = record_err;
	json_decref(stored.doc);
	review_item_clear(&item);
	return st ? st : (apex_status)record_err.status;
}

/* ---- dismiss ---- */

static apex_status
lock_item(const apex_ctx *ctx, long long id, review_item *item, apex_error *err)
{
	char id_text[24];
	const char *params[1] = { id_text };
	PGresult *res;

	snprintf(id_text, sizeof(id_text), "%lld", id);
	if (apex_db_command(ctx->conn, err, "could not start the transaction", "BEGIN"))
		return APEX_FAILED;
	res = apex_db_query(ctx->conn, err, "could not lock the review item",
			    "SELECT " REVIEW_COLUMNS " FROM apex.review_queue WHERE id = $1 FOR UPDATE",
			    1, params);
	if (!res)
		return APEX_FAILED;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return item_not_found(id, err);
	}
	item_from_row(res, 0, item);
	PQclear(res);
	return APEX_OK;
}

static apex_status
apply_dismiss(const apex_ctx *ctx, const review_item *item, const char *reason, apex_error *err)
{
	json_t *detail = json_pack("{s:I, s:s, s:s}", "review_id", (json_int_t)item->id,
				   "failed_phase", item->failed_phase, "error", item->error);
	char *audit;
	sqlbuf b;
	apex_status st;

	if (reason)
		json_object_set_new(detail, "reason", json_string(reason));
	audit = audit_insert_sql(ctx, "REVIEW_DISMISSED", item->subdomain, 1, -1, detail);
	json_decref(detail);
	sqlbuf_init(&b, ctx->conn);
	sqlbuf_appendf(&b, "UPDATE apex.review_queue SET state = 'dismissed', updated_at = now() "
		       "WHERE id = %lld;", item->id);
	sqlbuf_append(&b, audit ? audit : "SELECT 1/0");
	sqlbuf_append(&b, "; COMMIT");
	free(audit);
	if (sqlbuf_failed(&b))
		st = apex_fail(err, APEX_FAILED, "could not build the SQL text");
	else
		st = apex_db_command(ctx->conn, err, "could not dismiss the review item", b.data);
	sqlbuf_free(&b);
	return st;
}

apex_status
review_dismiss(const apex_ctx *ctx, long long id, const char *reason, int *changed,
	       apex_error *err)
{
	review_item item = { 0 };
	apex_status st;

	*changed = 0;
	if (reason && apex_validate_reason(reason, err))
		return APEX_INVALID;
	st = lock_item(ctx, id, &item, err);
	if (!st && strcmp(item.state, "dismissed") == 0) {
		review_item_clear(&item);
		return apex_db_command(ctx->conn, err, "could not end the transaction", "COMMIT");
	}
	if (!st)
		st = require_open(&item, "dismiss", err);
	if (!st)
		st = apply_dismiss(ctx, &item, reason, err);
	review_item_clear(&item);
	if (st) {
		PQclear(PQexec(ctx->conn, "ROLLBACK"));
		return st;
	}
	*changed = 1;
	return APEX_OK;
}
