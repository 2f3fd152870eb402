/*
 * test-sigma-cond: the Sigma condition parser: precedence (or < and < not < x of < parens),
 * the specification's examples, 1/all/N of patterns and them (without '_' identifiers),
 * unknown identifiers and empty patterns, syntax errors with offsets, limits, glob matching.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sigma-cond.h"

static const char *const names[] = {
    "selection", "selection_img", "selection_cli", "filter_main", "filter_optional", "keywords", "_aux", "a", "b", "c",
};
#define NNAMES 10

/* Parses text and compares its fully parenthesized form with want. */
static void ok(const char *text, const char *want)
{
    vg_sigma_cond c;
    vg_error err;
    vg_error_clear(&err);
    vg_rc rc = vg_sigma_cond_parse(&c, text, strlen(text), names, NNAMES, &err);
    if (rc != VG_OK)
        fail_msg("'%s': %s", text, err.msg);
    char buf[1024];
    vg_sigma_cond_format(&c, names, buf, sizeof buf);
    if (strcmp(buf, want) != 0)
        fail_msg("'%s' parsed as '%s', want '%s'", text, buf, want);
    vg_sigma_cond_free(&c);
}

static void bad(const char *text, vg_rc want_rc, const char *want_msg, size_t want_off)
{
    vg_sigma_cond c;
    vg_error err;
    vg_error_clear(&err);
    vg_rc rc = vg_sigma_cond_parse(&c, text, strlen(text), names, NNAMES, &err);
    if (rc != want_rc || strcmp(err.msg, want_msg) != 0 || err.offset != want_off)
        fail_msg("'%s': got %s '%s' at %zu, want %s '%s' at %zu", text, vg_rc_str(rc), err.msg, err.offset,
                 vg_rc_str(want_rc), want_msg, want_off);
}

static void test_precedence(void **state)
{
    (void)state;
    ok("a or b and not c", "(a or (b and not c))");
    ok("a and b or c", "((a and b) or c)");
    ok("not a and b", "(not a and b)");
    ok("not a or not b and c", "(not a or (not b and c))");
    ok("a and (b or c)", "(a and (b or c))");
    ok("a or b or c", "((a or b) or c)");
    ok("a and b and c", "((a and b) and c)");
    ok("not not a", "not not a");
    ok("((a))", "a");
    ok("not 1 of selection* and a", "(not 1 of [selection selection_img selection_cli] and a)");
    ok("(a or b)and(c)", "((a or b) and c)");
    ok("  a\n and\tb ", "(a and b)");
}

static void test_spec_examples(void **state)
{
    (void)state;
    ok("keywords or a", "(keywords or a)");
    ok("all of selection*", "all of [selection selection_img selection_cli]");
    ok("1 of selection* and keywords", "(1 of [selection selection_img selection_cli] and keywords)");
    ok("1 of selection* and not 1 of filter*",
       "(1 of [selection selection_img selection_cli] and not 1 of [filter_main filter_optional])");
    ok("keywords and not filter_main", "(keywords and not filter_main)");
    ok("selection and (keywords or a)", "(selection and (keywords or a))");
    ok("selection_img and not 1 of filter_*", "(selection_img and not 1 of [filter_main filter_optional])");
}

static void test_them_and_patterns(void **state)
{
    (void)state;
    /* them leaves out identifiers starting with '_' */
    ok("1 of them", "1 of [selection selection_img selection_cli filter_main filter_optional keywords a b c]");
    ok("all of them", "all of [selection selection_img selection_cli filter_main filter_optional keywords a b c]");
    /* an explicit pattern may name them */
    ok("1 of _*", "1 of [_aux]");
    ok("all of *_img", "all of [selection_img]");
    ok("1 of sel*tion*", "1 of [selection selection_img selection_cli]");
    ok("1 of a", "1 of [a]");
    ok("any of filter*", "1 of [filter_main filter_optional]");
    /* N of: at least N (an extension of the specification's 1 / all) */
    ok("2 of selection*", "2 of [selection selection_img selection_cli]");
    ok("3 of selection*", "3 of [selection selection_img selection_cli]");
}

static void test_of_node(void **state)
{
    (void)state;
    vg_sigma_cond c;
    vg_error err;
    assert_int_equal(vg_sigma_cond_parse(&c, "all of filter*", 14, names, NNAMES, &err), VG_OK);
    const vg_sigma_cnode *n = &c.nodes[c.root];
    assert_int_equal(n->kind, VG_SIGMA_C_OF);
    assert_int_equal(n->b, 2);
    assert_int_equal(n->need, 2);
    assert_int_equal(n->all, 1);
    assert_int_equal(c.ids[n->a], 3);
    assert_int_equal(c.ids[n->a + 1], 4);
    vg_sigma_cond_free(&c);
    assert_int_equal(vg_sigma_cond_parse(&c, "1 of them", 9, names, NNAMES, &err), VG_OK);
    assert_int_equal(c.nodes[c.root].them, 1);
    assert_int_equal(c.nodes[c.root].need, 1);
    vg_sigma_cond_free(&c);
}

static void test_errors(void **state)
{
    (void)state;
    bad("a and x", VG_ERR_NOTFOUND, "unknown search identifier 'x'", 6);
    bad("1 of nothing*", VG_ERR_NOTFOUND, "pattern 'nothing*' matches no search identifier", 5);
    bad("4 of selection*", VG_ERR_PARSE, "'4 of' can never be true: the pattern matches fewer identifiers", 0);
    bad("0 of selection*", VG_ERR_PARSE, "quantifier '0' must be 1, all, or a count from 1", 0);
    bad("selection*", VG_ERR_PARSE, "wildcard 'selection*' is only allowed after '1 of' or 'all of'", 0);
    bad("a and", VG_ERR_PARSE, "expected an identifier, 'x of', 'not' or '(', found the end of the condition", 5);
    bad("a b", VG_ERR_PARSE, "expected 'and', 'or' or the end of the condition, found 'b'", 2);
    bad("(a or b", VG_ERR_PARSE, "parenthesis '(' is never closed", 0);
    bad("a or b)", VG_ERR_PARSE, "unbalanced ')'", 6);
    bad("", VG_ERR_PARSE, "condition is empty", 0);
    bad("   ", VG_ERR_PARSE, "condition is empty", 0);
    bad("1 selection", VG_ERR_PARSE, "expected 'of' after a quantifier, found 'selection'", 2);
    bad("all of", VG_ERR_PARSE, "expected 'them' or an identifier pattern after 'of', found the end of the condition",
        6);
    bad("a and or b", VG_ERR_PARSE, "expected an identifier, 'x of', 'not' or '(', found 'or'", 6);
    bad("A AND b", VG_ERR_NOTFOUND, "unknown search identifier 'A'", 0);
    bad("a | count() > 5", VG_ERR_PARSE, "expected 'and', 'or' or the end of the condition, found '|'", 2);
}

static void test_underscore_only(void **state)
{
    (void)state;
    const char *const only[] = { "_a", "_b" };
    vg_sigma_cond c;
    vg_error err;
    assert_int_equal(vg_sigma_cond_parse(&c, "1 of them", 9, only, 2, &err), VG_ERR_NOTFOUND);
    assert_string_equal(err.msg, "'them' names no search identifier (identifiers starting with '_' are left out)");
}

static void test_limits(void **state)
{
    (void)state;
    char text[VG_SIGMA_COND_MAX_LEN + 2];
    vg_sigma_cond c;
    vg_error err;
    /* nesting deeper than the limit */
    size_t n = 0;
    for (int i = 0; i < VG_SIGMA_COND_MAX_DEPTH + 5; i++)
        text[n++] = '(';
    text[n++] = 'a';
    for (int i = 0; i < VG_SIGMA_COND_MAX_DEPTH + 5; i++)
        text[n++] = ')';
    assert_int_equal(vg_sigma_cond_parse(&c, text, n, names, NNAMES, &err), VG_ERR_LIMIT);
    n = 0;
    for (int i = 0; i < VG_SIGMA_COND_MAX_DEPTH + 5; i++) {
        memcpy(text + n, "not ", 4);
        n += 4;
    }
    text[n++] = 'a';
    assert_int_equal(vg_sigma_cond_parse(&c, text, n, names, NNAMES, &err), VG_ERR_LIMIT);
    /* longer than the limit */
    memset(text, ' ', sizeof text);
    text[0] = 'a';
    assert_int_equal(vg_sigma_cond_parse(&c, text, VG_SIGMA_COND_MAX_LEN + 1, names, NNAMES, &err), VG_ERR_LIMIT);
    /* more nodes than the limit */
    n = 0;
    while (n + 7 < VG_SIGMA_COND_MAX_LEN) {
        memcpy(text + n, "a or ", 5);
        n += 5;
    }
    text[n++] = 'b';
    assert_int_equal(vg_sigma_cond_parse(&c, text, n, names, NNAMES, &err), VG_ERR_LIMIT);
    /* 50 levels are fine */
    n = 0;
    for (int i = 0; i < 30; i++)
        text[n++] = '(';
    text[n++] = 'a';
    for (int i = 0; i < 30; i++)
        text[n++] = ')';
    assert_int_equal(vg_sigma_cond_parse(&c, text, n, names, NNAMES, &err), VG_OK);
    vg_sigma_cond_free(&c);
}

static void test_glob(void **state)
{
    (void)state;
    assert_true(vg_sigma_glob("*", 1, ""));
    assert_true(vg_sigma_glob("*", 1, "abc"));
    assert_true(vg_sigma_glob("a*c", 3, "abbbc"));
    assert_true(vg_sigma_glob("a*b*c", 5, "aXbYbZc"));
    assert_true(vg_sigma_glob("**a", 3, "ba"));
    assert_false(vg_sigma_glob("a*c", 3, "abcd"));
    assert_false(vg_sigma_glob("abc", 3, "ab"));
    assert_false(vg_sigma_glob("ab", 2, "abc"));
    assert_true(vg_sigma_glob("sel_?", 5, "sel_?"));
    assert_false(vg_sigma_glob("sel_?", 5, "sel_a"));   /* only '*' is a wildcard */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_precedence),
        cmocka_unit_test(test_spec_examples),
        cmocka_unit_test(test_them_and_patterns),
        cmocka_unit_test(test_of_node),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_underscore_only),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_glob),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
