/*
 * test-hscache: the content-addressed cache of Hyperscan databases. A first compile writes the
 * database; a second one reads it (and it matches the same); other patterns ask for another
 * file; a damaged file (flipped byte, truncated) is never used: the database is compiled again
 * and the file rewritten; an unusable directory only means no cache; the memo of one build
 * gives copies of what it compiled or read.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <unistd.h>

#include <cmocka.h>

#include "util-hscache.h"

static char dir[64];

static int on_match(unsigned id, unsigned long long from, unsigned long long to, unsigned flags, void *ctx)
{
    (void)from, (void)to, (void)flags;
    *(unsigned *)ctx |= 1u << id;
    return 0;
}

/* Which of the patterns match text. */
static unsigned matches(const hs_database_t *db, const char *text)
{
    hs_scratch_t *s = NULL;
    unsigned got = 0;
    assert_int_equal(hs_alloc_scratch(db, &s), HS_SUCCESS);
    assert_int_equal(hs_scan(db, text, (unsigned)strlen(text), 0, s, on_match, &got), HS_SUCCESS);
    hs_free_scratch(s);
    return got;
}

/* The one cache file in dir: its path into out. */
static int only_file(char *out, size_t cap)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.' && ++n == 1)
            snprintf(out, cap, "%s/%.100s", dir, e->d_name);
    closedir(d);
    return n;
}

static void test_cache(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/vigil-test-hscache-XXXXXX");
    assert_non_null(mkdtemp(dir));
    const char *exprs[] = { "whoami", "^cmd\\.exe", "powershell" };
    unsigned flags[] = { HS_FLAG_CASELESS | HS_FLAG_SINGLEMATCH, HS_FLAG_SINGLEMATCH, HS_FLAG_SINGLEMATCH };
    unsigned ids[] = { 0, 1, 2 };
    hs_database_t *db = NULL;
    hs_compile_error_t *ce = NULL;
    vg_hscache_stats st = { 0, 0, 0 };
    assert_int_equal(vg_hscache_compile(exprs, flags, ids, 3, dir, NULL, &db, &ce, &st), HS_SUCCESS);
    assert_int_equal(st.compiled, 1);
    assert_int_equal(matches(db, "cmd.exe /c WHOAMI"), 3);
    hs_free_database(db);
    char path[256];
    assert_int_equal(only_file(path, sizeof path), 1);
    /* read back, same answers */
    assert_int_equal(vg_hscache_compile(exprs, flags, ids, 3, dir, NULL, &db, &ce, &st), HS_SUCCESS);
    assert_int_equal(st.hits, 1);
    assert_int_equal(matches(db, "cmd.exe /c WHOAMI"), 3);
    assert_int_equal(matches(db, "x cmd.exe powershell"), 4);
    hs_free_database(db);
    /* a flipped byte: compiled again, rewritten */
    FILE *f = fopen(path, "r+b");
    assert_non_null(f);
    fseek(f, 40, SEEK_SET);
    int c = fgetc(f);
    fseek(f, 40, SEEK_SET);
    fputc(c ^ 0x20, f);
    fclose(f);
    assert_int_equal(vg_hscache_compile(exprs, flags, ids, 3, dir, NULL, &db, &ce, &st), HS_SUCCESS);
    assert_int_equal(st.compiled, 2);
    assert_int_equal(matches(db, "cmd.exe /c WHOAMI"), 3);
    hs_free_database(db);
    assert_int_equal(vg_hscache_compile(exprs, flags, ids, 3, dir, NULL, &db, &ce, &st), HS_SUCCESS);
    assert_int_equal(st.hits, 2);           /* the rewritten file is good */
    hs_free_database(db);
    /* truncated: compiled again */
    assert_int_equal(truncate(path, 20), 0);
    assert_int_equal(vg_hscache_compile(exprs, flags, ids, 3, dir, NULL, &db, &ce, &st), HS_SUCCESS);
    assert_int_equal(st.compiled, 3);
    hs_free_database(db);
    /* other flags: another file */
    unsigned other[] = { HS_FLAG_SINGLEMATCH, HS_FLAG_SINGLEMATCH, HS_FLAG_SINGLEMATCH };
    assert_int_equal(vg_hscache_compile(exprs, other, ids, 3, dir, NULL, &db, &ce, &st), HS_SUCCESS);
    assert_int_equal(st.compiled, 4);
    assert_int_equal(matches(db, "cmd.exe /c WHOAMI"), 2);     /* whoami is cased now */
    hs_free_database(db);
    assert_int_equal(only_file(path, sizeof path), 2);
    /* a directory that cannot be made: compiled, counted as a write error */
    assert_int_equal(vg_hscache_compile(exprs, flags, ids, 3, "/proc/vigil-no/cache", NULL, &db, &ce, &st), HS_SUCCESS);
    assert_int_equal(st.write_errors, 1);
    hs_free_database(db);
    /* a bad pattern is Hyperscan's error, not the cache's */
    const char *bad[] = { "(" };
    assert_int_not_equal(vg_hscache_compile(bad, flags, ids, 1, dir, NULL, &db, &ce, &st), HS_SUCCESS);
    hs_free_compile_error(ce);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/* The memo of one build, without a cache directory: the first ask compiles, the same patterns
 * again are a copy (the same answers, its own database to free), other flags compile again, a
 * bad pattern is still Hyperscan's error; the memo also keeps what a directory gave. */
static void test_memo(void **state)
{
    (void)state;
    const char *exprs[] = { "whoami", "^cmd\\.exe", "powershell" };
    unsigned flags[] = { HS_FLAG_CASELESS | HS_FLAG_SINGLEMATCH, HS_FLAG_SINGLEMATCH, HS_FLAG_SINGLEMATCH };
    unsigned other[] = { HS_FLAG_SINGLEMATCH, HS_FLAG_SINGLEMATCH, HS_FLAG_SINGLEMATCH };
    unsigned ids[] = { 0, 1, 2 };
    hs_database_t *a = NULL, *b = NULL, *c = NULL;
    hs_compile_error_t *ce = NULL;
    vg_hscache_stats st = { 0, 0, 0 };
    vg_hscache_memo *memo = vg_hscache_memo_new();
    assert_non_null(memo);
    assert_int_equal(vg_hscache_compile(exprs, flags, ids, 3, "", memo, &a, &ce, &st), HS_SUCCESS);
    assert_int_equal(vg_hscache_compile(exprs, flags, ids, 3, NULL, memo, &b, &ce, &st), HS_SUCCESS);
    assert_int_equal(st.compiled, 1);
    assert_int_equal(st.hits, 1);
    assert_ptr_not_equal(a, b);
    hs_free_database(a);                    /* the copy stands alone */
    assert_int_equal(matches(b, "cmd.exe /c WHOAMI"), 3);
    assert_int_equal(vg_hscache_compile(exprs, other, ids, 3, NULL, memo, &c, &ce, &st), HS_SUCCESS);
    assert_int_equal(st.compiled, 2);
    assert_int_equal(matches(c, "cmd.exe /c WHOAMI"), 2);
    hs_free_database(b);
    hs_free_database(c);
    const char *bad[] = { "(" };
    assert_int_not_equal(vg_hscache_compile(bad, flags, ids, 1, NULL, memo, &a, &ce, &st), HS_SUCCESS);
    hs_free_compile_error(ce);
    vg_hscache_memo_free(memo);
    /* a directory's database goes into a new memo too */
    snprintf(dir, sizeof dir, "/tmp/vigil-test-hscache-XXXXXX");
    assert_non_null(mkdtemp(dir));
    assert_int_equal(vg_hscache_compile(exprs, flags, ids, 3, dir, NULL, &a, &ce, &st), HS_SUCCESS);
    hs_free_database(a);
    memo = vg_hscache_memo_new();
    vg_hscache_stats st2 = { 0, 0, 0 };
    assert_int_equal(vg_hscache_compile(exprs, flags, ids, 3, dir, memo, &a, &ce, &st2), HS_SUCCESS);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);       /* from here only the memo has it */
    assert_int_equal(vg_hscache_compile(exprs, flags, ids, 3, dir, memo, &b, &ce, &st2), HS_SUCCESS);
    assert_int_equal(st2.hits, 2);
    assert_int_equal(st2.compiled, 0);
    assert_int_equal(matches(b, "x cmd.exe powershell"), 4);
    hs_free_database(a);
    hs_free_database(b);
    vg_hscache_memo_free(memo);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = { cmocka_unit_test(test_cache), cmocka_unit_test(test_memo) };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
