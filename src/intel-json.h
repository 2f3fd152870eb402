/*
 * intel-json: the JSON form of what the indicator store says about a hit, shared by
 * `vigil intel lookup -o json` and the alerts of `vigil scan --intel`, so both print the same
 * provenance the same way (field names in docs/alerts.md).
 *
 * A source is {"feed", "format", "role", "weight", "family", "aliases", "note", "references",
 * "count", "first_seen", "last_seen", "expires", "expired", "exact_host_only"}; absent values
 * are left out.
 */
#ifndef VIGIL_INTEL_JSON_H
#define VIGIL_INTEL_JSON_H

#include <stdint.h>

#include "intel-snapshot.h"
#include "util-buf.h"

/* Appends one source as a JSON object; now decides "expired". */
vg_rc vg_intel_json_source(vg_buf *b, const vg_snap *snap, const vg_intel_source *src, int64_t now);

/* Appends t as a quoted RFC 3339 UTC time. */
vg_rc vg_intel_json_time(vg_buf *b, int64_t t);

/* Appends "role" text of a source: "block" or "allow". */
const char *vg_intel_role_name(vg_intel_role role);

#endif
