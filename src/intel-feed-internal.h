/*
 * intel-feed-internal: what the feed parsers (intel-feed.c, intel-feed-csv.c,
 * intel-feed-json.c, intel-feed-misp.c, intel-feed-stix.c) share and nobody else uses: the
 * per-file parse context, helpers to emit an indicator, report a rejection, trim text, build
 * notes and reference lists, read dates and counts, and the JSON record state of the JSON
 * formats (tape, unescaping, line numbers inside a multi-line record).
 */
#ifndef VIGIL_INTEL_FEED_INTERNAL_H
#define VIGIL_INTEL_FEED_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "intel-feed.h"
#include "json-scan.h"

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

/* Appends s[0..n) to the note out[0..*len) (VG_FEED_MAX_TEXT bytes, NUL-terminated), after
 * sep when out is not empty: control characters become spaces, and text that does not fit is
 * cut at a character boundary and marked with "...". */
void feed_note_append(char *out, size_t *len, const char *sep, const char *s, size_t n);

/* A list of references built up for one entry (the strings live in buf). */
typedef struct feed_refs {
    char buf[VG_FEED_MAX_REFS_BYTES];
    size_t used;
    const char *refs[VG_FEED_MAX_REFS];
    unsigned n;
} feed_refs;

/* Adds s[0..n) (text, see feed_text) unless it is already there. Returns 0, 1 if it was
 * there, or -1 if it is not text or the list is full (VG_FEED_MAX_REFS, _BYTES). */
int feed_refs_add(feed_refs *fr, const char *s, size_t n);

/* Copies the list into prov. */
void feed_refs_to_prov(const feed_refs *fr, vg_feed_prov *prov);

/* The state of the JSON formats: one document tape and scratch text. */
typedef struct feed_json {
    vg_json_doc doc;
    char value[VG_FEED_MAX_TEXT * 4];   /* one unescaped string value */
    char note[VG_FEED_MAX_TEXT];
    char family[VG_FEED_MAX_TEXT];
    int count_records;          /* each JSON text counts as a record (1 by default) */
    /* line counting within the current record */
    const char *text;
    size_t counted;             /* bytes of text scanned for newlines */
    uint64_t line;              /* line of text[counted] */
    uint64_t first_line;        /* line of text[0] */
} feed_json;

/* A JSON state whose tape holds opts->max_json_values values; NULL (err set) if out of memory. */
feed_json *feed_json_new(const vg_feed_opts *opts, vg_error *err);
void feed_json_free(feed_json *js);

/* Reads the next JSON text of r into js->doc; VG_END at the end, VG_OK, or an I/O error.
 * Rejected texts (invalid JSON, over a limit) are reported, counted as records, and skipped. */
vg_rc feed_json_next(feed_ctx *fc, feed_json *js, vg_reader *r, vg_record *rec, vg_error *err);

/* Line of token i of the current record (any order; forward is cheapest). */
uint64_t feed_json_line(feed_json *js, uint32_t i);

/* The string value of token i (-1: absent), unescaped into js->value and NUL-terminated;
 * NULL if absent, not a string or longer than js->value holds. */
const char *feed_json_string(feed_json *js, int i, size_t *n);

/* The string member key of object token obj (see feed_json_string). */
const char *feed_json_member_string(feed_json *js, int obj, const char *key, size_t *n);

/* Type of token i (VG_JSON_NONE when i < 0). */
vg_json_type feed_json_type(const feed_json *js, int i);

/* Member key of object token obj, or -1 (also when obj is not an object). */
int feed_json_member(const feed_json *js, int obj, const char *key);

/* Appends the string token i (any length) to a note, as feed_note_append; 0, or -1 if i is
 * not a string. */
int feed_json_note(feed_json *js, int i, char *out, size_t *len, const char *sep);

/* Iterating the elements of array token a, and the members of object token o (key token k,
 * its value is k + 1). */
#define FEED_JSON_EACH(js, a, i) \
    for (uint32_t i = (uint32_t)(a) + 1; i < (js)->doc.toks[(a)].next; i = (js)->doc.toks[i].next)
#define FEED_JSON_EACH_MEMBER(js, o, k) \
    for (uint32_t k = (uint32_t)(o) + 1; k < (js)->doc.toks[(o)].next; k = (js)->doc.toks[k + 1].next)

/* CSV and JSON formats. */
vg_rc feed_parse_csv(feed_ctx *fc, vg_reader *r, vg_error *err);
vg_rc feed_parse_asn_drop(feed_ctx *fc, vg_reader *r, vg_error *err);
vg_rc feed_parse_warninglist(feed_ctx *fc, vg_reader *r, vg_error *err);
vg_rc feed_parse_misp(feed_ctx *fc, vg_reader *r, vg_error *err);
vg_rc feed_parse_stix(feed_ctx *fc, vg_reader *r, vg_error *err);

#endif
