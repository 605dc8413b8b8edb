/*
 * test_blueprint.c - the blueprint loader: the shipped blueprints, the
 * defaults and every kind of rejected input.
 *
 * Needs no database.  Run from the repository root, or with APEX_ROOT set
 * to it, because the shipped blueprints are read from blueprints/.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "blueprint.h"

/*
 * LeakSanitizer's own check.  It exists only in sanitizer builds.  Criterion's
 * workers end without the check that LeakSanitizer runs at a normal exit, so
 * every suite runs it after each test.  It aborts on a leak, which Criterion
 * counts as a crash, because Criterion ignores failed assertions in .fini.
 */
extern int __lsan_do_recoverable_leak_check(void) __attribute__((weak));

static void
check_leaks(void)
{
	if (__lsan_do_recoverable_leak_check &&
	    __lsan_do_recoverable_leak_check() != 0) {
		fprintf(stderr, "memory leaked, see the LeakSanitizer report above\n");
		abort();
	}
}

TestSuite(blueprint_shipped, .fini = check_leaks);
TestSuite(blueprint_accept, .fini = check_leaks);
TestSuite(blueprint_reject, .fini = check_leaks);
TestSuite(blueprint_file, .fini = check_leaks);
TestSuite(blueprint_named, .fini = check_leaks);

struct load_result {
	apex_status status;
	blueprint *bp;
	apex_error err;
};

#define assert_message_starts(result, prefix)                               \
	cr_assert(strncmp((result).err.message, (prefix), strlen(prefix)) == 0, \
		  "expected the message to start with \"%s\": %s", (prefix),   \
		  (result).err.message)

#define assert_message_has(result, text)                                    \
	cr_assert(strstr((result).err.message, (text)) != NULL,              \
		  "expected \"%s\" in the message: %s", (text),                \
		  (result).err.message)

/* Loads TEXT as the file "test.yaml". */
static struct load_result
load_text(const char *text)
{
	struct load_result result;

	memset(&result, 0, sizeof(result));
	result.status = blueprint_load_buffer(text, strlen(text), "test.yaml",
					      &result.bp, &result.err);
	return result;
}

static struct load_result
load_bytes(const char *data, size_t len)
{
	struct load_result result;

	memset(&result, 0, sizeof(result));
	result.status = blueprint_load_buffer(data, len, "test.yaml",
					      &result.bp, &result.err);
	return result;
}

static struct load_result
load_path(const char *path)
{
	struct load_result result;

	memset(&result, 0, sizeof(result));
	result.status = blueprint_load_file(path, &result.bp, &result.err);
	return result;
}

static void
write_all(int fd, const char *data, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, data, len);
		cr_assert_gt(n, 0, "write failed: %s", strerror(errno));
		data += n;
		len -= (size_t)n;
	}
}

/* Writes DATA to a new file in /tmp and stores its name in PATH. */
static void
write_temp(char path[64], const char *data, size_t len)
{
	int fd;

	strcpy(path, "/tmp/apex-blueprint-test-XXXXXX");
	fd = mkstemp(path);
	cr_assert_geq(fd, 0, "mkstemp failed: %s", strerror(errno));
	write_all(fd, data, len);
	close(fd);
}

static void
write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	cr_assert_geq(fd, 0, "cannot create %s: %s", path, strerror(errno));
	write_all(fd, text, strlen(text));
	close(fd);
}

/* Returns the path of a shipped blueprint, under APEX_ROOT when it is set. */
static const char *
shipped(const char *file)
{
	static char path[4096];
	const char *root = getenv("APEX_ROOT");

	snprintf(path, sizeof(path), "%s/blueprints/%s", root ? root : ".",
		 file);
	return path;
}

static const char *
shipped_dir(void)
{
	static char path[4096];
	const char *root = getenv("APEX_ROOT");

	snprintf(path, sizeof(path), "%s/blueprints", root ? root : ".");
	return path;
}

static const char *
setting_value(const blueprint *bp, const char *key)
{
	size_t i;

	for (i = 0; i < bp->n_settings; i++)
		if (strcmp(bp->settings[i].key, key) == 0)
			return bp->settings[i].value;
	return NULL;
}

static const blueprint_product *
find_product(const blueprint *bp, const char *sku)
{
	size_t i;

	for (i = 0; i < bp->n_products; i++)
		if (strcmp(bp->products[i].sku, sku) == 0)
			return &bp->products[i];
	return NULL;
}

static const blueprint_page *
find_page(const blueprint *bp, const char *slug)
{
	size_t i;

	for (i = 0; i < bp->n_pages; i++)
		if (strcmp(bp->pages[i].slug, slug) == 0)
			return &bp->pages[i];
	return NULL;
}

static size_t
count_categories(const blueprint *bp)
{
	size_t i, j, n = 0;

	for (i = 0; i < bp->n_products; i++) {
		for (j = 0; j < i; j++)
			if (strcmp(bp->products[i].category,
				   bp->products[j].category) == 0)
				break;
		if (j == i)
			n++;
	}
	return n;
}

/* Returns a new string of N copies of C. */
static char *
repeat_char(char c, size_t n)
{
	char *s = malloc(n + 1);

	cr_assert_not_null(s);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

/* Returns a new document made with printf-style FMT. */
static char *
format_doc(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *
format_doc(const char *fmt, ...)
{
	char *doc = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&doc, &len);
	va_list ap;

	cr_assert_not_null(out);
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fclose(out);
	return doc;
}

/* Returns a document with N products in flow style. */
static char *
products_doc(size_t n)
{
	char *doc = NULL;
	size_t len = 0, i;
	FILE *out = open_memstream(&doc, &len);

	cr_assert_not_null(out);
	fputs("name: many\nproducts:\n", out);
	for (i = 0; i < n; i++)
		fprintf(out, "  - {sku: P%zu, name: n, category: c, price_cents: 1}\n",
			i);
	fclose(out);
	return doc;
}

static const char product_head[] =
	"name: x\n"
	"products:\n"
	"  - sku: TEE-001\n"
	"    name: Tee\n"
	"    category: apparel\n";

/* Returns a document with one product whose price is PRICE (line 6). */
static char *
price_doc(const char *price)
{
	return format_doc("%s    price_cents: %s\n", product_head, price);
}

/* The shipped blueprints */

Test(blueprint_shipped, standard_loads)
{
	struct load_result result = load_path(shipped("standard.yaml"));

	cr_assert_eq(result.status, APEX_OK, "%s", result.err.message);
	cr_assert_str_eq(result.bp->name, "standard");
	cr_assert_eq(result.bp->n_settings, 12);
	cr_assert_eq(result.bp->n_pages, 6);
	cr_assert_eq(result.bp->n_products, 13);
	cr_assert_str_eq(setting_value(result.bp, "store.currency"), "EUR");
	cr_assert_str_eq(setting_value(result.bp, "store.locale"), "en_US");
	cr_assert_str_eq(setting_value(result.bp, "checkout.guest_enabled"), "true");
	cr_assert_str_eq(setting_value(result.bp, "theme.accent_color"), "#2f6f4f");
	cr_assert_str_eq(result.bp->pages[0].slug, "home");
	cr_assert_eq(result.bp->pages[0].published, 1);
	cr_assert_eq(find_page(result.bp, "gift-cards")->published, 0);
	cr_assert_str_eq(result.bp->products[0].sku, "TEE-001");
	cr_assert_eq(result.bp->products[0].price_cents, 1999);
	cr_assert_eq(result.bp->products[0].stock, 120);
	cr_assert_eq(find_product(result.bp, "GIFT-CARD-25")->stock, 0);
	blueprint_free(result.bp);
}

Test(blueprint_shipped, ecommerce_loads)
{
	struct load_result result = load_path(shipped("ecommerce.yaml"));
	const blueprint_product *p;
	size_t i;

	cr_assert_eq(result.status, APEX_OK, "%s", result.err.message);
	cr_assert_str_eq(result.bp->name, "ecommerce");
	cr_assert_eq(result.bp->n_products, 72);
	cr_assert_geq(result.bp->n_products, 60);
	cr_assert_eq(count_categories(result.bp), 6);
	cr_assert_eq(result.bp->n_pages, 9);
	cr_assert_eq(result.bp->n_settings, 22);
	cr_assert_str_eq(setting_value(result.bp, "store.currency"), "USD");
	p = find_product(result.bp, "ELE-2008");
	cr_assert_not_null(p);
	cr_assert_str_eq(p->name, "27-inch 4K Monitor");
	cr_assert_str_eq(p->category, "electronics");
	cr_assert_eq(p->price_cents, 37900);
	cr_assert_str_eq(find_product(result.bp, "BOK-5003")->name,
			 "Bread at Home: A Baker's Notebook");
	cr_assert_eq(find_page(result.bp, "careers")->published, 0);
	for (i = 0; i < result.bp->n_products; i++) {
		cr_assert_gt(result.bp->products[i].price_cents, 0, "%s",
			     result.bp->products[i].sku);
		cr_assert_neq(result.bp->products[i].description[0], '\0', "%s",
			      result.bp->products[i].sku);
	}
	blueprint_free(result.bp);
}

Test(blueprint_shipped, load_named_finds_both)
{
	blueprint *bp = NULL;
	apex_error err = { 0 };

	cr_assert_eq(blueprint_load_named(shipped_dir(), "standard", &bp, &err),
		     APEX_OK, "%s", err.message);
	cr_assert_str_eq(bp->name, "standard");
	blueprint_free(bp);
	bp = NULL;
	cr_assert_eq(blueprint_load_named(shipped_dir(), "ecommerce", &bp, &err),
		     APEX_OK, "%s", err.message);
	cr_assert_eq(bp->n_products, 72);
	blueprint_free(bp);
}

/* Accepted documents */

Test(blueprint_accept, defaults_for_absent_keys)
{
	struct load_result result = load_text(
		"name: minimal\n"
		"pages:\n"
		"  - slug: home\n"
		"    title: Home\n"
		"products:\n"
		"  - sku: A-1\n"
		"    name: Thing\n"
		"    category: misc\n"
		"    price_cents: 0\n");

	cr_assert_eq(result.status, APEX_OK, "%s", result.err.message);
	cr_assert_str_eq(result.bp->description, "");
	cr_assert_eq(result.bp->n_settings, 0);
	cr_assert_eq(result.bp->pages[0].published, 1);
	cr_assert_str_eq(result.bp->pages[0].body, "");
	cr_assert_str_eq(result.bp->products[0].description, "");
	cr_assert_eq(result.bp->products[0].stock, 0);
	cr_assert_eq(result.bp->products[0].price_cents, 0);
	blueprint_free(result.bp);
}

Test(blueprint_accept, name_only)
{
	struct load_result result = load_text("name: bare\n");

	cr_assert_eq(result.status, APEX_OK, "%s", result.err.message);
	cr_assert_str_eq(result.bp->name, "bare");
	cr_assert_eq(result.bp->n_pages, 0);
	cr_assert_eq(result.bp->n_products, 0);
	cr_assert_null(result.bp->products);
	blueprint_free(result.bp);
}

Test(blueprint_accept, flow_style_and_empty_lists)
{
	struct load_result result = load_text(
		"{name: flow, settings: {a.b: c}, pages: [],\n"
		" products: [{sku: X, name: Y, category: Z, price_cents: 5}]}\n");

	cr_assert_eq(result.status, APEX_OK, "%s", result.err.message);
	cr_assert_str_eq(setting_value(result.bp, "a.b"), "c");
	cr_assert_eq(result.bp->n_pages, 0);
	cr_assert_eq(result.bp->products[0].price_cents, 5);
	blueprint_free(result.bp);
}

Test(blueprint_accept, scalars_are_text)
{
	struct load_result result = load_text(
		"name: text\n"
		"description: >\n"
		"  folded\n"
		"  text\n"
		"settings:\n"
		"  a: 12.5\n"
		"  b: ~\n"
		"  c: 'single'\n"
		"  d: \"tab\\there\"\n"
		"  e: |\n"
		"    two\n"
		"    lines\n");

	cr_assert_eq(result.status, APEX_OK, "%s", result.err.message);
	cr_assert_str_eq(result.bp->description, "folded text\n");
	cr_assert_str_eq(setting_value(result.bp, "a"), "12.5");
	cr_assert_str_eq(setting_value(result.bp, "b"), "~");
	cr_assert_str_eq(setting_value(result.bp, "c"), "single");
	cr_assert_str_eq(setting_value(result.bp, "d"), "tab\there");
	cr_assert_str_eq(setting_value(result.bp, "e"), "two\nlines\n");
	blueprint_free(result.bp);
}

Test(blueprint_accept, values_at_their_limits)
{
	char *title = repeat_char('t', 200);
	char *sku = repeat_char('S', 32);
	char *doc = format_doc(
		"name: limits\n"
		"pages:\n"
		"  - {slug: a, title: %s, published: false}\n"
		"products:\n"
		"  - {sku: %s, name: n, category: c, price_cents: 100000000,\n"
		"     stock: 1000000000}\n", title, sku);
	struct load_result result = load_text(doc);

	cr_assert_eq(result.status, APEX_OK, "%s", result.err.message);
	cr_assert_eq(strlen(result.bp->pages[0].title), 200);
	cr_assert_eq(result.bp->pages[0].published, 0);
	cr_assert_eq(result.bp->products[0].price_cents, 100000000LL);
	cr_assert_eq(result.bp->products[0].stock, 1000000000LL);
	blueprint_free(result.bp);
	free(doc);
	free(sku);
	free(title);
}

Test(blueprint_accept, utf8_text)
{
	struct load_result result = load_text(
		"name: utf8\n"
		"products:\n"
		"  - {sku: K-1, name: \"Caf\xc3\xa9 cr\xc3\xa8me \xe2\x82\xac\", "
		"category: \"\xe5\x92\x96\xe5\x95\xa1\", price_cents: 1}\n");

	cr_assert_eq(result.status, APEX_OK, "%s", result.err.message);
	cr_assert_str_eq(result.bp->products[0].name,
			 "Caf\xc3\xa9 cr\xc3\xa8me \xe2\x82\xac");
	blueprint_free(result.bp);
}

Test(blueprint_accept, file_at_size_limit)
{
	size_t size = BLUEPRINT_MAX_FILE_BYTES;
	char *data = malloc(size);
	char path[64];
	struct load_result result;

	cr_assert_not_null(data);
	memset(data, 'x', size);
	memcpy(data, "name: big\n#", 11);
	data[size - 1] = '\n';
	write_temp(path, data, size);
	result = load_path(path);
	unlink(path);
	cr_assert_eq(result.status, APEX_OK, "%s", result.err.message);
	cr_assert_str_eq(result.bp->name, "big");
	blueprint_free(result.bp);
	free(data);
}

/* Unknown keys */

Test(blueprint_reject, unknown_top_level_key)
{
	struct load_result result = load_text("name: x\ncolour: red\n");

	cr_assert_eq(result.status, APEX_INVALID);
	cr_assert_null(result.bp);
	assert_message_starts(result, "test.yaml:2:1: ");
	assert_message_has(result, "unknown key \"colour\" at top level");
	assert_message_has(result, "name, description, settings, pages, products");
}

Test(blueprint_reject, unknown_product_key)
{
	char *doc = format_doc("%s    price_cents: 1\n    colour: red\n",
			       product_head);
	struct load_result result = load_text(doc);

	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:7:5: ");
	assert_message_has(result, "unknown key \"colour\" in product 1");
	assert_message_has(result,
			   "sku, name, category, description, price_cents, stock");
	free(doc);
}

Test(blueprint_reject, unknown_page_key)
{
	struct load_result result = load_text(
		"name: x\npages:\n  - slug: a\n    title: A\n    draft: true\n");

	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:5:5: ");
	assert_message_has(result, "unknown key \"draft\" in page 1");
	assert_message_has(result, "slug, title, body, published");
}

Test(blueprint_reject, key_not_a_scalar)
{
	struct load_result result = load_text("name: x\n? [a, b]\n: c\n");

	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:2:3: ");
	assert_message_has(result, "key at top level must be a scalar, not a sequence");
}

/* Wrong types */

Test(blueprint_reject, sequence_for_scalar)
{
	struct load_result result = load_text("name: [a, b]\n");

	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:1:7: ");
	assert_message_has(result, "\"name\" at top level must be a scalar, not a sequence");
}

Test(blueprint_reject, mapping_for_products)
{
	struct load_result result = load_text("name: x\nproducts:\n  sku: A\n");

	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:3:3: ");
	assert_message_has(result, "\"products\" must be a sequence, not a mapping");
}

Test(blueprint_reject, scalar_for_product)
{
	struct load_result result = load_text("name: x\nproducts:\n  - TEE-001\n");

	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:3:5: ");
	assert_message_has(result, "product 1 must be a mapping, not a scalar");
}

Test(blueprint_reject, scalar_for_pages)
{
	struct load_result result = load_text("name: x\npages:\n");

	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:2:7: ");
	assert_message_has(result, "\"pages\" must be a sequence, not a scalar");
}

Test(blueprint_reject, sequence_for_settings)
{
	struct load_result result = load_text("name: x\nsettings:\n  - a\n");

	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:3:3: ");
	assert_message_has(result, "\"settings\" must be a mapping, not a sequence");
}

Test(blueprint_reject, mapping_for_setting_value)
{
	struct load_result result = load_text(
		"name: x\nsettings:\n  store:\n    currency: EUR\n");

	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:4:5: ");
	assert_message_has(result, "setting \"store\" must be a scalar, not a mapping");
}

Test(blueprint_reject, sequence_for_price)
{
	char *doc = price_doc("[1, 2]");
	struct load_result result = load_text(doc);

	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:6:18: ");
	assert_message_has(result, "\"price_cents\" in product 1 must be a scalar, not a sequence");
	free(doc);
}

Test(blueprint_reject, top_level_sequence)
{
	struct load_result result = load_text("- name: x\n");

	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:1:1: ");
	assert_message_has(result, "top level must be a mapping, not a sequence");
}

Test(blueprint_reject, top_level_scalar)
{
	struct load_result result = load_text("just some text\n");

	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:1:1: ");
	assert_message_has(result, "top level must be a mapping, not a scalar");
}

/* Duplicates */

Test(blueprint_reject, duplicate_top_level_key)
{
	struct load_result result = load_text("name: a\ndescription: d\nname: b\n");

	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:3:1: ");
	assert_message_has(result, "duplicate key \"name\" at top level");
}

Test(blueprint_reject, duplicate_product_key)
{
	struct load_result result = load_text(
		"name: x\n"
		"products:\n"
		"  - {sku: A, name: a, category: c, price_cents: 1}\n"
		"  - {sku: B, name: b, category: c, price_cents: 1}\n"
		"  - sku: C\n"
		"    name: c\n"
		"    sku: D\n");

	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:7:5: ");
	assert_message_has(result, "duplicate key \"sku\" in product 3");
}

Test(blueprint_reject, duplicate_page_key)
{
	struct load_result result = load_text(
		"name: x\npages:\n  - {slug: a, title: A, title: B}\n");

	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:3:25: ");
	assert_message_has(result, "duplicate key \"title\" in page 1");
}

Test(blueprint_reject, duplicate_setting_key)
{
	struct load_result result = load_text(
		"name: x\nsettings:\n  a: 1\n  b: 2\n  a: 3\n");

	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:5:3: ");
	assert_message_has(result, "duplicate key \"a\" in settings");
}

Test(blueprint_reject, duplicate_page_slug)
{
	struct load_result result = load_text(
		"name: x\n"
		"pages:\n"
		"  - {slug: home, title: A}\n"
		"  - {slug: about, title: B}\n"
		"  - {slug: home, title: C}\n");

	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:5:12: ");
	assert_message_has(result, "duplicate slug \"home\" in page 3, already used by page 1");
}

Test(blueprint_reject, duplicate_sku)
{
	struct load_result result = load_text(
		"name: x\n"
		"products:\n"
		"  - {sku: B, name: a, category: c, price_cents: 1}\n"
		"  - {sku: TEE-001, name: a, category: c, price_cents: 1}\n"
		"  - {sku: B, name: b, category: c, price_cents: 1}\n"
		"  - {sku: TEE-001, name: c, category: c, price_cents: 1}\n");

	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:5:11: ");
	assert_message_has(result, "duplicate SKU \"B\" in product 3, already used by product 1");
}

/* Numbers */

Test(blueprint_reject, negative_price)
{
	char *doc = price_doc("-5");
	struct load_result result = load_text(doc);

	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:6:18: ");
	assert_message_has(result, "\"price_cents\" in product 1 must not be negative: \"-5\"");
	free(doc);
}

Test(blueprint_reject, price_above_maximum)
{
	char *doc = price_doc("100000001");
	struct load_result result = load_text(doc);

	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:6:18: ");
	assert_message_has(result, "\"price_cents\" in product 1 is out of range: \"100000001\"");
	assert_message_has(result, "the maximum is 100000000");
	free(doc);
}

Test(blueprint_reject, stock_above_maximum)
{
	char *doc = format_doc("%s    price_cents: 1\n    stock: 1000000001\n",
			       product_head);
	struct load_result result = load_text(doc);

	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:7:12: ");
	assert_message_has(result, "\"stock\" in product 1 is out of range: \"1000000001\"");
	free(doc);
}

Test(blueprint_reject, price_with_decimal_point)
{
	char *doc = price_doc("12.5");
	struct load_result result = load_text(doc);

	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:6:18: ");
	assert_message_has(result, "\"price_cents\" in product 1 must be an integer of decimal digits only: \"12.5\"");
	free(doc);
}

Test(blueprint_reject, price_with_exponent)
{
	char *doc = price_doc("1e3");
	struct load_result result = load_text(doc);

	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:6:18: ");
	assert_message_has(result, "decimal digits only: \"1e3\"");
	free(doc);
}

Test(blueprint_reject, price_in_hexadecimal)
{
	char *doc = price_doc("0x10");
	struct load_result result = load_text(doc);

	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:6:18: ");
	assert_message_has(result, "decimal digits only: \"0x10\"");
	free(doc);
}

Test(blueprint_reject, price_with_plus_sign)
{
	char *doc = price_doc("+5");
	struct load_result result = load_text(doc);

	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:6:18: ");
	assert_message_has(result, "decimal digits only: \"+5\"");
	free(doc);
}

Test(blueprint_reject, price_with_underscore)
{
	char *doc = price_doc("1_000");
	struct load_result result = load_text(doc);

	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:6:18: ");
	assert_message_has(result, "decimal digits only: \"1_000\"");
	free(doc);
}

Test(blueprint_reject, price_overflow)
{
	char *doc = price_doc("99999999999999999999");
	struct load_result result = load_text(doc);

	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:6:18: ");
	assert_message_has(result, "out of range: \"99999999999999999999\"");
	free(doc);
}

Test(blueprint_reject, quoted_price)
{
	char *doc = price_doc("\"1999\"");
	struct load_result result = load_text(doc);

	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:6:18: ");
	assert_message_has(result, "\"price_cents\" in product 1 must be an unquoted integer: \"1999\"");
	free(doc);
}

Test(blueprint_reject, price_with_leading_zero)
{
	char *doc = price_doc("0755");
	struct load_result result = load_text(doc);

	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:6:18: ");
	assert_message_has(result, "must not have leading zeros: \"0755\"");
	free(doc);
}

Test(blueprint_reject, empty_price)
{
	char *doc = price_doc("");
	struct load_result result = load_text(doc);

	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:6:17: ");
	assert_message_has(result, "\"price_cents\" in product 1 must not be empty");
	free(doc);
}

/* Booleans */

Test(blueprint_reject, published_yes)
{
	struct load_result result = load_text(
		"name: x\npages:\n  - {slug: a, title: A, published: yes}\n");

	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:3:36: ");
	assert_message_has(result, "\"published\" in page 1 must be true or false, unquoted: \"yes\"");
}

Test(blueprint_reject, published_capitalized)
{
	struct load_result result = load_text(
		"name: x\npages:\n  - {slug: a, title: A, published: True}\n");

	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:3:36: ");
	assert_message_has(result, "must be true or false, unquoted: \"True\"");
}

Test(blueprint_reject, published_quoted)
{
	struct load_result result = load_text(
		"name: x\npages:\n  - {slug: a, title: A, published: \"true\"}\n");

	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:3:36: ");
	assert_message_has(result, "must be true or false, unquoted: \"true\"");
}

/* String limits and character sets */

Test(blueprint_reject, title_too_long)
{
	char *title = repeat_char('t', 201);
	char *doc = format_doc("name: x\npages:\n  - slug: a\n    title: %s\n",
			       title);
	struct load_result result = load_text(doc);

	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:4:12: ");
	assert_message_has(result, "\"title\" in page 1 is too long: 201 bytes, the maximum is 200");
	free(doc);
	free(title);
}

Test(blueprint_reject, multibyte_title_too_long)
{
	/* 101 two-byte characters are 202 bytes. */
	char title[203] = "";
	char *doc;
	struct load_result result;
	int i;

	for (i = 0; i < 101; i++)
		strcat(title, "\xc3\xa9");
	doc = format_doc("name: x\npages:\n  - {slug: a, title: %s}\n", title);
	result = load_text(doc);
	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:3:22: ");
	assert_message_has(result, "\"title\" in page 1 is too long: 202 bytes");
	free(doc);
}

Test(blueprint_reject, body_too_long)
{
	char *body = repeat_char('b', 65537);
	char *doc = format_doc("name: x\npages:\n  - slug: a\n    title: A\n    body: %s\n",
			       body);
	struct load_result result = load_text(doc);

	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:5:11: ");
	assert_message_has(result, "\"body\" in page 1 is too long: 65537 bytes, the maximum is 65536");
	free(doc);
	free(body);
}

Test(blueprint_reject, product_description_too_long)
{
	char *text = repeat_char('d', 4097);
	char *doc = format_doc("%s    price_cents: 1\n    description: %s\n",
			       product_head, text);
	struct load_result result = load_text(doc);

	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:7:18: ");
	assert_message_has(result, "\"description\" in product 1 is too long: 4097 bytes, the maximum is 4096");
	free(doc);
	free(text);
}

Test(blueprint_reject, category_too_long)
{
	char *text = repeat_char('c', 101);
	char *doc = format_doc(
		"name: x\nproducts:\n  - {sku: A, name: n, price_cents: 1, category: %s}\n",
		text);
	struct load_result result = load_text(doc);

	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:3:49: ");
	assert_message_has(result, "\"category\" in product 1 is too long: 101 bytes, the maximum is 100");
	free(doc);
	free(text);
}

Test(blueprint_reject, setting_value_too_long)
{
	char *text = repeat_char('v', 4097);
	char *doc = format_doc("name: x\nsettings:\n  store.note: %s\n", text);
	struct load_result result = load_text(doc);

	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:3:15: ");
	assert_message_has(result, "setting \"store.note\" is too long: 4097 bytes, the maximum is 4096");
	free(doc);
	free(text);
}

Test(blueprint_reject, sku_too_long)
{
	char *sku = repeat_char('A', 33);
	char *doc = format_doc(
		"name: x\nproducts:\n  - {sku: %s, name: n, category: c, price_cents: 1}\n",
		sku);
	struct load_result result = load_text(doc);

	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:3:11: ");
	assert_message_has(result, "\"sku\" in product 1 must be 1 to 32 characters from A-Z, 0-9 and \"-\"");
	assert_message_has(result, sku);
	free(doc);
	free(sku);
}

Test(blueprint_reject, lower_case_sku)
{
	struct load_result result = load_text(
		"name: x\nproducts:\n  - {sku: tee-1, name: n, category: c, price_cents: 1}\n");

	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:3:11: ");
	assert_message_has(result, "must be 1 to 32 characters from A-Z, 0-9 and \"-\": \"tee-1\"");
}

Test(blueprint_reject, invalid_blueprint_name)
{
	struct load_result result = load_text("name: My Store\n");

	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:1:7: ");
	assert_message_has(result, "\"name\" at top level must be 1 to 63 characters from a-z, 0-9, \"_\" and \"-\": \"My Store\"");
}

Test(blueprint_reject, invalid_slug)
{
	struct load_result result = load_text(
		"name: x\npages:\n  - {slug: ../etc, title: A}\n");

	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:3:12: ");
	assert_message_has(result, "\"slug\" in page 1 must be 1 to 63 characters from a-z, 0-9 and \"-\": \"../etc\"");
}

Test(blueprint_reject, invalid_setting_key)
{
	struct load_result result = load_text(
		"name: x\nsettings:\n  Store Currency: EUR\n");

	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:3:3: ");
	assert_message_has(result, "setting key must be 1 to 63 characters from a-z, 0-9, \"_\" and \".\": \"Store Currency\"");
}

Test(blueprint_reject, setting_key_too_long)
{
	char *key = repeat_char('k', 64);
	char *doc = format_doc("name: x\nsettings:\n  %s: v\n", key);
	struct load_result result = load_text(doc);

	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:3:3: ");
	assert_message_has(result, "setting key must be 1 to 63 characters");
	free(doc);
	free(key);
}

/* Empty and missing values */

Test(blueprint_reject, empty_sku)
{
	struct load_result result = load_text(
		"name: x\nproducts:\n  - {sku: \"\", name: n, category: c, price_cents: 1}\n");

	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:3:11: ");
	assert_message_has(result, "\"sku\" in product 1 must not be empty");
}

Test(blueprint_reject, blank_title)
{
	struct load_result result = load_text(
		"name: x\npages:\n  - {slug: a, title: \"   \"}\n");

	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:3:22: ");
	assert_message_has(result, "\"title\" in page 1 must not be empty");
}

Test(blueprint_reject, empty_name)
{
	struct load_result result = load_text("name:\ndescription: d\n");

	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:1:6: ");
	assert_message_has(result, "\"name\" at top level must not be empty");
}

Test(blueprint_reject, missing_name)
{
	struct load_result result = load_text("# comment\ndescription: no name\n");

	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:2:1: ");
	assert_message_has(result, "missing required key \"name\" at top level");
}

Test(blueprint_reject, missing_price)
{
	struct load_result result = load_text(product_head);

	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:3:5: ");
	assert_message_has(result, "missing required key \"price_cents\" in product 1");
}

Test(blueprint_reject, missing_page_title)
{
	struct load_result result = load_text(
		"name: x\npages:\n  - {slug: a, title: A}\n  - slug: b\n    body: text\n");

	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:4:5: ");
	assert_message_has(result, "missing required key \"title\" in page 2");
}

/* Encoding and control characters */

Test(blueprint_reject, invalid_utf8_byte)
{
	struct load_result result = load_text("name: x\ndescription: \"caf\xff\"\n");

	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:2:18: ");
	assert_message_has(result, "invalid leading UTF-8 octet (0xFF)");
}

Test(blueprint_reject, overlong_utf8)
{
	struct load_result result = load_text("name: x\ndescription: \"\xc3\xa9 \xc0\xaf\"\n");

	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:2:17: ");
	assert_message_has(result, "invalid input: ");
	assert_message_has(result, "UTF-8");
}

Test(blueprint_reject, truncated_utf8)
{
	struct load_result result = load_text("name: x\ndescription: ab\xe2\x82");

	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:2:16: ");
	assert_message_has(result, "incomplete UTF-8 octet sequence");
}

Test(blueprint_reject, utf16_surrogate)
{
	/* U+D800 encoded as if it were a character: ED A0 80. */
	struct load_result result = load_text("name: x\ndescription: \xed\xa0\x80\n");

	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:2:14: ");
	assert_message_has(result, "invalid input: ");
}

Test(blueprint_reject, raw_control_character)
{
	struct load_result result = load_text("name: x\ndescription: a\x01z\n");

	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:2:15: ");
	assert_message_has(result, "control characters are not allowed (0x1)");
}

Test(blueprint_reject, nul_byte_in_file)
{
	static const char doc[] = "name: x\ndescription: a\0z\n";
	struct load_result result = load_bytes(doc, sizeof(doc) - 1);

	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:2:15: ");
	assert_message_has(result, "control characters are not allowed");
}

Test(blueprint_reject, escaped_bell_in_title)
{
	struct load_result result = load_text(
		"name: x\npages:\n  - slug: a\n    title: \"Bad\\atitle\"\n");

	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:4:12: ");
	assert_message_has(result, "\"title\" in page 1 contains control character U+0007");
	assert_message_has(result, "\"Bad?title\"");
}

Test(blueprint_reject, escaped_nul_in_product_name)
{
	struct load_result result = load_text(
		"name: x\nproducts:\n  - {sku: A, name: \"Tee\\0x\", category: c, price_cents: 1}\n");

	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:3:20: ");
	assert_message_has(result, "\"name\" in product 1 contains control character U+0000");
}

Test(blueprint_reject, escaped_c1_control_in_category)
{
	struct load_result result = load_text(
		"name: x\nproducts:\n  - {sku: A, name: n, category: \"a\\x9bb\", price_cents: 1}\n");

	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:3:33: ");
	assert_message_has(result, "\"category\" in product 1 contains control character U+009B");
	assert_message_has(result, "\"a?b\"");
}

Test(blueprint_reject, newline_in_title)
{
	struct load_result result = load_text(
		"name: x\npages:\n  - {slug: a, title: \"one\\ntwo\"}\n");

	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:3:22: ");
	assert_message_has(result, "\"title\" in page 1 contains control character U+000A");
}

Test(blueprint_reject, escape_in_body)
{
	struct load_result result = load_text(
		"name: x\npages:\n  - {slug: a, title: A, body: \"tab\\tok\\e[31m red\"}\n");

	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:3:31: ");
	assert_message_has(result, "\"body\" in page 1 contains control character U+001B");
}

/* Hostile YAML */

Test(blueprint_reject, billion_laughs, .timeout = 10)
{
	struct load_result result = load_text(
		"name: laughs\n"
		"products: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
		"pages: &l1 [*l0, *l0, *l0, *l0, *l0, *l0, *l0, *l0, *l0]\n"
		"settings: &l2 [*l1, *l1, *l1, *l1, *l1, *l1, *l1, *l1, *l1]\n"
		"description: &l3 [*l2, *l2, *l2, *l2, *l2, *l2, *l2, *l2, *l2]\n");

	cr_assert_eq(result.status, APEX_INVALID);
	cr_assert_null(result.bp);
	assert_message_starts(result, "test.yaml:2:11: ");
	assert_message_has(result, "anchor \"&l0\" is not allowed");
}

Test(blueprint_reject, alias_without_anchor)
{
	struct load_result result = load_text("name: x\ndescription: *text\n");

	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:2:14: ");
	assert_message_has(result, "alias \"*text\" is not allowed");
}

Test(blueprint_reject, anchor_on_key)
{
	struct load_result result = load_text("&k name: x\n");

	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:1:1: ");
	assert_message_has(result, "anchor \"&k\" is not allowed");
}

Test(blueprint_reject, python_object_tag)
{
	struct load_result result = load_text(
		"name: x\ndescription: !!python/object/apply:os.system [\"true\"]\n");

	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:2:14: ");
	assert_message_has(result, "tag \"tag:yaml.org,2002:python/object/apply:os.system\" is not allowed");
}

Test(blueprint_reject, binary_tag)
{
	struct load_result result = load_text("name: x\ndescription: !!binary aGVsbG8=\n");

	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:2:14: ");
	assert_message_has(result, "tag \"tag:yaml.org,2002:binary\" is not allowed");
}

Test(blueprint_reject, local_tag_on_mapping)
{
	struct load_result result = load_text("name: x\nsettings: !custom {a: b}\n");

	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:2:11: ");
	assert_message_has(result, "tag \"!custom\" is not allowed");
}

Test(blueprint_reject, tag_directive)
{
	struct load_result result = load_text(
		"%TAG !e! tag:example.com,2024:\n---\nname: x\n");

	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:1:1: ");
	assert_message_has(result, "%TAG directives are not allowed");
}

Test(blueprint_reject, two_documents)
{
	struct load_result result = load_text("name: a\n---\nname: b\n");

	cr_assert_eq(result.status, APEX_INVALID);
	cr_assert_null(result.bp);
	assert_message_starts(result, "test.yaml:2:1: ");
	assert_message_has(result, "more than one document is not allowed");
}

Test(blueprint_reject, empty_second_document)
{
	struct load_result result = load_text("---\nname: a\n...\n---\n");

	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:4:1: ");
	assert_message_has(result, "more than one document is not allowed");
}

Test(blueprint_reject, deep_flow_nesting, .timeout = 10)
{
	size_t depth = 1000000;
	char *open = repeat_char('[', depth);
	char *close = repeat_char(']', depth);
	char *doc = format_doc("name: x\nproducts: %s%s\n", open, close);
	struct load_result result = load_text(doc);

	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:2:12: ");
	assert_message_has(result, "product 1 must be a mapping, not a sequence");
	free(doc);
	free(close);
	free(open);
}

Test(blueprint_reject, deep_block_nesting, .timeout = 10)
{
	char *doc = NULL;
	size_t len = 0, i;
	FILE *out = open_memstream(&doc, &len);
	struct load_result result;

	cr_assert_not_null(out);
	fputs("name: x\nsettings:\n", out);
	for (i = 1; i <= 500; i++)
		fprintf(out, "%*sk:\n", (int)(2 * i), "");
	fclose(out);
	result = load_text(doc);
	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:4:5: ");
	assert_message_has(result, "setting \"k\" must be a scalar, not a mapping");
	free(doc);
}

Test(blueprint_reject, invalid_yaml_syntax)
{
	struct load_result result = load_text("name: x\ndescription: \"open\n");

	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:3:1: ");
	assert_message_has(result, "invalid YAML: found unexpected end of stream");
	assert_message_has(result, "line 2, column 14");
}

/* Counts and sizes */

Test(blueprint_reject, too_many_products, .timeout = 30)
{
	char *doc = products_doc(BLUEPRINT_MAX_PRODUCTS + 1);
	struct load_result result = load_text(doc);

	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:10003:5: ");
	assert_message_has(result, "too many products, the maximum is 10000");
	free(doc);
}

Test(blueprint_accept, maximum_products, .timeout = 30)
{
	char *doc = products_doc(BLUEPRINT_MAX_PRODUCTS);
	struct load_result result = load_text(doc);

	cr_assert_eq(result.status, APEX_OK, "%s", result.err.message);
	cr_assert_eq(result.bp->n_products, BLUEPRINT_MAX_PRODUCTS);
	cr_assert_str_eq(result.bp->products[9999].sku, "P9999");
	blueprint_free(result.bp);
	free(doc);
}

Test(blueprint_reject, too_many_pages, .timeout = 30)
{
	char *doc = NULL;
	size_t len = 0, i;
	FILE *out = open_memstream(&doc, &len);
	struct load_result result;

	cr_assert_not_null(out);
	fputs("name: x\npages:\n", out);
	for (i = 0; i <= BLUEPRINT_MAX_PAGES; i++)
		fprintf(out, "  - {slug: p%zu, title: T}\n", i);
	fclose(out);
	result = load_text(doc);
	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:1003:5: ");
	assert_message_has(result, "too many pages, the maximum is 1000");
	free(doc);
}

Test(blueprint_reject, too_many_settings, .timeout = 30)
{
	char *doc = NULL;
	size_t len = 0, i;
	FILE *out = open_memstream(&doc, &len);
	struct load_result result;

	cr_assert_not_null(out);
	fputs("name: x\nsettings:\n", out);
	for (i = 0; i <= BLUEPRINT_MAX_SETTINGS; i++)
		fprintf(out, "  key%zu: v\n", i);
	fclose(out);
	result = load_text(doc);
	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:1003:3: ");
	assert_message_has(result, "too many settings, the maximum is 1000");
	free(doc);
}

Test(blueprint_reject, empty_buffer)
{
	struct load_result result = load_bytes("", 0);

	cr_assert_eq(result.status, APEX_INVALID);
	cr_assert_null(result.bp);
	assert_message_starts(result, "test.yaml:1:1: ");
	assert_message_has(result, "blueprint is empty");
}

Test(blueprint_reject, comments_only)
{
	struct load_result result = load_text("# nothing\n\n# here\n");

	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:4:1: ");
	assert_message_has(result, "blueprint is empty");
}

Test(blueprint_reject, buffer_too_large)
{
	size_t size = BLUEPRINT_MAX_FILE_BYTES + 1;
	char *data = repeat_char('#', size);
	struct load_result result = load_bytes(data, size);

	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, "test.yaml:1:1: ");
	assert_message_has(result, "file is larger than the maximum of 4194304 bytes");
	free(data);
}

/* Files */

Test(blueprint_file, error_names_the_file)
{
	static const char doc[] = "name: x\nproducts: {}\n";
	char path[64], prefix[128];
	struct load_result result;

	write_temp(path, doc, strlen(doc));
	result = load_path(path);
	unlink(path);
	snprintf(prefix, sizeof(prefix), "%s:2:11: ", path);
	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_starts(result, prefix);
	assert_message_has(result, "\"products\" must be a sequence, not a mapping");
}

Test(blueprint_file, five_megabytes, .timeout = 10)
{
	size_t size = 5 * 1024 * 1024;
	char *data = repeat_char('#', size);
	char path[64], prefix[128];
	struct load_result result;

	memcpy(data, "name: big\n", 10);
	write_temp(path, data, size);
	result = load_path(path);
	unlink(path);
	snprintf(prefix, sizeof(prefix), "%s:1:1: ", path);
	cr_assert_eq(result.status, APEX_INVALID);
	cr_assert_null(result.bp);
	assert_message_starts(result, prefix);
	assert_message_has(result, "file is larger than the maximum of 4194304 bytes");
	free(data);
}

Test(blueprint_file, dev_zero_fails_fast, .timeout = 10)
{
	struct load_result result;
	struct timespec start, end;

	clock_gettime(CLOCK_MONOTONIC, &start);
	result = load_path("/dev/zero");
	clock_gettime(CLOCK_MONOTONIC, &end);
	cr_assert_eq(result.status, APEX_INVALID);
	cr_assert_null(result.bp);
	assert_message_starts(result, "/dev/zero:1:1: ");
	assert_message_has(result, "file is larger than the maximum of 4194304 bytes");
	cr_assert_lt(end.tv_sec - start.tv_sec, 5);
}

Test(blueprint_file, fifo_without_writer, .timeout = 10)
{
	char dir[] = "/tmp/apex-blueprint-fifo-XXXXXX";
	char path[128];
	struct load_result result;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/pipe.yaml", dir);
	cr_assert_eq(mkfifo(path, 0600), 0, "mkfifo: %s", strerror(errno));
	result = load_path(path);
	unlink(path);
	rmdir(dir);
	cr_assert_eq(result.status, APEX_INVALID);
	assert_message_has(result, "pipe.yaml:1:1: blueprint is empty");
}

Test(blueprint_file, nonexistent_path)
{
	struct load_result result = load_path("/nonexistent/apex/blueprint.yaml");
	char expected[256];

	snprintf(expected, sizeof(expected),
		 "could not open file \"/nonexistent/apex/blueprint.yaml\": %s",
		 strerror(ENOENT));
	cr_assert_eq(result.status, APEX_FAILED);
	cr_assert_null(result.bp);
	cr_assert_str_eq(result.err.message, expected);
}

Test(blueprint_file, directory_path)
{
	struct load_result result = load_path("/tmp");
	char expected[256];

	snprintf(expected, sizeof(expected),
		 "could not read file \"/tmp\": %s", strerror(EISDIR));
	cr_assert_eq(result.status, APEX_FAILED);
	cr_assert_null(result.bp);
	cr_assert_str_eq(result.err.message, expected);
}

/* Loading by name */

Test(blueprint_named, unknown_name_lists_blueprints)
{
	char dir[] = "/tmp/apex-blueprint-dir-XXXXXX";
	char cmd[128];
	blueprint *bp = NULL;
	apex_error err = { 0 };
	apex_status status;

	cr_assert_not_null(mkdtemp(dir));
	write_file(dir, "zeta.yaml", "name: zeta\n");
	write_file(dir, "alpha.yaml", "name: alpha\n");
	write_file(dir, "notes.txt", "not a blueprint\n");
	write_file(dir, "Bad Name.yaml", "name: bad\n");
	status = blueprint_load_named(dir, "missing", &bp, &err);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
	cr_assert_eq(status, APEX_INVALID);
	cr_assert_null(bp);
	cr_assert_str_eq(err.message, "unknown blueprint \"missing\"");
	cr_assert_str_eq(err.hint, "Available blueprints: alpha, zeta.");
}

Test(blueprint_named, missing_directory)
{
	blueprint *bp = NULL;
	apex_error err = { 0 };

	cr_assert_eq(blueprint_load_named("/nonexistent/apex", "standard", &bp,
					  &err), APEX_INVALID);
	cr_assert_str_eq(err.message, "unknown blueprint \"standard\"");
	cr_assert(strstr(err.hint, "/nonexistent/apex") != NULL, "%s", err.hint);
}

Test(blueprint_named, name_must_match_file)
{
	char dir[] = "/tmp/apex-blueprint-dir-XXXXXX";
	char cmd[128], prefix[128];
	struct load_result result;

	memset(&result, 0, sizeof(result));
	cr_assert_not_null(mkdtemp(dir));
	write_file(dir, "shop.yaml", "# renamed\nname: other\n");
	result.status = blueprint_load_named(dir, "shop", &result.bp, &result.err);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
	snprintf(prefix, sizeof(prefix), "%s/shop.yaml:2:7: ", dir);
	cr_assert_eq(result.status, APEX_INVALID);
	cr_assert_null(result.bp);
	assert_message_starts(result, prefix);
	assert_message_has(result, "blueprint name \"other\" does not match file name \"shop.yaml\"");
}

Test(blueprint_named, path_in_name_rejected)
{
	blueprint *bp = NULL;
	apex_error err = { 0 };

	cr_assert_eq(blueprint_load_named(shipped_dir(), "../blueprints/standard",
					  &bp, &err), APEX_INVALID);
	cr_assert_null(bp);
	cr_assert(strstr(err.message, "invalid blueprint name \"../blueprints/standard\"") != NULL,
		  "%s", err.message);
}
