/*
 * fuzz-sigma-engine: whole Sigma rules applied to events. The input is a rule file, a line
 * "#EVENT#", then JSON events (one JSON text each, in sequence). The rules are loaded (with
 * their correlations and filters, under a tiny memory bound), compiled against the built-in
 * logsource map with the Hyperscan prefilter, and every event is decoded (the JSON decoders
 * pick the shape) and matched. Invariants: for every active rule and event, the prefilter path
 * (three times: the third answers from the worker's scan cache), the reference path and
 * vg_sigma_engine_explain agree on whether the rule fires; every
 * correlation alert serializes to valid JSON; the event data index (vg_sigma_evidx_value)
 * finds what the member walk (vg_sigma_place_value) finds, for every string of the event taken
 * as a member name; nothing reads outside its inputs (sanitizers).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "sigma-corr.h"
#include "sigma-engine.h"
#include "sigma-logsource.h"
#include "sigma-rule.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_EVENTS 8
#define FUZZ_MAX_RULES 64

static vg_sigma_mapping *map;
static vg_json_doc doc;
static vg_event ev;

typedef struct fired_set {
    unsigned char fired[FUZZ_MAX_RULES];
} fired_set;

static vg_rc on_hit(void *ctx, const vg_event *e, const vg_sigma_hit *hit)
{
    fired_set *f = ctx;
    (void)e;
    if (hit->entry->index < FUZZ_MAX_RULES)
        f->fired[hit->entry->index] = 1;
    if (hit->nmatched > VG_SIGMA_MAX_MATCHED)
        abort();
    return VG_OK;
}

static vg_buf out;
static vg_json_doc check;

static vg_rc on_alert(void *ctx, const vg_event *e, const vg_sigma_hit *hit, const vg_sigma_corr_alert *corr)
{
    size_t end;
    (void)ctx, (void)e, (void)hit;
    if (!corr)
        return VG_OK;
    vg_buf_reset(&out);
    vg_buf_putc(&out, '{');
    if (vg_sigma_corr_json(&out, corr) != VG_OK)
        abort();
    vg_buf_putc(&out, '}');
    /* the members are written after a comma: drop it for the check */
    if (out.len > 2 && out.data[1] == ',')
        out.data[1] = ' ';
    if (vg_json_parse(&check, out.data, out.len, 0, &end, NULL) != VG_OK)
        abort();
    return VG_OK;
}

/* Every string of the event (keys and values, up to 64) as an event data member name: the
 * index and the walk must give the same token, for each name asked once and then again. */
static void check_index(void)
{
    static char names[64][256];
    vg_sigma_place p[64];
    size_t n = 0;
    for (uint32_t i = 0; i < doc.ntoks && n < 64; i++) {
        const vg_json_tok *t = &doc.toks[i];
        if (t->type != VG_JSON_STRING || t->len >= sizeof names[0])
            continue;
        vg_value v = vg_json_value(&doc, i);
        int len = vg_value_string(&v, names[n], sizeof names[0]);
        if (len < 0)
            continue;
        p[n] = (vg_sigma_place){ VG_SIGMA_PLACE_EVENTDATA, names[n], (size_t)len };
        n++;
    }
    vg_sigma_evidx *idx;
    vg_error err;
    if (vg_sigma_evidx_new(&idx, p, n, &err) != VG_OK)
        abort();
    for (size_t round = 0; round < 2; round++)
        for (size_t i = 0; i < n; i++) {
            vg_value a = vg_sigma_place_value(&p[i], &ev), b = vg_sigma_evidx_value(idx, i, &ev);
            if (a.type != b.type || a.len != b.len || a.ptr != b.ptr)
                abort();
        }
    vg_sigma_evidx_free(idx);
}

static void run_events(const vg_sigma_engine *e, vg_sigma_worker *w, vg_sigma_corr *c, const char *text,
                       size_t len)
{
    static char explain[8192];
    vg_decode_opts opts;
    vg_decode_opts_default(&opts);
    size_t at = 0;
    for (int k = 0; k < FUZZ_MAX_EVENTS && at < len; k++) {
        size_t end;
        vg_error err;
        if (vg_json_parse(&doc, text + at, len - at, 0, &end, &err) != VG_OK)
            return;
        vg_event_reset(&ev, text + at, end, &doc);
        at += end;
        if (vg_decode_json(&opts, &ev, &err) != VG_OK)
            continue;
        check_index();
        fired_set f, ref;
        memset(&f, 0, sizeof f);
        memset(&ref, 0, sizeof ref);
        vg_sigma_stats st;
        memset(&st, 0, sizeof st);
        vg_sigma_worker_set_reference(w, 0);
        if (vg_sigma_engine_match(e, w, &ev, on_hit, &f, &st) != VG_OK)
            abort();
        vg_sigma_worker_set_reference(w, 1);
        if (vg_sigma_engine_match(e, w, &ev, on_hit, &ref, &st) != VG_OK)
            abort();
        if (memcmp(&f, &ref, sizeof f) != 0)
            abort();        /* the prefilter changed a result */
        vg_sigma_worker_set_reference(w, 0);
        for (int again = 0; again < 2; again++) {   /* seen again, then answered from the scan cache */
            fired_set g;
            memset(&g, 0, sizeof g);
            if (vg_sigma_engine_match(e, w, &ev, on_hit, &g, &st) != VG_OK || memcmp(&g, &ref, sizeof g) != 0)
                abort();
        }
        size_t n = vg_sigma_engine_count(e);
        for (size_t i = 0; i < n && i < FUZZ_MAX_RULES; i++) {
            const vg_sigma_entry *en = vg_sigma_engine_entry(e, i);
            if (en->status != VG_SIGMA_ACTIVE || en->rule->kind != VG_SIGMA_DETECTION)
                continue;
            int fires = vg_sigma_engine_explain(e, w, i, &ev, explain, sizeof explain);
            if (fires != f.fired[i])
                abort();    /* matching and explaining disagree */
        }
        vg_sigma_worker_set_reference(w, 0);
        if (c && vg_sigma_corr_match(c, w, &ev, on_alert, NULL, &st) != VG_OK)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char mark[] = "\n#EVENT#\n";
    vg_error err;
    if (!map) {
        if (vg_sigma_mapping_load(&map, NULL, &err) != VG_OK || vg_json_doc_init(&doc, 4096, 64) != VG_OK ||
            vg_json_doc_init(&check, 1 << 16, 64) != VG_OK)
            abort();
        vg_buf_init(&out, 0);
    }
    const char *text = (const char *)data;
    const char *sep = NULL;
    for (size_t i = 0; i + sizeof mark - 1 <= size; i++)
        if (memcmp(text + i, mark, sizeof mark - 1) == 0) {
            sep = text + i;
            break;
        }
    size_t rule_len = sep ? (size_t)(sep - text) : size;
    vg_sigma_file *f;
    if (vg_sigma_load_mem(&f, "fuzz.yml", text, rule_len, &err) != VG_OK)
        return 0;
    vg_sigma_engine *e;
    vg_sigma_worker *w = NULL;
    vg_sigma_corr *c = NULL;
    vg_sigma_corr_limits lim = { 4, 4, 16 };
    if (vg_sigma_engine_new(&e, map, NULL, &err) != VG_OK)
        abort();
    if (vg_sigma_engine_add(e, f, &err) == VG_OK && vg_sigma_corr_new(&c, e, map, NULL, &lim, 4096, &err) == VG_OK &&
        vg_sigma_engine_build(e, &err) == VG_OK && vg_sigma_worker_new(&w, e, 4096, &err) == VG_OK && sep)
        run_events(e, w, c, sep + sizeof mark - 1, size - rule_len - (sizeof mark - 1));
    vg_sigma_worker_free(w);
    vg_sigma_corr_free(c);
    vg_sigma_engine_free(e);
    vg_sigma_file_free(f);
    return 0;
}
