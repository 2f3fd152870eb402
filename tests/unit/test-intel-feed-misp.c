/*
 * test-intel-feed-misp: the MISP feed parser on the hand-written feed in tests/data/intel-misp
 * (a manifest, events with every attribute type Vigil maps, attributes that are not for
 * detection, deleted or of types Vigil cannot hold, a listed event whose file is missing, an
 * event file holding another event, a file the manifest does not list) and on single events
 * and manifests given inline: provenance (family from tags and galaxies, confidence, notes,
 * references, times), every rejection reason and the counts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "feed-fixture.h"

#define FEED_DIR "tests/data/intel-misp"
#define EV1 "5f0c6f4e-1a2b-4c3d-8e9f-0a1b2c3d4e5f"
#define EV2 "6a1d7e5f-2b3c-4d4e-9f0a-1b2c3d4e5f60"
#define F1 EV1 ".json:"
#define EMOTET "family=Emotet note=Emotet epoch 5: C2 servers and payloads"
#define R1 "misp:event/" EV1 "|https://blog.example/emotet-epoch5|https://sandbox.example/report/42"
#define UNLISTED(f) f ".json:L1 REJECT event file is not listed in the manifest: not loaded\n"

static const char *misp(const char *name, const char *text)
{
    vg_feed_opts opts;
    vg_feed_opts_init(&opts, VG_FEED_MISP);
    return parse_as(&opts, name, text, VG_OK);
}

static void test_feed_directory(void **state)
{
    (void)state;
    vg_feed_opts opts;
    vg_feed_opts_init(&opts, VG_FEED_MISP);
    show_source = 1;
    const char *got = parse_file_as(&opts, FEED_DIR "/manifest.json", VG_OK);
    show_source = 0;
    expect_text(got,
                "manifest.json:L18 REJECT manifest key is not an event uuid (8-4-4-4-12 hex digits)\n"
                "manifest.json:L19 REJECT manifest entry 9e4a0182-5e6f-4071-8c3d-4e5f60718293 is not an object\n"
                F1 "L16 ipv4 192.0.2.10 " EMOTET " / C2 tier 1 refs=" R1 " count=90 first=1767348000 last=1767961800\n"
                F1 "L19 cidr4 198.51.100.0/24 " EMOTET " refs=" R1 " count=90 first=1768003200 last=1768040001 masked\n"
                F1 "L20 ipv4:port 203.0.113.5:8080 " EMOTET " refs=" R1 " count=90 first=1768003200 last=1768040002\n"
                F1 "L21 ipv6:port [2001:db8::5]:443 " EMOTET " refs=" R1 " count=90 first=1768003200 last=1768040003\n"
                F1 "L22 domain emotet-dist.example " EMOTET " refs=" R1 " count=90 first=1768003200 last=1768040004\n"
                F1 "L23 domain c2.emotet.example " EMOTET " refs=" R1 " count=90 first=1768003200 last=1768040005 flags=1\n"
                F1 "L24 domain dl.emotet.example " EMOTET " refs=" R1 " count=90 first=1768003200 last=1768040006\n"
                F1 "L24 ipv4 192.0.2.20 " EMOTET " refs=" R1 " count=90 first=1768003200 last=1768040006\n"
                F1 "L25 domain gate.emotet.example " EMOTET " refs=" R1 " count=90 first=1768003200 last=1768040007 flags=1\n"
                F1 "L26 url http://dl.emotet.example/payload.bin " EMOTET " refs=" R1 " count=90 first=1768003200 last=1768040008\n"
                F1 "L27 url /wp-content/gate.php " EMOTET " refs=" R1 " count=90 first=1768003200 last=1768040009\n"
                F1 "L28 md5 d41d8cd98f00b204e9800998ecf8427e " EMOTET " refs=" R1 " count=90 first=1768003200 last=1768040010\n"
                F1 "L29 sha1 da39a3ee5e6b4b0d3255bfef95601890afd80709 " EMOTET " refs=" R1 " count=90 first=1768003200 last=1768040011\n"
                F1 "L30 sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 " EMOTET " refs=" R1 " count=90 first=1768003200 last=1768040012\n"
                F1 "L31 md5 0cc175b9c0f1b6a831c399e269772661 " EMOTET " refs=" R1 " count=90 first=1768003200 last=1768040013\n"
                F1 "L32 sha1 86f7e437faa5a7fce15d1ddcb9eaeaea377667b8 " EMOTET " refs=" R1 " count=90 first=1768003200 last=1768040014\n"
                F1 "L33 sha256 ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb " EMOTET " refs=" R1 " count=90 first=1768003200 last=1768040015\n"
                F1 "L34 email billing@emotet-mail.example " EMOTET " refs=" R1 " count=90 first=1768003200 last=1768040016\n"
                F1 "L35 email drop@emotet-mail.example " EMOTET " refs=" R1 " count=90 first=1768003200 last=1768040017\n"
                F1 "L36 email ops@emotet-mail.example " EMOTET " refs=" R1 " count=90 first=1768003200 last=1768040018\n"
                F1 "L37 email reply@emotet-mail.example " EMOTET " refs=" R1 " count=90 first=1768003200 last=1768040019\n"
                F1 "L38 email victim@corp.example " EMOTET " refs=" R1 " count=90 first=1768003200 last=1768040020\n"
                F1 "L39 account corp\\svc-backup " EMOTET " refs=" R1 " count=90 first=1768003200 last=1768040021\n"
                F1 "L40 asn AS64500 " EMOTET " refs=" R1 " count=90 first=1768003200 last=1768040022\n"
                F1 "L45 REJECT attribute type 'mutex' cannot be held by vigil (no such indicator type)\n"
                F1 "L46 REJECT attribute type 'sha512' cannot be held by vigil (no such indicator type)\n"
                F1 "L47 REJECT ip-dst '999.1.1.1': not an IPv4 or IPv6 address\n"
                F1 "L48 REJECT ip-dst|port value has no '|'\n"
                F1 "L49 REJECT attribute's \"to_ids\" is not true or false\n"
                F1 "L50 REJECT attribute's \"first_seen\" is not a time\n"
                F1 "L51 ipv4 192.0.2.33 family=IcedID note=Emotet epoch 5: C2 servers and payloads / loader stage 2 refs=" R1 " count=75 first=1768003200 last=1768040033\n"
                F1 "L54 REJECT hostname|port value: the port is not 1-65535\n"
                F1 "L55 REJECT attribute has no \"type\" (text of 1-63 bytes)\n"
                F1 "L56 REJECT attribute has no \"value\" string of at most 16383 bytes\n"
                F1 "L57 REJECT attribute is not an object\n"
                F1 "L62 md5 900150983cd24fb0d6963f7d28e17f72 " EMOTET " refs=" R1 " count=90 first=1768003200 last=1768040040\n"
                F1 "L70 REJECT object has no \"Attribute\" array, or its \"deleted\" is not true or false: its attributes are not loaded\n"
                "6a1d7e5f-2b3c-4d4e-9f0a-1b2c3d4e5f60.json:L8 url https://secure-tax-refund.example/login family=TA-Example note=Tax refund phishing wave / landing page  kit: \"16shop\" refs=misp:event/6a1d7e5f-2b3c-4d4e-9f0a-1b2c3d4e5f60 count=30 first=1768176000 last=1768200001\n"
                "6a1d7e5f-2b3c-4d4e-9f0a-1b2c3d4e5f60.json:L10 domain secure-tax-refund.example family=TA-Example note=Tax refund phishing wave refs=misp:event/6a1d7e5f-2b3c-4d4e-9f0a-1b2c3d4e5f60 count=30 first=1768176000 last=1768200002\n"
                "manifest.json:L12 REJECT event 7b2e8f60-3c4d-4e5f-8a1b-2c3d4e5f6071 is listed but its file cannot be read: cannot open: No such file or directory\n"
                "8c3f9071-4d5e-4f60-9b2c-3d4e5f607182.json:L1 REJECT event uuid 00000000-0000-4000-8000-000000000000 is not the one its file name and the manifest say: not loaded\n"
                "a0b1c2d3-e4f5-4a6b-8c7d-8e9fa0b1c2d3.json:L1 REJECT event file is not listed in the manifest: not loaded\n");
    assert_int_equal(stats.records, 44);
    assert_int_equal(stats.accepted, 28);
    assert_int_equal(stats.rejected, 16);
    assert_int_equal(stats.not_for_detection, 5);
    assert_int_equal(stats.revoked, 2);
    assert_int_equal(stats.per_type[VG_IND_EMAIL], 5);
    assert_int_equal(stats.per_type[VG_IND_DOMAIN], 5);
}


/* Events given directly (not through a manifest): their shape, provenance and rejections. */
static void test_single_events(void **state)
{
    (void)state;
    expect_text(misp("x/ev.json", "[1]\n{\"Event\": 3}\n{\"Event\": {\"info\": \"x\"}}\n"
                     "{\"Event\": {\"uuid\": \"" EV1 "\", \"date\": \"soon\"}}\n"
                     "{\"Event\": {\"uuid\": \"" EV1 "\", \"Attribute\": {}, \"Object\": 5}}\n"
                     "{\"Event\": {\"uuid\": \"" EV1 "\",\n"),
                "L1 REJECT JSON text is a number, not an object\n"
                "L2 REJECT not a MISP event: \"Event\" is not an object\n"
                "L3 REJECT event has no \"uuid\" (8-4-4-4-12 hex digits): not loaded\n"
                "L4 REJECT event's \"date\" is not a date: not loaded\n"
                "L5 REJECT event's \"Attribute\" is not an array\n"
                "L5 REJECT event's \"Object\" is not an array\n"
                "L7 REJECT unexpected end of input inside an object (in the JSON text that starts at line 6)\n");
    assert_int_equal(stats.records, 2);
    assert_int_equal(stats.rejected, 7);

    /* threat levels, confidence tags, galaxies without tag names, links with to_ids */
    expect_text(misp("x/ev.json",
                     "{\"Event\": {\"uuid\": \"" EV2 "\", \"info\": \"medium\", \"threat_level_id\": 2,\n"
                     " \"Galaxy\": [{\"type\": \"sector\", \"GalaxyCluster\": [{\"value\": \"Finance\"}]},\n"
                     "             {\"type\": \"ransomware\", \"GalaxyCluster\": [{\"value\": \"LockBit\"}]}],\n"
                     " \"Attribute\": [\n"
                     "  {\"type\": \"link\", \"value\": \"https://r.example/1\", \"to_ids\": true},\n"
                     "  {\"type\": \"link\", \"value\": \"https://r.example/1\", \"to_ids\": false},\n"
                     "  {\"type\": \"ip-dst\", \"value\": \"2001:db8::/32\", \"to_ids\": true, \"last_seen\": 1700000000,\n"
                     "   \"Tag\": [{\"name\": \"misp:confidence-level=\\\"fairly-confident\\\"\"},\n"
                     "            {\"name\": \"misp-galaxy:mitre-malware=\\\"Ryuk\\\"\"}]},\n"
                     "  {\"type\": \"AS\", \"value\": \"64501\", \"to_ids\": true, \"timestamp\": \"x\"},\n"
                     "  {\"type\": \"sha1\", \"value\": \"86f7e437faa5a7fce15d1ddcb9eaeaea377667b8\", \"to_ids\": true}\n"
                     " ]}}\n"
                     "{\"Event\": {\"uuid\": \"" EV2 "\", \"threat_level_id\": \"4\", \"Tag\": [{\"name\": \"malware-family=Qbot\"},\n"
                     " {\"name\": \"misp:confidence-level=\\\"confidence-cannot-be-evaluated\\\"\"}],\n"
                     " \"Attribute\": [{\"type\": \"domain\", \"value\": \"q.example\", \"to_ids\": true}]}}\n"),
                "L7 cidr6 2001:db8::/32 family=Ryuk note=medium refs=misp:event/" EV2 "|https://r.example/1 count=50 "
                "last=1700000000\n"
                "L10 REJECT attribute's \"timestamp\" is not a time\n"
                "L11 sha1 86f7e437faa5a7fce15d1ddcb9eaeaea377667b8 family=LockBit note=medium refs=misp:event/" EV2
                "|https://r.example/1 count=60\n"
                "L15 domain q.example family=Qbot refs=misp:event/" EV2 "\n");
    assert_int_equal(stats.not_for_detection, 2);

    /* the feed's family wins; its exact match reaches every domain */
    vg_feed_opts opts;
    vg_feed_opts_init(&opts, VG_FEED_MISP);
    opts.family = "Configured";
    opts.flags = VG_PROV_HOST_ONLY;
    expect_text(parse_as(&opts, "x/ev.json",
                         "{\"Event\": {\"uuid\": \"" EV2 "\", \"Tag\": [{\"name\": \"malware_family=\\\"Other\\\"\"}],\n"
                         " \"Attribute\": [{\"type\": \"domain\", \"value\": \"d.example\", \"to_ids\": true}]}}\n", VG_OK),
                "L2 domain d.example family=Configured refs=misp:event/" EV2 " flags=1\n");
}

/* A long comment is cut with "..."; control characters become spaces. */
static void test_long_note(void **state)
{
    (void)state;
    static char text[3 * VG_FEED_MAX_TEXT];
    int n = snprintf(text, sizeof text, "{\"Event\": {\"uuid\": \"" EV2 "\", \"info\": \"i\\u0001nfo\", \"Attribute\": "
                     "[{\"type\": \"md5\", \"value\": \"0cc175b9c0f1b6a831c399e269772661\", \"to_ids\": true, \"comment\": \"");
    memset(text + n, 'c', 2 * VG_FEED_MAX_TEXT);
    snprintf(text + n + 2 * VG_FEED_MAX_TEXT, sizeof text - (size_t)n - 2 * VG_FEED_MAX_TEXT, "\"}]}}");
    vg_feed_opts opts;
    vg_feed_opts_init(&opts, VG_FEED_MISP);
    max_record = sizeof text;
    const char *got = parse_as(&opts, "x/ev.json", text, VG_OK);
    max_record = 4096;
    const char *note = strstr(got, "note=i nfo / ccc");
    if (!note)
        fail_msg("%.300s", got);
    assert_non_null(note);
    const char *end = strstr(note, "... refs=");
    assert_non_null(end);
    assert_int_equal(end + 3 - (note + 5), VG_FEED_MAX_TEXT - 1);
}

/* A manifest given inline: a uuid listed twice; the other event files beside it are reported. */
static void test_manifest_inline(void **state)
{
    (void)state;
    show_source = 1;
    const char *got = misp(FEED_DIR "/manifest.json", "{\"" EV1 "\": {},\n \"" EV1 "\": {}}\n");
    show_source = 0;
    static const char head[] = "manifest.json:L2 REJECT event " EV1 " is listed twice (also at line 1)\n"
                               F1 "L16 ipv4 192.0.2.10 ";
    static const char tail[] = UNLISTED(EV2) UNLISTED("8c3f9071-4d5e-4f60-9b2c-3d4e5f607182")
                               UNLISTED("a0b1c2d3-e4f5-4a6b-8c7d-8e9fa0b1c2d3");
    if (strncmp(got, head, sizeof head - 1) != 0 || strlen(got) < sizeof tail ||
        strcmp(got + strlen(got) - (sizeof tail - 1), tail) != 0)
        fail_msg("got:\n%s", got);
    assert_int_equal(stats.accepted, 26);
    vg_feed_opts opts;
    vg_feed_opts_init(&opts, VG_FEED_MISP);
    expect_text(parse_as(&opts, "/nonexistent-vigil/manifest.json", "{\"" EV1 "\": {}}", VG_ERR_IO),
                "L1 REJECT event " EV1 " is listed but its file cannot be read: cannot open: No such file or directory\n"
                "ERROR /nonexistent-vigil/manifest.json: cannot list its directory /nonexistent-vigil: No such file or "
                "directory\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_feed_directory),
        cmocka_unit_test(test_single_events),
        cmocka_unit_test(test_long_note),
        cmocka_unit_test(test_manifest_inline),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    vg_buf_free(&seen);
    return rc;
}
