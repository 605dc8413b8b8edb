/*
 * apexctl_review.c - "apexctl review list|show|retry|dismiss [ID]": the
 * failed provisioning attempts waiting for an operator.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apexctl.h"
#include "review.h"
#include "validate.h"

static json_t *
item_json(const review_item *item)
{
	json_t *request = json_loads(item->request, 0, NULL);

	return json_pack("{s:I, s:s, s:s, s:s, s:o, s:s, s:s, s:s?, s:i, s:s, s:s}",
			 "id", (json_int_t)item->id, "created_at", item->created_at,
			 "updated_at", item->updated_at, "subdomain", item->subdomain,
			 "request", request ? request : json_null(),
			 "failed_phase", item->failed_phase, "error", item->error,
			 "sqlstate", item->sqlstate[0] ? item->sqlstate : NULL,
			 "attempts", item->attempts, "state", item->state, "actor", item->actor);
}

static int
parse_id(const char *action, const char *text, long long *id)
{
	if (apex_parse_integer(text, id) || *id <= 0)
		return ctl_usage_error("review", "invalid review item id \"%s\" for %s: expected a "
				       "positive integer", text, action);
	return 0;
}

static void
print_list_text(const review_list *list, int all)
{
	printf("%6s  %-20s  %-24s  %-8s  %8s  %-9s  %s\n", "ID", "CREATED", "SUBDOMAIN", "PHASE",
	       "ATTEMPTS", "STATE", "ERROR");
	for (size_t i = 0; i < list->count; i++) {
		const review_item *it = &list->items[i];

		printf("%6lld  %-20s  %-24.56s  %-8s  %8d  %-9s  %.100s\n", it->id, it->created_at,
		       it->subdomain, it->failed_phase, it->attempts, it->state, it->error);
	}
	printf("(%zu %sitem%s)\n", list->count, all ? "" : "open ", list->count == 1 ? "" : "s");
}

static int
review_list_verb(ctl *c, int argc, char **argv)
{
	static const struct option options[] = {
		{ "all", no_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 }
	};
	review_list list;
	apex_error err = { 0 };
	int all = 0, opt;

	while ((opt = getopt_long(argc, argv, "a", options, NULL)) != -1) {
		if (opt != 'a')
			return ctl_usage_error("review", "invalid option for review list");
		all = 1;
	}
	if (optind != argc)
		return ctl_usage_error("review", "unexpected argument \"%s\"", argv[optind]);
	if (ctl_open(c, &err) || review_list_load(&c->ctx, all, &list, &err))
		return ctl_report(&err);
	if (c->json) {
		json_t *array = json_array();

		for (size_t i = 0; i < list.count; i++)
			json_array_append_new(array, item_json(&list.items[i]));
		ctl_print_json(array);
	} else {
		print_list_text(&list, all);
	}
	review_list_free(&list);
	return 0;
}

static void
print_item_text(const review_item *it)
{
	printf("review item:  %lld\n", it->id);
	printf("state:        %s\n", it->state);
	printf("subdomain:    %s\n", it->subdomain);
	printf("failed phase: %s\n", it->failed_phase);
	printf("error:        %s\n", it->error);
	printf("sqlstate:     %s\n", it->sqlstate[0] ? it->sqlstate : "-");
	printf("attempts:     %d\n", it->attempts);
	printf("created:      %s by %s\n", it->created_at, it->actor);
	printf("updated:      %s\n", it->updated_at);
	printf("request:      %s\n", it->request);
}

static int
review_show_verb(ctl *c, long long id)
{
	review_item item;
	apex_error err = { 0 };

	if (ctl_open(c, &err) || review_get(&c->ctx, id, &item, &err))
		return ctl_report(&err);
	if (c->json)
		ctl_print_json(item_json(&item));
	else
		print_item_text(&item);
	review_item_clear(&item);
	return 0;
}

static int
review_retry_verb(ctl *c, long long id)
{
	provision_result result;
	apex_error err = { 0 };

	if (ctl_open(c, &err) || review_retry(&c->ctx, id, NULL, NULL, &result, &err))
		return ctl_report(&err);
	if (c->json)
		ctl_print_json(json_pack("{s:I, s:b, s:f}", "review_id", (json_int_t)id,
					 "created", result.created, "total_ms", result.total_ms));
	else if (result.created)
		printf("review item %lld retried: tenant provisioned in %.1f ms\n", id, result.total_ms);
	else
		printf("review item %lld retried: the tenant already existed as requested\n", id);
	return 0;
}

static int
review_dismiss_verb(ctl *c, long long id, const char *reason)
{
	apex_error err = { 0 };
	int changed;

	if (ctl_open(c, &err) || review_dismiss(&c->ctx, id, reason, &changed, &err))
		return ctl_report(&err);
	if (c->json)
		ctl_print_json(json_pack("{s:I, s:s, s:b}", "review_id", (json_int_t)id,
					 "state", "dismissed", "changed", changed));
	else if (changed)
		printf("review item %lld dismissed\n", id);
	else
		printf("review item %lld is already dismissed; nothing changed\n", id);
	return 0;
}

/* Parses "ACTION ID [--reason TEXT]" for show, retry and dismiss. */
static int
review_item_verb(ctl *c, const char *action, int argc, char **argv)
{
	static const struct option options[] = {
		{ "reason", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 }
	};
	const char *reason = NULL;
	long long id;
	int opt, st;

	while ((opt = getopt_long(argc, argv, "r:", options, NULL)) != -1) {
		if (opt != 'r' || strcmp(action, "dismiss") != 0)
			return ctl_usage_error("review", "invalid option for review %s", action);
		reason = optarg;
	}
	if (argc - optind != 1)
		return ctl_usage_error("review", argc - optind < 1 ? "missing review item id for %s"
				       : "too many arguments for review %s", action);
	st = parse_id(action, argv[optind], &id);
	if (st)
		return st;
	if (strcmp(action, "show") == 0)
		return review_show_verb(c, id);
	if (strcmp(action, "retry") == 0)
		return review_retry_verb(c, id);
	return review_dismiss_verb(c, id, reason);
}

int
cmd_review(ctl *c, int argc, char **argv)
{
	const char *action;

	if (argc < 2)
		return ctl_usage_error("review", "missing action: list, show, retry or dismiss");
	action = argv[1];
	if (strcmp(action, "list") == 0)
		return review_list_verb(c, argc - 1, argv + 1);
	if (strcmp(action, "show") == 0 || strcmp(action, "retry") == 0 ||
	    strcmp(action, "dismiss") == 0)
		return review_item_verb(c, action, argc - 1, argv + 1);
	return ctl_usage_error("review", "unknown action \"%s\": expected list, show, retry or "
			       "dismiss", action);
}
