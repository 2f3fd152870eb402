/*
 * test-sigma-scancache: the worker's memory of prefilter scans (sigma-scancache.h). A value
 * is kept on its second sighting only; an answer comes back only for the same database and
 * the same bytes (the hash alone never decides); long values and long answers are not kept;
 * a reference answer (-1) is kept as one; the doorkeeper forgets values seen once long ago.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sigma-scancache.h"

/* Offers answer (result, ids[0..nids)) for (db, s) once. */
static void offer(sg_scache *c, uint32_t db, const char *s, int result, const uint32_t *ids, uint32_t nids)
{
    sg_scache_answer a = { result, nids, ids };
    sg_scache_put(c, sg_scache_hash(db, s, strlen(s)), db, s, strlen(s), &a);
}

/* Looks (db, s) up: 1 when found, with *a filled. */
static int look(sg_scache *c, uint32_t db, const char *s, sg_scache_answer *a)
{
    return sg_scache_get(c, sg_scache_hash(db, s, strlen(s)), db, s, strlen(s), a);
}

static void test_second_sighting(void **state)
{
    (void)state;
    sg_scache *c = sg_scache_new();
    assert_non_null(c);
    const uint32_t ids[3] = { 7, 11, 4000 };
    const char *v = "C:\\Windows\\System32\\cmd.exe /c whoami";
    sg_scache_answer a;
    offer(c, 3, v, 1, ids, 3);
    assert_false(look(c, 3, v, &a));            /* seen once: not kept */
    offer(c, 3, v, 1, ids, 3);
    assert_true(look(c, 3, v, &a));
    assert_int_equal(a.result, 1);
    assert_int_equal(a.nids, 3);
    assert_memory_equal(a.ids, ids, sizeof ids);
    assert_false(look(c, 4, v, &a));            /* another database */
    assert_false(look(c, 3, "C:\\Windows\\System32\\cmd.exe /c whoamI", &a));
    /* the right hash with other bytes of the same length: the bytes decide */
    const char *w = "C:\\Windows\\System32\\cmd.exe /c whoamX";
    assert_false(sg_scache_get(c, sg_scache_hash(3, v, strlen(v)), 3, w, strlen(w), &a));
    uint64_t hits, lookups;
    sg_scache_counts(c, &hits, &lookups);
    assert_int_equal(hits, 1);
    assert_int_equal(lookups, 5);
    sg_scache_free(c);
}

static void test_limits_and_reference(void **state)
{
    (void)state;
    sg_scache *c = sg_scache_new();
    assert_non_null(c);
    char long_value[SG_SCACHE_MAX_VALUE + 2];
    memset(long_value, 'a', sizeof long_value - 1);
    long_value[sizeof long_value - 1] = '\0';
    sg_scache_answer a;
    for (int i = 0; i < 2; i++)
        offer(c, 1, long_value, 1, NULL, 0);
    assert_false(look(c, 1, long_value, &a));   /* too long to keep */
    long_value[SG_SCACHE_MAX_VALUE] = '\0';     /* the longest kept */
    for (int i = 0; i < 2; i++)
        offer(c, 1, long_value, 1, NULL, 0);
    assert_true(look(c, 1, long_value, &a));
    assert_int_equal(a.nids, 0);
    uint32_t many[SG_SCACHE_MAX_IDS + 1];
    for (uint32_t i = 0; i <= SG_SCACHE_MAX_IDS; i++)
        many[i] = i;
    for (int i = 0; i < 2; i++)
        offer(c, 2, "many patterns", 1, many, SG_SCACHE_MAX_IDS + 1);
    assert_false(look(c, 2, "many patterns", &a));
    for (int i = 0; i < 2; i++)
        offer(c, 2, "many patterns", 1, many, SG_SCACHE_MAX_IDS);
    assert_true(look(c, 2, "many patterns", &a));
    assert_int_equal(a.nids, SG_SCACHE_MAX_IDS);
    for (int i = 0; i < 2; i++)
        offer(c, 5, "\xe2\x84\xaa", -1, NULL, 0);
    assert_true(look(c, 5, "\xe2\x84\xaa", &a));
    assert_int_equal(a.result, -1);
    assert_int_equal(a.nids, 0);
    sg_scache_free(c);
    sg_scache_free(NULL);
}

static void test_doorkeeper_forgets(void **state)
{
    (void)state;
    sg_scache *c = sg_scache_new();
    assert_non_null(c);
    sg_scache_answer a;
    offer(c, 9, "seen once, long ago", 1, NULL, 0);
    for (int i = 0; i < 20000; i++) {          /* many values seen once each */
        char v[32];
        snprintf(v, sizeof v, "file-%d.tmp", i);
        offer(c, 9, v, 1, NULL, 0);
    }
    offer(c, 9, "seen once, long ago", 1, NULL, 0);
    assert_false(look(c, 9, "seen once, long ago", &a));   /* forgotten: a first sighting again */
    offer(c, 9, "seen once, long ago", 1, NULL, 0);
    assert_true(look(c, 9, "seen once, long ago", &a));
    sg_scache_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_second_sighting),
        cmocka_unit_test(test_limits_and_reference),
        cmocka_unit_test(test_doorkeeper_forgets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
