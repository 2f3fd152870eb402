/*
 * intel-json: writes an indicator source's provenance as JSON (see intel-json.h).
 */
#include "intel-json.h"

#include <string.h>

#include "json-write.h"
#include "util-time.h"

const char *vg_intel_role_name(vg_intel_role role)
{
    return role == VG_INTEL_ALLOW ? "allow" : "block";
}

vg_rc vg_intel_json_time(vg_buf *b, int64_t t)
{
    char text[VG_RFC3339_MAX];
    vg_time v = { t, 0, 0 };
    vg_time_format(&v, text);
    return vg_buf_printf(b, "\"%s\"", text);
}

static void json_text(vg_buf *b, const char *key, const char *val)
{
    if (!val[0])
        return;
    vg_buf_printf(b, ",\"%s\":", key);
    vg_jw_string(b, val, strlen(val), NULL);
}

static void json_when(vg_buf *b, const char *key, int64_t t)
{
    if (!t)
        return;
    vg_buf_printf(b, ",\"%s\":", key);
    vg_intel_json_time(b, t);
}

vg_rc vg_intel_json_source(vg_buf *b, const vg_snap *snap, const vg_intel_source *src, int64_t now)
{
    vg_buf_puts(b, "{\"feed\":");
    vg_jw_string(b, src->feed, strlen(src->feed), NULL);
    vg_buf_printf(b, ",\"format\":\"%s\",\"role\":\"%s\",\"weight\":%u", vg_feed_format_name(src->format),
                  vg_intel_role_name(src->role), src->weight);
    json_text(b, "family", src->family);
    json_text(b, "aliases", src->aliases);
    json_text(b, "note", src->note);
    if (src->nrefs) {
        vg_buf_puts(b, ",\"references\":[");
        for (unsigned j = 0; j < src->nrefs; j++) {
            const char *r = vg_snap_source_reference(snap, src, j);
            if (j)
                vg_buf_putc(b, ',');
            vg_jw_string(b, r, strlen(r), NULL);
        }
        vg_buf_putc(b, ']');
    }
    if (src->count)
        vg_buf_printf(b, ",\"count\":%u", (unsigned)src->count);
    json_when(b, "first_seen", src->first_seen);
    json_when(b, "last_seen", src->last_seen);
    json_when(b, "expires", src->expires);
    if (src->expires && src->expires <= now)
        vg_buf_puts(b, ",\"expired\":true");
    if (src->flags & VG_PROV_HOST_ONLY)
        vg_buf_puts(b, ",\"exact_host_only\":true");
    return vg_buf_putc(b, '}');
}
