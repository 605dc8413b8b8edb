/*
 * migrate.c - the control schema, one SQL script per version.
 *
 * Migrations are append-only: a released script is never edited, a change
 * is a new script.  Each runs in a transaction with the version row, under
 * a transaction-level advisory lock so that two "apexctl init" runs at the
 * same moment apply it once.
 */
#include "migrate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"

/* pg_advisory_xact_lock key for migrations ("apex" in ASCII). */
#define MIGRATE_LOCK_KEY "1634755960"

static const char migration_1[] =
	"CREATE SCHEMA IF NOT EXISTS apex;\n"
	"REVOKE ALL ON SCHEMA apex FROM PUBLIC;\n"

	"CREATE TABLE apex.plans (\n"
	"  name text PRIMARY KEY,\n"
	"  products bigint NOT NULL, users bigint NOT NULL, pages bigint NOT NULL,\n"
	"  storage_mb bigint NOT NULL, rate_average bigint NOT NULL,\n"
	"  rate_burst bigint NOT NULL, features text[] NOT NULL DEFAULT '{}',\n"
	"  updated_at timestamptz NOT NULL DEFAULT now());\n"

	"CREATE TABLE apex.tenants (\n"
	"  id bigserial PRIMARY KEY,\n"
	"  subdomain text NOT NULL UNIQUE\n"
	"    CHECK (subdomain ~ '^[a-z0-9]([a-z0-9-]{0,54}[a-z0-9])?$'),\n"
	"  schema_name text NOT NULL UNIQUE CHECK (length(schema_name) <= 63),\n"
	"  display_name text NOT NULL,\n"
	"  owner_email text NOT NULL,\n"
	"  plan text NOT NULL,\n"
	"  blueprint text NOT NULL,\n"
	"  status text NOT NULL CHECK (status IN ('active', 'suspended', 'archived')),\n"
	"  status_reason text,\n"
	"  custom_domains text[] NOT NULL DEFAULT '{}',\n"
	"  features_enabled text[] NOT NULL DEFAULT '{}',\n"
	"  features_disabled text[] NOT NULL DEFAULT '{}',\n"
	"  provisioning_ms numeric(12,3),\n"
	"  created_at timestamptz NOT NULL DEFAULT now(),\n"
	"  updated_at timestamptz NOT NULL DEFAULT now(),\n"
	"  suspended_at timestamptz, archived_at timestamptz, purged_at timestamptz);\n"
	"CREATE INDEX tenants_status_idx ON apex.tenants (status);\n"

	"CREATE TABLE apex.audit_logs (\n"
	"  id bigserial PRIMARY KEY,\n"
	"  at timestamptz NOT NULL DEFAULT clock_timestamp(),\n"
	"  actor text NOT NULL,\n"
	"  source text NOT NULL CHECK (source IN ('cli', 'console', 'provider', 'system')),\n"
	"  action text NOT NULL,\n"
	"  tenant text,\n"
	"  status text NOT NULL CHECK (status IN ('success', 'failure')),\n"
	"  duration_ms numeric(12,3),\n"
	"  detail jsonb NOT NULL DEFAULT '{}');\n"
	"CREATE INDEX audit_logs_tenant_idx ON apex.audit_logs (tenant, id);\n"
	"CREATE FUNCTION apex.audit_logs_reject() RETURNS trigger LANGUAGE plpgsql AS $$\n"
	"BEGIN\n"
	"  RAISE EXCEPTION 'apex.audit_logs is append-only: % is not allowed', TG_OP\n"
	"    USING ERRCODE = 'insufficient_privilege',\n"
	"          HINT = 'Audit entries are kept for good; add a new entry instead.';\n"
	"END $$;\n"
	"CREATE TRIGGER audit_logs_no_update BEFORE UPDATE OR DELETE ON apex.audit_logs\n"
	"  FOR EACH ROW EXECUTE FUNCTION apex.audit_logs_reject();\n"
	"CREATE TRIGGER audit_logs_no_truncate BEFORE TRUNCATE ON apex.audit_logs\n"
	"  FOR EACH STATEMENT EXECUTE FUNCTION apex.audit_logs_reject();\n"

	"CREATE TABLE apex.provisioning_runs (\n"
	"  id bigserial PRIMARY KEY,\n"
	"  subdomain text NOT NULL,\n"
	"  blueprint text NOT NULL,\n"
	"  started_at timestamptz NOT NULL,\n"
	"  validate_ms numeric(12,3), schema_ms numeric(12,3), seed_ms numeric(12,3),\n"
	"  route_ms numeric(12,3), register_ms numeric(12,3),\n"
	"  total_ms numeric(12,3) NOT NULL,\n"
	"  round_trips integer NOT NULL,\n"
	"  rows_seeded integer NOT NULL DEFAULT 0,\n"
	"  actor text NOT NULL);\n"
	"CREATE INDEX provisioning_runs_subdomain_idx ON apex.provisioning_runs (subdomain, id);\n"

	"CREATE TABLE apex.review_queue (\n"
	"  id bigserial PRIMARY KEY,\n"
	"  created_at timestamptz NOT NULL DEFAULT now(),\n"
	"  updated_at timestamptz NOT NULL DEFAULT now(),\n"
	"  subdomain text NOT NULL,\n"
	"  request jsonb NOT NULL,\n"
	"  failed_phase text NOT NULL,\n"
	"  error text NOT NULL,\n"
	"  sqlstate text,\n"
	"  attempts integer NOT NULL DEFAULT 1,\n"
	"  state text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'retried', 'dismissed')),\n"
	"  actor text NOT NULL);\n"

	"CREATE TABLE apex.backups (\n"
	"  id bigserial PRIMARY KEY,\n"
	"  tenant text NOT NULL,\n"
	"  file text NOT NULL,\n"
	"  size_bytes bigint NOT NULL,\n"
	"  sha256 text NOT NULL,\n"
	"  created_at timestamptz NOT NULL DEFAULT now(),\n"
	"  actor text NOT NULL);\n"

	"CREATE TABLE apex.platform (\n"
	"  id boolean PRIMARY KEY DEFAULT true CHECK (id),\n"
	"  maintenance boolean NOT NULL DEFAULT false,\n"
	"  maintenance_reason text,\n"
	"  config_version bigint NOT NULL DEFAULT 1,\n"
	"  updated_at timestamptz NOT NULL DEFAULT now());\n"
	"INSERT INTO apex.platform DEFAULT VALUES;\n"

	"CREATE TABLE apex.provider_status (\n"
	"  instance text PRIMARY KEY,\n"
	"  version_served bigint,\n"
	"  last_poll_at timestamptz,\n"
	"  polls_served bigint NOT NULL DEFAULT 0,\n"
	"  started_at timestamptz NOT NULL DEFAULT now(),\n"
	"  stopped_at timestamptz,\n"
	"  updated_at timestamptz NOT NULL DEFAULT now());\n"

	/*
	 * apex_provider: the read-only login role of apex-provider; it may only
	 * record its own status.  Roles are cluster-wide, hence IF NOT EXISTS.
	 */
	"DO $$ BEGIN\n"
	"  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'apex_provider') THEN\n"
	"    CREATE ROLE apex_provider LOGIN;\n"
	"  END IF;\n"
	"END $$;\n"
	"GRANT USAGE ON SCHEMA apex TO apex_provider;\n"
	"GRANT SELECT ON apex.tenants, apex.plans, apex.platform TO apex_provider;\n"
	"GRANT SELECT, INSERT, UPDATE ON apex.provider_status TO apex_provider;\n"

	/*
	 * apex_template: the tables of every tenant schema, copied with
	 * CREATE TABLE ... (LIKE ... INCLUDING ALL) at provisioning.  Short
	 * columns use STORAGE PLAIN with length checks that keep a row well
	 * under a page, so PostgreSQL creates no TOAST table and index for
	 * them: each relation file costs about 0.4 ms to create, and this
	 * saves eight per tenant.  Only pages.body can be long (64 KiB).  The
	 * ids come from one sequence per tenant, set at provisioning.
	 */
	"CREATE SCHEMA apex_template;\n"
	"REVOKE ALL ON SCHEMA apex_template FROM PUBLIC;\n"
	"CREATE TABLE apex_template.settings (\n"
	"  key text PRIMARY KEY CHECK (octet_length(key) BETWEEN 1 AND 63),\n"
	"  value text NOT NULL CHECK (octet_length(value) <= 4096),\n"
	"  updated_at timestamptz NOT NULL DEFAULT now());\n"
	"ALTER TABLE apex_template.settings ALTER key SET STORAGE PLAIN,\n"
	"  ALTER value SET STORAGE PLAIN;\n"
	"CREATE TABLE apex_template.pages (\n"
	"  id bigint PRIMARY KEY,\n"
	"  slug text NOT NULL UNIQUE CHECK (octet_length(slug) BETWEEN 1 AND 63),\n"
	"  title text NOT NULL CHECK (octet_length(title) BETWEEN 1 AND 200),\n"
	"  body text NOT NULL DEFAULT '' CHECK (octet_length(body) <= 65536),\n"
	"  published boolean NOT NULL DEFAULT true,\n"
	"  created_at timestamptz NOT NULL DEFAULT now(),\n"
	"  updated_at timestamptz NOT NULL DEFAULT now());\n"
	"CREATE TABLE apex_template.products (\n"
	"  id bigint PRIMARY KEY,\n"
	"  sku text NOT NULL UNIQUE CHECK (octet_length(sku) BETWEEN 1 AND 32),\n"
	"  name text NOT NULL CHECK (octet_length(name) BETWEEN 1 AND 200),\n"
	"  category text NOT NULL CHECK (octet_length(category) BETWEEN 1 AND 100),\n"
	"  description text NOT NULL DEFAULT '' CHECK (octet_length(description) <= 4096),\n"
	"  price_cents bigint NOT NULL CHECK (price_cents >= 0),\n"
	"  stock bigint NOT NULL DEFAULT 0 CHECK (stock >= 0),\n"
	"  created_at timestamptz NOT NULL DEFAULT now(),\n"
	"  updated_at timestamptz NOT NULL DEFAULT now());\n"
	"ALTER TABLE apex_template.products ALTER sku SET STORAGE PLAIN,\n"
	"  ALTER name SET STORAGE PLAIN, ALTER category SET STORAGE PLAIN,\n"
	"  ALTER description SET STORAGE PLAIN;\n"
	"CREATE TABLE apex_template.orders (\n"
	"  id bigint PRIMARY KEY,\n"
	"  customer_email text NOT NULL CHECK (octet_length(customer_email) <= 254),\n"
	"  status text NOT NULL DEFAULT 'pending'\n"
	"    CHECK (status IN ('pending', 'paid', 'shipped', 'cancelled', 'refunded')),\n"
	"  total_cents bigint NOT NULL DEFAULT 0 CHECK (total_cents >= 0),\n"
	"  created_at timestamptz NOT NULL DEFAULT now());\n"
	"ALTER TABLE apex_template.orders ALTER customer_email SET STORAGE PLAIN,\n"
	"  ALTER status SET STORAGE PLAIN;\n"
	"CREATE TABLE apex_template.users (\n"
	"  id bigint PRIMARY KEY,\n"
	"  email text NOT NULL UNIQUE CHECK (octet_length(email) <= 254),\n"
	"  display_name text NOT NULL CHECK (octet_length(display_name) <= 200),\n"
	"  role text NOT NULL DEFAULT 'staff' CHECK (role IN ('owner', 'staff')),\n"
	"  created_at timestamptz NOT NULL DEFAULT now());\n"
	"ALTER TABLE apex_template.users ALTER email SET STORAGE PLAIN,\n"
	"  ALTER display_name SET STORAGE PLAIN, ALTER role SET STORAGE PLAIN;\n"

	/*
	 * Spare schemas: tenant schemas prepared ahead with the template's
	 * tables, so that provisioning renames one instead of creating five
	 * tables on the critical path.  A migration that changes
	 * apex_template must drop them (DROP SCHEMA ... CASCADE for each name,
	 * then DELETE FROM apex.spare_schemas).
	 */
	"CREATE TABLE apex.spare_schemas (\n"
	"  name text PRIMARY KEY CHECK (name ~ '^apex_spare_[0-9a-f]{16}$'),\n"
	"  created_at timestamptz NOT NULL DEFAULT now());\n"

	/*
	 * apex_app: the storefront application's role.  It is a member of
	 * every tenant role and runs SET ROLE tenant_x per request; NOINHERIT
	 * gives it no tenant's privileges until it does.  Operators enable it
	 * with ALTER ROLE apex_app LOGIN PASSWORD '...'.
	 */
	"DO $$ BEGIN\n"
	"  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'apex_app') THEN\n"
	"    CREATE ROLE apex_app NOLOGIN NOINHERIT;\n"
	"  END IF;\n"
	"END $$;\n"

	/*
	 * Live audit views LISTEN on "apex_audit".  One NOTIFY per statement
	 * with an empty payload, so PostgreSQL folds a transaction's inserts
	 * into a single notification; listeners read the rows newer than the
	 * last id they hold.
	 */
	"CREATE FUNCTION apex.audit_logs_notify() RETURNS trigger LANGUAGE plpgsql AS $$\n"
	"BEGIN\n"
	"  PERFORM pg_notify('apex_audit', '');\n"
	"  RETURN NULL;\n"
	"END $$;\n"
	"CREATE TRIGGER audit_logs_notify AFTER INSERT ON apex.audit_logs\n"
	"  FOR EACH STATEMENT EXECUTE FUNCTION apex.audit_logs_notify();\n";

static const char *const migrations[] = { migration_1 };

#define N_MIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

int
apex_schema_version_latest(void)
{
	return N_MIGRATIONS;
}

int
apex_schema_version(PGconn *conn, apex_error *err)
{
	char *exists = apex_db_value(conn, err, "could not read the schema version",
				     "SELECT to_regclass('apex.schema_migrations') IS NOT NULL", 0, NULL);
	char *value;
	int version;

	/* a query naming a missing table fails at parse time, so ask first */
	if (!exists)
		return -1;
	if (strcmp(exists, "t") != 0) {
		free(exists);
		return 0;
	}
	free(exists);
	value = apex_db_value(conn, err, "could not read the schema version",
			      "SELECT coalesce(max(version), 0) FROM apex.schema_migrations", 0, NULL);
	if (!value)
		return -1;
	version = atoi(value);
	free(value);
	return version;
}

static apex_status
apply_one(PGconn *conn, int version, int *applied, apex_error *err)
{
	char what[64];
	char record[128];
	int current;

	snprintf(what, sizeof(what), "could not apply migration %d", version);
	if (apex_db_command(conn, err, what, "BEGIN; SELECT pg_advisory_xact_lock(" MIGRATE_LOCK_KEY ");"
			    "CREATE SCHEMA IF NOT EXISTS apex;"
			    "CREATE TABLE IF NOT EXISTS apex.schema_migrations ("
			    "version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"))
		goto rollback;
	current = apex_schema_version(conn, err);
	if (current < 0)
		goto rollback;
	if (current >= version)
		return apex_db_command(conn, err, what, "COMMIT");
	snprintf(record, sizeof(record), "INSERT INTO apex.schema_migrations (version) VALUES (%d)", version);
	if (apex_db_command(conn, err, what, migrations[version - 1]) ||
	    apex_db_command(conn, err, what, record) ||
	    apex_db_command(conn, err, what, "COMMIT"))
		goto rollback;
	(*applied)++;
	return APEX_OK;

rollback:
	PQclear(PQexec(conn, "ROLLBACK"));
	return APEX_FAILED;
}

/* Replaces apex.plans with the configured plans, bumping config_version on change. */
static apex_status
sync_plans(PGconn *conn, const apex_config *cfg, apex_error *err)
{
	static const char upsert[] =
		"INSERT INTO apex.plans (name, products, users, pages, storage_mb, rate_average, "
		"rate_burst, features) VALUES ($1, $2, $3, $4, $5, $6, $7, $8::text[]) "
		"ON CONFLICT (name) DO UPDATE SET products = $2, users = $3, pages = $4, "
		"storage_mb = $5, rate_average = $6, rate_burst = $7, features = $8::text[], "
		"updated_at = now() WHERE (plans.products, plans.users, plans.pages, "
		"plans.storage_mb, plans.rate_average, plans.rate_burst, plans.features) IS DISTINCT "
		"FROM ($2, $3, $4, $5, $6, $7, $8::text[])";
	char nums[6][24];
	char features[4096];

	for (size_t i = 0; i < cfg->n_plans; i++) {
		const apex_plan *p = &cfg->plans[i];
		const char *params[8] = { p->name, nums[0], nums[1], nums[2], nums[3], nums[4],
					  nums[5], features };
		PGresult *res;

		snprintf(nums[0], 24, "%ld", p->products);
		snprintf(nums[1], 24, "%ld", p->users);
		snprintf(nums[2], 24, "%ld", p->pages);
		snprintf(nums[3], 24, "%ld", p->storage_mb);
		snprintf(nums[4], 24, "%ld", p->rate_average);
		snprintf(nums[5], 24, "%ld", p->rate_burst);
		snprintf(features, sizeof(features), "{");
		for (size_t f = 0; f < p->n_features; f++)
			snprintf(features + strlen(features), sizeof(features) - strlen(features),
				 "%s%s", f ? "," : "", p->features[f]);
		strncat(features, "}", sizeof(features) - strlen(features) - 1);
		res = apex_db_query(conn, err, "could not store the plans", upsert, 8, params);
		if (!res)
			return APEX_FAILED;
		if (atoi(PQcmdTuples(res)) > 0)
			PQclear(PQexec(conn, "UPDATE apex.platform SET config_version = config_version + 1, "
				       "updated_at = now(); NOTIFY apex_config"));
		PQclear(res);
	}
	return APEX_OK;
}

apex_status
apex_migrate(PGconn *conn, const apex_config *cfg, int *applied, apex_error *err)
{
	int count = 0;

	for (int v = 1; v <= N_MIGRATIONS; v++)
		if (apply_one(conn, v, &count, err))
			return APEX_FAILED;
	if (applied)
		*applied = count;
	return sync_plans(conn, cfg, err);
}

apex_status
apex_require_schema(PGconn *conn, apex_error *err)
{
	int version = apex_schema_version(conn, err);

	if (version < 0)
		return APEX_FAILED;
	if (version == N_MIGRATIONS)
		return APEX_OK;
	if (version > N_MIGRATIONS)
		return apex_fail(err, APEX_FAILED, "the control schema has version %d, newer than "
				 "this build's %d", version, N_MIGRATIONS);
	apex_fail(err, APEX_FAILED, "the control schema is missing or out of date (version %d of %d)",
		  version, N_MIGRATIONS);
	apex_error_hint(err, "Run \"apexctl init\" to create or migrate it.");
	return APEX_FAILED;
}
