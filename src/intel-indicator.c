/*
 * intel-indicator: parsing and canonical normalization of indicators (see intel-indicator.h).
 *
 * Every parser writes the canonical key straight into the caller's vg_ind and never
 * allocates. Addresses go through vg_ip_parse (util-ip: inet_pton's rules, dotted quads without
 * a library call); URLs through a hand-written RFC 3986 normalizer (no packaged C library
 * normalizes per section 6 without allocating per call).
 */
#include "intel-indicator.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "util-ip.h"
#include "util-utf8.h"

#define PORT_DIGITS_MAX 5
#define ASN_DIGITS_MAX 10

static const char *const kind_names[VG_IND_NKINDS] = {
    [VG_IND_NONE] = "none",
    [VG_IND_IPV4] = "ipv4",
    [VG_IND_IPV6] = "ipv6",
    [VG_IND_CIDR4] = "cidr4",
    [VG_IND_CIDR6] = "cidr6",
    [VG_IND_IPPORT4] = "ipv4:port",
    [VG_IND_IPPORT6] = "ipv6:port",
    [VG_IND_DOMAIN] = "domain",
    [VG_IND_URL] = "url",
    [VG_IND_MD5] = "md5",
    [VG_IND_SHA1] = "sha1",
    [VG_IND_SHA256] = "sha256",
    [VG_IND_EMAIL] = "email",
    [VG_IND_ACCOUNT] = "account",
    [VG_IND_ASN] = "asn",
    [VG_IND_NTYPES] = "?",
    [VG_IND_ANY_IP] = "ip",
    [VG_IND_ANY_CIDR] = "cidr",
    [VG_IND_ANY_IPPORT] = "ip:port",
    [VG_IND_ANY_HASH] = "hash",
    [VG_IND_GUESS] = "auto",
};

const char *vg_ind_kind_name(int kind)
{
    if (kind < 0 || kind >= VG_IND_NKINDS || kind == VG_IND_NTYPES)
        return "?";
    return kind_names[kind];
}

int vg_ind_kind_from_name(const char *s, size_t n)
{
    for (int k = 1; k < VG_IND_NKINDS; k++)
        if (k != VG_IND_NTYPES && strlen(kind_names[k]) == n && memcmp(kind_names[k], s, n) == 0)
            return k;
    if (n == 8 && memcmp(s, "hostname", 8) == 0)
        return VG_IND_DOMAIN;
    if (n == 4 && memcmp(s, "user", 4) == 0)
        return VG_IND_ACCOUNT;
    return -1;
}

int vg_hex_value(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int ascii_lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static int all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_digit((unsigned char)s[i]))
            return 0;
    return n > 0;
}

/* Describes byte c for an error message: 'x' when printable, else 0xNN. */
static const char *show_byte(int c, char buf[8])
{
    if (c > 0x20 && c < 0x7f)
        snprintf(buf, 8, "'%c'", c);
    else
        snprintf(buf, 8, "0x%02X", (unsigned)c & 0xffu);
    return buf;
}

/* ---- addresses, networks, ports ------------------------------------------------------ */

static vg_rc parse_ip(const char *s, size_t n, vg_ind *out, vg_error *err)
{
    int len = vg_ip_parse(s, n, out->key);
    if (!len)
        return vg_fail(err, VG_ERR_PARSE, 0, "not an IPv4 or IPv6 address");
    out->type = len == 4 ? VG_IND_IPV4 : VG_IND_IPV6;
    out->len = (uint32_t)len;
    return VG_OK;
}

/* Clears the bits of addr[0..len) after the first prefix bits; returns 1 if any was set. */
static int mask_host_bits(unsigned char *addr, size_t len, unsigned prefix)
{
    int changed = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned keep = prefix >= 8 * (i + 1) ? 8 : prefix > 8 * i ? prefix - 8 * (unsigned)i : 0;
        unsigned char mask = (unsigned char)(keep ? 0xffu << (8 - keep) : 0);
        if (addr[i] & (unsigned char)~mask)
            changed = 1;
        addr[i] &= mask;
    }
    return changed;
}

/* "addr/len" (a bare address when bare_ok, as a single-host network). */
static vg_rc parse_cidr(const char *s, size_t n, int bare_ok, vg_ind *out, vg_error *err)
{
    const char *slash = memchr(s, '/', n);
    size_t alen = slash ? (size_t)(slash - s) : n;
    int len = vg_ip_parse(s, alen, out->key);
    if (!len)
        return vg_fail(err, VG_ERR_PARSE, 0, "network address is not an IPv4 or IPv6 address");
    unsigned maxlen = len == 4 ? 32 : 128, prefix = maxlen;
    if (slash) {
        const char *p = slash + 1;
        size_t plen = n - alen - 1;
        if (!all_digits(p, plen) || plen > 3)
            return vg_fail(err, VG_ERR_PARSE, alen + 1, "prefix length is not a number");
        prefix = 0;
        for (size_t i = 0; i < plen; i++)
            prefix = prefix * 10 + (unsigned)(p[i] - '0');
        if (prefix > maxlen)
            return vg_fail(err, VG_ERR_PARSE, alen + 1, "prefix length %u is over %u", prefix, maxlen);
    } else if (!bare_ok) {
        return vg_fail(err, VG_ERR_PARSE, 0, "network has no /prefix length");
    }
    out->type = len == 4 ? VG_IND_CIDR4 : VG_IND_CIDR6;
    out->len = (uint32_t)len;
    out->prefix = (uint8_t)prefix;
    if (mask_host_bits(out->key, (size_t)len, prefix))
        out->flags |= VG_IND_F_MASKED;
    return VG_OK;
}

/* A port number of 1-5 digits, 1-65535; -1 if not one. */
static long parse_port(const char *s, size_t n)
{
    if (!all_digits(s, n) || n > PORT_DIGITS_MAX)
        return -1;
    long v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v >= 1 && v <= 65535 ? v : -1;
}

/* "1.2.3.4:80" or "[2001:db8::1]:443". */
static vg_rc parse_ipport(const char *s, size_t n, vg_ind *out, vg_error *err)
{
    const char *host = s, *colon;
    size_t hlen;
    if (n && s[0] == '[') {
        const char *close = memchr(s, ']', n);
        if (!close || close + 1 >= s + n || close[1] != ':')
            return vg_fail(err, VG_ERR_PARSE, 0, "expected [IPv6]:port");
        host = s + 1;
        hlen = (size_t)(close - host);
        colon = close + 1;
        if (vg_ip_parse(host, hlen, out->key) != 16)
            return vg_fail(err, VG_ERR_PARSE, 1, "not an IPv6 address in brackets");
    } else {
        colon = memchr(s, ':', n);
        if (!colon || memchr(colon + 1, ':', n - (size_t)(colon + 1 - s)))
            return vg_fail(err, VG_ERR_PARSE, 0, "expected IPv4:port or [IPv6]:port");
        hlen = (size_t)(colon - s);
        if (vg_ip_parse(host, hlen, out->key) != 4)
            return vg_fail(err, VG_ERR_PARSE, 0, "not an IPv4 address before the port");
    }
    size_t alen = host == s ? 4 : 16;
    long port = parse_port(colon + 1, n - (size_t)(colon + 1 - s));
    if (port < 0)
        return vg_fail(err, VG_ERR_PARSE, (size_t)(colon + 1 - s), "port is not a number from 1 to 65535");
    out->key[alen] = (unsigned char)(port >> 8);
    out->key[alen + 1] = (unsigned char)port;
    out->type = alen == 4 ? VG_IND_IPPORT4 : VG_IND_IPPORT6;
    out->len = (uint32_t)alen + 2;
    return VG_OK;
}

static vg_rc parse_asn(const char *s, size_t n, vg_ind *out, vg_error *err)
{
    if (n >= 2 && ascii_lower(s[0]) == 'a' && ascii_lower(s[1]) == 's') {
        s += 2;
        n -= 2;
    }
    if (!all_digits(s, n) || n > ASN_DIGITS_MAX)
        return vg_fail(err, VG_ERR_PARSE, 0, "AS number is not 'AS' and 1-10 digits");
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (uint64_t)(s[i] - '0');
    if (v > UINT32_MAX)
        return vg_fail(err, VG_ERR_PARSE, 0, "AS number is over 4294967295");
    for (int i = 0; i < 4; i++)
        out->key[i] = (unsigned char)(v >> (24 - 8 * i));
    out->type = VG_IND_ASN;
    out->len = 4;
    return VG_OK;
}

/* ---- hashes ------------------------------------------------------------------------ */

/* Eight hex digits at s (either case) into four bytes at out, eight at a time in one word; 0
 * when any of them is not a hex digit. The range tests add per byte without carries while
 * every byte is below 0x80, and a byte from 0x80 fails on its own, so a carry it makes can
 * never let the word pass. */
static int hex8(const char *s, unsigned char *out)
{
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
    (void)s, (void)out;
    return 0;       /* the digit-by-digit loop */
#endif
    const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
    uint64_t x, y;
    memcpy(&x, s, 8);
    y = x | 0x20 * ones;                                            /* letters folded */
    uint64_t digit = (x + 0x50 * ones) & ~(x + 0x46 * ones);        /* 0x30 <= x <= 0x39 */
    uint64_t letter = (y + 0x1f * ones) & ~(y + 0x19 * ones);       /* 0x61 <= y <= 0x66 */
    if (((digit | letter) & ~x & high) != high)
        return 0;
    uint64_t v = (x & 0x0f * ones) + 9 * (x >> 6 & ones);          /* each digit's value */
    uint64_t w = (v & 0x00ff00ff00ff00ffull) << 4 | (v >> 8 & 0x00ff00ff00ff00ffull);
    w = (w | w >> 8) & 0x0000ffff0000ffffull;
    w = (w | w >> 16) & 0xffffffffull;
    unsigned char b[8];
    memcpy(b, &w, 8);
    memcpy(out, b, 4);      /* little-endian: the first digits' byte first */
    return 1;
}

static vg_rc parse_hash(int kind, const char *s, size_t n, vg_ind *out, vg_error *err)
{
    vg_ind_type type = n == 32 ? VG_IND_MD5 : n == 40 ? VG_IND_SHA1 : n == 64 ? VG_IND_SHA256 : VG_IND_NONE;
    if (type == VG_IND_NONE)
        return vg_fail(err, VG_ERR_PARSE, 0, "%zu hex digits: not an MD5 (32), SHA-1 (40) or SHA-256 (64) hash", n);
    if (kind != VG_IND_ANY_HASH && kind != VG_IND_GUESS && kind != (int)type)
        return vg_fail(err, VG_ERR_PARSE, 0, "%zu hex digits is not a %s hash", n, vg_ind_kind_name(kind));
    size_t done = 0;    /* n is a multiple of 8 */
    while (done < n && hex8(s + done, out->key + done / 2))
        done += 8;
    for (size_t i = done; i < n; i += 2) {     /* a word with a fault: which digit */
        int hi = vg_hex_value((unsigned char)s[i]), lo = vg_hex_value((unsigned char)s[i + 1]);
        if (hi < 0 || lo < 0)
            return vg_fail(err, VG_ERR_PARSE, hi < 0 ? i : i + 1, "hash has a character that is not a hex digit");
        out->key[i / 2] = (unsigned char)(hi << 4 | lo);
    }
    out->type = (uint8_t)type;
    out->len = (uint32_t)(n / 2);
    return VG_OK;
}

static int is_hex_string(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (vg_hex_value((unsigned char)s[i]) < 0)
            return 0;
    return 1;
}

/* ---- names ------------------------------------------------------------------------- */

static int is_domain_byte(int c)
{
    return (c >= 'a' && c <= 'z') || is_digit(c) || c == '-' || c == '_' || c >= 0x80;
}

/* Each byte as a domain name stores it (ASCII letters lowercased, digits, '-', '_', '.' and
 * every byte from 0x80: UTF-8 is checked apart), 0 for any other byte. */
static const unsigned char domain_byte[256] = {
    ['-'] = '-', ['.'] = '.', ['_'] = '_',
    ['0'] = '0', ['1'] = '1', ['2'] = '2', ['3'] = '3', ['4'] = '4',
    ['5'] = '5', ['6'] = '6', ['7'] = '7', ['8'] = '8', ['9'] = '9',
#define DB_LETTER(u, l) [u] = l, [l] = l
    DB_LETTER('A', 'a'), DB_LETTER('B', 'b'), DB_LETTER('C', 'c'), DB_LETTER('D', 'd'), DB_LETTER('E', 'e'),
    DB_LETTER('F', 'f'), DB_LETTER('G', 'g'), DB_LETTER('H', 'h'), DB_LETTER('I', 'i'), DB_LETTER('J', 'j'),
    DB_LETTER('K', 'k'), DB_LETTER('L', 'l'), DB_LETTER('M', 'm'), DB_LETTER('N', 'n'), DB_LETTER('O', 'o'),
    DB_LETTER('P', 'p'), DB_LETTER('Q', 'q'), DB_LETTER('R', 'r'), DB_LETTER('S', 's'), DB_LETTER('T', 't'),
    DB_LETTER('U', 'u'), DB_LETTER('V', 'v'), DB_LETTER('W', 'w'), DB_LETTER('X', 'x'), DB_LETTER('Y', 'y'),
    DB_LETTER('Z', 'z'),
#undef DB_LETTER
#define DB_HIGH4(x) [x] = x, [x + 1] = x + 1, [x + 2] = x + 2, [x + 3] = x + 3
#define DB_HIGH16(x) DB_HIGH4(x), DB_HIGH4(x + 4), DB_HIGH4(x + 8), DB_HIGH4(x + 12)
    DB_HIGH16(0x80), DB_HIGH16(0x90), DB_HIGH16(0xa0), DB_HIGH16(0xb0),
    DB_HIGH16(0xc0), DB_HIGH16(0xd0), DB_HIGH16(0xe0), DB_HIGH16(0xf0),
#undef DB_HIGH16
#undef DB_HIGH4
};

/* The common case of vg_domain_normalize: s[0..n) (1 <= n <= VG_DOMAIN_MAX) copied into out
 * through domain_byte in one pass; 0 when any byte, label or the UTF-8 may be at fault, for
 * the checked loop to say which. The last label's start goes to *last. */
static size_t domain_fast(const char *s, size_t n, char *out, size_t *last)
{
    const unsigned char *u = (const unsigned char *)s;
    unsigned bad = 0, high = 0;
    size_t start = 0, longest = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned c = domain_byte[u[i]];
        out[i] = (char)c;
        bad |= c == 0;
        high |= c;
        if (c == '.') {
            bad |= i == start;      /* an empty label */
            longest = i - start > longest ? i - start : longest;
            start = i + 1;
        }
    }
    longest = n - start > longest ? n - start : longest;
    if (bad || start == n || longest > VG_DOMAIN_LABEL_MAX || ((high & 0x80) && vg_utf8_check(s, n) != n))
        return 0;
    *last = start;
    return n;
}

/* The checked loop of vg_domain_normalize, for a name domain_fast did not take: the same
 * copy, and the first fault found with its offset (0 then). */
static size_t domain_checked(const char *s, size_t n, char *out, size_t *last_out, vg_error *err)
{
    char b[8];
    if (vg_utf8_check(s, n) != n)
        return vg_fail(err, VG_ERR_PARSE, vg_utf8_check(s, n), "domain name is not valid UTF-8"), 0;
    size_t label = 0, last = 0;
    for (size_t i = 0; i < n; i++) {
        int c = ascii_lower((unsigned char)s[i]);
        if (c == '.') {
            if (label == 0)
                return vg_fail(err, VG_ERR_PARSE, i, "domain name has an empty label"), 0;
            label = 0;
            last = i + 1;
        } else if (c == '*') {
            return vg_fail(err, VG_ERR_PARSE, i, "wildcards are not supported: list the parent domain"), 0;
        } else if (!is_domain_byte(c)) {
            return vg_fail(err, VG_ERR_PARSE, i, "invalid character %s in domain name", show_byte(c, b)), 0;
        } else if (++label > VG_DOMAIN_LABEL_MAX) {
            return vg_fail(err, VG_ERR_PARSE, i, "domain label longer than %d bytes", VG_DOMAIN_LABEL_MAX), 0;
        }
        out[i] = (char)c;
    }
    if (label == 0)
        return vg_fail(err, VG_ERR_PARSE, n, "domain name has an empty label"), 0;
    *last_out = last;
    return n;
}

size_t vg_domain_normalize(const char *s, size_t n, char *out, vg_error *err)
{
    if (n && s[n - 1] == '.')
        n--;
    if (n == 0)
        return vg_fail(err, VG_ERR_PARSE, 0, "empty domain name"), 0;
    if (n > VG_DOMAIN_MAX)
        return vg_fail(err, VG_ERR_PARSE, 0, "domain name is longer than %d bytes", VG_DOMAIN_MAX), 0;
    size_t last;
    if (!domain_fast(s, n, out, &last) && !domain_checked(s, n, out, &last, err))
        return 0;
    if (all_digits(s + last, n - last))
        return vg_fail(err, VG_ERR_PARSE, last, "last label is all digits: not a domain name (an address?)"), 0;
    out[n] = '\0';
    return n;
}

static vg_rc parse_domain(const char *s, size_t n, vg_ind *out, vg_error *err)
{
    size_t len = vg_domain_normalize(s, n, (char *)out->key, err);
    if (!len)
        return VG_ERR_PARSE;
    out->type = VG_IND_DOMAIN;
    out->len = (uint32_t)len;
    return VG_OK;
}

/* atext of RFC 5322 plus '.', and UTF-8 (RFC 6531). */
static int is_local_part_byte(int c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c >= 0x80)
        return 1;
    return c && strchr("!#$%&'*+-/=?^_`{|}~.", c) != NULL;
}

static vg_rc parse_email(const char *s, size_t n, vg_ind *out, vg_error *err)
{
    char b[8];
    const char *at = NULL;
    for (size_t i = 0; i < n; i++)
        if (s[i] == '@')
            at = s + i;
    if (!at)
        return vg_fail(err, VG_ERR_PARSE, 0, "e-mail address has no '@'");
    size_t local = (size_t)(at - s);
    if (n > VG_EMAIL_MAX)
        return vg_fail(err, VG_ERR_PARSE, 0, "e-mail address is longer than %d bytes", VG_EMAIL_MAX);
    if (local == 0 || local > 64)
        return vg_fail(err, VG_ERR_PARSE, 0, "e-mail local part must have 1-64 bytes");
    if (vg_utf8_check(s, local) != local)
        return vg_fail(err, VG_ERR_PARSE, 0, "e-mail address is not valid UTF-8");
    for (size_t i = 0; i < local; i++) {
        if (!is_local_part_byte((unsigned char)s[i]))
            return vg_fail(err, VG_ERR_PARSE, i, "invalid character %s in e-mail local part",
                           show_byte((unsigned char)s[i], b));
        out->key[i] = (unsigned char)ascii_lower((unsigned char)s[i]);
    }
    out->key[local] = '@';
    size_t dlen = vg_domain_normalize(at + 1, n - local - 1, (char *)out->key + local + 1, err);
    if (!dlen) {
        if (err)
            err->offset += local + 1;
        return VG_ERR_PARSE;
    }
    out->type = VG_IND_EMAIL;
    out->len = (uint32_t)(local + 1 + dlen);
    return VG_OK;
}

static vg_rc parse_account(const char *s, size_t n, vg_ind *out, vg_error *err)
{
    if (n == 0 || n > VG_ACCOUNT_MAX)
        return vg_fail(err, VG_ERR_PARSE, 0, "account name must have 1-%d bytes", VG_ACCOUNT_MAX);
    unsigned high = 0;              /* one pass: lowercase, and note non-ASCII and control bytes */
    size_t control = n;
    for (size_t i = n; i-- > 0;) {
        unsigned char c = (unsigned char)s[i];
        high |= c;
        control = c < 0x20 || c == 0x7f ? i : control;
        out->key[i] = (unsigned char)ascii_lower(c);
    }
    if ((high & 0x80) && vg_utf8_check(s, n) != n)    /* the UTF-8 check only for non-ASCII names */
        return vg_fail(err, VG_ERR_PARSE, vg_utf8_check(s, n), "account name is not valid UTF-8");
    if (s[0] == ' ' || s[n - 1] == ' ')
        return vg_fail(err, VG_ERR_PARSE, 0, "account name starts or ends with a space");
    if (control < n)
        return vg_fail(err, VG_ERR_PARSE, control, "account name has a control character");
    out->type = VG_IND_ACCOUNT;
    out->len = (uint32_t)n;
    return VG_OK;
}

/* ---- URLs (RFC 3986) ---------------------------------------------------------------- */

enum {
    CH_UNRESERVED = 0x01,   /* ALPHA DIGIT - . _ ~ */
    CH_SUBDELIM = 0x02,     /* ! $ & ' ( ) * + , ; = */
    CH_COLON = 0x04,
    CH_AT = 0x08,
    CH_SLASH = 0x10,
    CH_QUESTION = 0x20,
    CH_SCHEME = 0x40        /* ALPHA DIGIT + - . */
};

#define ALLOW_HOST (CH_UNRESERVED | CH_SUBDELIM)
#define ALLOW_USERINFO (ALLOW_HOST | CH_COLON)
#define ALLOW_PATH (ALLOW_USERINFO | CH_AT | CH_SLASH)
#define ALLOW_QUERY (ALLOW_PATH | CH_QUESTION)

static unsigned char char_class(int c)
{
    unsigned char k = 0;
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c))
        k |= CH_UNRESERVED | CH_SCHEME;
    else if (c == '-' || c == '.')
        k |= CH_UNRESERVED | CH_SCHEME;
    else if (c == '_' || c == '~')
        k |= CH_UNRESERVED;
    else if (c == '+')
        k |= CH_SUBDELIM | CH_SCHEME;
    else if (c && c < 0x80 && strchr("!$&'()*,;=", c))
        k |= CH_SUBDELIM;
    else if (c == ':')
        k |= CH_COLON;
    else if (c == '@')
        k |= CH_AT;
    else if (c == '/')
        k |= CH_SLASH;
    else if (c == '?')
        k |= CH_QUESTION;
    return k;
}

typedef struct url_out {
    char *p;
    size_t len, cap;
    int over;       /* the result did not fit */
} url_out;

static void put(url_out *o, char c)
{
    if (o->len + 1 < o->cap)
        o->p[o->len++] = c;
    else
        o->over = 1;
}

static void put_str(url_out *o, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        put(o, s[i]);
}

static void put_escaped(url_out *o, unsigned char c)
{
    static const char hex[] = "0123456789ABCDEF";
    put(o, '%');
    put(o, hex[c >> 4]);
    put(o, hex[c & 15]);
}

/* Appends s[0..n) with percent-encoding normalized: escapes of unreserved characters decoded,
 * the hex of other escapes uppercased, a '%' that starts no escape and every byte outside
 * `allow` encoded. lower: ASCII letters (raw or decoded) are lowercased. */
static void put_component(url_out *o, const char *s, size_t n, unsigned allow, int lower)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '%' && i + 2 < n && vg_hex_value((unsigned char)s[i + 1]) >= 0 &&
            vg_hex_value((unsigned char)s[i + 2]) >= 0) {
            unsigned char v = (unsigned char)(vg_hex_value((unsigned char)s[i + 1]) << 4 |
                                              vg_hex_value((unsigned char)s[i + 2]));
            if (char_class(v) & CH_UNRESERVED)
                put(o, (char)(lower ? ascii_lower(v) : v));
            else
                put_escaped(o, v);
            i += 2;
        } else if (char_class(c) & allow) {
            put(o, (char)(lower ? ascii_lower(c) : c));
        } else {
            put_escaped(o, c);
        }
    }
}

/* RFC 3986 section 5.2.4 over the already-normalized path in[0..n) (starts with '/'),
 * appended to o. */
static void put_without_dot_segments(url_out *o, const char *in, size_t n)
{
    size_t base = o->len;
    size_t i = 0;
    while (i < n) {
        /* in[i] is '/': the segment is in[i+1 .. next '/') */
        size_t j = i + 1;
        while (j < n && in[j] != '/')
            j++;
        const char *seg = in + i + 1;
        size_t slen = j - i - 1;
        int last = j == n;
        if (slen == 1 && seg[0] == '.') {
            if (last)
                put(o, '/');
        } else if (slen == 2 && seg[0] == '.' && seg[1] == '.') {
            while (o->len > base && o->p[o->len - 1] != '/')
                o->len--;
            if (o->len > base)
                o->len--;       /* drop the '/' of the removed segment */
            if (last)
                put(o, '/');
        } else {
            put(o, '/');
            put_str(o, seg, slen);
        }
        i = j;
    }
    if (o->len == base)
        put(o, '/');
}

/* Host of an authority: "[IPv6]" in canonical form, or a reg-name lowercased with escapes
 * normalized and trailing dots removed. */
static vg_rc put_host(url_out *o, const char *h, size_t n, vg_error *err, size_t at)
{
    if (n && h[0] == '[') {
        unsigned char a[16];
        char text[INET6_ADDRSTRLEN];
        if (h[n - 1] != ']' || vg_ip_parse(h + 1, n - 2, a) != 16)
            return vg_fail(err, VG_ERR_PARSE, at, "bracketed host is not an IPv6 address");
        inet_ntop(AF_INET6, a, text, sizeof text);
        put(o, '[');
        put_str(o, text, strlen(text));
        put(o, ']');
        return VG_OK;
    }
    char buf[VG_IND_MAX_KEY];
    url_out host = { buf, 0, sizeof buf, 0 };
    put_component(&host, h, n, ALLOW_HOST, 1);
    while (!host.over && host.len > 0 && buf[host.len - 1] == '.')
        host.len--;
    if (host.len == 0)
        return vg_fail(err, VG_ERR_PARSE, at, "URL has no host");
    if (host.over)
        o->over = 1;
    else
        put_str(o, buf, host.len);
    return VG_OK;
}

static int default_port(const char *scheme, size_t n)
{
    static const struct { const char *name; int port; } ports[] = {
        { "http", 80 }, { "https", 443 }, { "ws", 80 }, { "wss", 443 }, { "ftp", 21 }
    };
    for (size_t i = 0; i < sizeof ports / sizeof ports[0]; i++)
        if (strlen(ports[i].name) == n && memcmp(ports[i].name, scheme, n) == 0)
            return ports[i].port;
    return -1;
}

/* authority = [userinfo "@"] host [":" port]; scheme (lowercase, may be empty) decides the
 * default port that is dropped. */
static vg_rc put_authority(url_out *o, const char *a, size_t n, const char *scheme, size_t slen,
                           vg_error *err, size_t at)
{
    const char *user_end = NULL;
    for (size_t i = 0; i < n; i++)
        if (a[i] == '@')
            user_end = a + i;
    if (user_end) {
        put_component(o, a, (size_t)(user_end - a), ALLOW_USERINFO, 0);
        put(o, '@');
        size_t skip = (size_t)(user_end - a) + 1;
        a += skip;
        n -= skip;
        at += skip;
    }
    size_t hlen = n;
    if (n && a[0] == '[') {
        const char *close = memchr(a, ']', n);
        if (!close)
            return vg_fail(err, VG_ERR_PARSE, at, "'[' of an IPv6 host is not closed");
        hlen = (size_t)(close - a) + 1;
        if (hlen < n && a[hlen] != ':')
            return vg_fail(err, VG_ERR_PARSE, at + hlen, "unexpected text after the IPv6 host");
    } else {
        const char *colon = memchr(a, ':', n);
        if (colon)
            hlen = (size_t)(colon - a);
    }
    vg_rc rc = put_host(o, a, hlen, err, at);
    if (rc || hlen == n)
        return rc;
    const char *port = a + hlen + 1;
    size_t plen = n - hlen - 1;
    if (plen == 0)
        return VG_OK;       /* "host:" means the default port */
    if (!all_digits(port, plen))
        return vg_fail(err, VG_ERR_PARSE, at + hlen + 1, "port is not a number");
    while (plen > 1 && port[0] == '0') {
        port++;
        plen--;
    }
    long v = 0;
    for (size_t k = 0; k < plen && v <= 65535; k++)
        v = v * 10 + (port[k] - '0');
    if (v > 65535)
        return vg_fail(err, VG_ERR_PARSE, at + hlen + 1, "port is over 65535");
    if (slen && v == default_port(scheme, slen))
        return VG_OK;
    put(o, ':');
    put_str(o, port, plen);
    return VG_OK;
}

/* Path (from its leading '/') and query; the fragment is already cut off. The path is
 * normalized in two scratch buffers first (escapes, then dot segments), so a result that fits
 * is never refused for a longer intermediate form. */
static void put_path_query(url_out *o, const char *s, size_t n)
{
    char escaped[VG_IND_MAX_KEY], path[VG_IND_MAX_KEY];
    const char *q = memchr(s, '?', n);
    size_t plen = q ? (size_t)(q - s) : n;
    url_out tmp = { escaped, 0, sizeof escaped, 0 };
    if (plen == 0)
        put(&tmp, '/');
    put_component(&tmp, s, plen, ALLOW_PATH, 0);
    url_out clean = { path, 0, sizeof path, tmp.over };
    if (!tmp.over)
        put_without_dot_segments(&clean, tmp.p, tmp.len);
    if (clean.over)
        o->over = 1;
    else
        put_str(o, clean.p, clean.len);
    if (q) {
        put(o, '?');
        put_component(o, q + 1, n - plen - 1, ALLOW_QUERY, 0);
    }
}

/* Length of a scheme at the start of s when "scheme://" follows it, else 0. */
static size_t scheme_length(const char *s, size_t n)
{
    size_t i = 0;
    if (n == 0 || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
        return 0;
    while (i < n && (char_class((unsigned char)s[i]) & CH_SCHEME))
        i++;
    if (i + 3 <= n && memcmp(s + i, "://", 3) == 0)
        return i;
    return 0;
}

vg_rc vg_url_normalize(const char *s, size_t n, char *out, size_t cap, size_t *out_len,
                       vg_error *err)
{
    url_out o = { out, 0, cap, 0 };
    if (cap == 0)
        return vg_fail(err, VG_ERR_LIMIT, 0, "no room for the URL");
    const char *hash = memchr(s, '#', n);
    if (hash)
        n = (size_t)(hash - s);
    if (n == 0)
        return vg_fail(err, VG_ERR_PARSE, 0, "empty URL");
    size_t slen = scheme_length(s, n), i = 0;
    char scheme[32] = "";
    if (slen) {
        if (slen >= sizeof scheme)
            return vg_fail(err, VG_ERR_PARSE, 0, "URL scheme is longer than %zu bytes", sizeof scheme - 1);
        for (size_t k = 0; k < slen; k++)
            scheme[k] = (char)ascii_lower((unsigned char)s[k]);
        put_str(&o, scheme, slen);
        put_str(&o, "://", 3);
        i = slen + 3;
    } else if (s[0] == '/') {
        if (n > 1 && s[1] == '/')
            return vg_fail(err, VG_ERR_PARSE, 0, "URL starts with '//' but has no scheme");
    }
    if (slen || s[0] != '/') {
        size_t a = i;
        while (i < n && s[i] != '/' && s[i] != '?')
            i++;
        vg_rc rc = put_authority(&o, s + a, i - a, scheme, slen, err, a);
        if (rc)
            return rc;
    }
    put_path_query(&o, s + i, n - i);
    if (!slen && s[0] == '/' && o.len > 1 && out[1] == '/')
        return vg_fail(err, VG_ERR_PARSE, 0, "path begins with '//' once dot segments are removed");
    if (o.over)
        return vg_fail(err, VG_ERR_LIMIT, 0, "normalized URL is longer than %zu bytes", cap - 1);
    out[o.len] = '\0';
    *out_len = o.len;
    return VG_OK;
}

static vg_rc parse_url(const char *s, size_t n, vg_ind *out, vg_error *err)
{
    size_t len;
    vg_rc rc = vg_url_normalize(s, n, (char *)out->key, sizeof out->key, &len, err);
    if (rc)
        return rc;
    out->type = VG_IND_URL;
    out->len = (uint32_t)len;
    return VG_OK;
}

/* ---- type guessing and dispatch ------------------------------------------------------ */

/* Is s "IPv4:port" or "[...]:port"? (shape only) */
static int looks_like_ipport(const char *s, size_t n)
{
    if (n && s[0] == '[')
        return 1;
    const char *colon = memchr(s, ':', n);
    unsigned char a[16];
    return colon && vg_ip_parse(s, (size_t)(colon - s), a) == 4;
}

static int looks_like_cidr(const char *s, size_t n)
{
    const char *slash = memchr(s, '/', n);
    unsigned char a[16];
    return slash && all_digits(slash + 1, n - (size_t)(slash + 1 - s)) &&
           vg_ip_parse(s, (size_t)(slash - s), a) != 0;
}

static vg_rc guess(const char *s, size_t n, vg_ind *out, vg_error *err)
{
    if (n == 0)
        return vg_fail(err, VG_ERR_PARSE, 0, "empty value");
    if (scheme_length(s, n) || s[0] == '/')
        return parse_url(s, n, out, err);
    if (vg_ip_parse(s, n, out->key))
        return parse_ip(s, n, out, err);
    if (memchr(s, ' ', n) || memchr(s, '\t', n))
        return vg_fail(err, VG_ERR_PARSE, 0, "not an indicator: it contains white space");
    if (looks_like_cidr(s, n))
        return parse_cidr(s, n, 0, out, err);
    if (memchr(s, '/', n))
        return parse_url(s, n, out, err);
    if (looks_like_ipport(s, n))
        return parse_ipport(s, n, out, err);
    if ((n == 32 || n == 40 || n == 64) && is_hex_string(s, n))
        return parse_hash(VG_IND_GUESS, s, n, out, err);
    if (n > 2 && ascii_lower(s[0]) == 'a' && ascii_lower(s[1]) == 's' && all_digits(s + 2, n - 2))
        return parse_asn(s, n, out, err);
    if (memchr(s, '@', n))
        return parse_email(s, n, out, err);
    if (memchr(s, ':', n))
        return vg_fail(err, VG_ERR_PARSE, 0, "not an indicator: a name with ':' (host:port is not a type; "
                       "write a URL)");
    if (!memchr(s, '.', n)) {
        if (is_hex_string(s, n))
            return vg_fail(err, VG_ERR_PARSE, 0, "%zu hex digits: not an MD5 (32), SHA-1 (40) or SHA-256 (64) hash", n);
        return vg_fail(err, VG_ERR_PARSE, 0, "not an indicator: a single word (accounts must be typed)");
    }
    return parse_domain(s, n, out, err);
}

vg_rc vg_ind_parse(int kind, const char *s, size_t n, vg_ind *out, vg_error *err)
{
    out->type = VG_IND_NONE;
    out->prefix = 0;
    out->flags = 0;
    out->len = 0;
    switch (kind) {
    case VG_IND_IPV4:
    case VG_IND_IPV6:
    case VG_IND_ANY_IP: {
        vg_rc rc = parse_ip(s, n, out, err);
        if (!rc && kind != VG_IND_ANY_IP && out->type != kind)
            return vg_fail(err, VG_ERR_PARSE, 0, "not an %s address", kind == VG_IND_IPV4 ? "IPv4" : "IPv6");
        return rc;
    }
    case VG_IND_CIDR4:
    case VG_IND_CIDR6:
    case VG_IND_ANY_CIDR: {
        vg_rc rc = parse_cidr(s, n, kind == VG_IND_ANY_CIDR, out, err);
        if (!rc && kind != VG_IND_ANY_CIDR && out->type != kind)
            return vg_fail(err, VG_ERR_PARSE, 0, "not an %s network", kind == VG_IND_CIDR4 ? "IPv4" : "IPv6");
        return rc;
    }
    case VG_IND_IPPORT4:
    case VG_IND_IPPORT6:
    case VG_IND_ANY_IPPORT: {
        vg_rc rc = parse_ipport(s, n, out, err);
        if (!rc && kind != VG_IND_ANY_IPPORT && out->type != kind)
            return vg_fail(err, VG_ERR_PARSE, 0, "not an %s", vg_ind_kind_name(kind));
        return rc;
    }
    case VG_IND_DOMAIN: return parse_domain(s, n, out, err);
    case VG_IND_URL: return parse_url(s, n, out, err);
    case VG_IND_MD5:
    case VG_IND_SHA1:
    case VG_IND_SHA256:
    case VG_IND_ANY_HASH: return parse_hash(kind, s, n, out, err);
    case VG_IND_EMAIL: return parse_email(s, n, out, err);
    case VG_IND_ACCOUNT: return parse_account(s, n, out, err);
    case VG_IND_ASN: return parse_asn(s, n, out, err);
    case VG_IND_GUESS: return guess(s, n, out, err);
    default: return vg_fail(err, VG_ERR_USAGE, 0, "no such indicator kind %d", kind);
    }
}

/* ---- text form ---------------------------------------------------------------------- */

static size_t format_address(const unsigned char *a, int v6, int brackets, char *out, size_t cap)
{
    char text[INET6_ADDRSTRLEN];
    inet_ntop(v6 ? AF_INET6 : AF_INET, a, text, sizeof text);
    int n = snprintf(out, cap, brackets ? "[%s]" : "%s", text);
    return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

static size_t format_fixed(const vg_ind *ind, char *out, size_t cap)
{
    size_t n;
    switch (ind->type) {
    case VG_IND_IPV4:
    case VG_IND_IPV6:
        return format_address(ind->key, ind->type == VG_IND_IPV6, 0, out, cap);
    case VG_IND_CIDR4:
    case VG_IND_CIDR6:
        n = format_address(ind->key, ind->type == VG_IND_CIDR6, 0, out, cap);
        if (n && snprintf(out + n, cap - n, "/%u", ind->prefix) < (int)(cap - n))
            return strlen(out);
        return 0;
    case VG_IND_IPPORT4:
    case VG_IND_IPPORT6: {
        int v6 = ind->type == VG_IND_IPPORT6;
        const unsigned char *p = ind->key + (v6 ? 16 : 4);
        n = format_address(ind->key, v6, v6, out, cap);
        if (n && snprintf(out + n, cap - n, ":%u", (unsigned)(p[0] << 8 | p[1])) < (int)(cap - n))
            return strlen(out);
        return 0;
    }
    case VG_IND_ASN: {
        uint32_t v = (uint32_t)ind->key[0] << 24 | (uint32_t)ind->key[1] << 16 | (uint32_t)ind->key[2] << 8 | ind->key[3];
        int k = snprintf(out, cap, "AS%u", (unsigned)v);
        return k > 0 && (size_t)k < cap ? (size_t)k : 0;
    }
    default: {
        static const char hex[] = "0123456789abcdef";
        if (2 * (size_t)ind->len >= cap)
            return 0;
        for (uint32_t i = 0; i < ind->len; i++) {
            out[2 * i] = hex[ind->key[i] >> 4];
            out[2 * i + 1] = hex[ind->key[i] & 15];
        }
        out[2 * ind->len] = '\0';
        return 2 * (size_t)ind->len;
    }
    }
}

size_t vg_ind_format(const vg_ind *ind, char *out, size_t cap)
{
    switch (ind->type) {
    case VG_IND_DOMAIN:
    case VG_IND_URL:
    case VG_IND_EMAIL:
    case VG_IND_ACCOUNT:
        if (ind->len >= cap)
            return 0;
        memcpy(out, ind->key, ind->len);
        out[ind->len] = '\0';
        return ind->len;
    case VG_IND_NONE:
    case VG_IND_NTYPES:
        return 0;
    default:
        return format_fixed(ind, out, cap);
    }
}
