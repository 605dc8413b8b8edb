/*
 * config.c - loading apex.yaml into an apex_config.
 *
 * Every key is a row of a table with its type and bounds, so unknown keys
 * and wrong types are rejected the same way everywhere, with the file, line,
 * column and key in the message.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "validate.h"
#include "yamltree.h"

#define DEFAULT_CONFIG_PATH "/etc/apex/apex.yaml"

typedef enum key_type {
	KEY_STRING,		/* free text up to 4096 bytes */
	KEY_LONG,		/* decimal integer within [min, max] */
	KEY_LIST,		/* list of strings, at most 64 */
	KEY_SECTION,		/* nested mapping described by another table */
	KEY_PLANS		/* the plans mapping */
} key_type;

typedef struct config_key {
	const char *name;
	key_type type;
	size_t offset;		/* of the field in apex_config */
	size_t count_offset;	/* of the count, for KEY_LIST */
	long min;
	long max;
	const struct config_key *section;
	/* checks a string or each list item where it is written; NULL: any text */
	apex_status (*check)(const char *value, apex_error *err);
} config_key;

static apex_status check_entry_point(const char *value, apex_error *err);
static apex_status check_resolver(const char *value, apex_error *err);
static apex_status check_optional_url(const char *value, apex_error *err);

#define STR(key, field) { key, KEY_STRING, offsetof(apex_config, field), 0, 0, 0, NULL, NULL }
#define STR_CHECKED(key, field, fn) { key, KEY_STRING, offsetof(apex_config, field), 0, 0, 0, NULL, fn }
#define LIST_CHECKED(key, field, fn) { key, KEY_LIST, offsetof(apex_config, field), \
				       offsetof(apex_config, n_##field), 0, 0, NULL, fn }

static const config_key provisioning_keys[] = {
	{ "target_ms", KEY_LONG, offsetof(apex_config, target_ms), 0, 1, 3600000, NULL, NULL },
	{ "spare_schemas", KEY_LONG, offsetof(apex_config, spare_schemas), 0, 0, 1000, NULL, NULL },
	{ NULL, 0, 0, 0, 0, 0, NULL, NULL }
};

static const config_key routing_keys[] = {
	LIST_CHECKED("entry_points", entry_points, check_entry_point),
	LIST_CHECKED("service_urls", service_urls, apex_validate_url),
	STR_CHECKED("suspended_url", suspended_url, check_optional_url),
	STR_CHECKED("maintenance_url", maintenance_url, check_optional_url),
	STR_CHECKED("cert_resolver", cert_resolver, check_resolver),
	{ NULL, 0, 0, 0, 0, 0, NULL, NULL }
};

static const config_key provider_keys[] = {
	STR_CHECKED("listen", provider_listen, apex_validate_listen),
	STR("token_file", provider_token_file),
	{ NULL, 0, 0, 0, 0, 0, NULL, NULL }
};

static const config_key alerts_keys[] = {
	STR("command", alerts_command),
	{ NULL, 0, 0, 0, 0, 0, NULL, NULL }
};

static const config_key top_keys[] = {
	STR("database", database),
	STR_CHECKED("base_domain", base_domain, apex_validate_domain),
	STR("blueprints_dir", blueprints_dir),
	STR("backup_dir", backup_dir),
	{ "provisioning", KEY_SECTION, 0, 0, 0, 0, provisioning_keys, NULL },
	{ "routing", KEY_SECTION, 0, 0, 0, 0, routing_keys, NULL },
	{ "provider", KEY_SECTION, 0, 0, 0, 0, provider_keys, NULL },
	{ "alerts", KEY_SECTION, 0, 0, 0, 0, alerts_keys, NULL },
	{ "plans", KEY_PLANS, 0, 0, 0, 0, NULL, NULL },
	{ NULL, 0, 0, 0, 0, 0, NULL, NULL }
};

typedef struct plan_key {
	const char *name;
	size_t offset;
	long min;
	long max;
} plan_key;

static const plan_key plan_keys[] = {
	{ "products", offsetof(apex_plan, products), -1, 100000000 },
	{ "users", offsetof(apex_plan, users), -1, 1000000 },
	{ "pages", offsetof(apex_plan, pages), -1, 1000000 },
	{ "storage_mb", offsetof(apex_plan, storage_mb), -1, 100000000 },
	{ "rate_average", offsetof(apex_plan, rate_average), 1, 1000000 },
	{ "rate_burst", offsetof(apex_plan, rate_burst), 1, 1000000 },
	{ NULL, 0, 0, 0 }
};

#define CONFIG_LIST_MAX 64
#define CONFIG_STRING_MAX 4096
#define CONFIG_PLANS_MAX 64

typedef struct loader {
	const char *path;
	apex_error *err;
} loader;

static char *
xstrdup(const char *s)
{
	char *copy = strdup(s ? s : "");

	if (!copy)
		abort();
	return copy;
}

void
apex_config_set(char **field, const char *value)
{
	free(*field);
	*field = value ? xstrdup(value) : NULL;
}

static void
strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static char **
strv_new(const char *const *src, size_t n)
{
	char **v = calloc(n ? n : 1, sizeof(*v));

	for (size_t i = 0; i < n; i++)
		v[i] = xstrdup(src[i]);
	return v;
}

static void
plan_clear(apex_plan *plan)
{
	strv_free(plan->features, plan->n_features);
	plan->features = NULL;
	plan->n_features = 0;
}

static void
plans_free(apex_config *cfg)
{
	for (size_t i = 0; i < cfg->n_plans; i++)
		plan_clear(&cfg->plans[i]);
	free(cfg->plans);
	cfg->plans = NULL;
	cfg->n_plans = 0;
}

static void
add_default_plan(apex_config *cfg, const char *name, long products, long users,
		 long pages, long storage_mb, long rate_average, long rate_burst,
		 const char *const *features, size_t n_features)
{
	apex_plan *plan;

	cfg->plans = realloc(cfg->plans, (cfg->n_plans + 1) * sizeof(*cfg->plans));
	plan = &cfg->plans[cfg->n_plans++];
	memset(plan, 0, sizeof(*plan));
	snprintf(plan->name, sizeof(plan->name), "%s", name);
	plan->products = products;
	plan->users = users;
	plan->pages = pages;
	plan->storage_mb = storage_mb;
	plan->rate_average = rate_average;
	plan->rate_burst = rate_burst;
	plan->features = strv_new(features, n_features);
	plan->n_features = n_features;
}

static void
add_default_plans(apex_config *cfg)
{
	static const char *const basic[] = { "storefront", "pages" };
	static const char *const pro[] = { "storefront", "pages", "discounts", "analytics" };
	static const char *const enterprise[] = { "storefront", "pages", "discounts",
						  "analytics", "api", "custom_domains" };

	add_default_plan(cfg, "basic", 100, 3, 20, 512, 50, 100, basic, 2);
	add_default_plan(cfg, "pro", 10000, 25, 200, 10240, 200, 400, pro, 4);
	add_default_plan(cfg, "enterprise", -1, -1, -1, 102400, 1000, 2000, enterprise, 6);
}

/*
 * The source tree that contains the running executable, when it runs from a
 * build folder (ROOT/build/apexctl, ROOT/build/bench/x, with ROOT/core/config.h
 * present), so that a checkout uses its own blueprints and ./.apex.
 */
static char *
checkout_root(void)
{
	char dir[PATH_MAX];
	char probe[PATH_MAX + 32];
	ssize_t n = readlink("/proc/self/exe", dir, sizeof(dir) - 1);
	struct stat st;

	if (n <= 0)
		return NULL;
	dir[n] = '\0';
	for (int up = 0; up < 3; up++) {
		char *slash = strrchr(dir, '/');

		if (!slash || slash == dir)
			return NULL;
		*slash = '\0';
		snprintf(probe, sizeof(probe), "%s/core/config.h", dir);
		if (up > 0 && stat(probe, &st) == 0)
			return xstrdup(dir);
	}
	return NULL;
}

static char *
default_home(const char *root)
{
	char buf[PATH_MAX];
	const char *home = getenv("HOME");

	if (root) {
		snprintf(buf, sizeof(buf), "%s/.apex", root);
		return xstrdup(buf);
	}
	if (!home || !*home) {
		struct passwd *pw = getpwuid(geteuid());

		home = pw ? pw->pw_dir : "/tmp";
	}
	snprintf(buf, sizeof(buf), "%s/.local/share/apex", home);
	return xstrdup(buf);
}

static char *
default_blueprints_dir(const char *root)
{
	char buf[PATH_MAX];

	if (root) {
		snprintf(buf, sizeof(buf), "%s/blueprints", root);
		return xstrdup(buf);
	}
	return xstrdup(APEX_DATADIR "/blueprints");
}

static void
apply_env(apex_config *cfg)
{
	static const struct {
		const char *var;
		size_t offset;
	} vars[] = {
		{ "APEX_DATABASE_URL", offsetof(apex_config, database) },
		{ "APEX_BASE_DOMAIN", offsetof(apex_config, base_domain) },
		{ "APEX_BLUEPRINTS_DIR", offsetof(apex_config, blueprints_dir) },
		{ "APEX_BACKUP_DIR", offsetof(apex_config, backup_dir) },
		{ "APEX_HOME", offsetof(apex_config, apex_home) },
		{ "APEX_PROVIDER_LISTEN", offsetof(apex_config, provider_listen) },
	};

	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		const char *value = getenv(vars[i].var);

		if (value && *value)
			apex_config_set((char **)((char *)cfg + vars[i].offset), value);
	}
}

static apex_config *
defaults_only(void)
{
	static const char *const entry_points[] = { "web" };
	static const char *const service_urls[] = { "http://127.0.0.1:3000" };
	apex_config *cfg = calloc(1, sizeof(*cfg));
	char *root = checkout_root();

	cfg->base_domain = xstrdup("apex.localhost");
	cfg->blueprints_dir = default_blueprints_dir(root);
	cfg->apex_home = default_home(root);
	cfg->backup_dir = NULL;		/* derived from the final apex_home */
	cfg->target_ms = 55000;
	cfg->spare_schemas = 4;
	cfg->entry_points = strv_new(entry_points, 1);
	cfg->n_entry_points = 1;
	cfg->service_urls = strv_new(service_urls, 1);
	cfg->n_service_urls = 1;
	cfg->suspended_url = xstrdup("");
	cfg->maintenance_url = xstrdup("");
	cfg->cert_resolver = xstrdup("");
	cfg->provider_listen = xstrdup("127.0.0.1:9000");
	cfg->provider_token_file = xstrdup("");
	cfg->alerts_command = xstrdup("");
	add_default_plans(cfg);
	free(root);
	return cfg;
}

/* Makes a relative path absolute against the current directory. */
static void
make_absolute(char **path)
{
	char cwd[PATH_MAX];
	char buf[2 * PATH_MAX + 2];

	if (!*path || (*path)[0] == '/' || (*path)[0] == '\0' || !getcwd(cwd, sizeof(cwd)))
		return;
	snprintf(buf, sizeof(buf), "%s/%s", cwd, *path);
	apex_config_set(path, buf);
}

/* Defaults backup_dir to $APEX_HOME/backups once APEX_HOME is known. */
static void
derive_backup_dir(apex_config *cfg)
{
	char buf[PATH_MAX + 16];

	if (cfg->backup_dir && *cfg->backup_dir)
		return;
	snprintf(buf, sizeof(buf), "%s/backups", cfg->apex_home);
	apex_config_set(&cfg->backup_dir, buf);
}

static void
make_paths_absolute(apex_config *cfg)
{
	derive_backup_dir(cfg);
	make_absolute(&cfg->blueprints_dir);
	make_absolute(&cfg->backup_dir);
	make_absolute(&cfg->apex_home);
}

apex_config *
apex_config_defaults(void)
{
	apex_config *cfg = defaults_only();

	apply_env(cfg);
	make_paths_absolute(cfg);
	return cfg;
}

/* ---- reading the tree ---- */

static apex_status
fail_node(loader *ld, const ytree *node, const char *fmt, const char *a, const char *b)
{
	char msg[APEX_MSG_MAX];

	snprintf(msg, sizeof(msg), fmt, a, b);
	return apex_fail(ld->err, APEX_INVALID, "%s:%d:%d: %s", ld->path,
			 node->line, node->column, msg);
}

static apex_status
expect_kind(loader *ld, const ytree *node, ytree_kind kind, const char *key)
{
	if (node->kind == kind)
		return APEX_OK;
	return fail_node(ld, node, "key \"%s\" must be %s", key, ytree_kind_name(kind));
}

static apex_status
read_string(loader *ld, const ytree *node, const char *key, char **field)
{
	if (expect_kind(ld, node, YT_SCALAR, key))
		return APEX_INVALID;
	if (strlen(node->value) > CONFIG_STRING_MAX)
		return fail_node(ld, node, "value of \"%s\" is longer than %s bytes", key, "4096");
	if (!apex_text_is_printable(node->value))
		return fail_node(ld, node, "value of \"%s\" contains control characters%s", key, "");
	apex_config_set(field, node->value);
	return APEX_OK;
}

static apex_status
read_long(loader *ld, const ytree *node, const char *key, long min, long max, long *field)
{
	char bounds[64];
	long long value;

	if (expect_kind(ld, node, YT_SCALAR, key))
		return APEX_INVALID;
	snprintf(bounds, sizeof(bounds), "between %ld and %ld", min, max);
	/* leading zeros are rejected because YAML 1.1 reads 010 as octal */
	if (!node->plain || apex_parse_integer(node->value, &value) || value < min || value > max ||
	    (node->value[0] == '0' && node->value[1]) || strncmp(node->value, "-0", 2) == 0)
		return fail_node(ld, node, "value of \"%s\" must be an integer %s", key, bounds);
	*field = (long)value;
	return APEX_OK;
}

static apex_status
read_list(loader *ld, const ytree *node, const char *key, char ***field, size_t *count)
{
	char **list;

	if (expect_kind(ld, node, YT_SEQUENCE, key))
		return APEX_INVALID;
	if (node->n_items > CONFIG_LIST_MAX)
		return fail_node(ld, node, "list \"%s\" has more than %s items", key, "64");
	list = calloc(node->n_items ? node->n_items : 1, sizeof(*list));
	for (size_t i = 0; i < node->n_items; i++) {
		if (read_string(ld, node->items[i], key, &list[i])) {
			strv_free(list, node->n_items);
			return APEX_INVALID;
		}
	}
	strv_free(*field, *count);
	*field = list;
	*count = node->n_items;
	return APEX_OK;
}

static apex_status
unknown_key(loader *ld, const ytree *node, const char *where, const char *allowed)
{
	char msg[APEX_MSG_MAX];

	snprintf(msg, sizeof(msg), "unknown key \"%.200s\"%s", node->key, where);
	apex_fail(ld->err, APEX_INVALID, "%s:%d:%d: %s", ld->path, node->key_line,
		  node->key_column, msg);
	apex_error_hint(ld->err, "Allowed keys here: %s.", allowed);
	return APEX_INVALID;
}

static void
list_keys(const config_key *table, char *buf, size_t size)
{
	buf[0] = '\0';
	for (const config_key *k = table; k->name; k++) {
		strncat(buf, k == table ? "" : ", ", size - strlen(buf) - 1);
		strncat(buf, k->name, size - strlen(buf) - 1);
	}
}

static apex_status
check_entry_point(const char *value, apex_error *err)
{
	return apex_validate_traefik_name(value, "entry point", err);
}

static apex_status
check_resolver(const char *value, apex_error *err)
{
	return *value ? apex_validate_traefik_name(value, "certificate resolver", err) : APEX_OK;
}

static apex_status
check_optional_url(const char *value, apex_error *err)
{
	return *value ? apex_validate_url(value, err) : APEX_OK;
}

/* Runs CHECK on VALUE and reports a failure at NODE's line and column. */
static apex_status
check_at(loader *ld, const ytree *node, const char *key,
	 const char *value, apex_status (*check)(const char *, apex_error *))
{
	apex_error verr = { 0 };

	if (!check(value, &verr))
		return APEX_OK;
	apex_fail(ld->err, APEX_INVALID, "%s:%d:%d: %s: %s", ld->path, node->line, node->column,
		  key, verr.message);
	if (verr.hint[0])
		apex_error_hint(ld->err, "%s", verr.hint);
	return APEX_INVALID;
}

static apex_status read_plans(loader *ld, apex_config *cfg, const ytree *node);

static apex_status
read_section(loader *ld, apex_config *cfg, const ytree *node, const config_key *table,
	     const char *where)
{
	char allowed[512];

	for (size_t i = 0; i < node->n_items; i++) {
		const ytree *item = node->items[i];
		const config_key *k = table;
		apex_status st = APEX_OK;
		char *base = (char *)cfg;

		while (k->name && strcmp(k->name, item->key) != 0)
			k++;
		if (!k->name) {
			list_keys(table, allowed, sizeof(allowed));
			return unknown_key(ld, item, where, allowed);
		}
		switch (k->type) {
		case KEY_STRING:
			st = read_string(ld, item, k->name, (char **)(base + k->offset));
			if (!st && k->check)
				st = check_at(ld, item, k->name, item->value, k->check);
			break;
		case KEY_LONG:
			st = read_long(ld, item, k->name, k->min, k->max, (long *)(base + k->offset));
			break;
		case KEY_LIST:
			st = read_list(ld, item, k->name, (char ***)(base + k->offset),
				       (size_t *)(base + k->count_offset));
			for (size_t n = 0; !st && k->check && n < item->n_items; n++)
				st = check_at(ld, item->items[n], k->name, item->items[n]->value, k->check);
			break;
		case KEY_SECTION:
			if (item->kind == YT_SCALAR && item->plain && strcmp(item->value, "") == 0)
				break;
			st = expect_kind(ld, item, YT_MAPPING, k->name);
			if (!st) {
				char in[96];

				snprintf(in, sizeof(in), " in section \"%s\"", k->name);
				st = read_section(ld, cfg, item, k->section, in);
			}
			break;
		case KEY_PLANS:
			st = read_plans(ld, cfg, item);
			break;
		}
		if (st)
			return st;
	}
	return APEX_OK;
}

static apex_status
read_features(loader *ld, apex_plan *plan, const ytree *node)
{
	if (read_list(ld, node, "features", &plan->features, &plan->n_features))
		return APEX_INVALID;
	for (size_t i = 0; i < plan->n_features; i++) {
		apex_error verr;

		if (apex_validate_feature(plan->features[i], &verr))
			return fail_node(ld, node->items[i], "%s%s", verr.message, "");
		for (size_t j = 0; j < i; j++)
			if (strcmp(plan->features[j], plan->features[i]) == 0)
				return fail_node(ld, node->items[i], "duplicate feature \"%s\"%s",
						 plan->features[i], "");
	}
	return APEX_OK;
}

/* Every limit must be given: a forgotten key must not mean "unlimited". */
static apex_status
check_plan_complete(loader *ld, const ytree *node, unsigned seen)
{
	char missing[256] = "";

	for (size_t k = 0; plan_keys[k].name; k++)
		if (!(seen & (1u << k)))
			snprintf(missing + strlen(missing), sizeof(missing) - strlen(missing), "%s%s",
				 missing[0] ? ", " : "", plan_keys[k].name);
	if (!missing[0])
		return APEX_OK;
	fail_node(ld, node, "plan \"%s\" is missing %s", node->key, missing);
	apex_error_hint(ld->err, "Give every limit; -1 means unlimited for products, users, pages "
			"and storage_mb.");
	return APEX_INVALID;
}

static apex_status
read_plan(loader *ld, apex_plan *plan, const ytree *node)
{
	unsigned seen = 0;

	if (expect_kind(ld, node, YT_MAPPING, node->key))
		return APEX_INVALID;
	for (size_t i = 0; i < node->n_items; i++) {
		const ytree *item = node->items[i];
		const plan_key *k = plan_keys;

		if (strcmp(item->key, "features") == 0) {
			if (read_features(ld, plan, item))
				return APEX_INVALID;
			continue;
		}
		while (k->name && strcmp(k->name, item->key) != 0)
			k++;
		if (!k->name)
			return unknown_key(ld, item, " in a plan",
					   "products, users, pages, storage_mb, rate_average, rate_burst, features");
		if (read_long(ld, item, k->name, k->min, k->max, (long *)((char *)plan + k->offset)))
			return APEX_INVALID;
		seen |= 1u << (k - plan_keys);
	}
	if (check_plan_complete(ld, node, seen))
		return APEX_INVALID;
	if (plan->rate_burst < plan->rate_average)
		return fail_node(ld, node, "plan \"%s\": rate_burst must be at least rate_average%s",
				 plan->name, "");
	return APEX_OK;
}

static apex_status
read_plans(loader *ld, apex_config *cfg, const ytree *node)
{
	if (expect_kind(ld, node, YT_MAPPING, "plans"))
		return APEX_INVALID;
	if (node->n_items == 0)
		return fail_node(ld, node, "key \"plans\" must name at least one plan%s%s", "", "");
	if (node->n_items > CONFIG_PLANS_MAX)
		return fail_node(ld, node, "key \"plans\" names more than %s plans%s", "64", "");
	plans_free(cfg);
	cfg->plans = calloc(node->n_items, sizeof(*cfg->plans));
	for (size_t i = 0; i < node->n_items; i++) {
		apex_plan *plan = &cfg->plans[cfg->n_plans++];
		apex_error verr;

		if (apex_validate_plan_name(node->items[i]->key, &verr))
			return fail_node(ld, node->items[i], "%s%s", verr.message, "");
		snprintf(plan->name, sizeof(plan->name), "%s", node->items[i]->key);
		plan->products = plan->users = plan->pages = plan->storage_mb = -1;
		plan->rate_average = 100;
		plan->rate_burst = 200;
		if (read_plan(ld, plan, node->items[i]))
			return APEX_INVALID;
	}
	return APEX_OK;
}

/* Checks the values that only make sense together, after the whole file. */
static apex_status
check_values(loader *ld, apex_config *cfg)
{
	const char *where = ld->path ? ld->path : "configuration";
	apex_error verr = { 0 };
	const char *key = NULL;

	if (apex_validate_domain(cfg->base_domain, &verr))
		key = "base_domain";
	else if (cfg->n_entry_points == 0)
		return apex_fail(ld->err, APEX_INVALID, "%s: routing.entry_points must not be empty", where);
	else if (cfg->n_service_urls == 0)
		return apex_fail(ld->err, APEX_INVALID, "%s: routing.service_urls must not be empty", where);
	for (size_t i = 0; !key && i < cfg->n_entry_points; i++) {
		if (apex_validate_traefik_name(cfg->entry_points[i], "entry point", &verr))
			key = "routing.entry_points";
		for (size_t j = 0; !key && j < i; j++)
			if (strcmp(cfg->entry_points[i], cfg->entry_points[j]) == 0) {
				apex_fail(&verr, APEX_INVALID, "duplicate entry point \"%s\"", cfg->entry_points[i]);
				key = "routing.entry_points";
			}
	}
	if (!key && apex_validate_listen(cfg->provider_listen, &verr))
		key = "provider.listen";
	for (size_t i = 0; !key && i < cfg->n_service_urls; i++)
		if (apex_validate_url(cfg->service_urls[i], &verr))
			key = "routing.service_urls";
	if (!key && *cfg->suspended_url && apex_validate_url(cfg->suspended_url, &verr))
		key = "routing.suspended_url";
	if (!key && *cfg->maintenance_url && apex_validate_url(cfg->maintenance_url, &verr))
		key = "routing.maintenance_url";
	if (!key && *cfg->cert_resolver &&
	    apex_validate_traefik_name(cfg->cert_resolver, "certificate resolver", &verr))
		key = "routing.cert_resolver";
	if (!key)
		return APEX_OK;
	return apex_fail(ld->err, APEX_INVALID, "%s: %s: %s", where, key, verr.message);
}

static const char *
choose_path(const char *path)
{
	const char *env = getenv("APEX_CONFIG");

	if (path && *path)
		return path;
	if (env && *env)
		return env;
	if (access(DEFAULT_CONFIG_PATH, F_OK) == 0)
		return DEFAULT_CONFIG_PATH;
	return NULL;
}

apex_status
apex_config_load(const char *path, apex_config **out, apex_error *err)
{
	apex_config *cfg = defaults_only();
	loader ld = { .path = choose_path(path), .err = err };
	ytree *root = NULL;
	apex_status st = APEX_OK;

	*out = NULL;
	if (ld.path) {
		cfg->path = xstrdup(ld.path);
		st = ytree_load_file(ld.path, &root, err);
		if (!st)
			st = expect_kind(&ld, root, YT_MAPPING, "(top level)");
		if (!st)
			st = read_section(&ld, cfg, root, top_keys, "");
		ytree_free(root);
	}
	if (!st) {
		apply_env(cfg);
		make_paths_absolute(cfg);
		st = check_values(&ld, cfg);
	}
	if (st) {
		apex_config_free(cfg);
		return st;
	}
	*out = cfg;
	return APEX_OK;
}

void
apex_config_free(apex_config *cfg)
{
	if (!cfg)
		return;
	free(cfg->path);
	free(cfg->database);
	free(cfg->base_domain);
	free(cfg->blueprints_dir);
	free(cfg->backup_dir);
	free(cfg->apex_home);
	strv_free(cfg->entry_points, cfg->n_entry_points);
	strv_free(cfg->service_urls, cfg->n_service_urls);
	free(cfg->suspended_url);
	free(cfg->maintenance_url);
	free(cfg->cert_resolver);
	free(cfg->provider_listen);
	free(cfg->provider_token_file);
	free(cfg->alerts_command);
	plans_free(cfg);
	free(cfg);
}

const apex_plan *
apex_config_plan(const apex_config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->n_plans; i++)
		if (strcmp(cfg->plans[i].name, name) == 0)
			return &cfg->plans[i];
	return NULL;
}

int
apex_plan_has_feature(const apex_plan *plan, const char *feature)
{
	for (size_t i = 0; i < plan->n_features; i++)
		if (strcmp(plan->features[i], feature) == 0)
			return 1;
	return 0;
}

static int
pg_env_present(void)
{
	static const char *const vars[] = { "PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE",
					    "PGSERVICE", "PGSERVICEFILE", "PGUSER" };

	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		if (getenv(vars[i]) && *getenv(vars[i]))
			return 1;
	return 0;
}

char *
apex_config_conninfo(const apex_config *cfg, int *is_private)
{
	char buf[PATH_MAX + 128];

	*is_private = 0;
	if (cfg->database && *cfg->database)
		return xstrdup(cfg->database);
	if (pg_env_present())
		return xstrdup("");
	*is_private = 1;
	snprintf(buf, sizeof(buf), "host='%s/run' dbname=apex user=apex", cfg->apex_home);
	return xstrdup(buf);
}
