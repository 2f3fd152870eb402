/*
 * intel-snapshot-info: what a snapshot holds, for `vigil intel stats` and the live reload's
 * identity: counts per type, feeds, size, creation time, sections (see intel-snapshot.h).
 * Every offset read from the file is checked as in intel-snapshot.c.
 */
#include <stdio.h>
#include <string.h>

#include "intel-snapshot-internal.h"

uint64_t vg_snap_count(const vg_snap *s, int type)
{
    if (type > VG_IND_NONE && type < VG_IND_NTYPES)
        return s->counts[type];
    uint64_t n = 0;
    for (int t = 1; t < VG_IND_NTYPES; t++)
        n += s->counts[t];
    return n;
}

size_t vg_snap_feed_count(const vg_snap *s)
{
    return (size_t)s->nfeeds;
}

int vg_snap_feed(const vg_snap *s, size_t i, vg_intel_feed_info *out)
{
    if (i >= s->nfeeds)
        return -1;
    const snap_feed *f = &s->feeds[i];
    memset(out, 0, sizeof *out);
    out->name = vg_snap_text_at(s, f->name);
    out->path = vg_snap_text_at(s, f->path);
    out->format = f->format < VG_FEED_NFORMATS ? (vg_feed_format)f->format : VG_FEED_PLAIN;
    out->role = f->role == VG_INTEL_ALLOW ? VG_INTEL_ALLOW : VG_INTEL_BLOCK;
    out->weight = f->weight;
    out->expire_days = f->expire_days;
    out->loaded = f->loaded;
    out->records = f->records;
    out->accepted = f->accepted;
    out->rejected = f->rejected;
    out->expired = f->expired;
    out->files = f->files;
    for (int t = 0; t < VG_IND_NTYPES; t++) {
        out->entries[t] = f->entries[t];
        out->unique[t] = f->unique[t];
    }
    return 0;
}

uint64_t vg_snap_file_size(const vg_snap *s)
{
    return s->size;
}

int64_t vg_snap_created(const vg_snap *s)
{
    return s->hdr->created;
}

uint64_t vg_snap_identity(const vg_snap *s)
{
    uint64_t id;
    memcpy(&id, s->hdr->sha256, sizeof id);
    return id ^ s->seed;
}

size_t vg_snap_section_count(const vg_snap *s)
{
    return s->nsecs;
}

int vg_snap_section(const vg_snap *s, size_t i, char *name, size_t cap, uint64_t *bytes, uint64_t *count)
{
    static const char *const names[] = {
        [SEC_STRINGS] = "strings", [SEC_FEEDS] = "feeds", [SEC_PROVS] = "provenance records",
        [SEC_REFLISTS] = "reference lists", [SEC_PROVLISTS] = "provenance lists", [SEC_COUNTS] = "counts",
        [SEC_NETS4] = "networks v4", [SEC_SEG4_START] = "segments v4", [SEC_SEG4_VALUE] = "segment values v4",
        [SEC_SEG4_INDEX] = "segment index v4", [SEC_NETLISTS4] = "network lists v4", [SEC_NETS6] = "networks v6",
        [SEC_SEG6_START] = "segments v6", [SEC_SEG6_VALUE] = "segment values v6",
        [SEC_NETLISTS6] = "network lists v6", [SEC_DSUFFIX] = "domain suffixes",
    };
    if (i >= s->nsecs)
        return -1;
    const snap_section *sec = &s->secs[i];
    if (sec->id == SEC_DTOP)
        snprintf(name, cap, "one-label domains");    /* that match subdomains: DTOP */
    else if (sec->id >= SEC_FILTER)
        snprintf(name, cap, "filter %s", vg_ind_kind_name((int)(sec->id - SEC_FILTER)));
    else if (sec->id >= SEC_TABLE)
        snprintf(name, cap, "table %s", vg_ind_kind_name((int)(sec->id - SEC_TABLE)));
    else if (sec->id > SEC_KEYS)
        snprintf(name, cap, "keys %s", vg_ind_kind_name((int)(sec->id - SEC_KEYS)));
    else
        snprintf(name, cap, "%s", sec->id < sizeof names / sizeof names[0] && names[sec->id] ? names[sec->id] : "?");
    *bytes = sec->count * sec->elem_size;
    *count = sec->count;
    return 0;
}
