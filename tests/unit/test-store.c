/*
 * test-store: the daemon's SQLite store (store.h). Migrations from an empty file, reopening,
 * a file from a newer schema refused; commits: in order, again (nothing twice, counters not
 * doubled), overlapping, with gaps, below the watermark; queries by every filter and combined,
 * newest first, limited; retention by age and by size; file offsets; units; a read-only
 * handle reading while a writer is open; text that SQL or C could mangle (quotes, non-ASCII);
 * the default path rule; every query shape planned with an index (no table scan); the
 * migration from schema 1 (partial rule, rule name and host indexes).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store-internal.h"    /* the prepared query shapes, to ask SQLite for their plans */
#include "store.h"

#define T0 1772532000000LL          /* 2026-03-03T10:00:00Z */
#define DAY_MS 86400000LL

static char dir[64], path[128];
static vg_error err;

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/vigil-test-store-XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/vigil.db", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char p[160];
    const char *suffix[] = { "", "-wal", "-shm", "-journal" };
    for (int i = 0; i < 4; i++) {
        snprintf(p, sizeof p, "%s%s", path, suffix[i]);
        unlink(p);
    }
    rmdir(dir);
    return 0;
}

static vg_store *open_rw(void)
{
    vg_store *st = NULL;
    vg_rc rc = vg_store_open(&st, path, &err);
    if (rc)
        fail_msg("open: %s", err.msg);
    return st;
}

/* An alert; the JSON names seq/idx so tests can tell rows apart. */
typedef struct mk {
    vg_store_alert a;
    char json[256];
} mk;

static void alert(mk *m, uint64_t seq, uint32_t idx, uint32_t unit, int64_t t, const char *kind,
                  const char *rule, const char *host, const char *indicator)
{
    memset(m, 0, sizeof *m);
    int n = snprintf(m->json, sizeof m->json, "{\"seq\":%llu,\"idx\":%u,\"host\":\"%s\"}",
                     (unsigned long long)seq, idx, host ? host : "");
    m->a = (vg_store_alert){ .event_seq = seq, .idx = idx, .unit = unit, .event_time_ms = t,
        .created_ms = t + 5, .kind = kind, .rule_id = rule, .rule_name = rule ? "Rule title" : NULL,
        .level = "high", .host = host, .indicator = indicator, .json = m->json, .json_len = (size_t)n };
}

static vg_rc commit(vg_store *st, uint64_t first, uint64_t last, mk *ms, size_t n, uint64_t events)
{
    vg_store_alert as[16];
    assert_true(n <= 16);
    for (size_t i = 0; i < n; i++)
        as[i] = ms[i].a;
    vg_store_batch b = { first, last, as, n, events, 1, T0, NULL, 0 };
    return vg_store_commit(st, &b, &err);
}

static uint64_t count(vg_store *st, const char *kind)
{
    uint64_t n = 0;
    assert_int_equal(vg_store_count_alerts(st, kind, &n, &err), VG_OK);
    return n;
}

static uint64_t watermark(vg_store *st)
{
    uint64_t wm = 99;
    assert_int_equal(vg_store_watermark(st, &wm, &err), VG_OK);
    return wm;
}

/* A counter read straight from the file with SQLite (0 if absent). */
static int64_t counter(const char *day, int unit, const char *name)
{
    sqlite3 *db;
    sqlite3_stmt *s;
    int64_t v = 0;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT value FROM counters WHERE day = ?1 AND unit = ?2 AND name = ?3",
                                        -1, &s, NULL), SQLITE_OK);
    sqlite3_bind_text(s, 1, day, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 2, unit);
    sqlite3_bind_text(s, 3, name, -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(db);
    return v;
}

/* Query results: "seq/idx" of each row in order, space-separated. */
typedef struct rows {
    char text[512];
    size_t n, stop_after;
} rows;

static int on_row(void *ctx, const vg_store_row *r)
{
    rows *rs = ctx;
    size_t len = strlen(rs->text);
    snprintf(rs->text + len, sizeof rs->text - len, "%s%llu/%u", len ? " " : "", (unsigned long long)r->event_seq,
             r->idx);
    rs->n++;
    return rs->stop_after && rs->n >= rs->stop_after;
}

static const char *query(vg_store *st, const vg_store_query *q, rows *rs)
{
    memset(rs, 0, sizeof *rs);
    if (vg_store_query_alerts(st, q, on_row, rs, &err))
        fail_msg("query: %s", err.msg);
    return rs->text;
}

static void test_migrate_empty_and_reopen(void **state)
{
    (void)state;
    vg_store *st = open_rw();
    assert_int_equal(vg_store_schema_version(st), VG_STORE_SCHEMA_VERSION);
    assert_int_equal(watermark(st), 0);
    assert_int_equal(count(st, NULL), 0);
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    uint32_t u;
    assert_int_equal(vg_store_unit(st, "hanoi", &u, &err), VG_OK);
    mk m[1];
    alert(&m[0], 1, 0, u, T0, "sigma", "r1", "h1", NULL);
    assert_int_equal(commit(st, 1, 4, m, 1, 10), VG_OK);
    vg_store_close(st);
    st = open_rw();
    assert_int_equal(vg_store_schema_version(st), VG_STORE_SCHEMA_VERSION);
    assert_int_equal(watermark(st), 4);
    assert_int_equal(count(st, NULL), 1);
    uint32_t again;
    assert_int_equal(vg_store_unit(st, "hanoi", &again, &err), VG_OK);
    assert_int_equal(again, u);
    vg_store_close(st);
}

static void set_user_version(int v)
{
    sqlite3 *db;
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA user_version = %d", v);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

static void test_newer_version_refused(void **state)
{
    (void)state;
    vg_store_close(open_rw());
    set_user_version(VG_STORE_SCHEMA_VERSION + 1);
    vg_store *st = (vg_store *)1;
    assert_int_equal(vg_store_open(&st, path, &err), VG_ERR_UNSUPPORTED);
    assert_null(st);
    assert_non_null(strstr(err.msg, "newer"));
    assert_non_null(strstr(err.msg, path));
    assert_int_equal(vg_store_open_readonly(&st, path, &err), VG_ERR_UNSUPPORTED);
}

static void test_readonly_refusals(void **state)
{
    (void)state;
    vg_store *st;
    assert_int_equal(vg_store_open_readonly(&st, path, &err), VG_ERR_NOTFOUND);
    assert_non_null(strstr(err.msg, path));
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("this is not a database, but it is long enough to have a header of one hundred bytes"
          " or so, which SQLite reads first\n", f);
    fclose(f);
    assert_int_equal(vg_store_open_readonly(&st, path, &err), VG_ERR_PARSE);
    assert_int_equal(vg_store_open(&st, path, &err), VG_ERR_PARSE);
    unlink(path);
    sqlite3 *db;                    /* a SQLite file that is not a Vigil store */
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "CREATE TABLE x (a)", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(vg_store_open_readonly(&st, path, &err), VG_ERR_UNSUPPORTED);
    assert_non_null(strstr(err.msg, "not a Vigil store"));
}

static void test_commit_order_and_again(void **state)
{
    (void)state;
    vg_store *st = open_rw();
    mk m[3];
    alert(&m[0], 1, 0, 0, T0, "sigma", "r1", "h1", NULL);
    alert(&m[1], 1, 1, 0, T0, "intel", "feed", "h1", "192.0.2.1");
    alert(&m[2], 3, 0, 0, T0, "sigma", "r1", "h2", NULL);
    assert_int_equal(commit(st, 1, 3, m, 3, 100), VG_OK);
    assert_int_equal(watermark(st), 3);
    assert_int_equal(count(st, NULL), 3);
    assert_int_equal(count(st, "sigma"), 2);
    assert_int_equal(count(st, "intel"), 1);
    assert_int_equal(counter("2026-03-03", 0, "events"), 100);
    assert_int_equal(counter("2026-03-03", 0, "rejected"), 1);
    assert_int_equal(counter("2026-03-03", 0, "alerts.sigma"), 2);
    /* the same batch again: nothing stored twice, counters not added again */
    assert_int_equal(commit(st, 1, 3, m, 3, 100), VG_OK);
    assert_int_equal(count(st, NULL), 3);
    assert_int_equal(counter("2026-03-03", 0, "events"), 100);
    assert_int_equal(counter("2026-03-03", 0, "alerts.sigma"), 2);
    /* a part of it (below the watermark) changes nothing either */
    assert_int_equal(commit(st, 2, 3, m + 2, 1, 7), VG_OK);
    assert_int_equal(counter("2026-03-03", 0, "events"), 100);
    assert_int_equal(watermark(st), 3);
    /* the next batch moves the watermark; an empty batch too */
    mk n[1];
    alert(&n[0], 4, 0, 0, T0 + 1, "sigma", "r2", "h1", NULL);
    assert_int_equal(commit(st, 4, 4, n, 1, 1), VG_OK);
    assert_int_equal(commit(st, 5, 9, NULL, 0, 5), VG_OK);
    assert_int_equal(watermark(st), 9);
    assert_int_equal(count(st, NULL), 4);
    assert_int_equal(counter("2026-03-03", 0, "events"), 106);
    vg_store_close(st);
}

static void test_overlap_and_gaps(void **state)
{
    (void)state;
    vg_store *st = open_rw();
    uint32_t u;
    assert_int_equal(vg_store_unit(st, "hue", &u, &err), VG_OK);
    mk a[2], b[3];
    alert(&a[0], 2, 0, u, T0, "sigma", "r1", "h1", NULL);
    alert(&a[1], 4, 0, u, T0, "sigma", "r1", "h1", NULL);
    assert_int_equal(commit(st, 1, 5, a, 2, 5), VG_OK);
    /* 3..8 overlaps: the alert of record 4 is already stored, 6 and 7 are new */
    alert(&b[0], 4, 0, u, T0, "sigma", "r1", "h1", NULL);
    alert(&b[1], 6, 0, u, T0, "sigma", "r1", "h1", NULL);
    alert(&b[2], 7, 0, u, T0, "sigma", "r1", "h1", NULL);
    assert_int_equal(commit(st, 3, 8, b, 3, 6), VG_OK);
    assert_int_equal(watermark(st), 8);
    assert_int_equal(count(st, NULL), 4);
    assert_int_equal(counter("2026-03-03", (int)u, "alerts.sigma"), 4);
    assert_int_equal(counter("2026-03-03", 0, "alerts.sigma"), 4);
    /* a gap (records 9..19 lost to damage) is allowed */
    mk c[1];
    alert(&c[0], 21, 0, u, T0, "sigma", "r1", "h1", NULL);
    assert_int_equal(commit(st, 20, 22, c, 1, 3), VG_OK);
    assert_int_equal(watermark(st), 22);
    assert_int_equal(count(st, NULL), 5);
    /* an alert outside its batch's range is the caller's error; nothing changes */
    alert(&c[0], 40, 0, u, T0, "sigma", "r1", "h1", NULL);
    assert_int_equal(commit(st, 23, 30, c, 1, 3), VG_ERR_USAGE);
    assert_int_equal(watermark(st), 22);
    assert_int_equal(commit(st, 5, 4, NULL, 0, 0), VG_ERR_USAGE);
    vg_store_close(st);
}

/* Eight alerts over two units, two kinds, three rules, three hosts, at T0 + i minutes. */
static vg_store *query_fixture(void)
{
    vg_store *st = open_rw();
    uint32_t hn, hcm;
    assert_int_equal(vg_store_unit(st, "hanoi", &hn, &err), VG_OK);
    assert_int_equal(vg_store_unit(st, "hcm", &hcm, &err), VG_OK);
    mk m[8];
    const char *hosts[] = { "web1", "web2", "db1" };
    for (uint32_t i = 0; i < 8; i++) {
        int intel = i % 4 == 3;
        alert(&m[i], 10 + i, 0, i % 2 ? hcm : hn, T0 + i * 60000, intel ? "intel" : "sigma",
              intel ? "botnet-feed" : (i % 3 ? "rule-a" : "rule-b"), hosts[i % 3], intel ? "203.0.113.9" : NULL);
    }
    assert_int_equal(commit(st, 10, 17, m, 8, 8), VG_OK);
    return st;
}

static void test_query_filters(void **state)
{
    (void)state;
    vg_store *st = query_fixture();
    rows rs;
    vg_store_query q = { 0 };
    assert_string_equal(query(st, &q, &rs), "17/0 16/0 15/0 14/0 13/0 12/0 11/0 10/0");
    q.limit = 3;
    assert_string_equal(query(st, &q, &rs), "17/0 16/0 15/0");
    q = (vg_store_query){ .since_ms = T0 + 2 * 60000, .until_ms = T0 + 5 * 60000 };
    assert_string_equal(query(st, &q, &rs), "14/0 13/0 12/0");
    q = (vg_store_query){ .unit = "hcm" };
    assert_string_equal(query(st, &q, &rs), "17/0 15/0 13/0 11/0");
    q = (vg_store_query){ .unit = "nowhere" };
    assert_string_equal(query(st, &q, &rs), "");
    q = (vg_store_query){ .rule = "rule-b" };
    assert_string_equal(query(st, &q, &rs), "16/0 10/0");
    q = (vg_store_query){ .rule = "Rule title" };       /* by name */
    assert_int_equal(strlen(query(st, &q, &rs)) > 0, 1);
    assert_int_equal(rs.n, 8);
    q = (vg_store_query){ .host = "db1" };
    assert_string_equal(query(st, &q, &rs), "15/0 12/0");
    q = (vg_store_query){ .indicator = "203.0.113.9" };
    assert_string_equal(query(st, &q, &rs), "17/0 13/0");
    q = (vg_store_query){ .kind = "intel" };
    assert_string_equal(query(st, &q, &rs), "17/0 13/0");
    q = (vg_store_query){ .kind = "sigma", .unit = "hanoi", .host = "web2" };
    assert_string_equal(query(st, &q, &rs), "14/0");
    q = (vg_store_query){ .kind = "sigma", .unit = "hanoi", .rule = "rule-a", .host = "web2",
                          .since_ms = T0, .until_ms = T0 + 4 * 60000 };
    assert_string_equal(query(st, &q, &rs), "");
    q = (vg_store_query){ .kind = "intel", .unit = "hcm", .rule = "botnet-feed", .host = "web2",
                          .indicator = "203.0.113.9", .since_ms = T0, .until_ms = T0 + 8 * 60000 };
    assert_string_equal(query(st, &q, &rs), "17/0");
    /* the callback can stop the query */
    q = (vg_store_query){ 0 };
    memset(&rs, 0, sizeof rs);
    rs.stop_after = 2;
    assert_int_equal(vg_store_query_alerts(st, &q, on_row, &rs, &err), VG_OK);
    assert_string_equal(rs.text, "17/0 16/0");
    vg_store_close(st);
}

/* The plan SQLite chose for the prepared statement s, its details joined by "; ". */
static void query_plan(vg_store *st, sqlite3_stmt *s, char *out, size_t cap)
{
    char sql[1200];
    snprintf(sql, sizeof sql, "EXPLAIN QUERY PLAN %s", sqlite3_sql(s));
    sqlite3_stmt *e;
    assert_int_equal(sqlite3_prepare_v2(st->db, sql, -1, &e, NULL), SQLITE_OK);
    out[0] = '\0';
    while (sqlite3_step(e) == SQLITE_ROW) {
        size_t len = strlen(out);
        snprintf(out + len, cap - len, "%s%s", len ? "; " : "", (const char *)sqlite3_column_text(e, 3));
    }
    sqlite3_finalize(e);
}

/* Every combination of filters reads the alerts through an index, never by a table scan, and
 * a single filter uses its own index (a rule both rule indexes). */
static void test_query_plans(void **state)
{
    (void)state;
    vg_store *st = query_fixture();
    static const char *const want[] = {
        [0] = "alerts_time",
        [VG_STORE_Q_UNIT] = "alerts_unit_time",
        [VG_STORE_Q_RULE] = "alerts_rule_time",
        [VG_STORE_Q_HOST] = "alerts_host_band",
        [VG_STORE_Q_INDICATOR] = "alerts_indicator_band",
        [VG_STORE_Q_KIND] = "alerts_time",
    };
    for (unsigned m = 0; m < VG_STORE_Q_SHAPES; m++) {
        vg_store_query q = { .unit = m & VG_STORE_Q_UNIT ? "hcm" : NULL, .rule = m & VG_STORE_Q_RULE ? "rule-a" : NULL,
                             .host = m & VG_STORE_Q_HOST ? "web1" : NULL,
                             .indicator = m & VG_STORE_Q_INDICATOR ? "203.0.113.9" : NULL,
                             .kind = m & VG_STORE_Q_KIND ? "sigma" : NULL };
        rows rs;
        query(st, &q, &rs);
        assert_non_null(st->query[m]);
        char plan[1024];
        query_plan(st, st->query[m], plan, sizeof plan);
        const char *a = strstr(plan, "SCAN a");
        if (!a)
            a = strstr(plan, "SEARCH a");
        if (!a || !strstr(a, "INDEX alerts_"))
            fail_msg("shape %u reads the alerts without an index: %s", m, plan);
        if (m < sizeof want / sizeof want[0] && want[m] && !strstr(plan, want[m]))
            fail_msg("shape %u does not use %s: %s", m, want[m], plan);
        if (m == VG_STORE_Q_RULE && !strstr(plan, "alerts_rule_name_time"))
            fail_msg("a rule query does not use the rule name index: %s", plan);
        /* a banded shape seeks its band in a band index (one band per statement run) */
        if ((m & VG_STORE_Q_BANDED) && !strstr(plan, "_band (<expr>=? AND "))
            fail_msg("shape %u does not seek a band: %s", m, plan);
    }
    vg_store_close(st);
}

/* The SQL of an index as the file holds it. */
static void index_sql(const char *name, char *out, size_t cap)
{
    sqlite3 *db;
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = ?1", -1, &s,
                                        NULL), SQLITE_OK);
    sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    snprintf(out, cap, "%s", (const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    sqlite3_close(db);
}

/* A file of schema 1 (full rule, rule name and host indexes, the indicator index by value) with
 * alerts is migrated to the newest schema: its alerts stay and are found through the partial
 * indexes of schema 2 and the band indexes of schema 3. */
static void test_migrate_from_1(void **state)
{
    (void)state;
    vg_store_close(query_fixture());
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "DROP INDEX alerts_rule_time; DROP INDEX alerts_rule_name_time;"
                                  "DROP INDEX alerts_host_band; DROP INDEX alerts_indicator_band;"
                                  "CREATE INDEX alerts_rule_time ON alerts (rule_id, event_time_ms);"
                                  "CREATE INDEX alerts_rule_name_time ON alerts (rule_name, event_time_ms);"
                                  "CREATE INDEX alerts_host_time ON alerts (host, event_time_ms);"
                                  "CREATE INDEX alerts_indicator_time ON alerts (indicator, event_time_ms)"
                                  " WHERE indicator IS NOT NULL;"
                                  "PRAGMA user_version = 1;",
                                  NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    vg_store *st = open_rw();
    assert_int_equal(vg_store_schema_version(st), 3);
    char sql[256];
    index_sql("alerts_host_band", sql, sizeof sql);
    assert_non_null(strstr(sql, "(id >> 16), host, event_time_ms) WHERE host IS NOT NULL"));
    index_sql("alerts_indicator_band", sql, sizeof sql);
    assert_non_null(strstr(sql, "(id >> 16), indicator, event_time_ms) WHERE indicator IS NOT NULL"));
    index_sql("alerts_rule_time", sql, sizeof sql);
    assert_non_null(strstr(sql, "WHERE rule_id IS NOT NULL"));
    index_sql("alerts_rule_name_time", sql, sizeof sql);
    assert_non_null(strstr(sql, "WHERE rule_name IS NOT NULL"));
    rows rs;
    vg_store_query q = { .host = "db1" };
    assert_string_equal(query(st, &q, &rs), "15/0 12/0");
    q = (vg_store_query){ .rule = "rule-b" };
    assert_string_equal(query(st, &q, &rs), "16/0 10/0");
    q = (vg_store_query){ .indicator = "203.0.113.9" };
    assert_string_equal(query(st, &q, &rs), "17/0 13/0");
    assert_int_equal(count(st, NULL), 8);
    vg_store_close(st);
}

/* Host and indicator queries read band by band (65,536 ids each): alerts in three bands, the
 * newest events in the oldest band (a late log), ties of time across bands, a limit that the
 * first band read alone fills with older events, and a time range. The answer is the newest
 * first whatever the band, as the query without a host or indicator filter gives it. */
static void test_query_bands(void **state)
{
    (void)state;
    vg_store *st = query_fixture();      /* ids 1..8, band 0 */
    sqlite3_stmt *ins;
    assert_int_equal(sqlite3_prepare_v2(st->db,
                                        "INSERT INTO alerts (id, event_seq, idx, unit, event_time_ms, created_ms, kind,"
                                        " host, indicator, json) VALUES (?1, ?2, 0, 1, ?3, 0, 'intel', 'web9',"
                                        " '198.51.100.7', '{}')", -1, &ins, NULL), SQLITE_OK);
    /* id, event seq, time (minutes after T0): band 0 holds the newest (a late log) */
    static const int64_t a[][3] = {
        { 100, 100, 50 }, { 101, 101, 10 }, { 65536, 200, 20 }, { 65537, 201, 30 },
        { 131072, 300, 30 }, { 131073, 301, 5 }, { 131074, 302, 40 },
    };
    for (size_t i = 0; i < sizeof a / sizeof a[0]; i++) {
        sqlite3_bind_int64(ins, 1, a[i][0]);
        sqlite3_bind_int64(ins, 2, a[i][1]);
        sqlite3_bind_int64(ins, 3, T0 + a[i][2] * 60000);
        assert_int_equal(sqlite3_step(ins), SQLITE_DONE);
        sqlite3_reset(ins);
    }
    sqlite3_finalize(ins);
    rows rs;
    vg_store_query q = { .indicator = "198.51.100.7" };
    assert_string_equal(query(st, &q, &rs), "100/0 302/0 300/0 201/0 200/0 101/0 301/0");
    q.limit = 3;
    assert_string_equal(query(st, &q, &rs), "100/0 302/0 300/0");
    q.limit = 4;    /* a tie at 30 minutes: the later stored (id 131072 over 65537) first */
    assert_string_equal(query(st, &q, &rs), "100/0 302/0 300/0 201/0");
    q = (vg_store_query){ .host = "web9", .since_ms = T0 + 10 * 60000, .until_ms = T0 + 31 * 60000, .limit = 2 };
    assert_string_equal(query(st, &q, &rs), "300/0 201/0");
    q = (vg_store_query){ .host = "web9", .kind = "intel", .unit = "hanoi" };
    assert_string_equal(query(st, &q, &rs), "100/0 302/0 300/0 201/0 200/0 101/0 301/0");
    q = (vg_store_query){ .host = "web9", .kind = "sigma" };
    assert_string_equal(query(st, &q, &rs), "");
    q = (vg_store_query){ .indicator = "192.0.2.1" };
    assert_string_equal(query(st, &q, &rs), "");
    /* the callback can stop a banded query */
    q = (vg_store_query){ .indicator = "198.51.100.7" };
    memset(&rs, 0, sizeof rs);
    rs.stop_after = 2;
    assert_int_equal(vg_store_query_alerts(st, &q, on_row, &rs, &err), VG_OK);
    assert_string_equal(rs.text, "100/0 302/0");
    vg_store_close(st);
}

/* A banded query on an empty store finds nothing (no band to read). */
static void test_query_bands_empty(void **state)
{
    (void)state;
    vg_store *st = open_rw();
    rows rs;
    vg_store_query q = { .indicator = "198.51.100.7" };
    assert_string_equal(query(st, &q, &rs), "");
    q = (vg_store_query){ .host = "web1" };
    assert_string_equal(query(st, &q, &rs), "");
    vg_store_close(st);
}

typedef struct row_copy {
    char unit[32], kind[16], host[64], indicator[64], json[256];
    size_t json_len;
    int64_t t, created;
} row_copy;

static int copy_row(void *ctx, const vg_store_row *r)
{
    row_copy *c = ctx;
    snprintf(c->unit, sizeof c->unit, "%s", r->unit ? r->unit : "(null)");
    snprintf(c->kind, sizeof c->kind, "%s", r->kind);
    snprintf(c->host, sizeof c->host, "%s", r->host ? r->host : "(null)");
    snprintf(c->indicator, sizeof c->indicator, "%s", r->indicator ? r->indicator : "(null)");
    memcpy(c->json, r->json, r->json_len < sizeof c->json ? r->json_len : sizeof c->json - 1);
    c->json_len = r->json_len;
    c->t = r->event_time_ms;
    c->created = r->created_ms;
    return 1;
}

static void test_text_survives(void **state)
{
    (void)state;
    vg_store *st = open_rw();
    uint32_t u;
    assert_int_equal(vg_store_unit(st, "Sở Thuế 'Hà Nội'", &u, &err), VG_OK);
    const char json[] = "{\"msg\":\"it's \\\"quoted\\\"; DROP TABLE alerts; --\",\"city\":\"Hà Nội – 東京\"}";
    vg_store_alert a = { .event_seq = 1, .unit = u, .event_time_ms = T0, .created_ms = T0 + 1, .kind = "sigma",
                         .rule_id = "r'1", .host = "máy-chủ\"1", .indicator = "", .json = json,
                         .json_len = sizeof json - 1 };
    vg_store_batch b = { 1, 1, &a, 1, 1, 0, T0, NULL, 0 };
    assert_int_equal(vg_store_commit(st, &b, &err), VG_OK);
    row_copy c;
    memset(&c, 0, sizeof c);
    vg_store_query q = { .host = "máy-chủ\"1", .unit = "Sở Thuế 'Hà Nội'", .rule = "r'1" };
    assert_int_equal(vg_store_query_alerts(st, &q, copy_row, &c, &err), VG_OK);
    assert_int_equal(c.json_len, sizeof json - 1);
    assert_memory_equal(c.json, json, sizeof json - 1);
    assert_string_equal(c.unit, "Sở Thuế 'Hà Nội'");
    assert_string_equal(c.indicator, "(null)");     /* "" is stored as absent */
    assert_int_equal(c.t, T0);
    assert_int_equal(c.created, T0 + 1);
    /* a NUL inside the JSON is refused (it would cut the text for C readers) */
    const char nul[] = "{\"a\":\"x\0y\"}";
    a = (vg_store_alert){ .event_seq = 2, .kind = "sigma", .json = nul, .json_len = sizeof nul - 1 };
    b = (vg_store_batch){ 2, 2, &a, 1, 1, 0, T0, NULL, 0 };
    assert_int_equal(vg_store_commit(st, &b, &err), VG_ERR_USAGE);
    assert_int_equal(count(st, NULL), 1);
    assert_int_equal(watermark(st), 1);
    vg_store_close(st);
}

static void test_retention_age(void **state)
{
    (void)state;
    vg_store *st = open_rw();
    mk m[4];
    alert(&m[0], 1, 0, 0, T0 - 10 * DAY_MS, "sigma", "r", "h", NULL);
    alert(&m[1], 2, 0, 0, T0 - 2 * DAY_MS, "sigma", "r", "h", NULL);
    alert(&m[2], 3, 0, 0, T0, "sigma", "r", "h", NULL);
    alert(&m[3], 4, 0, 0, 0, "sigma", "r", "h", NULL);
    /* alerts age by when they were stored, not by their event's time */
    for (int i = 0; i < 3; i++)
        m[i].a.created_ms = m[i].a.event_time_ms;
    m[3].a.created_ms = T0 - 20 * DAY_MS;
    m[2].a.event_time_ms = T0 - 400 * DAY_MS; /* an old event stored now is kept */
    assert_int_equal(commit(st, 1, 4, m, 4, 4), VG_OK);
    uint64_t deleted = 99;
    assert_int_equal(vg_store_retention(st, 0, 0, &deleted, &err), VG_OK);
    assert_int_equal(deleted, 0);
    assert_int_equal(vg_store_retention(st, T0 - 5 * DAY_MS, 0, &deleted, &err), VG_OK);
    assert_int_equal(deleted, 2);
    rows rs;
    vg_store_query q = { 0 };
    assert_string_equal(query(st, &q, &rs), "2/0 3/0"); /* newest event first: 3 is 400 days old */
    assert_int_equal(vg_store_retention(st, T0 - 5 * DAY_MS, 0, &deleted, &err), VG_OK);
    assert_int_equal(deleted, 0);
    /* the watermark stays: the deleted alerts are not stored again */
    assert_int_equal(commit(st, 1, 4, m, 4, 4), VG_OK);
    assert_int_equal(count(st, NULL), 2);
    vg_store_close(st);
}

static uint64_t file_bytes(void)
{
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    return (uint64_t)sb.st_size;
}

static void test_retention_size(void **state)
{
    (void)state;
    vg_store *st = open_rw();
    static char big[4000];
    memset(big, 'x', sizeof big - 1);
    memcpy(big, "{\"p\":\"", 6);
    memcpy(big + sizeof big - 3, "\"}", 2);
    big[sizeof big - 1] = '\0';
    vg_store_alert as[100];
    for (uint64_t b = 0; b < 20; b++) {     /* 2,000 alerts of 4 KB: about 10 MB */
        for (uint64_t i = 0; i < 100; i++)
            as[i] = (vg_store_alert){ .event_seq = b * 100 + i + 1, .kind = "sigma", .host = "h",
                                      .event_time_ms = T0 + (int64_t)(b * 100 + i), .json = big,
                                      .json_len = sizeof big - 1 };
        vg_store_batch batch = { b * 100 + 1, b * 100 + 100, as, 100, 100, 0, T0, NULL, 0 };
        assert_int_equal(vg_store_commit(st, &batch, &err), VG_OK);
    }
    vg_store_close(st);     /* checkpoint: the file holds every page */
    uint64_t before = file_bytes();
    assert_true(before > 8000000);
    st = open_rw();
    uint64_t deleted = 0, max = 4u << 20;
    assert_int_equal(vg_store_retention(st, 0, max, &deleted, &err), VG_OK);
    uint64_t left = count(st, NULL);
    assert_int_equal(left + deleted, 2000);
    assert_true(left > 500 && left < 1000);     /* about 4 MB of 4 KB alerts, not all deleted */
    /* the oldest went first: the newest is still there */
    rows rs;
    vg_store_query q = { .limit = 1 };
    assert_string_equal(query(st, &q, &rs), "2000/0");
    q = (vg_store_query){ .until_ms = T0 + (int64_t)deleted };
    assert_string_equal(query(st, &q, &rs), "");
    vg_store_close(st);
    uint64_t after = file_bytes();     /* freed pages returned: the file shrank under the limit */
    assert_true(after <= max);
    assert_true(after > max / 2);
}

static void test_file_offsets(void **state)
{
    (void)state;
    vg_store *st = open_rw();
    uint64_t off = 99;
    assert_int_equal(vg_store_file_offset(st, "/var/log/auth.log", 2049, 1234, &off, &err), VG_OK);
    assert_int_equal(off, 0);
    assert_int_equal(vg_store_set_file_offset(st, "/var/log/auth.log", 2049, 1234, 56789, &err), VG_OK);
    assert_int_equal(vg_store_set_file_offset(st, "/var/log/syslog", 2049, 99, 1, &err), VG_OK);
    assert_int_equal(vg_store_file_offset(st, "/var/log/auth.log", 2049, 1234, &off, &err), VG_OK);
    assert_int_equal(off, 56789);
    /* large values round trip (stored as 64-bit integers) */
    assert_int_equal(vg_store_set_file_offset(st, "/var/log/auth.log", UINT64_MAX, UINT64_MAX - 1, 1ull << 40, &err),
                     VG_OK);
    vg_store_close(st);
    st = open_rw();
    assert_int_equal(vg_store_file_offset(st, "/var/log/auth.log", UINT64_MAX, UINT64_MAX - 1, &off, &err), VG_OK);
    assert_int_equal(off, 1ull << 40);
    /* another inode at the path (a rotated file) starts from 0 */
    assert_int_equal(vg_store_file_offset(st, "/var/log/auth.log", 2049, 1234, &off, &err), VG_OK);
    assert_int_equal(off, 0);
    assert_int_equal(vg_store_file_offset(st, "/var/log/syslog", 2049, 99, &off, &err), VG_OK);
    assert_int_equal(off, 1);
    vg_store_close(st);
}

/* Positions saved with a batch: in its transaction, so a batch committed again (at or below
 * the watermark) does not move them back; found by path whatever the inode. */
static void test_batch_file_positions(void **state)
{
    (void)state;
    vg_store *st = open_rw();
    vg_store_file_pos pos;
    assert_int_equal(vg_store_file_position(st, "/var/log/a.log", &pos, &err), VG_ERR_NOTFOUND);
    mk m[1];
    alert(&m[0], 2, 0, 0, T0, "intel", "one", "h", "1.2.3.4");
    vg_store_alert as[1] = { m[0].a };
    vg_store_file_pos f1[2] = { { "/var/log/a.log", 8, 100, 4096 }, { "/var/log/b.log", 8, 200, 10 } };
    vg_store_batch b1 = { 1, 3, as, 1, 3, 0, T0, f1, 2 };
    assert_int_equal(vg_store_commit(st, &b1, &err), VG_OK);
    vg_store_file_pos f2[1] = { { "/var/log/a.log", 8, 300, 77 } }; /* rotated: another inode */
    vg_store_batch b2 = { 4, 5, NULL, 0, 2, 0, T0, f2, 1 };
    assert_int_equal(vg_store_commit(st, &b2, &err), VG_OK);
    /* b1 again: below the watermark, nothing changes */
    assert_int_equal(vg_store_commit(st, &b1, &err), VG_OK);
    vg_store_close(st);
    st = open_rw();
    assert_int_equal(vg_store_file_position(st, "/var/log/a.log", &pos, &err), VG_OK);
    assert_true(pos.dev == 8 && pos.ino == 300 && pos.offset == 77);
    assert_int_equal(vg_store_file_position(st, "/var/log/b.log", &pos, &err), VG_OK);
    assert_true(pos.dev == 8 && pos.ino == 200 && pos.offset == 10);
    vg_store_close(st);
}

static void test_units(void **state)
{
    (void)state;
    vg_store *st = open_rw();
    uint32_t a, b, a2;
    assert_int_equal(vg_store_unit(st, "da-nang", &a, &err), VG_OK);
    assert_int_equal(vg_store_unit(st, "can-tho", &b, &err), VG_OK);
    assert_int_equal(vg_store_unit(st, "da-nang", &a2, &err), VG_OK);
    assert_true(a != 0 && b != 0 && a != b);
    assert_int_equal(a, a2);
    assert_int_equal(vg_store_unit(st, "", &a2, &err), VG_ERR_USAGE);
    assert_int_equal(vg_store_unit(st, NULL, &a2, &err), VG_ERR_USAGE);
    vg_store_close(st);
}

static void test_reader_while_writer(void **state)
{
    (void)state;
    vg_store *w = query_fixture();
    vg_store *r = NULL;
    assert_int_equal(vg_store_open_readonly(&r, path, &err), VG_OK);
    assert_int_equal(count(r, NULL), 8);
    mk m[1];
    alert(&m[0], 30, 0, 0, T0 + DAY_MS, "sigma", "rule-z", "web9", NULL);
    assert_int_equal(commit(w, 30, 30, m, 1, 1), VG_OK);
    rows rs;
    vg_store_query q = { .limit = 1 };
    assert_string_equal(query(r, &q, &rs), "30/0");     /* sees the new commit */
    assert_int_equal(count(r, NULL), 9);
    /* the reader cannot write */
    assert_int_equal(commit(r, 31, 31, m, 0, 1), VG_ERR_USAGE);
    uint64_t deleted;
    assert_int_equal(vg_store_retention(r, T0 + 2 * DAY_MS, 0, &deleted, &err), VG_ERR_USAGE);
    uint32_t u;
    assert_int_not_equal(vg_store_unit(r, "new-unit", &u, &err), VG_OK);
    vg_store_close(r);
    vg_store_close(w);
}

static void test_default_path(void **state)
{
    (void)state;
    char buf[256];
    setenv("VIGIL_DATA_DIR", "/srv/vigil-data", 1);
    assert_int_equal(vg_store_default_path(buf, sizeof buf, &err), VG_OK);
    assert_string_equal(buf, "/srv/vigil-data/vigil.db");
    assert_int_equal(vg_store_default_path(buf, 10, &err), VG_ERR_LIMIT);
    unsetenv("VIGIL_DATA_DIR");
    setenv("XDG_DATA_HOME", "/home/officer/.data", 1);
    assert_int_equal(vg_store_default_path(buf, sizeof buf, &err), VG_OK);
    assert_string_equal(buf, geteuid() == 0 ? "/var/lib/vigil/vigil.db" : "/home/officer/.data/vigil/vigil.db");
    unsetenv("XDG_DATA_HOME");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_migrate_empty_and_reopen, setup, teardown),
        cmocka_unit_test_setup_teardown(test_newer_version_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_readonly_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_commit_order_and_again, setup, teardown),
        cmocka_unit_test_setup_teardown(test_overlap_and_gaps, setup, teardown),
        cmocka_unit_test_setup_teardown(test_query_filters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_query_plans, setup, teardown),
        cmocka_unit_test_setup_teardown(test_query_bands, setup, teardown),
        cmocka_unit_test_setup_teardown(test_query_bands_empty, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migrate_from_1, setup, teardown),
        cmocka_unit_test_setup_teardown(test_text_survives, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retention_age, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retention_size, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_offsets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_batch_file_positions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_units, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reader_while_writer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_default_path, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
