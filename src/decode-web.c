/*
 * decode-web: web server logs, two text decoders.
 *
 * "access": Apache and nginx access logs in the Common and Combined Log Formats, and Apache's
 * vhost_combined variant with the virtual host in front:
 *
 *   [VHOST[:PORT] ]CLIENT IDENT USER [dd/Mon/yyyy:hh:mm:ss +zzzz] "REQUEST" STATUS [BYTES]
 *       [ "REFERER" "USER-AGENT"] [anything else (nginx extras), ignored]
 *
 *   REQUEST is "METHOD TARGET HTTP/x.y" (or "METHOD TARGET" for HTTP/0.9). Servers log what
 *   the client sent, so a request of another shape (a scanner's binary bytes, TLS spoken to a
 *   plain port) is kept as url.original with tags ["malformed_request"], not rejected; "-"
 *   (no request line, as with a 408) sets no url fields. Inside quotes Apache escapes '"' and
 *   '\' with a backslash: those two are undone (into the event scratch); other escapes such as
 *   \xhh are kept as logged, since the bytes they stand for are often not text.
 *
 * "apache-error": Apache httpd error logs, 2.2 and 2.4 styles (times are local time, taken
 * in the zone opts->tz_offset; the year is in the line):
 *
 *   2.2: [Www Mmm dd hh:mm:ss yyyy] [LEVEL] [client IP] MESSAGE
 *   2.4: [Www Mmm dd hh:mm:ss.uuuuuu yyyy] [MODULE:LEVEL] [pid P:tid T] (ERRNO)TEXT:
 *        [client IP:PORT] AHnnnnn: MESSAGE, referer: URL
 *
 *   Every part after the level is optional. message keeps the text after the bracketed
 *   parts (with its AH code, which is also error.code); a trailing ", referer: URL" of a
 *   request goes to http.request.referrer instead.
 *
 * Data flow: each line is read once, left to right, with a cursor (s, n, i); fields are
 * slices of the line except the unescaped values and the timestamp, which go into scratch.
 * The probes run the decoder on a throw-away event, so detection is as strict as decoding.
 */
#include "decode.h"

#include <string.h>

#include "decode-text.h"

#define MAX_METHOD 32   /* limit: longest token taken as an HTTP method */

/* May c be part of an HTTP method as logged (letters, digits, '-', '_')? */
static inline int is_method_char(char c)
{
    return vg_text_is_alpha(c) || vg_text_is_digit(c) || c == '-' || c == '_';
}

/* May c be part of a URL scheme after its first letter? */
static inline int is_scheme_char(char c)
{
    return vg_text_is_alpha(c) || vg_text_is_digit(c) || c == '+' || c == '-' || c == '.';
}

/* Reads "[...]" at s[*i] (no nesting); sets the inside. Returns 0, or -1 if there is none. */
static int bracket(const char *s, size_t n, size_t *i, const char **in, size_t *len)
{
    if (*i >= n || s[*i] != '[')
        return -1;
    const char *end = memchr(s + *i + 1, ']', n - *i - 1);
    if (!end)
        return -1;
    *in = s + *i + 1;
    *len = (size_t)(end - *in);
    *i = (size_t)(end - s) + 1;
    return 0;
}

/* Is s[0..n) a host name as web servers log one: letters, digits, '-', '.', '_', with at least
 * one letter? This is looser than vg_text_is_host about the first byte and, unlike it, needs a
 * letter, so that a bad IPv4 address such as "999.1.1.1" is refused rather than taken as a
 * name (the client field must be one or the other). */
static int is_web_hostname(const char *s, size_t n)
{
    int letters = 0;
    if (n == 0 || n > 253)
        return 0;
    for (size_t k = 0; k < n; k++) {
        if (vg_text_is_alpha(s[k]))
            letters = 1;
        else if (!vg_text_is_digit(s[k]) && s[k] != '-' && s[k] != '.' && s[k] != '_')
            return 0;
    }
    return letters;
}

/* Sets ip_name to s[0..n) if it is an IP address, else domain_name if it is a host name (see
 * is_web_hostname). Returns 0, or -1 if it is neither. */
static int set_host(vg_event *ev, const char *ip_name, const char *domain_name, const char *s, size_t n)
{
    if (vg_decode_set_ip(ev, ip_name, s, n))
        return 0;
    if (!is_web_hostname(s, n))
        return -1;
    return vg_event_set_str(ev, domain_name, s, n) == VG_OK ? 0 : -1;
}

/* Sets the host and port fields from "HOST", "HOST:PORT" or "[IPV6]:PORT". With
 * port_last, a port always follows the last ':' (Apache 2.4 writes "2001:db8::1:5678");
 * without, a whole IPv6 address is taken as a host. Returns 0, or -1 if malformed. */
static int set_host_port(vg_event *ev, const char *ip_name, const char *domain_name,
                         const char *port_name, const char *s, size_t n, int port_last)
{
    size_t host = 0, hlen = n, colon = n;
    if (n > 0 && s[0] == '[') {
        const char *end = memchr(s, ']', n);
        if (!end)
            return -1;
        host = 1;
        hlen = (size_t)(end - s) - 1;
        colon = hlen + 2;
        if (colon < n && s[colon] != ':')
            return -1;
    } else if (port_last || !vg_is_ip(s, n)) {
        size_t last = vg_text_rfind(s, n, ":");
        if (last != VG_TEXT_NONE)
            colon = hlen = last;
    }
    if (set_host(ev, ip_name, domain_name, s + host, hlen) != 0)
        return -1;
    if (colon >= n)
        return 0;
    vg_text port = { s + colon + 1, n - colon - 1 };
    return vg_text_set_port(ev, port_name, port) ? 0 : -1;
}

/* ---- access logs ------------------------------------------------------------------------ */

/* Reads a quoted value at s[*i] ('"' there), in which '\' escapes the next byte. Sets the
 * inside and *escaped when it holds a backslash; -1 if the closing quote is missing. */
static int quoted(const char *s, size_t n, size_t *i, const char **v, size_t *len, int *escaped)
{
    size_t j = *i + 1;
    *escaped = 0;
    while (j < n && s[j] != '"') {
        if (s[j] == '\\') {
            *escaped = 1;
            j++;
        }
        j++;
    }
    if (j >= n)
        return -1;
    *v = s + *i + 1;
    *len = j - *i - 1;
    *i = j + 1;
    return 0;
}

/* Undoes the \" and \\ escapes of s[0..n) into scratch when escaped (else returns the slice
 * itself); other escapes stay as logged. */
static vg_rc unescape(vg_event *ev, const char *s, size_t n, int escaped, const char **out, size_t *olen)
{
    if (!escaped) {
        *out = s;
        *olen = n;
        return VG_OK;
    }
    char *o = vg_event_scratch_reserve(ev, n);
    if (!o)
        return VG_ERR_LIMIT;
    size_t k = 0;
    for (size_t j = 0; j < n; j++) {
        if (s[j] == '\\' && j + 1 < n && (s[j + 1] == '"' || s[j + 1] == '\\'))
            j++;
        o[k++] = s[j];
    }
    ev->scratch_used -= n - k;
    *out = o;
    *olen = k;
    return VG_OK;
}

/* Sets field name to a quoted log value, unescaped; "-" (and empty) sets nothing. */
static vg_rc set_logged(vg_event *ev, const char *name, const char *s, size_t n, int escaped)
{
    const char *v;
    size_t len;
    if (n == 0 || vg_text_is(s, n, "-"))
        return VG_OK;
    vg_rc rc = unescape(ev, s, n, escaped, &v, &len);
    return rc ? rc : vg_event_set_str(ev, name, v, len);
}

/* Sets url.scheme, url.domain and url.port from the absolute form "scheme://authority..."
 * of u[0..n); returns the offset of the path, or 0 if u is not in that form. */
static size_t set_url_authority(vg_event *ev, const char *u, size_t n)
{
    size_t k = 0;
    while (k < n && (vg_text_is_alpha(u[k]) || (k > 0 && is_scheme_char(u[k]))))
        k++;
    if (k == 0 || n - k < 3 || memcmp(u + k, "://", 3) != 0)
        return 0;
    vg_event_set_str(ev, "url.scheme", u, k);
    size_t a = k + 3, e = a;
    while (e < n && u[e] != '/' && u[e] != '?' && u[e] != '#')
        e++;
    const char *at = NULL;
    for (size_t j = a; j < e; j++)
        if (u[j] == '@')
            at = u + j;     /* skip "user:password@" */
    if (at)
        a = (size_t)(at - u) + 1;
    set_host_port(ev, "url.domain", "url.domain", "url.port", u + a, e - a, 0);
    return e;
}

/* Sets url.* from a request target: the origin form "/path?query#fragment" or the absolute
 * form "http://host:port/path?query"; other forms ("*", CONNECT's "host:443") only set
 * url.original. */
static vg_rc set_url(vg_event *ev, const char *u, size_t n)
{
    vg_rc rc = vg_event_set_str(ev, "url.original", u, n);
    size_t p = set_url_authority(ev, u, n);
    if (rc || (p == 0 && (n == 0 || u[0] != '/')))
        return rc;
    size_t q = p;
    while (q < n && u[q] != '?' && u[q] != '#')
        q++;
    if (q > p)
        vg_event_set_str(ev, "url.path", u + p, q - p);
    size_t f = q;
    if (q < n && u[q] == '?') {
        while (f < n && u[f] != '#')
            f++;
        if (f > q + 1)
            vg_event_set_str(ev, "url.query", u + q + 1, f - q - 1);
    }
    if (f + 1 < n)
        vg_event_set_str(ev, "url.fragment", u + f + 1, n - f - 1);
    return VG_OK;
}

/* Length of the "HTTP/d[.d]" protocol at s[0..n) without "HTTP/", or 0 if it is not one. */
static size_t http_version(const char *s, size_t n)
{
    if (!vg_text_starts(s, n, "HTTP/") || n == 5 || !vg_text_is_digit(s[5]))
        return 0;
    size_t k = 6 + vg_text_span_digits(s + 6, n - 6);
    if (k + 1 < n && s[k] == '.' && vg_text_is_digit(s[k + 1]))
        k += 2 + vg_text_span_digits(s + k + 2, n - k - 2);
    return k == n ? n - 5 : 0;
}

/* Sets the request fields from the request line r[0..n) as logged (escaped). */
static vg_rc set_request(vg_event *ev, const char *r, size_t n, int escaped)
{
    if (n == 0 || vg_text_is(r, n, "-"))
        return VG_OK;   /* no request line: the client sent nothing (408) */
    size_t m = 0;
    while (m < n && m <= MAX_METHOD && is_method_char(r[m]))
        m++;
    size_t last = n;    /* start of the last word: the protocol */
    while (last > m && r[last - 1] != ' ')
        last--;
    size_t vlen = last > m + 1 ? http_version(r + last, n - last) : 0;
    size_t end = vlen ? last - 1 : n;   /* end of the target */
    const char *u;
    size_t ulen;
    vg_rc rc;
    if (m == 0 || m > MAX_METHOD || m + 1 >= end || r[m] != ' ' ||
        (!vlen && memchr(r + m + 1, ' ', end - m - 1))) {
        if ((rc = unescape(ev, r, n, escaped, &u, &ulen)))
            return rc;
        vg_event_add_tag(ev, "malformed_request");
        return vg_event_set_str(ev, "url.original", u, ulen);
    }
    vg_event_set_str(ev, "http.request.method", r, m);
    if (vlen)
        vg_event_set_str(ev, "http.version", r + last + 5, vlen);
    if ((rc = unescape(ev, r + m + 1, end - m - 1, escaped, &u, &ulen)))
        return rc;
    return set_url(ev, u, ulen);
}

/* Sets the status code and event.outcome from a 3-digit status; -1 if it is not one. */
static int set_status(vg_event *ev, const char *s, size_t n)
{
    if (n != 3 || !vg_text_digits(s, n))
        return -1;
    int v = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
    if (s[0] != '0')
        vg_event_set_num(ev, "http.response.status_code", s, n);
    else
        vg_event_set_int(ev, "http.response.status_code", v);   /* "000": no response */
    const char *outcome = v >= 100 && v < 400 ? "success" : v >= 400 && v < 600 ? "failure" : "unknown";
    vg_event_set_cstr(ev, "event.outcome", outcome);
    return 0;
}

/* Reads the space-separated words before the '[' of the time: [VHOST] CLIENT IDENT USER,
 * and sets the host fields and user.name. Returns 0, or -1 with a reason. */
static int access_prefix(vg_event *ev, const char *s, size_t n, size_t *i, const char **why)
{
    const char *tok[4];
    size_t len[4], k = 0;
    while (k < 4 && *i < n && s[*i] != '[') {
        len[k] = vg_text_token(s, n, i, VG_TEXT_AT_SPACE, &tok[k]);
        if (len[k] == 0 || !vg_text_eat(s, n, i, ' '))
            break;
        k++;
    }
    *why = "access log: expected 'CLIENT IDENT USER [TIME]' at the start of the line";
    if (k < 3 || *i >= n || s[*i] != '[')
        return -1;
    size_t c = k - 3;     /* 1 with a virtual host in front */
    *why = "access log: expected a virtual host NAME:PORT before the client address";
    if (c && set_host_port(ev, "destination.ip", "destination.domain", "destination.port",
                           tok[0], len[0], 0) != 0)
        return -1;
    *why = "access log: expected the client address (an IP address or a host name)";
    if (set_host(ev, "source.ip", "source.domain", tok[c], len[c]) != 0)
        return -1;
    if (!vg_text_is(tok[c + 2], len[c + 2], "-"))
        vg_event_set_str(ev, "user.name", tok[c + 2], len[c + 2]);
    return 0;
}

/* Reads ' STATUS[ BYTES]' at s[*i] (BYTES is digits, or '-' for none). */
static vg_rc access_status(vg_event *ev, const char *s, size_t n, size_t *i, vg_error *err)
{
    const char *v = NULL;
    size_t len = 0;
    if (vg_text_eat(s, n, i, ' '))
        len = vg_text_token(s, n, i, VG_TEXT_AT_SPACE, &v);
    if (len == 0 || set_status(ev, v, len) != 0)
        return vg_fail(err, VG_ERR_PARSE, *i, "access log: expected a 3-digit status code after the request line");
    if (*i >= n)
        return VG_OK;   /* no size field */
    (*i)++;             /* the space that ended the status */
    len = vg_text_token(s, n, i, VG_TEXT_AT_SPACE, &v);
    if (!vg_text_is(v, len, "-") && !vg_decode_set_uint(ev, "http.response.body.bytes", v, len))
        return vg_fail(err, VG_ERR_PARSE, *i, "access log: expected the response size (digits or '-') after the status");
    return VG_OK;
}

/* Reads ' "REFERER" "USER-AGENT"' at s[*i] if present (Combined Log Format). */
static vg_rc access_combined(vg_event *ev, const char *s, size_t n, size_t *i, vg_error *err)
{
    static const char *const names[] = { "http.request.referrer", "user_agent.original" };
    for (int f = 0; f < 2; f++) {
        const char *v;
        size_t len;
        int escaped;
        if (*i + 1 >= n || s[*i] != ' ' || s[*i + 1] != '"')
            return VG_OK;
        (*i)++;
        if (quoted(s, n, i, &v, &len, &escaped) != 0)
            return vg_fail(err, VG_ERR_PARSE, *i, "access log: unterminated %s (expected a closing '\"')",
                           f ? "user agent" : "referrer");
        vg_rc rc = set_logged(ev, names[f], v, len, escaped);
        if (rc)
            return vg_fail(err, rc, *i, "access log: escaped %s longer than the event scratch (%d bytes)",
                           f ? "user agent" : "referrer", VG_EVENT_SCRATCH);
    }
    return VG_OK;
}

static vg_rc access_decode(const vg_decode_opts *opts, vg_event *ev, vg_error *err)
{
    const char *s = ev->text, *why, *v;
    size_t n = ev->len, i = 0, len;
    int escaped;
    vg_time t;
    (void)opts;     /* the time carries its zone */
    ev->decoder = "access";
    if (access_prefix(ev, s, n, &i, &why) != 0)
        return vg_fail(err, VG_ERR_PARSE, i, "%s", why);
    if (bracket(s, n, &i, &v, &len) != 0 || vg_time_parse_clf(v, len, &t) != 0)
        return vg_fail(err, VG_ERR_PARSE, i, "access log: expected a time like [10/Oct/2000:13:55:36 -0700]");
    vg_decode_set_time(ev, &t);
    if (!vg_text_eat(s, n, &i, ' ') || i >= n || s[i] != '"')
        return vg_fail(err, VG_ERR_PARSE, i, "access log: expected '\"' before the request line");
    if (quoted(s, n, &i, &v, &len, &escaped) != 0)
        return vg_fail(err, VG_ERR_PARSE, i, "access log: unterminated request line (expected a closing '\"')");
    vg_rc rc = set_request(ev, v, len, escaped);
    if (rc)
        return vg_fail(err, rc, i, "access log: escaped request longer than the event scratch (%d bytes)",
                       VG_EVENT_SCRATCH);
    if ((rc = access_status(ev, s, n, &i, err)))
        return rc;
    if ((rc = access_combined(ev, s, n, &i, err)))
        return rc;
    vg_event_set_cstr(ev, "event.kind", "event");
    vg_event_set_json(ev, "event.category", "[\"web\"]");
    vg_event_set_json(ev, "event.type", "[\"access\"]");
    vg_event_set_cstr(ev, "event.dataset", "apache.access");
    return VG_OK;
}

/* ---- Apache error logs ------------------------------------------------------------------ */

/* Sets log.level and apache.error.module from "LEVEL" or "MODULE:LEVEL"; also event.type.
 * Returns 0, or -1 if the level is not one of Apache's. */
static int set_level(vg_event *ev, const char *b, size_t n)
{
    static const char *const levels[] = { "emerg", "alert", "crit", "error", "warn", "notice", "info",
                                          "debug", "trace1", "trace2", "trace3", "trace4", "trace5",
                                          "trace6", "trace7", "trace8", NULL };
    size_t last = vg_text_rfind(b, n, ":");
    size_t colon = last == VG_TEXT_NONE ? 0 : last + 1;     /* start of the level */
    const char *lv = b + colon;
    size_t len = n - colon;
    for (int k = 0; levels[k]; k++) {
        if (!vg_text_is(lv, len, levels[k]))
            continue;
        vg_event_set_str(ev, "log.level", lv, len);
        if (colon > 1)
            vg_event_set_str(ev, "apache.error.module", b, colon - 1);
        vg_event_set_json(ev, "event.type", k <= 3 ? "[\"error\"]" : "[\"info\"]");
        return 0;
    }
    return -1;
}

/* Sets process.pid and process.thread.id from "pid P" or "pid P:tid T". */
static void set_pid(vg_event *ev, const char *b, size_t n)
{
    size_t k = 0;
    while (k < n && b[k] != ':')
        k++;
    vg_decode_set_uint(ev, "process.pid", b, k);
    if (k < n && vg_text_starts(b + k + 1, n - k - 1, "tid "))
        vg_decode_set_uint(ev, "process.thread.id", b + k + 5, n - k - 5);
}

/* Reads one optional part before the message at s[*i]: " [pid ...]", " [client ...]" or
 * " (errno)Text:". Returns 1 if it read one, 0 if the message starts here. */
static int error_part(vg_event *ev, const char *s, size_t n, size_t *i, int v24, int *client)
{
    size_t j = *i + 1;
    const char *b;
    size_t len;
    if (j >= n || s[*i] != ' ')
        return 0;
    if (s[j] == '(') {     /* the OS error of 2.4: "(13)Permission denied:" */
        size_t k = j + 1 + vg_text_span_digits(s + j + 1, n - j - 1);
        if (k == j + 1 || k >= n || s[k] != ')')
            return 0;
        while (k < n && s[k] != ':')
            k++;
        if (k >= n)
            return 0;
        vg_event_set_str(ev, "error.message", s + j, k - j);
        *i = k + 1;
        return 1;
    }
    if (bracket(s, n, &j, &b, &len) != 0)
        return 0;
    if (vg_text_starts(b, len, "pid ")) {
        set_pid(ev, b + 4, len - 4);
    } else if (vg_text_starts(b, len, "client ")) {
        set_host_port(ev, "source.ip", "source.domain", "source.port", b + 7, len - 7, v24);
        *client = 1;
    } else {
        return 0;
    }
    *i = j;
    return 1;
}

/* Sets message (and error.code, http.request.referrer) from the text m[0..n). */
static void set_error_message(vg_event *ev, const char *m, size_t n, int client)
{
    static const char ref[] = ", referer: ";
    if (n >= 8 && m[0] == 'A' && m[1] == 'H' && vg_text_span_digits(m + 2, 5) == 5 && m[7] == ':')
        vg_event_set_str(ev, "error.code", m, 7);
    size_t r = client ? vg_text_rfind(m, n, ref) : VG_TEXT_NONE;    /* the last one */
    if (r != VG_TEXT_NONE) {
        size_t k = r + sizeof ref - 1;
        if (k < n)
            vg_event_set_str(ev, "http.request.referrer", m + k, n - k);
        n = r;
    }
    if (n)
        vg_event_set_str(ev, "message", m, n);
}

static vg_rc error_decode(const vg_decode_opts *opts, vg_event *ev, vg_error *err)
{
    const char *s = ev->text, *b;
    size_t n = ev->len, i = 0, len;
    vg_time t;
    ev->decoder = "apache-error";
    if (bracket(s, n, &i, &b, &len) != 0 || vg_time_parse_ctime(b, len, opts->tz_offset, &t) != 0)
        return vg_fail(err, VG_ERR_PARSE, 0, "apache error log: expected a time like "
                                              "[Wed Oct 11 14:32:52 2000] at the start of the line");
    vg_decode_set_time(ev, &t);
    if (!vg_text_eat(s, n, &i, ' ') || bracket(s, n, &i, &b, &len) != 0 || set_level(ev, b, len) != 0)
        return vg_fail(err, VG_ERR_PARSE, i, "apache error log: expected a level like [error] or "
                                              "[core:error] after the time");
    int v24 = memchr(b, ':', len) != NULL, client = 0;
    while (error_part(ev, s, n, &i, v24, &client))
        ;
    if (i < n && s[i] == ' ')
        i++;
    set_error_message(ev, s + i, n - i, client);
    vg_event_set_cstr(ev, "event.kind", "event");
    vg_event_set_json(ev, "event.category", "[\"web\"]");
    vg_event_set_cstr(ev, "event.dataset", "apache.error");
    return VG_OK;
}

/* ---- probes ----------------------------------------------------------------------------- */

/* Does decode accept the line of ev? (decoded into a throw-away event; no error text: the
 * probes of `format: auto` run on every line of other formats, and formatting the reason
 * each one fails was a measurable part of the daemon's decoding) */
static int decodes(const vg_event *ev, vg_rc (*decode)(const vg_decode_opts *, vg_event *, vg_error *))
{
    vg_event tmp;
    vg_decode_opts opts = { 2000, 0, 0 };
    vg_event_reset(&tmp, ev->text, ev->len, NULL);
    return decode(&opts, &tmp, NULL) == VG_OK;
}

static int access_probe(const vg_event *ev)
{
    return decodes(ev, access_decode);
}

static int error_probe(const vg_event *ev)
{
    return decodes(ev, error_decode);
}

const vg_decoder vg_decoder_web_access = {
    "access", "Apache/nginx access logs (common, combined, vhost_combined)", 0, access_probe, access_decode
};

const vg_decoder vg_decoder_apache_error = {
    "apache-error", "Apache httpd error logs (2.2 and 2.4 styles)", 0, error_probe, error_decode
};
