/*
 * test-intel-config: the feed configuration (every key, defaults, path resolution, errors
 * with FILE:LINE) and intel-compile over it (globs, disabled feeds, expiry, roles, a path that
 * matches nothing, callbacks).
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

#include "intel-compile.h"
#include "intel-config.h"
#include "intel-snapshot.h"

static vg_intel_config *parse_ok(const char *yaml)
{
    vg_intel_config *conf = NULL;
    vg_error err;
    vg_error_clear(&err);
    if (vg_intel_config_parse(&conf, yaml, strlen(yaml), "feeds.yml", "/etc/vigil", &err) != VG_OK)
        fail_msg("%s", err.msg);
    return conf;
}

static void parse_bad(const char *yaml, const char *want)
{
    vg_intel_config *conf = NULL;
    vg_error err;
    vg_error_clear(&err);
    vg_rc rc = vg_intel_config_parse(&conf, yaml, strlen(yaml), "feeds.yml", "/etc/vigil", &err);
    if (rc == VG_OK || strcmp(err.msg, want) != 0)
        fail_msg("got %s '%s', want '%s'", vg_rc_str(rc), err.msg, want);
}

static void test_full_feed(void **state)
{
    (void)state;
    vg_intel_config *conf = parse_ok(
        "feeds:\n"
        "  - name: feodo\n"
        "    format: csv\n"
        "    path: [abusech/ipblocklist.csv, /abs/other.csv]\n"
        "    enabled: false\n"
        "    weight: 90\n"
        "    role: allow\n"
        "    match: exact\n"
        "    family: Dridex\n"
        "    expire_after: 30\n"
        "    type: ip\n"
        "    csv:\n"
        "      delimiter: \"\\t\"\n"
        "      header: comment\n"
        "      columns: { ip: dst_ip, port: 3, first_seen: first_seen_utc }\n"
        "  - name: plain\n"
        "    format: plain\n"
        "    path: list.txt\n");
    assert_int_equal(conf->nfeeds, 2);
    const vg_intel_feed_conf *f = &conf->feeds[0];
    assert_string_equal(f->name, "feodo");
    assert_int_equal(f->opts.format, VG_FEED_CSV);
    assert_int_equal(f->npaths, 2);
    assert_string_equal(f->paths[0], "/etc/vigil/abusech/ipblocklist.csv");
    assert_string_equal(f->paths[1], "/abs/other.csv");
    assert_false(f->enabled);
    assert_int_equal(f->weight, 90);
    assert_int_equal(f->role, VG_INTEL_ALLOW);
    assert_int_equal(f->opts.flags, VG_PROV_HOST_ONLY);
    assert_string_equal(f->opts.family, "Dridex");
    assert_int_equal(f->expire_days, 30);
    assert_int_equal(f->opts.kind, VG_IND_ANY_IP);
    assert_int_equal(f->opts.delimiter, '\t');
    assert_int_equal(f->opts.header, VG_CSV_HEADER_COMMENT);
    assert_string_equal(f->opts.columns[VG_CSV_IP], "dst_ip");
    assert_string_equal(f->opts.columns[VG_CSV_PORT], "3");
    assert_null(f->opts.columns[VG_CSV_URL]);
    f = &conf->feeds[1];
    assert_true(f->enabled);
    assert_int_equal(f->weight, 100);
    assert_int_equal(f->role, VG_INTEL_BLOCK);
    assert_int_equal(f->opts.kind, VG_IND_GUESS);
    assert_int_equal(f->line, 16);
    vg_intel_config_free(conf);
}

/* The MISP and STIX formats: a MISP path may name the feed's directory. */
static void test_misp_stix_feeds(void **state)
{
    (void)state;
    vg_intel_config *conf = parse_ok("feeds:\n"
                                     "  - {name: m, format: misp, path: misp/circl, expire_after: 90}\n"
                                     "  - {name: s, format: stix, path: [stix/*.json], match: exact}\n");
    assert_int_equal(conf->nfeeds, 2);
    assert_int_equal(conf->feeds[0].opts.format, VG_FEED_MISP);
    assert_string_equal(conf->feeds[0].paths[0], "/etc/vigil/misp/circl");
    assert_int_equal(conf->feeds[1].opts.format, VG_FEED_STIX);
    assert_int_equal(conf->feeds[1].opts.flags, VG_PROV_HOST_ONLY);
    vg_intel_config_free(conf);
}

static void test_errors(void **state)
{
    (void)state;
    parse_bad("feeds: [\n", "feeds.yml:2: did not find expected node content");
    parse_bad("other: 1\n", "feeds.yml:1: unknown or repeated key 'other' (the configuration has one key: feeds)");
    parse_bad("feeds: 3\n", "feeds.yml:1: 'feeds' must be a list");
    parse_bad("feeds:\n  - name: a\n    format: taxii\n    path: x\n",
              "feeds.yml:3: format must be plain, maltrail, ipsum, netset, spamhaus, asn-drop, csv, warninglist, misp "
              "or stix");
    parse_bad("feeds:\n  - name: a\n    format: plain\n    path: x\n    colour: red\n",
              "feeds.yml:5: unknown feed key 'colour' (name, format, path, type, enabled, weight, role, match, family, "
              "expire_after, csv)");
    parse_bad("feeds:\n  - name: a\n    format: plain\n", "feeds.yml:2: feed a has no path");
    parse_bad("feeds:\n  - format: plain\n    path: x\n", "feeds.yml:2: feed has no name");
    parse_bad("feeds:\n  - name: a\n    format: plain\n    path: x\n    name: b\n", "feeds.yml:5: key 'name' given twice");
    parse_bad("feeds:\n  - {name: a, format: plain, path: x}\n  - {name: a, format: plain, path: y}\n",
              "feeds.yml:3: two feeds are named a");
    parse_bad("feeds:\n  - {name: a, format: plain, path: x, weight: 70000}\n",
              "feeds.yml:2: weight must be a number from 0 to 65535");
    parse_bad("feeds:\n  - {name: a, format: plain, path: x, enabled: maybe}\n",
              "feeds.yml:2: enabled must be true or false");
    parse_bad("feeds:\n  - {name: a, format: plain, path: x, type: guid}\n", "feeds.yml:2: unknown indicator type 'guid'");
    parse_bad("feeds:\n  - {name: a, format: csv, path: x}\n",
              "feeds.yml:2: feed a: the CSV columns map no indicator (value, ip, url, domain, hash, email or account)");
    parse_bad("feeds:\n  - name: a\n    format: csv\n    path: x\n    csv: {header: none, columns: {ip: dst_ip}}\n",
              "feeds.yml:2: feed a: column 'dst_ip' of ip: without a header, columns are numbers from 1");
    parse_bad("feeds:\n  - name: a\n    format: csv\n    path: x\n    csv:\n      columns: {colour: 1}\n",
              "feeds.yml:6: unknown column role 'colour' (value, type, ip, port, url, domain, hash, email, account, "
              "family, aliases, note, reference, confidence, first_seen, last_seen)");
    parse_bad("feeds:\n  - {name: a, format: plain, path: []}\n", "feeds.yml:2: path list is empty");
}

static char dir[64];

static void write_file(const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

typedef struct seen {
    unsigned rejects, files, feeds;
    char last_reject[256];
} seen;

static void on_reject(void *ctx, const char *feed, const char *source, uint64_t line, const char *reason)
{
    seen *s = ctx;
    s->rejects++;
    snprintf(s->last_reject, sizeof s->last_reject, "%s %s:%llu: %s", feed, strrchr(source, '/') + 1,
             (unsigned long long)line, reason);
}

static void on_file(void *ctx, const vg_compile_feed *f, const char *path)
{
    (void)f;
    (void)path;
    ((seen *)ctx)->files++;
}

static void on_feed(void *ctx, const vg_compile_feed *f)
{
    (void)f;
    ((seen *)ctx)->feeds++;
}

static void test_compile(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/vigil-test-config-XXXXXX");
    assert_non_null(mkdtemp(dir));
    write_file("a-1.txt", "192.0.2.1\nevil.example\nbad entry\n");
    write_file("a-2.txt", "192.0.2.2\n");
    write_file("c2.csv", "ip,port,seen\n198.51.100.1,443,2020-01-01\n198.51.100.2,443,2099-01-01\n");
    write_file("off.txt", "203.0.113.1\n");
    write_file("feeds.yml",
               "feeds:\n"
               "  - {name: lists, format: plain, path: 'a-*.txt'}\n"
               "  - name: c2\n"
               "    format: csv\n"
               "    path: c2.csv\n"
               "    expire_after: 30\n"
               "    csv: {columns: {ip: ip, port: port, last_seen: seen}}\n"
               "  - {name: off, format: plain, path: off.txt, enabled: false}\n"
               "  - {name: good, format: plain, path: a-2.txt, role: allow}\n");
    char conf_path[128], out[128];
    snprintf(conf_path, sizeof conf_path, "%s/feeds.yml", dir);
    snprintf(out, sizeof out, "%s/store.vgi", dir);
    vg_intel_config *conf = NULL;
    vg_error err;
    assert_int_equal(vg_intel_config_load(&conf, conf_path, &err), VG_OK);
    seen s = { 0, 0, 0, "" };
    vg_compile_sink sink = { on_reject, on_file, on_feed, &s };
    vg_compile_totals tot;
    int64_t now = 1893456000;   /* 2030-01-01: the 2020 sighting has expired, the 2099 one not */
    assert_int_equal(vg_intel_compile(conf, out, now, &sink, &tot, &err), VG_OK);
    assert_int_equal(tot.feeds, 3);
    assert_int_equal(tot.disabled, 1);
    assert_int_equal(tot.files, 4);
    assert_int_equal(tot.rejected, 1);
    assert_int_equal(tot.expired, 2);
    assert_int_equal(tot.indicators, 5);        /* 2 lists IPs, a domain, the 2099 IP and IP:port */
    assert_int_equal(tot.per_type[VG_IND_IPPORT4], 1);
    assert_int_equal(s.rejects, 1);
    assert_string_equal(s.last_reject, "lists a-1.txt:3: unexpected text after the indicator (a comment starts with ' #')");
    assert_int_equal(s.files, 4);
    assert_int_equal(s.feeds, 4);

    vg_snap *snap;
    assert_int_equal(vg_snap_open(&snap, out, VG_SNAP_VERIFY, &err), VG_OK);
    uint32_t ref = vg_snap_find_ipv4(snap, 0xC0000202u);
    assert_int_equal(vg_snap_source_count(snap, ref), 2);
    vg_intel_source src;
    assert_int_equal(vg_snap_source(snap, ref, 1, &src), 0);
    assert_string_equal(src.feed, "good");
    assert_int_equal(src.role, VG_INTEL_ALLOW);
    ref = vg_snap_find_ipv4(snap, 0xC6336402u);
    assert_int_equal(vg_snap_source(snap, ref, 0, &src), 0);
    assert_int_equal(src.expires, 4070908800 + 30 * 86400);
    assert_int_equal(vg_snap_find_ipv4(snap, 0xC6336401u), 0);   /* expired: not stored */
    vg_intel_feed_info fi;
    assert_int_equal(vg_snap_feed(snap, 1, &fi), 0);
    assert_string_equal(fi.name, "c2");
    assert_int_equal(fi.expired, 2);
    assert_int_equal(fi.expire_days, 30);
    vg_snap_close(snap);
    vg_intel_config_free(conf);

    /* a path that matches nothing stops the compile and leaves the old snapshot */
    write_file("feeds.yml", "feeds:\n  - {name: gone, format: plain, path: 'nothing-*.txt'}\n");
    assert_int_equal(vg_intel_config_load(&conf, conf_path, &err), VG_OK);
    assert_int_equal(vg_intel_compile(conf, out, now, &sink, &tot, &err), VG_ERR_IO);
    assert_non_null(strstr(err.msg, "feeds.yml:2: feed gone: path "));
    assert_non_null(strstr(err.msg, "nothing-*.txt matches no file"));
    assert_int_equal(access(out, R_OK), 0);
    vg_intel_config_free(conf);

    const char *names[] = { "a-1.txt", "a-2.txt", "c2.csv", "off.txt", "feeds.yml", "store.vgi" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char p[256];
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        unlink(p);
    }
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_feed),
        cmocka_unit_test(test_misp_stix_feeds),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_compile),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
