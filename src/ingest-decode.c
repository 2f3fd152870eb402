/*
 * ingest-decode: the record loop (see ingest-decode.h).
 */
#include "ingest-decode.h"

#include <stdio.h>

#include "util-utf8.h"

vg_rc vg_decode_state_init(vg_decode_state *st, size_t max_record)
{
    return vg_json_doc_init(&st->doc, (uint32_t)(max_record / 2 + 16), VG_JSON_DEFAULT_DEPTH);
}

void vg_decode_state_free(vg_decode_state *st)
{
    vg_json_doc_free(&st->doc);
}

static void reject(const vg_decode_sink *sink, vg_decode_stats *stats, const char *source,
                   uint64_t line, const char *prefix, const char *reason)
{
    stats->rejected++;
    if (!sink->reject)
        return;
    char msg[VG_ERROR_MSG_MAX + 32];
    snprintf(msg, sizeof msg, "%s%s", prefix, reason);
    sink->reject(sink->ctx, source, line, msg);
}

/* Runs the decoder on the record in st->ev and passes the result on. */
static vg_rc decode_one(vg_decode_state *st, const vg_decoder *dec, const vg_decode_opts *opts,
                        const vg_decode_sink *sink, vg_decode_stats *stats)
{
    vg_error derr;
    vg_error_clear(&derr);
    vg_rc rc = dec == &vg_decoder_json ? vg_decode_json(opts, &st->ev, &derr)
                                       : dec->decode(opts, &st->ev, &derr);
    if (rc == VG_ERR_PARSE || rc == VG_ERR_LIMIT) {
        reject(sink, stats, st->ev.source, st->ev.line, "",
               derr.msg[0] ? derr.msg : vg_rc_str(rc));
        return VG_OK;
    }
    if (rc)
        return rc;
    stats->events += st->ev.repeat;
    return sink->event ? sink->event(sink->ctx, &st->ev) : VG_OK;
}

/* One text record through decoder dec. */
static vg_rc text_record(vg_decode_state *st, const vg_decoder *dec, const vg_decode_opts *opts,
                         const vg_decode_sink *sink, vg_decode_stats *stats, const char *name, uint64_t line,
                         const char *data, size_t len)
{
    vg_event_reset(&st->ev, data, len, NULL);
    st->ev.source = name;
    st->ev.line = line;
    vg_rc rc = vg_event_set_str(&st->ev, "event.original", data, len);
    if (rc)
        return rc;
    /* invalid bytes are written as U+FFFD on output: the event says so */
    if (vg_utf8_check(data, len) != len && (rc = vg_event_add_tag(&st->ev, "vigil_invalid_utf8")))
        return rc;
    return decode_one(st, dec, opts, sink, stats);
}

static vg_rc loop_text(vg_decode_state *st, vg_reader *r, const vg_decoder *dec,
                       const vg_decode_opts *opts, const vg_decode_sink *sink,
                       vg_decode_stats *stats, vg_error *err)
{
    const char *name = vg_reader_name(r);
    for (;;) {
        vg_record rec;
        vg_rc rc = vg_reader_next_line(r, &rec, err);
        if (rc == VG_END)
            return VG_OK;
        if (rc == VG_ERR_LIMIT) {
            stats->records++;
            reject(sink, stats, name, rec.line, "", err->msg);
            continue;
        }
        if (rc)
            return rc;
        if (rec.len == 0)
            continue;
        stats->records++;
        if ((rc = text_record(st, dec, opts, sink, stats, name, rec.line, rec.data, rec.len)))
            return rc;
    }
}

static vg_rc loop_json(vg_decode_state *st, vg_reader *r, const vg_decoder *dec,
                       const vg_decode_opts *opts, const vg_decode_sink *sink,
                       vg_decode_stats *stats, vg_error *err)
{
    const char *name = vg_reader_name(r);
    for (;;) {
        vg_record rec;
        vg_rc rc = vg_reader_next_json(r, &st->doc, &rec, err);
        if (rc == VG_END)
            return VG_OK;
        stats->records++;
        if (rc == VG_ERR_PARSE || rc == VG_ERR_LIMIT) {
            reject(sink, stats, name, rec.line, "invalid JSON: ", err->msg);
            continue;
        }
        if (rc)
            return rc;
        vg_event_reset(&st->ev, rec.data, rec.len, &st->doc);
        st->ev.source = name;
        st->ev.line = rec.line;
        if ((rc = decode_one(st, dec, opts, sink, stats)))
            return rc;
    }
}

vg_rc vg_decode_input(vg_decode_state *st, vg_reader *r, const vg_decoder *dec,
                      const vg_decode_opts *opts, const vg_decode_sink *sink,
                      vg_decode_stats *stats, vg_error *err)
{
    vg_error_clear(err);
    if (!dec) {
        const char *peek;
        size_t n;
        vg_rc rc = vg_reader_peek(r, &peek, &n, err);
        if (rc)
            return rc;
        if (n == 0)
            return VG_OK;   /* empty input */
        uint64_t line;
        dec = vg_decoder_detect(peek, n, &line);
        if (!dec && line == 0)
            return VG_OK;   /* only blank lines: no records */
        if (!dec)
            return vg_fail(err, VG_ERR_PARSE, (size_t)line, "format not recognized: the first "
                           "non-blank line matches no decoder (see vigil formats; force one with --format)");
    }
    return dec->json ? loop_json(st, r, dec, opts, sink, stats, err)
                     : loop_text(st, r, dec, opts, sink, stats, err);
}

vg_rc vg_decode_record(vg_decode_state *st, const vg_decoder *dec, const vg_decode_opts *opts, const char *source,
                       uint64_t line, const char *data, size_t len, const vg_decode_sink *sink,
                       vg_decode_stats *stats)
{
    size_t i = 0;
    while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
        i++;
    if (i == len)
        return VG_OK; /* a blank record is no record */
    stats->records++;
    if (!dec) {
        uint64_t l;
        dec = data[i] == '{' ? &vg_decoder_json : vg_decoder_detect(data, len, &l);
        if (!dec) {
            reject(sink, stats, source, line, "", "format not recognized: the record matches no decoder");
            return VG_OK;
        }
    }
    if (!dec->json)
        return text_record(st, dec, opts, sink, stats, source, line, data, len);
    vg_error err;
    size_t end = 0;
    vg_error_clear(&err);
    vg_rc rc = vg_json_parse(&st->doc, data, len, 0, &end, &err);
    while (!rc && end < len && (data[end] == ' ' || data[end] == '\t' || data[end] == '\r' || data[end] == '\n'))
        end++;
    if (!rc && end != len)
        rc = vg_fail(&err, VG_ERR_PARSE, end, "text after the JSON value");
    if (!rc && st->doc.toks[0].type != VG_JSON_OBJECT)
        rc = vg_fail(&err, VG_ERR_PARSE, 0, "not a JSON object");
    if (rc == VG_ERR_PARSE || rc == VG_ERR_LIMIT || rc == VG_ERR_TRUNCATED || rc == VG_END) {
        reject(sink, stats, source, line, "invalid JSON: ", err.msg[0] ? err.msg : vg_rc_str(rc));
        return VG_OK;
    }
    if (rc)
        return rc;
    vg_event_reset(&st->ev, data, len, &st->doc);
    st->ev.source = source;
    st->ev.line = line;
    return decode_one(st, dec, opts, sink, stats);
}
