/*
 * bench-store: how fast the store writer commits alerts (vg_store_commit), against a baseline
 * measured in the same process: the same rows inserted with one plain prepared INSERT into a
 * table with no index, in one transaction per batch, with the same synchronous=FULL WAL
 * settings. The ratio is the cost of the store's indexes, uniqueness and counters.
 *
 * Usage: bench-store DIR [BATCHES] [ALERTS_PER_BATCH]   (default 200 batches of 1,000)
 * The alerts are generated: a Sigma-like and an intel-like JSON of about 1.2 KB each, spread
 * over 50 hosts, 40 rules, 5 units and 1,000 indicators.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store.h"

#define JSON_MAX 2048

static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Wall time and CPU time (user + system, this process) spent in the measured parts. */
typedef struct spent {
    double wall, cpu, w0, c0;
} spent;

static void start(spent *s)
{
    s->w0 = clock_s(CLOCK_MONOTONIC);
    s->c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
}

static void stop(spent *s)
{
    s->wall += clock_s(CLOCK_MONOTONIC) - s->w0;
    s->cpu += clock_s(CLOCK_PROCESS_CPUTIME_ID) - s->c0;
}

typedef struct gen {
    vg_store_alert *alerts;
    char (*json)[JSON_MAX];
    char (*host)[32];
    char (*rule)[48];
    char (*ind)[32];
    size_t n;
} gen;

static void fill(gen *g, uint64_t first_seq, const uint32_t *units)
{
    for (size_t i = 0; i < g->n; i++) {
        uint64_t seq = first_seq + i;
        vg_store_alert *a = &g->alerts[i];
        int intel = seq % 3 == 0;
        snprintf(g->host[i], sizeof g->host[i], "host-%02u.example.gov", (unsigned)(seq % 50));
        snprintf(g->rule[i], sizeof g->rule[i], "5f1c3e2a-0000-4000-8000-%012u", (unsigned)(seq % 40));
        snprintf(g->ind[i], sizeof g->ind[i], "198.51.%u.%u", (unsigned)(seq % 1000 / 250), (unsigned)(seq % 250));
        int n = snprintf(g->json[i], JSON_MAX,
            "{\"@timestamp\":\"2026-03-03T10:%02u:%02uZ\",\"alert\":{\"kind\":\"%s\",\"created\":"
            "\"2026-04-01T00:00:00Z\",\"input\":\"udp:514\",\"record\":%llu,\"line\":1},"
            "\"rule\":{\"ruleset\":\"sigma\",\"id\":\"%s\",\"name\":\"Suspicious process creation %u\","
            "\"level\":\"high\",\"status\":\"test\",\"tags\":[\"attack.execution\",\"attack.t1059\"]},"
            "\"matched\":{\"as\":\"sysmon-1\",\"fields\":[{\"search\":\"selection\",\"field\":\"Image\","
            "\"value\":\"C:\\\\Windows\\\\System32\\\\whoami.exe\"}]},\"event\":{\"@timestamp\":"
            "\"2026-03-03T10:00:00Z\",\"host\":{\"name\":\"%s\"},\"source\":{\"ip\":\"%s\"},"
            "\"process\":{\"command_line\":\"whoami /all && net user administrator /domain && "
            "powershell -nop -w hidden -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBi\","
            "\"executable\":\"C:\\\\Windows\\\\System32\\\\cmd.exe\",\"pid\":%llu},\"user\":{\"name\":"
            "\"svc-backup\",\"domain\":\"AGENCY\"},\"winlog\":{\"channel\":\"Microsoft-Windows-Sysmon/"
            "Operational\",\"event_id\":1,\"computer_name\":\"%s\",\"record_id\":%llu}}}",
            (unsigned)(seq / 60 % 60), (unsigned)(seq % 60), intel ? "intel" : "sigma",
            (unsigned long long)seq, g->rule[i], (unsigned)(seq % 40), g->host[i], g->ind[i],
            (unsigned long long)(seq % 65536), g->host[i], (unsigned long long)seq);
        *a = (vg_store_alert){ .event_seq = seq, .idx = 0, .unit = units[seq % 5],
            .event_time_ms = 1772532000000LL + (int64_t)seq * 10, .created_ms = 1775001600000LL,
            .kind = intel ? "intel" : "sigma", .rule_id = g->rule[i], .rule_name = "Suspicious process creation",
            .level = "high", .host = g->host[i], .indicator = intel ? g->ind[i] : NULL,
            .json = g->json[i], .json_len = (size_t)n };
    }
}

static spent run_store(const char *path, gen *g, int batches)
{
    vg_store *st;
    vg_error err;
    uint32_t units[5];
    remove(path);
    if (vg_store_open(&st, path, &err)) {
        fprintf(stderr, "bench-store: %s\n", err.msg);
        exit(2);
    }
    for (int u = 0; u < 5; u++) {
        char name[16];
        snprintf(name, sizeof name, "unit-%d", u);
        vg_store_unit(st, name, &units[u], &err);
    }
    spent busy = { 0, 0, 0, 0 };
    for (int b = 0; b < batches; b++) {
        uint64_t first = (uint64_t)b * g->n + 1;
        fill(g, first, units);
        vg_store_batch batch = { first, first + g->n - 1, g->alerts, g->n, g->n, 0, 1775001600000LL, NULL, 0 };
        start(&busy);
        if (vg_store_commit(st, &batch, &err)) {
            fprintf(stderr, "bench-store: %s\n", err.msg);
            exit(2);
        }
        stop(&busy);
    }
    vg_store_close(st);
    return busy;
}

static void must(int rc, sqlite3 *db)
{
    if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
        fprintf(stderr, "bench-store: baseline: %s\n", sqlite3_errmsg(db));
        exit(2);
    }
}

static spent run_baseline(const char *path, gen *g, int batches)
{
    sqlite3 *db;
    sqlite3_stmt *ins, *begin, *commit;
    uint32_t units[5] = { 1, 2, 3, 4, 5 };
    remove(path);
    must(sqlite3_open(path, &db), db);
    must(sqlite3_exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
                          "CREATE TABLE t (id INTEGER PRIMARY KEY, json TEXT NOT NULL)", NULL, NULL, NULL), db);
    must(sqlite3_prepare_v2(db, "INSERT INTO t (json) VALUES (?1)", -1, &ins, NULL), db);
    must(sqlite3_prepare_v2(db, "BEGIN", -1, &begin, NULL), db);
    must(sqlite3_prepare_v2(db, "COMMIT", -1, &commit, NULL), db);
    spent busy = { 0, 0, 0, 0 };
    for (int b = 0; b < batches; b++) {
        fill(g, (uint64_t)b * g->n + 1, units);
        start(&busy);
        must(sqlite3_step(begin), db), sqlite3_reset(begin);
        for (size_t i = 0; i < g->n; i++) {
            sqlite3_bind_text(ins, 1, g->alerts[i].json, (int)g->alerts[i].json_len, SQLITE_STATIC);
            must(sqlite3_step(ins), db), sqlite3_reset(ins);
        }
        must(sqlite3_step(commit), db), sqlite3_reset(commit);
        stop(&busy);
    }
    sqlite3_finalize(ins), sqlite3_finalize(begin), sqlite3_finalize(commit);
    sqlite3_close(db);
    return busy;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench-store DIR [BATCHES] [ALERTS_PER_BATCH]\n");
        return 2;
    }
    int batches = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 200;
    gen g = { .n = argc > 3 ? (size_t)strtoul(argv[3], NULL, 10) : 1000 };
    if (batches <= 0 || g.n == 0 || g.n > 100000)
        return 2;
    g.alerts = calloc(g.n, sizeof *g.alerts);
    g.json = calloc(g.n, sizeof *g.json);
    g.host = calloc(g.n, sizeof *g.host);
    g.rule = calloc(g.n, sizeof *g.rule);
    g.ind = calloc(g.n, sizeof *g.ind);
    if (!g.alerts || !g.json || !g.host || !g.rule || !g.ind)
        return 2;
    char store[4096], base[4096];
    snprintf(store, sizeof store, "%s/bench-store.db", argv[1]);
    snprintf(base, sizeof base, "%s/bench-baseline.db", argv[1]);
    double total = (double)batches * (double)g.n;
    spent tb = run_baseline(base, &g, batches);
    spent ts = run_store(store, &g, batches);
    printf("  store commit: %d batches of %zu alerts (~%zu bytes of JSON each), synchronous=FULL\n",
           batches, g.n, g.alerts[0].json_len);
    printf("  %-34s %10.0f alerts/s  %7.2f ms per batch (%.2f ms of CPU)\n", "vg_store_commit", total / ts.wall,
           ts.wall * 1e3 / batches, ts.cpu * 1e3 / batches);
    printf("  %-34s %10.0f alerts/s  %7.2f ms per batch (%.2f ms of CPU)\n", "baseline: plain INSERT, no index",
           total / tb.wall, tb.wall * 1e3 / batches, tb.cpu * 1e3 / batches);
    printf("  %-34s %10.2fx wall, %.2fx CPU\n", "store / baseline (alerts/s)", tb.wall / ts.wall, tb.cpu / ts.cpu);
    free(g.alerts), free(g.json), free(g.host), free(g.rule), free(g.ind);
    return 0;
}
