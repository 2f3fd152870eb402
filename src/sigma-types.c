/*
 * sigma-types: names of the Sigma value modifiers (see sigma-types.h).
 */
#include "sigma-types.h"

#include <string.h>

static const char *const mod_names[VG_SIGMA_NMODS] = {
    [VG_SIGMA_MOD_ALL] = "all",
    [VG_SIGMA_MOD_STARTSWITH] = "startswith",
    [VG_SIGMA_MOD_ENDSWITH] = "endswith",
    [VG_SIGMA_MOD_CONTAINS] = "contains",
    [VG_SIGMA_MOD_EXISTS] = "exists",
    [VG_SIGMA_MOD_CASED] = "cased",
    [VG_SIGMA_MOD_NEQ] = "neq",
    [VG_SIGMA_MOD_WINDASH] = "windash",
    [VG_SIGMA_MOD_RE] = "re",
    [VG_SIGMA_MOD_RE_I] = "i",
    [VG_SIGMA_MOD_RE_M] = "m",
    [VG_SIGMA_MOD_RE_S] = "s",
    [VG_SIGMA_MOD_BASE64] = "base64",
    [VG_SIGMA_MOD_BASE64OFFSET] = "base64offset",
    [VG_SIGMA_MOD_UTF16LE] = "utf16le",
    [VG_SIGMA_MOD_UTF16BE] = "utf16be",
    [VG_SIGMA_MOD_UTF16] = "utf16",
    [VG_SIGMA_MOD_WIDE] = "wide",
    [VG_SIGMA_MOD_LT] = "lt",
    [VG_SIGMA_MOD_LTE] = "lte",
    [VG_SIGMA_MOD_GT] = "gt",
    [VG_SIGMA_MOD_GTE] = "gte",
    [VG_SIGMA_MOD_MINUTE] = "minute",
    [VG_SIGMA_MOD_HOUR] = "hour",
    [VG_SIGMA_MOD_DAY] = "day",
    [VG_SIGMA_MOD_WEEK] = "week",
    [VG_SIGMA_MOD_MONTH] = "month",
    [VG_SIGMA_MOD_YEAR] = "year",
    [VG_SIGMA_MOD_CIDR] = "cidr",
    [VG_SIGMA_MOD_EXPAND] = "expand",
    [VG_SIGMA_MOD_FIELDREF] = "fieldref",
};

const char *vg_sigma_mod_name(vg_sigma_mod mod)
{
    return (unsigned)mod < VG_SIGMA_NMODS ? mod_names[mod] : "?";
}

int vg_sigma_mod_from_name(const char *s, size_t n)
{
    for (int i = 0; i < VG_SIGMA_NMODS; i++)
        if (strlen(mod_names[i]) == n && memcmp(mod_names[i], s, n) == 0)
            return i;
    return -1;
}
