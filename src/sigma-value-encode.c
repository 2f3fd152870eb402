/*
 * sigma-value-encode: the value transformations of the Sigma value module (see
 * sigma-value-internal.h): windash dash classes and their variants, base64, base64offset,
 * UTF-16, and the typed values: exact decimal numbers and IP networks. All work on unit
 * arrays at compile time, except the number and network comparisons, which matching uses and
 * which allocate nothing.
 */
#include "sigma-value-internal.h"

#include <string.h>

#include "intel-indicator.h"
#include "util-ip.h"
#include "util-mem.h"
#include "util-utf8.h"

/* The five characters windash makes interchangeable, in variant digit order. */
static const uint32_t dash_cps[5] = { '-', '/', 0x2013, 0x2014, 0x2015 };

vg_rc sv_push(sv_units *a, uint32_t x, vg_error *err)
{
    if (a->n == a->cap) {
        if (a->n >= VG_SIGMA_MAX_PATTERN)
            return vg_fail(err, VG_ERR_LIMIT, 0, "a value is longer than %d units after its modifiers",
                           VG_SIGMA_MAX_PATTERN);
        size_t cap = a->cap ? a->cap * 2 : 32;
        uint32_t *u = vg_realloc(a->u, cap * sizeof *u);
        if (!u)
            return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
        a->u = u;
        a->cap = cap;
    }
    a->u[a->n++] = x;
    return VG_OK;
}

void sv_windash(sv_units *a)
{
    for (size_t i = 0; i < a->n; i++)
        for (size_t k = 0; k < 5; k++)
            if (a->u[i] == dash_cps[k])
                a->u[i] = SV_DASH;
}

size_t sv_count_dashes(const uint32_t *u, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += u[i] == SV_DASH;
    return c;
}

vg_rc sv_dash_variant(const uint32_t *u, size_t n, size_t k, sv_units *out, vg_error *err)
{
    out->n = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t x = u[i];
        if (x == SV_DASH) {
            x = dash_cps[k % 5];
            k /= 5;
        }
        vg_rc rc = sv_push(out, x, err);
        if (rc)
            return rc;
    }
    return VG_OK;
}

static vg_rc no_wildcard(uint32_t x, const char *what, vg_error *err)
{
    if (x == SV_STAR || x == SV_ANY)
        return vg_fail(err, VG_ERR_PARSE, 0,
                       "%s cannot encode the wildcard '%c' (escape it as \\%c to encode it literally, "
                       "or put contains/startswith/endswith after %s)",
                       what, x == SV_STAR ? '*' : '?', x == SV_STAR ? '*' : '?', what);
    return VG_OK;
}

vg_rc sv_to_bytes(const sv_units *a, sv_units *out, const char *what, vg_error *err)
{
    out->n = 0;
    for (size_t i = 0; i < a->n; i++) {
        uint32_t x = a->u[i];
        vg_rc rc = no_wildcard(x, what, err);
        if (rc)
            return rc;
        if (x >= SV_BYTE) {
            rc = sv_push(out, x, err);
        } else {
            char b[4];
            int len = vg_utf8_encode(x, b);
            for (int j = 0; j < len && !rc; j++)
                rc = sv_push(out, SV_BYTE + (unsigned char)b[j], err);
        }
        if (rc)
            return rc;
    }
    return VG_OK;
}

static const char b64_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Base64 of prefix zero bytes followed by the byte units of a. */
static vg_rc base64_of(const sv_units *a, unsigned prefix, sv_units *out, vg_error *err)
{
    size_t total = prefix + a->n;
    out->n = 0;
    for (size_t i = 0; i < total; i += 3) {
        uint32_t v = 0;
        size_t got = 0;
        for (size_t j = 0; j < 3; j++) {
            v <<= 8;
            if (i + j < total) {
                v |= i + j < prefix ? 0 : (a->u[i + j - prefix] - SV_BYTE) & 0xff;
                got++;
            }
        }
        for (size_t j = 0; j < 4; j++) {
            uint32_t c = j <= got ? (uint32_t)b64_alphabet[(v >> (18 - 6 * j)) & 63] : '=';
            vg_rc rc = sv_push(out, SV_BYTE + c, err);
            if (rc)
                return rc;
        }
    }
    return VG_OK;
}

vg_rc sv_base64(const sv_units *a, sv_units *out, vg_error *err)
{
    return base64_of(a, 0, out, err);
}

vg_rc sv_base64_shift(const sv_units *a, unsigned s, sv_units *out, vg_error *err)
{
    vg_rc rc = base64_of(a, s, out, err);
    if (rc)
        return rc;
    /* characters made partly of the s prefix bytes: 0, 2 (one byte) or 3 (two bytes) */
    static const size_t head[3] = { 0, 2, 3 };
    /* characters made partly of the bytes after the value, with the padding: by the length of
     * the last group (0: complete; 1 byte: 2 chars + "==", one of them kept; 2 bytes: 1 + "=") */
    static const size_t tail[3] = { 0, 3, 2 };
    size_t drop_end = tail[(s + a->n) % 3];
    size_t drop_start = head[s];
    if (out->n < drop_start + drop_end + 1)
        return vg_fail(err, VG_ERR_PARSE, 0,
                       "base64offset: a value of %zu bytes is too short to have a stable encoding at "
                       "every offset (3 bytes or more are needed)", a->n);
    memmove(out->u, out->u + drop_start, (out->n - drop_start - drop_end) * sizeof *out->u);
    out->n -= drop_start + drop_end;
    return VG_OK;
}

static vg_rc push16(sv_units *out, uint32_t cu, int be, vg_error *err)
{
    vg_rc rc = sv_push(out, SV_BYTE + (be ? cu >> 8 : cu & 0xff), err);
    return rc ? rc : sv_push(out, SV_BYTE + (be ? cu & 0xff : cu >> 8), err);
}

vg_rc sv_utf16(const sv_units *a, int be, int bom, sv_units *out, const char *what, vg_error *err)
{
    out->n = 0;
    vg_rc rc = bom ? push16(out, 0xFEFF, be, err) : VG_OK;
    for (size_t i = 0; i < a->n && !rc; i++) {
        uint32_t x = a->u[i];
        if (x == SV_STAR) {
            rc = sv_push(out, x, err);
            continue;
        }
        if (x == SV_ANY)
            return vg_fail(err, VG_ERR_PARSE, 0,
                           "%s cannot encode the wildcard '?' (one character has no fixed UTF-16 length); "
                           "escape it as \\? to encode it literally", what);
        if (x >= SV_BYTE + 0x80 && x < SV_BYTE + 0x100)
            return vg_fail(err, VG_ERR_PARSE, 0, "%s: the value is not valid UTF-8 (byte 0x%02X)", what,
                           (unsigned)(x - SV_BYTE));
        if (x >= SV_BYTE)
            x -= SV_BYTE;   /* an ASCII byte of an earlier encoding (base64 text) */
        if (x >= 0x10000) {
            x -= 0x10000;
            rc = push16(out, 0xD800 + (x >> 10), be, err);
            if (!rc)
                rc = push16(out, 0xDC00 + (x & 0x3ff), be, err);
        } else {
            rc = push16(out, x, be, err);
        }
    }
    return rc;
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

#define SV_EXP_MAX 1000000000LL     /* exponents beyond this saturate (no number is that big) */

int sv_num_parse(const char *s, size_t n, sv_num *out)
{
    size_t i = 0;
    memset(out, 0, sizeof *out);
    if (i < n && s[i] == '-') {
        out->neg = 1;
        i++;
    }
    out->ip = s + i;
    while (i < n && is_digit(s[i]))
        i++;
    out->in = (size_t)(s + i - out->ip);
    if (out->in == 0)
        return -1;
    out->fp = s + i;
    if (i < n && s[i] == '.') {
        out->fp = s + ++i;
        while (i < n && is_digit(s[i]))
            i++;
        out->fn = (size_t)(s + i - out->fp);
        if (out->fn == 0)
            return -1;
    }
    int64_t e = 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        int eneg = 0;
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            eneg = s[i++] == '-';
        if (i >= n || !is_digit(s[i]))
            return -1;
        while (i < n && is_digit(s[i])) {
            if (e < SV_EXP_MAX)
                e = e * 10 + (s[i] - '0');
            i++;
        }
        if (eneg)
            e = -e;
    }
    if (i != n)
        return -1;
    size_t total = out->in + out->fn;
    size_t lead = 0;
    while (lead < total && (lead < out->in ? out->ip[lead] : out->fp[lead - out->in]) == '0')
        lead++;
    if (lead == total) {
        out->zero = 1;
        out->neg = 0;   /* -0 == 0 */
        return 0;
    }
    size_t last = total;
    while ((last - 1 < out->in ? out->ip[last - 1] : out->fp[last - 1 - out->in]) == '0')
        last--;
    out->lead = lead;
    out->nsig = last - lead;
    out->exp = (int64_t)out->in - (int64_t)lead + e;
    return 0;
}

static int num_digit(const sv_num *a, size_t i)
{
    if (i >= a->nsig)
        return 0;
    size_t k = a->lead + i;
    return (k < a->in ? a->ip[k] : a->fp[k - a->in]) - '0';
}

int sv_num_cmp(const sv_num *a, const sv_num *b)
{
    if (a->zero || b->zero) {
        if (a->zero && b->zero)
            return 0;
        const sv_num *nz = a->zero ? b : a;
        int sign = nz->neg ? -1 : 1;
        return a->zero ? -sign : sign;
    }
    if (a->neg != b->neg)
        return a->neg ? -1 : 1;
    int sign = a->neg ? -1 : 1;
    if (a->exp != b->exp)
        return a->exp < b->exp ? -sign : sign;
    size_t n = a->nsig > b->nsig ? a->nsig : b->nsig;
    for (size_t i = 0; i < n; i++) {
        int da = num_digit(a, i), db = num_digit(b, i);
        if (da != db)
            return da < db ? -sign : sign;
    }
    return 0;
}

int sv_cidr_parse(const char *s, size_t n, sv_alt *alt)
{
    const char *slash = memchr(s, '/', n);
    size_t alen = slash ? (size_t)(slash - s) : n;
    int fam = vg_ip_parse(s, alen, alt->net);
    if (fam == 0)
        return -1;
    unsigned prefix = (unsigned)fam * 8;
    if (slash) {
        size_t i = alen + 1;
        if (i >= n || n - i > 3)
            return -1;
        prefix = 0;
        for (; i < n; i++) {
            if (!is_digit(s[i]))
                return -1;
            prefix = prefix * 10 + (unsigned)(s[i] - '0');
        }
        if (prefix > (unsigned)fam * 8)
            return -1;
    }
    alt->family = fam;
    alt->prefix = prefix;
    for (unsigned b = 0; b < (unsigned)fam; b++) {
        unsigned keep = prefix > b * 8 ? prefix - b * 8 : 0;
        if (keep < 8)
            alt->net[b] &= (unsigned char)(0xff00u >> keep);
    }
    return 0;
}

int sv_cidr_match(const sv_alt *alt, const char *s, size_t n)
{
    unsigned char a[16];
    int fam = vg_ip_parse(s, n, a);
    static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
    if (fam == 16 && alt->family == 4 && memcmp(a, mapped, 12) == 0) {
        memmove(a, a + 12, 4);
        fam = 4;
    }
    if (fam != alt->family)
        return 0;
    unsigned full = alt->prefix / 8, rest = alt->prefix % 8;
    if (memcmp(a, alt->net, full) != 0)
        return 0;
    return rest == 0 || (a[full] & (unsigned char)(0xff00u >> rest)) == alt->net[full];
}
