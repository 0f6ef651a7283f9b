/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-strict-yaml.c - the strict YAML reader shared by dsp/ and
 * entitlement-policy/ (yaml/strict-yaml.h), alone: loading faults,
 * mappings, the visit-once rule, scalar lexing, each fault with its exact
 * "file:line:column: message".
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "yaml/strict-yaml.h"

static struct syaml y;
static char err[512];

static int load_opts(const char *text, const struct syaml_opts *o)
{
	memset(&y, 0, sizeof(y));
	err[0] = 'x';
	err[1] = '\0';
	y.file = "t.yml";
	y.err = err;
	y.errlen = sizeof(err);
	return syaml_load(&y, text, strlen(text), o);
}

static int load(const char *text)
{
	return load_opts(text, NULL);
}

static void teardown(void)
{
	syaml_release(&y);
}

#define ck_err(want) ck_assert_str_eq(err, want)

static const char *const ab_keys[] = { "a", "b" };

/* walks the root mapping against keys a and b */
static int walk(const char *text, bool take, const char *what, yaml_node_t **v)
{
	struct syaml_keys spec = {
		.what = what, .keys = ab_keys, .n_keys = 2, .take = take,
	};
	yaml_node_t *root;
	int ret = load(text);

	if (ret < 0)
		return ret;
	if (take) {
		ret = syaml_take(&y, 1, &root);
		if (ret < 0)
			return ret;
	} else {
		root = syaml_root(&y);
	}
	return syaml_map(&y, root, &spec, v, NULL);
}

/* ---- loading ---- */

START_TEST(test_syntax)
{
	ck_assert_int_eq(load("a: [1, 2\nb: 3\n"), -EINVAL);
	ck_err("t.yml:2:2: YAML syntax error: did not find expected ',' or ']' while parsing a flow sequence");
	syaml_release(&y);
	ck_assert_int_eq(load_opts("a: {b: c: d}\n", &(struct syaml_opts){ .syntax_word = "YAML" }), -EINVAL);
	ck_err("t.yml:1:9: YAML: did not find expected ',' or '}' while parsing a flow mapping");
}
END_TEST

START_TEST(test_tabs)
{
	ck_assert_int_eq(load("a:\n  b: 1\n\tc: 2\n"), -EINVAL);
	ck_err("t.yml:3:1: YAML syntax error: found a tab character that violates indentation while scanning a plain scalar");
}
END_TEST

START_TEST(test_bad_utf8)
{
	ck_assert_int_eq(load("a: 1\nbb: x\xff\n"), -EINVAL);
	ck_err("t.yml:2:6: YAML syntax error: invalid leading UTF-8 octet");
	syaml_release(&y);
	/* columns count characters, not bytes */
	ck_assert_int_eq(load("a: \xc3\xa9\xc3\xa9\xc3\n"), -EINVAL);
	ck_err("t.yml:1:7: YAML syntax error: invalid trailing UTF-8 octet");
	syaml_release(&y);
	ck_assert_int_eq(load("a: \xc3\xa9\xc3"), -EINVAL);
	ck_err("t.yml:1:5: YAML syntax error: incomplete UTF-8 octet sequence");
	syaml_release(&y);
	ck_assert_int_eq(load("a: 1\x01\n"), -EINVAL);
	ck_err("t.yml:1:5: YAML syntax error: control characters are not allowed");
}
END_TEST

START_TEST(test_one_document)
{
	const struct syaml_opts one = { .one_document = "one document, please" };

	ck_assert_int_eq(load_opts("a: 1\n---\nb: 2\n", &one), -EINVAL);
	ck_err("t.yml:3:1: one document, please");
	syaml_release(&y);
	ck_assert_int_eq(load("a: 1\n---\nb: 2\n"), 0);	/* not asked: the first */
	ck_assert_int_eq(syaml_root(&y)->type, YAML_MAPPING_NODE);
	syaml_release(&y);
	ck_assert_int_eq(load_opts("a: 1\n---\nb: [\n", &one), -EINVAL);
	ck_err("t.yml:4:1: YAML syntax error: did not find expected node content while parsing a flow node");
}
END_TEST

START_TEST(test_empty_and_limit)
{
	ck_assert_int_eq(load(""), 0);
	ck_assert_ptr_null(syaml_root(&y));
	ck_err("");
	syaml_release(&y);
	ck_assert_int_eq(load_opts("a: 1\n", &(struct syaml_opts){ .max_bytes = 4 }), -EINVAL);
	ck_err("t.yml:1:1: larger than 4 bytes");
}
END_TEST

/* ---- mappings ---- */

START_TEST(test_map)
{
	yaml_node_t *v[2];

	ck_assert_int_eq(walk("b: 2\na: 1\n", false, "the test", v), 0);
	ck_assert_str_eq(syaml_str(v[0]), "1");
	ck_assert_str_eq(syaml_str(v[1]), "2");
	syaml_release(&y);
	ck_assert_int_eq(walk("a: 1\n", true, "the test", v), 0);
	ck_assert_ptr_null(v[1]);
}
END_TEST

START_TEST(test_duplicate_key)
{
	yaml_node_t *v[2];

	ck_assert_int_eq(walk("a: 1\nb: 2\na: 3\n", false, "the test", v), -EINVAL);
	ck_err("t.yml:3:1: duplicate key 'a' in the test");
	syaml_release(&y);
	ck_assert_int_eq(walk("{b: 1, b: 2}\n", true, NULL, v), -EINVAL);
	ck_err("t.yml:1:8: duplicate key 'b'");
}
END_TEST

START_TEST(test_unknown_key)
{
	yaml_node_t *v[2];

	ck_assert_int_eq(walk("a: 1\nc: 2\n", true, "the test", v), -EINVAL);
	ck_err("t.yml:2:1: unknown key 'c' in the test");
	syaml_release(&y);
	ck_assert_int_eq(walk("[1, 2]\n", true, "the test", v), -EINVAL);
	ck_err("t.yml:1:1: the test must be a mapping, not a list");
}
END_TEST

static int say_unknown(struct syaml *yy, const yaml_node_t *k,
		       const struct syaml_keys *spec, void *arg)
{
	return syaml_fail(yy, k, "%s '%s' (%zu known)", (const char *)arg,
			  syaml_str(k), spec->n_keys);
}

START_TEST(test_unknown_hook_and_skip)
{
	static const char *const skip[] = { "s", NULL };
	struct syaml_keys spec = {
		.keys = ab_keys, .n_keys = 2, .skip = skip,
		.unknown = say_unknown, .arg = "no field",
	};
	yaml_node_t *v[2];

	ck_assert_int_eq(load("s: 0\nb: 1\nzz: 2\n"), 0);
	y.ctx = "filter 'f'";
	ck_assert_int_eq(syaml_map(&y, syaml_root(&y), &spec, v, NULL), -EINVAL);
	ck_err("t.yml:3:1: filter 'f': no field 'zz' (2 known)");
}
END_TEST

START_TEST(test_non_string_key)
{
	yaml_node_t *v[2];

	ck_assert_int_eq(walk("? [1]\n: 2\n", true, "the test", v), -EINVAL);
	ck_err("t.yml:1:3: keys in the test must be strings, not a list");
}
END_TEST

START_TEST(test_aliases)
{
	yaml_node_t *v[2], *root, *item;

	/* an alias is the anchored node again: the second take fails */
	ck_assert_int_eq(walk("a: &x 1\nb: *x\n", true, "the test", v), -EINVAL);
	ck_err("t.yml:1:4: YAML aliases are not supported");
	syaml_release(&y);
	ck_assert_int_eq(load("&x [*x]\n"), 0);
	ck_assert_int_eq(syaml_take(&y, 1, &root), 0);
	ck_assert_int_eq(syaml_take(&y, root->data.sequence.items.start[0], &item), -EINVAL);
	ck_err("t.yml:1:1: YAML aliases are not supported");
	syaml_release(&y);
	/* without take, an alias reads as its target (dsp.yml keeps them) */
	ck_assert_int_eq(walk("a: &x 1\nb: *x\n", false, "the test", v), 0);
	ck_assert_ptr_eq(v[0], v[1]);
}
END_TEST

START_TEST(test_get_and_null)
{
	yaml_node_t *root;

	ck_assert_int_eq(load("a: ~\nb: null\nc: ''\nd:\ne: x\n"), 0);
	root = syaml_root(&y);
	ck_assert_ptr_null(syaml_get(&y, root, "a"));
	ck_assert_ptr_null(syaml_get(&y, root, "b"));
	ck_assert_ptr_nonnull(syaml_get(&y, root, "c"));	/* quoted: a string */
	ck_assert_ptr_null(syaml_get(&y, root, "d"));
	ck_assert_str_eq(syaml_str(syaml_get(&y, root, "e")), "x");
	ck_assert_ptr_null(syaml_get(&y, root, "f"));
}
END_TEST

/* ---- scalars ---- */

/* the value of key v in a one-line mapping */
static yaml_node_t *scalar(const char *text)
{
	syaml_release(&y);
	ck_assert_int_eq(load(text), 0);
	return syaml_get(&y, syaml_root(&y), "v");
}

START_TEST(test_scalars)
{
	long long ll;
	unsigned u;
	double d;
	bool b;

	ck_assert_int_eq(syaml_double(scalar("v: -1.5e3\n"), &d), 0);
	ck_assert(d == -1500.0);
	ck_assert_int_eq(syaml_double(scalar("v: '1'\n"), &d), -EINVAL);
	ck_assert_int_eq(syaml_double(scalar("v: 0x10\n"), &d), -EINVAL);
	ck_assert_int_eq(syaml_double(scalar("v: .inf\n"), &d), -EINVAL);
	ck_assert_int_eq(syaml_double(scalar("v: nan\n"), &d), -EINVAL);
	ck_assert_int_eq(syaml_double(scalar("v: 1e999\n"), &d), -ERANGE);
	ck_assert_int_eq(syaml_double(scalar("v: [1]\n"), &d), -EINVAL);

	ck_assert_int_eq(syaml_uint(scalar("v: 48000\n"), &u), 0);
	ck_assert_uint_eq(u, 48000);
	ck_assert_int_eq(syaml_uint(scalar("v: -1\n"), &u), -EINVAL);
	ck_assert_int_eq(syaml_uint(scalar("v: +1\n"), &u), -EINVAL);
	ck_assert_int_eq(syaml_uint(scalar("v: 2147483648\n"), &u), -ERANGE);
	ck_assert_int_eq(syaml_uint(scalar("v: {a: 1}\n"), &u), -EINVAL);

	ck_assert_int_eq(syaml_int(scalar("v: 0x0d8c\n"), 0, 0xffff, &ll), 0);
	ck_assert_int_eq(ll, 0x0d8c);
	ck_assert_int_eq(syaml_int(scalar("v: -7\n"), -10, 10, &ll), 0);
	ck_assert_int_eq(ll, -7);
	ck_assert_int_eq(syaml_int(scalar("v: 256\n"), 0, 255, &ll), -ERANGE);
	ck_assert_int_eq(syaml_int(scalar("v: 0x\n"), 0, 255, &ll), -EINVAL);
	ck_assert_int_eq(syaml_int(scalar("v: +1\n"), 0, 255, &ll), -EINVAL);
	ck_assert_int_eq(syaml_int(scalar("v: \"1\"\n"), 0, 255, &ll), -EINVAL);

	ck_assert_int_eq(syaml_bool(scalar("v: true\n"), 0, &b), 0);
	ck_assert(b);
	ck_assert_int_eq(syaml_bool(scalar("v: FALSE\n"), 0, &b), -EINVAL);
	ck_assert_int_eq(syaml_bool(scalar("v: FALSE\n"), SYAML_BOOL_CASES, &b), 0);
	ck_assert(!b);
	ck_assert_int_eq(syaml_bool(scalar("v: yes\n"), SYAML_BOOL_CASES, &b), -EINVAL);
	ck_assert_int_eq(syaml_bool(scalar("v: 'true'\n"), 0, &b), -EINVAL);
}
END_TEST

START_TEST(test_fail_positions)
{
	yaml_node_t *n = scalar("x: 1\nv:   [1, 2]\n");

	ck_assert_str_eq(syaml_kind(n), "a list");
	ck_assert_int_eq(syaml_fail(&y, n, "'%s' must be %s, not %s", "v", "a scalar",
				    syaml_kind(n)), -EINVAL);
	ck_err("t.yml:2:6: 'v' must be a scalar, not a list");
	ck_assert_int_eq(syaml_fail(&y, NULL, "at the start"), -EINVAL);
	ck_err("t.yml:1:1: at the start");
	y.file = NULL;
	ck_assert_int_eq(syaml_fail(&y, n, "no name"), -EINVAL);
	ck_err("<memory>:2:6: no name");
	/* a short buffer truncates, never overflows */
	y.errlen = 8;
	ck_assert_int_eq(syaml_fail(&y, n, "long message"), -EINVAL);
	ck_assert_uint_le(strlen(err), 7);
}
END_TEST

static Suite *yaml_suite(void)
{
	Suite *s = suite_create("strict-yaml");
	TCase *tc = tcase_create("reader");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_syntax);
	tcase_add_test(tc, test_tabs);
	tcase_add_test(tc, test_bad_utf8);
	tcase_add_test(tc, test_one_document);
	tcase_add_test(tc, test_empty_and_limit);
	tcase_add_test(tc, test_map);
	tcase_add_test(tc, test_duplicate_key);
	tcase_add_test(tc, test_unknown_key);
	tcase_add_test(tc, test_unknown_hook_and_skip);
	tcase_add_test(tc, test_non_string_key);
	tcase_add_test(tc, test_aliases);
	tcase_add_test(tc, test_get_and_null);
	tcase_add_test(tc, test_scalars);
	tcase_add_test(tc, test_fail_positions);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(yaml_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
