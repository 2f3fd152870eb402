/*
 * util-datadir: the default data directory of the daemon (see util-datadir.h for the rule).
 */
#include "util-datadir.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static vg_rc fit(size_t cap, int n, vg_error *err)
{
    if (n < 0 || (size_t)n >= cap)
        return vg_fail(err, VG_ERR_LIMIT, 0, "data directory path longer than %zu bytes", cap - 1);
    return VG_OK;
}

vg_rc vg_data_dir(char *buf, size_t cap, vg_error *err)
{
    const char *v = getenv("VIGIL_DATA_DIR");
    if (v && v[0])
        return fit(cap, snprintf(buf, cap, "%s", v), err);
    if (geteuid() == 0)
        return fit(cap, snprintf(buf, cap, "/var/lib/vigil"), err);
    if ((v = getenv("XDG_DATA_HOME")) && v[0] == '/')
        return fit(cap, snprintf(buf, cap, "%s/vigil", v), err);
    if ((v = getenv("HOME")) && v[0])
        return fit(cap, snprintf(buf, cap, "%s/.local/share/vigil", v), err);
    return vg_fail(err, VG_ERR_NOTFOUND, 0, "no data directory: set VIGIL_DATA_DIR (HOME is not set)");
}

vg_rc vg_data_path(const char *name, char *buf, size_t cap, vg_error *err)
{
    vg_rc rc = vg_data_dir(buf, cap, err);
    if (rc)
        return rc;
    size_t n = strlen(buf);
    return fit(cap, (int)n + snprintf(buf + n, cap - n, "/%s", name), err);
}
