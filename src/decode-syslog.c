/*
 * decode-syslog: the syslog decoder. Parses the header of RFC 3164 (BSD) lines, RFC 5424
 * lines and the ISO-timestamp variant written by rsyslog's high-precision template, then hands
 * the message to a program decoder chosen by app name (see decode-syslog.h).
 *
 *   RFC 3164:  [<PRI>]Mmm dd hh:mm:ss[.frac] [HOST] TAG[PID]: MSG     (no year, no zone)
 *   ISO:       [<PRI>]YYYY-MM-DDThh:mm:ss[.frac](Z|+hh:mm) HOST TAG[PID]: MSG
 *   RFC 5424:  <PRI>1 TIMESTAMP HOST APP PROCID MSGID [SD-ID k="v"...]|- MSG
 *
 * A RFC 3164 timestamp gets the year that puts it no later than two days after the reference
 * time (the file's modification time), so a December line read in January is last year's.
 */
#include "decode-syslog.h"

#include <string.h>

#include "decode-text.h"
#include "util-utf8.h"

typedef struct program {
    const char *name;
    vg_program_decoder decode;
} program;

/* App names (before any "(module)" or "[pid]") and their message decoders. */
static const program programs[] = {
    { "sshd", vg_decode_sshd },
    { "sshd-session", vg_decode_sshd },     /* OpenSSH 9.8+: the per-connection process */
    { "sudo", vg_decode_sudo },
    { "su", vg_decode_su },
    { "useradd", vg_decode_account },
    { "usermod", vg_decode_account },
    { "userdel", vg_decode_account },
    { "groupadd", vg_decode_account },
    { "groupdel", vg_decode_account },
    { "groupmod", vg_decode_account },
    { "passwd", vg_decode_account },
    { "chpasswd", vg_decode_account },
    { "gpasswd", vg_decode_account },
    { "cron", vg_decode_cron },
    { "CRON", vg_decode_cron },
    { "crond", vg_decode_cron },
    { "anacron", vg_decode_cron },
    { "crontab", vg_decode_cron },          /* "(root) BEGIN EDIT (alice)" */
    { "clamd", vg_decode_clamd },
    { "audisp-syslogd", vg_decode_auditd_syslog },  /* audispd's syslog plugin */
    { "audisp-syslog", vg_decode_auditd_syslog },
    { "audit", vg_decode_auditd_syslog },
    { "sysmon", vg_decode_sysmon_syslog },  /* Sysmon for Linux */
    { NULL, NULL }
};

/* Parses "<PRI>" at s[*i]; sets log.syslog.* fields. Returns 0, or -1 if malformed. */
static int parse_pri(vg_event *ev, const char *s, size_t n, size_t *i)
{
    if (*i >= n || s[*i] != '<')
        return 0;
    size_t j = *i + 1, start = j;
    int v = 0;
    while (j < n && vg_text_is_digit(s[j]) && j - start < 3)
        v = v * 10 + (s[j++] - '0');
    if (j == start || j >= n || s[j] != '>' || v > 191 || (j - start > 1 && s[start] == '0'))
        return -1;
    vg_event_set_num(ev, "log.syslog.priority", s + start, j - start);
    vg_event_set_int(ev, "log.syslog.facility.code", v / 8);
    vg_event_set_int(ev, "log.syslog.severity.code", v % 8);
    *i = j + 1;
    return 0;
}

/* Year for month/day/time given without one: the year that puts it at or before reference
 * (plus two days of clock skew). *local is its seconds in that year when they were computed
 * on the way, else INT64_MIN. */
static int infer_year(const vg_decode_opts *opts, int mon, int day, int h, int mi, int sec, int64_t *local)
{
    *local = INT64_MIN;
    if (opts->year)
        return opts->year;
    int64_t ref = opts->reference + opts->tz_offset;
    static _Thread_local int64_t cached_ref = INT64_MIN;    /* the reference's year, by thread */
    static _Thread_local int cached_year;
    if (ref != cached_ref) {
        int m, d, hh, mm, ss;
        vg_time_to_civil(ref, &cached_year, &m, &d, &hh, &mm, &ss);
        cached_ref = ref;
    }
    int y = cached_year;
    if (mon == 2 && day == 29) {
        /* only leap years have this day: take the latest one not after the reference */
        while (!(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
            y--;
    }
    int64_t at = vg_time_from_civil(y, mon, day, h, mi, sec);
    if (at > ref + 2 * 86400)
        return y - 1;
    *local = at;
    return y;
}

/* Parses an RFC 3164 timestamp "Mmm dd hh:mm:ss[.frac]" (optionally "Mmm dd yyyy hh:mm:ss"). */
static int parse_bsd_time(const vg_decode_opts *opts, const char *s, size_t n, size_t *i, vg_time *t)
{
    size_t j = *i;
    if (n - j < 15)
        return -1;
    int mon = vg_month_from_abbr(s + j);
    if (!mon || s[j + 3] != ' ')
        return -1;
    j += 4;
    if (s[j] == ' ')
        j++;    /* "Jun  4" */
    int day = 0;
    if (j < n && vg_text_is_digit(s[j]))
        day = s[j++] - '0';
    if (j < n && vg_text_is_digit(s[j]))
        day = day * 10 + (s[j++] - '0');
    if (day < 1 || day > 31 || j >= n || s[j++] != ' ')
        return -1;
    int year = 0;
    if (n - j >= 5 && vg_text_digits(s + j, 4) && s[j + 4] == ' ') {
        year = (s[j] - '0') * 1000 + (s[j + 1] - '0') * 100 + (s[j + 2] - '0') * 10 + (s[j + 3] - '0');
        j += 5;
    }
    if (n - j < 8 || !vg_text_digits(s + j, 2) || s[j + 2] != ':' || !vg_text_digits(s + j + 3, 2) ||
        s[j + 5] != ':' || !vg_text_digits(s + j + 6, 2))
        return -1;
    int h = (s[j] - '0') * 10 + (s[j + 1] - '0');
    int mi = (s[j + 3] - '0') * 10 + (s[j + 4] - '0');
    int sec = (s[j + 6] - '0') * 10 + (s[j + 7] - '0');
    j += 8;
    if (h > 23 || mi > 59 || sec > 60)
        return -1;
    if (sec == 60)
        sec = 59;
    t->nsec = 0;
    t->digits = 0;
    if (j < n && s[j] == '.') {
        size_t k = j + 1;
        uint32_t scale = 100000000;
        while (k < n && vg_text_is_digit(s[k]) && t->digits < 9) {
            t->nsec += (uint32_t)(s[k++] - '0') * scale;
            scale /= 10;
            t->digits++;
        }
        if (t->digits)
            j = k;
    }
    int64_t local = INT64_MIN;
    if (!year)
        year = infer_year(opts, mon, day, h, mi, sec, &local);
    if (day > vg_days_in_month(year, mon))
        return -1;
    t->sec = (local != INT64_MIN ? local : vg_time_from_civil(year, mon, day, h, mi, sec)) - opts->tz_offset;
    *i = j;
    return 0;
}

/* Parses an ISO 8601 timestamp token at s[*i]; leaves *i on the space after it. */
static int parse_iso_token(const vg_decode_opts *opts, const char *s, size_t n, size_t *i, vg_time *t)
{
    size_t j = *i;
    const char *tok;
    size_t len = vg_text_token(s, n, &j, VG_TEXT_AT_SPACE, &tok);
    if (vg_time_parse_iso(tok, len, opts->tz_offset, t) != 0)
        return -1;
    *i = j;
    return 0;
}

/* Parses "TAG[PID]:" or "TAG:" at s[*i]. Returns 1 and the app name if there is one. */
static int parse_tag(vg_event *ev, const char *s, size_t n, size_t *i, const char **app, size_t *app_len)
{
    static const unsigned char ends_name[256] = { ['['] = 1, [':'] = 1, [' '] = 1 };
    size_t j = *i, start = j, lim = n - j > 64 ? j + 64 : n;
    while (j < lim && !ends_name[(unsigned char)s[j]])
        j++;
    if (j == start || j >= n)
        return 0;
    size_t end_name = j;
    if (s[j] == '[') {
        size_t p = ++j;
        j += vg_text_span_digits(s + j, n - j);
        if (j >= n || s[j] != ']' || j + 1 >= n || s[j + 1] != ':')
            return 0;
        vg_decode_set_uint(ev, "process.pid", s + p, j - p);
        j++;
    }
    if (s[j] != ':')
        return 0;
    j++;
    vg_text_eat(s, n, &j, ' ');
    *app = s + start;
    *app_len = end_name - start;
    *i = j;
    return 1;
}

/* limit: occurrences one "message repeated" line may stand for (it bounds what one hostile line
 * can make a consumer emit; syslogd flushes repeats within seconds, so real counts are small) */
#define VG_SYSLOG_MAX_REPEAT 100000

/* The message after the syslog header: the "message" field, and the body keyword searches read
 * (the header's timestamp, host and tag are not part of what the program logged). */
static void set_message(vg_event *ev, const char *m, size_t n)
{
    vg_event_set_str(ev, "message", m, n);
    ev->body = m;
    ev->body_len = n;
}

/* Undoes syslogd's repeat compression: "message repeated N times: [ MSG]" stands for N
 * occurrences of MSG, so MSG becomes the message (and goes to the program decoder) and
 * ev->repeat = N (every consumer counts the event N times). The one place that handles it, for
 * every program. Returns 0, or -1 when N is over VG_SYSLOG_MAX_REPEAT. */
static int unrepeat(vg_event *ev, const char **msg, size_t *msg_len)
{
    static const char head[] = "message repeated ";
    const char *s = *msg;
    size_t n = *msg_len, i = sizeof head - 1, start;
    unsigned long count = 0;
    if (n <= i || !vg_text_starts(s, n, head))
        return 0;
    for (start = i; i < n && vg_text_is_digit(s[i]); i++)
        if (count <= VG_SYSLOG_MAX_REPEAT)     /* saturates above the limit */
            count = count * 10 + (unsigned long)(s[i] - '0');
    if (i == start || count == 0 || !vg_text_starts(s + i, n - i, " times: [") || s[n - 1] != ']')
        return 0;
    if (count > VG_SYSLOG_MAX_REPEAT)
        return -1;
    i += 9;
    if (i < n - 1 && s[i] == ' ')
        i++;
    *msg = s + i;
    *msg_len = n - 1 - i;
    ev->repeat = (unsigned)count;
    set_message(ev, *msg, *msg_len);
    return 0;
}

/* Calls the program decoder for app (the part before any '(' or '/'), after unrepeat(). */
static vg_rc dispatch(const vg_decode_opts *opts, vg_event *ev, const char *app, size_t app_len,
                      const char *msg, size_t msg_len, vg_error *err)
{
    if (unrepeat(ev, &msg, &msg_len) != 0)
        return vg_fail(err, VG_ERR_LIMIT, 0, "syslog: \"message repeated N times\" with N over %d",
                       VG_SYSLOG_MAX_REPEAT);
    size_t base = 0;
    while (base < app_len && app[base] != '(' && app[base] != '/')
        base++;
    for (const program *p = programs; p->name; p++)
        if (vg_text_is(app, base, p->name))
            return p->decode(opts, ev, app, app_len, msg, msg_len);
    if (base < app_len && app[base] == '(')   /* "login(pam_unix)": old PAM style */
        return vg_decode_pam(opts, ev, app, app_len, msg, msg_len);
    if (msg_len > 4 && vg_text_starts(msg, msg_len, "pam_"))
        return vg_decode_pam(opts, ev, app, app_len, msg, msg_len);
    return VG_OK;
}

/* Sets process.name from app, dropping an old-style "(pam_unix)" suffix. */
static void set_process(vg_event *ev, const char *app, size_t app_len)
{
    size_t base = 0;
    while (base < app_len && app[base] != '(')
        base++;
    vg_event_set_str(ev, "process.name", app, base);
    vg_event_set_str(ev, "log.syslog.appname", app, app_len);
}

/* Appends a JSON-escaped copy of an SD-PARAM value (which escapes only '"', '\\' and ']'). */
static int sd_append_value(char *out, size_t cap, size_t *o, const char *s, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        char c = s[k];
        if (c == '\\' && k + 1 < n && (s[k + 1] == '"' || s[k + 1] == '\\' || s[k + 1] == ']'))
            c = s[++k];
        if (*o + 7 > cap)
            return -1;
        if (c == '"' || c == '\\') {
            out[(*o)++] = '\\';
            out[(*o)++] = c;
        } else if ((unsigned char)c < 0x20) {
            static const char hex[] = "0123456789abcdef";
            memcpy(out + *o, "\\u00", 4);
            out[*o + 4] = hex[(unsigned char)c >> 4];
            out[*o + 5] = hex[c & 15];
            *o += 6;
        } else if ((unsigned char)c >= 0x80) {
            /* the JSON output must be valid UTF-8: a bad byte becomes U+FFFD (found by fuzz-syslog) */
            int len = vg_utf8_seq((const unsigned char *)s + k, (const unsigned char *)s + n);
            if (len <= 0) {
                memcpy(out + *o, "\\ufffd", 6);
                *o += 6;
            } else {
                memcpy(out + *o, s + k, (size_t)len);
                *o += (size_t)len;
                k += (size_t)len - 1;
            }
        } else {
            out[(*o)++] = c;
        }
    }
    return 0;
}

/* Is s[0..n) an RFC 5424 SD-NAME (1 to 32 printable US-ASCII characters; the callers stop at
 * '=', ']', '"' and space)? Names are copied into JSON keys as they are, so '\\' is refused
 * too (found by fuzz-syslog). */
static int sd_name_ok(const char *s, size_t n)
{
    if (n == 0 || n > 32)
        return 0;
    for (size_t k = 0; k < n; k++) {
        unsigned char c = (unsigned char)s[k];
        if (c < 33 || c > 126 || c == '\\')
            return 0;
    }
    return 1;
}

#define SD_MAX_NAMES 64      /* limit: SD-IDs per message, or parameters per element, checked
                                for repeats; more are left unparsed (tagged) */

/* Has the name s[0..n) been seen among names[0..count)? Adds it if not (and there is room);
 * returns 1 if it repeats or cannot be tracked. */
static int sd_repeats(const char *s, size_t n, const char **names, size_t *lens, size_t *count)
{
    for (size_t k = 0; k < *count; k++)
        if (lens[k] == n && memcmp(names[k], s, n) == 0)
            return 1;
    if (*count >= SD_MAX_NAMES)
        return 1;
    names[*count] = s;
    lens[(*count)++] = n;
    return 0;
}

/* Parses RFC 5424 STRUCTURED-DATA at s[*i] into log.syslog.structured_data, as a JSON object
 * {"id":{"name":"value",...},...}. Returns 0, -1 with a reason when malformed, or 1 when it is
 * well-formed but repeats an SD-ID or a parameter name (a JSON object cannot hold the repeat:
 * the field is then not set, and the line stays whole in event.original). Every write stays
 * below `limit`, which keeps room for the three closing bytes ('"', '}', '}'). */
static int parse_sd(vg_event *ev, const char *s, size_t n, size_t *i, const char **why)
{
    if (*i < n && s[*i] == '-') {
        (*i)++;
        return 0;
    }
    char *out = ev->scratch + ev->scratch_used;
    size_t cap = VG_EVENT_SCRATCH - ev->scratch_used, o = 0;
    size_t j = *i;
    const char *ids[SD_MAX_NAMES], *params[SD_MAX_NAMES];
    size_t id_lens[SD_MAX_NAMES], param_lens[SD_MAX_NAMES], nids = 0;
    int repeated = 0;
    *why = "structured data too large";
    if (cap < 16)
        return -1;
    size_t limit = cap - 3;
    out[o++] = '{';
    while (j < n && s[j] == '[') {
        size_t id = ++j, nparams = 0;
        while (j < n && s[j] != ' ' && s[j] != ']' && s[j] != '=' && s[j] != '"')
            j++;
        if (!sd_name_ok(s + id, j - id) || j >= n) {
            *why = "malformed structured data: missing SD-ID or not 1-32 printable ASCII characters";
            return -1;
        }
        repeated |= sd_repeats(s + id, j - id, ids, id_lens, &nids);
        if (o + (j - id) + 8 > limit)
            return -1;
        if (o > 1)
            out[o++] = ',';
        out[o++] = '"';
        memcpy(out + o, s + id, j - id);    /* SD-ID is printable ASCII without '"' or '\\' */
        o += j - id;
        memcpy(out + o, "\":{", 3);
        o += 3;
        int first = 1;
        while (j < n && s[j] == ' ') {
            size_t name = ++j;
            while (j < n && s[j] != '=' && s[j] != ' ' && s[j] != ']' && s[j] != '"')
                j++;
            if (!sd_name_ok(s + name, j - name) || j + 1 >= n || s[j] != '=' || s[j + 1] != '"') {
                *why = "malformed structured data: expected name=\"value\"";
                return -1;
            }
            size_t name_end = j;
            repeated |= sd_repeats(s + name, name_end - name, params, param_lens, &nparams);
            j += 2;
            size_t val = j;
            while (j < n && s[j] != '"') {
                if (s[j] == '\\' && j + 1 < n)
                    j++;
                j++;
            }
            if (j >= n) {
                *why = "malformed structured data: unterminated value";
                return -1;
            }
            if (o + (name_end - name) + 8 > limit)
                return -1;
            if (!first)
                out[o++] = ',';
            first = 0;
            out[o++] = '"';
            memcpy(out + o, s + name, name_end - name);
            o += name_end - name;
            memcpy(out + o, "\":\"", 3);
            o += 3;
            if (sd_append_value(out, limit, &o, s + val, j - val) != 0)
                return -1;
            out[o++] = '"';     /* closing byte 1 of 3 kept in reserve */
            j++;
        }
        if (j >= n || s[j] != ']') {
            *why = "malformed structured data: expected ']'";
            return -1;
        }
        j++;
        out[o++] = '}';         /* closing byte 2 of 3 */
    }
    if (o == 1) {
        *why = "malformed structured data: expected '[' or '-'";
        return -1;
    }
    out[o++] = '}';             /* closing byte 3 of 3: o <= cap */
    *i = j;
    if (repeated)
        return 1;
    ev->scratch_used += o;
    vg_value v = { VG_JSON_OBJECT, VG_VALUE_JSON, (uint32_t)o, out };
    vg_event_set(ev, "log.syslog.structured_data", v);
    return 0;
}

/* Sets field to a RFC 5424 header token unless it is the nil value "-". */
static void set_5424_token(vg_event *ev, const char *name, const char *tok, size_t len)
{
    if (len && !vg_text_is(tok, len, "-"))
        vg_event_set_str(ev, name, tok, len);
}

static vg_rc decode_5424(const vg_decode_opts *opts, vg_event *ev, const char *s, size_t n,
                         size_t i, vg_error *err)
{
    const char *tok;
    size_t len;
    vg_time t;
    vg_event_set_num(ev, "log.syslog.version", "1", 1);
    i += 2;
    if (i < n && s[i] == '-') {
        i++;
    } else if (parse_iso_token(opts, s, n, &i, &t) != 0) {
        return vg_fail(err, VG_ERR_PARSE, i, "syslog (RFC 5424): invalid timestamp");
    } else {
        vg_decode_set_time(ev, &t);
    }
    if (i >= n || s[i++] != ' ')
        return vg_fail(err, VG_ERR_PARSE, i, "syslog (RFC 5424): header ends after the timestamp");
    len = vg_text_token(s, n, &i, VG_TEXT_PAST_SPACE, &tok);
    set_5424_token(ev, "host.hostname", tok, len);
    const char *app;
    size_t app_len = vg_text_token(s, n, &i, VG_TEXT_PAST_SPACE, &app);
    set_5424_token(ev, "log.syslog.appname", app, app_len);
    if (!vg_text_is(app, app_len, "-"))
        vg_event_set_str(ev, "process.name", app, app_len);
    len = vg_text_token(s, n, &i, VG_TEXT_PAST_SPACE, &tok);
    if (!vg_text_is(tok, len, "-")) {
        vg_event_set_str(ev, "log.syslog.procid", tok, len);
        vg_decode_set_uint(ev, "process.pid", tok, len);
    }
    len = vg_text_token(s, n, &i, VG_TEXT_PAST_SPACE, &tok);
    set_5424_token(ev, "log.syslog.msgid", tok, len);
    if (i >= n)
        return vg_fail(err, VG_ERR_PARSE, i, "syslog (RFC 5424): header is missing fields");
    const char *why;
    int sd = parse_sd(ev, s, n, &i, &why);
    if (sd < 0)
        return vg_fail(err, VG_ERR_PARSE, i, "syslog (RFC 5424): %s", why);
    if (sd > 0)
        vg_event_add_tag(ev, "vigil_structured_data_repeats_names");
    vg_text_eat(s, n, &i, ' ');
    if (vg_text_starts(s + i, n - i, "\xEF\xBB\xBF"))
        i += 3;
    set_message(ev, s + i, n - i);
    if (app_len && !vg_text_is(app, app_len, "-"))
        return dispatch(opts, ev, app, app_len, s + i, n - i, err);
    return VG_OK;
}

static vg_rc syslog_decode(const vg_decode_opts *opts, vg_event *ev, vg_error *err)
{
    const char *s = ev->text;
    size_t n = ev->len, i = 0;
    ev->decoder = "syslog";
    if (parse_pri(ev, s, n, &i) != 0)
        return vg_fail(err, VG_ERR_PARSE, 0, "syslog: malformed <PRI> (expected <0> to <191>)");
    if (i > 0 && n - i >= 2 && s[i] == '1' && s[i + 1] == ' ')
        return decode_5424(opts, ev, s, n, i, err);

    vg_time t;
    if (i < n && vg_text_is_digit(s[i])) {
        if (parse_iso_token(opts, s, n, &i, &t) != 0)
            return vg_fail(err, VG_ERR_PARSE, i, "syslog: invalid ISO 8601 timestamp");
    } else if (parse_bsd_time(opts, s, n, &i, &t) != 0) {
        return vg_fail(err, VG_ERR_PARSE, i, "not a syslog line: expected a timestamp like "
                                              "'Dec 10 06:55:46' or '2025-12-10T06:55:46Z'");
    }
    vg_decode_set_time(ev, &t);
    vg_text_eat(s, n, &i, ' ');
    vg_text_eat(s, n, &i, ' ');

    /* HOST is absent when the next token is already the tag ("sshd[1]:", "kernel:") */
    const char *app = NULL;
    size_t app_len = 0, save = i;
    if (!parse_tag(ev, s, n, &i, &app, &app_len)) {
        const char *host;
        size_t host_len = vg_text_token(s, n, &i, VG_TEXT_PAST_SPACE, &host);
        if (host_len)
            vg_event_set_str(ev, "host.hostname", host, host_len);
        save = i;
        if (!parse_tag(ev, s, n, &i, &app, &app_len))
            i = save;
    }
    set_message(ev, s + i, n - i);
    if (!app)
        return VG_OK;
    set_process(ev, app, app_len);
    return dispatch(opts, ev, app, app_len, s + i, n - i, err);
}

static int syslog_probe(const vg_event *ev)
{
    vg_event tmp;
    vg_decode_opts opts = { 2000, 0, 0 };
    vg_error err;
    vg_event_reset(&tmp, ev->text, ev->len, NULL);
    const char *s = ev->text;
    size_t n = ev->len, i = 0;
    vg_time t;
    if (parse_pri(&tmp, s, n, &i) != 0)
        return 0;
    if (i > 0 && n - i >= 2 && s[i] == '1' && s[i + 1] == ' ')
        return decode_5424(&opts, &tmp, s, n, i, &err) == VG_OK;
    if (i < n && vg_text_is_digit(s[i]))
        return parse_iso_token(&opts, s, n, &i, &t) == 0 && i < n && s[i] == ' ';
    return parse_bsd_time(&opts, s, n, &i, &t) == 0 && i < n && s[i] == ' ';
}

const vg_decoder vg_decoder_syslog = {
    "syslog",
    "syslog lines (RFC 3164, RFC 5424, ISO timestamps); sshd, sudo, su, PAM, account tools, cron, clamd, audit records, Sysmon for Linux",
    0, syslog_probe, syslog_decode
};
