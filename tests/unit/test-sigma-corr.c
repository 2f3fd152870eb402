/*
 * test-sigma-corr: Sigma correlation rules and filters (sigma-corr) on hand-written rules and
 * Windows Security events with explicit times: each correlation type, sliding windows across
 * their edges (an event exactly timespan after another is outside, one a millisecond less is
 * inside), group-by with two fields, aliases, chaining, late events, the memory bound,
 * generate, filters, and references that cannot be resolved.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "decode-fixture.h"
#include "sigma-corr.h"

/* Detection rules shared by the tests: failed (4625), ok (4624), xfer (5145). */
static const char base_rules[] =
    "title: Failed logon\nid: 00000000-0000-4000-8000-000000000001\nname: failed\n"
    "logsource: {product: windows, service: security}\n"
    "detection:\n  sel:\n    EventID: 4625\n  condition: sel\n"
    "---\ntitle: Logon\nid: 00000000-0000-4000-8000-000000000002\nname: ok\n"
    "logsource: {product: windows, service: security}\n"
    "detection:\n  sel:\n    EventID: 4624\n  condition: sel\n"
    "---\ntitle: Share access\nid: 00000000-0000-4000-8000-000000000003\nname: xfer\n"
    "logsource: {product: windows, service: security}\n"
    "detection:\n  sel:\n    EventID: 5145\n  condition: sel\n";

typedef struct tctx {
    vg_sigma_mapping *map;
    vg_sigma_file *f;
    vg_sigma_engine *e;
    vg_sigma_corr *c;
    vg_sigma_worker *w;
    char log[4096];             /* "D:title;" per printed hit, "C:title=value;" per correlation alert */
    char last_group[256];
} tctx;

static tctx T;

static int setup(void **state)
{
    return json_setup(state);
}

static int teardown(void **state)
{
    return json_teardown(state);
}

static void open_rules(const char *extra, const vg_sigma_corr_limits *lim)
{
    static char text[16384];
    vg_error e;
    memset(&T, 0, sizeof T);
    snprintf(text, sizeof text, "%s---\n%s", base_rules, extra);
    assert_int_equal(vg_sigma_mapping_load(&T.map, NULL, &e), VG_OK);
    assert_int_equal(vg_sigma_load_mem(&T.f, "t.yml", text, strlen(text), &e), VG_OK);
    for (uint32_t i = 0; i < T.f->ndocs; i++)
        if (!T.f->docs[i].rule)
            fail_msg("rule rejected: %s", T.f->docs[i].msg);
    assert_int_equal(vg_sigma_engine_new(&T.e, T.map, NULL, &e), VG_OK);
    assert_int_equal(vg_sigma_engine_add(T.e, T.f, &e), VG_OK);
    assert_int_equal(vg_sigma_corr_new(&T.c, T.e, T.map, NULL, lim, 65536, &e), VG_OK);
    vg_sigma_corr_set_now(T.c, 1700000000);
    assert_int_equal(vg_sigma_engine_build(T.e, &e), VG_OK);
    assert_int_equal(vg_sigma_worker_new(&T.w, T.e, 65536, &e), VG_OK);
}

static void close_rules(void)
{
    vg_sigma_worker_free(T.w);
    vg_sigma_corr_free(T.c);
    vg_sigma_engine_free(T.e);
    vg_sigma_file_free(T.f);
    vg_sigma_mapping_free(T.map);
}

static vg_rc on_alert(void *ctx, const vg_event *e, const vg_sigma_hit *hit, const vg_sigma_corr_alert *a)
{
    char item[512];
    vg_buf b;
    (void)ctx, (void)e;
    if (a) {
        snprintf(item, sizeof item, "C:%s=%g;", hit->entry->rule->meta.title, a->value);
        vg_buf_init(&b, 0);
        assert_int_equal(vg_sigma_corr_json(&b, a), VG_OK);
        snprintf(T.last_group, sizeof T.last_group, "%.*s", (int)b.len, b.data);
        vg_buf_free(&b);
    } else {
        snprintf(item, sizeof item, "D:%s;", hit->entry->rule->meta.title);
    }
    strncat(T.log, item, sizeof T.log - strlen(T.log) - 1);
    return VG_OK;
}

/* Feeds one Security event: EventID, time "2026-03-01T10:MM:SS.fffZ", and EventData members
 * given as "'Name':'value',..." (may be empty). */
static void feed(int id, const char *time, const char *data)
{
    char json[2048];
    snprintf(json, sizeof json,
             "{'Event':{'System':{'Provider':{'#attributes':{'Name':'Microsoft-Windows-Security-Auditing'}},"
             "'EventID':%d,'TimeCreated':{'#attributes':{'SystemTime':'2026-03-01T10:%sZ'}},'Channel':'Security',"
             "'Computer':'dc1'},'EventData':{%s}}}", id, time, data);
    assert_int_equal(decode_json_as(vg_decoder_find("windows"), json), VG_OK);
    vg_sigma_stats st;
    memset(&st, 0, sizeof st);
    assert_int_equal(vg_sigma_corr_match(T.c, T.w, &ev, on_alert, NULL, &st), VG_OK);
}

static const vg_sigma_corr_stats *stats(size_t i)
{
    return vg_sigma_corr_stats_of(T.c, i);
}

#define COUNT3 "title: Three fails\nname: three\ncorrelation:\n  type: event_count\n  rules: [failed]\n" \
               "  group-by: [TargetUserName]\n  timespan: 10s\n  condition: {gte: 3}\n"

/* An event exactly timespan after the first one is outside the window; 1 ms less is inside. */
static void test_event_count_window_edges(void **state)
{
    (void)state;
    open_rules(COUNT3, NULL);
    assert_int_equal(vg_sigma_corr_count(T.c), 1);
    feed(4625, "00:00", "'TargetUserName':'alice'");
    feed(4625, "00:05", "'TargetUserName':'alice'");
    feed(4625, "00:10", "'TargetUserName':'alice'");   /* (00:00, 00:10]: 00:00 is out */
    assert_string_equal(T.log, "");
    feed(4625, "00:14.999", "'TargetUserName':'alice'"); /* 00:05, 00:10, 00:14.999 */
    assert_string_equal(T.log, "C:Three fails=3;");
    T.log[0] = '\0';
    feed(4625, "01:00", "'TargetUserName':'bob'");
    feed(4625, "01:05", "'TargetUserName':'bob'");
    feed(4625, "01:09.999", "'TargetUserName':'bob'");  /* 9.999 s after the first: inside */
    assert_string_equal(T.log, "C:Three fails=3;");
    assert_non_null(strstr(T.last_group, "\"group\":[{\"field\":\"TargetUserName\",\"value\":\"bob\"}]"));
    assert_non_null(strstr(T.last_group, "\"first\":\"2026-03-01T10:01:00Z\",\"last\":\"2026-03-01T10:01:09.999Z\""));
    /* the window was reset by the alert: two more hits are not enough */
    T.log[0] = '\0';
    feed(4625, "01:10", "'TargetUserName':'bob'");
    feed(4625, "01:11", "'TargetUserName':'bob'");
    assert_string_equal(T.log, "");
    assert_int_equal(stats(0)->alerts, 2);
    assert_int_equal(stats(0)->groups, 2);
    close_rules();
}

/* Late hits (older than the group's newest minus timespan) are counted and ignored; an older
 * hit within the window counts. */
static void test_late_events(void **state)
{
    (void)state;
    open_rules(COUNT3, NULL);
    feed(4625, "00:20", "'TargetUserName':'alice'");
    feed(4625, "00:10", "'TargetUserName':'alice'");   /* exactly timespan older: late */
    feed(4625, "00:05", "'TargetUserName':'alice'");   /* late */
    assert_int_equal(stats(0)->late, 2);
    feed(4625, "00:15", "'TargetUserName':'alice'");   /* older than the newest but inside */
    feed(4625, "00:21", "'TargetUserName':'alice'");
    assert_string_equal(T.log, "C:Three fails=3;");
    close_rules();
}

static void test_value_count(void **state)
{
    (void)state;
    open_rules("title: Spray\ncorrelation:\n  type: value_count\n  rules: [failed]\n  group-by: [IpAddress]\n"
               "  timespan: 1m\n  condition: {field: TargetUserName, gte: 3}\n", NULL);
    feed(4625, "00:00", "'TargetUserName':'a','IpAddress':'10.0.0.1'");
    feed(4625, "00:01", "'TargetUserName':'a','IpAddress':'10.0.0.1'");
    feed(4625, "00:02", "'TargetUserName':'b','IpAddress':'10.0.0.1'");
    feed(4625, "00:03", "'TargetUserName':'c','IpAddress':'10.0.0.2'");
    feed(4625, "00:04", "'IpAddress':'10.0.0.1'");    /* no value: counted, skipped */
    assert_string_equal(T.log, "");
    assert_int_equal(stats(0)->no_value, 1);
    feed(4625, "00:05", "'TargetUserName':'c','IpAddress':'10.0.0.1'");
    assert_string_equal(T.log, "C:Spray=3;");
    close_rules();
}

static void test_temporal(void **state)
{
    (void)state;
    open_rules("title: Both\ncorrelation:\n  type: temporal\n  rules: [ok, failed]\n"
               "  group-by: [TargetUserName]\n  timespan: 1m\n", NULL);
    feed(4624, "00:00", "'TargetUserName':'a'");
    feed(4625, "00:30", "'TargetUserName':'b'");       /* another group */
    assert_string_equal(T.log, "");
    feed(4625, "00:59", "'TargetUserName':'a'");       /* any order */
    assert_string_equal(T.log, "C:Both=2;");
    T.log[0] = '\0';
    feed(4624, "01:30", "'TargetUserName':'b'");       /* b's failure is 60 s older: out */
    assert_string_equal(T.log, "");
    close_rules();
}

static void test_temporal_ordered(void **state)
{
    (void)state;
    open_rules("title: Fail then ok\ncorrelation:\n  type: temporal_ordered\n  rules: [failed, ok]\n"
               "  group-by: [TargetUserName]\n  timespan: 1m\n", NULL);
    feed(4624, "00:00", "'TargetUserName':'a'");
    feed(4625, "00:10", "'TargetUserName':'a'");       /* out of order: ok came first */
    assert_string_equal(T.log, "");
    feed(4624, "00:20", "'TargetUserName':'a'");       /* failed (00:10) then ok (00:20) */
    assert_string_equal(T.log, "C:Fail then ok=2;");
    assert_non_null(strstr(T.last_group, "\"rules\":[{\"id\":\"00000000-0000-4000-8000-000000000001\""));
    close_rules();
}

/* Groups are per pair of values; a missing group-by field is the empty value (null in JSON). */
static void test_group_by_two_fields(void **state)
{
    (void)state;
    open_rules("title: Pair\ncorrelation:\n  type: event_count\n  rules: [failed]\n"
               "  group-by: [TargetUserName, WorkstationName]\n  timespan: 1m\n  condition: {gte: 2}\n", NULL);
    feed(4625, "00:00", "'TargetUserName':'a','WorkstationName':'w1'");
    feed(4625, "00:01", "'TargetUserName':'a','WorkstationName':'w2'");
    feed(4625, "00:02", "'TargetUserName':'b','WorkstationName':'w1'");
    assert_string_equal(T.log, "");
    assert_int_equal(stats(0)->groups, 3);
    feed(4625, "00:03", "'TargetUserName':'a','WorkstationName':'w2'");
    assert_string_equal(T.log, "C:Pair=2;");
    assert_non_null(strstr(T.last_group, "{\"field\":\"WorkstationName\",\"value\":\"w2\"}"));
    T.log[0] = '\0';
    feed(4625, "00:04", "'TargetUserName':'c'");
    feed(4625, "00:05", "'TargetUserName':'c'");
    assert_non_null(strstr(T.last_group, "{\"field\":\"WorkstationName\",\"value\":null}"));
    close_rules();
}

/* An alias names TargetUserName in failed logons and SubjectUserName in logons. */
static void test_aliases(void **state)
{
    (void)state;
    open_rules("title: Aliased\ncorrelation:\n  type: temporal\n  rules: [failed, ok]\n  group-by: [user]\n"
               "  timespan: 1m\n  aliases:\n    user:\n      failed: TargetUserName\n      ok: SubjectUserName\n",
               NULL);
    feed(4625, "00:00", "'TargetUserName':'a','SubjectUserName':'x'");
    feed(4624, "00:01", "'TargetUserName':'x','SubjectUserName':'a'");
    assert_string_equal(T.log, "C:Aliased=2;");
    assert_non_null(strstr(T.last_group, "{\"field\":\"user\",\"value\":\"a\"}"));
    close_rules();
}

/* A correlation of a correlation; generate absent: the referenced rules' hits are not printed. */
static void test_chaining(void **state)
{
    (void)state;
    open_rules(COUNT3 "---\ntitle: Chain\ncorrelation:\n  type: temporal_ordered\n  rules: [three, ok]\n"
               "  group-by: [TargetUserName]\n  timespan: 5m\n", NULL);
    assert_int_equal(vg_sigma_corr_count(T.c), 2);
    feed(4625, "00:00", "'TargetUserName':'a'");
    feed(4625, "00:01", "'TargetUserName':'a'");
    feed(4625, "00:02", "'TargetUserName':'a'");
    feed(4624, "00:03", "'TargetUserName':'a'");
    assert_string_equal(T.log, "C:Chain=2;");
    assert_int_equal(vg_sigma_corr_totals_of(T.c)->unprinted, 5);
    close_rules();
}

/* generate: true prints the referenced rules' hits; unreferenced rules always print. */
static void test_generate(void **state)
{
    (void)state;
    open_rules("title: Gen\ncorrelation:\n  type: event_count\n  rules: [failed]\n  group-by: [TargetUserName]\n"
               "  timespan: 1m\n  condition: {gte: 2}\n  generate: true\n", NULL);
    feed(4625, "00:00", "'TargetUserName':'a'");
    feed(4624, "00:00", "'TargetUserName':'a'");
    feed(4625, "00:01", "'TargetUserName':'a'");
    assert_string_equal(T.log, "D:Failed logon;D:Logon;D:Failed logon;C:Gen=2;");
    close_rules();
    open_rules("title: NoGen\ncorrelation:\n  type: event_count\n  rules: [failed]\n  group-by: [TargetUserName]\n"
               "  timespan: 1m\n  condition: {gte: 2}\n  generate: false\n", NULL);
    feed(4625, "00:00", "'TargetUserName':'a'");
    feed(4624, "00:00", "'TargetUserName':'a'");
    feed(4625, "00:01", "'TargetUserName':'a'");
    assert_string_equal(T.log, "D:Logon;C:NoGen=2;");
    assert_false(vg_sigma_corr_printed(T.c, 0));
    assert_true(vg_sigma_corr_printed(T.c, 1));
    close_rules();
}

static void test_value_sum_avg(void **state)
{
    (void)state;
    open_rules("title: Sum\ncorrelation:\n  type: value_sum\n  rules: [xfer]\n  group-by: [SubjectUserName]\n"
               "  timespan: 1m\n  condition: {field: Bytes, gt: 1000}\n"
               "---\ntitle: Avg\ncorrelation:\n  type: value_avg\n  rules: [xfer]\n  group-by: [SubjectUserName]\n"
               "  timespan: 1m\n  condition: {field: Bytes, gte: 450}\n  generate: true\n", NULL);
    feed(5145, "00:00", "'SubjectUserName':'a','Bytes':'400'");
    feed(5145, "00:01", "'SubjectUserName':'a','Bytes':'lots'");  /* not a number: skipped */
    feed(5145, "00:02", "'SubjectUserName':'a','Bytes':500.5}");
    assert_string_equal(T.log, "D:Share access;D:Share access;D:Share access;C:Avg=450.25;");
    T.log[0] = '\0';
    feed(5145, "00:03", "'SubjectUserName':'a','Bytes':'200'");
    assert_string_equal(T.log, "D:Share access;C:Sum=1100.5;");
    assert_int_equal(stats(0)->no_value, 1);
    assert_int_equal(stats(1)->no_value, 1);
    close_rules();
}

/* value_percentile: the share (in %) of the window's hits whose field equals this hit's. */
static void test_value_percentile(void **state)
{
    (void)state;
    open_rules("title: Rare\ncorrelation:\n  type: value_percentile\n  rules: [xfer]\n"
               "  group-by: [SubjectUserName]\n  timespan: 1m\n  condition: {field: ShareName, lte: 25}\n", NULL);
    feed(5145, "00:00", "'SubjectUserName':'a','ShareName':'C$'");  /* 100% */
    feed(5145, "00:01", "'SubjectUserName':'a','ShareName':'D'");   /* 50% */
    feed(5145, "00:02", "'SubjectUserName':'a','ShareName':'D'");   /* 66% */
    assert_string_equal(T.log, "");
    feed(5145, "00:03", "'SubjectUserName':'a','ShareName':'ADMIN$'");  /* 25% */
    assert_string_equal(T.log, "C:Rare=25;");
    close_rules();
}

/* The memory bound: at most 2 groups and 2 hits per window; evictions are counted. */
static void test_eviction(void **state)
{
    (void)state;
    vg_sigma_corr_limits lim = { 2, 2, 0 };
    open_rules(COUNT3, &lim);
    feed(4625, "00:00", "'TargetUserName':'a'");
    feed(4625, "00:01", "'TargetUserName':'b'");
    feed(4625, "00:02", "'TargetUserName':'c'");       /* evicts a (least recently hit) */
    assert_int_equal(stats(0)->groups, 2);
    assert_int_equal(stats(0)->evicted_groups, 1);
    feed(4625, "00:03", "'TargetUserName':'c'");
    feed(4625, "00:04", "'TargetUserName':'c'");       /* window full: the oldest hit goes */
    assert_int_equal(stats(0)->evicted_hits, 1);
    assert_string_equal(T.log, "");                    /* never more than 2 hits: no alert */
    close_rules();
    vg_sigma_corr_limits total = { 0, 0, 3 };
    open_rules(COUNT3, &total);
    feed(4625, "00:00", "'TargetUserName':'a'");
    feed(4625, "00:01", "'TargetUserName':'a'");
    feed(4625, "00:02", "'TargetUserName':'b'");
    feed(4625, "00:03", "'TargetUserName':'c'");       /* 3 hits in all windows: a goes */
    assert_int_equal(stats(0)->evicted_groups, 1);
    assert_int_equal(stats(0)->groups, 2);
    close_rules();
}

static void test_filters(void **state)
{
    (void)state;
    open_rules("title: Admins\nlogsource: {product: windows, service: security}\n"
               "filter:\n  rules: [failed, 00000000-0000-4000-8000-000000000002]\n"
               "  selection:\n    TargetUserName|startswith: adm_\n  condition: selection\n", NULL);
    assert_int_equal(vg_sigma_corr_filter_count(T.c), 1);
    feed(4625, "00:00", "'TargetUserName':'adm_x'");
    feed(4625, "00:01", "'TargetUserName':'bob'");
    feed(4624, "00:02", "'TargetUserName':'adm_y'");
    feed(5145, "00:03", "'TargetUserName':'adm_y'");   /* xfer is not filtered */
    assert_string_equal(T.log, "D:Failed logon;D:Share access;");
    uint64_t dropped;
    assert_int_equal(vg_sigma_corr_filter_entry(T.c, 0, &dropped)->status, VG_SIGMA_ACTIVE);
    assert_int_equal(dropped, 2);
    close_rules();
}

static void test_unresolved(void **state)
{
    (void)state;
    open_rules("title: Unknown\ncorrelation:\n  type: event_count\n  rules: [nosuch]\n  group-by: [x]\n"
               "  timespan: 1m\n  condition: {gte: 2}\n"
               "---\ntitle: Loop A\nname: la\ncorrelation:\n  type: event_count\n  rules: [lb]\n  group-by: [x]\n"
               "  timespan: 1m\n  condition: {gte: 2}\n"
               "---\ntitle: Loop B\nname: lb\ncorrelation:\n  type: event_count\n  rules: [la]\n  group-by: [x]\n"
               "  timespan: 1m\n  condition: {gte: 2}\n"
               "---\ntitle: Bad filter\nlogsource: {product: windows}\nfilter:\n  rules: [nosuch]\n"
               "  selection:\n    User: x\n  condition: selection\n", NULL);
    assert_int_equal(vg_sigma_corr_count(T.c), 0);
    const vg_sigma_entry *u = vg_sigma_engine_entry(T.e, 3);
    assert_int_equal(u->status, VG_SIGMA_REJECTED);
    assert_non_null(strstr(u->reason, "unknown rule 'nosuch'"));
    /* the loop: B (reached from A) refers back to A: rejected; A refers to a rejected rule */
    assert_int_equal(vg_sigma_engine_entry(T.e, 5)->status, VG_SIGMA_REJECTED);
    assert_non_null(strstr(vg_sigma_engine_entry(T.e, 5)->reason, "cycle"));
    assert_int_equal(vg_sigma_engine_entry(T.e, 4)->status, VG_SIGMA_NOT_APPLICABLE);
    assert_non_null(strstr(vg_sigma_engine_entry(T.e, 4)->reason, "'lb' is rejected"));
    assert_int_equal(vg_sigma_engine_entry(T.e, 6)->status, VG_SIGMA_REJECTED);
    feed(4625, "00:00", "'TargetUserName':'a'");
    assert_string_equal(T.log, "D:Failed logon;");     /* its only referrer is rejected: printed */
    close_rules();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_event_count_window_edges),
        cmocka_unit_test(test_late_events),
        cmocka_unit_test(test_value_count),
        cmocka_unit_test(test_temporal),
        cmocka_unit_test(test_temporal_ordered),
        cmocka_unit_test(test_group_by_two_fields),
        cmocka_unit_test(test_aliases),
        cmocka_unit_test(test_chaining),
        cmocka_unit_test(test_generate),
        cmocka_unit_test(test_value_sum_avg),
        cmocka_unit_test(test_value_percentile),
        cmocka_unit_test(test_eviction),
        cmocka_unit_test(test_filters),
        cmocka_unit_test(test_unresolved),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
