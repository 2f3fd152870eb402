/*
 * test-intel-live: reloading the snapshot while workers match. Two snapshots that answer one
 * question differently (A knows 192.0.2.1, B knows 192.0.2.2) are swapped hundreds of times
 * while worker threads acquire, look up and release; every answer must be the one of the
 * snapshot the worker holds (never a mix, never a closed mapping: ASan watches), a failed
 * reload must leave the current snapshot, and every snapshot is unmapped once its last holder
 * lets go (LeakSanitizer watches).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

#include "intel-live.h"
#include "intel-store.h"

#define RELOADS 300
#define WORKERS 3

static char dir[64], path_a[128], path_b[128];

static void build(const char *path, const char *feed, const char *value)
{
    vg_istore *s;
    vg_error err;
    unsigned id;
    static vg_ind ind;
    vg_feed_prov p;
    memset(&p, 0, sizeof p);
    p.family = p.aliases = p.note = "";
    p.source = "t";
    vg_istore_feed f = { feed, "x", VG_FEED_PLAIN, VG_INTEL_BLOCK, 1, 0 };
    assert_int_equal(vg_istore_new(&s, &err), VG_OK);
    assert_int_equal(vg_istore_add_feed(s, &f, &id, &err), VG_OK);
    assert_int_equal(vg_ind_parse(VG_IND_GUESS, value, strlen(value), &ind, &err), VG_OK);
    assert_int_equal(vg_istore_add(s, id, &ind, &p, 0, &err), VG_OK);
    assert_int_equal(vg_istore_write(s, path, 1, &err), VG_OK);
    vg_istore_free(s);
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/vigil-test-live-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(path_a, sizeof path_a, "%s/a.vgi", dir);
    snprintf(path_b, sizeof path_b, "%s/b.vgi", dir);
    build(path_a, "a", "192.0.2.1");
    build(path_b, "b", "192.0.2.2");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(path_a);
    unlink(path_b);
    rmdir(dir);
    return 0;
}

typedef struct worker {
    pthread_t thread;
    vg_intel_live *live;
    atomic_int *stop;
    atomic_int *ready;                  /* workers that finished a round: reloads wait for all */
    unsigned long rounds, wrong;
} worker;

static void *work(void *arg)
{
    worker *w = arg;
    while (!atomic_load(w->stop)) {
        const vg_snap *snap;
        vg_intel_ref *ref = vg_intel_live_acquire(w->live, &snap);
        int odd = vg_intel_ref_generation(ref) & 1;     /* odd generations are A */
        for (int i = 0; i < 50; i++) {
            uint32_t a = vg_snap_find_ipv4(snap, 0xC0000201), b = vg_snap_find_ipv4(snap, 0xC0000202);
            if ((a != 0) != odd || (b != 0) == odd)
                w->wrong++;
        }
        vg_intel_feed_info info;
        if (vg_snap_feed(snap, 0, &info) != 0 || strcmp(info.name, odd ? "a" : "b") != 0)
            w->wrong++;
        vg_intel_live_release(ref);
        if (w->rounds++ == 0)
            atomic_fetch_add(w->ready, 1);
    }
    return NULL;
}

static void test_reload_while_matching(void **state)
{
    (void)state;
    vg_intel_live *live;
    vg_error err;
    atomic_int stop, ready;
    atomic_init(&stop, 0);
    atomic_init(&ready, 0);
    assert_int_equal(vg_intel_live_open(&live, path_a, VG_SNAP_VERIFY, &err), VG_OK);
    worker w[WORKERS];
    for (int i = 0; i < WORKERS; i++) {
        w[i] = (worker){ .live = live, .stop = &stop, .ready = &ready };
        assert_int_equal(pthread_create(&w[i].thread, NULL, work, &w[i]), 0);
    }
    while (atomic_load(&ready) < WORKERS)   /* every worker matching before the reloads start (a */
        sched_yield();                      /* loaded machine may not run them sooner) */
    for (int r = 0; r < RELOADS; r++) {
        /* generation r + 2 is even (B) when r is even */
        assert_int_equal(vg_intel_live_reload(live, r % 2 == 0 ? path_b : path_a, VG_SNAP_VERIFY, &err), VG_OK);
        if (r % 50 == 0) {
            /* a reload that fails keeps the current snapshot and its generation */
            assert_int_not_equal(vg_intel_live_reload(live, "/nonexistent/x.vgi", 0, &err), VG_OK);
            const vg_snap *snap;
            vg_intel_ref *ref = vg_intel_live_acquire(live, &snap);
            assert_int_equal(vg_intel_ref_generation(ref), (uint64_t)r + 2);
            vg_intel_live_release(ref);
        }
    }
    /* a holder keeps its snapshot after the handle is gone */
    const vg_snap *held;
    vg_intel_ref *ref = vg_intel_live_acquire(live, &held);
    atomic_store(&stop, 1);
    unsigned long rounds = 0, wrong = 0;
    for (int i = 0; i < WORKERS; i++) {
        pthread_join(w[i].thread, NULL);
        rounds += w[i].rounds;
        wrong += w[i].wrong;
    }
    vg_intel_live_free(live);
    assert_int_equal(vg_intel_ref_generation(ref), RELOADS + 1);
    assert_int_not_equal(vg_snap_find_ipv4(held, 0xC0000201), 0);  /* generation 301: A */
    vg_intel_live_release(ref);
    assert_int_equal(wrong, 0);
    assert_true(rounds > 0);
    printf("# %lu rounds of matching by %d workers over %d reloads\n", rounds, WORKERS, RELOADS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reload_while_matching),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
