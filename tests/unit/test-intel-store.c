/*
 * test-intel-store: the indicator store end to end: building (deduplication, merged
 * provenance), writing a snapshot, and every lookup of intel-snapshot (addresses with nested
 * networks, domains with the parent walk and exact-only sources, URL forms, hashes, names,
 * AS numbers, IP:port); then damaged files: truncated, foreign, flipped bytes with and without
 * verification, offsets pointing outside the file with a valid checksum, random corruption.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "intel-format.h"
#include "intel-snapshot.h"
#include "intel-store.h"

static char dir[64];
static char path[128];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/vigil-test-store-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(path, sizeof path, "%s/store.vgi", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(path);
    rmdir(dir);
    return 0;
}

static void add(vg_istore *s, unsigned feed, int kind, const char *text, const vg_feed_prov *prov)
{
    static vg_ind ind;
    vg_error err;
    if (vg_ind_parse(kind, text, strlen(text), &ind, &err) != VG_OK)
        fail_msg("%s: %s", text, err.msg);
    assert_int_equal(vg_istore_add(s, feed, &ind, prov, 0, &err), VG_OK);
}

static vg_feed_prov prov(const char *family, unsigned flags)
{
    vg_feed_prov p;
    memset(&p, 0, sizeof p);
    p.family = family;
    p.aliases = "";
    p.note = "";
    p.flags = flags;
    p.source = "test";
    p.line = 1;
    return p;
}

/* Two feeds: "threats" (block) and "known-good" (allow). */
static void build(const char *out)
{
    vg_istore *s;
    vg_error err;
    assert_int_equal(vg_istore_new(&s, &err), VG_OK);
    unsigned threats, good;
    vg_istore_feed f1 = { "threats", "threats.txt", VG_FEED_PLAIN, VG_INTEL_BLOCK, 100, 0 };
    vg_istore_feed f2 = { "known-good", "good.json", VG_FEED_WARNINGLIST, VG_INTEL_ALLOW, 10, 0 };
    assert_int_equal(vg_istore_add_feed(s, &f1, &threats, &err), VG_OK);
    assert_int_equal(vg_istore_add_feed(s, &f2, &good, &err), VG_OK);

    vg_feed_prov mirai = prov("Mirai", 0), exact = prov("", VG_PROV_HOST_ONLY), none = prov("", 0);
    vg_feed_prov refd = prov("Emotet", 0);
    refd.refs[0] = "https://example.org/r1";
    refd.refs[1] = "https://example.org/r2";
    refd.nrefs = 2;
    refd.count = 7;
    refd.first_seen = 1700000000;
    refd.last_seen = 1700086400;
    add(s, threats, VG_IND_GUESS, "192.0.2.1", &mirai);
    add(s, threats, VG_IND_GUESS, "192.0.2.1", &mirai);     /* the same pair again: kept once */
    add(s, good, VG_IND_GUESS, "192.0.2.1", &none);
    add(s, threats, VG_IND_GUESS, "192.0.2.1", &refd);
    add(s, threats, VG_IND_GUESS, "10.0.0.0/8", &none);
    add(s, threats, VG_IND_GUESS, "10.1.0.0/16", &mirai);
    add(s, good, VG_IND_GUESS, "10.1.2.0/24", &none);
    add(s, threats, VG_IND_GUESS, "10.1.2.3/32", &none);
    add(s, threats, VG_IND_GUESS, "11.0.0.0/8", &none);     /* adjacent to 10/8 */
    add(s, threats, VG_IND_GUESS, "0.0.0.0/0", &none);
    add(s, threats, VG_IND_GUESS, "2001:db8::/32", &none);
    add(s, threats, VG_IND_GUESS, "2001:db8:1::/48", &mirai);
    add(s, threats, VG_IND_GUESS, "2001:db8:1::1", &mirai);
    add(s, threats, VG_IND_GUESS, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ff00/120", &none);
    add(s, threats, VG_IND_GUESS, "evil.example", &mirai);
    add(s, good, VG_IND_DOMAIN, "evil.example", &exact);
    add(s, good, VG_IND_DOMAIN, "portal.example", &exact);
    add(s, threats, VG_IND_DOMAIN, "tk", &none);
    add(s, threats, VG_IND_GUESS, "http://Dl.Example:80/a/../payload.bin", &refd);
    add(s, threats, VG_IND_GUESS, "cdn.example/kit/", &none);
    add(s, threats, VG_IND_GUESS, "/gate.php", &none);
    add(s, threats, VG_IND_GUESS, "44D88612FEA8A8F36DE82E1278ABB02F", &none);
    add(s, threats, VG_IND_GUESS, "da39a3ee5e6b4b0d3255bfef95601890afd80709", &none);
    add(s, threats, VG_IND_GUESS, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", &none);
    add(s, threats, VG_IND_GUESS, "Leaked.User@Example.ORG", &none);
    add(s, threats, VG_IND_ACCOUNT, "CORP\\Svc_Backup", &none);
    add(s, threats, VG_IND_GUESS, "AS64500", &none);
    add(s, threats, VG_IND_GUESS, "203.0.113.7:8443", &none);
    add(s, threats, VG_IND_GUESS, "[2001:db8::bad]:443", &none);
    assert_int_equal(vg_istore_count(s, VG_IND_IPV4), 1);
    assert_int_equal(vg_istore_count(s, VG_IND_CIDR4), 6);
    assert_int_equal(vg_istore_count(s, VG_IND_DOMAIN), 3);
    assert_int_equal(vg_istore_write(s, out, 1700000000, &err), VG_OK);
    vg_istore_free(s);
}

static vg_snap *open_ok(unsigned flags)
{
    vg_snap *snap = NULL;
    vg_error err;
    if (vg_snap_open(&snap, path, flags, &err) != VG_OK)
        fail_msg("open: %s", err.msg);
    return snap;
}

/* The hits of value as "type text(P)" joined by spaces (P: parent), into out. */
static const char *hits_of(vg_snap *snap, int kind, const char *value)
{
    static char out[4096];
    static vg_ind ind;
    vg_intel_hit hits[VG_INTEL_MAX_HITS];
    vg_error err;
    if (vg_ind_parse(kind, value, strlen(value), &ind, &err) != VG_OK)
        fail_msg("%s: %s", value, err.msg);
    size_t n = vg_snap_match(snap, &ind, hits, VG_INTEL_MAX_HITS), len = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        char text[VG_IND_TEXT_MAX];
        vg_snap_hit_format(&hits[i], text, sizeof text);
        len += (size_t)snprintf(out + len, sizeof out - len, "%s%s %s%s", i ? " " : "", vg_ind_kind_name(hits[i].type),
                                text, hits[i].parent ? "(P)" : "");
    }
    return out;
}

static void expect_hits(vg_snap *snap, int kind, const char *value, const char *want)
{
    const char *got = hits_of(snap, kind, value);
    if (strcmp(got, want) != 0)
        fail_msg("%s: got '%s', want '%s'", value, got, want);
}

static void test_lookups(void **state)
{
    (void)state;
    build(path);
    vg_snap *snap = open_ok(VG_SNAP_VERIFY);
    expect_hits(snap, VG_IND_GUESS, "192.0.2.1", "ipv4 192.0.2.1 cidr4 0.0.0.0/0");
    expect_hits(snap, VG_IND_GUESS, "10.1.2.3",
                "cidr4 10.1.2.3/32 cidr4 10.1.2.0/24 cidr4 10.1.0.0/16 cidr4 10.0.0.0/8 cidr4 0.0.0.0/0");
    expect_hits(snap, VG_IND_GUESS, "10.1.2.4", "cidr4 10.1.2.0/24 cidr4 10.1.0.0/16 cidr4 10.0.0.0/8 cidr4 0.0.0.0/0");
    expect_hits(snap, VG_IND_GUESS, "10.255.255.255", "cidr4 10.0.0.0/8 cidr4 0.0.0.0/0");
    expect_hits(snap, VG_IND_GUESS, "11.0.0.0", "cidr4 11.0.0.0/8 cidr4 0.0.0.0/0");
    expect_hits(snap, VG_IND_GUESS, "9.255.255.255", "cidr4 0.0.0.0/0");
    expect_hits(snap, VG_IND_GUESS, "255.255.255.255", "cidr4 0.0.0.0/0");
    expect_hits(snap, VG_IND_GUESS, "10.1.0.0/20", "cidr4 10.1.0.0/16 cidr4 10.0.0.0/8 cidr4 0.0.0.0/0");
    expect_hits(snap, VG_IND_GUESS, "2001:db8:1::1", "ipv6 2001:db8:1::1 cidr6 2001:db8:1::/48 cidr6 2001:db8::/32");
    expect_hits(snap, VG_IND_GUESS, "2001:db8:2::1", "cidr6 2001:db8::/32");
    expect_hits(snap, VG_IND_GUESS, "2001:db9::", "");
    expect_hits(snap, VG_IND_GUESS, "::", "");
    expect_hits(snap, VG_IND_GUESS, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
                "cidr6 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ff00/120");
    assert_int_not_equal(vg_snap_find_ipv4(snap, 0xC0000201u), 0);
    assert_int_equal(vg_snap_find_ipv4(snap, 0xC0000202u), 0);

    expect_hits(snap, VG_IND_GUESS, "a.b.Evil.Example.", "domain evil.example(P)");
    expect_hits(snap, VG_IND_GUESS, "evil.example", "domain evil.example");
    expect_hits(snap, VG_IND_GUESS, "portal.example", "domain portal.example");
    expect_hits(snap, VG_IND_GUESS, "www.portal.example", "");
    expect_hits(snap, VG_IND_GUESS, "x.tk", "domain tk(P)");
    expect_hits(snap, VG_IND_GUESS, "HTTP://dl.example/payload.bin#frag", "url http://dl.example/payload.bin");
    expect_hits(snap, VG_IND_GUESS, "https://cdn.example/kit/?q=1", "url cdn.example/kit/");
    expect_hits(snap, VG_IND_GUESS, "http://any.example/gate.php?id=5", "url /gate.php");
    expect_hits(snap, VG_IND_GUESS, "cdn.example/kit/?q=1", "url cdn.example/kit/");
    expect_hits(snap, VG_IND_GUESS, "/gate.php?x", "url /gate.php");
    expect_hits(snap, VG_IND_GUESS, "44d88612fea8a8f36de82e1278abb02f", "md5 44d88612fea8a8f36de82e1278abb02f");
    expect_hits(snap, VG_IND_GUESS, "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709",
                "sha1 da39a3ee5e6b4b0d3255bfef95601890afd80709");
    expect_hits(snap, VG_IND_GUESS, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                "sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect_hits(snap, VG_IND_GUESS, "leaked.user@example.org", "email leaked.user@example.org");
    expect_hits(snap, VG_IND_ACCOUNT, "corp\\SVC_BACKUP", "account corp\\svc_backup");
    expect_hits(snap, VG_IND_GUESS, "as64500", "asn AS64500");
    expect_hits(snap, VG_IND_GUESS, "203.0.113.7:8443", "ipv4:port 203.0.113.7:8443");
    expect_hits(snap, VG_IND_GUESS, "[2001:DB8::BAD]:443", "ipv6:port [2001:db8::bad]:443");
    expect_hits(snap, VG_IND_GUESS, "203.0.113.7:8444", "");
    vg_snap_close(snap);
}

static void test_provenance_and_counts(void **state)
{
    (void)state;
    build(path);
    vg_snap *snap = open_ok(VG_SNAP_VERIFY);
    vg_intel_hit hits[VG_INTEL_MAX_HITS];
    assert_int_equal(vg_snap_match_ipv4(snap, 0xC0000201u, hits, VG_INTEL_MAX_HITS), 2);
    assert_int_equal(vg_snap_source_count(snap, hits[0].ref), 3);
    vg_intel_source src;
    assert_int_equal(vg_snap_source(snap, hits[0].ref, 0, &src), 0);
    assert_string_equal(src.feed, "threats");
    assert_string_equal(src.family, "Mirai");
    assert_int_equal(src.role, VG_INTEL_BLOCK);
    assert_int_equal(vg_snap_source(snap, hits[0].ref, 1, &src), 0);
    assert_string_equal(src.feed, "known-good");
    assert_int_equal(src.role, VG_INTEL_ALLOW);
    assert_int_equal(src.weight, 10);
    assert_int_equal(vg_snap_source(snap, hits[0].ref, 2, &src), 0);
    assert_string_equal(src.family, "Emotet");
    assert_int_equal(src.count, 7);
    assert_int_equal(src.first_seen, 1700000000);
    assert_int_equal(src.last_seen, 1700086400);
    assert_int_equal(src.nrefs, 2);
    assert_string_equal(vg_snap_source_reference(snap, &src, 1), "https://example.org/r2");
    assert_string_equal(vg_snap_source_reference(snap, &src, 2), "?");
    assert_int_equal(vg_snap_source(snap, hits[0].ref, 3, &src), -1);

    /* a parent-domain hit carries only the sources that match subdomains */
    static vg_ind ind;
    vg_error err;
    assert_int_equal(vg_ind_parse(VG_IND_DOMAIN, "www.evil.example", 16, &ind, &err), VG_OK);
    assert_int_equal(vg_snap_match(snap, &ind, hits, VG_INTEL_MAX_HITS), 1);
    assert_int_equal(vg_snap_source_count(snap, hits[0].ref), 1);
    assert_int_equal(vg_ind_parse(VG_IND_DOMAIN, "evil.example", 12, &ind, &err), VG_OK);
    assert_int_equal(vg_snap_match(snap, &ind, hits, VG_INTEL_MAX_HITS), 1);
    assert_int_equal(vg_snap_source_count(snap, hits[0].ref), 2);

    assert_int_equal(vg_snap_count(snap, VG_IND_CIDR6), 3);
    assert_int_equal(vg_snap_count(snap, VG_IND_URL), 3);
    assert_int_equal(vg_snap_count(snap, VG_IND_NONE), 25);
    assert_int_equal(vg_snap_feed_count(snap), 2);
    vg_intel_feed_info f;
    assert_int_equal(vg_snap_feed(snap, 1, &f), 0);
    assert_string_equal(f.name, "known-good");
    assert_int_equal(f.unique[VG_IND_IPV4], 1);
    assert_int_equal(f.unique[VG_IND_CIDR4], 1);
    assert_int_equal(f.unique[VG_IND_DOMAIN], 2);
    assert_int_equal(vg_snap_created(snap), 1700000000);
    assert_int_equal(vg_snap_feed(snap, 2, &f), -1);
    vg_snap_close(snap);
}

static void test_empty_store(void **state)
{
    (void)state;
    vg_istore *s;
    vg_error err;
    assert_int_equal(vg_istore_new(&s, &err), VG_OK);
    assert_int_equal(vg_istore_write(s, path, 1, &err), VG_OK);
    vg_istore_free(s);
    vg_snap *snap = open_ok(VG_SNAP_VERIFY);
    expect_hits(snap, VG_IND_GUESS, "1.2.3.4", "");
    expect_hits(snap, VG_IND_GUESS, "::1", "");
    expect_hits(snap, VG_IND_GUESS, "a.example", "");
    assert_int_equal(vg_snap_count(snap, VG_IND_NONE), 0);
    vg_snap_close(snap);
}

static unsigned char *read_all(size_t *n)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    *n = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *p = malloc(*n);
    assert_int_equal(fread(p, 1, *n, f), *n);
    fclose(f);
    return p;
}

static void write_all(const unsigned char *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(p, 1, n, f), n);
    fclose(f);
}

static void expect_rejected(unsigned flags, const char *reason)
{
    vg_snap *snap = NULL;
    vg_error err;
    vg_error_clear(&err);
    vg_rc rc = vg_snap_open(&snap, path, flags, &err);
    if (rc == VG_OK || !strstr(err.msg, reason))
        fail_msg("open: %s (%s), wanted a rejection with '%s'", vg_rc_str(rc), err.msg, reason);
}

/* Every lookup, on whatever the file holds: must not crash or read outside the mapping. */
static void exercise(vg_snap *snap)
{
    static const char *const values[] = { "192.0.2.1", "10.1.2.3", "2001:db8:1::1", "a.b.evil.example",
                                          "http://dl.example/payload.bin", "https://cdn.example/kit/?q",
                                          "44d88612fea8a8f36de82e1278abb02f", "leaked.user@example.org",
                                          "AS64500", "203.0.113.7:8443", "10.1.0.0/20", "ffff::/16" };
    vg_intel_hit hits[VG_INTEL_MAX_HITS];
    static vg_ind ind;
    vg_error err;
    for (size_t v = 0; v < sizeof values / sizeof values[0]; v++) {
        assert_int_equal(vg_ind_parse(VG_IND_GUESS, values[v], strlen(values[v]), &ind, &err), VG_OK);
        size_t n = vg_snap_match(snap, &ind, hits, VG_INTEL_MAX_HITS);
        for (size_t i = 0; i < n; i++) {
            char text[VG_IND_TEXT_MAX];
            vg_snap_hit_format(&hits[i], text, sizeof text);
            size_t ns = vg_snap_source_count(snap, hits[i].ref);
            for (size_t k = 0; k < ns && k < 8; k++) {
                vg_intel_source src;
                if (vg_snap_source(snap, hits[i].ref, k, &src) == 0) {
                    assert_true(strlen(src.feed) + strlen(src.family) + strlen(src.note) < (1u << 20));
                    for (unsigned j = 0; j < src.nrefs && j < 4; j++)
                        assert_non_null(vg_snap_source_reference(snap, &src, j));
                }
            }
        }
    }
    for (size_t i = 0; i < vg_snap_feed_count(snap); i++) {
        vg_intel_feed_info f;
        vg_snap_feed(snap, i, &f);
    }
}

static void test_damaged_files(void **state)
{
    (void)state;
    build(path);
    size_t n;
    unsigned char *good = read_all(&n);
    unsigned char *bad = malloc(n);

    write_all(good, n - 1);
    expect_rejected(0, "file size differs");
    write_all(good, 100);
    expect_rejected(0, "not a regular file of at least 128 bytes");
    memcpy(bad, good, n);
    memcpy(bad, "VGINTELX", 8);
    write_all(bad, n);
    expect_rejected(0, "no VGINTEL1 magic");
    memcpy(bad, good, n);
    bad[8] = 9;     /* version */
    write_all(bad, n);
    expect_rejected(0, "snapshot version 9");
    memcpy(bad, good, n);
    bad[n - 70] ^= 0x55;
    write_all(bad, n);
    expect_rejected(VG_SNAP_VERIFY, "SHA-256 of the body differs");
    /* a section offset past the end of the file */
    memcpy(bad, good, n);
    snap_section sec;
    memcpy(&sec, bad + SNAP_HEADER_SIZE, sizeof sec);
    sec.offset = (uint64_t)n + 4096;
    memcpy(bad + SNAP_HEADER_SIZE, &sec, sizeof sec);
    write_all(bad, n);
    expect_rejected(0, "section out of bounds");
    vg_snap *snap = NULL;
    vg_error err;
    assert_int_equal(vg_snap_open(&snap, "/nonexistent/store.vgi", 0, &err), VG_ERR_IO);
    free(bad);
    free(good);
}

/* Writes p with a recomputed checksum, so only the deep checks can catch the damage. */
static void write_resealed(unsigned char *p, size_t n)
{
    unsigned int len;
    EVP_Digest(p + SNAP_HEADER_SIZE, n - SNAP_HEADER_SIZE, p + offsetof(snap_header, sha256), &len, EVP_sha256(), NULL);
    write_all(p, n);
}

static const snap_section *find_section(const unsigned char *p, uint32_t id)
{
    const snap_header *h = (const snap_header *)p;
    for (uint32_t i = 0; i < h->nsections; i++) {
        const snap_section *s = (const snap_section *)(p + SNAP_HEADER_SIZE) + i;
        if (s->id == id)
            return s;
    }
    return NULL;
}

/* Overwrites 4 bytes at `at` of section sec (for hash tables: of the first element whose
 * bytes there are not zero, i.e. in use). */
static void corrupt(unsigned char *file, const snap_section *sec, size_t at)
{
    unsigned char *p = file + sec->offset;
    if (sec->id >= SEC_TABLE) {
        size_t i = 0;
        while (!memcmp(p + i * sec->elem_size + at, "\0\0\0\0", 4))
            i++;
        at += i * sec->elem_size;
    }
    memset(p + at, 0xEE, 4);
}

static void test_bad_offsets_with_valid_checksum(void **state)
{
    (void)state;
    build(path);
    size_t n;
    unsigned char *good = read_all(&n), *bad = malloc(n);
    static const struct { uint32_t id; size_t at; const char *reason; } cases[] = {
        { SEC_TABLE + VG_IND_DOMAIN, 4, "table is damaged" },         /* a key offset */
        { SEC_TABLE + VG_IND_IPV4, 32, "table is damaged" },          /* a ref of a bucket */
        { SEC_TABLE + VG_IND_MD5, 0, "table is damaged" },            /* a ref */
        { SEC_PROVS, 1, "provenance record 0 is damaged" },           /* its feed varint */
        { SEC_NETS4, 4, "IPv4 network 0 is damaged" },                /* a prefix of 255 */
        { SEC_SEG4_START, 4, "IPv4 segment 2 is damaged" },           /* order */
        { SEC_SEG4_INDEX, 400, "segment index is damaged" },
        { SEC_SEG6_VALUE, 4, "IPv6 segment 1 is damaged" },
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        memcpy(bad, good, n);
        const snap_section *sec = find_section(bad, cases[c].id);
        if (!sec)
            fail_msg("no section %u", cases[c].id);
        else
            corrupt(bad, sec, cases[c].at);
        write_resealed(bad, n);
        expect_rejected(VG_SNAP_VERIFY, cases[c].reason);
        vg_snap *snap = open_ok(0);       /* unverified: lookups must still stay inside */
        exercise(snap);
        vg_snap_close(snap);
    }
    free(bad);
    free(good);
}

static void test_random_corruption(void **state)
{
    (void)state;
    build(path);
    size_t n;
    unsigned char *good = read_all(&n), *bad = malloc(n);
    uint64_t x = 0x9E3779B97F4A7C15ull;
    for (int round = 0; round < 400; round++) {
        memcpy(bad, good, n);
        for (int k = 0; k < 1 + round % 8; k++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            size_t at = (size_t)(x % (n - SNAP_HEADER_SIZE)) + (round % 3 == 0 ? 0 : SNAP_HEADER_SIZE);
            bad[at % n] = (unsigned char)(x >> 40);
        }
        write_resealed(bad, n);
        for (unsigned flags = 0; flags <= VG_SNAP_VERIFY; flags += VG_SNAP_VERIFY) {
            vg_snap *snap = NULL;
            vg_error err;
            if (vg_snap_open(&snap, path, flags, &err) == VG_OK) {
                exercise(snap);
                vg_snap_close(snap);
            }
        }
    }
    free(bad);
    free(good);
}

static void test_write_errors(void **state)
{
    (void)state;
    vg_istore *s;
    vg_error err;
    assert_int_equal(vg_istore_new(&s, &err), VG_OK);
    assert_int_equal(vg_istore_write(s, "/nonexistent-dir/x.vgi", 1, &err), VG_ERR_IO);
    assert_non_null(strstr(err.msg, "cannot create a temporary file"));
    vg_istore_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_lookups, setup, teardown),
        cmocka_unit_test_setup_teardown(test_provenance_and_counts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_store, setup, teardown),
        cmocka_unit_test_setup_teardown(test_damaged_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_offsets_with_valid_checksum, setup, teardown),
        cmocka_unit_test_setup_teardown(test_random_corruption, setup, teardown),
        cmocka_unit_test(test_write_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
