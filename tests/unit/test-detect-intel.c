/*
 * test-detect-intel: matching events against a small snapshot. Observables read from decoder
 * fields and from nested, flat-dotted and array JSON members; addresses with their port
 * (IP:port indicators), IPv4-mapped IPv6, networks, domains by their parents; the url.original
 * fallback; decoder fields winning over the record; known-good suppression, expiry, values not
 * of their field's kind, extra fields, and the alert's JSON; a worker's remembered source
 * summaries against another time and another snapshot; field names remembered by position;
 * the look-ahead hint's bounds.
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

#include "detect-alert.h"
#include "detect-intel.h"
#include "intel-store.h"

#define NOW 1800000000      /* 2027-01-15 */

static char dir[64];
static char path[128];
static vg_snap *snap;

static void add(vg_istore *s, unsigned feed, int kind, const char *text, int64_t expires)
{
    static vg_ind ind;
    static const char *const refs[1] = { "https://example.org/report" };
    vg_feed_prov p;
    memset(&p, 0, sizeof p);
    p.family = feed == 0 ? "Mirai" : "";
    p.aliases = p.note = "";
    p.refs[0] = refs[0];
    p.nrefs = feed == 0;
    p.source = "test";
    p.line = 1;
    vg_error err;
    if (vg_ind_parse(kind, text, strlen(text), &ind, &err) != VG_OK)
        fail_msg("%s: %s", text, err.msg);
    assert_int_equal(vg_istore_add(s, feed, &ind, &p, expires, &err), VG_OK);
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/vigil-test-detect-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(path, sizeof path, "%s/store.vgi", dir);
    vg_istore *s;
    vg_error err;
    unsigned threats, good, old;
    vg_istore_feed f1 = { "threats", "t.txt", VG_FEED_PLAIN, VG_INTEL_BLOCK, 100, 0 };
    vg_istore_feed f2 = { "known-good", "g.json", VG_FEED_WARNINGLIST, VG_INTEL_ALLOW, 10, 0 };
    vg_istore_feed f3 = { "old", "o.txt", VG_FEED_PLAIN, VG_INTEL_BLOCK, 50, 0 };
    if (vg_istore_new(&s, &err) || vg_istore_add_feed(s, &f1, &threats, &err) ||
        vg_istore_add_feed(s, &f2, &good, &err) || vg_istore_add_feed(s, &f3, &old, &err))
        return -1;
    add(s, threats, VG_IND_GUESS, "192.0.2.10", 0);
    add(s, threats, VG_IND_GUESS, "198.51.100.0/24", 0);
    add(s, threats, VG_IND_GUESS, "203.0.113.7:8443", 0);
    add(s, threats, VG_IND_GUESS, "evil.example", 0);
    add(s, threats, VG_IND_GUESS, "http://bad.example/x.php", 0);
    add(s, threats, VG_IND_GUESS, "d41d8cd98f00b204e9800998ecf8427e", 0);
    add(s, threats, VG_IND_ACCOUNT, "Backdoor", 0);
    add(s, threats, VG_IND_GUESS, "mallory@evil.example", 0);
    add(s, threats, VG_IND_GUESS, "2001:db8::bad", 0);
    add(s, threats, VG_IND_GUESS, "8.8.8.8", 0);                 /* also on the known-good list */
    add(s, good, VG_IND_GUESS, "8.8.8.0/24", 0);
    add(s, good, VG_IND_GUESS, "10.0.0.1", 0);                   /* known-good only */
    add(s, old, VG_IND_GUESS, "192.0.2.99", NOW - 10);           /* expired */
    add(s, old, VG_IND_GUESS, "192.0.2.10", NOW - 10);           /* expired second source */
    if (vg_istore_write(s, path, NOW, &err) != VG_OK)
        return -1;
    vg_istore_free(s);
    return vg_snap_open(&snap, path, VG_SNAP_VERIFY, &err) == VG_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    vg_snap_close(snap);
    unlink(path);
    rmdir(dir);
    return 0;
}

typedef struct seen {
    unsigned n;
    char field[16][64];
    char value[16][128];
    char indicator[16][128];
    char json[16][2048];
} seen;

static vg_rc collect(void *ctx, const vg_intel_alert *a)
{
    seen *s = ctx;
    if (s->n == 16)
        return VG_ERR_LIMIT;
    snprintf(s->field[s->n], sizeof s->field[0], "%s", a->field);
    snprintf(s->value[s->n], sizeof s->value[0], "%.*s", (int)a->value_len, a->value);
    vg_snap_hit_format(a->hit, s->indicator[s->n], sizeof s->indicator[0]);
    vg_buf b;
    vg_buf_init(&b, 0);
    vg_alert_origin o = { .input = "in.log", .record = 7, .line = 9, .repeat = 1 };
    assert_int_equal(vg_alert_begin(&b, "intel", a->ev, &o, NOW), VG_OK);
    assert_int_equal(vg_intel_alert_json(&b, a), VG_OK);
    assert_int_equal(vg_alert_end(&b, a->ev), VG_OK);
    snprintf(s->json[s->n], sizeof s->json[0], "%.*s", (int)b.len, b.data);
    vg_buf_free(&b);
    s->n++;
    return VG_OK;
}

/* Matches a JSON record (with decoder fields already set on ev when given) at time now. */
static void match_json_at(const vg_intel_matcher *m, const char *json, vg_event *ev, seen *out, vg_intel_stats *st,
                          int64_t now)
{
    static vg_json_doc doc;
    static vg_intel_scratch *w;
    vg_error err;
    if (!w) {
        assert_int_equal(vg_intel_scratch_new(&w, &err), VG_OK);
        assert_int_equal(vg_json_doc_init(&doc, 1024, 32), VG_OK);
    }
    size_t end;
    assert_int_equal(vg_json_parse(&doc, json, strlen(json), 0, &end, &err), VG_OK);
    ev->text = json;
    ev->len = strlen(json);
    ev->doc = &doc;
    memset(out, 0, sizeof *out);
    memset(st, 0, sizeof *st);
    assert_int_equal(vg_intel_match_event(m, w, snap, ev, now, collect, out, st), VG_OK);
}

static void match_json(const vg_intel_matcher *m, const char *json, vg_event *ev, seen *out, vg_intel_stats *st)
{
    match_json_at(m, json, ev, out, st, NOW);
}

static vg_intel_matcher *defaults(void)
{
    vg_intel_matcher *m;
    vg_error err;
    assert_int_equal(vg_intel_matcher_new(&m, 1, NULL, 0, &err), VG_OK);
    return m;
}

static void test_record_fields(void **state)
{
    (void)state;
    vg_intel_matcher *m = defaults();
    static vg_event ev;
    seen s;
    vg_intel_stats st;
    vg_event_reset(&ev, "", 0, NULL);
    match_json(m, "{\"source\":{\"ip\":\"192.0.2.10\",\"port\":1},\"destination.ip\":\"198.51.100.77\","
                  "\"dns\":{\"question\":{\"name\":\"WWW.Evil.Example.\"}},\"user\":{\"name\":\"backdoor\"},"
                  "\"file\":{\"hash\":{\"md5\":\"D41D8CD98F00B204E9800998ECF8427E\"}},"
                  "\"email\":{\"from\":{\"address\":[\"x@y.example\",\"Mallory@Evil.Example\"]}}}", &ev, &s, &st);
    assert_int_equal(s.n, 6);
    assert_string_equal(s.field[0], "source.ip");
    assert_string_equal(s.indicator[0], "192.0.2.10");
    assert_string_equal(s.field[1], "destination.ip");
    assert_string_equal(s.indicator[1], "198.51.100.0/24");
    assert_string_equal(s.field[2], "dns.question.name");
    assert_string_equal(s.value[2], "WWW.Evil.Example.");
    assert_string_equal(s.indicator[2], "evil.example");
    assert_non_null(strstr(s.json[2], "\"match\":\"parent domain\""));
    assert_string_equal(s.field[3], "user.name");
    assert_string_equal(s.field[4], "file.hash.md5");
    assert_string_equal(s.field[5], "email.from.address");
    assert_string_equal(s.indicator[5], "mallory@evil.example");
    /* the expired second source of 192.0.2.10 is left out of the alert */
    assert_non_null(strstr(s.json[0], "\"feed\":\"threats\""));
    assert_null(strstr(s.json[0], "\"feed\":\"old\""));
    assert_non_null(strstr(s.json[0], "\"references\":[\"https://example.org/report\"]"));
    assert_non_null(strstr(s.json[0], "\"alert\":{\"kind\":\"intel\",\"created\":\"2027-01-15T08:00:00Z\","
                                      "\"input\":\"in.log\",\"record\":7,\"line\":9}"));
    assert_non_null(strstr(s.json[0], ",\"event\":{\"source\":{\"ip\":\"192.0.2.10\""));
    assert_int_equal(st.events, 1);
    assert_int_equal(st.values, 7);
    assert_int_equal(st.alerts, 6);
    vg_intel_matcher_free(m);
}

static void test_ports_mapped_and_networks(void **state)
{
    (void)state;
    vg_intel_matcher *m = defaults();
    static vg_event ev;
    seen s;
    vg_intel_stats st;
    vg_event_reset(&ev, "", 0, NULL);
    /* the port as a number or a string; a v4-mapped v6 address; a v6 address */
    match_json(m, "{\"destination\":{\"ip\":\"::ffff:203.0.113.7\",\"port\":8443},"
                  "\"client\":{\"ip\":\"2001:DB8::BAD\"},\"server\":{\"ip\":\"203.0.113.7\",\"port\":\"80\"}}",
               &ev, &s, &st);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.indicator[0], "203.0.113.7:8443");
    assert_non_null(strstr(s.json[0], "\"port_field\":\"destination.port\",\"port\":8443"));
    assert_string_equal(s.indicator[1], "2001:db8::bad");
    assert_int_equal(st.lookups, 5);
    vg_intel_matcher_free(m);
}

static void test_suppressed_expired_invalid(void **state)
{
    (void)state;
    vg_intel_matcher *m = defaults();
    static vg_event ev;
    seen s;
    vg_intel_stats st;
    vg_event_reset(&ev, "", 0, NULL);
    match_json(m, "{\"source\":{\"ip\":\"8.8.8.8\"},\"destination\":{\"ip\":\"10.0.0.1\"},"
                  "\"client\":{\"ip\":\"192.0.2.99\"},\"server\":{\"ip\":\"not-an-ip\"},"
                  "\"host\":{\"ip\":[\"-\",\"\",\"192.0.2.200\",7]},\"user\":{\"name\":\"-\"}}", &ev, &s, &st);
    assert_int_equal(s.n, 0);
    assert_int_equal(st.hits, 4);          /* 8.8.8.8 twice (exact, known-good net), 10.0.0.1, .99 */
    assert_int_equal(st.suppressed, 1);
    assert_int_equal(st.allowed, 2);
    assert_int_equal(st.expired, 1);
    assert_int_equal(st.invalid, 2);       /* "not-an-ip" and the number 7 */
    assert_int_equal(st.values, 6);        /* "-" and "" are not values */
    vg_intel_matcher_free(m);
}

static void test_decoder_fields_win(void **state)
{
    (void)state;
    vg_intel_matcher *m = defaults();
    static vg_event ev;
    seen s;
    vg_intel_stats st;
    vg_event_reset(&ev, "", 0, NULL);
    /* the decoder normalized source.ip; the record's raw value is not read */
    assert_int_equal(vg_event_set_cstr(&ev, "source.ip", "192.0.2.10"), VG_OK);
    assert_int_equal(vg_event_set_cstr(&ev, "url.original", "http://bad.example/x.php"), VG_OK);
    match_json(m, "{\"source\":{\"ip\":\"198.51.100.1\"}}", &ev, &s, &st);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.value[0], "192.0.2.10");
    assert_string_equal(s.field[1], "url.original");
    /* url.original is read only when url.full is absent */
    vg_event_reset(&ev, "", 0, NULL);
    assert_int_equal(vg_event_set_cstr(&ev, "url.full", "http://good.example/"), VG_OK);
    assert_int_equal(vg_event_set_cstr(&ev, "url.original", "http://bad.example/x.php"), VG_OK);
    match_json(m, "{}", &ev, &s, &st);
    assert_int_equal(s.n, 0);
    assert_int_equal(st.values, 1);
    vg_intel_matcher_free(m);
}

static void test_extra_fields(void **state)
{
    (void)state;
    vg_intel_matcher *m;
    vg_intel_field f[2];
    vg_error err;
    char a[] = "winlog.event_data.QueryName=domain", b[] = "proxy.dst=ip:proxy.dport", bad[] = "x=cidr";
    char nokind[] = "x.y";
    assert_int_equal(vg_intel_field_parse(a, &f[0], &err), VG_OK);
    assert_int_equal(vg_intel_field_parse(b, &f[1], &err), VG_OK);
    assert_string_equal(f[1].port, "proxy.dport");
    assert_int_equal(vg_intel_field_parse(bad, &f[0], &err), VG_ERR_USAGE);
    assert_int_equal(vg_intel_field_parse(nokind, &f[0], &err), VG_ERR_USAGE);
    assert_int_equal(vg_intel_field_parse(a, &f[0], &err), VG_ERR_USAGE);  /* '=' was cut */
    char a2[] = "winlog.event_data.QueryName=domain";
    assert_int_equal(vg_intel_field_parse(a2, &f[0], &err), VG_OK);
    assert_int_equal(vg_intel_matcher_new(&m, 0, f, 2, &err), VG_OK);
    static vg_event ev;
    seen s;
    vg_intel_stats st;
    vg_event_reset(&ev, "", 0, NULL);
    match_json(m, "{\"winlog\":{\"event_data\":{\"QueryName\":\"a.evil.example\"}},"
                  "\"proxy\":{\"dst\":\"203.0.113.7\",\"dport\":8443},\"source\":{\"ip\":\"192.0.2.10\"}}",
               &ev, &s, &st);
    assert_int_equal(s.n, 2);   /* source.ip is not read without the defaults */
    assert_string_equal(s.field[0], "winlog.event_data.QueryName");
    assert_string_equal(s.indicator[1], "203.0.113.7:8443");
    vg_intel_matcher_free(m);
    /* the same path twice, or a port that is also a value, is refused */
    vg_intel_field twice[2] = { { "a.b", VG_IND_DOMAIN, NULL, 0 }, { "a.b", VG_IND_URL, NULL, 0 } };
    assert_int_equal(vg_intel_matcher_new(&m, 0, twice, 2, &err), VG_ERR_USAGE);
    vg_intel_field clash[2] = { { "a.ip", VG_IND_ANY_IP, "a.b", 0 }, { "a.b", VG_IND_DOMAIN, NULL, 0 } };
    assert_int_equal(vg_intel_matcher_new(&m, 0, clash, 2, &err), VG_ERR_USAGE);
}

static void test_escaped_values(void **state)
{
    (void)state;
    vg_intel_matcher *m = defaults();
    static vg_event ev;
    seen s;
    vg_intel_stats st;
    vg_event_reset(&ev, "", 0, NULL);
    match_json(m, "{\"url\":{\"full\":\"http:\\/\\/bad.example\\/x.php\"},\"user\":{\"name\":\"\\u0062ackdoor\"}}",
               &ev, &s, &st);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.value[0], "http://bad.example/x.php");
    assert_string_equal(s.value[1], "backdoor");
    vg_intel_matcher_free(m);
}

/* The worker remembers what the sources of a hit say (roles, expiry), not the verdict: the
 * same hit at another time is judged again; after a reload (even at the same address) the new
 * snapshot's sources count. */
static void test_remembered_sources(void **state)
{
    (void)state;
    vg_intel_matcher *m = defaults();
    static vg_event ev;
    seen s;
    vg_intel_stats st;
    const char *json = "{\"source\":{\"ip\":\"192.0.2.99\"},\"destination\":{\"ip\":\"10.0.0.1\"}}";
    vg_event_reset(&ev, "", 0, NULL);
    match_json_at(m, json, &ev, &s, &st, NOW - 20);      /* before 192.0.2.99 expired */
    assert_int_equal(s.n, 1);
    assert_int_equal(st.allowed, 1);
    match_json_at(m, json, &ev, &s, &st, NOW);
    assert_int_equal(s.n, 0);
    assert_int_equal(st.expired, 1);
    match_json_at(m, json, &ev, &s, &st, NOW - 20);
    assert_int_equal(s.n, 1);
    /* two snapshots alike but for the feeds' roles (so their refs are the same numbers), the
     * second opened where the first was (an allocator that reuses the address tests that) */
    char p1[160], p2[160];
    snprintf(p1, sizeof p1, "%s/roles1.vgi", dir);
    snprintf(p2, sizeof p2, "%s/roles2.vgi", dir);
    for (int k = 0; k < 2; k++) {
        vg_istore *b;
        vg_error err;
        unsigned f0, f1;
        vg_istore_feed a = { "a", "a.txt", VG_FEED_PLAIN, k ? VG_INTEL_ALLOW : VG_INTEL_BLOCK, 100, 0 };
        vg_istore_feed g = { "b", "b.txt", VG_FEED_PLAIN, k ? VG_INTEL_BLOCK : VG_INTEL_ALLOW, 100, 0 };
        assert_int_equal(vg_istore_new(&b, &err), VG_OK);
        assert_int_equal(vg_istore_add_feed(b, &a, &f0, &err), VG_OK);
        assert_int_equal(vg_istore_add_feed(b, &g, &f1, &err), VG_OK);
        add(b, f0, VG_IND_GUESS, "192.0.2.99", 0);
        add(b, f1, VG_IND_GUESS, "10.0.0.1", 0);
        assert_int_equal(vg_istore_write(b, k ? p2 : p1, NOW, &err), VG_OK);
        vg_istore_free(b);
    }
    vg_snap *first = snap;
    vg_error err;
    vg_snap_close(first);
    assert_int_equal(vg_snap_open(&snap, p1, 0, &err), VG_OK);
    match_json_at(m, json, &ev, &s, &st, NOW);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.indicator[0], "192.0.2.99");
    first = snap;
    vg_snap_close(first);
    assert_int_equal(vg_snap_open(&snap, p2, 0, &err), VG_OK);
    match_json_at(m, json, &ev, &s, &st, NOW);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.indicator[0], "10.0.0.1");
    vg_snap_close(snap);
    unlink(p1);
    unlink(p2);
    assert_int_equal(vg_snap_open(&snap, path, VG_SNAP_VERIFY, &err), VG_OK);
    vg_intel_matcher_free(m);
}

/* The field names remembered by position follow events whose fields come in another order:
 * each value keeps its own field. */
static void test_field_positions(void **state)
{
    (void)state;
    vg_intel_matcher *m = defaults();
    static vg_event ev;
    seen s;
    vg_intel_stats st;
    const char *order[2][2] = { { "source.ip", "user.name" }, { "user.name", "destination.ip" } };
    for (int k = 0; k < 2; k++) {
        vg_event_reset(&ev, "", 0, NULL);
        assert_int_equal(vg_event_set_cstr(&ev, order[k][0], k ? "backdoor" : "192.0.2.10"), VG_OK);
        assert_int_equal(vg_event_set_cstr(&ev, order[k][1], k ? "192.0.2.10" : "backdoor"), VG_OK);
        match_json(m, "{}", &ev, &s, &st);
        assert_int_equal(s.n, 2);
        assert_string_equal(s.field[0], k ? "user.name" : "source.ip");
        assert_string_equal(s.field[1], k ? "destination.ip" : "user.name");
    }
    vg_intel_matcher_free(m);
}

/* The look-ahead hint reads only what it is given (each text in a buffer of its exact size,
 * so ASan sees a read past it) and changes no result. */
static void test_prefetch_text(void **state)
{
    (void)state;
    static const char *const texts[] = {
        "", "1", "1.2.3", "1.2.3.4", "x1.2.3.4:80", "10.0.0.1 port 22", "10.0.0.1 port 6553500", "a.b.c.d.e",
        "....................", "999.1.1.1", "1.1.1.1.1.1.1.1.1", "1.2.3.4:", "1.2.3.4 port ", "1.2.3.4 por",
        "from 192.0.2.99 port 40704 ssh2", "{\"source\":{\"ip\":\"192.0.2.10\",\"port\":443}}", "0.0.0.0.",
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        size_t n = strlen(texts[i]);
        char *t = malloc(n ? n : 1);
        assert_non_null(t);
        memcpy(t, texts[i], n);
        for (size_t k = 0; k <= n; k++)
            vg_intel_prefetch_text(snap, t + k, n - k);
        free(t);
    }
    char big[2 * VG_INTEL_AHEAD];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = "1.2.3.4 "[i % 8];
    vg_intel_prefetch_text(snap, big, sizeof big);
    vg_intel_matcher *m = defaults();
    static vg_event ev;
    seen s;
    vg_intel_stats st;
    vg_event_reset(&ev, "", 0, NULL);
    match_json(m, "{\"source\":{\"ip\":\"192.0.2.10\"}}", &ev, &s, &st);
    assert_int_equal(s.n, 1);
    vg_intel_matcher_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_record_fields),
        cmocka_unit_test(test_ports_mapped_and_networks),
        cmocka_unit_test(test_suppressed_expired_invalid),
        cmocka_unit_test(test_decoder_fields_win),
        cmocka_unit_test(test_extra_fields),
        cmocka_unit_test(test_escaped_values),
        cmocka_unit_test(test_remembered_sources),
        cmocka_unit_test(test_field_positions),
        cmocka_unit_test(test_prefetch_text),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
