/*
 * fuzz-url-normalize: URL normalization and the indicator parsers. Invariants checked:
 *   - normalize(normalize(x)) == normalize(x) (idempotence);
 *   - the output is valid: printable ASCII only, no fragment, every '%' starts an escape with
 *     uppercase hex that does not encode an unreserved character, no "." or ".." path segment;
 *   - a smaller output buffer yields the same result or a limit error, never a cut result;
 *   - every indicator the type guesser accepts formats to text that parses back, as its own
 *     type, to the same key (the canonical form is a fixed point), and so does every account;
 *   - vg_ip_parse (util-ip, with its word-wise dotted-quad parse) accepts exactly what inet_pton
 *     accepts, with the same bytes, for any input without a NUL.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "intel-indicator.h"
#include "util-ip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int is_unreserved(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

static int is_upper_hex(int c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
}

static void check_valid(const char *u, size_t n)
{
    if (strlen(u) != n)
        abort();
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)u[i];
        if (c <= 0x20 || c >= 0x7f || c == '#')
            abort();
        if (c == '%') {
            if (i + 2 >= n || !is_upper_hex(u[i + 1]) || !is_upper_hex(u[i + 2]))
                abort();
            int v = vg_hex_value(u[i + 1]) << 4 | vg_hex_value(u[i + 2]);
            if (is_unreserved(v))
                abort();
        }
    }
    /* path: after "scheme://authority", after "authority" or from the start */
    size_t k = 0;
    while (k < n && (is_unreserved(u[k]) || u[k] == '+') && u[k] != '_' && u[k] != '~')
        k++;
    const char *p = k && k + 3 <= n && memcmp(u + k, "://", 3) == 0 ? strchr(u + k + 3, '/')
                    : u[0] == '/' ? u : strchr(u, '/');
    if (!p)
        abort();
    const char *q = strchr(p, '?');
    size_t plen = q ? (size_t)(q - p) : strlen(p);
    for (size_t i = 0; i < plen; i++) {
        if (p[i] != '/')
            continue;
        size_t j = i + 1;
        while (j < plen && p[j] != '/')
            j++;
        if ((j - i - 1 == 1 && p[i + 1] == '.') || (j - i - 1 == 2 && p[i + 1] == '.' && p[i + 2] == '.'))
            abort();
    }
}

static void check_url(const char *s, size_t size)
{
    static char out[VG_IND_MAX_KEY], again[VG_IND_MAX_KEY], small[64];
    size_t n, m;
    vg_error err;
    if (vg_url_normalize(s, size, out, sizeof out, &n, &err) != VG_OK)
        return;
    check_valid(out, n);
    if (vg_url_normalize(out, n, again, sizeof again, &m, &err) != VG_OK || m != n || memcmp(out, again, n))
        abort();
    vg_rc rc = vg_url_normalize(s, size, small, sizeof small, &m, &err);
    if (!(rc == VG_ERR_LIMIT && n >= sizeof small) && !(rc == VG_OK && m == n && memcmp(small, out, n) == 0))
        abort();
}

static void check_round_trip(int kind, const char *s, size_t size)
{
    static vg_ind ind, back;
    static char text[VG_IND_TEXT_MAX];
    vg_error err;
    if (vg_ind_parse(kind, s, size, &ind, &err) != VG_OK)
        return;
    if (ind.type == VG_IND_NONE || ind.type >= VG_IND_NTYPES || ind.len == 0)
        abort();
    size_t n = vg_ind_format(&ind, text, sizeof text);
    if (n == 0)
        abort();
    if (vg_ind_parse(ind.type, text, n, &back, &err) != VG_OK)
        abort();
    if (back.type != ind.type || back.len != ind.len || back.prefix != ind.prefix ||
        memcmp(back.key, ind.key, ind.len) != 0 || (back.flags & VG_IND_F_MASKED))
        abort();
}

/* vg_ip_parse against inet_pton on the same text (NUL-terminated: so only texts without a NUL). */
static void check_ip(const char *s, size_t size)
{
    char text[64];
    unsigned char got[16], want[16];
    if (size >= sizeof text || memchr(s, '\0', size))
        return;
    memcpy(text, s, size);
    text[size] = '\0';
    int len = vg_ip_parse(s, size, got);
    int ref = memchr(s, ':', size) ? (inet_pton(AF_INET6, text, want) == 1 ? 16 : 0)
                                   : (inet_pton(AF_INET, text, want) == 1 ? 4 : 0);
    if (len != ref || (len && memcmp(got, want, (size_t)len) != 0))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    check_ip(s, size);
    check_url(s, size);
    check_round_trip(VG_IND_GUESS, s, size);
    check_round_trip(VG_IND_ACCOUNT, s, size);
    return 0;
}
