/*
 * decode: the decoder registry, format detection and the contract every decoder keeps.
 *
 * A decoder turns one record (a text line, or a scanned JSON object) into ECS fields on a
 * vg_event. Text decoders read ev->text[0..ev->len); JSON decoders read ev->doc. A decoder:
 *   - sets only fields it is sure of, with values that are slices of the record or strings it
 *     wrote into the event's scratch (vg_event_scratch), never heap memory;
 *   - keeps "event.original" for text input (the caller sets it);
 *   - returns VG_ERR_PARSE with a reason when the record is not of its format (the record is
 *     then rejected and reported as FILE:LINE: reason), VG_OK otherwise;
 *   - allocates nothing and keeps no state between records (ctx is read-only).
 *
 * Formats ("--format"): text formats are chosen once per input, from its first line; JSON
 * objects pick their decoder (Windows, Suricata, Zeek, generic) per record from their shape.
 */
#ifndef VIGIL_DECODE_H
#define VIGIL_DECODE_H

#include <stddef.h>
#include <stdint.h>
#include "event.h"
#include "util-error.h"
#include "util-time.h"

/* Options that decoders read; set once per run. */
typedef struct vg_decode_opts {
    int year;           /* year for timestamps without one (RFC 3164); 0: infer from reference */
    int64_t reference;  /* "now" for year inference, seconds since the epoch (file mtime) */
    long tz_offset;     /* seconds east of UTC for timestamps without a zone */
} vg_decode_opts;

typedef struct vg_decoder {
    const char *name;       /* --format name (decoders set event.module/dataset themselves) */
    const char *summary;    /* one line for --help */
    int json;               /* 1: reads JSON objects; 0: reads text lines */
    /* Text decoders: does this line look like the format? (used to detect a file's format)
     * JSON decoders: does this object have the decoder's shape? */
    int (*probe)(const vg_event *ev);
    vg_rc (*decode)(const vg_decode_opts *opts, vg_event *ev, vg_error *err);
} vg_decoder;

/* The decoder named name, or NULL. */
const vg_decoder *vg_decoder_find(const char *name);

/* All decoders, NULL-terminated, in detection order. */
const vg_decoder *const *vg_decoders(void);

/* Chooses the decoder for an input whose first bytes are data[0..n): "json" when it starts
 * with a JSON object or array, else the first text decoder whose probe accepts the first
 * non-empty line (*line: its number). NULL if nothing fits, *line then names the line that
 * matched no decoder, or 0 if data holds only whitespace. */
const vg_decoder *vg_decoder_detect(const char *data, size_t n, uint64_t *line);

/* Decodes one JSON object with the first JSON decoder whose probe accepts it (the generic
 * decoder accepts any object). */
vg_rc vg_decode_json(const vg_decode_opts *opts, vg_event *ev, vg_error *err);

/* Fills opts with defaults: infer the year from now, local time zone offset. */
void vg_decode_opts_default(vg_decode_opts *opts);

/* ---- helpers shared by decoders ------------------------------------------------------- */

/* Sets "@timestamp" from t (formatted into scratch). */
vg_rc vg_decode_set_time(vg_event *ev, const vg_time *t);

/* Sets "@timestamp" from an ISO 8601 / RFC 3339 string; VG_ERR_PARSE if it is not one. */
vg_rc vg_decode_set_iso_time(const vg_decode_opts *opts, vg_event *ev, const char *s, size_t n);

/* Sets field name to the IP address s[0..n) if it is a valid IPv4/IPv6 address (returns 1),
 * else leaves it unset (returns 0). */
int vg_decode_set_ip(vg_event *ev, const char *name, const char *s, size_t n);

/* Sets field name to the decimal number s[0..n) if it is a plain non-negative integer of at
 * most 19 digits (returns 1), else leaves it unset (returns 0). */
int vg_decode_set_uint(vg_event *ev, const char *name, const char *s, size_t n);

/* Copies a JSON string member at path of the record to field name (types kept; returns 1 when
 * the path exists). */
int vg_decode_copy(vg_event *ev, const char *name, const char *path);

/* Is s[0..n) a valid IPv4 or IPv6 address? */
int vg_is_ip(const char *s, size_t n);

/* ---- the decoders (each defined in its decode-*.c) ------------------------------------- */

extern const vg_decoder vg_decoder_auditd;         /* decode-auditd.c */
extern const vg_decoder vg_decoder_sysmon_linux;   /* decode-sysmon-linux.c */
extern const vg_decoder vg_decoder_syslog;         /* decode-syslog.c */
extern const vg_decoder vg_decoder_web_access;     /* decode-web.c */
extern const vg_decoder vg_decoder_apache_error;   /* decode-web.c */
extern const vg_decoder vg_decoder_clamav;         /* decode-malware.c */
extern const vg_decoder vg_decoder_windows;        /* decode-windows.c */
extern const vg_decoder vg_decoder_suricata;       /* decode-netsec.c */
extern const vg_decoder vg_decoder_zeek;           /* decode-netsec.c */
extern const vg_decoder vg_decoder_json;           /* decode.c: any other JSON object */

#endif
