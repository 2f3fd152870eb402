/*
 * sigma-fixture: what the Sigma engine and logsource tests share: the built-in logsource map
 * (map), loaded with the JSON decoder fixture by sigma_setup and freed by sigma_teardown (run
 * the group with them). Include after decode-fixture.h.
 */
#ifndef VIGIL_TEST_SIGMA_FIXTURE_H
#define VIGIL_TEST_SIGMA_FIXTURE_H

#include <stdio.h>

#include "sigma-logsource.h"

static vg_sigma_mapping *map;

static int sigma_setup(void **state)
{
    vg_error e;
    if (json_setup(state) != 0)
        return -1;
    if (vg_sigma_mapping_load(&map, NULL, &e) != VG_OK) {
        fprintf(stderr, "%s\n", e.msg);
        return -1;
    }
    return 0;
}

static int sigma_teardown(void **state)
{
    vg_sigma_mapping_free(map);
    return json_teardown(state);
}

#endif
