/*
 * detect-alert: writes the shared envelope of an alert (see detect-alert.h).
 */
#include "detect-alert.h"

#include <string.h>

#include "json-write.h"
#include "util-time.h"

vg_rc vg_alert_begin(vg_buf *b, const char *kind, const vg_event *ev, const vg_alert_origin *o, int64_t now)
{
    char created[VG_RFC3339_MAX];
    vg_time t = { now, 0, 0 };
    vg_time_format(&t, created);
    vg_value ts = vg_event_get(ev, "@timestamp");
    vg_buf_puts(b, "{\"@timestamp\":");
    if (ts.type == VG_JSON_STRING)
        vg_jw_value(b, &ts);
    else
        vg_buf_printf(b, "\"%s\"", created);
    vg_buf_printf(b, ",\"alert\":{\"kind\":\"%s\",\"created\":\"%s\",\"input\":", kind, created);
    vg_jw_string(b, o->input, strlen(o->input), NULL);
    vg_buf_printf(b, ",\"record\":%llu,\"line\":%llu", (unsigned long long)o->record,
                  (unsigned long long)o->line);
    if (o->repeat > 1)
        vg_buf_printf(b, ",\"repeat\":%u", o->repeat);
    if (o->unit) {
        vg_buf_puts(b, ",\"unit\":");
        vg_jw_string(b, o->unit, strlen(o->unit), NULL);
    }
    if (o->received_us)
        vg_buf_printf(b, ",\"received_us\":%lld", (long long)o->received_us);
    return vg_buf_putc(b, '}');
}

vg_rc vg_alert_end(vg_buf *b, const vg_event *ev)
{
    vg_buf_puts(b, ",\"event\":");
    vg_rc rc = vg_event_to_json(ev, b);
    if (rc)
        return rc;
    return vg_buf_puts(b, "}\n");
}
