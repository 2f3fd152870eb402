/*
 * test-ingest-follow: following a file in a temporary directory through appends in pieces,
 * rename rotation (with writes to the old file after the rename), copytruncate, deletion and
 * recreation, absence, resume from saved positions, over-long lines, CRLF, the per-poll byte
 * budget, a callback that refuses a line. Each test keeps what it was handed as text:
 * "[line]offset" per line, and the reports apart.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ingest-follow.h"
#include "util-buf.h"

#define MAX_POS 256

typedef struct fx {
    char dir[64];
    char path[96];      /* dir/app.log */
    char rotated[96];   /* dir/app.log.1 */
    int wfd;            /* the writer's descriptor (O_APPEND), -1: none */
    vg_buf lines;       /* "[line]offset" */
    vg_buf reports;     /* "reason|" */
    vg_follow_pos pos[MAX_POS];
    int npos;
    int refuse_at;      /* >0: the callback refuses the line with this number (1-based) once */
    int seen;
    vg_follow *f;
} fx;

static vg_rc on_line(void *ctx, const char *line, size_t len, const vg_follow_pos *after)
{
    fx *x = ctx;
    if (x->refuse_at && ++x->seen == x->refuse_at) {
        x->refuse_at = 0;
        return VG_ERR_LIMIT;
    }
    vg_buf_printf(&x->lines, "[%.*s]%llu", (int)len, line, (unsigned long long)after->offset);
    if (x->npos < MAX_POS)
        x->pos[x->npos++] = *after;
    return VG_OK;
}

static void on_report(void *ctx, const char *path, const char *reason)
{
    fx *x = ctx;
    assert_string_equal(path, x->path);
    vg_buf_printf(&x->reports, "%s|", reason);
}

static int setup(void **state)
{
    fx *x = calloc(1, sizeof(*x));
    if (!x)
        return -1;
    snprintf(x->dir, sizeof(x->dir), "/tmp/vigil-follow-XXXXXX");
    if (!mkdtemp(x->dir))
        return -1;
    snprintf(x->path, sizeof(x->path), "%s/app.log", x->dir);
    snprintf(x->rotated, sizeof(x->rotated), "%s/app.log.1", x->dir);
    x->wfd = -1;
    vg_buf_init(&x->lines, 0);
    vg_buf_init(&x->reports, 0);
    *state = x;
    return 0;
}

static int teardown(void **state)
{
    fx *x = *state;
    vg_follow_close(x->f);
    if (x->wfd >= 0)
        close(x->wfd);
    unlink(x->path);
    unlink(x->rotated);
    rmdir(x->dir);
    vg_buf_free(&x->lines);
    vg_buf_free(&x->reports);
    free(x);
    return 0;
}

/* The writer opens (creates) the path, as a logging program does after rotation. */
static void writer_open(fx *x)
{
    if (x->wfd >= 0)
        close(x->wfd);
    x->wfd = open(x->path, O_WRONLY | O_CREAT | O_APPEND, 0644);
    assert_true(x->wfd >= 0);
}

static void put(fx *x, const char *text)
{
    if (x->wfd < 0)
        writer_open(x);
    size_t n = strlen(text);
    assert_int_equal(write(x->wfd, text, n), (ssize_t)n);
}

static void follow(fx *x, const vg_follow_pos *start, size_t max_record)
{
    vg_follow_close(x->f);
    x->f = NULL;
    vg_error err;
    assert_int_equal(vg_follow_open(&x->f, x->path, start, max_record, on_report, x, &err), VG_OK);
}

static vg_rc poll_n(fx *x, size_t max_bytes)
{
    vg_error err;
    return vg_follow_poll(x->f, max_bytes, on_line, x, &err);
}

/* Polls with a large budget until nothing is new. */
static void poll_all(fx *x)
{
    for (int i = 0; i < 100; i++)
        if (poll_n(x, 1 << 16) == VG_END)
            return;
    fail_msg("the follower never ran out of work");
}

static void expect_lines(fx *x, const char *want)
{
    assert_string_equal(x->lines.data ? x->lines.data : "", want);
}

static int reported(const fx *x, const char *part)
{
    return x->reports.data && strstr(x->reports.data, part) != NULL;
}

static int count_reports(const fx *x)
{
    int n = 0;
    for (const char *p = x->reports.data; p && *p; p++)
        n += *p == '|';
    return n;
}

static uint64_t ino_of(const char *path)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return (uint64_t)st.st_ino;
}

static void expect_position(fx *x, uint64_t ino, uint64_t offset)
{
    vg_follow_pos p;
    vg_follow_position(x->f, &p);
    assert_int_equal(p.ino, ino);
    assert_int_equal(p.offset, offset);
}

static void test_pieces(void **state)
{
    fx *x = *state;
    put(x, "hel");
    follow(x, NULL, 64);
    assert_int_equal(poll_n(x, 100), VG_OK); /* read, but no line yet */
    assert_int_equal(poll_n(x, 100), VG_END);
    expect_lines(x, "");
    expect_position(x, ino_of(x->path), 0);
    put(x, "lo\nwor");
    poll_all(x);
    expect_lines(x, "[hello]6");
    put(x, "ld");
    poll_all(x);
    expect_lines(x, "[hello]6");
    put(x, "\n");
    poll_all(x);
    expect_lines(x, "[hello]6[world]12");
    expect_position(x, ino_of(x->path), 12);
    assert_int_equal(count_reports(x), 0);
}

static void test_positions_crlf_empty(void **state)
{
    fx *x = *state;
    put(x, "a\nbb\r\n\n\r\nccc\r\n\r\r\nx\ry\n");
    follow(x, NULL, 64);
    poll_all(x);
    /* empty lines are skipped but move the position; one CR before LF is removed */
    expect_lines(x, "[a]2[bb]6[ccc]14[\r]17[x\ry]21");
    expect_position(x, ino_of(x->path), 21);
    assert_int_equal(x->pos[0].ino, ino_of(x->path));
    put(x, "\n\n");
    poll_all(x);
    expect_position(x, ino_of(x->path), 23);
}

static void test_rename_rotation(void **state)
{
    fx *x = *state;
    put(x, "one\n");
    uint64_t old = ino_of(x->path);
    follow(x, NULL, 64);
    poll_all(x);
    assert_int_equal(rename(x->path, x->rotated), 0);
    put(x, "two\n"); /* the writer still has the old file */
    poll_all(x);
    assert_true(reported(x, "removed or renamed"));
    put(x, "three\n");
    int before = count_reports(x);
    poll_all(x);
    assert_int_equal(count_reports(x), before); /* reported once */
    put(x, "four"); /* the last line, never ended: handed over once the new file appears */
    writer_open(x);
    put(x, "five\n");
    uint64_t now = ino_of(x->path);
    assert_true(now != old);
    poll_all(x);
    expect_lines(x, "[one]4[two]8[three]14[four]18[five]5");
    assert_int_equal(x->pos[3].ino, old);
    assert_int_equal(x->pos[4].ino, now);
    assert_true(reported(x, "rotated"));
    expect_position(x, now, 5);
}

static void test_partial_line_waits_without_rotation(void **state)
{
    fx *x = *state;
    put(x, "one\ntwo");
    follow(x, NULL, 64);
    for (int i = 0; i < 3; i++)
        poll_all(x);
    expect_lines(x, "[one]4");
    /* rotation by rename: the old file's last line is complete when the new one appears */
    assert_int_equal(rename(x->path, x->rotated), 0);
    poll_all(x);
    expect_lines(x, "[one]4");
    writer_open(x);
    poll_all(x);
    expect_lines(x, "[one]4[two]7");
    put(x, "three\n");
    poll_all(x);
    expect_lines(x, "[one]4[two]7[three]6");
}

static void test_copytruncate(void **state)
{
    fx *x = *state;
    put(x, "one\ntwo\npart");
    follow(x, NULL, 64);
    poll_all(x);
    expect_lines(x, "[one]4[two]8");
    assert_int_equal(ftruncate(x->wfd, 0), 0);
    poll_all(x);
    assert_true(reported(x, "truncated"));
    expect_position(x, ino_of(x->path), 0);
    put(x, "x\n");
    poll_all(x);
    expect_lines(x, "[one]4[two]8[x]2");
    /* truncated, then new data shorter than the old position, all before a poll */
    put(x, "abcdefgh\n");
    poll_all(x);
    assert_int_equal(ftruncate(x->wfd, 0), 0);
    put(x, "new\n");
    poll_all(x);
    expect_lines(x, "[one]4[two]8[x]2[abcdefgh]11[new]4");
    assert_int_equal(count_reports(x), 2);
}

static void test_delete_and_recreate(void **state)
{
    fx *x = *state;
    put(x, "a\n");
    follow(x, NULL, 64);
    poll_all(x);
    uint64_t old = ino_of(x->path);
    assert_int_equal(unlink(x->path), 0);
    put(x, "b\n"); /* still written to the deleted file */
    poll_all(x);
    assert_true(reported(x, "removed or renamed"));
    writer_open(x);
    put(x, "c\n");
    poll_all(x);
    expect_lines(x, "[a]2[b]4[c]2");
    assert_int_equal(x->pos[1].ino, old);
    assert_int_equal(x->pos[2].ino, ino_of(x->path));
    assert_true(reported(x, "rotated"));
}

static void test_missing_then_appears(void **state)
{
    fx *x = *state;
    follow(x, NULL, 64);
    assert_int_equal(poll_n(x, 100), VG_END);
    assert_int_equal(poll_n(x, 100), VG_END);
    assert_int_equal(count_reports(x), 1);
    assert_true(reported(x, "waiting for the file"));
    put(x, "hello\n");
    assert_int_equal(poll_n(x, 100), VG_OK);
    expect_lines(x, "[hello]6");
    assert_true(reported(x, "appeared"));
    assert_int_equal(poll_n(x, 100), VG_END);
}

static void test_resume_same_inode(void **state)
{
    fx *x = *state;
    put(x, "1\n2\n3\n");
    follow(x, NULL, 64);
    x->refuse_at = 3; /* the callback refuses line 3: it is not consumed */
    assert_int_equal(poll_n(x, 100), VG_ERR_LIMIT);
    expect_lines(x, "[1]2[2]4");
    vg_follow_pos saved;
    vg_follow_position(x->f, &saved);
    assert_int_equal(saved.offset, 4);
    put(x, "4\n5");
    follow(x, &saved, 64);
    poll_all(x);
    expect_lines(x, "[1]2[2]4[3]6[4]8");
    assert_int_equal(count_reports(x), 0);
    vg_follow_position(x->f, &saved);
    follow(x, &saved, 64);
    poll_all(x);
    put(x, "\n");
    poll_all(x);
    expect_lines(x, "[1]2[2]4[3]6[4]8[5]10"); /* no line twice, none lost */
}

static void test_refused_line_handed_again(void **state)
{
    fx *x = *state;
    put(x, "a\nb\nc\n");
    follow(x, NULL, 64);
    x->refuse_at = 2;
    assert_int_equal(poll_n(x, 100), VG_ERR_LIMIT);
    expect_position(x, ino_of(x->path), 2);
    assert_int_equal(poll_n(x, 100), VG_OK); /* from the buffer, nothing read */
    expect_lines(x, "[a]2[b]4[c]6");
    /* refused lines whose bytes were truncated away are dropped, never past the file's end */
    put(x, "d\ne\n");
    x->refuse_at = x->seen + 1;
    assert_int_equal(poll_n(x, 100), VG_ERR_LIMIT);
    assert_int_equal(ftruncate(x->wfd, 0), 0);
    put(x, "f\n");
    poll_all(x);
    expect_lines(x, "[a]2[b]4[c]6[f]2");
    assert_true(reported(x, "truncated"));
}

static void test_resume_other_inode(void **state)
{
    fx *x = *state;
    put(x, "old1\nold2\n");
    follow(x, NULL, 64);
    poll_all(x);
    vg_follow_pos saved;
    vg_follow_position(x->f, &saved);
    vg_follow_close(x->f);
    x->f = NULL;
    put(x, "lost\n"); /* written to the old file after the saved position */
    assert_int_equal(rename(x->path, x->rotated), 0);
    writer_open(x);
    put(x, "new\n");
    follow(x, &saved, 64);
    assert_true(reported(x, "rotated away"));
    assert_true(reported(x, "not searched"));
    poll_all(x);
    expect_lines(x, "[old1]5[old2]10[new]4");
    /* a saved offset beyond the file's size on the same inode: read from 0, reported */
    vg_follow_pos beyond = x->pos[2];
    beyond.offset = 1000;
    follow(x, &beyond, 64);
    assert_true(reported(x, "truncated while not followed"));
    poll_all(x);
    expect_lines(x, "[old1]5[old2]10[new]4[new]4");
}

static void test_oversized(void **state)
{
    fx *x = *state;
    /* limit 8: 8 bytes + CRLF fit; 9 bytes found with their LF; 30 bytes fill the buffer */
    put(x, "short\n12345678\r\n123456789\nabcdefghijklmnopqrstuvwxyz0123\nok\n");
    for (size_t budget = 1; budget <= 64; budget += 63) {
        vg_buf_reset(&x->lines);
        vg_buf_reset(&x->reports);
        follow(x, NULL, 8);
        for (int i = 0; i < 200 && poll_n(x, budget) != VG_END; i++)
            ;
        expect_lines(x, "[short]6[12345678]16[ok]60");
        assert_int_equal(count_reports(x), 2);
        assert_true(reported(x, "longer than 8 bytes"));
        expect_position(x, ino_of(x->path), 60);
    }
    /* an over-long line cut by rotation ends there */
    put(x, "0123456789abcdef");
    poll_all(x);
    assert_int_equal(rename(x->path, x->rotated), 0);
    writer_open(x);
    put(x, "z\n");
    poll_all(x);
    expect_lines(x, "[short]6[12345678]16[ok]60[z]2");
}

static void test_budget(void **state)
{
    fx *x = *state;
    for (int i = 0; i < 100; i++)
        put(x, "xxxxxxxxx\n");
    follow(x, NULL, 64);
    assert_int_equal(poll_n(x, 25), VG_OK);
    expect_position(x, ino_of(x->path), 20); /* 25 bytes read: two lines */
    int polls = 1;
    uint64_t budget_sum = 25;
    vg_follow_pos p;
    while (poll_n(x, 25) == VG_OK) {
        polls++;
        budget_sum += 25;
        vg_follow_position(x->f, &p);
        assert_true(p.offset <= budget_sum);
        assert_true(p.offset + 10 > budget_sum); /* no more was read than the budget allows */
    }
    assert_int_equal(polls, 40);
    expect_position(x, ino_of(x->path), 1000);
}

static void test_usage(void **state)
{
    fx *x = *state;
    vg_follow *f = NULL;
    vg_error err;
    assert_int_equal(vg_follow_open(&f, x->path, NULL, 0, NULL, NULL, &err), VG_ERR_USAGE);
    assert_null(f);
    assert_int_equal(vg_follow_open(&f, x->dir, NULL, 64, NULL, NULL, &err), VG_ERR_UNSUPPORTED);
    assert_non_null(strstr(err.msg, "not a regular file"));
    follow(x, NULL, 64);
    assert_int_equal(vg_follow_poll(x->f, 0, on_line, x, &err), VG_ERR_USAGE);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_pieces),
        T(test_positions_crlf_empty),
        T(test_rename_rotation),
        T(test_partial_line_waits_without_rotation),
        T(test_copytruncate),
        T(test_delete_and_recreate),
        T(test_missing_then_appears),
        T(test_resume_same_inode),
        T(test_refused_line_handed_again),
        T(test_resume_other_inode),
        T(test_oversized),
        T(test_budget),
        T(test_usage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
