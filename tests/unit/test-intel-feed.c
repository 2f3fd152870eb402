/*
 * test-intel-feed: every feed format on small hand-written inputs: what is accepted (type,
 * canonical text, provenance), what is rejected (line and reason), and the counts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "feed-fixture.h"

static void test_plain(void **state)
{
    (void)state;
    expect_text(parse(VG_FEED_PLAIN, "list.txt",
                      "# comment\n"
                      "\n"
                      "  192.0.2.1  \n"
                      "Evil.Example. # inline note\n"
                      "198.51.100.7/24\n"
                      "http://x.example:80/a/../b\n"
                      "two words\n"
                      "nonsense_word\n"
                      "a#b.example\n"),
                "L3 ipv4 192.0.2.1\n"
                "L4 domain evil.example note=inline note\n"
                "L5 cidr4 198.51.100.0/24 masked\n"
                "L6 url http://x.example/b\n"
                "L7 REJECT unexpected text after the indicator (a comment starts with ' #')\n"
                "L8 REJECT 'nonsense_word': not an indicator: a single word (accounts must be typed)\n"
                "L9 REJECT 'a#b.example': invalid character '#' in domain name\n");
    assert_int_equal(stats.records, 9);
    assert_int_equal(stats.accepted, 4);
    assert_int_equal(stats.rejected, 3);
    assert_int_equal(stats.masked, 1);
    assert_int_equal(stats.per_type[VG_IND_CIDR4], 1);

    vg_feed_opts opts;
    vg_feed_opts_init(&opts, VG_FEED_PLAIN);
    opts.kind = VG_IND_ACCOUNT;
    opts.family = "leaked";
    expect_text(parse_as(&opts, "accounts.txt", "Administrator\nsvc_backup\n", VG_OK),
                "L1 account administrator family=leaked\n"
                "L2 account svc_backup family=leaked\n");
}

static void test_maltrail(void **state)
{
    (void)state;
    expect_text(parse(VG_FEED_MALTRAIL, "trails/static/malware/emotet.txt",
                      "# Copyright (c) Maltrail developers\n"
                      "# Aliases: Emotet, Heodo\n"
                      "\n"
                      "# Reference: https://example.org/1\n"
                      "# Reference: https://example.org/2\n"
                      "\n"
                      "66.210.228.178:443\n"
                      "dvr.petcp.example\n"
                      "# Reference: https://example.org/3\n"
                      "/gate.php\n"
                      ".tk\n"
                      "free\n"
                      "[2001:db8::1]:443\n"
                      "backdates[0-9]{1,2}\\.(com|net)\n"
                      "/Consulta FGTS.js\n"
                      "161.35.41.9:53:53\n"),
                "L7 ipv4:port 66.210.228.178:443 family=emotet aliases=Emotet, Heodo "
                "refs=https://example.org/1|https://example.org/2\n"
                "L8 domain dvr.petcp.example family=emotet aliases=Emotet, Heodo "
                "refs=https://example.org/1|https://example.org/2\n"
                "L10 url /gate.php family=emotet aliases=Emotet, Heodo refs=https://example.org/3\n"
                "L11 domain tk family=emotet aliases=Emotet, Heodo refs=https://example.org/3\n"
                "L12 domain free family=emotet aliases=Emotet, Heodo refs=https://example.org/3\n"
                "L13 ipv6:port [2001:db8::1]:443 family=emotet aliases=Emotet, Heodo refs=https://example.org/3\n"
                "L14 REJECT 'backdates[0-9]{1,2}\\.(com|net)': regular expression trails are not supported\n"
                "L15 url /Consulta%20FGTS.js family=emotet aliases=Emotet, Heodo refs=https://example.org/3\n"
                "L16 REJECT '161.35.41.9:53:53': expected IPv4:port or [IPv6]:port\n");
}

static void test_maltrail_family_of_compressed_file(void **state)
{
    (void)state;
    expect_text(parse(VG_FEED_MALTRAIL, "static/malware/qakbot.txt.gz", "q.example\n"), "L1 domain q.example family=qakbot\n");
    expect_text(parse(VG_FEED_MALTRAIL, "qakbot.zst", "q.example\n"), "L1 domain q.example family=qakbot\n");
}

static void test_maltrail_reference_limit(void **state)
{
    (void)state;
    vg_buf text;
    vg_buf_init(&text, 0);
    for (int i = 0; i < VG_FEED_MAX_REFS + 1; i++)
        vg_buf_printf(&text, "# Reference: https://example.org/%d\n", i);
    vg_buf_puts(&text, "a.example\n");
    const char *got = parse(VG_FEED_MALTRAIL, "x.txt", text.data);
    char want[64];
    snprintf(want, sizeof want, "L%d REJECT more than %d references", VG_FEED_MAX_REFS + 1, VG_FEED_MAX_REFS);
    assert_non_null(strstr(got, want));
    assert_non_null(strstr(got, "|https://example.org/255\n"));
    vg_buf_free(&text);
}

static void test_ipsum_netset_spamhaus(void **state)
{
    (void)state;
    expect_text(parse(VG_FEED_IPSUM, "ipsum.txt",
                      "# IPsum\n# IP\tnumber of (black)lists\n77.90.185.20\t10\n2.57.122.53\t9\n1.2.3.4\n"
                      "1.2.3.5\tx\n999.1.1.1\t3\n"),
                "L3 ipv4 77.90.185.20 count=10\n"
                "L4 ipv4 2.57.122.53 count=9\n"
                "L5 REJECT expected IP<TAB>count\n"
                "L6 REJECT count after the TAB is not a number up to 4294967295\n"
                "L7 REJECT '999.1.1.1': not an IPv4 or IPv6 address\n");
    expect_text(parse(VG_FEED_NETSET, "fh.netset", "# FireHOL\n1.2.3.0/24\n10.0.0.1\n2001:db8::/32\nevil.example\n"),
                "L2 cidr4 1.2.3.0/24\n"
                "L3 ipv4 10.0.0.1\n"
                "L4 cidr6 2001:db8::/32\n"
                "L5 REJECT 'evil.example': not an IPv4 or IPv6 address\n");
    expect_text(parse(VG_FEED_SPAMHAUS, "drop.txt",
                      "; Spamhaus DROP List 2024/02/27\n"
                      "1.10.16.0/20 ; SBL256894\n"
                      "1.19.0.0/16 \n"
                      "2a12:2640::/29;SBL1\n"
                      "1.2.3.0/24 ; two words\n"
                      "1.2.3.0 4 ; SBL3\n"),
                "L2 cidr4 1.10.16.0/20 refs=SBL256894\n"
                "L3 cidr4 1.19.0.0/16\n"
                "L4 cidr6 2a12:2640::/29 refs=SBL1\n"
                "L5 REJECT text after ';' is not one identifier (SBLnnn)\n"
                "L6 REJECT unexpected text after the network (expected 'CIDR ; SBLnnn')\n");
}

static void test_asn_drop(void **state)
{
    (void)state;
    expect_text(parse(VG_FEED_ASN_DROP, "asn_drop.json",
                      "{\"asn\":932,\"rir\":\"arin\",\"domain\":\"xn.net\",\"cc\":\"US\",\"asname\":\"XNNET\"}\n"
                      "{\"asn\":\"x\"}\n"
                      "{\"asn\":4294967296}\n"
                      "{\"asn\":1,\n"
                      "{\"type\":\"metadata\",\"timestamp\":1709006105,\"records\":201}\n"),
                "L1 asn AS932 note=XNNET, US, arin, xn.net\n"
                "L2 REJECT record has no \"asn\" number\n"
                "L3 REJECT asn '4294967296': AS number is over 4294967295\n"
                "L5 REJECT expected a string as object key (in the JSON text that starts at line 4)\n");
}

static vg_feed_opts feodo_opts(void)
{
    vg_feed_opts opts;
    vg_feed_opts_init(&opts, VG_FEED_CSV);
    opts.columns[VG_CSV_IP] = "dst_ip";
    opts.columns[VG_CSV_PORT] = "dst_port";
    opts.columns[VG_CSV_FAMILY] = "malware";
    opts.columns[VG_CSV_FIRST_SEEN] = "first_seen_utc";
    opts.columns[VG_CSV_LAST_SEEN] = "last_online";
    return opts;
}

static void test_csv_feodo(void **state)
{
    (void)state;
    vg_feed_opts opts = feodo_opts();
    expect_text(parse_as(&opts, "ipblocklist.csv",
                         "#################\n"
                         "# abuse.ch Feodo Tracker\n"
                         "#\n"
                         "\"first_seen_utc\",\"dst_ip\",\"dst_port\",\"c2_status\",\"last_online\",\"malware\"\n"
                         "\"2023-05-23 17:51:44\",\"192.9.135.73\",\"1194\",\"online\",\"2024-04-01\",\"Pikabot\"\n"
                         "\"2024-01-01 00:00:00\",\"2001:db8::1\",\"443\",\"x\",\"\",\"Dri\"\"dex\"\n"
                         "\"2024-01-01 00:00:00\",\"192.0.2.1\",\"\",\"x\",\"\",\"multi\nline\"\n"
                         "\"2024-01-01 00:00:00\",\"192.0.2.2\",\"99999\",\"x\",\"\",\"F\"\n"
                         "\"bad\"x,1\n"
                         "a\"b,1\n"
                         "\"not a date\",\"192.0.2.3\",\"1\",\"x\",\"\",\"F\"\n"
                         "\"2024-01-01\",\"192.0.2.4\"\n"
                         "# END 4 entries", VG_OK),
                "L5 ipv4 192.9.135.73 family=Pikabot first=1684864304 last=1711929600\n"
                "L5 ipv4:port 192.9.135.73:1194 family=Pikabot first=1684864304 last=1711929600\n"
                "L6 ipv6 2001:db8::1 family=Dri\"dex first=1704067200\n"
                "L6 ipv6:port [2001:db8::1]:443 family=Dri\"dex first=1704067200\n"
                "L7 REJECT family is longer than 4095 bytes or not text\n"
                "L9 ipv4 192.0.2.2 family=F first=1704067200\n"
                "L9 REJECT ip:port '192.0.2.2:99999': port is not a number from 1 to 65535\n"
                "L10 REJECT text after a closing quote (at byte 6)\n"
                "L11 REJECT quote inside an unquoted field (at byte 2)\n"
                "L12 REJECT first_seen is not a date\n"
                "L13 REJECT record has 2 fields; the port column is field 3\n");
    assert_int_equal(stats.accepted, 5);
    assert_int_equal(stats.rejected, 6);

    expect_text(parse_as(&opts, "open.csv", "dst_ip,dst_port,malware,first_seen_utc,last_online\n\"1.2.3.4,1\n",
                         VG_OK),
                "L2 REJECT quoted field is not closed at the end of the file\n");
    expect_text(parse_as(&opts, "other.csv", "a,b,c\n1,2,3\n", VG_ERR_PARSE),
                "ERROR other.csv:1: the header has no column 'dst_ip' (for ip)\n");
}

static void test_csv_threatfox_and_numbered(void **state)
{
    (void)state;
    vg_feed_opts opts;
    vg_feed_opts_init(&opts, VG_FEED_CSV);
    opts.header = VG_CSV_HEADER_COMMENT;
    opts.columns[VG_CSV_VALUE] = "ioc_value";
    opts.columns[VG_CSV_TYPE] = "ioc_type";
    opts.columns[VG_CSV_FAMILY] = "malware_printable";
    opts.columns[VG_CSV_CONFIDENCE] = "confidence_level";
    opts.columns[VG_CSV_REFERENCE] = "reference";
    expect_text(parse_as(&opts, "threatfox.csv",
                         "################\n"
                         "# ThreatFox IOCs: CSV\n"
                         "# \"first_seen_utc\",\"ioc_value\",\"ioc_type\",\"malware_printable\",\"confidence_level\",\"reference\"\n"
                         "\"2024-04-04 07:00:00\", \"45.9.74.36:7000\", \"ip:port\", \"Remcos\", \"100\", \"\"\n"
                         "\"2024-04-04 07:00:00\", \"evil.example\", \"domain\", \"Lumma\", \"75\", \"https://r.example/1\"\n"
                         "\"2024-04-04 07:00:00\", \"D41D8CD98F00B204E9800998ECF8427E\", \"md5_hash\", \"X\", \"50\", \"\"\n"
                         "\"2024-04-04 07:00:00\", \"abc\", \"sha3_384_hash\", \"X\", \"50\", \"\"\n"
                         "\"2024-04-04 07:00:00\", \"evil.example\", \"domain\", \"X\", \"high\", \"\"\n",
                         VG_OK),
                "L4 ipv4:port 45.9.74.36:7000 family=Remcos count=100\n"
                "L5 domain evil.example family=Lumma refs=https://r.example/1 count=75\n"
                "L6 md5 d41d8cd98f00b204e9800998ecf8427e family=X count=50\n"
                "L7 REJECT unsupported indicator type 'sha3_384_hash'\n"
                "L8 REJECT confidence is not a number up to 4294967295\n");

    vg_feed_opts_init(&opts, VG_FEED_CSV);
    opts.header = VG_CSV_HEADER_NONE;
    opts.delimiter = ';';
    opts.columns[VG_CSV_URL] = "2";
    opts.columns[VG_CSV_LAST_SEEN] = "1";
    expect_text(parse_as(&opts, "urls.csv", "1700000000;HTTP://A.example/x\n;\n", VG_OK),
                "L1 url http://a.example/x last=1700000000\n"
                "L2 REJECT record has no indicator (its indicator columns are empty)\n");

    opts.columns[VG_CSV_URL] = "url";
    vg_error err;
    assert_int_equal(vg_feed_opts_check(&opts, &err), VG_ERR_USAGE);
    assert_non_null(strstr(err.msg, "columns are numbers"));
    vg_feed_opts_init(&opts, VG_FEED_CSV);
    assert_int_equal(vg_feed_opts_check(&opts, &err), VG_ERR_USAGE);
    assert_non_null(strstr(err.msg, "map no indicator"));
}

static void test_warninglist(void **state)
{
    (void)state;
    expect_text(parse(VG_FEED_WARNINGLIST, "lists/rfc1918/list.json",
                      "{\n"
                      "  \"description\": \"RFC 1918\",\n"
                      "  \"list\": [\n"
                      "    \"10.0.0.0/8\",\n"
                      "    \"192.168.1.1\",\n"
                      "    \"bad/99\"\n"
                      "  ],\n"
                      "  \"matching_attributes\": [\"ip-src\", \"ip-dst\"],\n"
                      "  \"name\": \"List of RFC 1918 CIDR blocks\",\n"
                      "  \"type\": \"cidr\"\n"
                      "}\n"),
                "L4 cidr4 10.0.0.0/8 family=rfc1918 note=List of RFC 1918 CIDR blocks\n"
                "L5 cidr4 192.168.1.1/32 family=rfc1918 note=List of RFC 1918 CIDR blocks\n"
                "L6 REJECT 'bad/99': network address is not an IPv4 or IPv6 address\n");
    expect_text(parse(VG_FEED_WARNINGLIST, "lists/google/list.json",
                      "{\"list\":[\".google.ad\",\"Example.COM\",\"8.8.8.8\"],"
                      "\"matching_attributes\":[\"domain\",\"hostname\"],\"name\":\"G\",\"type\":\"string\"}\n"),
                "L1 domain google.ad family=google note=G\n"
                "L1 domain example.com family=google note=G flags=1\n"
                "L1 ipv4 8.8.8.8 family=google note=G flags=1\n");
    expect_text(parse(VG_FEED_WARNINGLIST, "h/list.json",
                      "{\"list\":[\"d41d8cd98f00b204e9800998ecf8427e\",\"3::\"],\"matching_attributes\":[\"md5\"],"
                      "\"type\":\"string\"}\n"
                      "{\"list\":[\"x.example\"],\"type\":\"substring\"}\n"
                      "{\"list\":[\"a.example\"],\"type\":\"hostname\"}\n"
                      "{\"list\":[\"guid\"],\"type\":\"string\",\"matching_attributes\":[\"azure-application-id\"]}\n"
                      "[1]\n"),
                "L1 md5 d41d8cd98f00b204e9800998ecf8427e family=h\n"
                "L1 REJECT '3::': 3 hex digits: not an MD5 (32), SHA-1 (40) or SHA-256 (64) hash\n"
                "L2 REJECT 'x.example': a substring or regex warninglist matches parts of values, not whole indicators\n"
                "L3 domain a.example family=h\n"
                "L4 REJECT 'guid': the list's matching attributes name no type vigil stores\n"
                "L5 REJECT JSON text is a number, not an object\n");
    expect_text(parse(VG_FEED_WARNINGLIST, "n/list.json", "{\"name\":\"x\"}"),
                "L1 REJECT not a warninglist: no \"list\" array\n");
}

static void test_names(void **state)
{
    (void)state;
    for (int f = 0; f < VG_FEED_NFORMATS; f++) {
        const char *n = vg_feed_format_name((vg_feed_format)f);
        assert_int_equal(vg_feed_format_from_name(n, strlen(n)), f);
    }
    assert_int_equal(vg_feed_format_from_name("taxii", 5), -1);
    assert_int_equal(vg_feed_format_from_name("misp", 4), VG_FEED_MISP);
    assert_int_equal(vg_feed_format_from_name("stix", 4), VG_FEED_STIX);
    for (int r = 0; r < VG_CSV_NROLES; r++) {
        const char *n = vg_csv_role_name((vg_csv_role)r);
        assert_int_equal(vg_csv_role_from_name(n, strlen(n)), r);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain),
        cmocka_unit_test(test_maltrail),
        cmocka_unit_test(test_maltrail_family_of_compressed_file),
        cmocka_unit_test(test_maltrail_reference_limit),
        cmocka_unit_test(test_ipsum_netset_spamhaus),
        cmocka_unit_test(test_asn_drop),
        cmocka_unit_test(test_csv_feodo),
        cmocka_unit_test(test_csv_threatfox_and_numbered),
        cmocka_unit_test(test_warninglist),
        cmocka_unit_test(test_names),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    vg_buf_free(&seen);
    return rc;
}
