/*
 * intel-feed-internal: what the feed parsers (intel-feed.c, intel-feed-csv.c,
 * intel-feed-json.c) share and nobody else uses: the per-file parse context, and helpers to
 * emit an indicator, report a rejection, trim text and read dates and counts.
 */
#ifndef VIGIL_INTEL_FEED_INTERNAL_H
#define VIGIL_INTEL_FEED_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "intel-feed.h"

typedef struct feed_ctx {
    const vg_feed_opts *opts;
    const vg_feed_sink *sink;
    vg_feed_stats *st;
    const char *source;
    vg_ind ind;                 /* the indicator being parsed (large: kept off the stack) */
} feed_ctx;

/* Reports a rejection of line with a printf-formatted reason. */
void feed_reject(feed_ctx *fc, uint64_t line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Parses s[0..n) as kind and passes it to the sink with prov (its line is prov->line), or
 * reports the rejection, prefixing the reason with `what` when not NULL. Returns the sink's
 * error (which stops the parse), else VG_OK; *accepted (if not NULL) tells which happened. */
vg_rc feed_value(feed_ctx *fc, int kind, const char *s, size_t n, const vg_feed_prov *prov,
                 const char *what, int *accepted);

/* Sets every field of prov to "absent", with the feed's family and flags. */
void feed_prov_init(feed_ctx *fc, vg_feed_prov *prov, uint64_t line);

/* Trims spaces and tabs at both ends of s[0..*n). */
const char *feed_trim(const char *s, size_t *n);

/* Copies s[0..n) into out (VG_FEED_MAX_TEXT bytes, NUL-terminated); -1 if too long or it
 * holds a control character or invalid UTF-8. */
int feed_text(const char *s, size_t n, char *out);

/* Parses a date: RFC 3339 / ISO 8601 ("2024-04-01 07:03:03", "...Z"), a bare date
 * ("2024-04-01", midnight UTC) or epoch seconds. Zone-less times are UTC. Returns 0 or -1. */
int feed_date(const char *s, size_t n, int64_t *out);

/* Parses a decimal count of 1-10 digits up to 4294967295. Returns 0 or -1. */
int feed_count(const char *s, size_t n, uint32_t *out);

/* Last path component of path without a .gz or .zst suffix and then without the extension
 * ext (if it ends with them) into out (VG_FEED_MAX_TEXT bytes). */
void feed_basename(const char *path, const char *ext, char *out);

/* CSV and JSON formats. */
vg_rc feed_parse_csv(feed_ctx *fc, vg_reader *r, vg_error *err);
vg_rc feed_parse_asn_drop(feed_ctx *fc, vg_reader *r, vg_error *err);
vg_rc feed_parse_warninglist(feed_ctx *fc, vg_reader *r, vg_error *err);

#endif
