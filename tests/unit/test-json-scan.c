/*
 * test-json-scan: the in-place JSON scanner. Acceptance and rejection cases follow RFC 8259
 * (grammar, numbers, escapes, surrogates, UTF-8), the limits, streaming truncation, and the
 * tape and lookups.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "json-scan.h"

static vg_json_doc doc;

static int setup(void **state)
{
    (void)state;
    return vg_json_doc_init(&doc, 4096, 16) == VG_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    vg_json_doc_free(&doc);
    return 0;
}

static vg_rc parse_flags(const char *s, size_t n, unsigned flags, size_t *end, vg_error *err)
{
    return vg_json_parse(&doc, s, n, flags, end, err);
}

/* Parses s completely (end must be the whole text up to trailing whitespace). */
static vg_rc parse(const char *s)
{
    size_t end = 0;
    vg_error err;
    vg_rc rc = parse_flags(s, strlen(s), 0, &end, &err);
    if (rc == VG_OK) {
        while (s[end] == ' ' || s[end] == '\n')
            end++;
        assert_int_equal(end, strlen(s));
    }
    return rc;
}

static void test_accepts_valid(void **state)
{
    (void)state;
    static const char *const ok[] = {
        "{}", "[]", "0", "-0", "1.5", "-1.5e10", "1E+2", "1e-2", "123456789012345678901234567890",
        "\"\"", "\"a\"", "true", "false", "null", " \t\r\n{ } ",
        "{\"a\":1,\"b\":[true,false,null],\"c\":{\"d\":\"e\"}}",
        "[[[[[]]]]]", "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\u0000\"", "\"\\u00e9\"",
        "\"\\ud83d\\ude00\"", "\"\xc3\xa9\"", "\"\xe1\xbb\x87\"" /* Vietnamese ệ */,
        "\"\xf0\x9f\x98\x80\"", "\"\xef\xbf\xbf\"", "\"\xf4\x8f\xbf\xbf\"",
        "{\"a\" : [ 1 , 2 ] , \"b\" : { } }", "[\"a very long string that crosses sixteen-byte blocks\"]",
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        vg_rc rc = parse(ok[i]);
        if (rc != VG_OK)
            fail_msg("rejected valid JSON #%zu: %s", i, ok[i]);
    }
}

static void test_rejects_invalid(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "{", "[", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "[1,]", "[,1]", "{,}", "{1:2}",
        "{'a':1}", "[01]", "[1.]", "[.5]", "[1e]", "[1e+]", "[-]", "[+1]", "[0x10]", "[NaN]",
        "[Infinity]", "[tru]", "[nul]", "[True]", "\"abc", "\"\\x\"", "\"\\u12\"", "\"\\u12G4\"",
        "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "\"a\nb\"", "\"a\tb\"", "\"\x01\"",
        "\"\x80\"", "\"\xc0\xaf\"", "\"\xc3\"", "\"\xe0\x80\xaf\"", "\"\xed\xa0\x80\"",
        "\"\xf4\x90\x80\x80\"", "\"\xf5\x80\x80\x80\"", "\"\xff\"", "[1 2]", "{\"a\":1 \"b\":2}",
        "]", "}", "", "   ", "{\"a\":[}", "[\"a\"}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t end = 0;
        vg_error err;
        vg_rc rc = parse_flags(bad[i], strlen(bad[i]), 0, &end, &err);
        if (rc == VG_OK && end == strlen(bad[i]))
            fail_msg("accepted invalid JSON #%zu: %s", i, bad[i]);
        if (rc == VG_ERR_PARSE && err.msg[0] == '\0')
            fail_msg("no reason for #%zu", i);
    }
}

static void test_error_offsets(void **state)
{
    (void)state;
    size_t end;
    vg_error err;
    const char *s = "{\"a\":1,\n \"b\":x}";
    assert_int_equal(parse_flags(s, strlen(s), 0, &end, &err), VG_ERR_PARSE);
    assert_int_equal(err.offset, (size_t)(strchr(s, 'x') - s));
    s = "[\"ok\", \"bad\x80\"]";
    assert_int_equal(parse_flags(s, strlen(s), 0, &end, &err), VG_ERR_PARSE);
    assert_int_equal(err.offset, (size_t)(strchr(s, '\x80') - s));
    assert_non_null(strstr(err.msg, "UTF-8"));
}

static void test_nul_byte_inside_text(void **state)
{
    (void)state;
    size_t end;
    vg_error err;
    const char s[] = "{\"a\":\"x\0y\"}";
    assert_int_equal(parse_flags(s, sizeof s - 1, 0, &end, &err), VG_ERR_PARSE);
}

static void test_depth_limit(void **state)
{
    (void)state;
    char s[64];
    size_t end;
    vg_error err;
    memset(s, '[', 16);
    memset(s + 16, ']', 16);
    assert_int_equal(parse_flags(s, 32, 0, &end, &err), VG_OK);   /* exactly 16 levels */
    memset(s, '[', 17);
    memset(s + 17, ']', 17);
    assert_int_equal(parse_flags(s, 34, 0, &end, &err), VG_ERR_LIMIT);
    assert_non_null(strstr(err.msg, "nesting"));
}

static void test_token_limit(void **state)
{
    (void)state;
    vg_json_doc small;
    assert_int_equal(vg_json_doc_init(&small, 4, 8), VG_OK);
    size_t end;
    vg_error err;
    assert_int_equal(vg_json_parse(&small, "[1,2,3]", 7, 0, &end, &err), VG_OK);
    assert_int_equal(vg_json_parse(&small, "[1,2,3,4]", 9, 0, &end, &err), VG_ERR_LIMIT);
    vg_json_doc_free(&small);
}

static void test_streaming_truncation(void **state)
{
    (void)state;
    const char *full = "{\"a\":\"h\xc3\xa9llo\",\"n\":12.5e3,\"t\":true,\"u\":\"\\ud83d\\ude00\","
                       "\"p\":\"C:\\\\x\\\\\\\"q\\\"\"}";     /* escapes taken inline */
    size_t n = strlen(full), end;
    vg_error err;
    /* every proper prefix is "truncated" in streaming mode, never "invalid" */
    for (size_t k = 1; k < n; k++) {
        vg_rc rc = parse_flags(full, k, VG_JSON_PARTIAL, &end, &err);
        if (rc != VG_ERR_TRUNCATED)
            fail_msg("prefix of %zu bytes gave %s: %s", k, vg_rc_str(rc), err.msg);
        rc = parse_flags(full, k, 0, &end, &err);
        assert_int_equal(rc, VG_ERR_PARSE);
    }
    assert_int_equal(parse_flags(full, n, VG_JSON_PARTIAL, &end, &err), VG_OK);
    assert_int_equal(end, n);
    /* a top-level number at the end of a partial buffer may continue */
    assert_int_equal(parse_flags("12", 2, VG_JSON_PARTIAL, &end, &err), VG_ERR_TRUNCATED);
    assert_int_equal(parse_flags("12 ", 3, VG_JSON_PARTIAL, &end, &err), VG_OK);
}

static void test_sequence_end_offset(void **state)
{
    (void)state;
    const char *s = "  {\"a\":1} {\"b\":2}";
    size_t end;
    vg_error err;
    assert_int_equal(parse_flags(s, strlen(s), 0, &end, &err), VG_OK);
    assert_int_equal(end, 9);
    assert_int_equal(parse_flags(s + end, strlen(s + end), 0, &end, &err), VG_OK);
    assert_int_equal(parse_flags("  \n ", 4, 0, &end, &err), VG_END);
}

static void test_tape_layout(void **state)
{
    (void)state;
    const char *s = "{\"a\":[1,\"x\"],\"b\":null}";
    assert_int_equal(parse(s), VG_OK);
    assert_int_equal(doc.ntoks, 7);
    assert_int_equal(doc.toks[0].type, VG_JSON_OBJECT);
    assert_int_equal(doc.toks[0].next, 7);
    assert_int_equal(doc.toks[0].len, strlen(s));
    assert_int_equal(doc.toks[1].type, VG_JSON_STRING);
    assert_int_equal(doc.toks[2].type, VG_JSON_ARRAY);
    assert_int_equal(doc.toks[2].next, 5);
    assert_int_equal(doc.toks[3].type, VG_JSON_NUMBER);
    assert_int_equal(doc.toks[4].type, VG_JSON_STRING);
    assert_int_equal(doc.toks[6].type, VG_JSON_NULL);
    assert_true(doc.toks[1].flags & VG_JSON_KEY);         /* member names, not values */
    assert_true(doc.toks[5].flags & VG_JSON_KEY);
    assert_false(doc.toks[4].flags & VG_JSON_KEY);
    vg_value v = vg_json_value(&doc, 4);
    assert_int_equal(v.len, 1);
    assert_memory_equal(v.ptr, "x", 1);
}

static int find(const char *path)
{
    return vg_json_find(&doc, 0, path, strlen(path));
}

static void test_find_paths(void **state)
{
    (void)state;
    const char *s = "{\"Event\":{\"System\":{\"EventID\":1,\"Channel\":\"Sec\"},"
                    "\"EventData\":{\"Image\":\"C:\\\\x.exe\",\"Empty\":\"\"}},"
                    "\"id.orig_h\":\"10.0.0.1\",\"arr\":[{\"k\":\"v0\"},{\"k\":\"v1\"}],"
                    "\"a\":{\"b.c\":7},\"esc\\u0061pe\":1}";
    assert_int_equal(parse(s), VG_OK);
    int i = find("Event.System.EventID");
    assert_true(i > 0);
    assert_int_equal(doc.toks[i].type, VG_JSON_NUMBER);
    i = find("Event.EventData.Image");
    vg_value v = vg_json_value(&doc, (uint32_t)i);
    assert_int_equal(v.type, VG_JSON_STRING);
    assert_true(v.flags & VG_JSON_ESCAPED);
    assert_true(vg_json_string_equals(v.ptr, v.len, v.flags, "C:\\x.exe", 8));
    assert_true(find("Event.EventData.Empty") > 0);
    assert_int_equal(find("Event.EventData.Missing"), -1);
    assert_int_equal(find("Event.System.EventID.deeper"), -1);
    assert_int_equal(find("Event.Sys"), -1);
    assert_true(find("id.orig_h") > 0);                    /* key containing a dot */
    assert_true(find("a.b.c") > 0);                        /* dotted key below a nested one */
    i = find("arr.1.k");
    v = vg_json_value(&doc, (uint32_t)i);
    assert_true(vg_json_string_equals(v.ptr, v.len, v.flags, "v1", 2));
    assert_int_equal(find("arr.2.k"), -1);
    assert_int_equal(find("arr.x"), -1);
    assert_true(find("escape") > 0);                       /* key written with an escape */
    assert_int_equal(find("Event"), 2);                   /* token 1 is the key */
    assert_true(vg_json_member(&doc, 0, "id.orig_h", 9) > 0);
    assert_int_equal(vg_json_member(&doc, 0, "Event.System", 12), -1);
}

static void test_unescape(void **state)
{
    (void)state;
    char out[64];
    const char *raw = "a\\n\\u00e9\\ud83d\\ude00\\/\\\"";
    size_t n = vg_json_unescape(raw, strlen(raw), out);
    assert_int_equal(n, 1 + 1 + 2 + 4 + 1 + 1);
    assert_memory_equal(out, "a\n\xc3\xa9\xf0\x9f\x98\x80/\"", n);
    assert_true(vg_json_string_equals("\\u0041B", 7, VG_JSON_ESCAPED, "AB", 2));
    assert_false(vg_json_string_equals("\\u0041B", 7, VG_JSON_ESCAPED, "AC", 2));
    assert_false(vg_json_string_equals("AB", 2, 0, "ABC", 3));
}

/* The decoding one escape at a time, to compare with the word-at-a-time one. */
static size_t unescape_slowly(const char *s, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '\\') {
            out[o++] = s[i];
            continue;
        }
        char c = s[++i];
        if (c == 'u') {     /* the test's \u escapes are \u00XX of ASCII letters */
            out[o++] = (char)strtol((char[]){ s[i + 3], s[i + 4], 0 }, NULL, 16);
            i += 4;
        } else {
            out[o++] = c == 'n' ? '\n' : c == 't' ? '\t' : c;
        }
    }
    return o;
}

/* Every length up to 40 with escapes of each kind at every offset, one or two of them, so
 * that they fall at every place of an eight-byte word and across words. */
static void test_unescape_every_offset(void **state)
{
    (void)state;
    static const char *const escs[] = { "\\\\", "\\\"", "\\n", "\\t", "\\/", "\\u0041" };
    for (size_t len = 0; len <= 40; len++)
        for (size_t e = 0; e < sizeof escs / sizeof escs[0]; e++)
            for (size_t at = 0; at <= len; at++)
                for (size_t at2 = at; at2 <= len; at2 += 3) {
                    char raw[128], want[128], got[128];
                    size_t n = 0;
                    for (size_t i = 0; i <= len; i++) {
                        if (i == at || (i == at2 && at2 != at)) {
                            memcpy(raw + n, escs[e], strlen(escs[e]));
                            n += strlen(escs[e]);
                        }
                        if (i < len)
                            raw[n++] = (char)('a' + i % 26);
                    }
                    memset(got, 0x55, sizeof got);
                    size_t wn = unescape_slowly(raw, n, want), gn = vg_json_unescape(raw, n, got);
                    assert_int_equal(gn, wn);
                    assert_memory_equal(got, want, wn);
                }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accepts_valid),
        cmocka_unit_test(test_rejects_invalid),
        cmocka_unit_test(test_error_offsets),
        cmocka_unit_test(test_nul_byte_inside_text),
        cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_token_limit),
        cmocka_unit_test(test_streaming_truncation),
        cmocka_unit_test(test_sequence_end_offset),
        cmocka_unit_test(test_tape_layout),
        cmocka_unit_test(test_find_paths),
        cmocka_unit_test(test_unescape),
        cmocka_unit_test(test_unescape_every_offset),
    };
    return cmocka_run_group_tests_name("json-scan", tests, setup, teardown);
}
