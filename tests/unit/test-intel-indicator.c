/*
 * test-intel-indicator: parsing and canonical forms of every indicator type, the type guesser,
 * URL normalization (RFC 3986 section 6.2.2 examples and edge cases, idempotence), and the
 * dotted-quad fast path against inet_pton on random strings, and the domain fast path against a
 * reference of the rules on random names, and the hash parser's word-at-a-time path against a
 * digit-by-digit reference.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "intel-indicator.h"
#include "util-ip.h"

static vg_ind ind;

/* Parses s as kind and checks the type and text form. */
static void expect(int kind, const char *s, vg_ind_type type, const char *canonical)
{
    vg_error err;
    vg_error_clear(&err);
    vg_rc rc = vg_ind_parse(kind, s, strlen(s), &ind, &err);
    if (rc != VG_OK)
        fail_msg("%s: %s", s, err.msg);
    assert_int_equal(ind.type, type);
    char text[VG_IND_TEXT_MAX];
    assert_true(vg_ind_format(&ind, text, sizeof text) > 0);
    assert_string_equal(text, canonical);
}

/* Parses s as kind and expects a rejection whose reason contains `reason`. */
static void reject(int kind, const char *s, const char *reason)
{
    vg_error err;
    vg_error_clear(&err);
    vg_rc rc = vg_ind_parse(kind, s, strlen(s), &ind, &err);
    if (rc == VG_OK)
        fail_msg("%s: accepted as %s", s, vg_ind_kind_name(ind.type));
    if (!strstr(err.msg, reason))
        fail_msg("%s: reason '%s' lacks '%s'", s, err.msg, reason);
}

static void url(const char *in, const char *want)
{
    char out[VG_IND_MAX_KEY], again[VG_IND_MAX_KEY];
    size_t n, m;
    vg_error err;
    if (vg_url_normalize(in, strlen(in), out, sizeof out, &n, &err) != VG_OK)
        fail_msg("%s: %s", in, err.msg);
    if (strcmp(out, want) != 0)
        fail_msg("%s: got %s, want %s", in, out, want);
    assert_int_equal(vg_url_normalize(out, n, again, sizeof again, &m, &err), VG_OK);
    assert_string_equal(again, out);
}

static void test_addresses(void **state)
{
    (void)state;
    expect(VG_IND_ANY_IP, "192.0.2.1", VG_IND_IPV4, "192.0.2.1");
    expect(VG_IND_ANY_IP, "2001:DB8:0:0::1", VG_IND_IPV6, "2001:db8::1");
    expect(VG_IND_ANY_IP, "::ffff:1.2.3.4", VG_IND_IPV6, "::ffff:1.2.3.4");
    expect(VG_IND_IPV4, "0.0.0.0", VG_IND_IPV4, "0.0.0.0");
    reject(VG_IND_ANY_IP, "01.2.3.4", "not an IPv4 or IPv6");
    reject(VG_IND_ANY_IP, "1.2.3", "not an IPv4 or IPv6");
    reject(VG_IND_ANY_IP, "256.1.1.1", "not an IPv4 or IPv6");
    reject(VG_IND_ANY_IP, "1::2::3", "not an IPv4 or IPv6");
    reject(VG_IND_ANY_IP, "fe80::1%eth0", "not an IPv4 or IPv6");
    reject(VG_IND_IPV4, "::1", "not an IPv4 address");
    reject(VG_IND_ANY_IP, "", "not an IPv4 or IPv6");
    reject(VG_IND_ANY_IP, "1.2.3.4 ", "not an IPv4 or IPv6");
}

static void test_networks(void **state)
{
    (void)state;
    expect(VG_IND_ANY_CIDR, "10.0.0.0/8", VG_IND_CIDR4, "10.0.0.0/8");
    expect(VG_IND_ANY_CIDR, "10.1.2.3/8", VG_IND_CIDR4, "10.0.0.0/8");
    assert_true(ind.flags & VG_IND_F_MASKED);
    expect(VG_IND_ANY_CIDR, "10.1.2.3/32", VG_IND_CIDR4, "10.1.2.3/32");
    assert_false(ind.flags & VG_IND_F_MASKED);
    expect(VG_IND_ANY_CIDR, "0.0.0.0/0", VG_IND_CIDR4, "0.0.0.0/0");
    expect(VG_IND_ANY_CIDR, "1.2.3.4", VG_IND_CIDR4, "1.2.3.4/32");
    expect(VG_IND_ANY_CIDR, "2001:db8:ffff::/33", VG_IND_CIDR6, "2001:db8:8000::/33");
    expect(VG_IND_CIDR6, "::/0", VG_IND_CIDR6, "::/0");
    expect(VG_IND_GUESS, "2a12:2640::/29", VG_IND_CIDR6, "2a12:2640::/29");
    reject(VG_IND_ANY_CIDR, "10.0.0.0/33", "over 32");
    reject(VG_IND_ANY_CIDR, "::/129", "over 128");
    reject(VG_IND_ANY_CIDR, "10.0.0.0/", "not a number");
    reject(VG_IND_ANY_CIDR, "10.0.0.0/-1", "not a number");
    reject(VG_IND_CIDR4, "10.0.0.0", "no /prefix");
    reject(VG_IND_CIDR4, "::/8", "not an IPv4 network");
}

static void test_ipport(void **state)
{
    (void)state;
    expect(VG_IND_ANY_IPPORT, "192.9.135.73:1194", VG_IND_IPPORT4, "192.9.135.73:1194");
    expect(VG_IND_GUESS, "[0:0:0:0:0:ffff:2d3e:c649]:53", VG_IND_IPPORT6, "[::ffff:45.62.198.73]:53");
    expect(VG_IND_GUESS, "1.2.3.4:65535", VG_IND_IPPORT4, "1.2.3.4:65535");
    reject(VG_IND_GUESS, "161.35.41.9:53:53", "expected IPv4:port");
    reject(VG_IND_ANY_IPPORT, "1.2.3.4:0", "1 to 65535");
    reject(VG_IND_ANY_IPPORT, "1.2.3.4:65536", "1 to 65535");
    reject(VG_IND_ANY_IPPORT, "1.2.3.4:", "1 to 65535");
    reject(VG_IND_ANY_IPPORT, "[::1:80", "expected [IPv6]:port");
    reject(VG_IND_ANY_IPPORT, "[1.2.3.4]:80", "not an IPv6");
}

static void test_domains(void **state)
{
    (void)state;
    expect(VG_IND_DOMAIN, "Example.COM.", VG_IND_DOMAIN, "example.com");
    expect(VG_IND_GUESS, "xn--bcher-kva.example", VG_IND_DOMAIN, "xn--bcher-kva.example");
    expect(VG_IND_GUESS, "b\xc3\xbc" "cher.example", VG_IND_DOMAIN, "b\xc3\xbc" "cher.example");
    expect(VG_IND_DOMAIN, "com", VG_IND_DOMAIN, "com");
    expect(VG_IND_GUESS, "_dmarc.x-y.example", VG_IND_DOMAIN, "_dmarc.x-y.example");
    reject(VG_IND_DOMAIN, "a..b", "empty label");
    reject(VG_IND_DOMAIN, ".a.b", "empty label");
    reject(VG_IND_DOMAIN, "a.b..", "empty label");
    reject(VG_IND_DOMAIN, "", "empty domain");
    reject(VG_IND_DOMAIN, "*.example.com", "wildcards");
    reject(VG_IND_DOMAIN, "a b.com", "invalid character");
    reject(VG_IND_DOMAIN, "1.2.3", "all digits");
    reject(VG_IND_DOMAIN, "a\xff.com", "UTF-8");
    reject(VG_IND_GUESS, "backdates[0-9]{1,2}\\.(com|net)", "invalid character");
    reject(VG_IND_GUESS, "localhost", "single word");
    char label[80];
    memset(label, 'a', 64);
    memcpy(label + 64, ".com", 5);
    reject(VG_IND_DOMAIN, label, "label longer than 63");
    char longname[300];
    for (int i = 0; i < 127; i++)
        memcpy(longname + 2 * i, "a.", 2);
    memcpy(longname + 254, "com", 4);
    reject(VG_IND_DOMAIN, longname, "longer than 253");
}

static void test_hashes_and_names(void **state)
{
    (void)state;
    expect(VG_IND_GUESS, "D41D8CD98F00B204E9800998ECF8427E", VG_IND_MD5, "d41d8cd98f00b204e9800998ecf8427e");
    expect(VG_IND_ANY_HASH, "da39a3ee5e6b4b0d3255bfef95601890afd80709", VG_IND_SHA1,
           "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    expect(VG_IND_GUESS, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", VG_IND_SHA256,
           "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    reject(VG_IND_MD5, "da39a3ee5e6b4b0d3255bfef95601890afd80709", "not a md5");
    reject(VG_IND_ANY_HASH, "abc", "3 hex digits");
    reject(VG_IND_ANY_HASH, "g41d8cd98f00b204e9800998ecf8427e", "not a hex digit");
    reject(VG_IND_GUESS, "d41d8cd98f00b204e9800998ecf8427", "31 hex digits");
    expect(VG_IND_GUESS, "John.Doe@Example.ORG", VG_IND_EMAIL, "john.doe@example.org");
    expect(VG_IND_EMAIL, "a+b@x.y.", VG_IND_EMAIL, "a+b@x.y");
    reject(VG_IND_EMAIL, "@x.y", "1-64 bytes");
    reject(VG_IND_EMAIL, "a b@x.y", "invalid character");
    reject(VG_IND_EMAIL, "ab@", "empty domain");
    expect(VG_IND_ACCOUNT, "CORP\\Administrator", VG_IND_ACCOUNT, "corp\\administrator");
    expect(VG_IND_ACCOUNT, "John Smith", VG_IND_ACCOUNT, "john smith");
    reject(VG_IND_ACCOUNT, " root", "starts or ends");
    reject(VG_IND_ACCOUNT, "ro\tot", "control");
    /* one pass finds every fault; the reasons keep their order: UTF-8, outer space, control */
    expect(VG_IND_ACCOUNT, "Nguy\xe1\xbb\x85n V\xc4\x82N", VG_IND_ACCOUNT, "nguy\xe1\xbb\x85n v\xc4\x82n");
    reject(VG_IND_ACCOUNT, "r\toot\xff", "UTF-8");
    reject(VG_IND_ACCOUNT, "\x01root ", "starts or ends");
    reject(VG_IND_ACCOUNT, "ro\x7fot\x01", "control");
    vg_error err;
    assert_int_not_equal(vg_ind_parse(VG_IND_ACCOUNT, "ab\x01" "c\x02", 5, &ind, &err), VG_OK);
    assert_int_equal(err.offset, 2);    /* the first control character */
    expect(VG_IND_GUESS, "AS64500", VG_IND_ASN, "AS64500");
    expect(VG_IND_ASN, "4294967295", VG_IND_ASN, "AS4294967295");
    reject(VG_IND_ASN, "AS4294967296", "over 4294967295");
    reject(VG_IND_ASN, "ASX", "1-10 digits");
}

/* RFC 3986 section 6.2.2: case, percent-encoding and path segment normalization. */
static void test_url_rfc3986(void **state)
{
    (void)state;
    url("HTTP://www.Example.com/", "http://www.example.com/");
    url("http://example.com/%7Efoo", "http://example.com/~foo");
    url("http://example.com/%7efoo", "http://example.com/~foo");
    url("http://a/%3ab", "http://a/%3Ab");
    url("http://example.com/data/./x/../y", "http://example.com/data/y");
    url("eXAMPLE://a/./b/../b/%63/%7bfoo%7d", "example://a/b/c/%7Bfoo%7D");
    /* section 6.2.3: scheme-based normalization */
    url("http://example.com", "http://example.com/");
    url("http://example.com:/", "http://example.com/");
    url("http://example.com:80/", "http://example.com/");
    url("https://example.com:443/x", "https://example.com/x");
    url("https://example.com:80/x", "https://example.com:80/x");
    url("http://example.com:0080/", "http://example.com/");
    url("http://example.com:08080/", "http://example.com:8080/");
    /* section 5.4.2 style dot segments */
    url("http://a/b/c/./../../g", "http://a/g");
    url("http://a/b/c/../../../../g", "http://a/g");
    url("http://a/b/c/g/..", "http://a/b/c/");
    url("http://a/b/c/.", "http://a/b/c/");
    url("http://a/./", "http://a/");
    url("http://a/b/%2E%2E/c", "http://a/c");
    url("http://a/b/...", "http://a/b/...");
}

static void test_url_edges(void **state)
{
    (void)state;
    url("http://Example.COM./x#frag", "http://example.com/x");
    url("http://example.com../", "http://example.com/");
    url("http://a/x y\"<>", "http://a/x%20y%22%3C%3E");
    url("http://a/%zz%", "http://a/%25zz%25");
    url("http://a/p?Q=%41%2f&x=[1]#f", "http://a/p?Q=A%2F&x=%5B1%5D");
    url("http://a/?", "http://a/?");
    url("http://a?x", "http://a/?x");
    url("http://User:Pa%73s@Host.example/", "http://User:Pass@host.example/");
    url("http://[2001:DB8:0::1]:8080/", "http://[2001:db8::1]:8080/");
    url("http://[::1]:80", "http://[::1]/");
    url("http://h/caf\xc3\xa9", "http://h/caf%C3%A9");
    url("http://H%C3%A9.example/", "http://h%C3%A9.example/");
    url("http://h/a\\b", "http://h/a%5Cb");
    url("http://h/a//b/../c", "http://h/a//c");
    url("http://h/.//x", "http://h//x");
    url("http://redirect.example/?u=http://x/../y", "http://redirect.example/?u=http://x/../y");
    /* Maltrail shapes: no scheme, or a path alone */
    url("Appflyer.co/downloads/latest/", "appflyer.co/downloads/latest/");
    url("1.2.3.4:8080/a/../b", "1.2.3.4:8080/b");
    url("host.example:80/x", "host.example:80/x");
    url("example.com", "example.com/");
    url("/add_outstuk.php", "/add_outstuk.php");
    url("/x/./y?q=1", "/x/y?q=1");

    char out[64];
    size_t n;
    vg_error err;
    assert_int_equal(vg_url_normalize("http:///x", 9, out, sizeof out, &n, &err), VG_ERR_PARSE);
    assert_int_equal(vg_url_normalize("http://a:99999/", 15, out, sizeof out, &n, &err), VG_ERR_PARSE);
    assert_int_equal(vg_url_normalize("http://a:8x/", 12, out, sizeof out, &n, &err), VG_ERR_PARSE);
    assert_int_equal(vg_url_normalize("http://[zz]/", 12, out, sizeof out, &n, &err), VG_ERR_PARSE);
    assert_int_equal(vg_url_normalize("//h/x", 5, out, sizeof out, &n, &err), VG_ERR_PARSE);
    assert_int_equal(vg_url_normalize("/.//x", 5, out, sizeof out, &n, &err), VG_ERR_PARSE);
    assert_int_equal(vg_url_normalize("#x", 2, out, sizeof out, &n, &err), VG_ERR_PARSE);
    assert_int_equal(vg_url_normalize("http://./", 9, out, sizeof out, &n, &err), VG_ERR_PARSE);
    /* the limit is an error, never a truncated result */
    char big[200];
    memset(big, 'x', sizeof big);
    memcpy(big, "http://a/", 9);
    assert_int_equal(vg_url_normalize(big, sizeof big, out, sizeof out, &n, &err), VG_ERR_LIMIT);
}

static void test_guess(void **state)
{
    (void)state;
    expect(VG_IND_GUESS, "http://37.238.135.70/img/anan.jpg", VG_IND_URL, "http://37.238.135.70/img/anan.jpg");
    expect(VG_IND_GUESS, "dn.jnipatch.com/downloads/latest", VG_IND_URL, "dn.jnipatch.com/downloads/latest");
    expect(VG_IND_GUESS, "/mstealer/logs/", VG_IND_URL, "/mstealer/logs/");
    expect(VG_IND_GUESS, "1.2.3.0/24", VG_IND_CIDR4, "1.2.3.0/24");
    expect(VG_IND_GUESS, "1.2.3.4/x.php", VG_IND_URL, "1.2.3.4/x.php");
    expect(VG_IND_GUESS, "1c26.dyndns.org", VG_IND_DOMAIN, "1c26.dyndns.org");
    reject(VG_IND_GUESS, "example.com:8080", "host:port");
    reject(VG_IND_GUESS, "", "empty");
    reject(VG_IND_GUESS, "bad value", "white space");
    expect(VG_IND_GUESS, "/a b.js", VG_IND_URL, "/a%20b.js");
    assert_string_equal(vg_ind_kind_name(VG_IND_CIDR6), "cidr6");
    assert_int_equal(vg_ind_kind_from_name("ip:port", 7), VG_IND_ANY_IPPORT);
    assert_int_equal(vg_ind_kind_from_name("hostname", 8), VG_IND_DOMAIN);
    assert_int_equal(vg_ind_kind_from_name("nope", 4), -1);
}

/* vg_ip_parse of IPv4 text equals inet_pton(AF_INET) (the definition: four decimal parts of
 * 0-255, no leading zeros) on 300,000 random strings of digits and dots, a third of them shaped
 * like quads with parts up to 999; in a quarter of the others some bytes are the neighbours of
 * the digits ('/' before '0', '0' + 0x80) or other bytes ('x', ' '). */
static void test_ipv4_fast_path(void **state)
{
    (void)state;
    static const char alphabet[] = "0123456789..x/ \xb0";
    uint64_t r = 0x9E3779B97F4A7C15ull;
    unsigned valid = 0;
    for (int it = 0; it < 300000; it++) {
        char s[32];
        size_t n;
        r ^= r << 13, r ^= r >> 7, r ^= r << 17;
        if (it % 3 == 0) {
            n = (size_t)snprintf(s, sizeof s, "%u.%u.%u.%u", (unsigned)(r % 300), (unsigned)(r >> 12) % 300,
                                 (unsigned)(r >> 24) % 260, (unsigned)(r >> 36) % 1000);
        } else {
            n = 1 + r % 16;
            for (size_t i = 0; i < n; i++)
                s[i] = alphabet[(r >> (4 + 3 * i)) % (it & 1 ? 11 : it % 4 == 2 ? 16 : 13)];
            s[n] = '\0';
        }
        unsigned char a[16], b[4];
        int want = inet_pton(AF_INET, s, b) == 1 ? 4 : 0;
        int got = vg_ip_parse(s, n, a);
        if (got != want || (got == 4 && memcmp(a, b, 4) != 0))
            fail_msg("'%s': vg_ip_parse %d, inet_pton %d", s, got, want);
        valid += want == 4;
    }
    assert_true(valid > 10000);
}

/* A NUL inside the text is not part of an address: inet_pton would stop at it and take
 * "1.2.3.4" of "1.2.3.4\0x" (the decoders once asked it that way), vg_ip_parse takes all n bytes.
 * IPv6 and the too-long cases go to inet_pton with the same rule. */
static void test_ip_parse_embedded_nul(void **state)
{
    (void)state;
    unsigned char a[16];
    assert_int_equal(vg_ip_parse("1.2.3.4\0x", 9, a), 0);
    assert_int_equal(vg_ip_parse("1.2.3.4\0", 8, a), 0);
    assert_int_equal(vg_ip_parse("::1\0", 4, a), 0);
    assert_int_equal(vg_ip_parse("2001:db8::1\0:", 13, a), 0);
    assert_int_equal(vg_ip_parse("1.2.3.4", 7, a), 4);
    assert_int_equal(vg_ip_parse("::1", 3, a), 16);
    assert_int_equal(vg_ip_parse("::ffff:1.2.3.4", 14, a), 16);
    assert_int_equal(vg_ip_parse("1.2.3.04", 8, a), 0);
    assert_int_equal(vg_ip_parse("", 0, a), 0);
}

/* Strict UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF), written
 * apart from util-utf8 as the reference's own check. */
static int ref_utf8_ok(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned c = s[i], len = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
        if (!len || i + len > n)
            return 0;
        uint32_t cp = len == 1 ? c : len == 2 ? c & 0x1f : len == 3 ? c & 0x0f : c & 0x07;
        for (unsigned k = 1; k < len; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return 0;
            cp = cp << 6 | (s[i + k] & 0x3f);
        }
        static const uint32_t least[5] = { 0, 0, 0x80, 0x800, 0x10000 };
        if (cp < least[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        i += len;
    }
    return 1;
}

/* The rules of a domain name, as docs/intel.md gives them: one trailing dot dropped; 1-253
 * bytes; valid UTF-8; labels of 1-63 bytes of letters, digits, '-', '_' or non-ASCII; the
 * last label not all digits; ASCII letters lowercased. The normalized length, or 0. */
static size_t ref_domain(const char *in, size_t n, char *out)
{
    const unsigned char *s = (const unsigned char *)in;
    if (n && s[n - 1] == '.')
        n--;
    if (n == 0 || n > 253 || !ref_utf8_ok(s, n))
        return 0;
    size_t label = 0, digits = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || s[i] == '.') {
            if (label == 0 || label > 63)
                return 0;
            if (i == n && digits == label)
                return 0;
            label = digits = 0;
            if (i < n)
                out[i] = '.';
            continue;
        }
        unsigned c = s[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
                 c >= 0x80;
        if (!ok)
            return 0;
        label++;
        digits += c >= '0' && c <= '9';
        out[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    return n;
}

/* vg_domain_normalize (a one-pass fast path, the checked loop for any fault) equals the
 * reference on 400,000 random names: labels of 0-70 bytes drawn from letters of both cases,
 * digits, '-', '_', '*', ' ', ':' and UTF-8 pieces valid and broken, names up to 260 bytes,
 * with and without a trailing dot; every rejection has a reason. */
static void test_domain_fast_path(void **state)
{
    (void)state;
    static const char *const pieces[] = {
        "a", "Z", "q", "M", "0", "7", "-", "_", "*", " ", ":", "xn--", "\xc3\xbc", "\xe2\x82\xac",
        "\xf0\x9f\x98\x80", "\xc3", "\xff", "\xed\xa0\x80", "\xc0\xaf", "www", "EXAMPLE", "9",
    };
    uint64_t r = 0x243F6A8885A308D3ull;
    unsigned valid = 0, invalid = 0;
    for (int it = 0; it < 400000; it++) {
        char s[400], want[400], got[VG_DOMAIN_MAX + 1];
        size_t n = 0;
        r ^= r << 13, r ^= r >> 7, r ^= r << 17;
        unsigned labels = 1 + (unsigned)(r % 5), mix = (unsigned)(r >> 8) % 4;
        for (unsigned l = 0; l < labels && n < 300; l++) {
            r ^= r << 13, r ^= r >> 7, r ^= r << 17;
            unsigned len = (unsigned)(r >> 20) % (it % 50 == 0 ? 72 : 12);
            for (unsigned k = 0; k < len && n < 300; k++) {
                r ^= r << 13, r ^= r >> 7, r ^= r << 17;
                size_t np = mix == 0 ? sizeof pieces / sizeof pieces[0] : 8 - (mix == 1 ? 0 : 3);
                const char *p = pieces[(r >> 33) % np];
                if (mix >= 2)
                    p = pieces[(r >> 33) % 4 == 0 ? 4 + (r >> 40) % 2 : (r >> 41) % 4];
                size_t pl = strlen(p);
                memcpy(s + n, p, pl);
                n += pl;
            }
            if (l + 1 < labels || (r >> 50) % 8 == 0)
                s[n++] = '.';
        }
        if (n > 8 && (r >> 55) % 16 == 0)   /* a long name: repeat it past 253 bytes */
            while (n < 260) {
                size_t c = n < 130 ? n : 260 - n;
                memmove(s + n, s, c);
                n += c;
            }
        size_t wn = ref_domain(s, n, want);
        vg_error err;
        vg_error_clear(&err);
        size_t gn = vg_domain_normalize(s, n, got, &err);
        if (gn != wn || (gn && memcmp(got, want, gn) != 0))
            fail_msg("name %d (%zu bytes): vg_domain_normalize %zu, reference %zu", it, n, gn, wn);
        if (!gn && !err.msg[0])
            fail_msg("name %d: rejected without a reason", it);
        valid += gn != 0;
        invalid += gn == 0;
    }
    assert_true(valid > 40000);
    assert_true(invalid > 40000);
}

/* The hash parser (eight digits a word, digit by digit after a fault) equals a reference on
 * 300,000 random strings of 32, 40 and 64 characters: hex digits of both cases mostly, and in
 * one of three strings a byte next to the hex ranges ('/', ':', '@', 'G', '`', 'g') or from
 * 0x80 at a random place; the same key, or a rejection at the first bad character. */
static void test_hash_fast_path(void **state)
{
    (void)state;
    static const char digits[] = "0123456789abcdefABCDEF";
    static const unsigned char near[] = { '/', ':', '@', 'G', '`', 'g', 0x80, 0xb0, 0xc6, 0xff, ' ', 0 };
    static const size_t lens[] = { 32, 40, 64 };
    uint64_t r = 0x3243F6A8885A308Dull;
    unsigned bad = 0;
    for (int it = 0; it < 300000; it++) {
        char s[65];
        size_t n = lens[it % 3], first_bad = n;
        for (size_t i = 0; i < n; i++) {
            r ^= r << 13, r ^= r >> 7, r ^= r << 17;
            s[i] = digits[r % 22];
        }
        if (it % 3 == 1) {
            r ^= r << 13, r ^= r >> 7, r ^= r << 17;
            size_t at = (size_t)(r % n);
            s[at] = (char)near[(r >> 20) % sizeof near];
            first_bad = at;
        }
        s[n] = '\0';
        unsigned char want[32];
        for (size_t i = 0; i < n && first_bad == n; i += 2)
            want[i / 2] = (unsigned char)((strchr(digits, s[i]) ? (s[i] <= '9' ? s[i] - '0' : (s[i] | 0x20) - 'a' + 10) : 0) << 4 |
                                          (s[i + 1] <= '9' ? s[i + 1] - '0' : (s[i + 1] | 0x20) - 'a' + 10));
        vg_error err;
        vg_error_clear(&err);
        vg_rc rc = vg_ind_parse(VG_IND_ANY_HASH, s, n, &ind, &err);
        if (first_bad < n) {
            bad++;
            if (rc == VG_OK || err.offset != first_bad)
                fail_msg("string %d: a bad byte at %zu, parse gave %d at offset %zu", it, first_bad, rc,
                         (size_t)err.offset);
        } else if (rc != VG_OK || ind.len != n / 2 || memcmp(ind.key, want, n / 2) != 0) {
            fail_msg("string %d (%s): parse %d, key differs", it, s, rc);
        }
    }
    assert_true(bad > 90000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_addresses),
        cmocka_unit_test(test_networks),
        cmocka_unit_test(test_ipport),
        cmocka_unit_test(test_domains),
        cmocka_unit_test(test_hashes_and_names),
        cmocka_unit_test(test_url_rfc3986),
        cmocka_unit_test(test_url_edges),
        cmocka_unit_test(test_guess),
        cmocka_unit_test(test_ipv4_fast_path),
        cmocka_unit_test(test_ip_parse_embedded_nul),
        cmocka_unit_test(test_domain_fast_path),
        cmocka_unit_test(test_hash_fast_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
