/*
 * test-decode-syslog: syslog headers (RFC 3164, RFC 5424, ISO timestamps), year inference,
 * time zones, structured data and rejections.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "decode-fixture.h"
#include "util-time.h"

/* Decodes line with the syslog decoder and the options {year, reference, tz}. */
static vg_rc decode_with(const char *line, int year, int64_t reference, long tz)
{
    vg_decode_opts opts = { year, reference, tz };
    return decode_line_with(&vg_decoder_syslog, line, &opts);
}

/* Decodes line with the syslog decoder and the fixed options (year 2025, UTC). */
static vg_rc decode(const char *line)
{
    return decode_line(&vg_decoder_syslog, line, 0);
}

static void test_rfc3164(void **state)
{
    (void)state;
    assert_int_equal(decode("<38>Mar  3 14:02:11 gw01 sshd[4411]: Server listening on 0.0.0.0 port 22."), VG_OK);
    expect("@timestamp", "2025-03-03T14:02:11Z");
    expect("host.hostname", "gw01");
    expect("process.name", "sshd");
    expect_num("process.pid", "4411");
    expect_num("log.syslog.priority", "38");
    expect_num("log.syslog.facility.code", "4");
    expect_num("log.syslog.severity.code", "6");
    expect("message", "Server listening on 0.0.0.0 port 22.");
}

static void test_rfc3164_variants(void **state)
{
    (void)state;
    assert_int_equal(decode("Dec 10 06:55:46 LabSZ kernel: eth0 link up"), VG_OK);
    expect("process.name", "kernel");
    expect("process.pid", NULL);
    expect("message", "eth0 link up");
    /* no host: the tag follows the timestamp */
    assert_int_equal(decode("<13>Nov 21 05:26:32 cron[77]: hello"), VG_OK);
    expect("host.hostname", NULL);
    expect("process.name", "cron");
    /* old PAM style app name */
    assert_int_equal(decode("Jun 14 15:16:01 combo sshd(pam_unix)[19939]: check pass; user unknown"), VG_OK);
    expect("process.name", "sshd");
    expect("log.syslog.appname", "sshd(pam_unix)");
    /* fractional seconds and explicit year */
    assert_int_equal(decode("Jan  5 2024 01:02:03.250 fw1 app: x"), VG_OK);
    expect("@timestamp", "2024-01-05T01:02:03.250Z");
    /* message without a tag */
    assert_int_equal(decode("Jan  5 01:02:03 host just some text"), VG_OK);
    expect("host.hostname", "host");
    expect("message", "just some text");
    expect("process.name", NULL);
    /* a tag of 64 bytes is one; a longer one is not, nor one that ends the line */
    char tag[66], line[160];
    memset(tag, 'a', 65);
    tag[64] = '\0';
    snprintf(line, sizeof line, "Jan  5 01:02:03 host %s: x", tag);
    assert_int_equal(decode(line), VG_OK);
    expect("log.syslog.appname", tag);
    tag[64] = 'a';
    tag[65] = '\0';
    snprintf(line, sizeof line, "Jan  5 01:02:03 host %s: x", tag);
    assert_int_equal(decode(line), VG_OK);
    expect("log.syslog.appname", NULL);
    assert_int_equal(decode("Jan  5 01:02:03 host app"), VG_OK);
    expect("log.syslog.appname", NULL);
}

static void test_year_inference(void **state)
{
    (void)state;
    int64_t ref = vg_time_from_civil(2026, 1, 5, 12, 0, 0);   /* file written 2026-01-05 */
    assert_int_equal(decode_with("Dec 31 23:59:59 h a: x", 0, ref, 0), VG_OK);
    expect("@timestamp", "2025-12-31T23:59:59Z");
    assert_int_equal(decode_with("Jan  4 00:00:00 h a: x", 0, ref, 0), VG_OK);
    expect("@timestamp", "2026-01-04T00:00:00Z");
    assert_int_equal(decode_with("Jan  7 00:00:00 h a: x", 0, ref, 0), VG_OK);  /* clock skew */
    expect("@timestamp", "2026-01-07T00:00:00Z");
    assert_int_equal(decode_with("Jan  8 00:00:00 h a: x", 0, ref, 0), VG_OK);
    expect("@timestamp", "2025-01-08T00:00:00Z");
    /* Feb 29 only exists in leap years */
    assert_int_equal(decode_with("Feb 29 10:00:00 h a: x", 0, ref, 0), VG_OK);
    expect("@timestamp", "2024-02-29T10:00:00Z");
    assert_int_equal(decode_with("Feb 29 10:00:00 h a: x", 2025, 0, 0), VG_ERR_PARSE);
    assert_int_equal(decode_with("Feb 30 10:00:00 h a: x", 2024, 0, 0), VG_ERR_PARSE);
    /* each reference its own year, one after another (the reference's year is remembered) */
    int64_t ref2 = vg_time_from_civil(2019, 6, 1, 0, 0, 0);
    assert_int_equal(decode_with("Mar  1 10:00:00 h a: x", 0, ref2, 0), VG_OK);
    expect("@timestamp", "2019-03-01T10:00:00Z");
    assert_int_equal(decode_with("Mar  1 10:00:00 h a: x", 0, ref, 0), VG_OK);
    expect("@timestamp", "2025-03-01T10:00:00Z");
    int64_t ny = vg_time_from_civil(2021, 1, 1, 0, 30, 0);     /* still 2020-12-31 at UTC-1 */
    assert_int_equal(decode_with("Jan  1 00:10:00 h a: x", 0, ny, -3600), VG_OK);
    expect("@timestamp", "2020-01-01T01:10:00Z");
    assert_int_equal(decode_with("Jan  1 00:10:00 h a: x", 0, ny, 0), VG_OK);
    expect("@timestamp", "2021-01-01T00:10:00Z");
}

static void test_timezone(void **state)
{
    (void)state;
    /* local time +07:00 (Vietnam): 08:00 local is 01:00 UTC */
    assert_int_equal(decode_with("Mar  3 08:00:00 h a: x", 2025, 0, 7 * 3600), VG_OK);
    expect("@timestamp", "2025-03-03T01:00:00Z");
    /* an explicit offset wins over the default zone */
    assert_int_equal(decode_with("2025-03-03T08:00:00.123456+07:00 h a[1]: x", 0, 0, -5 * 3600), VG_OK);
    expect("@timestamp", "2025-03-03T01:00:00.123456Z");
    expect("host.hostname", "h");
    expect_num("process.pid", "1");
}

static void test_rfc5424(void **state)
{
    (void)state;
    assert_int_equal(decode("<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 "
                            "[exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"]"
                            "[examplePriority@32473 class=\"high\"] \xEF\xBB\xBF" "An application event"), VG_OK);
    expect("@timestamp", "2003-10-11T22:14:15.003Z");
    expect("host.hostname", "mymachine.example.com");
    expect("log.syslog.appname", "evntslog");
    expect("log.syslog.procid", NULL);
    expect("log.syslog.msgid", "ID47");
    expect_num("log.syslog.version", "1");
    expect("message", "An application event");
    expect_raw("log.syslog.structured_data", VG_JSON_OBJECT,
               "{\"exampleSDID@32473\":{\"iut\":\"3\",\"eventSource\":\"Application\",\"eventID\":\"1011\"},"
               "\"examplePriority@32473\":{\"class\":\"high\"}}");

    /* nil values, escaped characters in SD values, no message */
    assert_int_equal(decode("<34>1 - - su 99 - [a b=\"x\\\"y\\]z\\\\\"]"), VG_OK);
    expect("@timestamp", NULL);
    expect("host.hostname", NULL);
    expect_num("process.pid", "99");
    expect_raw("log.syslog.structured_data", VG_JSON_OBJECT, "{\"a\":{\"b\":\"x\\\"y]z\\\\\"}}");
}

static void test_rejections(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "", "hello world", "<192>Mar  3 14:02:11 h a: x", "<0012>Mar  3 14:02:11 h a: x",
        "<38Mar  3 14:02:11 h a: x", "Foo  3 14:02:11 h a: x", "Mar 32 14:02:11 h a: x",
        "Mar  3 24:02:11 h a: x", "Mar  3 14:2:11 h a: x", "2025-13-01T00:00:00Z h a: x",
        "<34>1 2003-10-11T22:14:15 host app - - [unterminated x=\"y]",
        "<34>1 2003-10-11T22:14:15Z host app - - [id x=y] msg", "<34>1 notatime host app - - - msg",
        "<34>1 2003-10-11T22:14:15Z host", "Mar  3",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        expect_reason(decode(bad[i]), bad[i], "");
}

static void test_probe(void **state)
{
    (void)state;
    static const char *const yes[] = {
        "Dec 10 06:55:46 LabSZ sshd[24200]: x", "<13>Nov 21 05:26:32 host app: x",
        "2025-03-03T08:00:00+07:00 h a: x", "<165>1 2003-10-11T22:14:15.003Z h a - - - x",
    };
    static const char *const no[] = {
        "{\"a\":1}", "[Sun Dec 04 04:47:44 2005] [notice] x", "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 200 1",
        "/tmp/eicar.com: Win.Test.EICAR_HDB-1 FOUND", "random text",
    };
    check_probe(&vg_decoder_syslog, yes, sizeof yes / sizeof yes[0], no, sizeof no / sizeof no[0]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc3164),
        cmocka_unit_test(test_rfc3164_variants),
        cmocka_unit_test(test_year_inference),
        cmocka_unit_test(test_timezone),
        cmocka_unit_test(test_rfc5424),
        cmocka_unit_test(test_rejections),
        cmocka_unit_test(test_probe),
    };
    return cmocka_run_group_tests_name("decode-syslog", tests, NULL, NULL);
}
