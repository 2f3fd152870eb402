/*
 * decode: decoder registry, format detection and helpers shared by the decoders (see
 * decode.h). The generic JSON decoder lives here too: it accepts any object and only
 * normalizes a timestamp it can recognize.
 */
#include "decode.h"

#include <string.h>
#include <time.h>

#include "util-ip.h"

static const vg_decoder *const all_decoders[] = {
    /* text formats, in detection order: the most specific first */
    &vg_decoder_apache_error,
    &vg_decoder_web_access,
    &vg_decoder_auditd,
    &vg_decoder_sysmon_linux,
    &vg_decoder_syslog,
    &vg_decoder_clamav,
    /* JSON shapes, in detection order; the generic decoder last */
    &vg_decoder_windows,
    &vg_decoder_suricata,
    &vg_decoder_zeek,
    &vg_decoder_json,
    NULL
};

const vg_decoder *const *vg_decoders(void)
{
    return all_decoders;
}

const vg_decoder *vg_decoder_find(const char *name)
{
    for (const vg_decoder *const *d = all_decoders; *d; d++)
        if (strcmp((*d)->name, name) == 0)
            return *d;
    return NULL;
}

void vg_decode_opts_default(vg_decode_opts *opts)
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    opts->year = 0;
    opts->reference = (int64_t)now;
    opts->tz_offset = tm.tm_gmtoff;
}

/* Does the input start like JSON: an object, or an array of values? */
static int looks_like_json(const char *p, size_t n)
{
    size_t i = 0;
    while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
        i++;
    if (i == n)
        return 0;
    if (p[i] == '{')
        return 1;
    if (p[i] != '[')
        return 0;
    for (i++; i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'); i++)
        ;
    return i == n || p[i] == '{' || p[i] == ']' || p[i] == '[';
}

const vg_decoder *vg_decoder_detect(const char *data, size_t n, uint64_t *line)
{
    *line = 1;
    if (looks_like_json(data, n))
        return &vg_decoder_json;
    /* the first non-blank line decides */
    const char *p = data, *end = data + n;
    for (; p < end; (*line)++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        size_t len = (size_t)(le - p);
        if (len && p[len - 1] == '\r')
            len--;
        size_t blank = 0;
        while (blank < len && (p[blank] == ' ' || p[blank] == '\t'))
            blank++;
        if (blank < len) {
            vg_event probe_ev;
            vg_event_reset(&probe_ev, p, len, NULL);
            for (const vg_decoder *const *d = all_decoders; *d; d++)
                if (!(*d)->json && (*d)->probe(&probe_ev))
                    return *d;
            return NULL;
        }
        p = le + 1;
    }
    *line = 0;
    return NULL;
}

vg_rc vg_decode_json(const vg_decode_opts *opts, vg_event *ev, vg_error *err)
{
    for (const vg_decoder *const *d = all_decoders; *d; d++)
        if ((*d)->json && (*d)->probe(ev))
            return (*d)->decode(opts, ev, err);
    return vg_fail(err, VG_ERR_PARSE, 0, "no decoder for this JSON object");
}

/* ---- helpers ---------------------------------------------------------------------------- */

vg_rc vg_decode_set_time(vg_event *ev, const vg_time *t)
{
    char *out = vg_event_scratch_reserve(ev, VG_RFC3339_MAX);
    if (!out)
        return VG_ERR_LIMIT;
    size_t n = vg_time_format(t, out);
    ev->scratch_used -= VG_RFC3339_MAX - n;
    return vg_event_set_str(ev, "@timestamp", out, n);
}

vg_rc vg_decode_set_iso_time(const vg_decode_opts *opts, vg_event *ev, const char *s, size_t n)
{
    vg_time t;
    if (vg_time_parse_iso(s, n, opts->tz_offset, &t) != 0)
        return VG_ERR_PARSE;
    return vg_decode_set_time(ev, &t);
}

int vg_is_ip(const char *s, size_t n)
{
    unsigned char addr[16];
    return vg_ip_parse(s, n, addr) != 0;
}

int vg_decode_set_ip(vg_event *ev, const char *name, const char *s, size_t n)
{
    if (!vg_is_ip(s, n))
        return 0;
    return vg_event_set_str(ev, name, s, n) == VG_OK;
}

int vg_decode_set_uint(vg_event *ev, const char *name, const char *s, size_t n)
{
    if (n == 0 || n > 19)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    if (n > 1 && s[0] == '0')
        return 0;   /* not a JSON number */
    return vg_event_set_num(ev, name, s, n) == VG_OK;
}

int vg_decode_copy(vg_event *ev, const char *name, const char *path)
{
    if (!ev->doc)
        return 0;
    int i = vg_json_find(ev->doc, 0, path, strlen(path));
    if (i < 0)
        return 0;
    vg_value v = vg_json_value(ev->doc, (uint32_t)i);
    if (v.type == VG_JSON_NULL)
        return 0;
    return vg_event_set(ev, name, v) == VG_OK;
}

/* ---- the generic JSON decoder ----------------------------------------------------------- */

static int json_probe(const vg_event *ev)
{
    return ev->doc != NULL;
}

/* Normalizes a top-level timestamp if the object has a recognizable one. */
static vg_rc json_decode(const vg_decode_opts *opts, vg_event *ev, vg_error *err)
{
    (void)err;
    static const char *const time_keys[] = { "@timestamp", "timestamp", "time", "ts", NULL };
    for (const char *const *k = time_keys; *k; k++) {
        vg_value v = vg_event_get(ev, *k);
        if (v.type == VG_JSON_STRING && !(v.flags & VG_JSON_ESCAPED) &&
            vg_decode_set_iso_time(opts, ev, v.ptr, v.len) == VG_OK)
            break;
    }
    return VG_OK;
}

const vg_decoder vg_decoder_json = {
    "json", "JSON objects of any other shape, kept as they are", 1, json_probe, json_decode
};
