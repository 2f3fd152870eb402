/*
 * feed-fixture: what the feed parser tests (tests/unit/test-intel-feed*.c) share: a sink that
 * writes everything a parse reported into the text `seen`, one line each:
 *   "L3 ipv4 1.2.3.4 family=F aliases=A note=N refs=R1|R2 count=C first=T last=T expires=T flags=F"
 *   "L5 REJECT reason"
 * (each prefixed with "FILE:" when show_source is set: the last path component), parsing text
 * or a file with given options, and comparing texts. Include after <cmocka.h>.
 */
#ifndef VIGIL_TEST_FEED_FIXTURE_H
#define VIGIL_TEST_FEED_FIXTURE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "intel-feed.h"
#include "util-buf.h"

static vg_buf seen;
static int show_source;
static size_t max_record = 4096;      /* record limit of parse_as */

static const char *file_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static vg_rc on_indicator(void *ctx, const vg_ind *ind, const vg_feed_prov *prov)
{
    (void)ctx;
    char text[VG_IND_TEXT_MAX];
    vg_ind_format(ind, text, sizeof text);
    if (show_source)
        vg_buf_printf(&seen, "%s:", file_name(prov->source));
    vg_buf_printf(&seen, "L%llu %s %s", (unsigned long long)prov->line, vg_ind_kind_name(ind->type), text);
    if (prov->family[0])
        vg_buf_printf(&seen, " family=%s", prov->family);
    if (prov->aliases[0])
        vg_buf_printf(&seen, " aliases=%s", prov->aliases);
    if (prov->note[0])
        vg_buf_printf(&seen, " note=%s", prov->note);
    for (unsigned i = 0; i < prov->nrefs; i++)
        vg_buf_printf(&seen, "%s%s", i ? "|" : " refs=", prov->refs[i]);
    if (prov->count)
        vg_buf_printf(&seen, " count=%u", (unsigned)prov->count);
    if (prov->first_seen)
        vg_buf_printf(&seen, " first=%lld", (long long)prov->first_seen);
    if (prov->last_seen)
        vg_buf_printf(&seen, " last=%lld", (long long)prov->last_seen);
    if (prov->expires)
        vg_buf_printf(&seen, " expires=%lld", (long long)prov->expires);
    if (prov->flags)
        vg_buf_printf(&seen, " flags=%u", prov->flags);
    if (ind->flags & VG_IND_F_MASKED)
        vg_buf_puts(&seen, " masked");
    vg_buf_putc(&seen, '\n');
    return VG_OK;
}

static void on_reject(void *ctx, const char *source, uint64_t line, const char *reason)
{
    (void)ctx;
    if (show_source)
        vg_buf_printf(&seen, "%s:", file_name(source));
    vg_buf_printf(&seen, "L%llu REJECT %s\n", (unsigned long long)line, reason);
}

static vg_feed_stats stats;

/* Parses r (NULL: the file at path) as opts and returns what was seen. */
static inline const char *parse_reader(vg_reader *r, const char *path, const vg_feed_opts *opts, vg_rc want)
{
    vg_error err;
    vg_error_clear(&err);
    vg_buf_free(&seen);
    vg_buf_init(&seen, 0);
    vg_buf_puts(&seen, "");
    memset(&stats, 0, sizeof stats);
    vg_feed_sink sink = { on_indicator, on_reject, NULL };
    vg_rc rc = r ? vg_feed_parse(r, opts, &sink, &stats, &err) : vg_feed_parse_file(path, opts, &sink, &stats, &err);
    if (rc != want)
        fail_msg("parse returned %s (%s)", vg_rc_str(rc), err.msg);
    if (rc)
        vg_buf_printf(&seen, "ERROR %s\n", err.msg);
    return seen.data;
}

/* Parses text as opts (named name) and returns what was seen. */
static inline const char *parse_as(const vg_feed_opts *opts, const char *name, const char *text, vg_rc want)
{
    vg_reader *r;
    vg_error err;
    assert_int_equal(vg_reader_open_mem(&r, name, text, strlen(text), max_record, &err), VG_OK);
    const char *got = parse_reader(r, name, opts, want);
    vg_reader_close(r);
    return got;
}

/* Parses the file at path as opts and returns what was seen. */
static inline const char *parse_file_as(const vg_feed_opts *opts, const char *path, vg_rc want)
{
    return parse_reader(NULL, path, opts, want);
}

static inline const char *parse(vg_feed_format format, const char *name, const char *text)
{
    vg_feed_opts opts;
    vg_feed_opts_init(&opts, format);
    return parse_as(&opts, name, text, VG_OK);
}

/* Compares got with want. With VIGIL_TEST_DUMP=FILE set, got is appended to FILE instead (a
 * line "==" before each text) and nothing is compared: a way to review output when writing
 * expectations. */
static inline void expect_text(const char *got, const char *want)
{
    const char *dump = getenv("VIGIL_TEST_DUMP");
    FILE *f = dump ? fopen(dump, "a") : NULL;
    if (f) {
        fprintf(f, "==\n%s", got);
        fclose(f);
        return;
    }
    if (strcmp(got, want) != 0)
        fail_msg("got:\n%s\nwant:\n%s", got, want);
}

#endif
