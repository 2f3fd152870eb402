/*
 * syslog-fixture: what the program-decoder tests (test-decode-sshd.c, test-decode-linux.c)
 * share: decode one full syslog line with the fixed options {year 2025, reference 0, UTC} and
 * assert fields. Include after <cmocka.h>.
 */
#ifndef VIGIL_TEST_SYSLOG_FIXTURE_H
#define VIGIL_TEST_SYSLOG_FIXTURE_H

#include <string.h>

#include "decode.h"

static vg_event ev;
static vg_error err;

/* Decodes line as the syslog decoder does in `vigil decode`; asserts it is accepted. */
static inline void decode(const char *line)
{
    vg_decode_opts opts = { 2025, 0, 0 };
    vg_event_reset(&ev, line, strlen(line), NULL);
    vg_error_clear(&err);
    vg_rc rc = vg_decoder_syslog.decode(&opts, &ev, &err);
    if (rc != VG_OK)
        fail_msg("rejected (%s): %s", err.msg, line);
}

/* Asserts that field has the raw text want (NULL: absent) and the JSON type. */
static inline void expect_typed(const char *field, const char *want, vg_json_type type)
{
    vg_value v = vg_event_get(&ev, field);
    if (!want) {
        if (v.type != VG_JSON_NONE)
            fail_msg("%s: expected absent, got '%.*s'", field, (int)v.len, v.ptr);
        return;
    }
    if (v.type == VG_JSON_NONE)
        fail_msg("%s: absent, expected '%s'", field, want);
    if (v.len != strlen(want) || memcmp(v.ptr, want, v.len) != 0)
        fail_msg("%s: got '%.*s', expected '%s'", field, (int)v.len, v.ptr, want);
    if (v.type != type)
        fail_msg("%s: JSON type %d, expected %d", field, (int)v.type, (int)type);
}

/* A string field (NULL: absent). */
static inline void expect(const char *field, const char *want)
{
    expect_typed(field, want, VG_JSON_STRING);
}

/* A number field. */
static inline void expect_num(const char *field, const char *want)
{
    expect_typed(field, want, VG_JSON_NUMBER);
}

/* A JSON array field, as its text (e.g. "[\"authentication\"]"). */
static inline void expect_array(const char *field, const char *want)
{
    expect_typed(field, want, VG_JSON_ARRAY);
}

/* event.action and event.outcome (NULL: absent). */
static inline void expect_action(const char *action, const char *outcome)
{
    expect("event.action", action);
    expect("event.outcome", outcome);
}

/* The event is a plain syslog event: no field set by a program decoder. */
static inline void expect_plain(void)
{
    static const char *const added[] = {
        "event.kind", "event.action", "event.category", "event.type", "event.outcome",
        "event.dataset", "user.name", "source.ip", "source.domain", "source.port", NULL
    };
    for (int i = 0; added[i]; i++)
        expect(added[i], NULL);
    if (ev.repeat != 1)
        fail_msg("repeat %u, expected 1", ev.repeat);
}

/* The event stands for repeat occurrences. */
static inline void expect_repeat(unsigned repeat)
{
    if (ev.repeat != repeat)
        fail_msg("repeat %u, expected %u", ev.repeat, repeat);
}

/* Decodes every prefix of line (cut anywhere, as a truncated record would be), from an exact-
 * size copy so the sanitizers see any read past the end; asserts each is accepted. */
static inline void decode_prefixes(const char *line)
{
    size_t n = strlen(line);
    for (size_t k = 0; k <= n; k++) {
        char *copy = malloc(k ? k : 1);
        assert_non_null(copy);
        memcpy(copy, line, k);
        vg_decode_opts opts = { 2025, 0, 0 };
        vg_event_reset(&ev, copy, k, NULL);
        vg_decoder_syslog.decode(&opts, &ev, &err);
        free(copy);
    }
}

#endif
