/*
 * sigma-logsource: which events a Sigma rule applies to, and where its field names are in them.
 *
 * A mapping (etc/sigma-logsources.yml is built in; a site's own copy can replace it) lists
 * sources, the kinds of event Vigil's decoders produce (Sysmon process creation, Security,
 * sshd through syslog, web server access, Zeek DNS, ...). Each source has conditions on the
 * decoded event, the Sigma logsources it serves, and a field set that turns the field names of
 * rules into places in the event: an ECS path, a Windows event data member (in any of the
 * three Windows JSON shapes), or a path of the JSON record.
 *
 * A rule applies to an event when one of the event's sources serves the rule's logsource: every
 * one of product, category and service that the rule names is equal in that source's entry.
 *
 * Main structure: vg_sigma_mapping, an array of sources (their conditions and logsource
 * entries) and an array of field sets, all owned, read-only once loaded (shared by workers).
 */
#ifndef VIGIL_SIGMA_LOGSOURCE_H
#define VIGIL_SIGMA_LOGSOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "util-error.h"

#define VG_SIGMA_MAPPING_MAX (1u << 20)     /* limit: bytes of a mapping file */
#define VG_SIGMA_MAX_SOURCES 1024u          /* limit: sources of a mapping */

typedef struct vg_sigma_mapping vg_sigma_mapping;

typedef enum vg_sigma_place_kind {
    VG_SIGMA_PLACE_PATH = 0,    /* a path looked up with vg_event_get (ECS field or record) */
    VG_SIGMA_PLACE_EVENTDATA,   /* a Windows event data member */
    VG_SIGMA_PLACE_RECORD       /* a path of the JSON record only */
} vg_sigma_place_kind;

/* Where one field of a rule is found in events of one source. */
typedef struct vg_sigma_place {
    vg_sigma_place_kind kind;
    const char *name;           /* the path or member name (owned by the mapping or the caller) */
    size_t len;
} vg_sigma_place;

/* Loads a mapping file; path NULL loads the built-in one. Errors say FILE:LINE: reason. */
vg_rc vg_sigma_mapping_load(vg_sigma_mapping **out, const char *path, vg_error *err);

/* Loads a mapping from text[0..len) named name. */
vg_rc vg_sigma_mapping_parse(vg_sigma_mapping **out, const char *text, size_t len, const char *name,
                             vg_error *err);

/* Frees a mapping. */
void vg_sigma_mapping_free(vg_sigma_mapping *m);

/* Number of sources, and the name of source i. */
size_t vg_sigma_mapping_count(const vg_sigma_mapping *m);
const char *vg_sigma_source_name(const vg_sigma_mapping *m, size_t i);

/* The sources that serve a rule's logsource (product, category, service: NULL for a part the
 * rule does not name), into ids (at most max); returns how many there are. A source with
 * product_rules: false serves no rule that names the product alone. */
size_t vg_sigma_mapping_sources_for(const vg_sigma_mapping *m, const char *product, const char *category,
                                    const char *service, uint16_t *ids, size_t max);

#define VG_SIGMA_MAX_KEYS 64        /* limit: distinct event paths the mapping's match conditions read */
#define VG_SIGMA_NAME_SLOTS 1024    /* field name addresses classification remembers (power of 2) */

/* The values of the mapping's condition paths that one classification read from an event, so
 * that a reader of the same path need not look it up again. */
typedef struct vg_sigma_keyvals {
    vg_value vals[VG_SIGMA_MAX_KEYS];
    uint8_t have[VG_SIGMA_MAX_KEYS];        /* vals[k] was read from the event */
    /* The keys of the decoders' field names met so far (-1: none), by the name's address
     * (decoders name fields with string constants): open addressing, at most half full, for
     * names_of only (NULL: empty). */
    const struct vg_sigma_mapping *names_of;
    const char *name[VG_SIGMA_NAME_SLOTS];
    int8_t name_key[VG_SIGMA_NAME_SLOTS];
    unsigned nnames;
} vg_sigma_keyvals;

/* The sources event ev belongs to, in the mapping's order, into ids; returns how many. The
 * values it read are left in kv when kv is not NULL (zeroed before its first use; kept from
 * one event to the next, it remembers the keys of the field names it met). */
size_t vg_sigma_mapping_classify(const vg_sigma_mapping *m, const vg_event *ev, uint16_t *ids, size_t max,
                                 vg_sigma_keyvals *kv);

/* The number of plain event path name[0..len) among the mapping's condition paths (as
 * vg_sigma_keyvals holds them), or -1 when no condition reads it. */
int vg_sigma_mapping_key(const vg_sigma_mapping *m, const char *name, size_t len);

/* Is Sigma field name one whose values repeat across most events of its kind (the mapping's
 * frequent_fields)? The prefilter avoids waking rules on conditions over such fields. */
int vg_sigma_mapping_frequent(const vg_sigma_mapping *m, const char *name);

/* Where field name (a rule's field name) is found in events of source src; VG_ERR_NOTFOUND
 * with a reason when that source does not map it. out->name may point into name. */
vg_rc vg_sigma_mapping_field(const vg_sigma_mapping *m, size_t src, const char *name, vg_sigma_place *out,
                             vg_error *err);

/* The value of a mapped field in ev (type VG_JSON_NONE when absent). */
vg_value vg_sigma_place_value(const vg_sigma_place *f, const vg_event *ev);

/* An index of the Windows event data members a rule set reads: the member names are given
 * once (the event-data places among a list of places), and each event's members are walked
 * once, on the first lookup, each member name found in a table of the wanted names. A lookup
 * is then a table read. Answers are vg_sigma_place_value's. One per thread. */
typedef struct vg_sigma_evidx vg_sigma_evidx;

/* An index of the VG_SIGMA_PLACE_EVENTDATA places among places[0..n) (their names must outlive
 * it); the others are answered by vg_sigma_place_value. */
vg_rc vg_sigma_evidx_new(vg_sigma_evidx **out, const vg_sigma_place *places, size_t n, vg_error *err);

/* Frees an index (NULL is fine). */
void vg_sigma_evidx_free(vg_sigma_evidx *idx);

/* Forgets the event last indexed (call when an event buffer is reused for another event). */
void vg_sigma_evidx_forget(vg_sigma_evidx *idx);

/* The value of places[i] (i < n as given to vg_sigma_evidx_new) in ev: vg_sigma_place_value's
 * answer. */
vg_value vg_sigma_evidx_value(vg_sigma_evidx *idx, size_t i, const vg_event *ev);

#endif
