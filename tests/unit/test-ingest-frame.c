/*
 * test-ingest-frame: LF and octet-counted framing (RFC 6587), the automatic choice, limits,
 * resynchronization after bad input, records split across pieces, the end of a stream.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ingest-frame.h"
#include "util-buf.h"

/* Records as "[rec]" and reports as "!offset:reason|", in order. */
typedef struct seen {
    vg_buf out;
    int stop_after;     /* >0: return VG_ERR_LIMIT from this record on */
    int nrec;
} seen;

static vg_rc on_record(void *ctx, const char *p, size_t n)
{
    seen *s = ctx;
    vg_buf_putc(&s->out, '[');
    vg_buf_append(&s->out, p, n);
    vg_buf_putc(&s->out, ']');
    if (s->stop_after && ++s->nrec >= s->stop_after)
        return VG_ERR_LIMIT;
    return VG_OK;
}

static void on_bad(void *ctx, uint64_t offset, const char *reason)
{
    seen *s = ctx;
    vg_buf_printf(&s->out, "!%llu:%s|", (unsigned long long)offset, reason);
}

/* Feeds text in pieces of `piece` bytes (0: whole), finishes, and compares with want. */
static void check_framing(vg_frame_mode mode, size_t max, const char *text, size_t piece, const char *want,
                          vg_frame_mode decided)
{
    vg_framer f;
    seen s = { 0 };
    vg_buf_init(&s.out, 0);
    vg_frame_sink sink = { on_record, on_bad, &s };
    assert_int_equal(vg_framer_init(&f, mode, max), VG_OK);
    size_t n = strlen(text), off = 0;
    while (off < n) {
        size_t k = piece && piece < n - off ? piece : n - off;
        assert_int_equal(vg_framer_feed(&f, text + off, k, &sink), VG_OK);
        off += k;
    }
    assert_int_equal(f.mode, decided);
    assert_int_equal(vg_framer_finish(&f, &sink), VG_OK);
    assert_string_equal(s.out.data ? s.out.data : "", want);
    vg_framer_free(&f);
    vg_buf_free(&s.out);
}

/* The same text must frame the same way whatever the pieces. */
static void check_all_pieces(vg_frame_mode mode, size_t max, const char *text, const char *want, vg_frame_mode decided)
{
    for (size_t piece = 0; piece <= 7; piece++)
        check_framing(mode, max, text, piece, want, decided);
}

static void test_lf(void **state)
{
    (void)state;
    check_all_pieces(VG_FRAME_LF, 64, "one\r\ntwo\n\n\r\nthree", "[one][two][three]", VG_FRAME_LF);
    /* a CR inside a line stays; only the one before LF goes */
    check_all_pieces(VG_FRAME_LF, 64, "a\rb\n", "[a\rb]", VG_FRAME_LF);
}

static void test_lf_limit(void **state)
{
    (void)state;
    /* exactly the limit is accepted, with or without its CR; one byte more is not */
    check_all_pieces(VG_FRAME_LF, 4, "abcd\nabcd\r\nabcde\nok\n",
                     "[abcd][abcd]!11:line longer than 4 bytes, skipped|[ok]", VG_FRAME_LF);
    /* a long line with no LF at the end of the stream */
    check_all_pieces(VG_FRAME_LF, 4, "ok\nabcdefgh", "[ok]!3:line longer than 4 bytes, skipped|", VG_FRAME_LF);
    check_all_pieces(VG_FRAME_LF, 4, "ok\nabcde", "[ok]!3:line longer than 4 bytes, skipped|", VG_FRAME_LF);
}

static void test_octet(void **state)
{
    (void)state;
    check_all_pieces(VG_FRAME_OCTET, 64, "5 <1>ab3 x\ny11 <13>a b\nc d\n", "[<1>ab][x\ny][<13>a b\nc d]",
                     VG_FRAME_OCTET);
}

static void test_octet_bad(void **state)
{
    (void)state;
    /* over the limit: skipped by its count, the next record is intact */
    check_all_pieces(VG_FRAME_OCTET, 4, "6 abcdef3 xyz", "!0:record of 6 bytes is over the limit, skipped|[xyz]",
                     VG_FRAME_OCTET);
    /* malformed counts: a leading zero, a letter, too many digits; resync at the next LF */
    check_all_pieces(VG_FRAME_OCTET, 64, "03 abc\n2 ok",
                     "!0:malformed octet count (byte 0x30), skipped to the next line|[ok]", VG_FRAME_OCTET);
    check_all_pieces(VG_FRAME_OCTET, 64, "x\n1 a1234567890 zz\n2 ok",
                     "!0:malformed octet count (byte 0x78), skipped to the next line|[a]"
                     "!5:malformed octet count (byte 0x30), skipped to the next line|[ok]", VG_FRAME_OCTET);
    /* the stream ends inside a record */
    check_all_pieces(VG_FRAME_OCTET, 64, "2 ok10 <1>abc",
                     "[ok]!4:stream ended inside an octet-counted record (4 bytes missing)|", VG_FRAME_OCTET);
}

static void test_auto(void **state)
{
    (void)state;
    check_all_pieces(VG_FRAME_AUTO, 64, "7 <1>abc\n5 <2>de", "[<1>abc\n][<2>de]", VG_FRAME_OCTET);
    /* lines that start with digits are not octet counts: a timestamp, an address, "12 foo" */
    check_all_pieces(VG_FRAME_AUTO, 64, "2024-01-01 x\n1.2.3.4 - -\n", "[2024-01-01 x][1.2.3.4 - -]", VG_FRAME_LF);
    check_all_pieces(VG_FRAME_AUTO, 64, "12 foo\n", "[12 foo]", VG_FRAME_LF);
    check_all_pieces(VG_FRAME_AUTO, 64, "{\"a\":1}\n", "[{\"a\":1}]", VG_FRAME_LF);
    /* a stream too short to decide is a line */
    check_framing(VG_FRAME_AUTO, 64, "12", 0, "[12]", VG_FRAME_AUTO);
    check_framing(VG_FRAME_AUTO, 64, "", 0, "", VG_FRAME_AUTO);
}

static void test_stop_and_reuse(void **state)
{
    (void)state;
    vg_framer f;
    seen s = { .stop_after = 1 };
    vg_buf_init(&s.out, 0);
    vg_frame_sink sink = { on_record, on_bad, &s };
    assert_int_equal(vg_framer_init(&f, VG_FRAME_AUTO, 16), VG_OK);
    assert_int_equal(vg_framer_feed(&f, "a\nb\n", 4, &sink), VG_ERR_LIMIT);
    assert_string_equal(s.out.data, "[a]");
    assert_int_equal(f.stats.records, 1);
    /* after finish the framer starts a new stream, deciding its framing again */
    vg_framer_finish(&f, &sink);
    s.stop_after = 0;
    vg_buf_reset(&s.out);
    assert_int_equal(vg_framer_feed(&f, "3 <1>", 5, &sink), VG_OK);
    assert_int_equal(f.mode, VG_FRAME_OCTET);
    assert_string_equal(s.out.data, "[<1>]");
    vg_framer_free(&f);
    vg_buf_free(&s.out);
}

static void test_init_and_names(void **state)
{
    (void)state;
    vg_framer f;
    assert_int_equal(vg_framer_init(&f, VG_FRAME_LF, 0), VG_ERR_USAGE);
    assert_int_equal(vg_framer_init(&f, VG_FRAME_LF, VG_FRAME_MAX_RECORD + 1), VG_ERR_USAGE);
    for (int m = VG_FRAME_AUTO; m <= VG_FRAME_OCTET; m++)
        assert_int_equal(vg_frame_mode_parse(vg_frame_mode_name((vg_frame_mode)m)), m);
    assert_int_equal(vg_frame_mode_parse("crlf"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lf),
        cmocka_unit_test(test_lf_limit),
        cmocka_unit_test(test_octet),
        cmocka_unit_test(test_octet_bad),
        cmocka_unit_test(test_auto),
        cmocka_unit_test(test_stop_and_reuse),
        cmocka_unit_test(test_init_and_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
