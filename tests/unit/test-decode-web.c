/*
 * test-decode-web: the "access" decoder (common, combined, vhost_combined, escapes, IPv6,
 * "-" values, malformed requests, time zones) and the "apache-error" decoder (2.2 and 2.4
 * styles), their rejections, their probes, and every prefix of valid lines (no crash).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "decode-fixture.h"

static uint64_t detect_line;  /* line vg_decoder_detect looked at */

/* Decodes an access log line (UTC for times without a zone). */
static vg_rc decode_access(const char *line)
{
    return decode_line(&vg_decoder_web_access, line, 0);
}

/* Decodes an Apache error log line (local time UTC). */
static vg_rc apache_error(const char *line)
{
    return decode_line(&vg_decoder_apache_error, line, 0);
}

/* ---- access ----------------------------------------------------------------------------- */

static void test_common(void **state)
{
    (void)state;
    assert_int_equal(decode_access("192.0.2.10 - - [03/Feb/2025:08:15:02 +0000] \"GET /index.html HTTP/1.0\" 200 5120"), VG_OK);
    expect("source.ip", "192.0.2.10");
    expect("source.domain", NULL);
    expect("user.name", NULL);
    expect("@timestamp", "2025-02-03T08:15:02Z");
    expect("http.request.method", "GET");
    expect("url.original", "/index.html");
    expect("url.path", "/index.html");
    expect("url.query", NULL);
    expect("http.version", "1.0");
    expect_num("http.response.status_code", "200");
    expect_num("http.response.body.bytes", "5120");
    expect("http.request.referrer", NULL);
    expect("user_agent.original", NULL);
    expect_array("event.category", "[\"web\"]");
    expect_array("event.type", "[\"access\"]");
    expect("event.kind", "event");
    expect("event.outcome", "success");
    expect("event.dataset", "apache.access");
    expect("tags", NULL);
}

static void test_combined(void **state)
{
    (void)state;
    assert_int_equal(decode_access("198.51.100.23 - jdoe [03/Feb/2025:08:15:02 +0000] \"POST /tax/declare?year=2024&form=A1 HTTP/1.1\" "
                            "302 0 \"https://portal.example.gov/tax/\" \"Mozilla/5.0 (Windows NT 10.0; Win64; x64)\""), VG_OK);
    expect("user.name", "jdoe");
    expect("http.request.method", "POST");
    expect("url.original", "/tax/declare?year=2024&form=A1");
    expect("url.path", "/tax/declare");
    expect("url.query", "year=2024&form=A1");
    expect("http.version", "1.1");
    expect_num("http.response.status_code", "302");
    expect_num("http.response.body.bytes", "0");
    expect("http.request.referrer", "https://portal.example.gov/tax/");
    expect("user_agent.original", "Mozilla/5.0 (Windows NT 10.0; Win64; x64)");
    expect("event.outcome", "success");

    /* nginx "main": extra quoted fields after the user agent are ignored */
    assert_int_equal(decode_access("198.51.100.23 - - [03/Feb/2025:08:15:02 +0000] \"GET / HTTP/2.0\" 200 12 \"-\" \"curl/8.5.0\" \"10.1.1.1\""), VG_OK);
    expect("http.version", "2.0");
    expect("user_agent.original", "curl/8.5.0");
}

static void test_vhost(void **state)
{
    (void)state;
    assert_int_equal(decode_access("portal.example.gov:443 203.0.113.9 - - [03/Feb/2025:08:15:02 +0000] \"GET /robots.txt HTTP/1.1\" 404 196 \"-\" \"Googlebot/2.1\""), VG_OK);
    expect("destination.domain", "portal.example.gov");
    expect_num("destination.port", "443");
    expect("source.ip", "203.0.113.9");
    expect("url.path", "/robots.txt");
    expect("event.outcome", "failure");
    assert_int_equal(decode_access("portal.example.gov 203.0.113.9 - - [03/Feb/2025:08:15:02 +0000] \"GET / HTTP/1.1\" 200 1"), VG_OK);
    expect("destination.domain", "portal.example.gov");
    expect("destination.port", NULL);
}

static void test_escaped_quotes(void **state)
{
    (void)state;
    assert_int_equal(decode_access("203.0.113.50 - - [03/Feb/2025:08:15:02 +0000] \"GET /search?q=\\\"union select\\\"&x=\\\\ HTTP/1.1\" 200 10 "
                            "\"-\" \"sqlmap/1.8 (\\\"https://sqlmap.org\\\")\""), VG_OK);
    expect("url.original", "/search?q=\"union select\"&x=\\");
    expect("url.path", "/search");
    expect("url.query", "q=\"union select\"&x=\\");
    expect("user_agent.original", "sqlmap/1.8 (\"https://sqlmap.org\")");
    /* other escapes stay as logged */
    assert_int_equal(decode_access("203.0.113.50 - - [03/Feb/2025:08:15:02 +0000] \"GET /a\\x00b HTTP/1.1\" 400 0"), VG_OK);
    expect("url.original", "/a\\x00b");
}

static void test_ipv6_and_hosts(void **state)
{
    (void)state;
    assert_int_equal(decode_access("2001:db8:4::1f - - [03/Feb/2025:08:15:02 +0000] \"GET / HTTP/1.1\" 200 3"), VG_OK);
    expect("source.ip", "2001:db8:4::1f");
    assert_int_equal(decode_access("::ffff:192.0.2.1 - - [03/Feb/2025:08:15:02 +0000] \"GET / HTTP/1.1\" 200 3"), VG_OK);
    expect("source.ip", "::ffff:192.0.2.1");
    assert_int_equal(decode_access("client-7.example.net - - [03/Feb/2025:08:15:02 +0000] \"GET / HTTP/1.1\" 200 3"), VG_OK);
    expect("source.ip", NULL);
    expect("source.domain", "client-7.example.net");
}

static void test_dash_values(void **state)
{
    (void)state;
    assert_int_equal(decode_access("192.0.2.10 - - [03/Feb/2025:08:15:02 +0000] \"-\" 408 - \"-\" \"-\""), VG_OK);
    expect("user.name", NULL);
    expect("url.original", NULL);
    expect("http.request.method", NULL);
    expect("http.response.body.bytes", NULL);
    expect("http.request.referrer", NULL);
    expect("user_agent.original", NULL);
    expect("tags", NULL);
    expect_num("http.response.status_code", "408");
    expect("event.outcome", "failure");
    /* no size at all */
    assert_int_equal(decode_access("192.0.2.10 - - [03/Feb/2025:08:15:02 +0000] \"GET / HTTP/1.1\" 200"), VG_OK);
    expect("http.response.body.bytes", NULL);
}

static void test_malformed_requests(void **state)
{
    (void)state;
    /* TLS spoken to a plain HTTP port, as Apache logs it */
    assert_int_equal(decode_access("203.0.113.66 - - [03/Feb/2025:08:15:02 +0000] \"\\x16\\x03\\x01\\x02\\x00\\x01\\x00\\x01\\xfc\\x03\\x03\" 400 226"), VG_OK);
    expect("url.original", "\\x16\\x03\\x01\\x02\\x00\\x01\\x00\\x01\\xfc\\x03\\x03");
    expect_array("tags", "[\"malformed_request\"]");
    expect("http.request.method", NULL);
    expect("url.path", NULL);
    static const char *const bad[] = {
        "GET", "GET  HTTP/1.1", "GET /a b", "WHAT?EVER / HTTP/1.1", "GET / HTTP/1.1 extra words",
        "AVERYVERYVERYLONGMETHODNAMETHATISNOTAMETHOD / HTTP/1.1", "\\\"",
    };
    char line[256];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(line, sizeof line, "203.0.113.66 - - [03/Feb/2025:08:15:02 +0000] \"%s\" 400 0", bad[i]);
        if (decode_access(line) != VG_OK)
            fail_msg("rejected: %s (%s)", line, err.msg);
        vg_value tags = vg_event_get(&ev, "tags");
        if (tags.type != VG_JSON_ARRAY)
            fail_msg("not marked malformed: %s", line);
    }
    expect("url.original", "\"");
    /* NUL bytes are bytes like any other: never a method character */
    static const char nul[] = "203.0.113.66 - - [03/Feb/2025:08:15:02 +0000] \"GE\0T / HTTP/1.1\" 400 0";
    vg_decode_opts opts = { 2025, 0, 0 };
    vg_event_reset(&ev, nul, sizeof nul - 1, NULL);
    assert_int_equal(vg_decoder_web_access.decode(&opts, &ev, &err), VG_OK);
    expect_array("tags", "[\"malformed_request\"]");
    expect("http.request.method", NULL);
    /* HTTP/0.9: no protocol */
    assert_int_equal(decode_access("203.0.113.66 - - [03/Feb/2025:08:15:02 +0000] \"GET /old\" 200 10"), VG_OK);
    expect("http.request.method", "GET");
    expect("url.path", "/old");
    expect("http.version", NULL);
    expect("tags", NULL);
}

static void test_url_forms(void **state)
{
    (void)state;
    assert_int_equal(decode_access("203.0.113.66 - - [03/Feb/2025:08:15:02 +0000] \"GET http://user:pw@proxy-test.example:8080/a/b?c=d#top HTTP/1.1\" 404 0"), VG_OK);
    expect("url.scheme", "http");
    expect("url.domain", "proxy-test.example");
    expect_num("url.port", "8080");
    expect("url.path", "/a/b");
    expect("url.query", "c=d");
    expect("url.fragment", "top");
    assert_int_equal(decode_access("203.0.113.66 - - [03/Feb/2025:08:15:02 +0000] \"CONNECT mail.example.com:25 HTTP/1.1\" 405 0"), VG_OK);
    expect("http.request.method", "CONNECT");
    expect("url.original", "mail.example.com:25");
    expect("url.path", NULL);
    expect("url.domain", NULL);
    assert_int_equal(decode_access("203.0.113.66 - - [03/Feb/2025:08:15:02 +0000] \"OPTIONS * HTTP/1.1\" 200 0"), VG_OK);
    expect("url.original", "*");
    expect("url.path", NULL);
    assert_int_equal(decode_access("203.0.113.66 - - [03/Feb/2025:08:15:02 +0000] \"GET /?#x HTTP/1.1\" 200 0"), VG_OK);
    expect("url.path", "/");
    expect("url.query", NULL);
    expect("url.fragment", "x");
}

static void test_timezones(void **state)
{
    (void)state;
    /* the zone in the line wins over the options */
    assert_int_equal(decode_line(&vg_decoder_web_access, "192.0.2.1 - - [01/Jan/2025:05:30:00 +0700] \"GET / HTTP/1.1\" 200 1", 3600), VG_OK);
    expect("@timestamp", "2024-12-31T22:30:00Z");
    assert_int_equal(decode_access("192.0.2.1 - - [31/Dec/2024:20:00:00 -0530] \"GET / HTTP/1.1\" 200 1"), VG_OK);
    expect("@timestamp", "2025-01-01T01:30:00Z");
    assert_int_equal(decode_access("192.0.2.1 - - [29/Feb/2024:12:00:00.250 +0000] \"GET / HTTP/1.1\" 200 1"), VG_OK);
    expect("@timestamp", "2024-02-29T12:00:00.250Z");
}

static void test_status_outcome(void **state)
{
    (void)state;
    static const struct {
        const char *status, *num, *outcome;
    } cases[] = {
        { "101", "101", "success" }, { "304", "304", "success" }, { "399", "399", "success" },
        { "400", "400", "failure" }, { "499", "499", "failure" }, { "503", "503", "failure" },
        { "000", "0", "unknown" }, { "999", "999", "unknown" },
    };
    char line[128];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(line, sizeof line, "192.0.2.1 - - [01/Jan/2025:05:30:00 +0000] \"GET / HTTP/1.1\" %s 1", cases[i].status);
        assert_int_equal(decode_access(line), VG_OK);
        expect_num("http.response.status_code", cases[i].num);
        expect("event.outcome", cases[i].outcome);
    }
}

static void test_access_rejects(void **state)
{
    (void)state;
    static const struct {
        const char *line, *reason;
    } cases[] = {
        { "", "expected 'CLIENT IDENT USER [TIME]'" },
        { "just some words here", "expected 'CLIENT IDENT USER [TIME]'" },
        { "192.0.2.1 - [01/Jan/2025:05:30:00 +0000] \"GET / HTTP/1.1\" 200 1", "expected 'CLIENT IDENT USER [TIME]'" },
        { "192.0.2.1 - - 01/Jan/2025:05:30:00 +0000 \"GET / HTTP/1.1\" 200 1", "expected 'CLIENT IDENT USER [TIME]'" },
        { "a b c d e [01/Jan/2025:05:30:00 +0000] \"GET /\" 200 1", "expected 'CLIENT IDENT USER [TIME]'" },
        { "bad:vhost:x 192.0.2.1 - - [01/Jan/2025:05:30:00 +0000] \"GET /\" 200 1", "virtual host" },
        { "!!! - - [01/Jan/2025:05:30:00 +0000] \"GET / HTTP/1.1\" 200 1", "client address" },
        { "999.1.1.1 - - [01/Jan/2025:05:30:00 +0000] \"GET / HTTP/1.1\" 200 1", "client address" },
        { "192.0.2.1 - - [32/Jan/2025:05:30:00 +0000] \"GET / HTTP/1.1\" 200 1", "expected a time like" },
        { "192.0.2.1 - - [29/Feb/2025:05:30:00 +0000] \"GET / HTTP/1.1\" 200 1", "expected a time like" },
        { "192.0.2.1 - - [01/Jan/2025:05:30:00] \"GET / HTTP/1.1\" 200 1", "expected a time like" },
        { "192.0.2.1 - - [01/Jan/2025:05:30:00 +0000", "expected a time like" },
        { "192.0.2.1 - - [01/Jan/2025:05:30:00 +0000] GET / HTTP/1.1 200 1", "expected '\"' before the request line" },
        { "192.0.2.1 - - [01/Jan/2025:05:30:00 +0000]", "expected '\"' before the request line" },
        { "192.0.2.1 - - [01/Jan/2025:05:30:00 +0000] \"GET / HTTP/1.1 200 1", "unterminated request line" },
        { "192.0.2.1 - - [01/Jan/2025:05:30:00 +0000] \"GET /\\\" 200 1", "unterminated request line" },
        { "192.0.2.1 - - [01/Jan/2025:05:30:00 +0000] \"GET / HTTP/1.1\"", "3-digit status" },
        { "192.0.2.1 - - [01/Jan/2025:05:30:00 +0000] \"GET / HTTP/1.1\" OK 1", "3-digit status" },
        { "192.0.2.1 - - [01/Jan/2025:05:30:00 +0000] \"GET / HTTP/1.1\" 2000 1", "3-digit status" },
        { "192.0.2.1 - - [01/Jan/2025:05:30:00 +0000] \"GET / HTTP/1.1\" 200 12k", "response size" },
        { "192.0.2.1 - - [01/Jan/2025:05:30:00 +0000] \"GET / HTTP/1.1\" 200 ", "response size" },
        { "192.0.2.1 - - [01/Jan/2025:05:30:00 +0000] \"GET / HTTP/1.1\" 200 1 \"http://x/", "unterminated referrer" },
        { "192.0.2.1 - - [01/Jan/2025:05:30:00 +0000] \"GET / HTTP/1.1\" 200 1 \"-\" \"Mozilla", "unterminated user agent" },
        { "Feb  3 08:15:02 web01 sshd[811]: Accepted password for root from 192.0.2.1 port 22 ssh2", "CLIENT IDENT USER" },
        { "[Mon Feb 03 08:15:02 2025] [error] [client 192.0.2.1] File does not exist", "CLIENT IDENT USER" },
        { "/srv/share/eicar.com: Win.Test.EICAR_HDB-1 FOUND", "CLIENT IDENT USER" },
        { "{\"source\":{\"ip\":\"192.0.2.1\"}}", "CLIENT IDENT USER" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_reason(decode_access(cases[i].line), cases[i].line, cases[i].reason);
}

/* An escaped value that does not fit the event scratch is rejected with a reason. */
static void test_scratch_limit(void **state)
{
    (void)state;
    size_t n = 2 * VG_EVENT_SCRATCH + 200;
    char *line = malloc(n);
    assert_non_null(line);
    int k = snprintf(line, n, "192.0.2.1 - - [01/Jan/2025:05:30:00 +0000] \"GET / HTTP/1.1\" 200 1 \"-\" \"");
    for (size_t j = 0; j < VG_EVENT_SCRATCH; j += 2) {
        line[k++] = '\\';
        line[k++] = '"';
    }
    line[k++] = 'x';
    line[k++] = '"';
    line[k] = '\0';
    vg_rc rc = decode_access(line);
    free(line);
    assert_int_equal(rc, VG_ERR_LIMIT);
    assert_non_null(strstr(err.msg, "longer than the event scratch"));
}

/* ---- apache-error ------------------------------------------------------------------------ */

static void test_error_22(void **state)
{
    (void)state;
    assert_int_equal(apache_error("[Mon Feb 03 08:15:02 2025] [error] [client 192.0.2.77] File does not exist: /var/www/html/wp-login.php"), VG_OK);
    expect("@timestamp", "2025-02-03T08:15:02Z");
    expect("log.level", "error");
    expect("source.ip", "192.0.2.77");
    expect("source.port", NULL);
    expect("message", "File does not exist: /var/www/html/wp-login.php");
    expect("apache.error.module", NULL);
    expect("event.kind", "event");
    expect_array("event.category", "[\"web\"]");
    expect_array("event.type", "[\"error\"]");
    expect("event.dataset", "apache.error");
    assert_int_equal(apache_error("[Mon Feb 03 08:15:02 2025] [notice] Apache/2.2.34 configured -- resuming normal operations"), VG_OK);
    expect("log.level", "notice");
    expect_array("event.type", "[\"info\"]");
    expect("source.ip", NULL);
    expect("message", "Apache/2.2.34 configured -- resuming normal operations");
    assert_int_equal(apache_error("[Mon Feb 03 08:15:02 2025] [error] [client 2001:db8::5] Directory index forbidden by rule: /srv/"), VG_OK);
    expect("source.ip", "2001:db8::5");
    expect("source.port", NULL);
}

static void test_error_24(void **state)
{
    (void)state;
    assert_int_equal(apache_error("[Mon Feb 03 08:15:02.123456 2025] [authz_core:error] [pid 4242:tid 139872] "
                                  "[client 203.0.113.5:51234] AH01630: client denied by server configuration: /srv/www/admin, "
                                  "referer: https://portal.example.gov/"), VG_OK);
    expect("@timestamp", "2025-02-03T08:15:02.123456Z");
    expect("log.level", "error");
    expect("apache.error.module", "authz_core");
    expect_num("process.pid", "4242");
    expect_num("process.thread.id", "139872");
    expect("source.ip", "203.0.113.5");
    expect_num("source.port", "51234");
    expect("error.code", "AH01630");
    expect("message", "AH01630: client denied by server configuration: /srv/www/admin");
    expect("http.request.referrer", "https://portal.example.gov/");
    /* the OS error before the client, an IPv6 client with its port */
    assert_int_equal(apache_error("[Mon Feb 03 08:15:02.000001 2025] [core:crit] [pid 7] (13)Permission denied: "
                                  "[client 2001:db8::9:40000] AH00529: /srv/www/.htaccess pcfg_openfile: unable to check htaccess file"), VG_OK);
    expect("error.message", "(13)Permission denied");
    expect("source.ip", "2001:db8::9");
    expect_num("source.port", "40000");
    expect("process.thread.id", NULL);
    expect("error.code", "AH00529");
    expect_array("event.type", "[\"error\"]");
    /* no client, an unnamed module, no AH code */
    assert_int_equal(apache_error("[Mon Feb 03 08:15:02.5 2025] [:warn] [pid 9] PHP Warning:  something odd, referer: x"), VG_OK);
    expect("apache.error.module", NULL);
    expect("log.level", "warn");
    expect("error.code", NULL);
    expect("message", "PHP Warning:  something odd, referer: x");   /* no request: no referrer */
    expect("http.request.referrer", NULL);
    assert_int_equal(apache_error("[Mon Feb 03 08:15:02 2025] [mpm_event:notice] [pid 1:tid 2] AH00489: Apache/2.4.62 (Debian) configured"), VG_OK);
    expect("apache.error.module", "mpm_event");
    expect_array("event.type", "[\"info\"]");
    assert_int_equal(apache_error("[Mon Feb 03 08:15:02 2025] [ssl:trace3] [pid 1] [client portal-lb.example.gov:443] x"), VG_OK);
    expect("source.domain", "portal-lb.example.gov");
    expect_num("source.port", "443");
}

static void test_error_timezone(void **state)
{
    (void)state;
    assert_int_equal(decode_line(&vg_decoder_apache_error, "[Wed Jan 01 05:30:00 2025] [notice] x", 7 * 3600), VG_OK);
    expect("@timestamp", "2024-12-31T22:30:00Z");
    assert_int_equal(decode_line(&vg_decoder_apache_error, "[Tue Dec 31 20:00:00 2024] [notice] x", -(5 * 3600 + 1800)), VG_OK);
    expect("@timestamp", "2025-01-01T01:30:00Z");
    assert_int_equal(apache_error("[Thu Feb  6 01:02:03 2025] [notice] day padded with a space"), VG_OK);
    expect("@timestamp", "2025-02-06T01:02:03Z");
}

static void test_error_rejects(void **state)
{
    (void)state;
    static const struct {
        const char *line, *reason;
    } cases[] = {
        { "", "expected a time like" },
        { "garbage", "expected a time like" },
        { "[Mon Feb 03 08:15:02 2025", "expected a time like" },
        { "[Feb 03 08:15:02 2025] [error] x", "expected a time like" },
        { "[Mon Feb 30 08:15:02 2025] [error] x", "expected a time like" },
        { "[Mon Feb 03 24:15:02 2025] [error] x", "expected a time like" },
        { "[Mon Feb 03 08:15:02 2025]", "expected a level" },
        { "[Mon Feb 03 08:15:02 2025] error: x", "expected a level" },
        { "[Mon Feb 03 08:15:02 2025] [fatal] x", "expected a level" },
        { "[Mon Feb 03 08:15:02 2025] [core:error x", "expected a level" },
        { "192.0.2.1 - - [01/Jan/2025:05:30:00 +0000] \"GET / HTTP/1.1\" 200 1", "expected a time like" },
        { "Feb  3 08:15:02 web01 httpd[811]: [error] x", "expected a time like" },
        { "Mon Feb 03 08:15:02 2025 -> /srv/x: Eicar FOUND", "expected a time like" },
        { "[\"json\", 1]", "expected a time like" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_reason(apache_error(cases[i].line), cases[i].line, cases[i].reason);
}

/* ---- probes and hostile input ----------------------------------------------------------- */

static const char *const access_lines[] = {
    "192.0.2.10 - - [03/Feb/2025:08:15:02 +0000] \"GET /index.html HTTP/1.0\" 200 5120",
    "2001:db8::1 - bob [03/Feb/2025:08:15:02 -0800] \"GET /x HTTP/1.1\" 200 5 \"-\" \"Wget/1.21\"",
    "portal.example.gov:443 203.0.113.9 - - [03/Feb/2025:08:15:02 +0000] \"\\x16\\x03\" 400 0 \"-\" \"-\"",
};
static const char *const error_lines[] = {
    "[Mon Feb 03 08:15:02 2025] [error] [client 192.0.2.77] File does not exist: /var/www/html/x",
    "[Mon Feb 03 08:15:02.123456 2025] [core:error] [pid 1:tid 2] (2)No such file: [client 192.0.2.7:5] AH00128: x, referer: y",
};
static const char *const other_lines[] = {
    "Feb  3 08:15:02 web01 sshd[811]: Failed password for root from 192.0.2.1 port 22 ssh2",
    "<34>1 2025-02-03T08:15:02Z web01 httpd 811 - - hello",
    "2025-02-03T08:15:02+07:00 web01 kernel: x",
    "/srv/share/eicar.com: Win.Test.EICAR_HDB-1 FOUND",
    "Mon Feb  3 08:15:02 2025 -> /srv/share/eicar.com: Win.Test.EICAR_HDB-1 FOUND",
    "----------- SCAN SUMMARY -----------",
    "{\"@timestamp\":\"2025-02-03T08:15:02Z\",\"message\":\"[Mon Feb 03 08:15:02 2025] [error]\"}",
    "hello world",
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void test_probes(void **state)
{
    (void)state;
    check_probe(&vg_decoder_web_access, access_lines, N(access_lines), error_lines, N(error_lines));
    check_probe(&vg_decoder_web_access, access_lines, 0, other_lines, N(other_lines));
    check_probe(&vg_decoder_apache_error, error_lines, N(error_lines), access_lines, N(access_lines));
    check_probe(&vg_decoder_apache_error, error_lines, 0, other_lines, N(other_lines));
    /* detection of a whole input picks the right decoder from its first line */
    char buf[512];
    snprintf(buf, sizeof buf, "\n%s\n%s\n", access_lines[1], access_lines[0]);
    assert_ptr_equal(vg_decoder_detect(buf, strlen(buf), &detect_line), &vg_decoder_web_access);
    snprintf(buf, sizeof buf, "%s\r\n", error_lines[1]);
    assert_ptr_equal(vg_decoder_detect(buf, strlen(buf), &detect_line), &vg_decoder_apache_error);
}

static void test_hostile_prefixes(void **state)
{
    (void)state;
    for (size_t i = 0; i < N(access_lines); i++)
        decode_prefixes(&vg_decoder_web_access, access_lines[i]);
    for (size_t i = 0; i < N(error_lines); i++)
        decode_prefixes(&vg_decoder_apache_error, error_lines[i]);
    for (size_t i = 0; i < N(other_lines); i++) {
        decode_prefixes(&vg_decoder_web_access, other_lines[i]);
        decode_prefixes(&vg_decoder_apache_error, other_lines[i]);
    }
    decode_prefixes(&vg_decoder_web_access, "1.2.3.4 - - [01/Jan/2025:05:30:00 +0000] \"GET http://[::1 HTTP/1.1\" 200 1 \"\\");
    decode_prefixes(&vg_decoder_apache_error, "[Mon Feb 03 08:15:02 2025] [core:error] [pid :tid ] [client [::1]:] (1:AH1");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_common),
        cmocka_unit_test(test_combined),
        cmocka_unit_test(test_vhost),
        cmocka_unit_test(test_escaped_quotes),
        cmocka_unit_test(test_ipv6_and_hosts),
        cmocka_unit_test(test_dash_values),
        cmocka_unit_test(test_malformed_requests),
        cmocka_unit_test(test_url_forms),
        cmocka_unit_test(test_timezones),
        cmocka_unit_test(test_status_outcome),
        cmocka_unit_test(test_access_rejects),
        cmocka_unit_test(test_scratch_limit),
        cmocka_unit_test(test_error_22),
        cmocka_unit_test(test_error_24),
        cmocka_unit_test(test_error_timezone),
        cmocka_unit_test(test_error_rejects),
        cmocka_unit_test(test_probes),
        cmocka_unit_test(test_hostile_prefixes),
    };
    return cmocka_run_group_tests_name("decode-web", tests, NULL, NULL);
}
