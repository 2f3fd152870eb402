/*
 * test-intel-feed-stix: the STIX 2.1 parser on the hand-written bundle in
 * tests/data/intel-stix and on single indicators given inline: every pattern form Vigil
 * evaluates (each object path, CIDR values, quoted hash names, escapes, OR at both levels,
 * parentheses), every reason a pattern is not supported or invalid, revoked and expiring
 * indicators, provenance (family through relationships, references, confidence, times) and
 * the counts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "feed-fixture.h"

#define ID "indicator--00000000-0000-4000-8000-000000000001"

static const char *stix(const char *text)
{
    vg_feed_opts opts;
    vg_feed_opts_init(&opts, VG_FEED_STIX);
    return parse_as(&opts, "s.json", text, VG_OK);
}

/* One indicator with pattern p (JSON string content) and the given extra members. */
static const char *pattern(const char *p, const char *extra)
{
    static char text[8192];
    snprintf(text, sizeof text, "{\"type\": \"indicator\", \"id\": \"" ID "\", \"pattern\": \"%s\"%s}", p, extra);
    return stix(text);
}

static void test_bundle(void **state)
{
    (void)state;
    vg_feed_opts opts;
    vg_feed_opts_init(&opts, VG_FEED_STIX);
    expect_text(parse_file_as(&opts, "tests/data/intel-stix/bundle.json", VG_OK),
                "L15 ipv4 192.0.2.50 family=QakBot note=QakBot C2 | malicious-activity refs=indicator--a1b2c3d4-0001-4000-8000-000000000001|https://cert.example/advisories/2026-001|capec:CAPEC-98 count=85 first=1767571200 last=1767691800 expires=4070908800\n"
                "L15 cidr4 198.51.100.0/25 family=QakBot note=QakBot C2 | malicious-activity refs=indicator--a1b2c3d4-0001-4000-8000-000000000001|https://cert.example/advisories/2026-001|capec:CAPEC-98 count=85 first=1767571200 last=1767691800 expires=4070908800\n"
                "L15 domain qbot-c2.example family=QakBot note=QakBot C2 | malicious-activity refs=indicator--a1b2c3d4-0001-4000-8000-000000000001|https://cert.example/advisories/2026-001|capec:CAPEC-98 count=85 first=1767571200 last=1767691800 expires=4070908800\n"
                "L34 sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 note=Loader payload refs=indicator--a1b2c3d4-0002-4000-8000-000000000002 first=1767744000 last=1767744000\n"
                "L34 md5 d41d8cd98f00b204e9800998ecf8427e note=Loader payload refs=indicator--a1b2c3d4-0002-4000-8000-000000000002 first=1767744000 last=1767744000\n"
                "L40 url http://old-phish.example/login note=Old phishing site refs=indicator--a1b2c3d4-0003-4000-8000-000000000003 first=1735689600 last=1735689600 expires=1748736000\n"
                "L51 REJECT indicator--a1b2c3d4-0005-4000-8000-000000000005: pattern not supported: AND (an indicator store holds single values; every comparison would have to hold)\n"
                "L56 REJECT indicator--a1b2c3d4-0006-4000-8000-000000000006: pattern not supported: pattern_type 'snort' (only stix patterns are evaluated)\n"
                "L62 email payroll@evil-mail.example note=phishing refs=indicator--a1b2c3d4-0007-4000-8000-000000000007 first=1767225600 last=1767225600\n"
                "L62 account o'brien note=phishing refs=indicator--a1b2c3d4-0007-4000-8000-000000000007 first=1767225600 last=1767225600\n"
                "L62 ipv6 2001:db8:bad::1 note=phishing refs=indicator--a1b2c3d4-0007-4000-8000-000000000007 first=1767225600 last=1767225600\n");
}


/* Every object path and form Vigil evaluates. */
static void test_patterns(void **state)
{
    (void)state;
    expect_text(pattern("[ipv4-addr:value = '192.0.2.1']", ""),
                "L1 ipv4 192.0.2.1 refs=indicator--00000000-0000-4000-8000-000000000001\n");
    expect_text(pattern("[ipv4-addr:value = '192.0.2.1/24' OR ipv6-addr:value = '2001:db8::1' OR "
                        "ipv6-addr:value = '2001:db8::/32']", ""),
                "L1 cidr4 192.0.2.0/24 refs=indicator--00000000-0000-4000-8000-000000000001 masked\n"
                "L1 ipv6 2001:db8::1 refs=indicator--00000000-0000-4000-8000-000000000001\n"
                "L1 cidr6 2001:db8::/32 refs=indicator--00000000-0000-4000-8000-000000000001\n");
    expect_text(pattern("[domain-name:value = 'Evil.Example.'] OR [url:value = 'http://a.example/x']", ""),
                "L1 domain evil.example refs=indicator--00000000-0000-4000-8000-000000000001\n"
                "L1 url http://a.example/x refs=indicator--00000000-0000-4000-8000-000000000001\n");
    expect_text(pattern("[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e' OR "
                        "file:hashes.'SHA-1' = 'da39a3ee5e6b4b0d3255bfef95601890afd80709' OR "
                        "file:hashes.sha256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855']", ""),
                "L1 md5 d41d8cd98f00b204e9800998ecf8427e refs=indicator--00000000-0000-4000-8000-000000000001\n"
                "L1 sha1 da39a3ee5e6b4b0d3255bfef95601890afd80709 refs=indicator--00000000-0000-4000-8000-000000000001\n"
                "L1 sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 refs=indicator--00000000-0000-4000-8000-000000000001\n");
    expect_text(pattern("([email-addr:value = 'a@b.example'] OR ([user-account:user_id = 'root'] OR "
                        "[user-account:account_login = 'it\\\\'s \\\\\\\\ me']))", ""),
                "L1 email a@b.example refs=indicator--00000000-0000-4000-8000-000000000001\n"
                "L1 account root refs=indicator--00000000-0000-4000-8000-000000000001\n"
                "L1 account it's \\ me refs=indicator--00000000-0000-4000-8000-000000000001\n");
    expect_text(pattern("[(network-traffic:dst_ref.value = '192.0.2.9' OR network-traffic:src_ref.value = '10.0.0.0/8')]",
                        ""),
                "L1 ipv4 192.0.2.9 refs=indicator--00000000-0000-4000-8000-000000000001\n"
                "L1 cidr4 10.0.0.0/8 refs=indicator--00000000-0000-4000-8000-000000000001\n");
    expect_text(pattern("  [\\tipv4-addr:value='192.0.2.2'\\n]  ", ", \"pattern_type\": \"stix\""),
                "L1 ipv4 192.0.2.2 refs=indicator--00000000-0000-4000-8000-000000000001\n");
}

/* Every reason a pattern is not loaded: the whole indicator, never a part. */
static void test_rejections(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "[ipv4-addr:value = '192.0.2.1' AND ipv4-addr:value = '192.0.2.2']",
        "[ipv4-addr:value = '192.0.2.1'] AND [domain-name:value = 'a.example']",
        "[ipv4-addr:value = '192.0.2.1'] FOLLOWEDBY [domain-name:value = 'a.example']",
        "[ipv4-addr:value = '192.0.2.1'] WITHIN 300 SECONDS",
        "[ipv4-addr:value = '192.0.2.1'] REPEATS 5 TIMES",
        "[ipv4-addr:value = '192.0.2.1'] START t'2026-01-01T00:00:00Z' STOP t'2026-02-01T00:00:00Z'",
        "[ipv4-addr:value != '192.0.2.1']",
        "[ipv4-addr:value > '192.0.2.1']",
        "[ipv4-addr:value <= '192.0.2.1']",
        "[domain-name:value LIKE '%.example']",
        "[domain-name:value MATCHES '^a']",
        "[ipv4-addr:value IN ('192.0.2.1', '192.0.2.2')]",
        "[ipv4-addr:value ISSUBSET '192.0.2.0/24']",
        "[ipv4-addr:value NOT = '192.0.2.1']",
        "[NOT ipv4-addr:value = '192.0.2.1']",
        "[EXISTS windows-registry-key:key]",
        "[file:hashes.'SHA-512' = 'ab']",
        "[file:name = 'evil.exe']",
        "[email-message:to_refs[*].value = 'a@b.example']",
        "[network-traffic:dst_port = 443]",
        "[ipv4-addr:value = 3232235521]",
        "[ipv4-addr:value = '192.0.2.1' OR ipv4-addr:value = '999.0.0.1']",
        "[ipv4-addr:value = '2001:db8::1']",
        "[ipv4-addr:value = '192.0.2.1'",
        "ipv4-addr:value = '192.0.2.1'",
        "[ipv4-addr:value = '192.0.2.1] OR [",
        "[ipv4-addr:value = '\\\\x41']",
        "[ipv4-addr:value = '192.0.2.1'] or [ipv4-addr:value = '192.0.2.2']",
        "[ipv4-addr value = '192.0.2.1']",
        "[ipv4-addr:value = '192.0.2.1'] extra",
        "[file:hashes.'SHA-1 = 'x']",
        "[a:b.c.d.e.f.g.h.i = 'x']",
        "",
    };
    vg_buf all;
    vg_buf_init(&all, 0);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        vg_buf_puts(&all, pattern(bad[i], ""));
        assert_int_equal(stats.accepted, 0);
        assert_int_equal(stats.rejected, 1);
    }
    expect_text(all.data,
                "L1 REJECT indicator--00000000-0000-4000-8000-000000000001: pattern not supported: AND (an indicator store holds single values; every comparison would have to hold)\n"
                "L1 REJECT indicator--00000000-0000-4000-8000-000000000001: pattern not supported: AND between observations (both would have to be seen)\n"
                "L1 REJECT indicator--00000000-0000-4000-8000-000000000001: pattern not supported: FOLLOWEDBY (a sequence of observations)\n"
                "L1 REJECT indicator--00000000-0000-4000-8000-000000000001: pattern not supported: qualifier WITHIN (observations over time are not evaluated)\n"
                "L1 REJECT indicator--00000000-0000-4000-8000-000000000001: pattern not supported: qualifier REPEATS (observations over time are not evaluated)\n"
                "L1 REJECT indicator--00000000-0000-4000-8000-000000000001: pattern not supported: qualifier START (observations over time are not evaluated)\n"
                "L1 REJECT indicator--00000000-0000-4000-8000-000000000001: pattern not supported: operator '!=' (only '=' is evaluated)\n"
                "L1 REJECT indicator--00000000-0000-4000-8000-000000000001: pattern not supported: operator '>' (only '=' is evaluated)\n"
                "L1 REJECT indicator--00000000-0000-4000-8000-000000000001: pattern not supported: operator '<=' (only '=' is evaluated)\n"
                "L1 REJECT indicator--00000000-0000-4000-8000-000000000001: pattern not supported: operator LIKE (only '=' is evaluated)\n"
                "L1 REJECT indicator--00000000-0000-4000-8000-000000000001: pattern not supported: operator MATCHES (only '=' is evaluated)\n"
                "L1 REJECT indicator--00000000-0000-4000-8000-000000000001: pattern not supported: operator IN (only '=' is evaluated)\n"
                "L1 REJECT indicator--00000000-0000-4000-8000-000000000001: pattern not supported: operator ISSUBSET (only '=' is evaluated)\n"
                "L1 REJECT indicator--00000000-0000-4000-8000-000000000001: pattern not supported: operator NOT (only '=' is evaluated)\n"
                "L1 REJECT indicator--00000000-0000-4000-8000-000000000001: pattern not supported: NOT (only equality comparisons are evaluated)\n"
                "L1 REJECT indicator--00000000-0000-4000-8000-000000000001: pattern not supported: EXISTS (only equality comparisons are evaluated)\n"
                "L1 REJECT indicator--00000000-0000-4000-8000-000000000001: pattern not supported: hash algorithm 'SHA-512' (vigil holds MD5, SHA-1 and SHA-256)\n"
                "L1 REJECT indicator--00000000-0000-4000-8000-000000000001: pattern not supported: object path 'file:name' (vigil evaluates ipv4-addr:value, ipv6-addr:value, domain-name:value, url:value, email-addr:value, file:hashes.MD5/SHA-1/SHA-256, user-account:user_id/account_login, network-traffic:dst_ref.value/src_ref.value)\n"
                "L1 REJECT indicator--00000000-0000-4000-8000-000000000001: pattern not supported: list index in object path 'email-message:to_refs'\n"
                "L1 REJECT indicator--00000000-0000-4000-8000-000000000001: pattern not supported: object path 'network-traffic:dst_port' (vigil evaluates ipv4-addr:value, ipv6-addr:value, domain-name:value, url:value, email-addr:value, file:hashes.MD5/SHA-1/SHA-256, user-account:user_id/account_login, network-traffic:dst_ref.value/src_ref.value)\n"
                "L1 REJECT indicator--00000000-0000-4000-8000-000000000001: pattern not supported: a constant that is not a string (only string comparisons are evaluated)\n"
                "L1 REJECT indicator--00000000-0000-4000-8000-000000000001: '999.0.0.1': not an IPv4 or IPv6 address (the indicator is not loaded)\n"
                "L1 REJECT indicator--00000000-0000-4000-8000-000000000001: '2001:db8::1': not an IPv4 address (the indicator is not loaded)\n"
                "L1 REJECT indicator--00000000-0000-4000-8000-000000000001: pattern is invalid: expected ']'\n"
                "L1 REJECT indicator--00000000-0000-4000-8000-000000000001: pattern is invalid: expected '[' (an observation expression)\n"
                "L1 REJECT indicator--00000000-0000-4000-8000-000000000001: pattern is invalid: string constant is not closed with '\n"
                "L1 REJECT indicator--00000000-0000-4000-8000-000000000001: pattern is invalid: unknown escape in a string constant (only \\' and \\\\)\n"
                "L1 REJECT indicator--00000000-0000-4000-8000-000000000001: pattern is invalid: unexpected text at offset 32\n"
                "L1 REJECT indicator--00000000-0000-4000-8000-000000000001: pattern is invalid: expected an object path (object-type:property)\n"
                "L1 REJECT indicator--00000000-0000-4000-8000-000000000001: pattern is invalid: unexpected text at offset 32\n"
                "L1 REJECT indicator--00000000-0000-4000-8000-000000000001: pattern not supported: hash algorithm 'SHA-1 = ' (vigil holds MD5, SHA-1 and SHA-256)\n"
                "L1 REJECT indicator--00000000-0000-4000-8000-000000000001: pattern not supported: object path 'a:b.c.d.e.f.g.h.i' (vigil evaluates ipv4-addr:value, ipv6-addr:value, domain-name:value, url:value, email-addr:value, file:hashes.MD5/SHA-1/SHA-256, user-account:user_id/account_login, network-traffic:dst_ref.value/src_ref.value)\n"
                "L1 REJECT indicator--00000000-0000-4000-8000-000000000001: pattern is invalid: expected '[' (an observation expression)\n");
    vg_buf_free(&all);
}

/* The other members: revocation, times, confidence, pattern type, ids, shapes. */
static void test_fields(void **state)
{
    (void)state;
    static const char p[] = "[ipv4-addr:value = '192.0.2.1']";
    expect_text(pattern(p, ", \"revoked\": true"),
                "");
    assert_int_equal(stats.revoked, 1);
    assert_int_equal(stats.records, 1);
    expect_text(pattern(p, ", \"revoked\": \"yes\""),
                "L1 REJECT indicator--00000000-0000-4000-8000-000000000001: \"revoked\" is not true or false\n");
    expect_text(pattern(p, ", \"valid_from\": \"2026-01-02T00:00:00Z\", \"valid_until\": \"2026-01-01T00:00:00Z\""),
                "L1 REJECT indicator--00000000-0000-4000-8000-000000000001: valid_until is not after valid_from\n");
    expect_text(pattern(p, ", \"valid_from\": \"2026-01-02T00:00:00Z\", \"valid_until\": \"2026-03-01T00:00:00.5+01:00\""),
                "L1 ipv4 192.0.2.1 refs=indicator--00000000-0000-4000-8000-000000000001 first=1767312000 expires=1772319600\n");
    expect_text(pattern(p, ", \"created\": \"yesterday\""),
                "L1 REJECT indicator--00000000-0000-4000-8000-000000000001: \"created\" is not an RFC 3339 time\n");
    expect_text(pattern(p, ", \"modified\": 5"),
                "L1 REJECT indicator--00000000-0000-4000-8000-000000000001: \"modified\" is not an RFC 3339 time\n");
    expect_text(pattern(p, ", \"confidence\": 101"),
                "L1 REJECT indicator--00000000-0000-4000-8000-000000000001: \"confidence\" is not a whole number from 0 to 100\n");
    expect_text(pattern(p, ", \"confidence\": 7.5"),
                "L1 REJECT indicator--00000000-0000-4000-8000-000000000001: \"confidence\" is not a whole number from 0 to 100\n");
    expect_text(pattern(p, ", \"confidence\": 0, \"name\": \"n\", \"description\": \"d\", \"labels\": [\"l1\", \"l2\"], "
                        "\"external_references\": [{\"source_name\": \"s\"}, {\"source_name\": \"s\", \"external_id\": \"E1\"}, "
                        "{\"url\": \"https://r.example/\"}, {\"url\": \"https://r.example/\"}]"),
                "L1 ipv4 192.0.2.1 note=n | l1 | l2 refs=indicator--00000000-0000-4000-8000-000000000001|s:E1|https://r.example/\n");
    expect_text(pattern(p, ", \"pattern_type\": \"yara\""),
                "L1 REJECT indicator--00000000-0000-4000-8000-000000000001: pattern not supported: pattern_type 'yara' (only stix patterns are evaluated)\n");
    expect_text(pattern(p, ", \"pattern_type\": 3"),
                "L1 REJECT indicator--00000000-0000-4000-8000-000000000001: pattern not supported: pattern_type '?' (only stix patterns are evaluated)\n");
    expect_text(stix("{\"type\": \"indicator\", \"pattern\": \"[ipv4-addr:value = '192.0.2.1']\"}\n"
                     "{\"type\": \"indicator\", \"id\": \"" ID "\"}\n"
                     "{\"type\": \"indicator\", \"id\": \"malware--1\", \"pattern\": \"\"}\n"
                     "{\"id\": \"x\"}\n"
                     "{\"type\": \"bundle\", \"objects\": {}}\n"
                     "{\"type\": \"bundle\", \"objects\": [1, {\"type\": \"identity\"}]}\n"
                     "{\"type\": \"bundle\"}\n"
                     "[{\"type\": \"indicator\", \"id\": \"" ID "\", \"pattern\": \"[url:value = 'http://x.example/']\"}]\n"
                     "{\"type\": \"indicator\",\n"),
                "L1 REJECT indicator has no \"id\" (indicator--UUID)\n"
                "L2 REJECT indicator--00000000-0000-4000-8000-000000000001: no \"pattern\" string of at most 65535 bytes\n"
                "L3 REJECT indicator has no \"id\" (indicator--UUID)\n"
                "L4 REJECT not a STIX object (an object with a \"type\")\n"
                "L5 REJECT bundle's \"objects\" is not an array\n"
                "L6 REJECT not a STIX object (an object with a \"type\")\n"
                "L8 url http://x.example/ refs=indicator--00000000-0000-4000-8000-000000000001\n"
                "L10 REJECT unexpected end of input inside an object (in the JSON text that starts at line 9)\n");
}

/* Families through "indicates" relationships in a bundle: malware before other objects. */
static void test_relationships(void **state)
{
    (void)state;
    expect_text(stix("{\"type\": \"bundle\", \"objects\": [\n"
                     "{\"type\": \"threat-actor\", \"id\": \"threat-actor--1\", \"name\": \"Actor\"},\n"
                     "{\"type\": \"indicator\", \"id\": \"" ID "\", \"pattern\": \"[ipv4-addr:value = '192.0.2.1']\"},\n"
                     "{\"type\": \"indicator\", \"id\": \"indicator--2\", \"pattern\": \"[ipv4-addr:value = '192.0.2.2']\"},\n"
                     "{\"type\": \"indicator\", \"id\": \"indicator--3\", \"pattern\": \"[ipv4-addr:value = '192.0.2.3']\"},\n"
                     "{\"type\": \"relationship\", \"relationship_type\": \"indicates\", \"source_ref\": \"" ID "\", "
                     "\"target_ref\": \"threat-actor--1\"},\n"
                     "{\"type\": \"relationship\", \"relationship_type\": \"indicates\", \"source_ref\": \"" ID "\", "
                     "\"target_ref\": \"malware--1\"},\n"
                     "{\"type\": \"relationship\", \"relationship_type\": \"indicates\", \"source_ref\": \"indicator--2\", "
                     "\"target_ref\": \"threat-actor--1\"},\n"
                     "{\"type\": \"relationship\", \"relationship_type\": \"related-to\", \"source_ref\": \"indicator--3\", "
                     "\"target_ref\": \"malware--1\"},\n"
                     "{\"type\": \"malware\", \"id\": \"malware--1\", \"name\": \"Mal\"}]}\n"),
                "L3 ipv4 192.0.2.1 family=Mal refs=indicator--00000000-0000-4000-8000-000000000001\n"
                "L4 ipv4 192.0.2.2 family=Actor refs=indicator--2\n"
                "L5 ipv4 192.0.2.3 refs=indicator--3\n");
    vg_feed_opts opts;
    vg_feed_opts_init(&opts, VG_FEED_STIX);
    opts.family = "Configured";
    expect_text(parse_as(&opts, "s.json", "{\"type\": \"bundle\", \"objects\": [\n"
                         "{\"type\": \"indicator\", \"id\": \"" ID "\", \"pattern\": \"[ipv4-addr:value = '192.0.2.1']\"},\n"
                         "{\"type\": \"relationship\", \"relationship_type\": \"indicates\", \"source_ref\": \"" ID "\", "
                         "\"target_ref\": \"malware--1\"},\n"
                         "{\"type\": \"malware\", \"id\": \"malware--1\", \"name\": \"Mal\"}]}\n", VG_OK),
                "L2 ipv4 192.0.2.1 family=Configured refs=indicator--00000000-0000-4000-8000-000000000001\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bundle),
        cmocka_unit_test(test_patterns),
        cmocka_unit_test(test_rejections),
        cmocka_unit_test(test_fields),
        cmocka_unit_test(test_relationships),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    vg_buf_free(&seen);
    return rc;
}
