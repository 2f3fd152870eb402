/*
 * event: the event model every stage reads.
 *
 * An event is a JSON object. It is made of two layers that are never copied into one:
 *   - the record: the input bytes (a text line, or a JSON text scanned in place into a tape);
 *   - the fields: Elastic Common Schema fields set by a decoder ("source.ip", "user.name"),
 *     each a typed slice pointing into the record or into the event's scratch area.
 * A lookup by dotted path asks the fields first, then the scanned JSON record, so rules see one
 * object. Serialization merges both into one JSON object (fields win where both have a value;
 * fields below a key whose record value is not an object replace that value, so a decoder that
 * sets them carries the value over).
 *
 * A vg_event is reused from record to record: vg_event_reset() forgets the previous record in
 * O(1). Fields and scratch are fixed-size arrays, so decoding allocates nothing per event.
 */
#ifndef VIGIL_EVENT_H
#define VIGIL_EVENT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "json-scan.h"
#include "util-buf.h"


#define VG_EVENT_MAX_FIELDS 64      /* limit: ECS fields one decoder may set */
#define VG_EVENT_SCRATCH 4096       /* limit: bytes of values a decoder may synthesize */
#define VG_EVENT_KEY_MAX 256        /* escaped record keys longer than this are not merged with
                                       fields (no ECS name is that long) */

typedef struct vg_field {
    const char *name;   /* dotted ECS name; a string constant, never freed */
    vg_value value;
} vg_field;

typedef struct vg_event {
    const char *text;           /* the record: a text line or a JSON text (not owned) */
    size_t len;
    const vg_json_doc *doc;     /* the scanned record when it is JSON, else NULL */
    const char *source;         /* input name, for error messages and provenance */
    uint64_t line;              /* line number of the record's first byte (1-based) */
    const char *decoder;        /* name of the decoder that produced the fields */
    unsigned repeat;            /* times the record stands for (syslog "message repeated") */
    const char *body;           /* the message of a text record after its transport header (the */
    size_t body_len;            /* syslog header), which keyword searches read; NULL: the whole record */
    int audit;                  /* a Linux audit record (raw or carried by syslog): decode-auditd */
    unsigned nfields;
    uint64_t name_bits[4];      /* a bit per field name pointer set (vg_event_set's filter) */
    vg_field fields[VG_EVENT_MAX_FIELDS];
    size_t scratch_used;
    char scratch[VG_EVENT_SCRATCH];
} vg_event;

/* Starts a new record: forgets the fields and scratch of the previous one. */
void vg_event_reset(vg_event *ev, const char *text, size_t len, const vg_json_doc *doc);

/* Sets field name to value; the value set last wins in lookups and output. Names are matched
 * by pointer here (decoders pass string constants): an equal name at another address takes a
 * new slot, which costs a slot but not correctness. VG_ERR_LIMIT when VG_EVENT_MAX_FIELDS are
 * in use. name must outlive the event. */
vg_rc vg_event_set(vg_event *ev, const char *name, vg_value value);

/* Sets a plain-text string field from s[0..n) (s must outlive the event, e.g. in the record). */
vg_rc vg_event_set_str(vg_event *ev, const char *name, const char *s, size_t n);

/* Sets a plain-text string field from a NUL-terminated constant. Inline, so the length of a
 * string literal is computed by the compiler, not by a strlen call per event. */
static inline vg_rc vg_event_set_cstr(vg_event *ev, const char *name, const char *s)
{
    return vg_event_set_str(ev, name, s, strlen(s));
}

/* Sets a number field from its decimal text s[0..n) (already validated as a JSON number). */
vg_rc vg_event_set_num(vg_event *ev, const char *name, const char *s, size_t n);

/* Sets a number field from an integer (formatted into scratch). */
vg_rc vg_event_set_int(vg_event *ev, const char *name, long long v);

/* Sets a field to a JSON text held in a string constant (e.g. "[\"authentication\"]"). */
vg_rc vg_event_set_json(vg_event *ev, const char *name, const char *json);

/* Adds tag (a constant of letters, digits and '_') to the "tags" array: the decoder's tags so
 * far, or the record's own "tags" array, are kept. VG_ERR_LIMIT when scratch is full. */
vg_rc vg_event_add_tag(vg_event *ev, const char *tag);

/* Copies s[0..n) into the event's scratch area; NULL when scratch is full. */
char *vg_event_scratch(vg_event *ev, const char *s, size_t n);

/* Reserves n bytes of scratch to fill in place; NULL when scratch is full. */
char *vg_event_scratch_reserve(vg_event *ev, size_t n);

/* Looks up a dotted path (fields first, then the JSON record); type VG_JSON_NONE if absent. */
vg_value vg_event_get(const vg_event *ev, const char *path);

/* Looks up a dotted path in the JSON record only, not the decoder's fields; VG_JSON_NONE if absent. */
vg_value vg_event_doc_get(const vg_event *ev, const char *path);

/* Looks up a decoder-set field only; NULL if absent. */
const vg_field *vg_event_field(const vg_event *ev, const char *name);

/* Copies the decoded string value of v into out (cap bytes, NUL-terminated); returns the
 * length, or -1 if v is not a string or does not fit. */
long vg_value_string(const vg_value *v, char *out, size_t cap);

/* Does string value v equal the plain bytes s[0..n)? */
int vg_value_equals(const vg_value *v, const char *s, size_t n);

/* Appends the event as one JSON object (record and fields merged, compact, no newline). */
vg_rc vg_event_to_json(const vg_event *ev, vg_buf *out);

#endif
