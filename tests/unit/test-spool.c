/*
 * test-spool: the daemon's write-ahead log (spool.h). CRC-32C against RFC 3720's vectors;
 * round trips across segment rollovers; reopening; readers in the middle; every torn tail of
 * a last record; damage in a middle record, garbage between records, a zero-filled tail;
 * oversized records; a failed write (RLIMIT_FSIZE stands in for a full disk); four appending
 * threads with a reader; group commit; release; the directory lock; and a real crash: a
 * child appending with SYNC_NEVER is killed with SIGKILL and every record it reported must
 * be read back intact.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spool-segment.h"
#include "spool.h"
#include "util-crc32c.h"

#define MAX_PAYLOAD 300

static char dir[64];

typedef struct reports {
    int n;
    uint64_t offset;
    char segment[512], reason[256];
} reports;

static void on_report(void *ctx, const char *segment, uint64_t offset, const char *reason)
{
    reports *r = ctx;
    r->n++;
    r->offset = offset;
    snprintf(r->segment, sizeof r->segment, "%s", segment);
    snprintf(r->reason, sizeof r->reason, "%s", reason);
}

/* The payload of record seq: its length and bytes follow from seq alone. */
static uint32_t payload(uint64_t seq, char *buf)
{
    uint32_t len = (uint32_t)((seq * 7919u) % MAX_PAYLOAD);
    for (uint32_t i = 0; i < len; i++)
        buf[i] = (char)(seq * 31u + i);
    return len;
}

static void check_payload(const vg_spool_rec *rec)
{
    char want[MAX_PAYLOAD];
    uint32_t len = payload(rec->seq, want);
    assert_int_equal(rec->len, len);
    assert_memory_equal(rec->data, want, len);
    assert_int_equal(rec->unit, (uint32_t)(rec->seq % 7));
    assert_int_equal(rec->received_us, (int64_t)rec->seq * 1000);
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/vigil-test-spool-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        char path[512];
        while ((e = readdir(d)) != NULL) {
            if (e->d_name[0] == '.')
                continue;
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            unlink(path);
        }
        closedir(d);
    }
    rmdir(dir);
    return 0;
}

static vg_spool *open_spool(uint64_t segment_bytes, vg_spool_sync_mode mode, reports *rep)
{
    vg_spool_opts o;
    vg_spool_opts_default(&o);
    o.segment_bytes = segment_bytes;
    o.sync = mode;
    vg_spool *sp = NULL;
    vg_error err;
    vg_rc rc = vg_spool_open(&sp, dir, &o, on_report, rep, &err);
    if (rc)
        fail_msg("open: %s", err.msg);
    return sp;
}

/* Appends records until next_seq reaches upto, in batches of 1..batch. */
static void append_upto(vg_spool *sp, uint64_t upto, unsigned batch)
{
    static char bufs[8][MAX_PAYLOAD];
    vg_spool_stats st;
    vg_spool_stats_get(sp, &st);
    uint64_t seq = st.next_seq;
    while (seq < upto) {
        vg_spool_rec recs[8];
        size_t n = 1 + (size_t)(seq % batch);
        if (n > upto - seq)
            n = (size_t)(upto - seq);
        for (size_t i = 0; i < n; i++) {
            recs[i] = (vg_spool_rec){ .received_us = (int64_t)(seq + i) * 1000, .unit = (uint32_t)((seq + i) % 7) };
            recs[i].len = payload(seq + i, bufs[i]);
            recs[i].data = bufs[i];
        }
        vg_error err;
        assert_int_equal(vg_spool_append(sp, recs, n, &err), VG_OK);
        for (size_t i = 0; i < n; i++)
            assert_int_equal(recs[i].seq, seq + i);
        seq += n;
    }
}

/* Reads from from_seq to the end; checks seqs are consecutive from first and payloads;
 * returns the count. */
static uint64_t read_all(vg_spool *sp, uint64_t from_seq, uint64_t first)
{
    vg_spool_reader *r;
    vg_error err;
    assert_int_equal(vg_spool_reader_open(sp, from_seq, &r, &err), VG_OK);
    vg_spool_rec rec;
    uint64_t n = 0;
    vg_rc rc;
    while ((rc = vg_spool_read(r, &rec, &err)) == VG_OK) {
        assert_int_equal(rec.seq, first + n);
        check_payload(&rec);
        n++;
    }
    assert_int_equal(rc, VG_END);
    vg_spool_reader_close(r);
    return n;
}

static void seg_file(char *out, size_t cap, uint64_t first)
{
    snprintf(out, cap, "%s/seg-%016llx.vsp", dir, (unsigned long long)first);
}

static size_t read_file(const char *path, uint8_t *buf, size_t cap)
{
    int fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    ssize_t n = read(fd, buf, cap);
    close(fd);
    assert_true(n >= 0 && (size_t)n < cap);
    return (size_t)n;
}

static void write_file(const char *path, const uint8_t *buf, size_t n)
{
    int fd = open(path, O_WRONLY | O_TRUNC);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, buf, n), (ssize_t)n);
    close(fd);
}

/* Offsets of the records of a segment image (at most max). */
static size_t record_offsets(const uint8_t *buf, size_t len, size_t *offs, size_t max)
{
    size_t n = 0, off = VG_SPSEG_HDR;
    vg_spool_rec rec;
    while (n < max && vg_sprec_check(buf + off, len - off, &rec) == VG_SPREC_OK) {
        offs[n++] = off;
        off += VG_SPREC_HDR + rec.len;
    }
    return n;
}

/* ---- CRC-32C ---- */

static void test_crc32c_vectors(void **state)
{
    (void)state;
    uint8_t b[48];
    uint32_t (*fns[2])(uint32_t, const void *, size_t) = { vg_crc32c, vg_crc32c_sw };
    for (int f = 0; f < 2; f++) {
        memset(b, 0, 32);
        assert_int_equal(fns[f](0, b, 32), 0x8A9136AAu);
        memset(b, 0xff, 32);
        assert_int_equal(fns[f](0, b, 32), 0x62A8AB43u);
        for (int i = 0; i < 32; i++)
            b[i] = (uint8_t)i;
        assert_int_equal(fns[f](0, b, 32), 0x46DD794Eu);
        for (int i = 0; i < 32; i++)
            b[i] = (uint8_t)(31 - i);
        assert_int_equal(fns[f](0, b, 32), 0x113FDB5Cu);
        assert_int_equal(fns[f](0, "123456789", 9), 0xE3069283u);
        assert_int_equal(fns[f](fns[f](0, "1234", 4), "56789", 5), 0xE3069283u);
    }
    uint8_t big[1031];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (uint8_t)(i * 131 + 7);
    for (size_t at = 0; at < 16; at++)
        for (size_t n = 0; n + at <= sizeof big; n += 97)
            assert_int_equal(vg_crc32c(0, big + at, n), vg_crc32c_sw(0, big + at, n));
}

/* ---- the segment scanner alone (vigil spool check, the fuzz target) ---- */

static void count_rec(void *ctx, const vg_spool_rec *rec)
{
    (void)rec;
    (*(int *)ctx)++;
}

static void test_scan_segment(void **state)
{
    (void)state;
    static uint8_t seg[1024];
    vg_spseg_header_encode(seg, 5, 0);
    size_t len = VG_SPSEG_HDR;
    for (uint64_t seq = 5; seq < 8; seq++) {
        vg_spool_rec rec = { .seq = seq, .data = "payload", .len = 7 };
        vg_sprec_encode(seg + len, &rec);
        memcpy(seg + len + VG_SPREC_HDR, "payload", 7);
        len += VG_SPREC_HDR + 7;
    }
    int n = 0;
    uint64_t nrec;
    assert_int_equal(vg_spool_scan_segment("s", seg, len, count_rec, NULL, &n, &nrec), VG_OK);
    assert_int_equal(nrec, 3);
    assert_int_equal(n, 3);
    reports rep = { 0 };
    assert_int_equal(vg_spool_scan_segment("s", seg, len - 1, NULL, on_report, &rep, &nrec), VG_ERR_PARSE);
    assert_int_equal(nrec, 2);
    assert_int_equal(rep.n, 1);
    assert_int_equal(rep.offset, len - 47);
    assert_string_equal(rep.segment, "s");
    seg[4] = 2;     /* version 2, header checksum resealed: a newer format */
    uint32_t crc = vg_crc32c(0, seg, 28);
    for (int i = 0; i < 4; i++)
        seg[28 + i] = (uint8_t)(crc >> (8 * i));
    assert_int_equal(vg_spool_scan_segment("s", seg, len, NULL, on_report, &rep, &nrec), VG_ERR_UNSUPPORTED);
    assert_int_equal(vg_spool_scan_segment("s", NULL, 0, NULL, on_report, &rep, &nrec), VG_ERR_PARSE);
}

/* ---- round trips ---- */

static void test_round_trip_rollover(void **state)
{
    (void)state;
    reports rep = { 0 };
    vg_spool *sp = open_spool(4096, VG_SPOOL_SYNC_NEVER, &rep);
    append_upto(sp, 3001, 7);
    vg_spool_stats st;
    vg_spool_stats_get(sp, &st);
    assert_int_equal(st.next_seq, 3001);
    assert_true(st.segments > 100);
    assert_int_equal(read_all(sp, 1, 1), 3000);
    vg_spool_close(sp);
    assert_int_equal(rep.n, 0);
}

static void test_reopen_continues(void **state)
{
    (void)state;
    reports rep = { 0 };
    vg_spool *sp = open_spool(8192, VG_SPOOL_SYNC_ALWAYS, &rep);
    append_upto(sp, 301, 3);
    vg_spool_close(sp);
    sp = open_spool(8192, VG_SPOOL_SYNC_ALWAYS, &rep);
    vg_spool_stats st;
    vg_spool_stats_get(sp, &st);
    assert_int_equal(st.next_seq, 301);
    assert_int_equal(st.durable_seq, 300);
    append_upto(sp, 601, 5);
    assert_int_equal(read_all(sp, 0, 1), 600);
    vg_spool_close(sp);
    /* the newest segment empty: seqs still go on from its name */
    sp = open_spool(8192, VG_SPOOL_SYNC_NEVER, &rep);
    vg_spool_stats_get(sp, &st);
    uint32_t segs = st.segments;
    vg_spool_close(sp);
    char path[256];
    seg_file(path, sizeof path, 601);
    int fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0600);     /* a crash right after creating it */
    assert_true(fd >= 0);
    close(fd);
    sp = open_spool(8192, VG_SPOOL_SYNC_NEVER, &rep);
    vg_spool_stats_get(sp, &st);
    assert_int_equal(st.next_seq, 601);
    assert_int_equal(st.segments, segs + 1);
    append_upto(sp, 611, 1);
    assert_int_equal(read_all(sp, 0, 1), 610);
    vg_spool_close(sp);
    assert_int_equal(rep.n, 1);     /* the empty segment's header, rewritten */
}

/* vg_spool_skip_to: numbering jumps ahead in a new segment; readers and a reopen follow. */
static void test_skip_to(void **state)
{
    (void)state;
    reports rep = { 0 };
    vg_spool *sp = open_spool(1 << 20, VG_SPOOL_SYNC_NEVER, &rep);
    append_upto(sp, 11, 2);
    vg_error err;
    assert_int_equal(vg_spool_skip_to(sp, 5, &err), VG_OK);     /* not ahead: nothing changes */
    vg_spool_stats st;
    vg_spool_stats_get(sp, &st);
    assert_int_equal(st.next_seq, 11);
    assert_int_equal(vg_spool_skip_to(sp, 500, &err), VG_OK);
    append_upto(sp, 505, 2);
    vg_spool_stats_get(sp, &st);
    assert_int_equal(st.next_seq, 505);
    vg_spool_close(sp);
    sp = open_spool(1 << 20, VG_SPOOL_SYNC_NEVER, &rep);
    vg_spool_stats_get(sp, &st);
    assert_int_equal(st.next_seq, 505);
    vg_spool_reader *r;
    assert_int_equal(vg_spool_reader_open(sp, 1, &r, &err), VG_OK);
    uint64_t want[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 500, 501, 502, 503, 504 };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        vg_spool_rec rec;
        assert_int_equal(vg_spool_read(r, &rec, &err), VG_OK);
        assert_int_equal(rec.seq, want[i]);
        check_payload(&rec);
    }
    vg_spool_rec rec;
    assert_int_equal(vg_spool_read(r, &rec, &err), VG_END);
    vg_spool_reader_close(r);
    /* a reader opened inside the gap starts at the first record after it */
    assert_int_equal(vg_spool_reader_open(sp, 100, &r, &err), VG_OK);
    assert_int_equal(vg_spool_read(r, &rec, &err), VG_OK);
    assert_int_equal(rec.seq, 500);
    vg_spool_reader_close(r);
    vg_spool_close(sp);
    assert_int_equal(rep.n, 0);     /* a gap between segments is no damage */
}

static void test_reader_middle(void **state)
{
    (void)state;
    vg_spool *sp = open_spool(4096, VG_SPOOL_SYNC_NEVER, NULL);
    append_upto(sp, 1001, 4);
    assert_int_equal(read_all(sp, 777, 777), 224);
    assert_int_equal(read_all(sp, 1000, 1000), 1);
    /* a reader ahead of the appends waits for them, through new segments */
    vg_spool_reader *r;
    vg_spool_rec rec;
    vg_error err;
    assert_int_equal(vg_spool_reader_open(sp, 1005, &r, &err), VG_OK);
    assert_int_equal(vg_spool_read(r, &rec, &err), VG_END);
    append_upto(sp, 1200, 4);
    for (uint64_t want = 1005; want < 1200; want++) {
        assert_int_equal(vg_spool_read(r, &rec, &err), VG_OK);
        assert_int_equal(rec.seq, want);
        check_payload(&rec);
    }
    assert_int_equal(vg_spool_read(r, &rec, &err), VG_END);
    append_upto(sp, 1201, 1);
    assert_int_equal(vg_spool_read(r, &rec, &err), VG_OK);
    assert_int_equal(rec.seq, 1200);
    vg_spool_reader_close(r);
    vg_spool_close(sp);
}

/* ---- recovery ---- */

static void test_torn_tail_every_offset(void **state)
{
    (void)state;
    vg_spool *sp = open_spool(1 << 20, VG_SPOOL_SYNC_NEVER, NULL);
    append_upto(sp, 20, 1);
    vg_spool_rec last_rec = { .seq = 0, .data = "the last record, torn", .len = 21 };
    vg_error err0;
    assert_int_equal(vg_spool_append(sp, &last_rec, 1, &err0), VG_OK);
    assert_int_equal(last_rec.seq, 20);
    vg_spool_close(sp);
    char path[256];
    seg_file(path, sizeof path, 1);
    static uint8_t orig[1 << 16];
    size_t len = read_file(path, orig, sizeof orig), offs[32];
    assert_int_equal(record_offsets(orig, len, offs, 32), 20);
    size_t last = offs[19];
    assert_int_equal(len - last, VG_SPREC_HDR + 21);
    for (size_t cut = last + 1; cut < len; cut++) {
        write_file(path, orig, cut);
        reports rep = { 0 };
        sp = open_spool(1 << 20, VG_SPOOL_SYNC_NEVER, &rep);
        vg_spool_stats st;
        vg_spool_stats_get(sp, &st);
        assert_int_equal(st.torn_bytes, cut - last);
        assert_int_equal(st.damaged_records, 0);
        assert_int_equal(rep.n, 1);
        assert_int_equal(rep.offset, last);
        assert_non_null(strstr(rep.reason, "torn tail"));
        assert_string_equal(rep.segment, path);
        /* seq 20 never completed (its append never returned): the next append gets 20 */
        uint64_t want = 20;
        assert_int_equal(st.next_seq, want);
        assert_int_equal(read_all(sp, 1, 1), 19);
        append_upto(sp, want + 1, 1);
        vg_spool_reader *r;
        vg_spool_rec rec;
        vg_error err;
        assert_int_equal(vg_spool_reader_open(sp, 1, &r, &err), VG_OK);
        for (uint64_t i = 1; i <= 19; i++)
            assert_int_equal(vg_spool_read(r, &rec, &err), VG_OK);
        assert_int_equal(vg_spool_read(r, &rec, &err), VG_OK);
        assert_int_equal(rec.seq, want);
        check_payload(&rec);
        assert_int_equal(vg_spool_read(r, &rec, &err), VG_END);
        vg_spool_reader_close(r);
        vg_spool_close(sp);
    }
}

static void test_zero_tail(void **state)
{
    (void)state;
    vg_spool *sp = open_spool(1 << 20, VG_SPOOL_SYNC_NEVER, NULL);
    append_upto(sp, 51, 3);
    vg_spool_close(sp);
    char path[256];
    seg_file(path, sizeof path, 1);
    int fd = open(path, O_WRONLY | O_APPEND);
    static const uint8_t zeros[4096];
    assert_int_equal(write(fd, zeros, sizeof zeros), (ssize_t)sizeof zeros);
    close(fd);
    reports rep = { 0 };
    sp = open_spool(1 << 20, VG_SPOOL_SYNC_NEVER, &rep);
    vg_spool_stats st;
    vg_spool_stats_get(sp, &st);
    assert_int_equal(st.torn_bytes, 4096);
    assert_int_equal(st.next_seq, 51);
    assert_int_equal(rep.n, 1);
    assert_int_equal(read_all(sp, 1, 1), 50);
    vg_spool_close(sp);
}

/* Damage in record 5 of 10 of the first segment (sealed when sealed is set): reported once
 * at open, skipped, the other nine read, and the reader does not report it again. */
static void damage_middle(size_t at_in_record, int sealed)
{
    vg_spool *sp = open_spool(4096, VG_SPOOL_SYNC_NEVER, NULL);
    append_upto(sp, 11, 1);
    if (sealed)
        append_upto(sp, 60, 1);
    vg_spool_close(sp);
    char path[256];
    seg_file(path, sizeof path, 1);
    static uint8_t buf[1 << 16];
    size_t len = read_file(path, buf, sizeof buf), offs[64];
    assert_true(record_offsets(buf, len, offs, 64) >= 10);
    buf[offs[4] + at_in_record] ^= 0x40;
    write_file(path, buf, len);
    reports rep = { 0 };
    sp = open_spool(4096, VG_SPOOL_SYNC_NEVER, &rep);
    assert_int_equal(rep.n, 1);
    assert_int_equal(rep.offset, offs[4]);
    assert_string_equal(rep.segment, path);
    vg_spool_reader *r;
    vg_spool_rec rec;
    vg_error err;
    assert_int_equal(vg_spool_reader_open(sp, 1, &r, &err), VG_OK);
    uint64_t want = 1, n = 0;
    while (vg_spool_read(r, &rec, &err) == VG_OK) {
        if (want == 5)
            want++;
        assert_int_equal(rec.seq, want);
        check_payload(&rec);
        want++;
        n++;
    }
    vg_spool_reader_close(r);
    assert_int_equal(n, sealed ? 58 : 9);
    assert_int_equal(rep.n, 1);
    vg_spool_stats st;
    vg_spool_stats_get(sp, &st);
    assert_int_equal(st.damaged_records, 1);
    assert_int_equal(st.torn_bytes, 0);
    assert_int_equal(st.next_seq, sealed ? 60 : 11);
    vg_spool_close(sp);
}

static void test_flipped_payload_byte(void **state)
{
    (void)state;
    damage_middle(VG_SPREC_HDR + 3, 0);
}

static void test_flipped_header_byte(void **state)
{
    (void)state;
    damage_middle(5, 0);    /* the length: the header check fails, the scan resynchronizes */
}

static void test_flipped_byte_sealed_segment(void **state)
{
    (void)state;
    damage_middle(0, 1);    /* the magic */
}

static void test_garbage_between_records(void **state)
{
    (void)state;
    vg_spool *sp = open_spool(1 << 20, VG_SPOOL_SYNC_NEVER, NULL);
    append_upto(sp, 11, 1);
    vg_spool_close(sp);
    char path[256];
    seg_file(path, sizeof path, 1);
    static uint8_t buf[1 << 16], out[1 << 16];
    size_t len = read_file(path, buf, sizeof buf), offs[16];
    assert_int_equal(record_offsets(buf, len, offs, 16), 10);
    /* 53 bytes of junk holding a false record magic, between records 3 and 4 */
    uint8_t junk[53];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (uint8_t)(i * 37 + 11);
    memcpy(junk + 9, "VSPR", 4);
    memcpy(out, buf, offs[3]);
    memcpy(out + offs[3], junk, sizeof junk);
    memcpy(out + offs[3] + sizeof junk, buf + offs[3], len - offs[3]);
    write_file(path, out, len + sizeof junk);
    reports rep = { 0 };
    sp = open_spool(1 << 20, VG_SPOOL_SYNC_NEVER, &rep);
    assert_int_equal(rep.n, 1);
    assert_int_equal(rep.offset, offs[3]);
    assert_non_null(strstr(rep.reason, "53 bytes skipped"));
    assert_int_equal(read_all(sp, 1, 1), 10);
    append_upto(sp, 12, 1);
    assert_int_equal(read_all(sp, 1, 1), 11);
    vg_spool_close(sp);
}

/* Damage that appears after open (the disk): the reader finds, reports and skips it. */
static void test_reader_finds_damage(void **state)
{
    (void)state;
    reports rep = { 0 };
    vg_spool *sp = open_spool(1 << 20, VG_SPOOL_SYNC_NEVER, &rep);
    append_upto(sp, 41, 1);
    char path[256];
    seg_file(path, sizeof path, 1);
    static uint8_t buf[1 << 16];
    size_t len = read_file(path, buf, sizeof buf), offs[64];
    assert_int_equal(record_offsets(buf, len, offs, 64), 40);
    int fd = open(path, O_WRONLY);
    uint8_t junk[3] = { 1, 2, 3 };
    assert_int_equal(pwrite(fd, junk, 3, (off_t)offs[9] + 2), 3);           /* record 10's header */
    assert_int_equal(pwrite(fd, junk, 1, (off_t)offs[19] + VG_SPREC_HDR), 1); /* record 20's payload */
    close(fd);
    vg_spool_reader *r;
    vg_spool_rec rec;
    vg_error err;
    assert_int_equal(vg_spool_reader_open(sp, 1, &r, &err), VG_OK);
    uint64_t n = 0;
    while (vg_spool_read(r, &rec, &err) == VG_OK) {
        assert_true(rec.seq != 10 && rec.seq != 20);
        check_payload(&rec);
        n++;
    }
    vg_spool_reader_close(r);
    assert_int_equal(n, 38);
    assert_int_equal(rep.n, 2);
    vg_spool_stats st;
    vg_spool_stats_get(sp, &st);
    assert_int_equal(st.damaged_records, 2);
    vg_spool_close(sp);
}

/* ---- limits and failed writes ---- */

static void test_oversized(void **state)
{
    (void)state;
    vg_spool_opts o;
    vg_spool_opts_default(&o);
    o.max_record = 1000;
    o.sync = VG_SPOOL_SYNC_NEVER;
    vg_spool *sp;
    vg_error err;
    assert_int_equal(vg_spool_open(&sp, dir, &o, NULL, NULL, &err), VG_OK);
    static char big[1001];
    vg_spool_rec recs[2] = { { .data = big, .len = 10 }, { .data = big, .len = 1001 } };
    vg_spool_stats before, after;
    vg_spool_stats_get(sp, &before);
    assert_int_equal(vg_spool_append(sp, recs, 2, &err), VG_ERR_LIMIT);
    assert_non_null(strstr(err.msg, "1001"));
    vg_spool_stats_get(sp, &after);
    assert_int_equal(after.next_seq, before.next_seq);
    assert_int_equal(after.bytes, before.bytes);
    recs[1].len = 1000;
    assert_int_equal(vg_spool_append(sp, recs, 2, &err), VG_OK);
    assert_int_equal(recs[1].seq, 2);
    vg_spool_close(sp);
    o.max_record = VG_SPOOL_MAX_RECORD + 1;
    assert_int_equal(vg_spool_open(&sp, dir, &o, NULL, NULL, &err), VG_ERR_USAGE);
}

/* A write that fails half-way (the file size limit, like a full disk): VG_ERR_IO, the file
 * cut back, and the spool goes on as if it never happened. */
static void test_failed_write(void **state)
{
    (void)state;
    reports rep = { 0 };
    vg_spool *sp = open_spool(1 << 20, VG_SPOOL_SYNC_NEVER, &rep);
    append_upto(sp, 11, 1);
    char path[256];
    seg_file(path, sizeof path, 1);
    struct stat st0;
    assert_int_equal(stat(path, &st0), 0);
    struct rlimit old, lim;
    getrlimit(RLIMIT_FSIZE, &old);
    lim = old;
    lim.rlim_cur = (rlim_t)st0.st_size + 100;
    signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
    static char big[4000];
    vg_spool_rec recs[3] = { { .data = big, .len = 30 }, { .data = big, .len = 4000 }, { .data = big, .len = 5 } };
    vg_error err;
    vg_rc rc = vg_spool_append(sp, recs, 3, &err);
    setrlimit(RLIMIT_FSIZE, &old);
    signal(SIGXFSZ, SIG_DFL);
    assert_int_equal(rc, VG_ERR_IO);
    assert_non_null(strstr(err.msg, "cut off"));
    struct stat st1;
    assert_int_equal(stat(path, &st1), 0);
    assert_int_equal(st1.st_size, st0.st_size);
    vg_spool_stats st;
    vg_spool_stats_get(sp, &st);
    assert_int_equal(st.next_seq, 11);
    append_upto(sp, 21, 2);
    assert_int_equal(read_all(sp, 1, 1), 20);
    vg_spool_close(sp);
    sp = open_spool(1 << 20, VG_SPOOL_SYNC_NEVER, &rep);
    vg_spool_stats_get(sp, &st);
    assert_int_equal(st.torn_bytes + st.damaged_records, 0);
    assert_int_equal(read_all(sp, 1, 1), 20);
    vg_spool_close(sp);
    assert_int_equal(rep.n, 0);
}

/* ---- threads ---- */

#define THREADS 4
#define PER_THREAD 3000

typedef struct writer {
    pthread_t t;
    vg_spool *sp;
    uint32_t id;
    int failed;
} writer;

static void *write_main(void *arg)
{
    writer *w = arg;
    char bufs[4][64];
    for (uint32_t i = 0; i < PER_THREAD;) {
        vg_spool_rec recs[4];
        uint32_t n = 1 + (i + w->id) % 4;
        if (n > PER_THREAD - i)
            n = PER_THREAD - i;
        for (uint32_t k = 0; k < n; k++) {
            int len = snprintf(bufs[k], sizeof bufs[k], "writer %u record %u %0*u", w->id, i + k, (int)((i + k) % 40),
                               i + k);
            recs[k] = (vg_spool_rec){ .data = bufs[k], .len = (uint32_t)len, .unit = w->id, .source = i + k };
        }
        vg_error err;
        if (vg_spool_append(w->sp, recs, n, &err) != VG_OK)
            w->failed = 1;
        i += n;
        if (i % 64 < n)
            usleep(100);    /* let the reader catch up now and then */
    }
    return NULL;
}

static void test_concurrent_appends_and_reader(void **state)
{
    (void)state;
    vg_spool *sp = open_spool(65536, VG_SPOOL_SYNC_NEVER, NULL);
    writer w[THREADS];
    for (uint32_t i = 0; i < THREADS; i++) {
        w[i] = (writer){ .sp = sp, .id = i };
        assert_int_equal(pthread_create(&w[i].t, NULL, write_main, &w[i]), 0);
    }
    vg_spool_reader *r;
    vg_error err;
    assert_int_equal(vg_spool_reader_open(sp, 1, &r, &err), VG_OK);
    uint32_t next_of[THREADS] = { 0 };
    uint64_t n = 0, ends = 0;
    while (n < THREADS * PER_THREAD) {
        vg_spool_rec rec;
        vg_rc rc = vg_spool_read(r, &rec, &err);
        if (rc == VG_END) {
            ends++;
            continue;
        }
        assert_int_equal(rc, VG_OK);
        assert_int_equal(rec.seq, n + 1);
        assert_true(rec.unit < THREADS);
        assert_int_equal(rec.source, next_of[rec.unit]);     /* each writer's records in its order */
        char want[64];
        int len = snprintf(want, sizeof want, "writer %u record %u %0*u", rec.unit, rec.source,
                           (int)(rec.source % 40), rec.source);
        assert_int_equal(rec.len, (uint32_t)len);
        assert_memory_equal(rec.data, want, (size_t)len);
        next_of[rec.unit]++;
        n++;
    }
    for (uint32_t i = 0; i < THREADS; i++) {
        pthread_join(w[i].t, NULL);
        assert_false(w[i].failed);
        assert_int_equal(next_of[i], PER_THREAD);
    }
    vg_spool_rec rec;
    assert_int_equal(vg_spool_read(r, &rec, &err), VG_END);
    vg_spool_reader_close(r);
    vg_spool_stats st;
    vg_spool_stats_get(sp, &st);
    assert_true(st.segments > 5);
    vg_spool_close(sp);
    print_message("concurrent: %llu records, reader caught up %llu times\n", (unsigned long long)n,
                  (unsigned long long)ends);
}

#define SYNC_THREADS 8
#define SYNC_APPENDS 40

typedef struct syncer {
    pthread_t t;
    vg_spool *sp;
    int failed;
} syncer;

static void *sync_main(void *arg)
{
    syncer *s = arg;
    for (int i = 0; i < SYNC_APPENDS; i++) {
        vg_spool_rec rec = { .data = "durable", .len = 7 };
        vg_error err;
        vg_spool_stats st;
        if (vg_spool_append(s->sp, &rec, 1, &err) != VG_OK)
            s->failed = 1;
        vg_spool_stats_get(s->sp, &st);
        if (st.durable_seq < rec.seq)   /* ALWAYS: durable when append returns */
            s->failed = 1;
    }
    return NULL;
}

static uint64_t read_all_plain(vg_spool *sp)
{
    vg_spool_reader *r;
    vg_error err;
    assert_int_equal(vg_spool_reader_open(sp, 1, &r, &err), VG_OK);
    vg_spool_rec rec;
    uint64_t n = 0;
    while (vg_spool_read(r, &rec, &err) == VG_OK) {
        assert_int_equal(rec.seq, n + 1);
        assert_int_equal(rec.len, 7);
        assert_memory_equal(rec.data, "durable", 7);
        n++;
    }
    vg_spool_reader_close(r);
    return n;
}

static void test_group_commit(void **state)
{
    (void)state;
    vg_spool *sp = open_spool(4096, VG_SPOOL_SYNC_ALWAYS, NULL);   /* rolls while others sync */
    syncer s[SYNC_THREADS];
    for (int i = 0; i < SYNC_THREADS; i++) {
        s[i] = (syncer){ .sp = sp };
        assert_int_equal(pthread_create(&s[i].t, NULL, sync_main, &s[i]), 0);
    }
    for (int i = 0; i < SYNC_THREADS; i++) {
        pthread_join(s[i].t, NULL);
        assert_false(s[i].failed);
    }
    vg_spool_stats st;
    vg_spool_stats_get(sp, &st);
    assert_int_equal(st.next_seq, SYNC_THREADS * SYNC_APPENDS + 1);
    assert_int_equal(st.durable_seq, SYNC_THREADS * SYNC_APPENDS);
    /* appends write under the lock and sync after it: waiting appenders share a sync */
    assert_true(st.syncs < SYNC_THREADS * SYNC_APPENDS);
    print_message("group commit: %d appends, %llu fdatasync calls\n", SYNC_THREADS * SYNC_APPENDS,
                  (unsigned long long)st.syncs);
    assert_true(st.segments > 2);
    assert_int_equal(read_all_plain(sp), SYNC_THREADS * SYNC_APPENDS);
    uint64_t before = st.syncs;
    vg_error err;
    assert_int_equal(vg_spool_sync(sp, st.durable_seq, &err), VG_OK);     /* already durable: no sync */
    vg_spool_stats_get(sp, &st);
    assert_int_equal(st.syncs, before);
    vg_spool_close(sp);
}

static void test_interval_sync(void **state)
{
    (void)state;
    vg_spool_opts o;
    vg_spool_opts_default(&o);
    o.sync = VG_SPOOL_SYNC_INTERVAL;
    o.sync_interval_ms = 20;
    vg_spool *sp;
    vg_error err;
    assert_int_equal(vg_spool_open(&sp, dir, &o, NULL, NULL, &err), VG_OK);
    vg_spool_rec rec = { .data = "x", .len = 1 };
    assert_int_equal(vg_spool_append(sp, &rec, 1, &err), VG_OK);
    vg_spool_stats st;
    for (int i = 0; i < 200; i++) {     /* the background thread syncs within ~20 ms */
        vg_spool_stats_get(sp, &st);
        if (st.durable_seq == 1)
            break;
        usleep(10000);
    }
    assert_int_equal(st.durable_seq, 1);
    vg_spool_close(sp);
}

/* ---- release and the lock ---- */

static unsigned count_segments(void)
{
    unsigned n = 0;
    DIR *d = opendir(dir);
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        n += strncmp(e->d_name, "seg-", 4) == 0;
    closedir(d);
    return n;
}

static void test_release(void **state)
{
    (void)state;
    vg_spool *sp = open_spool(4096, VG_SPOOL_SYNC_NEVER, NULL);
    append_upto(sp, 501, 3);
    vg_spool_stats st;
    vg_spool_stats_get(sp, &st);
    assert_int_equal(count_segments(), st.segments);
    uint32_t all = st.segments;
    /* a reader in the first segment holds it and everything after it */
    vg_spool_reader *r;
    vg_spool_rec rec;
    vg_error err;
    assert_int_equal(vg_spool_reader_open(sp, 1, &r, &err), VG_OK);
    assert_int_equal(vg_spool_read(r, &rec, &err), VG_OK);
    assert_int_equal(vg_spool_release(sp, 250, &err), VG_OK);
    vg_spool_stats_get(sp, &st);
    assert_int_equal(st.segments, all);
    assert_int_equal(st.released_seq, 250);
    for (uint64_t want = 2; vg_spool_read(r, &rec, &err) == VG_OK; want++) {
        assert_int_equal(rec.seq, want);
        check_payload(&rec);
    }
    vg_spool_reader_close(r);
    assert_int_equal(vg_spool_release(sp, 250, &err), VG_OK);
    vg_spool_stats_get(sp, &st);
    assert_true(st.segments < all);
    assert_int_equal(count_segments(), st.segments);
    /* what is left starts at or before 251: nothing unreleased is gone */
    vg_spool_reader *r2;
    assert_int_equal(vg_spool_reader_open(sp, 1, &r2, &err), VG_OK);
    assert_int_equal(vg_spool_read(r2, &rec, &err), VG_OK);
    assert_true(rec.seq <= 251 && rec.seq > 200);
    vg_spool_reader_close(r2);
    assert_int_equal(read_all(sp, 251, 251), 250);
    uint64_t bytes = st.bytes;
    /* everything released: only the write segment stays */
    assert_int_equal(vg_spool_release(sp, 1000, &err), VG_OK);
    vg_spool_stats_get(sp, &st);
    assert_int_equal(st.segments, 1);
    assert_int_equal(st.released_seq, 500);
    assert_true(st.bytes < bytes);
    assert_int_equal(count_segments(), 1);
    append_upto(sp, 511, 1);
    vg_spool_close(sp);
    sp = open_spool(4096, VG_SPOOL_SYNC_NEVER, NULL);
    vg_spool_stats_get(sp, &st);
    assert_int_equal(st.next_seq, 511);
    vg_spool_close(sp);
}

static void test_lock(void **state)
{
    (void)state;
    vg_spool *a = open_spool(4096, VG_SPOOL_SYNC_NEVER, NULL), *b = NULL;
    vg_error err;
    assert_int_equal(vg_spool_open(&b, dir, NULL, NULL, NULL, &err), VG_ERR_IO);
    assert_null(b);
    assert_non_null(strstr(err.msg, dir));
    assert_non_null(strstr(err.msg, "in use"));
    vg_spool_close(a);
    assert_int_equal(vg_spool_open(&b, dir, NULL, NULL, NULL, &err), VG_OK);
    vg_spool_close(b);
    struct stat st;
    assert_int_equal(stat(dir, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
}

static void test_creates_dir(void **state)
{
    (void)state;
    char sub[128];
    snprintf(sub, sizeof sub, "%s/new", dir);
    vg_spool *sp;
    vg_error err;
    assert_int_equal(vg_spool_open(&sp, sub, NULL, NULL, NULL, &err), VG_OK);
    vg_spool_close(sp);
    struct stat st;
    assert_int_equal(stat(sub, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    char p[256];
    snprintf(p, sizeof p, "%s/lock", sub);
    unlink(p);
    snprintf(p, sizeof p, "%s/seg-0000000000000001.vsp", sub);
    unlink(p);
    rmdir(sub);
}

/* ---- a real crash ---- */

static void child_append(int fd)
{
    vg_spool_opts o;
    vg_spool_opts_default(&o);
    o.segment_bytes = 65536;
    o.sync = VG_SPOOL_SYNC_NEVER;
    vg_spool *sp;
    vg_error err;
    if (vg_spool_open(&sp, dir, &o, NULL, NULL, &err))
        _exit(3);
    static char bufs[8][MAX_PAYLOAD];
    for (;;) {
        vg_spool_stats st;
        vg_spool_stats_get(sp, &st);
        vg_spool_rec recs[8];
        size_t n = 1 + (size_t)(st.next_seq % 8);
        for (size_t i = 0; i < n; i++) {
            uint64_t seq = st.next_seq + i;
            recs[i] = (vg_spool_rec){ .received_us = (int64_t)seq * 1000, .unit = (uint32_t)(seq % 7) };
            recs[i].len = payload(seq, bufs[i]);
            recs[i].data = bufs[i];
        }
        if (vg_spool_append(sp, recs, n, &err))
            _exit(4);
        uint64_t last = recs[n - 1].seq;
        if (write(fd, &last, sizeof last) != sizeof last)
            _exit(5);
    }
}

static void test_crash_kill9(void **state)
{
    (void)state;
    srand((unsigned)getpid());
    for (int round = 0; round < 3; round++) {
        int p[2];
        assert_int_equal(pipe(p), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            close(p[0]);
            child_append(p[1]);
        }
        close(p[1]);
        uint64_t reported = 0, v;
        long want = 50 + rand() % 1000;
        for (long i = 0; i < want && read(p[0], &v, sizeof v) == sizeof v; i++)
            reported = v;
        usleep((useconds_t)(rand() % 2000));
        kill(pid, SIGKILL);
        while (read(p[0], &v, sizeof v) == sizeof v)
            reported = v;
        close(p[0]);
        int status;
        waitpid(pid, &status, 0);
        assert_true(WIFSIGNALED(status));
        reports rep = { 0 };
        vg_spool *sp = open_spool(65536, VG_SPOOL_SYNC_NEVER, &rep);
        uint64_t n = read_all(sp, 1, 1);
        vg_spool_stats st;
        vg_spool_stats_get(sp, &st);
        print_message("crash round %d: child reported %llu, %llu read, torn %llu bytes\n", round,
                      (unsigned long long)reported, (unsigned long long)n, (unsigned long long)st.torn_bytes);
        assert_true(reported > 0);
        assert_true(n >= reported);
        assert_int_equal(st.damaged_records, 0);
        assert_int_equal(st.next_seq, n + 1);   /* the next round goes on without a gap */
        vg_spool_close(sp);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crc32c_vectors),
        cmocka_unit_test(test_scan_segment),
        cmocka_unit_test_setup_teardown(test_round_trip_rollover, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reopen_continues, setup, teardown),
        cmocka_unit_test_setup_teardown(test_skip_to, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reader_middle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_torn_tail_every_offset, setup, teardown),
        cmocka_unit_test_setup_teardown(test_zero_tail, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flipped_payload_byte, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flipped_header_byte, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flipped_byte_sealed_segment, setup, teardown),
        cmocka_unit_test_setup_teardown(test_garbage_between_records, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reader_finds_damage, setup, teardown),
        cmocka_unit_test_setup_teardown(test_oversized, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_write, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_appends_and_reader, setup, teardown),
        cmocka_unit_test_setup_teardown(test_group_commit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_interval_sync, setup, teardown),
        cmocka_unit_test_setup_teardown(test_release, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lock, setup, teardown),
        cmocka_unit_test_setup_teardown(test_creates_dir, setup, teardown),
        cmocka_unit_test_setup_teardown(test_crash_kill9, setup, teardown),
    };
    const char *filter = getenv("SPOOL_TEST_FILTER");     /* e.g. "test_torn*" */
    if (filter)
        cmocka_set_test_filter(filter);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
