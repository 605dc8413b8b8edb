/*
 * tui_form.c - the provision form (form library) and the live progress of
 * provisioning.
 *
 * Every field is checked with core's validators after each keystroke, so
 * the operator sees the same messages apexctl would print, before anything
 * is sent.  Provisioning then runs through tenant_provision(), whose
 * progress callback redraws each phase with its duration as it completes.
 * Last, the screen watches apex.provider_status for up to TUI_SERVE_WAIT_MS
 * to tell whether apex-provider already serves the new route.
 */
#include "tui.h"

#include <dirent.h>
#include <form.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "validate.h"

enum { F_SUBDOMAIN, F_NAME, F_EMAIL, F_PLAN, F_BLUEPRINT, N_FIELDS };

#define FORM_ROWS 16
#define FORM_COLS 78
#define LABEL_COLS 15

/*
 * A field takes more characters than any validator allows, so core's
 * validators, not the form library, reject a long value with their message.
 * VALUE_MAX fits that many characters of 4 bytes each in UTF-8.
 */
#define FIELD_CHARS_MAX 300
#define VALUE_MAX (FIELD_CHARS_MAX * 4 + 1)

static const char *const labels[N_FIELDS] = {
	"Subdomain", "Display name", "Owner email", "Plan", "Blueprint"
};

typedef enum serve_state { SERVE_IDLE, SERVE_WAITING, SERVE_DONE } serve_state;

struct tui_form {
	FORM *form;
	FIELD *fields[N_FIELDS + 1];
	WINDOW *win;			/* the dialog window the form is posted in */
	int current;
	char values[N_FIELDS][VALUE_MAX];
	char problems[N_FIELDS][APEX_MSG_MAX];
	char notes[N_FIELDS][APEX_MSG_MAX];	/* defaults and warnings */
	int lost_input[N_FIELDS];	/* a key was rejected; cleared when the field is emptied */
	char key_problem[APEX_MSG_MAX];	/* why the last key was not typed */
	char plans[256];		/* "basic, pro, enterprise" */
	char blueprints[256];

	/* progress */
	tenant_request req;
	int phase_done[PHASE_COUNT];
	double phase_ms[PHASE_COUNT];
	int finished;
	apex_status status;
	apex_error err;
	provision_result result;
	serve_state serve;
	long long target_version;
	double commit_ms, serve_deadline_ms, next_check_ms;
	char serve_text[256];
	int serve_ok;
};

/* ---- choices ---- */

static void
list_plans(tui_app *app, tui_form *f)
{
	f->plans[0] = '\0';
	for (size_t i = 0; i < app->cfg->n_plans; i++)
		snprintf(f->plans + strlen(f->plans), sizeof(f->plans) - strlen(f->plans), "%s%s",
			 i ? ", " : "", app->cfg->plans[i].name);
}

/* Lists NAME for every NAME.yaml in the blueprints folder. */
static void
list_blueprints(tui_app *app, tui_form *f)
{
	DIR *dir = opendir(app->cfg->blueprints_dir);
	struct dirent *ent;

	f->blueprints[0] = '\0';
	if (!dir)
		return;
	while ((ent = readdir(dir)) != NULL) {
		size_t len = strlen(ent->d_name);

		if (len > 5 && strcmp(ent->d_name + len - 5, ".yaml") == 0 && ent->d_name[0] != '.')
			snprintf(f->blueprints + strlen(f->blueprints),
				 sizeof(f->blueprints) - strlen(f->blueprints), "%s%.*s",
				 f->blueprints[0] ? ", " : "", (int)(len - 5), ent->d_name);
	}
	closedir(dir);
}

static int
blueprint_exists(tui_app *app, const char *name)
{
	char path[4200];

	snprintf(path, sizeof(path), "%s/%s.yaml", app->cfg->blueprints_dir, name);
	return access(path, R_OK) == 0;
}

/* ---- validation ---- */

static void
check_subdomain(tui_app *app, tui_form *f, const char *v, apex_error *err)
{
	if (apex_validate_subdomain(v, err))
		return;
	if (tui_table_find(&app->tenants.table, v))
		snprintf(f->notes[F_SUBDOMAIN], APEX_MSG_MAX, "tenant \"%s\" already exists: the same "
			 "settings change nothing, other settings are rejected", v);
}

static void
check_field(tui_app *app, tui_form *f, int i)
{
	const char *v = f->values[i];
	apex_error err = { 0 };

	f->notes[i][0] = '\0';
	switch (i) {
	case F_SUBDOMAIN:
		check_subdomain(app, f, v, &err);
		break;
	case F_NAME:
		if (!*v)
			snprintf(f->notes[i], APEX_MSG_MAX, "empty: the subdomain is used");
		else
			apex_validate_display_name(v, &err);
		break;
	case F_EMAIL:
		if (!*v)
			snprintf(f->notes[i], APEX_MSG_MAX, "empty: owner@%s.%s",
				 f->values[F_SUBDOMAIN][0] ? f->values[F_SUBDOMAIN] : "SUBDOMAIN",
				 app->cfg->base_domain);
		else
			apex_validate_email(v, &err);
		break;
	case F_PLAN:
		if (!*v)
			snprintf(f->notes[i], APEX_MSG_MAX, "empty: basic");
		else if (!apex_validate_plan_name(v, &err) && !apex_config_plan(app->cfg, v))
			apex_fail(&err, APEX_INVALID, "unknown plan \"%s\": choose one of %s", v, f->plans);
		break;
	case F_BLUEPRINT:
		if (!*v)
			snprintf(f->notes[i], APEX_MSG_MAX, "empty: standard");
		else if (!apex_validate_blueprint_name(v, &err) && !blueprint_exists(app, v))
			apex_fail(&err, APEX_INVALID, "unknown blueprint \"%s\": no file %s.yaml in \"%s\"%s%s",
				  v, v, app->cfg->blueprints_dir, f->blueprints[0] ? "; choose one of " : "",
				  f->blueprints);
		break;
	}
	if (!*v)
		f->lost_input[i] = 0;
	if (f->lost_input[i] && !err.status)
		apex_fail(&err, APEX_INVALID, "%s", TUI_NON_ASCII_LOST);
	snprintf(f->problems[i], APEX_MSG_MAX, "%s", err.status ? err.message : "");
}

/* Copies the field's text without the padding spaces the form library adds. */
static void
read_field(tui_form *f, int i)
{
	const char *buf = f->fields[i] ? field_buffer(f->fields[i], 0) : NULL;
	size_t len;

	if (!buf)
		return;
	snprintf(f->values[i], VALUE_MAX, "%s", buf);
	len = strlen(f->values[i]);
	while (len > 0 && f->values[i][len - 1] == ' ')
		f->values[i][--len] = '\0';
}

static void
check_all(tui_app *app, tui_form *f)
{
	for (int i = 0; i < N_FIELDS; i++) {
		read_field(f, i);
		check_field(app, f, i);
	}
}

static int
first_problem(const tui_form *f)
{
	for (int i = 0; i < N_FIELDS; i++)
		if (f->problems[i][0])
			return i;
	return -1;
}

/* ---- the form library ---- */

void
tui_form_release(FORM **form, FIELD **fields, int n_fields, WINDOW *win)
{
	WINDOW *sub = *form ? form_sub(*form) : NULL;

	if (*form) {
		unpost_form(*form);
		free_form(*form);
	}
	*form = NULL;
	if (sub && sub != win)
		delwin(sub);
	for (int i = 0; i < n_fields; i++) {
		if (fields[i])
			free_field(fields[i]);
		fields[i] = NULL;
	}
}

static void
release_form(tui_form *f)
{
	tui_form_release(&f->form, f->fields, N_FIELDS, f->win);
	f->win = NULL;
}

/* Creates the fields for a window COLS wide and posts the form in WIN. */
static int
build_form(tui_form *f, WINDOW *win, int cols)
{
	int width = cols - LABEL_COLS - 7;

	for (int i = 0; i < N_FIELDS; i++) {
		f->fields[i] = new_field(1, width, i, 0, 0, 0);
		if (!f->fields[i])
			return -1;
		field_opts_off(f->fields[i], O_AUTOSKIP | O_STATIC | O_BLANK);
		set_max_field(f->fields[i], FIELD_CHARS_MAX);
		set_field_back(f->fields[i], A_UNDERLINE);
		set_field_buffer(f->fields[i], 0, f->values[i]);
	}
	f->fields[N_FIELDS] = NULL;
	f->form = new_form(f->fields);
	if (!f->form)
		return -1;
	set_form_win(f->form, win);
	set_form_sub(f->form, derwin(win, N_FIELDS, width, 3, LABEL_COLS + 2));
	if (post_form(f->form) != E_OK)
		return -1;
	set_current_field(f->form, f->fields[f->current]);
	form_driver(f->form, REQ_END_FIELD);
	f->win = win;
	return 0;
}

void
tui_form_detach(tui_app *app)
{
	tui_form *f = app->form;

	if (!f || !f->form)
		return;
	check_all(app, f);
	release_form(f);
}

void
tui_form_open(tui_app *app)
{
	tui_form *f = calloc(1, sizeof(*f));

	if (!f)
		abort();
	if (!tui_db_ready(app)) {
		tui_message(app, 1, "cannot provision while the database is unreachable");
		free(f);
		return;
	}
	list_plans(app, f);
	list_blueprints(app, f);
	snprintf(f->values[F_PLAN], VALUE_MAX, "basic");
	snprintf(f->values[F_BLUEPRINT], VALUE_MAX, "standard");
	for (int i = 0; i < N_FIELDS; i++)
		check_field(app, f, i);
	app->form = f;
	app->dialog = DIALOG_FORM;
	app->dirty = 1;
}

void
tui_form_close(tui_app *app)
{
	tui_dialog_close(app);
	free(app->form);
	app->form = NULL;
	app->dialog = DIALOG_NONE;
	app->dirty = 1;
}

/* ---- drawing the form ---- */

/* Draws TEXT wrapped on three lines, clearing what an earlier message left. */
static void
draw_message(tui_app *app, WINDOW *win, int y, int cols, const char *text, attr_t attr)
{
	int width = cols - 4;

	for (int row = 0; row < 3; row++) {
		size_t n = tui_wrap(text, width);
		char part[512];

		snprintf(part, sizeof(part), "%.*s", (int)n, text);
		tui_put(app, win, y + row, 2, width, part, attr);
		text += n;
		while (*text == ' ')
			text++;
	}
}

static void
draw_fields(tui_app *app, tui_form *f, WINDOW *win)
{
	attr_t bad = tui_attr(app, PAIR_ERROR, A_BOLD) | A_BOLD;
	attr_t ok = tui_attr(app, PAIR_OK, A_NORMAL);
	int cols = getmaxx(win);

	for (int i = 0; i < N_FIELDS; i++) {
		tui_put(app, win, 3 + i, 2, LABEL_COLS, labels[i], i == f->current ? A_BOLD : A_NORMAL);
		tui_put(app, win, 3 + i, cols - 5, 3, f->problems[i][0] ? " !" : " ok",
			f->problems[i][0] ? bad : ok);
	}
}

void
tui_form_draw(tui_app *app)
{
	tui_form *f = app->form;
	int cols = COLS < FORM_COLS ? COLS : FORM_COLS;
	WINDOW *win = tui_dialog_open(app, DIALOG_FORM, FORM_ROWS, cols);
	const char *problem, *note;
	int sub_y, sub_x;

	if (!win)
		return;
	if (LINES < FORM_ROWS || cols < 50) {
		werase(win);
		tui_put(app, win, 0, 0, cols, "terminal too small for the form (needs 50x16); Esc closes",
			A_BOLD);
		return;
	}
	if (f->win != win) {
		release_form(f);
		if (build_form(f, win, cols) != 0) {
			release_form(f);
			tui_put(app, win, 0, 0, cols, "cannot draw the form here; Esc closes", A_BOLD);
			return;
		}
	}
	tui_box(app, win);
	tui_title(app, win, " Provision a tenant ");
	tui_put(app, win, 1, 2, cols - 4, "Fields are checked as you type. Left empty, Display name is "
		"the subdomain", A_DIM);
	tui_putf(app, win, 2, 2, cols - 4, A_DIM, "and Owner email is owner@%s.%s.",
		 f->values[F_SUBDOMAIN][0] ? f->values[F_SUBDOMAIN] : "SUBDOMAIN", app->cfg->base_domain);
	draw_fields(app, f, win);
	problem = f->key_problem[0] ? f->key_problem : f->problems[f->current];
	note = f->notes[f->current];
	draw_message(app, win, 9, cols, problem[0] ? problem : note,
		     problem[0] ? tui_attr(app, PAIR_ERROR, A_BOLD) | A_BOLD : A_DIM);
	if (f->current == F_PLAN || f->current == F_BLUEPRINT)
		tui_putf(app, win, 12, 2, cols - 4, A_DIM, "choices: %s",
			 f->current == F_PLAN ? f->plans : f->blueprints);
	else
		tui_put(app, win, 12, 2, cols - 4, "", A_NORMAL);
	tui_put(app, win, FORM_ROWS - 2, 2, cols - 4,
		"Enter: next field (provision on the last)   F10: provision   Esc: cancel", A_NORMAL);
	pos_form_cursor(f->form);
	getbegyx(form_sub(f->form), sub_y, sub_x);
	app->cursor_y = sub_y + getcury(form_sub(f->form));
	app->cursor_x = sub_x + getcurx(form_sub(f->form));
}

/* ---- keys in the form ---- */

static void
go_to_field(tui_form *f, int i)
{
	f->current = i;
	set_current_field(f->form, f->fields[i]);
	form_driver(f->form, REQ_END_FIELD);
}

static void provision(tui_app *app);

/*
 * Runs an editing request.  Backspace at the start of a field moves to the
 * previous field (the form library's O_BS_OVERLOAD), so the caret is then put
 * at the end of that field's text, where the next key continues it.
 */
static void
edit_field(tui_form *f, int req)
{
	form_driver(f->form, req);
	if (field_index(current_field(f->form)) != f->current)
		go_to_field(f, field_index(current_field(f->form)));
}

static void
submit(tui_app *app, tui_form *f)
{
	int bad;

	check_all(app, f);
	bad = first_problem(f);
	if (bad >= 0) {
		go_to_field(f, bad);
		tui_message(app, 1, "%s", f->problems[bad]);
		return;
	}
	provision(app);
}

static int
edit_request(tui_action action)
{
	switch (action) {
	case ACT_LEFT: return REQ_PREV_CHAR;
	case ACT_RIGHT: return REQ_NEXT_CHAR;
	case ACT_HOME: return REQ_BEG_FIELD;
	case ACT_END: return REQ_END_FIELD;
	case ACT_BACKSPACE: return REQ_DEL_PREV;
	case ACT_DELETE: return REQ_DEL_CHAR;
	case ACT_CLEAR_FIELD: return REQ_CLR_FIELD;
	default: return 0;
	}
}

/*
 * Types CODE into the current field.  A key that cannot be typed is reported
 * on the form, and a rejected non-ASCII key also marks the field, because the
 * rest of a pasted word still arrives and would pass as a shorter value.
 */
static void
type_char(tui_app *app, tui_form *f, int code)
{
	if (code < 0x20 || code == 0x7f || (code & TUI_FN(0)))
		return;
	if (code >= 0x80 && !app->utf8) {
		f->lost_input[f->current] = 1;
		snprintf(f->key_problem, APEX_MSG_MAX, "%s", TUI_NON_ASCII_KEY);
		return;
	}
	if (code >= 0x80 && code < 0xa0)
		return;		/* C1 control characters */
	if (form_driver_w(f->form, OK, (wchar_t)code) != E_OK)
		snprintf(f->key_problem, APEX_MSG_MAX, "%s is full (%d characters); the key was not typed",
			 labels[f->current], FIELD_CHARS_MAX);
}

void
tui_form_key(tui_app *app, int code, tui_action action)
{
	tui_form *f = app->form;
	int req = edit_request(action);

	if (!f->form) {
		if (action == ACT_CANCEL)
			tui_form_close(app);
		return;
	}
	if (action == ACT_CANCEL) {
		tui_form_close(app);
		tui_message(app, 0, "provisioning cancelled; nothing was created");
		return;
	}
	f->key_problem[0] = '\0';
	if (action == ACT_NEXT_FIELD || (action == ACT_ACCEPT && f->current + 1 < N_FIELDS))
		go_to_field(f, (f->current + 1) % N_FIELDS);
	else if (action == ACT_PREV_FIELD)
		go_to_field(f, (f->current + N_FIELDS - 1) % N_FIELDS);
	else if (action == ACT_ACCEPT || action == ACT_SUBMIT)
		submit(app, f);
	else if (req)
		edit_field(f, req);
	else
		type_char(app, f, code);
	if (app->form && app->dialog == DIALOG_FORM && f->form) {
		form_driver(f->form, REQ_VALIDATION);
		check_all(app, f);
	}
}

/* ---- provisioning with live phases ---- */

static void
on_phase(void *data, provision_phase phase, double ms)
{
	tui_app *app = data;
	tui_form *f = app->form;

	f->phase_done[phase] = 1;
	f->phase_ms[phase] = ms;
	tui_timing("phase", (long)phase);
	tui_render(app);
}

static void
start_serve_wait(tui_app *app, tui_form *f)
{
	inspect_fleet fleet;
	apex_error err = { 0 };

	f->commit_ms = apex_now_ms();
	if (inspect_fleet_load(&app->ctx, &fleet, &err)) {
		snprintf(f->serve_text, sizeof(f->serve_text), "cannot check the provider: %s", err.message);
		f->serve = SERVE_DONE;
		return;
	}
	f->target_version = fleet.config_version;
	inspect_fleet_free(&fleet);
	f->serve = SERVE_WAITING;
	f->serve_deadline_ms = f->commit_ms + TUI_SERVE_WAIT_MS;
	f->next_check_ms = f->commit_ms;
	snprintf(f->serve_text, sizeof(f->serve_text),
		 "waiting for apex-provider to serve config version %lld...", f->target_version);
}

static void
provision(tui_app *app)
{
	tui_form *f = app->form;
	const char *v[N_FIELDS];

	for (int i = 0; i < N_FIELDS; i++)
		v[i] = f->values[i][0] ? f->values[i] : NULL;
	f->req = (tenant_request){ .subdomain = v[F_SUBDOMAIN], .display_name = v[F_NAME],
				   .email = v[F_EMAIL], .plan = v[F_PLAN], .blueprint = v[F_BLUEPRINT] };
	tui_dialog_close(app);
	app->dialog = DIALOG_PROGRESS;
	tui_render(app);
	f->status = tenant_provision(&app->ctx, &f->req, on_phase, app, &f->result, &f->err);
	f->finished = 1;
	if (f->status == APEX_OK)
		start_serve_wait(app, f);
	else
		tui_db_failed(app, &f->err);
	app->db.changed |= TUI_CHANGED_TENANTS | TUI_CHANGED_AUDIT;
	tui_timing("provisioned", (long)f->status);
	app->dirty = 1;
}

/* Checks whether a provider serves the target version yet. */
static void
check_served(tui_app *app, tui_form *f, double now)
{
	inspect_fleet fleet;
	apex_error err = { 0 };
	int i;

	if (!tui_db_ready(app) || inspect_fleet_load(&app->ctx, &fleet, &err)) {
		f->serve = SERVE_DONE;
		snprintf(f->serve_text, sizeof(f->serve_text), "cannot check the provider: %s",
			 err.message[0] ? err.message : "no database connection");
		return;
	}
	i = inspect_fleet_serving(&fleet, f->target_version, -1);
	if (i >= 0) {
		f->serve = SERVE_DONE;
		f->serve_ok = 1;
		snprintf(f->serve_text, sizeof(f->serve_text), "served: apex-provider \"%s\" serves config "
			 "version %lld (checked %.1f s after the commit)", fleet.items[i].instance,
			 fleet.items[i].version_served, (now - f->commit_ms) / 1000.0);
	} else if (now >= f->serve_deadline_ms) {
		f->serve = SERVE_DONE;
		if (fleet.count == 0)
			snprintf(f->serve_text, sizeof(f->serve_text), "not served yet: no apex-provider "
				 "instance has reported; is apex-provider running?");
		else
			snprintf(f->serve_text, sizeof(f->serve_text), "not served yet after %d s: "
				 "apex-provider \"%s\" serves version %lld, the route is in version %lld",
				 TUI_SERVE_WAIT_MS / 1000, fleet.items[0].instance,
				 fleet.items[0].version_served, f->target_version);
	}
	inspect_fleet_free(&fleet);
}

void
tui_progress_tick(tui_app *app, double now_ms)
{
	tui_form *f = app->form;

	if (!f || app->dialog != DIALOG_PROGRESS || f->serve != SERVE_WAITING || now_ms < f->next_check_ms)
		return;
	f->next_check_ms = now_ms + 200;
	check_served(app, f, now_ms);
	app->dirty = 1;
}

int
tui_progress_timeout(const tui_app *app, double now_ms)
{
	const tui_form *f = app->form;

	if (!f || app->dialog != DIALOG_PROGRESS || f->serve != SERVE_WAITING)
		return -1;
	return f->next_check_ms > now_ms ? (int)(f->next_check_ms - now_ms) + 1 : 0;
}

static void
draw_phases(tui_app *app, tui_form *f, WINDOW *win, int y, int cols)
{
	attr_t done = tui_attr(app, PAIR_OK, A_NORMAL);
	int running_shown = 0;

	for (int ph = PHASE_VALIDATE; ph < PHASE_COUNT; ph++) {
		const char *name = provision_phase_name((provision_phase)ph);

		if (f->phase_done[ph]) {
			tui_putf(app, win, y + ph, 4, cols - 6, done, "%-10s done %10.2f ms", name, f->phase_ms[ph]);
		} else if (f->finished && f->status && ph == (int)f->result.failed_phase) {
			tui_putf(app, win, y + ph, 4, cols - 6, tui_attr(app, PAIR_ERROR, A_BOLD) | A_BOLD,
				 "%-10s FAILED", name);
		} else if (!f->finished && !running_shown) {
			tui_putf(app, win, y + ph, 4, cols - 6, A_BOLD, "%-10s running...", name);
			running_shown = 1;
		} else {
			tui_putf(app, win, y + ph, 4, cols - 6, A_DIM, "%-10s -", name);
		}
	}
}

static void
draw_outcome(tui_app *app, tui_form *f, WINDOW *win, int y, int cols)
{
	attr_t bad = tui_attr(app, PAIR_ERROR, A_BOLD) | A_BOLD;
	attr_t serve_attr;

	if (!f->finished)
		return;
	if (f->status != APEX_OK) {
		draw_message(app, win, y, cols, f->err.message, bad);
		draw_message(app, win, y + 3, cols, f->err.detail[0] ? f->err.detail : f->err.hint, A_NORMAL);
		return;
	}
	if (f->result.created)
		tui_putf(app, win, y, 2, cols - 4, A_BOLD, "tenant %s provisioned in %.1f ms (%d round trips, "
			 "%d rows seeded)", f->req.subdomain, f->result.total_ms, f->result.round_trips,
			 f->result.rows_seeded);
	else
		tui_putf(app, win, y, 2, cols - 4, A_BOLD, "tenant %s already exists as requested; nothing "
			 "changed", f->req.subdomain);
	if (f->serve != SERVE_DONE)
		serve_attr = A_NORMAL;
	else if (f->serve_ok)
		serve_attr = tui_attr(app, PAIR_OK, A_BOLD);
	else
		serve_attr = bad;
	draw_message(app, win, y + 2, cols, f->serve_text, serve_attr);
}

void
tui_progress_draw(tui_app *app)
{
	tui_form *f = app->form;
	int cols = COLS < FORM_COLS ? COLS : FORM_COLS;
	WINDOW *win = tui_dialog_open(app, DIALOG_PROGRESS, FORM_ROWS, cols);

	if (!win || !f)
		return;
	werase(win);
	tui_box(app, win);
	tui_title(app, win, " Provisioning %s ", f->req.subdomain);
	tui_putf(app, win, 1, 2, cols - 4, A_DIM, "plan %s, blueprint %s",
		 f->req.plan ? f->req.plan : "basic", f->req.blueprint ? f->req.blueprint : "standard");
	draw_phases(app, f, win, 3, cols);
	draw_outcome(app, f, win, 9, cols);
	if (f->finished)
		tui_put(app, win, FORM_ROWS - 2, 2, cols - 4, f->status == APEX_OK ?
			"Enter: open the tenant   n: provision another   q: back" :
			"n: try again   q: back", A_NORMAL);
}

void
tui_progress_key(tui_app *app, tui_action action)
{
	tui_form *f = app->form;
	char subdomain[64];

	if (!f || !f->finished)
		return;
	snprintf(subdomain, sizeof(subdomain), "%s", f->req.subdomain);
	switch (action) {
	case ACT_OPEN:
		if (f->status != APEX_OK)
			return;
		tui_form_close(app);
		tui_tenants_load(app, 0);
		tui_detail_open(app, subdomain);
		break;
	case ACT_NEW:
		tui_form_close(app);
		tui_form_open(app);
		break;
	case ACT_BACK:
		tui_form_close(app);
		tui_show(app, SCREEN_TENANTS);
		break;
	default:
		break;
	}
}
