/*
 * decode-fixture: what the decoder tests (tests/unit/test-decode-*.c) share:
 *   - decoding a text line with a given decoder and fixed options ({year 2025, reference 0,
 *     zone given}), every prefix of a line (no crash), probes against lists of lines;
 *   - parsing a JSON text written with single quotes for double quotes, and decoding it with a
 *     given JSON decoder (or by shape) with the options {infer the year from 2026-01-01,
 *     zone +07:00};
 *   - assertions on the fields the decoder set (never the record's own members), with their
 *     JSON types: expect, expect_num, expect_array, expect_raw, expect_none.
 * The event and error of the last decode are ev and err. Include after <cmocka.h>; tests of
 * JSON decoders run their group with json_setup and json_teardown.
 */
#ifndef VIGIL_TEST_DECODE_FIXTURE_H
#define VIGIL_TEST_DECODE_FIXTURE_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"

#define FIXTURE_JSON_TOKENS 4096        /* limit: values of one test JSON record */
#define FIXTURE_JSON_DEPTH 64           /* limit: nesting of one test JSON record */
#define FIXTURE_JSON_REFERENCE 1767225600   /* 2026-01-01T00:00:00Z */
#define FIXTURE_JSON_ZONE (7 * 3600)        /* +07:00 for JSON times without a zone */

static vg_event ev;                 /* the event of the last decode */
static vg_error err;                /* the reason when the last decode was rejected */
static vg_json_doc json_doc;        /* the scanned record of load_json */
static char json_text[16384];       /* the text of load_json, with double quotes */

/* ---- text lines ------------------------------------------------------------------------- */

/* Decodes line with dec and opts; returns the decoder's result (the reason is in err). */
static inline vg_rc decode_line_with(const vg_decoder *dec, const char *line, const vg_decode_opts *opts)
{
    vg_event_reset(&ev, line, strlen(line), NULL);
    vg_error_clear(&err);
    return dec->decode(opts, &ev, &err);
}

/* Decodes line with dec and the fixed options {2025, 0, tz}; returns the decoder's result. */
static inline vg_rc decode_line(const vg_decoder *dec, const char *line, long tz)
{
    vg_decode_opts opts = { 2025, 0, tz };
    return decode_line_with(dec, line, &opts);
}

/* Decodes line with dec and the fixed options in UTC; fails the test if it is rejected. */
static inline void accept_line(const vg_decoder *dec, const char *line)
{
    if (decode_line(dec, line, 0) != VG_OK)
        fail_msg("%s rejected (%s): %s", dec->name, err.msg, line);
}

/* Asserts that rc, the result of decoding line, is VG_ERR_PARSE with a reason that contains
 * want (any non-empty reason when want is ""). */
static inline void expect_reason(vg_rc rc, const char *line, const char *want)
{
    if (rc != VG_ERR_PARSE)
        fail_msg("not rejected as malformed (rc %d): %s", (int)rc, line);
    if (!err.msg[0])
        fail_msg("rejected without a reason: %s", line);
    if (!strstr(err.msg, want))
        fail_msg("reason '%s' lacks '%s' for: %s", err.msg, want, line);
}

/* Asserts that dec's probe accepts each of the ny lines of yes and none of the nn of no. */
static inline void check_probe(const vg_decoder *dec, const char *const *yes, size_t ny,
                               const char *const *no, size_t nn)
{
    vg_event p;
    for (size_t i = 0; i < ny; i++) {
        vg_event_reset(&p, yes[i], strlen(yes[i]), NULL);
        if (!dec->probe(&p))
            fail_msg("%s probe refused: %s", dec->name, yes[i]);
    }
    for (size_t i = 0; i < nn; i++) {
        vg_event_reset(&p, no[i], strlen(no[i]), NULL);
        if (dec->probe(&p))
            fail_msg("%s probe claimed: %s", dec->name, no[i]);
    }
}

/* Decodes every prefix of line with dec (cut anywhere, as a truncated record would be) from an
 * exact-size heap copy, so the sanitizers see any read past the end, and probes the accepted
 * ones; asserts each prefix is accepted or rejected as malformed with a reason. */
static inline void decode_prefixes(const vg_decoder *dec, const char *line)
{
    size_t n = strlen(line);
    vg_decode_opts opts = { 2025, 0, 0 };
    for (size_t k = 0; k <= n; k++) {
        char *copy = malloc(k ? k : 1);
        assert_non_null(copy);
        memcpy(copy, line, k);
        vg_event_reset(&ev, copy, k, NULL);
        vg_error_clear(&err);
        vg_rc rc = dec->decode(&opts, &ev, &err);
        if (rc == VG_OK)
            (void)dec->probe(&ev);
        free(copy);
        if (rc != VG_OK && (rc != VG_ERR_PARSE || !err.msg[0]))
            fail_msg("%s: prefix %zu of '%s': rc %d, reason '%s'", dec->name, k, line, (int)rc, err.msg);
    }
}

/* ---- JSON records ----------------------------------------------------------------------- */

/* Group setup of the JSON decoder tests: allocates json_doc. */
static inline int json_setup(void **state)
{
    (void)state;
    return vg_json_doc_init(&json_doc, FIXTURE_JSON_TOKENS, FIXTURE_JSON_DEPTH) == VG_OK ? 0 : -1;
}

/* Group teardown of the JSON decoder tests: frees json_doc. */
static inline int json_teardown(void **state)
{
    (void)state;
    vg_json_doc_free(&json_doc);
    return 0;
}

/* Loads s, written with single quotes for double quotes, as the record of ev. */
static inline void load_json(const char *s)
{
    size_t n = strlen(s), end;
    assert_true(n < sizeof json_text);
    for (size_t i = 0; i <= n; i++)
        json_text[i] = s[i] == '\'' ? '"' : s[i];
    vg_error perr;
    if (vg_json_parse(&json_doc, json_text, n, 0, &end, &perr) != VG_OK)
        fail_msg("test JSON does not parse: %s at %zu", perr.msg, perr.offset);
    vg_event_reset(&ev, json_text, n, &json_doc);
    vg_error_clear(&err);
}

/* Loads s (see load_json) and decodes it with the JSON decoder d, or by shape as
 * vg_decode_json does when d is NULL; returns the decoder's result. */
static inline vg_rc decode_json_as(const vg_decoder *d, const char *s)
{
    vg_decode_opts opts = { 0, FIXTURE_JSON_REFERENCE, FIXTURE_JSON_ZONE };
    load_json(s);
    return d ? d->decode(&opts, &ev, &err) : vg_decode_json(&opts, &ev, &err);
}

/* ---- assertions on the decoded fields --------------------------------------------------- */

/* Asserts that the decoder did not set field name. */
static inline void expect_none(const char *name)
{
    const vg_field *f = vg_event_field(&ev, name);
    if (f)
        fail_msg("%s: expected unset, got '%.*s'", name, (int)f->value.len, f->value.ptr);
}

/* The value of the field name the decoder set; fails the test if it is unset. */
static inline const vg_value *expect_set(const char *name, vg_json_type type)
{
    const vg_field *f = vg_event_field(&ev, name);
    if (!f)
        fail_msg("%s: not set, expected a %s", name, vg_json_type_name(type));
    if (f->value.type != type)
        fail_msg("%s: type %s, expected %s ('%.*s')", name, vg_json_type_name(f->value.type),
                 vg_json_type_name(type), (int)f->value.len, f->value.ptr);
    return &f->value;
}

/* Asserts that field name is a string whose text (escapes undone) is want; NULL: unset. */
static inline void expect(const char *name, const char *want)
{
    if (!want) {
        expect_none(name);
        return;
    }
    const vg_value *v = expect_set(name, VG_JSON_STRING);
    if (!vg_value_equals(v, want, strlen(want))) {
        char got[512];
        long n = vg_value_string(v, got, sizeof got);
        fail_msg("%s: got '%s', expected '%s'", name, n < 0 ? "(too long to show)" : got, want);
    }
}

/* Asserts that field name has the JSON type type and is written as want; NULL: unset. */
static inline void expect_raw(const char *name, vg_json_type type, const char *want)
{
    if (!want) {
        expect_none(name);
        return;
    }
    const vg_value *v = expect_set(name, type);
    if (v->len != strlen(want) || memcmp(v->ptr, want, v->len) != 0)
        fail_msg("%s: got '%.*s', expected '%s'", name, (int)v->len, v->ptr, want);
}

/* A number field, as written (e.g. "50022"); NULL: unset. */
static inline void expect_num(const char *name, const char *want)
{
    expect_raw(name, VG_JSON_NUMBER, want);
}

/* A JSON array field, as its text (e.g. "[\"authentication\"]"); NULL: unset. */
static inline void expect_array(const char *name, const char *want)
{
    expect_raw(name, VG_JSON_ARRAY, want);
}

/* event.action and event.outcome (NULL: unset). */
static inline void expect_action(const char *action, const char *outcome)
{
    expect("event.action", action);
    expect("event.outcome", outcome);
}

/* The event stands for repeat occurrences (syslog "message repeated N times"). */
static inline void expect_repeat(unsigned repeat)
{
    if (ev.repeat != repeat)
        fail_msg("repeat %u, expected %u", ev.repeat, repeat);
}

/* The event is a plain syslog event: no field a program decoder sets, and no repeat. */
static inline void expect_plain(void)
{
    static const char *const added[] = {
        "event.kind", "event.action", "event.category", "event.type", "event.outcome",
        "event.dataset", "user.name", "source.ip", "source.domain", "source.port", NULL
    };
    for (int i = 0; added[i]; i++)
        expect_none(added[i]);
    expect_repeat(1);
}

#endif
