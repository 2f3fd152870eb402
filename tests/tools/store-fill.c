/*
 * store-fill: a test tool (never part of the vigil binary) that stores alerts the way the
 * daemon's store writer will, so end-to-end cases can run `vigil alerts` on a real store.
 * Reads alerts as JSON lines (the format of vigil scan, docs/alerts.md) from standard input;
 * line N becomes the one alert of spool record FIRST + N - 1, and the whole input is one
 * batch, committed through vg_store_commit. The indexed columns are read from the alert:
 * @timestamp, alert.created, alert.kind, rule.id/name/level (Sigma), the first
 * threat.sources[] feed and family and threat.indicator.value (intel), event.host.name
 * (else event.host.hostname, else event.host.ip), as the daemon's writer reads them.
 *
 * Usage: store-fill STORE UNIT FIRST_SEQ < alerts.json
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json-scan.h"
#include "store.h"
#include "util-time.h"

#define MAX_ALERTS 256
#define MAX_LINE 65536
#define FIELD_MAX 512

typedef struct parsed {
    char line[MAX_LINE];
    char f[7][FIELD_MAX];   /* kind, rule id, rule name, level, host, indicator, scratch */
} parsed;

/* The string at path, unescaped into out ("" when absent or not a string). */
static const char *str_at(const vg_json_doc *doc, const char *path, char *out)
{
    int i = vg_json_find(doc, 0, path, strlen(path));
    out[0] = '\0';
    if (i < 0)
        return out;
    vg_value v = vg_json_value(doc, (uint32_t)i);
    if (v.type != VG_JSON_STRING || v.len >= FIELD_MAX)
        return out;
    size_t n = (v.flags & VG_JSON_ESCAPED) ? vg_json_unescape(v.ptr, v.len, out) : v.len;
    if (!(v.flags & VG_JSON_ESCAPED))
        memcpy(out, v.ptr, n);
    out[n] = '\0';
    return out;
}

static int64_t time_at(const vg_json_doc *doc, const char *path, char *scratch)
{
    vg_time t;
    const char *s = str_at(doc, path, scratch);
    if (!s[0] || vg_time_parse_iso(s, strlen(s), 0, &t) != 0)
        return 0;
    return t.sec * 1000 + t.nsec / 1000000;
}

static int fill(vg_json_doc *doc, parsed *p, size_t len, vg_store_alert *a)
{
    vg_error err;
    size_t end;
    if (vg_json_parse(doc, p->line, len, 0, &end, &err) != VG_OK) {
        fprintf(stderr, "store-fill: %s\n", err.msg);
        return -1;
    }
    int sigma = strcmp(str_at(doc, "alert.kind", p->f[0]), "sigma") == 0;
    a->kind = p->f[0];
    a->rule_id = str_at(doc, sigma ? "rule.id" : "threat.sources.0.feed", p->f[1]);
    a->rule_name = str_at(doc, sigma ? "rule.name" : "threat.sources.0.family", p->f[2]);
    a->level = str_at(doc, "rule.level", p->f[3]);
    if (!str_at(doc, "event.host.name", p->f[4])[0] && !str_at(doc, "event.host.hostname", p->f[4])[0])
        str_at(doc, "event.host.ip", p->f[4]);
    a->host = p->f[4];
    a->indicator = str_at(doc, "threat.indicator.value", p->f[5]);
    a->event_time_ms = time_at(doc, "@timestamp", p->f[6]);
    a->created_ms = time_at(doc, "alert.created", p->f[6]);
    a->json = p->line;
    a->json_len = len;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: store-fill STORE UNIT FIRST_SEQ < alerts.json\n");
        return 2;
    }
    static parsed lines[MAX_ALERTS];
    static vg_store_alert alerts[MAX_ALERTS];
    uint64_t first = strtoull(argv[3], NULL, 10);
    vg_json_doc doc;
    vg_error err;
    vg_store *st;
    if (vg_json_doc_init(&doc, 4096, VG_JSON_DEFAULT_DEPTH) || vg_store_open(&st, argv[1], &err)) {
        fprintf(stderr, "store-fill: %s\n", err.msg);
        return 2;
    }
    uint32_t unit = 0;
    size_t n = 0;
    int status = vg_store_unit(st, argv[2], &unit, &err) ? 2 : 0;
    while (!status && n < MAX_ALERTS && fgets(lines[n].line, MAX_LINE, stdin)) {
        size_t len = strcspn(lines[n].line, "\n");
        lines[n].line[len] = '\0';
        alerts[n] = (vg_store_alert){ .event_seq = first + n, .unit = unit };
        if (fill(&doc, &lines[n], len, &alerts[n]) != 0)
            status = 2;
        n++;
    }
    vg_store_batch b = { first, first + (n ? n - 1 : 0), alerts, n, n, 0, alerts[0].created_ms, NULL, 0 };
    if (!status && vg_store_commit(st, &b, &err) != VG_OK) {
        fprintf(stderr, "store-fill: %s\n", err.msg);
        status = 2;
    }
    vg_store_close(st);
    vg_json_doc_free(&doc);
    return status;
}
