/*
 * fuzz-feed-common: the body shared by the feed parser fuzz targets (fuzz-feed-<format>.c).
 * Parses one input as the given format through the in-memory reader (small record limit, so
 * limits are exercised) and checks invariants on everything the parser reports:
 *   - every indicator is of a real type and formats to text that parses back, as its own
 *     type, to the same canonical key;
 *   - provenance strings are valid, references within their limit, line numbers nonzero;
 *   - every rejection names a line and a reason;
 *   - the counts agree with what the sink saw (accepted, rejected, per type);
 *   - the only whole-file errors are a CSV header without a mapped column and a corrupt
 *     compressed stream, and their message names the file.
 */
#ifndef VIGIL_FUZZ_FEED_COMMON_H
#define VIGIL_FUZZ_FEED_COMMON_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ingest-reader.h"
#include "intel-feed.h"
#include "intel-indicator.h"
#include "util-utf8.h"

#define FUZZ_FEED_MAX_RECORD 4096

typedef struct fuzz_feed_seen {
    uint64_t accepted, rejected, per_type[VG_IND_NTYPES];
    vg_ind back;
    char text[VG_IND_TEXT_MAX];
} fuzz_feed_seen;

static void fuzz_feed_check_text(const char *s)
{
    size_t n = strlen(s);
    if (n >= VG_FEED_MAX_TEXT || vg_utf8_check(s, n) != n)
        abort();
}

static vg_rc fuzz_feed_on_indicator(void *ctx, const vg_ind *ind, const vg_feed_prov *prov)
{
    fuzz_feed_seen *seen = ctx;
    vg_error err;
    if (ind->type == VG_IND_NONE || ind->type >= VG_IND_NTYPES || ind->len == 0 || ind->len > VG_IND_MAX_KEY)
        abort();
    size_t n = vg_ind_format(ind, seen->text, sizeof seen->text);
    if (n == 0 || vg_ind_parse(ind->type, seen->text, n, &seen->back, &err) != VG_OK)
        abort();
    if (seen->back.type != ind->type || seen->back.len != ind->len || seen->back.prefix != ind->prefix ||
        memcmp(seen->back.key, ind->key, ind->len) != 0)
        abort();
    if (prov->line == 0 || prov->nrefs > VG_FEED_MAX_REFS || !prov->source)
        abort();
    fuzz_feed_check_text(prov->family);
    fuzz_feed_check_text(prov->aliases);
    fuzz_feed_check_text(prov->note);
    for (unsigned i = 0; i < prov->nrefs; i++)
        fuzz_feed_check_text(prov->refs[i]);
    seen->accepted++;
    seen->per_type[ind->type]++;
    return VG_OK;
}

static void fuzz_feed_on_reject(void *ctx, const char *source, uint64_t line, const char *reason)
{
    fuzz_feed_seen *seen = ctx;
    if (!source || line == 0 || !reason[0])
        abort();
    seen->rejected++;
}

/* Parses data as opts->format, the input named name, and checks the invariants. */
static inline int fuzz_feed_named(const uint8_t *data, size_t size, vg_feed_opts *opts, const char *name)
{
    opts->max_json_values = FUZZ_FEED_MAX_RECORD;
    static fuzz_feed_seen seen;
    memset(&seen, 0, sizeof seen);
    vg_reader *r;
    vg_error err;
    if (vg_reader_open_mem(&r, name, data, size, FUZZ_FEED_MAX_RECORD, &err) != VG_OK)
        abort();
    vg_feed_sink sink = { fuzz_feed_on_indicator, fuzz_feed_on_reject, &seen };
    vg_feed_stats st;
    memset(&st, 0, sizeof st);
    vg_rc rc = vg_feed_parse(r, opts, &sink, &st, &err);
    vg_reader_close(r);
    /* whole-file errors: a CSV header lacking a mapped column, and a compressed stream that
     * is corrupt (the reader's I/O error), or a MISP manifest whose directory cannot be
     * listed; all name the file */
    if (rc != VG_OK && !(rc == VG_ERR_PARSE && opts->format == VG_FEED_CSV) && rc != VG_ERR_IO)
        abort();
    if (rc != VG_OK && strncmp(err.msg, name, strlen(name)) != 0)
        abort();
    if (st.accepted != seen.accepted || st.rejected != seen.rejected)
        abort();
    for (int t = 0; t < VG_IND_NTYPES; t++)
        if (st.per_type[t] != seen.per_type[t])
            abort();
    return 0;
}

/* Parses data as opts->format (the input named "fuzz") and checks the invariants. */
static inline int fuzz_feed(const uint8_t *data, size_t size, vg_feed_opts *opts)
{
    return fuzz_feed_named(data, size, opts, "fuzz");
}

#endif
