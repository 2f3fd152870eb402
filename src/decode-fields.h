/*
 * decode-fields: typed copies from a scanned JSON record into ECS fields, shared by the
 * decoders of JSON-shaped events (decode-windows.c, decode-netsec.c).
 *
 * Records come from anywhere, so a member may be missing, null, or of the wrong type (a string
 * where a number is expected, an array where a string is). Each setter checks the type and the
 * syntax of the value and sets the field only when both are right; otherwise it leaves the
 * field unset and returns 0. Values are set by reference into the record (strings keep their
 * raw, possibly escaped, JSON content); only lowercased text, numbers and timestamps that are
 * written differently from the record go to the event's scratch area.
 */
#ifndef VIGIL_DECODE_FIELDS_H
#define VIGIL_DECODE_FIELDS_H

#include <stddef.h>
#include <stdint.h>

#include "decode.h"

/* The value of token i of the record (i < 0: absent); null counts as absent. */
vg_value vg_df_at(const vg_event *ev, int i);

/* The value at dotted path under token at of the record (at < 0 or path NULL: absent). Null
 * counts as absent: the result has type VG_JSON_NONE. */
vg_value vg_df_get(const vg_event *ev, int at, const char *path);

/* The value of member key (exact, dots are not split) of object token obj (obj < 0 or key
 * NULL: absent); null counts as absent. */
vg_value vg_df_member(const vg_event *ev, int obj, const char *key);

/* Token index of the object at path under token at, or -1 if absent or not an object. */
int vg_df_object(const vg_event *ev, int at, const char *path);

/* Is v an unescaped string equal to s, ignoring ASCII case? */
int vg_df_is(vg_value v, const char *s);

/* Is v a string or a number? Strings that are empty or "-" (Windows' "no value") are not. */
int vg_df_present(vg_value v);

/* Sets string field name to v when v is a present string (see vg_df_present). */
int vg_df_str(vg_event *ev, const char *name, vg_value v);

/* Sets string field name to v when v is a present string, or to the literal text of v when v
 * is a number (ECS keywords such as event.code and rule.id hold numbers as strings). */
int vg_df_keyword(vg_event *ev, const char *name, vg_value v);

/* Reads a non-negative integer of at most 18 digits from a number or a decimal string (and,
 * when hex is set, a "0x" hexadecimal string of at most 15 digits). Returns 0 or -1. */
int vg_df_to_uint(vg_value v, int hex, uint64_t *out);

/* Sets number field name from v read as by vg_df_to_uint (decimal only). */
int vg_df_uint(vg_event *ev, const char *name, vg_value v);

/* Sets port field name from v when it reads as an integer from 1 to 65535. */
int vg_df_port(vg_event *ev, const char *name, vg_value v);

/* Sets address field name to v when v is a string holding a valid IPv4 or IPv6 address. */
int vg_df_ip(vg_event *ev, const char *name, vg_value v);

/* Sets string field name to v lowercased; v is copied to scratch only when it has upper case
 * letters. Escaped strings are not lowercased (set as they are). */
int vg_df_lower(vg_event *ev, const char *name, vg_value v);

/* Reads a time from an ISO 8601 string (no zone: opts->tz_offset) or, when epoch is set, from
 * a number of seconds since the epoch with an optional fraction (Zeek's "ts"). 0 or -1. */
int vg_df_to_time(const vg_decode_opts *opts, vg_value v, int epoch, vg_time *t);

/* Sets time field name to t written as RFC 3339 UTC (in scratch). */
int vg_df_set_time(vg_event *ev, const char *name, const vg_time *t);

/* The bytes [off, off+n) of string value v (raw JSON content). The caller cuts only between
 * escape sequences; the slice is marked escaped only when it holds a backslash. */
vg_value vg_df_slice(vg_value v, size_t off, size_t n);

#endif
