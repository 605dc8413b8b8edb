/*
 * tui_confirm.c - typed confirmation of suspend, resume, archive and
 * dismiss.
 *
 * Destructive actions are never one keystroke: the operator types the
 * tenant's subdomain (and a reason where core records one) in a form, and
 * the action runs only when the typed subdomain matches exactly.
 */
#include "tui.h"

#include <form.h>
#include <stdlib.h>
#include <string.h>

#include "backup.h"
#include "validate.h"

#define CONFIRM_ROWS 14
#define CONFIRM_COLS 74
#define LABEL_COLS 22

/*
 * A field takes more characters than the subdomain or a reason may have, so
 * a long value is rejected with a message instead of cut to a shorter one
 * that might match.  VALUE_MAX fits that many UTF-8 characters.
 */
#define FIELD_CHARS_MAX (APEX_REASON_MAX + 100)
#define VALUE_MAX (FIELD_CHARS_MAX * 4 + 1)

enum { C_SUBDOMAIN, C_REASON, N_CONFIRM_FIELDS };

struct tui_confirm {
	tui_confirm_kind kind;
	char subdomain[64];
	long long review_id;
	int n_fields;			/* 1 without a reason field */
	FORM *form;
	FIELD *fields[N_CONFIRM_FIELDS + 1];
	WINDOW *win;
	int current;
	char values[N_CONFIRM_FIELDS][VALUE_MAX];
	int lost_input[N_CONFIRM_FIELDS];	/* a key was rejected; cleared when the field is emptied */
	char problem[APEX_MSG_MAX];
};

static const char *
action_verb(tui_confirm_kind kind)
{
	switch (kind) {
	case CONFIRM_SUSPEND: return "suspend";
	case CONFIRM_RESUME: return "resume";
	case CONFIRM_ARCHIVE: return "archive";
	default: return "dismiss";
	}
}

/* ---- form ---- */

static void
release(tui_confirm *c)
{
	tui_form_release(&c->form, c->fields, N_CONFIRM_FIELDS, c->win);
	c->win = NULL;
}

static void
read_values(tui_confirm *c)
{
	for (int i = 0; i < c->n_fields && c->fields[i]; i++) {
		const char *buf = field_buffer(c->fields[i], 0);
		size_t len;

		snprintf(c->values[i], sizeof(c->values[i]), "%s", buf ? buf : "");
		len = strlen(c->values[i]);
		while (len > 0 && c->values[i][len - 1] == ' ')
			c->values[i][--len] = '\0';
	}
}

static int
build(tui_confirm *c, WINDOW *win, int cols)
{
	int width = cols - LABEL_COLS - 4;

	for (int i = 0; i < c->n_fields; i++) {
		c->fields[i] = new_field(1, width, i * 2, 0, 0, 0);
		if (!c->fields[i])
			return -1;
		field_opts_off(c->fields[i], O_AUTOSKIP | O_STATIC | O_BLANK);
		set_max_field(c->fields[i], FIELD_CHARS_MAX);
		set_field_back(c->fields[i], A_UNDERLINE);
		set_field_buffer(c->fields[i], 0, c->values[i]);
	}
	c->form = new_form(c->fields);
	if (!c->form)
		return -1;
	set_form_win(c->form, win);
	set_form_sub(c->form, derwin(win, c->n_fields * 2 - 1, width, 6, LABEL_COLS + 2));
	if (post_form(c->form) != E_OK)
		return -1;
	set_current_field(c->form, c->fields[c->current]);
	form_driver(c->form, REQ_END_FIELD);
	c->win = win;
	return 0;
}

void
tui_confirm_detach(tui_app *app)
{
	if (!app->confirm || !app->confirm->form)
		return;
	read_values(app->confirm);
	release(app->confirm);
}

void
tui_confirm_open(tui_app *app, tui_confirm_kind kind, const char *subdomain, long long review_id)
{
	tui_confirm *c;

	if (!tui_db_ready(app)) {
		tui_message(app, 1, "cannot %s while the database is unreachable", action_verb(kind));
		return;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		abort();
	c->kind = kind;
	c->review_id = review_id;
	c->n_fields = N_CONFIRM_FIELDS;	/* the subdomain and a reason, for the audit entry */
	snprintf(c->subdomain, sizeof(c->subdomain), "%s", subdomain);
	app->confirm = c;
	app->dialog = DIALOG_CONFIRM;
	app->dirty = 1;
}

void
tui_confirm_close(tui_app *app)
{
	tui_dialog_close(app);
	free(app->confirm);
	app->confirm = NULL;
	app->dialog = DIALOG_NONE;
	app->dirty = 1;
}

/* ---- drawing ---- */

static void
explain(tui_app *app, tui_confirm *c, WINDOW *win, int cols)
{
	char schema[APEX_IDENT_MAX + 1];

	apex_schema_name(c->subdomain, schema, sizeof(schema));
	switch (c->kind) {
	case CONFIRM_SUSPEND:
		tui_putf(app, win, 2, 2, cols - 4, A_NORMAL, "Its visitors get the suspended page (no route "
			 "when none is configured),");
		tui_putf(app, win, 3, 2, cols - 4, A_NORMAL, "and role %s loses access to its schema.",
			 schema);
		break;
	case CONFIRM_RESUME:
		tui_putf(app, win, 2, 2, cols - 4, A_NORMAL, "%s is served again and role %s gets its "
			 "access back.", c->subdomain, schema);
		break;
	case CONFIRM_ARCHIVE:
		tui_putf(app, win, 2, 2, cols - 4, A_NORMAL, "A backup of %s is written first; then its "
			 "route goes away", c->subdomain);
		tui_putf(app, win, 3, 2, cols - 4, A_NORMAL, "and role %s loses access. The data is kept.",
			 schema);
		break;
	default:
		tui_putf(app, win, 2, 2, cols - 4, A_NORMAL, "Review item %lld closes without another "
			 "provisioning attempt.", c->review_id);
		break;
	}
	tui_putf(app, win, 4, 2, cols - 4, A_DIM, "Type \"%s\" to confirm.", c->subdomain);
}

void
tui_confirm_draw(tui_app *app)
{
	tui_confirm *c = app->confirm;
	int cols = COLS < CONFIRM_COLS ? COLS : CONFIRM_COLS;
	WINDOW *win = tui_dialog_open(app, DIALOG_CONFIRM, CONFIRM_ROWS, cols);
	int sub_y, sub_x;

	if (!win)
		return;
	if (c->win != win) {
		release(c);
		if (LINES < CONFIRM_ROWS || cols < 50 || build(c, win, cols) != 0) {
			release(c);
			werase(win);
			tui_put(app, win, 0, 0, cols, "terminal too small for the confirmation; Esc closes", A_BOLD);
			return;
		}
	}
	tui_box(app, win);
	tui_title(app, win, " %s %s ", c->kind == CONFIRM_SUSPEND ? "Suspend" :
		  c->kind == CONFIRM_RESUME ? "Resume" : c->kind == CONFIRM_ARCHIVE ? "Archive" :
		  "Dismiss the review item of", c->subdomain);
	explain(app, c, win, cols);
	tui_put(app, win, 6, 2, LABEL_COLS, "Subdomain", c->current == C_SUBDOMAIN ? A_BOLD : A_NORMAL);
	if (c->n_fields > 1)
		tui_put(app, win, 8, 2, LABEL_COLS, "Reason", c->current == C_REASON ? A_BOLD : A_NORMAL);
	tui_put(app, win, 10, 2, cols - 4, c->problem, tui_attr(app, PAIR_ERROR, A_BOLD) | A_BOLD);
	tui_putf(app, win, CONFIRM_ROWS - 2, 2, cols - 4, A_NORMAL, "Enter: %s   Esc: cancel",
		 c->n_fields > 1 ? "next field, on the last one confirm" : "confirm");
	pos_form_cursor(c->form);
	getbegyx(form_sub(c->form), sub_y, sub_x);
	app->cursor_y = sub_y + getcury(form_sub(c->form));
	app->cursor_x = sub_x + getcurx(form_sub(c->form));
}

/* ---- running the action ---- */

static apex_status
run_action(tui_app *app, tui_confirm *c, int *changed, backup_info *backup, apex_error *err)
{
	const char *reason = c->values[C_REASON];

	switch (c->kind) {
	case CONFIRM_SUSPEND:
		return tenant_suspend(&app->ctx, c->subdomain, reason, changed, err);
	case CONFIRM_RESUME:
		return tenant_resume(&app->ctx, c->subdomain, reason, changed, err);
	case CONFIRM_ARCHIVE:
		return tenant_archive(&app->ctx, c->subdomain, reason, changed, backup, err);
	default:
		return review_dismiss(&app->ctx, c->review_id, reason, changed, err);
	}
}

static void
report(tui_app *app, tui_confirm_kind kind, const char *subdomain, long long review_id, int changed,
       const backup_info *backup)
{
	static const char *const states[] = {
		[CONFIRM_SUSPEND] = "suspended", [CONFIRM_RESUME] = "active", [CONFIRM_ARCHIVE] = "archived"
	};

	if (kind == CONFIRM_DISMISS)
		tui_message(app, 0, changed ? "review item %lld dismissed"
				     : "review item %lld was already dismissed; nothing changed", review_id);
	else if (kind == CONFIRM_ARCHIVE && changed)
		tui_message(app, 0, "tenant %s is now archived; backup %s", subdomain, backup->file);
	else
		tui_message(app, 0, changed ? "tenant %s is now %s" : "tenant %s is already %s; nothing changed",
			    subdomain, states[kind]);
}

/* Checks the typed values; returns 0 when the action may run. */
static int
check(tui_confirm *c)
{
	apex_error err = { 0 };

	c->problem[0] = '\0';
	for (int i = 0; i < c->n_fields; i++) {
		if (c->lost_input[i]) {
			snprintf(c->problem, sizeof(c->problem), "%s", TUI_NON_ASCII_LOST);
			return -1;
		}
	}
	if (strcmp(c->values[C_SUBDOMAIN], c->subdomain) != 0) {
		snprintf(c->problem, sizeof(c->problem), "type \"%s\" exactly to confirm", c->subdomain);
		return -1;
	}
	if (c->n_fields > 1 && apex_validate_reason(c->values[C_REASON], &err)) {
		snprintf(c->problem, sizeof(c->problem), "%s", err.message);
		return -1;
	}
	return 0;
}

static void
confirm(tui_app *app, tui_confirm *c)
{
	tui_confirm_kind kind = c->kind;
	char subdomain[64];
	long long review_id = c->review_id;
	backup_info backup = { 0 };
	apex_error err = { 0 };
	int changed = 0;

	read_values(c);
	if (check(c))
		return;
	snprintf(subdomain, sizeof(subdomain), "%s", c->subdomain);
	tui_message(app, 0, "%s of %s running...", action_verb(kind), subdomain);
	tui_render(app);
	if (run_action(app, c, &changed, &backup, &err)) {
		tui_confirm_close(app);
		tui_db_failed(app, &err);
		return;
	}
	tui_confirm_close(app);
	report(app, kind, subdomain, review_id, changed, &backup);
	app->db.changed |= TUI_CHANGED_TENANTS | TUI_CHANGED_AUDIT;
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

static void
go_to(tui_confirm *c, int i)
{
	c->current = i;
	set_current_field(c->form, c->fields[i]);
	form_driver(c->form, REQ_END_FIELD);
}

/*
 * Runs an editing request.  When Backspace moved to the previous field, the
 * caret goes to the end of that field's text.
 */
static void
edit(tui_confirm *c, int req)
{
	form_driver(c->form, req);
	if (field_index(current_field(c->form)) != c->current)
		go_to(c, field_index(current_field(c->form)));
}

/* Types CODE, or reports on the dialog why it cannot be typed. */
static void
type_char(tui_app *app, tui_confirm *c, int code)
{
	if (code < 0x20 || code == 0x7f || (code & TUI_FN(0)))
		return;
	if (code >= 0x80 && !app->utf8) {
		c->lost_input[c->current] = 1;
		snprintf(c->problem, sizeof(c->problem), "%s", TUI_NON_ASCII_KEY);
		return;
	}
	if (code >= 0x80 && code < 0xa0)
		return;		/* C1 control characters */
	if (form_driver_w(c->form, OK, (wchar_t)code) != E_OK)
		snprintf(c->problem, sizeof(c->problem), "the field is full (%d characters); the key was "
			 "not typed", FIELD_CHARS_MAX);
}

/* Clears the rejected-key mark of each field the operator has emptied. */
static void
forget_lost_input(tui_confirm *c)
{
	for (int i = 0; i < c->n_fields; i++)
		if (!c->values[i][0])
			c->lost_input[i] = 0;
}

void
tui_confirm_key(tui_app *app, int code, tui_action action)
{
	tui_confirm *c = app->confirm;
	int req = edit_request(action);

	if (action == ACT_CANCEL || !c->form) {
		if (action == ACT_CANCEL) {
			tui_confirm_close(app);
			tui_message(app, 0, "cancelled; nothing changed");
		}
		return;
	}
	if (action == ACT_NEXT_FIELD || (action == ACT_ACCEPT && c->current + 1 < c->n_fields)) {
		go_to(c, (c->current + 1) % c->n_fields);
	} else if (action == ACT_PREV_FIELD) {
		go_to(c, (c->current + c->n_fields - 1) % c->n_fields);
	} else if (action == ACT_ACCEPT) {
		form_driver(c->form, REQ_VALIDATION);
		confirm(app, c);
		return;
	} else if (req) {
		edit(c, req);
	} else {
		type_char(app, c, code);
	}
	form_driver(c->form, REQ_VALIDATION);
	read_values(c);
	forget_lost_input(c);
}
