/*
 * decode-text: parsing helpers shared by the text decoders (decode-syslog.c, decode-web.c,
 * decode-malware.c), the syslog program decoders (decode-sshd.c, decode-linux.c) and, for
 * text inside JSON values, decode-windows.c. They read bounded slices s[0..n) (no NUL
 * terminator needed, nothing read past n), allocate nothing, and return slices of their input.
 *
 * The main tool is a template matcher for fixed message shapes:
 *
 *     vg_text cap[2];
 *     if (vg_text_match(s, n, "add '%' to group '%'", cap, 2)) ...
 *
 * Literal text must match exactly; each '%' captures a non-empty run of bytes up to the first
 * occurrence of the literal that follows it, or, for the last literal of the template, up to
 * that literal at the very end of s (so "(%) CMD (%)" takes a command containing ')'). A '%'
 * that ends the template takes the rest of s.
 */
#ifndef VIGIL_DECODE_TEXT_H
#define VIGIL_DECODE_TEXT_H

#include <stddef.h>
#include <string.h>

#include "decode.h"

/* A slice of a record. */
typedef struct vg_text {
    const char *s;
    size_t n;
} vg_text;

/* The event.* fields of one recognized message shape (string constants). */
typedef struct vg_text_kind {
    const char *action;     /* event.action, snake_case */
    const char *category;   /* event.category, a JSON array text */
    const char *type;       /* event.type, a JSON array text */
    const char *outcome;    /* event.outcome: "success", "failure", or NULL for none */
} vg_text_kind;

typedef struct vg_text_shape vg_text_shape;

/* Decodes s[0..n), the message after the shape's prefix: returns 1 if it has the shape (its
 * fields are then set), 0 if not (nothing is set). */
typedef int (*vg_text_shape_fn)(vg_event *ev, const vg_text_shape *sh, const char *s, size_t n);

/* A message shape recognized by its prefix; tables of them end with a NULL prefix. */
struct vg_text_shape {
    const char *prefix;
    vg_text_shape_fn decode;
    vg_text_kind kind;      /* the event.* fields of the shape */
    const char *arg;        /* for decode's own use (a field name, a value), or NULL */
};

#define VG_TEXT_NONE ((size_t)-1)   /* "not found" offset */

#define VG_DATASET_AUTH "system.auth"       /* event.dataset of auth.log programs */
#define VG_DATASET_SYSLOG "system.syslog"   /* event.dataset of other recognized programs */

#define VG_CAT_AUTH "[\"authentication\"]"
#define VG_CAT_AUTH_SESSION "[\"authentication\",\"session\"]"
#define VG_CAT_SESSION "[\"session\"]"
#define VG_CAT_NETWORK "[\"network\"]"
#define VG_CAT_PROCESS "[\"process\"]"
#define VG_CAT_IAM "[\"iam\"]"
#define VG_CAT_CONFIGURATION "[\"configuration\"]"
#define VG_TYPE_INFO "[\"info\"]"
#define VG_TYPE_START "[\"start\"]"
#define VG_TYPE_END "[\"end\"]"
#define VG_TYPE_CHANGE "[\"change\"]"
#define VG_TYPE_DELETION "[\"deletion\"]"
#define VG_TYPE_ACCESS "[\"access\"]"
#define VG_TYPE_CONNECTION_START "[\"connection\",\"start\"]"
#define VG_TYPE_CONNECTION_END "[\"connection\",\"end\"]"
#define VG_TYPE_USER_CREATION "[\"user\",\"creation\"]"
#define VG_TYPE_USER_CHANGE "[\"user\",\"change\"]"
#define VG_TYPE_USER_DELETION "[\"user\",\"deletion\"]"
#define VG_TYPE_GROUP_CREATION "[\"group\",\"creation\"]"
#define VG_TYPE_GROUP_CHANGE "[\"group\",\"change\"]"
#define VG_TYPE_GROUP_DELETION "[\"group\",\"deletion\"]"

/* Is c a decimal digit? */
static inline int vg_text_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Is c an ASCII letter? */
static inline int vg_text_is_alpha(char c)
{
    return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}

/* Does s[0..n) start with lit? (Inline, as the two below: with a string literal the compiler
 * knows its length and compares in place, with no strlen or memcmp call per record.) */
static inline int vg_text_starts(const char *s, size_t n, const char *lit)
{
    size_t l = strlen(lit);
    return n >= l && memcmp(s, lit, l) == 0;
}

/* Does s[0..n) end with lit? */
static inline int vg_text_ends(const char *s, size_t n, const char *lit)
{
    size_t l = strlen(lit);
    return n >= l && memcmp(s + n - l, lit, l) == 0;
}

/* Does s[0..n) equal lit? */
static inline int vg_text_is(const char *s, size_t n, const char *lit)
{
    return strlen(lit) == n && memcmp(s, lit, n) == 0;
}

/* Offset of the first occurrence of lit in s[0..n), or VG_TEXT_NONE. */
size_t vg_text_find(const char *s, size_t n, const char *lit);

/* Offset of the last occurrence of lit in s[0..n), or VG_TEXT_NONE. */
size_t vg_text_rfind(const char *s, size_t n, const char *lit);

/* Is s[0..n) one or more decimal digits? */
int vg_text_digits(const char *s, size_t n);

/* Number of decimal digits at the start of s[0..n). */
size_t vg_text_span_digits(const char *s, size_t n);

/* Is s[0..n) one or more hexadecimal digits (either case)? */
int vg_text_hex(const char *s, size_t n);

/* Length of s[0..n) without trailing spaces and tabs. */
size_t vg_text_rtrim(const char *s, size_t n);

/* Where vg_text_token leaves the cursor. */
typedef enum vg_text_after {
    VG_TEXT_AT_SPACE,       /* on the space that ends the token (or at the end of s) */
    VG_TEXT_PAST_SPACE      /* past that one space */
} vg_text_after;

/* Reads the token at s[*i] up to the next space or the end of s: sets *tok, returns its
 * length (0 when s[*i] is a space) and moves *i as after says. */
size_t vg_text_token(const char *s, size_t n, size_t *i, vg_text_after after, const char **tok);

/* Moves *i past the byte c if s[*i] is c and returns 1; else returns 0 (*i stays). */
int vg_text_eat(const char *s, size_t n, size_t *i, char c);

/* Matches all of s[0..n) against tpl (see the top of this file); on a match fills caps[0..ncaps)
 * (tpl must have exactly ncaps '%') and returns 1, else returns 0. */
int vg_text_match(const char *s, size_t n, const char *tpl, vg_text *caps, int ncaps);

/* Finds key=value in a list like "k=v k=v" (sep ' ') or "k=v, k=v" (sep ','): a value runs to
 * the next "word=" after a space or sep, without trailing spaces and seps, so it may hold
 * spaces ("user=a b"). Returns 1 and the (possibly empty) value, or 0 if key is absent. */
int vg_text_kv(const char *s, size_t n, char sep, const char *key, vg_text *val);

/* Decodes s[0..n) with the first of shapes whose prefix it has; returns what that shape's
 * decode returned (1: recognized), or 0 when no prefix fits. */
int vg_text_decode_shapes(vg_event *ev, const vg_text_shape *shapes, const char *s, size_t n);

/* Sets event.kind "event", event.dataset and the fields of k. */
void vg_text_set_kind(vg_event *ev, const char *dataset, const vg_text_kind *k);

/* Sets field name to v if v is not empty. */
void vg_text_set(vg_event *ev, const char *name, vg_text v);

/* What a host token is (vg_text_host_kind). */
enum { VG_HOST_NONE = 0, VG_HOST_IP, VG_HOST_NAME };

/* Is host an IP address (VG_HOST_IP), a DNS host name (letters, digits, '-', '_', '.':
 * VG_HOST_NAME), or neither (VG_HOST_NONE, zero)? */
int vg_text_host_kind(vg_text host);

/* Is host an IP address or a DNS host name? */
static inline int vg_text_is_host(vg_text host)
{
    return vg_text_host_kind(host) != VG_HOST_NONE;
}

/* Sets ip_field to host if it is an IP address, else domain_field if it is a host name other
 * than "UNKNOWN" (either field may be NULL: nothing is set then). Returns 1 if a field was set. */
int vg_text_set_host(vg_event *ev, const char *ip_field, const char *domain_field, vg_text host);

/* vg_text_set_host for a host whose vg_text_host_kind the caller already has. */
int vg_text_set_host_kind(vg_event *ev, const char *ip_field, const char *domain_field, vg_text host, int kind);

/* Sets field name to the port number v if it is 1 to 65535 written plainly; returns 1 if the
 * field was set, 0 if v is no such port (or the field table is full). */
int vg_text_set_port(vg_event *ev, const char *name, vg_text v);

/* Sets user.name, source.ip or source.domain, source.user.name from a PAM item list
 * "logname=L uid=N euid=N tty=T ruser=R rhost=H [user=U]". */
void vg_text_set_pam_items(vg_event *ev, const char *s, size_t n);

/* Is this a PAM line: app "prog(pam_module)" (old style) or a message "pam_module(...)..."? */
int vg_text_is_pam(const char *app, size_t app_len, const char *msg, size_t msg_len);

/* Result for a program decoder: VG_ERR_LIMIT when the event's field table is full (a field may
 * have been dropped), else VG_OK. */
vg_rc vg_text_result(const vg_event *ev);

#endif
