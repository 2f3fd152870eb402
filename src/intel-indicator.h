/*
 * intel-indicator: the indicator types of the threat intelligence store, and the parsing and
 * canonical normalization of each.
 *
 * An indicator is a type and a canonical key: the bytes the store hashes and compares. Two
 * spellings of the same thing ("Example.COM." and "example.com", "2001:DB8::1" and
 * "2001:db8:0::1", "HTTP://a.b:80/x/../y#f" and "http://a.b/y") yield the same key, so an
 * indicator named by several feeds is stored once and an event value finds it whatever its
 * spelling. Keys are binary for addresses, networks, ports, hashes and AS numbers (compact, fixed
 * size) and text for names (domains, URLs, e-mail addresses, accounts). The rules of each type
 * are in docs/intel.md.
 *
 * Parsing allocates nothing: the key is written into the vg_ind the caller provides.
 */
#ifndef VIGIL_INTEL_INDICATOR_H
#define VIGIL_INTEL_INDICATOR_H

#include <stddef.h>
#include <stdint.h>

#include "util-error.h"

typedef enum vg_ind_type {
    VG_IND_NONE = 0,
    VG_IND_IPV4,        /* key: 4 address bytes, network order */
    VG_IND_IPV6,        /* key: 16 address bytes */
    VG_IND_CIDR4,       /* key: 4 network bytes (host bits zero) + prefix */
    VG_IND_CIDR6,       /* key: 16 network bytes (host bits zero) + prefix */
    VG_IND_IPPORT4,     /* key: 4 address bytes + 2 port bytes, network order */
    VG_IND_IPPORT6,     /* key: 16 address bytes + 2 port bytes */
    VG_IND_DOMAIN,      /* key: lowercase name without trailing dot */
    VG_IND_URL,         /* key: normalized URL text (see vg_url_normalize) */
    VG_IND_MD5,         /* key: 16 digest bytes */
    VG_IND_SHA1,        /* key: 20 digest bytes */
    VG_IND_SHA256,      /* key: 32 digest bytes */
    VG_IND_EMAIL,       /* key: lowercase address */
    VG_IND_ACCOUNT,     /* key: lowercase account name */
    VG_IND_ASN,         /* key: 4 bytes, the AS number in network order */
    VG_IND_NTYPES
} vg_ind_type;

#define VG_IND_MAX_KEY 4096     /* limit: longest canonical key (URLs are the longest) */
#define VG_DOMAIN_MAX 253       /* limit: longest domain name (RFC 1035), without the dot */
#define VG_DOMAIN_LABEL_MAX 63  /* limit: longest label of a domain name */
#define VG_EMAIL_MAX 254        /* limit: longest e-mail address (RFC 5321 path) */
#define VG_ACCOUNT_MAX 256      /* limit: longest account name */
#define VG_IND_TEXT_MAX (VG_IND_MAX_KEY + 8)   /* buffer size for vg_ind_format */

/* Flag: a CIDR network was written with host bits set; they were cleared (1.2.3.4/24 -> /24). */
#define VG_IND_F_MASKED 0x01u

typedef struct vg_ind {
    uint8_t type;       /* vg_ind_type */
    uint8_t prefix;     /* CIDR prefix length (0-32 or 0-128); 0 for other types */
    uint16_t flags;     /* VG_IND_F_* */
    uint32_t len;       /* bytes of key used */
    unsigned char key[VG_IND_MAX_KEY];
} vg_ind;

/* Kinds accepted by vg_ind_parse besides the exact types: the value's shape decides the type. */
#define VG_IND_ANY_IP (VG_IND_NTYPES + 1)      /* an IPv4 or IPv6 address */
#define VG_IND_ANY_CIDR (VG_IND_NTYPES + 2)    /* a v4 or v6 network; a bare address is a /32 or /128 */
#define VG_IND_ANY_IPPORT (VG_IND_NTYPES + 3)  /* "1.2.3.4:80" or "[2001:db8::1]:443" */
#define VG_IND_ANY_HASH (VG_IND_NTYPES + 4)    /* MD5, SHA-1 or SHA-256 hex digest, by length */
#define VG_IND_GUESS (VG_IND_NTYPES + 5)       /* any type but account (see vg_ind_parse) */
#define VG_IND_NKINDS (VG_IND_NTYPES + 6)

/* Short name of a type ("ipv4", "cidr6", "domain", ...) or kind ("ip", "cidr", "ip:port",
 * "hash", "auto"), as shown by vigil intel and written in feed configurations. */
const char *vg_ind_kind_name(int kind);

/* Kind named s[0..n) (the names of vg_ind_kind_name, plus "hostname" for domain and
 * "user" for account); -1 if unknown. */
int vg_ind_kind_from_name(const char *s, size_t n);

/* Parses s[0..n) as an indicator of the given kind (a vg_ind_type or a VG_IND_ANY_* family)
 * into out, canonical. VG_IND_GUESS guesses the type of a plain-list entry: IPv4/IPv6 address,
 * CIDR network, IP:port, URL (with a scheme, "host/path" or "/path"), MD5/SHA-1/SHA-256 hex
 * digest, AS number ("AS64500"), e-mail address, or else a domain name of two labels or more.
 * Account names are never guessed. VG_ERR_PARSE with a reason when s is not one. */
vg_rc vg_ind_parse(int kind, const char *s, size_t n, vg_ind *out, vg_error *err);

/* Writes the text form of ind into out (cap bytes, NUL-terminated); returns the length, or
 * 0 if it does not fit. Binary keys are formatted (addresses as inet_ntop, hashes as hex). */
size_t vg_ind_format(const vg_ind *ind, char *out, size_t cap);

/* Normalizes URL text s[0..n) into out (cap bytes, NUL-terminated), setting *out_len. Rules
 * (RFC 3986 section 6.2.2 and 6.2.3): lowercase scheme and host, remove a trailing dot of the
 * host, remove an empty or default port (http/ws 80, https/wss 443, ftp 21), decode
 * percent-encoded unreserved characters and uppercase the hex of the others, percent-encode
 * bytes that may not appear raw, remove dot segments, empty path -> "/", drop the fragment.
 * Accepts "scheme://authority/path", "authority/path" (no scheme: the port is kept) and
 * "/path" (a path with optional query). VG_ERR_PARSE with a reason, VG_ERR_LIMIT if the
 * result would not fit cap. The result normalizes to itself. */
vg_rc vg_url_normalize(const char *s, size_t n, char *out, size_t cap, size_t *out_len,
                       vg_error *err);

/* Normalizes a domain name s[0..n) into out (VG_DOMAIN_MAX + 1 bytes): ASCII lowercased, one
 * trailing dot removed, labels of 1-63 bytes of letters, digits, '-', '_' or UTF-8 (IDNA
 * names are kept as given, punycode "xn--" labels too), the last label not all digits.
 * Returns the length, or 0 with a reason in err. */
size_t vg_domain_normalize(const char *s, size_t n, char *out, vg_error *err);

/* Lowercase hex digit value of c, or -1. */
int vg_hex_value(int c);

#endif
