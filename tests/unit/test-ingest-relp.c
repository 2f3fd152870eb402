/*
 * test-ingest-relp: RELP frames fed whole and in pieces, frames without data, the limits,
 * malformed frames (the stream cannot go on), and response frames.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ingest-relp.h"

static vg_rc on_frame(void *ctx, const vg_relp_frame *f)
{
    vg_buf *b = ctx;
    vg_buf_printf(b, "[%u %s %zu:", f->txnr, f->command, f->len);
    vg_buf_append(b, f->data, f->len);
    vg_buf_putc(b, ']');
    return VG_OK;
}

/* Feeds text in pieces of `piece` bytes (0: whole); the frames in *out; the result. */
static vg_rc feed(const char *text, size_t piece, size_t max, vg_buf *out, vg_error *err)
{
    vg_relp_parser p;
    assert_int_equal(vg_relp_init(&p, max), VG_OK);
    size_t n = strlen(text), off = 0;
    vg_rc rc = VG_OK;
    while (!rc && off < n) {
        size_t k = piece && piece < n - off ? piece : n - off;
        rc = vg_relp_feed(&p, text + off, k, on_frame, out, err);
        off += k;
    }
    vg_relp_free(&p);
    return rc;
}

static void check(const char *text, size_t max, const char *want)
{
    for (size_t piece = 0; piece <= 5; piece++) {
        vg_buf out;
        vg_error err;
        vg_buf_init(&out, 0);
        assert_int_equal(feed(text, piece, max, &out, &err), VG_OK);
        assert_string_equal(out.data ? out.data : "", want);
        vg_buf_free(&out);
    }
}

static void check_bad(const char *text, size_t max, vg_rc want_rc, const char *reason)
{
    for (size_t piece = 0; piece <= 3; piece++) {
        vg_buf out;
        vg_error err;
        vg_buf_init(&out, 0);
        assert_int_equal(feed(text, piece, max, &out, &err), want_rc);
        if (!strstr(err.msg, reason))
            fail_msg("'%s' does not say '%s'", err.msg, reason);
        vg_buf_free(&out);
    }
}

static void test_frames(void **state)
{
    (void)state;
    check("1 open 5 ab\ncd\n2 syslog 3 <1>\n3 close 0\n", 64, "[1 open 5:ab\ncd][2 syslog 3:<1>][3 close 0:]");
    /* line ends between frames are tolerated; the data may hold LF and spaces */
    check("\n7 syslog 4 a b\n\n\r\n8 x_y 1  \n\n", 64, "[7 syslog 4:a b\n][8 x_y 1: ]");
    check("999999999 rsp 0\n", 8, "[999999999 rsp 0:]");
}

static void test_bad(void **state)
{
    (void)state;
    check_bad("0 open 0\n", 64, VG_ERR_PARSE, "transaction number expected");
    check_bad("01 open 0\n", 64, VG_ERR_PARSE, "transaction number expected");
    check_bad("1234567890 open 0\n", 64, VG_ERR_PARSE, "transaction number expected");
    check_bad("1  open 0\n", 64, VG_ERR_PARSE, "command expected");
    check_bad("1 sys!og 0\n", 64, VG_ERR_PARSE, "command expected");
    check_bad("1 abcdefghijabcdefghijabcdefghijabc 0\n", 64, VG_ERR_PARSE, "longer than 32");
    check_bad("1 syslog 3 abcd\n", 64, VG_ERR_PARSE, "trailer (LF) expected");
    check_bad("1 syslog 3\n", 64, VG_ERR_PARSE, "data expected after its length");
    check_bad("1 syslog 0 \n", 64, VG_ERR_PARSE, "trailer expected");
    check_bad("1 syslog 05 hello\n", 64, VG_ERR_PARSE, "data length expected");
    check_bad("1 syslog 9 123456789\n", 8, VG_ERR_LIMIT, "over the limit of 8");
}

static void test_response(void **state)
{
    (void)state;
    vg_buf b;
    vg_buf_init(&b, 0);
    assert_int_equal(vg_relp_response(&b, 5, 200, "OK", NULL), VG_OK);
    assert_int_equal(vg_relp_response(&b, 1, 200, "OK", "commands=syslog"), VG_OK);
    assert_string_equal(b.data, "5 rsp 6 200 OK\n1 rsp 22 200 OK\ncommands=syslog\n");
    /* what vigil answers parses as RELP */
    vg_buf out;
    vg_buf_init(&out, 0);
    vg_error err;
    assert_int_equal(feed(b.data, 0, 64, &out, &err), VG_OK);
    assert_string_equal(out.data, "[5 rsp 6:200 OK][1 rsp 22:200 OK\ncommands=syslog]");
    vg_buf_free(&out);
    vg_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_frames),
        cmocka_unit_test(test_bad),
        cmocka_unit_test(test_response),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
