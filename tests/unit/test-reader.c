/*
 * test-reader: record splitting, limits, line numbers, compression detection, JSON sequences
 * and arrays, and resynchronization after bad records.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include <cmocka.h>

#include "ingest-reader.h"

static vg_reader *open_mem(const char *data, size_t n, size_t max)
{
    vg_reader *r = NULL;
    vg_error err;
    assert_int_equal(vg_reader_open_mem(&r, "mem", data, n, max, &err), VG_OK);
    return r;
}

static void expect_line(vg_reader *r, const char *want, uint64_t line)
{
    vg_record rec;
    vg_error err;
    assert_int_equal(vg_reader_next_line(r, &rec, &err), VG_OK);
    assert_int_equal(rec.len, strlen(want));
    assert_memory_equal(rec.data, want, rec.len);
    assert_int_equal(rec.line, line);
}

static void test_lines(void **state)
{
    (void)state;
    const char *s = "\xEF\xBB\xBFone\r\ntwo\n\nfour";
    vg_reader *r = open_mem(s, strlen(s), 1024);
    expect_line(r, "one", 1);
    expect_line(r, "two", 2);
    expect_line(r, "", 3);
    expect_line(r, "four", 4);
    vg_record rec;
    vg_error err;
    assert_int_equal(vg_reader_next_line(r, &rec, &err), VG_END);
    vg_reader_close(r);
}

static void test_long_line_rejected(void **state)
{
    (void)state;
    size_t n = 300000;
    char *s = malloc(n);
    memset(s, 'x', n);
    memcpy(s, "ok\n", 3);
    s[200000] = '\n';   /* line 2 is 199,997 bytes */
    memcpy(s + n - 5, "\nend", 4);
    s[n - 1] = '\n';
    vg_reader *r = open_mem(s, n, 1000);
    expect_line(r, "ok", 1);
    vg_record rec;
    vg_error err;
    assert_int_equal(vg_reader_next_line(r, &rec, &err), VG_ERR_LIMIT);
    assert_int_equal(rec.line, 2);
    assert_non_null(strstr(err.msg, "longer than 1000 bytes"));
    assert_int_equal(vg_reader_next_line(r, &rec, &err), VG_ERR_LIMIT);   /* line 3 too */
    assert_int_equal(rec.line, 3);
    expect_line(r, "end", 4);
    vg_reader_close(r);
    free(s);
}

static void test_line_numbers_across_refills(void **state)
{
    (void)state;
    /* many short lines: the window is refilled many times */
    size_t lines = 200000;
    char *s = malloc(lines * 8 + 1);
    size_t n = 0;
    for (size_t i = 1; i <= lines; i++)
        n += (size_t)snprintf(s + n, 9, "%07zu\n", i);
    vg_reader *r = open_mem(s, n, 100);
    vg_record rec;
    vg_error err;
    for (size_t i = 1; i <= lines; i++) {
        assert_int_equal(vg_reader_next_line(r, &rec, &err), VG_OK);
        assert_int_equal(rec.line, i);
        assert_int_equal(strtoul(rec.data, NULL, 10), i);
    }
    assert_int_equal(vg_reader_next_line(r, &rec, &err), VG_END);
    vg_reader_close(r);
    free(s);
}

static void test_gzip_multimember_and_zstd(void **state)
{
    (void)state;
    /* two concatenated gzip members, as `cat a.gz b.gz` makes */
    unsigned char gz[512];
    size_t total = 0;
    const char *parts[] = { "first\n", "second\n" };
    for (int p = 0; p < 2; p++) {
        z_stream zs;
        memset(&zs, 0, sizeof zs);
        assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
        zs.next_in = (Bytef *)(uintptr_t)parts[p];
        zs.avail_in = (uInt)strlen(parts[p]);
        zs.next_out = gz + total;
        zs.avail_out = (uInt)(sizeof gz - total);
        assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
        total = sizeof gz - zs.avail_out;
        deflateEnd(&zs);
    }
    vg_reader *r = open_mem((const char *)gz, total, 1024);
    expect_line(r, "first", 1);
    expect_line(r, "second", 2);
    assert_int_equal(vg_reader_compression(r), VG_COMPRESSION_GZIP);
    vg_reader_close(r);

    char zst[256];
    const char *text = "{\"z\":1}\n{\"z\":2}\n";
    size_t zn = ZSTD_compress(zst, sizeof zst, text, strlen(text), 3);
    assert_false(ZSTD_isError(zn));
    r = open_mem(zst, zn, 1024);
    expect_line(r, "{\"z\":1}", 1);
    expect_line(r, "{\"z\":2}", 2);
    assert_int_equal(vg_reader_compression(r), VG_COMPRESSION_ZSTD);
    vg_reader_close(r);
}

static void test_truncated_gzip_is_an_error(void **state)
{
    (void)state;
    unsigned char gz[256];
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
    const char *text = "line one\nline two\n";
    zs.next_in = (Bytef *)(uintptr_t)text;
    zs.avail_in = (uInt)strlen(text);
    zs.next_out = gz;
    zs.avail_out = sizeof gz;
    deflate(&zs, Z_FINISH);
    size_t n = sizeof gz - zs.avail_out;
    deflateEnd(&zs);
    vg_reader *r = open_mem((const char *)gz, n - 6, 1024);  /* cut the trailer */
    vg_record rec;
    vg_error err;
    vg_rc rc;
    while ((rc = vg_reader_next_line(r, &rec, &err)) == VG_OK)
        ;
    assert_int_equal(rc, VG_ERR_IO);
    assert_non_null(strstr(err.msg, "truncated"));
    vg_reader_close(r);
}

typedef struct json_case {
    vg_rc rc;
    uint64_t line;
    const char *first_key;  /* for VG_OK: the first key of the object */
} json_case;

static void run_json(const char *input, const json_case *want, size_t nwant, size_t max)
{
    vg_json_doc doc;
    assert_int_equal(vg_json_doc_init(&doc, 1024, 32), VG_OK);
    vg_reader *r = open_mem(input, strlen(input), max);
    for (size_t i = 0; i <= nwant; i++) {
        vg_record rec;
        vg_error err;
        err.msg[0] = '\0';
        vg_rc rc = vg_reader_next_json(r, &doc, &rec, &err);
        if (i == nwant) {
            if (rc != VG_END)
                fail_msg("record %zu: expected the end, got %s (%s) at line %llu", i, vg_rc_str(rc),
                         err.msg, (unsigned long long)rec.line);
            break;
        }
        if (rc != want[i].rc || rec.line != want[i].line)
            fail_msg("record %zu: got %s at line %llu (%s), expected %s at line %llu", i, vg_rc_str(rc),
                     (unsigned long long)rec.line, err.msg, vg_rc_str(want[i].rc),
                     (unsigned long long)want[i].line);
        if (rc == VG_OK && want[i].first_key) {
            vg_value k = vg_json_value(&doc, 1);
            assert_int_equal(k.len, strlen(want[i].first_key));
            assert_memory_equal(k.ptr, want[i].first_key, k.len);
        }
    }
    vg_reader_close(r);
    vg_json_doc_free(&doc);
}

static void test_json_sequence_pretty(void **state)
{
    (void)state;
    const char *s = "{\n  \"a\": 1\n}\n{\n  \"b\": [\n    1\n  ]\n}{\"c\":3}\n\n{\"d\":4}";
    const json_case want[] = { { VG_OK, 1, "a" }, { VG_OK, 4, "b" }, { VG_OK, 8, "c" }, { VG_OK, 10, "d" } };
    run_json(s, want, 4, 1024);
}

static void test_json_top_level_array(void **state)
{
    (void)state;
    const char *s = "[\n {\"a\":1},\n {\"b\":2}\n]\n[]\n[{\"c\":3}]";
    const json_case want[] = { { VG_OK, 2, "a" }, { VG_OK, 3, "b" }, { VG_OK, 6, "c" } };
    run_json(s, want, 3, 1024);
}

static void test_json_array_errors(void **state)
{
    (void)state;
    const char *s = "[{\"a\":1} {\"b\":2}]\n{\"c\":3}\n[{\"d\":4}";
    const json_case want[] = {
        { VG_OK, 1, "a" },
        { VG_ERR_PARSE, 1, NULL },      /* missing comma: the rest of line 1, with the array's
                                           closing ']', is dropped and named in the reason */
        { VG_OK, 2, "c" },              /* so this is a top-level text again */
        { VG_OK, 3, "d" },
        { VG_ERR_PARSE, 3, NULL },      /* array never closed */
    };
    run_json(s, want, 5, 1024);
}

static void test_json_review_cases(void **state)
{
    (void)state;
    /* a bad element inside an array on one line: one rejection, no phantom "not closed" */
    const json_case a[] = { { VG_OK, 1, "a" }, { VG_ERR_PARSE, 1, NULL } };
    run_json("[{\"a\":1},{\"b\":x},{\"c\":3}]\n", a, 2, 1024);
    /* a trailing comma before ']' is one rejection, and the elements before it are kept */
    const json_case b[] = { { VG_OK, 1, "a" }, { VG_OK, 2, "b" }, { VG_ERR_PARSE, 3, NULL } };
    run_json("[{\"a\":1},\n{\"b\":2},\n]\n", b, 3, 1024);
    /* a bad value at the start of a line inside a text: reported once, not twice */
    const json_case c[] = { { VG_ERR_PARSE, 2, NULL }, { VG_OK, 3, "c" } };
    run_json("{\"a\":\n x}\n{\"c\":3}\n", c, 2, 1024);
    /* an oversized pretty-printed text is skipped to its end: its inner object is no event */
    char big[512];
    snprintf(big, sizeof big, "{\n  \"s\": \"%0200d\",\n  \"in\":\n{\"x\": 1}\n}\n{\"after\":1}\n", 0);
    const json_case d[] = { { VG_ERR_LIMIT, 1, NULL }, { VG_OK, 6, "after" } };
    run_json(big, d, 2, 64);
}

static void test_json_resync(void **state)
{
    (void)state;
    /* a cut-off NDJSON line followed by good lines; a bad value; a non-object; a bad pretty
     * object whose remaining lines are reported as skipped */
    const char *s = "{\"a\":1}\n{\"b\":[1,2\n{\"c\":3}\n{\"d\":tru}\n42\n{\"e\":\n \"x\" 1,\n \"y\":2\n}\n{\"f\":6}\n";
    const json_case want[] = {
        { VG_OK, 1, "a" },
        { VG_ERR_PARSE, 3, NULL },      /* found at line 3, where the next text starts */
        { VG_OK, 3, "c" },
        { VG_ERR_PARSE, 4, NULL },      /* "42" on line 5 is reported as skipped */
        { VG_ERR_PARSE, 7, NULL },      /* lines 8-9 skipped, reported in the reason */
        { VG_OK, 10, "f" },
    };
    run_json(s, want, 6, 1024);
}

static void test_json_too_long(void **state)
{
    (void)state;
    char s[600];
    memset(s, ' ', sizeof s);
    memcpy(s, "{\"big\":\"", 8);
    memset(s + 8, 'x', 300);
    memcpy(s + 308, "\"}\n{\"ok\":1}\n", 13);
    s[321] = '\0';
    const json_case want[] = { { VG_ERR_LIMIT, 1, NULL }, { VG_OK, 2, "ok" } };
    run_json(s, want, 2, 100);
    /* an oversized element ending an array that is never closed (fuzz-json-decoders found
     * the "not closed" rejection at line 0): the rejection names the line where the oversized
     * element ended, as after an element that was read */
    char t[700];
    snprintf(t, sizeof t, "[{\"a\":1},\n{\"big\":\n\"%0300d\"}\n{\"next\":2}\n", 0);
    const json_case u[] = { { VG_OK, 1, "a" }, { VG_ERR_LIMIT, 2, NULL }, { VG_ERR_PARSE, 3, NULL }, { VG_OK, 4, "next" } };
    run_json(t, u, 4, 100);
}

static void test_invalid_utf8_in_json(void **state)
{
    (void)state;
    const char *s = "{\"a\":\"\xff\"}\n{\"b\":\"\xc3\xa9\"}\n";
    const json_case want[] = { { VG_ERR_PARSE, 1, NULL }, { VG_OK, 2, "b" } };
    run_json(s, want, 2, 1024);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lines),
        cmocka_unit_test(test_long_line_rejected),
        cmocka_unit_test(test_line_numbers_across_refills),
        cmocka_unit_test(test_gzip_multimember_and_zstd),
        cmocka_unit_test(test_truncated_gzip_is_an_error),
        cmocka_unit_test(test_json_sequence_pretty),
        cmocka_unit_test(test_json_top_level_array),
        cmocka_unit_test(test_json_array_errors),
        cmocka_unit_test(test_json_resync),
        cmocka_unit_test(test_json_review_cases),
        cmocka_unit_test(test_json_too_long),
        cmocka_unit_test(test_invalid_utf8_in_json),
    };
    return cmocka_run_group_tests_name("reader", tests, NULL, NULL);
}
