/*
 * decode-text: parsing helpers of the text decoders (see decode-text.h).
 */
#include "decode-text.h"

#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* Does lit[0..l) (l >= 2) occur at s + i? */
static inline int lit_at(const char *s, size_t i, const char *lit, size_t l)
{
    return s[i + 1] == lit[1] && memcmp(s + i, lit, l) == 0;
}

#ifdef __SSE2__
/* Bit k set when s[at + k] == c0 and s[at + k + 1] == c1, for the 16 k from at (s[at..at+17)
 * readable): where a literal of those first two bytes may start. */
static inline unsigned pair_mask(const char *s, size_t at, __m128i c0, __m128i c1)
{
    __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(s + at));
    __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(s + at + 1));
    return (unsigned)_mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(a, c0), _mm_cmpeq_epi8(b, c1)));
}
#endif

/* The first occurrence of lit[0..l) in s[0..n): candidates by their first two bytes, sixteen
 * positions at a time, then compared. */
static size_t find_n(const char *s, size_t n, const char *lit, size_t l)
{
    if (l == 0)
        return 0;
    if (l > n)
        return VG_TEXT_NONE;
    if (l == 1) {
        const char *p = memchr(s, lit[0], n);
        return p ? (size_t)(p - s) : VG_TEXT_NONE;
    }
    size_t last = n - l, i = 0;     /* positions 0..last may start it */
#ifdef __SSE2__
    const __m128i c0 = _mm_set1_epi8(lit[0]), c1 = _mm_set1_epi8(lit[1]);
    for (; i + 15 <= last; i += 16)     /* last = n - l, l >= 2: the 17 bytes a block reads are in s */
        for (unsigned m = pair_mask(s, i, c0, c1); m; m &= m - 1) {
            size_t at = i + (size_t)__builtin_ctz(m);
            if (lit_at(s, at, lit, l))
                return at;
        }
#endif
    for (; i <= last; i++)
        if (s[i] == lit[0] && lit_at(s, i, lit, l))
            return i;
    return VG_TEXT_NONE;
}

size_t vg_text_find(const char *s, size_t n, const char *lit)
{
    return find_n(s, n, lit, strlen(lit));
}

size_t vg_text_rfind(const char *s, size_t n, const char *lit)
{
    size_t l = strlen(lit);
    if (l > n)
        return VG_TEXT_NONE;
    if (l == 0)
        return n;
    size_t end = n - l + 1;         /* positions below end may start it, the last first */
    if (l == 1) {
        const char *p = memrchr(s, lit[0], n);
        return p ? (size_t)(p - s) : VG_TEXT_NONE;
    }
#ifdef __SSE2__
    const __m128i c0 = _mm_set1_epi8(lit[0]), c1 = _mm_set1_epi8(lit[1]);
    for (; end >= 16; end -= 16)    /* positions end-16..end-1: bytes up to end + 1 <= n are read */
        for (unsigned m = pair_mask(s, end - 16, c0, c1); m; m &= ~(1u << (31 - __builtin_clz(m)))) {
            size_t at = end - 16 + (size_t)(31 - __builtin_clz(m));
            if (lit_at(s, at, lit, l))
                return at;
        }
#endif
    for (size_t i = end; i-- > 0;)
        if (s[i] == lit[0] && lit_at(s, i, lit, l))
            return i;
    return VG_TEXT_NONE;
}

size_t vg_text_span_digits(const char *s, size_t n)
{
    size_t k = 0;
    while (k < n && vg_text_is_digit(s[k]))
        k++;
    return k;
}

int vg_text_digits(const char *s, size_t n)
{
    return n > 0 && vg_text_span_digits(s, n) == n;
}

int vg_text_hex(const char *s, size_t n)
{
    /* 1 for 0-9, a-f, A-F: a table, since hash strings are long (64 bytes for SHA-256) */
    static const unsigned char hex[256] = {
        ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1,
        ['8'] = 1, ['9'] = 1, ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
        ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1,
    };
    unsigned ok = 1;
    for (size_t i = 0; i < n; i++)
        ok &= hex[(unsigned char)s[i]];
    return ok && n > 0;
}

size_t vg_text_rtrim(const char *s, size_t n)
{
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    return n;
}

size_t vg_text_token(const char *s, size_t n, size_t *i, vg_text_after after, const char **tok)
{
    size_t j = *i;
    *tok = s + j;
    while (j < n && s[j] != ' ')
        j++;
    size_t len = j - *i;
    *i = after == VG_TEXT_PAST_SPACE && j < n ? j + 1 : j;
    return len;
}

int vg_text_eat(const char *s, size_t n, size_t *i, char c)
{
    if (*i >= n || s[*i] != c)
        return 0;
    (*i)++;
    return 1;
}

/* End of the capture that starts at s[i] and is followed by the literal lit[0..l) (the last
 * literal of the template when last), or VG_TEXT_NONE. */
static size_t capture_end(const char *s, size_t n, size_t i, const char *lit, size_t l, int last)
{
    if (l == 0)
        return n;
    if (n - i < l)
        return VG_TEXT_NONE;
    if (last)
        return memcmp(s + n - l, lit, l) == 0 ? n - l : VG_TEXT_NONE;
    size_t k = find_n(s + i, n - i, lit, l);
    return k == VG_TEXT_NONE ? k : i + k;
}

int vg_text_match(const char *s, size_t n, const char *tpl, vg_text *caps, int ncaps)
{
    size_t i = 0;
    int c = 0;
    while (*tpl) {
        size_t l = strcspn(tpl + (*tpl == '%'), "%");
        if (*tpl != '%') {
            if (n - i < l || memcmp(s + i, tpl, l) != 0)
                return 0;
            i += l;
            tpl += l;
            continue;
        }
        tpl++;
        if (l == 0 && *tpl)
            return 0;   /* "%%": two captures in a row cannot be split */
        size_t end = capture_end(s, n, i, tpl, l, tpl[l] == '\0');
        if (end == VG_TEXT_NONE || end <= i || c >= ncaps)
            return 0;
        caps[c].s = s + i;
        caps[c].n = end - i;
        c++;
        i = end;
    }
    return i == n && c == ncaps;
}

static int is_key_char(char c)
{
    return vg_text_is_alpha(c) || vg_text_is_digit(c) || c == '_';
}

/* Does a "word=" item start at s[j] (after a space or sep)? */
static int item_starts(const char *s, size_t n, size_t j, char sep)
{
    if (j == 0 || (s[j - 1] != ' ' && s[j - 1] != sep))
        return 0;
    size_t k = j;
    while (k < n && is_key_char(s[k]))
        k++;
    return k > j && k < n && s[k] == '=';
}

int vg_text_kv(const char *s, size_t n, char sep, const char *key, vg_text *val)
{
    size_t l = strlen(key);
    for (size_t i = 0; i + l < n; i++) {
        if ((i > 0 && s[i - 1] != ' ' && s[i - 1] != sep) || s[i + l] != '=' ||
            memcmp(s + i, key, l) != 0)
            continue;
        size_t start = i + l + 1, end = start;
        while (end < n && !item_starts(s, n, end, sep))
            end++;
        while (end > start && (s[end - 1] == ' ' || s[end - 1] == sep))
            end--;
        val->s = s + start;
        val->n = end - start;
        return 1;
    }
    return 0;
}

int vg_text_decode_shapes(vg_event *ev, const vg_text_shape *shapes, const char *s, size_t n)
{
    for (const vg_text_shape *sh = shapes; sh->prefix; sh++) {
        if (sh->prefix[0] && n && sh->prefix[0] != s[0])
            continue;   /* most shapes differ in their first byte: no length, no compare */
        if (vg_text_starts(s, n, sh->prefix)) {
            size_t l = strlen(sh->prefix);
            return sh->decode(ev, sh, s + l, n - l);
        }
    }
    return 0;
}

void vg_text_set_kind(vg_event *ev, const char *dataset, const vg_text_kind *k)
{
    vg_event_set_cstr(ev, "event.kind", "event");
    if (k->category)
        vg_event_set_json(ev, "event.category", k->category);
    if (k->type)
        vg_event_set_json(ev, "event.type", k->type);
    vg_event_set_cstr(ev, "event.action", k->action);
    if (k->outcome)
        vg_event_set_cstr(ev, "event.outcome", k->outcome);
    vg_event_set_cstr(ev, "event.dataset", dataset);
}

void vg_text_set(vg_event *ev, const char *name, vg_text v)
{
    if (v.n)
        vg_event_set_str(ev, name, v.s, v.n);
}

/* Is s[0..n) a DNS host name (letters, digits, '-', '_', '.'; at most 253 bytes)? */
static int is_hostname(const char *s, size_t n)
{
    if (n == 0 || n > 253 || s[0] == '.' || s[0] == '-')
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!is_key_char(c) && c != '-' && c != '.')
            return 0;
    }
    return 1;
}

int vg_text_host_kind(vg_text host)
{
    if (vg_is_ip(host.s, host.n))
        return VG_HOST_IP;
    return is_hostname(host.s, host.n) ? VG_HOST_NAME : VG_HOST_NONE;
}

int vg_text_set_host_kind(vg_event *ev, const char *ip_field, const char *domain_field, vg_text host, int kind)
{
    if (kind == VG_HOST_IP)
        return ip_field && vg_event_set_str(ev, ip_field, host.s, host.n) == VG_OK;
    if (kind != VG_HOST_NAME || !domain_field || vg_text_is(host.s, host.n, "UNKNOWN"))
        return 0;
    return vg_event_set_str(ev, domain_field, host.s, host.n) == VG_OK;
}

int vg_text_set_host(vg_event *ev, const char *ip_field, const char *domain_field, vg_text host)
{
    return vg_text_set_host_kind(ev, ip_field, domain_field, host, vg_text_host_kind(host));
}

int vg_text_set_port(vg_event *ev, const char *name, vg_text v)
{
    unsigned port = 0;
    if (v.n == 0 || v.n > 5 || v.s[0] == '0' || !vg_text_digits(v.s, v.n))
        return 0;
    for (size_t i = 0; i < v.n; i++)
        port = port * 10 + (unsigned)(v.s[i] - '0');
    return port <= 65535 && vg_event_set_num(ev, name, v.s, v.n) == VG_OK;
}

void vg_text_set_pam_items(vg_event *ev, const char *s, size_t n)
{
    vg_text v;
    if (vg_text_kv(s, n, ' ', "user", &v))
        vg_text_set(ev, "user.name", v);
    if (vg_text_kv(s, n, ' ', "ruser", &v))
        vg_text_set(ev, "source.user.name", v);
    if (vg_text_kv(s, n, ' ', "rhost", &v))
        vg_text_set_host(ev, "source.ip", "source.domain", v);
}

int vg_text_is_pam(const char *app, size_t app_len, const char *msg, size_t msg_len)
{
    size_t paren = app_len;
    for (size_t i = 0; i < app_len && paren == app_len; i++)
        if (app[i] == '(')
            paren = i;
    if (vg_text_starts(app + paren, app_len - paren, "(pam_"))
        return 1;
    return vg_text_starts(msg, msg_len, "pam_") && memchr(msg, '(', msg_len) != NULL;
}

vg_rc vg_text_result(const vg_event *ev)
{
    return ev->nfields >= VG_EVENT_MAX_FIELDS ? VG_ERR_LIMIT : VG_OK;
}
