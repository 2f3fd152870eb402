/*
 * test-decode-auditjoin: audit records of one exec joined into a process start: every order of
 * the six records of an exec gives the same process (its records' text in auditd's order), made
 * when the last of its SYSCALL, EXECVE and EOE arrives; an event of another call gives none; two
 * hosts with the same serial stay apart; arguments over two EXECVE records; the event's time in
 * the key; failed execs and late records leave nothing behind; the table is bounded (the oldest
 * unfinished exec is dropped and counted); the command line of EXECVE records (quoted,
 * hexadecimal, pieces of a long argument, across records, buffers too small).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "decode-auditjoin.h"
#include "decode-fixture.h"
#include "decode-syslog.h"

/* The records of one exec: ls -l "/tmp/a b" from /home/alice, in the order auditd writes them. */
static const char *const exec_records[] = {
    "node=h1 type=SYSCALL msg=audit(1700000000.000:42): arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 "
    "a2=3 a3=0 items=2 ppid=100 pid=101 auid=1000 uid=1000 gid=1000 euid=1000 suid=1000 fsuid=1000 egid=1000 "
    "sgid=1000 fsgid=1000 tty=pts0 ses=2 comm=\"ls\" exe=\"/usr/bin/ls\" key=(null)",
    "node=h1 type=EXECVE msg=audit(1700000000.000:42): argc=3 a0=\"ls\" a1=\"-l\" a2=2F746D702F612062",
    "node=h1 type=CWD msg=audit(1700000000.000:42): cwd=\"/home/alice\"",
    "node=h1 type=PATH msg=audit(1700000000.000:42): item=0 name=\"/usr/bin/ls\" inode=1 nametype=NORMAL",
    "node=h1 type=PROCTITLE msg=audit(1700000000.000:42): proctitle=6C73002D6C",
    "node=h1 type=EOE msg=audit(1700000000.000:42): ",
};
#define NREC (sizeof exec_records / sizeof exec_records[0])

static vg_auditjoin_proc proc;

/* Decodes record line and offers it to j: 1 when it completed an exec (proc holds it). */
static int offer(vg_auditjoin *j, const char *line)
{
    accept_line(vg_decoder_find("auditd"), line);
    return vg_auditjoin_wants(&ev) && vg_auditjoin_offer(j, &ev, &proc);
}

static vg_auditjoin *new_join(void)
{
    vg_auditjoin *j;
    vg_error e;
    assert_int_equal(vg_auditjoin_new(&j, &e), VG_OK);
    return j;
}

/* Heap's algorithm: the next permutation of perm[0..n) (c: its state); 0 after the last. */
static int next_permutation(size_t *perm, size_t *c, size_t n, size_t *i)
{
    while (*i < n) {
        if (c[*i] < *i) {
            size_t a = *i % 2 == 0 ? 0 : c[*i], t = perm[a];
            perm[a] = perm[*i];
            perm[*i] = t;
            c[*i]++;
            *i = 0;
            return 1;
        }
        c[*i] = 0;
        (*i)++;
    }
    return 0;
}

/* All 720 orders: one process, made by the last of SYSCALL, EXECVE and EOE, with the same
 * fields; the working directory when CWD came before it. */
static void test_every_order(void **state)
{
    (void)state;
    size_t perm[NREC], c[NREC] = { 0 }, i = 0, orders = 0;
    for (size_t k = 0; k < NREC; k++)
        perm[k] = k;
    do {
        vg_auditjoin *j = new_join();
        size_t made = 0, made_at = 0, cwd_at = NREC, last_needed = 0;
        for (size_t k = 0; k < NREC; k++) {
            if (perm[k] == 2)
                cwd_at = k;
            if (perm[k] == 0 || perm[k] == 1 || perm[k] == 5)
                last_needed = k;
            if (offer(j, exec_records[perm[k]])) {
                made++;
                made_at = k;
                vg_event pe;
                vg_auditjoin_event(&proc, &pe);
                assert_string_equal(proc.exe, "/usr/bin/ls");
                assert_int_equal(proc.args.len, strlen("ls -l /tmp/a b"));
                assert_memory_equal(proc.cmdline, "ls -l /tmp/a b", proc.args.len);
                assert_string_equal(proc.pid, "101");
                assert_string_equal(proc.ppid, "100");
                assert_string_equal(proc.host, "h1");
                assert_string_equal(proc.cwd, cwd_at < k ? "/home/alice" : "");
                char want[2048];        /* the records in auditd's order, whatever order they came in */
                snprintf(want, sizeof want, "%s\n%s\n%s%s%s", exec_records[0], exec_records[1],
                         cwd_at < k ? exec_records[2] : "", cwd_at < k ? "\n" : "", exec_records[5]);
                assert_int_equal(proc.text_len, strlen(want));
                assert_memory_equal(proc.text, want, proc.text_len);
                assert_string_equal(pe.decoder, "auditd-process");
                assert_non_null(vg_event_field(&pe, "process.command_line"));
            }
        }
        assert_int_equal(made, 1);
        assert_int_equal(made_at, last_needed);
        assert_int_equal(vg_auditjoin_get_stats(j).joined, 1);
        vg_auditjoin_free(j);
        orders++;
    } while (next_permutation(perm, c, NREC, &i));
    assert_int_equal(orders, 720);
}

/* An openat with its CWD, PATH and EOE, in any order of SYSCALL and EOE: no process. */
static void test_other_call(void **state)
{
    (void)state;
    const char *rec[] = {
        "type=SYSCALL msg=audit(1700000001.000:43): arch=c000003e syscall=257 success=yes exit=3 items=1 ppid=1 "
        "pid=2 auid=0 uid=0 comm=\"cat\" exe=\"/usr/bin/cat\"",
        "type=CWD msg=audit(1700000001.000:43): cwd=\"/root\"",
        "type=PATH msg=audit(1700000001.000:43): item=0 name=\"/etc/shadow\"",
        "type=EOE msg=audit(1700000001.000:43): ",
    };
    vg_auditjoin *j = new_join();
    for (size_t k = 0; k < 4; k++)
        assert_int_equal(offer(j, rec[k]), 0);
    for (size_t k = 4; k-- > 0;)
        assert_int_equal(offer(j, rec[k]), 0);
    /* an enriched SYSCALL names the call: SYSCALL=openat is not an exec whatever its number */
    assert_int_equal(offer(j, "type=SYSCALL msg=audit(1700000001.000:44): arch=c000003e syscall=59 exe=\"/x\""
                              "\x1dSYSCALL=openat"), 0);
    assert_int_equal(offer(j, "type=EXECVE msg=audit(1700000001.000:44): argc=1 a0=\"x\""), 0);
    assert_int_equal(offer(j, "type=EOE msg=audit(1700000001.000:44): "), 0);
    assert_int_equal(vg_auditjoin_get_stats(j).joined, 0);
    assert_int_equal(vg_auditjoin_get_stats(j).dropped, 0);
    vg_auditjoin_free(j);
}

/* Two hosts, one serial, records interleaved: two processes, each with its own command line;
 * a second exec under one key starts over. */
static void test_two_hosts(void **state)
{
    (void)state;
    vg_auditjoin *j = new_join();
    assert_int_equal(offer(j, "node=a type=SYSCALL msg=audit(1.000:7): arch=c000003e syscall=59 pid=1 exe=\"/bin/a\""), 0);
    assert_int_equal(offer(j, "node=b type=SYSCALL msg=audit(1.000:7): arch=c000003e syscall=59 pid=2 exe=\"/bin/b\""), 0);
    assert_int_equal(offer(j, "node=b type=EXECVE msg=audit(1.000:7): argc=1 a0=\"b\""), 0);
    assert_int_equal(offer(j, "node=a type=EXECVE msg=audit(1.000:7): argc=1 a0=\"a\""), 0);
    assert_int_equal(offer(j, "node=a type=EOE msg=audit(1.000:7): "), 1);
    assert_string_equal(proc.exe, "/bin/a");
    assert_int_equal(proc.args.len, 1);
    assert_memory_equal(proc.cmdline, "a", 1);
    assert_int_equal(offer(j, "node=b type=EOE msg=audit(1.000:7): "), 1);
    assert_string_equal(proc.exe, "/bin/b");
    assert_int_equal(proc.args.len, 1);
    assert_memory_equal(proc.cmdline, "b", 1);
    /* two execs under one key (a host named twice): the second SYSCALL starts over, never a mix */
    assert_int_equal(offer(j, "type=SYSCALL msg=audit(1.000:8): arch=c000003e syscall=59 pid=3 exe=\"/bin/ls\""), 0);
    assert_int_equal(offer(j, "type=SYSCALL msg=audit(1.000:8): arch=c000003e syscall=59 pid=4 exe=\"/bin/id\""), 0);
    assert_int_equal(offer(j, "type=EXECVE msg=audit(1.000:8): argc=1 a0=\"id\""), 0);
    assert_int_equal(offer(j, "type=EOE msg=audit(1.000:8): "), 1);
    assert_string_equal(proc.exe, "/bin/id");
    assert_int_equal(proc.args.len, 2);
    assert_int_equal(vg_auditjoin_get_stats(j).dropped, 1);
    vg_auditjoin_free(j);
}

/* 1,000 execs without their EOE: the table keeps the newest VG_AUDITJOIN_PENDING, the others are
 * dropped and counted; the newest still completes, the first no longer does. */
static void test_bounded(void **state)
{
    (void)state;
    char line[256];
    vg_auditjoin *j = new_join();
    for (int k = 0; k < 1000; k++) {
        snprintf(line, sizeof line, "type=SYSCALL msg=audit(2.000:%d): arch=c000003e syscall=59 pid=%d exe=\"/bin/x\"",
                 k, k + 1);
        assert_int_equal(offer(j, line), 0);
        snprintf(line, sizeof line, "type=EXECVE msg=audit(2.000:%d): argc=1 a0=\"x\"", k);
        assert_int_equal(offer(j, line), 0);
    }
    assert_int_equal(vg_auditjoin_get_stats(j).dropped, 1000 - VG_AUDITJOIN_PENDING);
    assert_int_equal(offer(j, "type=EOE msg=audit(2.000:999): "), 1);
    assert_string_equal(proc.pid, "1000");
    assert_int_equal(offer(j, "type=EOE msg=audit(2.000:0): "), 0);
    vg_auditjoin_free(j);
}

/* An exec whose arguments take two EXECVE records (a long argument in pieces): one process
 * with the whole command line, whether the EOE comes last or before the second EXECVE. */
static void test_split_execve(void **state)
{
    (void)state;
    static char big[7001], rec1[9000], rec2[9000];
    memset(big, 'A', 7000);
    big[7000] = '\0';
    snprintf(rec1, sizeof rec1, "type=EXECVE msg=audit(3.000:9): argc=3 a0=\"base64\" a1=\"-d\" a2_len=7004 a2[0]=\"%s\"",
             big);
    snprintf(rec2, sizeof rec2, "type=EXECVE msg=audit(3.000:9): a2[1]=\"tail\"");
    const char *sys = "type=SYSCALL msg=audit(3.000:9): arch=c000003e syscall=59 success=yes pid=5 exe=\"/usr/bin/base64\"";
    const char *eoe = "type=EOE msg=audit(3.000:9): ";
    for (int eoe_first = 0; eoe_first < 2; eoe_first++) {
        vg_auditjoin *j = new_join();
        assert_int_equal(offer(j, sys), 0);
        assert_int_equal(offer(j, rec1), 0);
        if (eoe_first)
            assert_int_equal(offer(j, eoe), 0);     /* argc says one argument is still to come */
        assert_int_equal(offer(j, rec2), eoe_first);
        if (!eoe_first)
            assert_int_equal(offer(j, eoe), 1);
        assert_int_equal(proc.args.len, strlen("base64 -d ") + 7000 + 4);
        assert_memory_equal(proc.cmdline + proc.args.len - 5, "Atail", 5);
        assert_int_equal(proc.args.truncated, 0);
        assert_int_equal(vg_auditjoin_get_stats(j).dropped, 0);
        vg_auditjoin_free(j);
    }
}

/* The key holds the event's time: an exec left without its SYSCALL (lost records) never lends
 * its command line to a later event of the same host and serial (after a reboot, or another
 * host's log without node=). */
static void test_key_has_time(void **state)
{
    (void)state;
    vg_auditjoin *j = new_join();
    assert_int_equal(offer(j, "type=EXECVE msg=audit(4.000:500): argc=2 a0=\"rm\" a1=\"-rf\""), 0);
    assert_int_equal(offer(j, "type=SYSCALL msg=audit(9.000:500): arch=c000003e syscall=59 success=yes pid=8 "
                              "exe=\"/usr/bin/id\""), 0);
    assert_int_equal(offer(j, "type=EXECVE msg=audit(9.000:500): argc=1 a0=\"id\""), 0);
    assert_int_equal(offer(j, "type=EOE msg=audit(9.000:500): "), 1);
    assert_string_equal(proc.exe, "/usr/bin/id");
    assert_int_equal(proc.args.len, 2);
    assert_memory_equal(proc.cmdline, "id", 2);
    vg_auditjoin_free(j);
}

/* Failed execs (no EXECVE: success=no) and records that come after their exec was joined (a
 * late CWD in the daemon) take no room: 300 of each leave nothing behind and drop nothing. */
static void test_nothing_left_behind(void **state)
{
    (void)state;
    char line[256];
    vg_auditjoin *j = new_join();
    for (int k = 0; k < 300; k++) {
        snprintf(line, sizeof line, "type=SYSCALL msg=audit(5.000:%d): arch=c000003e syscall=59 success=no exit=-2 "
                 "pid=%d exe=\"/usr/bin/x\"", k, k + 1);
        assert_int_equal(offer(j, line), 0);
        snprintf(line, sizeof line, "type=CWD msg=audit(5.000:%d): cwd=\"/\"", k);
        assert_int_equal(offer(j, line), 0);
        snprintf(line, sizeof line, "type=EOE msg=audit(5.000:%d): ", k);
        assert_int_equal(offer(j, line), 0);
    }
    for (int k = 0; k < 300; k++) {
        snprintf(line, sizeof line, "type=SYSCALL msg=audit(6.000:%d): arch=c000003e syscall=59 success=yes pid=%d "
                 "exe=\"/usr/bin/y\"", k, k + 1);
        assert_int_equal(offer(j, line), 0);
        snprintf(line, sizeof line, "type=EXECVE msg=audit(6.000:%d): argc=1 a0=\"y\"", k);
        assert_int_equal(offer(j, line), 0);
        snprintf(line, sizeof line, "type=EOE msg=audit(6.000:%d): ", k);
        assert_int_equal(offer(j, line), 1);
        snprintf(line, sizeof line, "type=CWD msg=audit(6.000:%d): cwd=\"/\"", k);   /* late */
        assert_int_equal(offer(j, line), 0);
    }
    assert_int_equal(vg_auditjoin_get_stats(j).joined, 300);
    assert_int_equal(vg_auditjoin_get_stats(j).dropped, 0);
    vg_auditjoin_free(j);
}

/* An exec of five records whose long hexadecimal argument (aN_len counts hex digits) is split
 * over two EXECVE records, in all 120 orders (the daemon's workers): one process, always with
 * the whole command line, made by the last of SYSCALL, both EXECVEs and EOE. */
static void test_split_every_order(void **state)
{
    (void)state;
    const char *rec[] = {
        "type=SYSCALL msg=audit(7.000:70): arch=c000003e syscall=59 success=yes pid=9 exe=\"/usr/bin/echo\"",
        "type=EXECVE msg=audit(7.000:70): argc=3 a0=\"echo\" a1_len=10 a1[0]=6120",     /* "a " */
        "type=EXECVE msg=audit(7.000:70): a1[1]=622063 a2=\"-n\"",                       /* "b c" */
        "type=CWD msg=audit(7.000:70): cwd=\"/tmp\"",
        "type=EOE msg=audit(7.000:70): ",
    };
    size_t perm[5], c[5] = { 0 }, i = 0, orders = 0;
    for (size_t k = 0; k < 5; k++)
        perm[k] = k;
    do {
        vg_auditjoin *j = new_join();
        size_t made = 0, made_at = 0, last_needed = 0;
        for (size_t k = 0; k < 5; k++) {
            if (perm[k] != 3)
                last_needed = k;
            if (offer(j, rec[perm[k]])) {
                made++;
                made_at = k;
                assert_int_equal(proc.args.len, strlen("echo a b c -n"));
                assert_memory_equal(proc.cmdline, "echo a b c -n", proc.args.len);
            }
        }
        assert_int_equal(made, 1);
        assert_int_equal(made_at, last_needed);
        assert_int_equal(vg_auditjoin_get_stats(j).pending, 0);
        vg_auditjoin_free(j);
        orders++;
    } while (next_permutation(perm, c, 5, &i));
    assert_int_equal(orders, 120);
}

/* x32 (x86_64's numbers with bit 30, execve 520), an architecture the table does not know
 * (decided by its EXECVE), and late records of events that started no process. */
static void test_architectures_and_late_records(void **state)
{
    (void)state;
    char line[256];
    vg_auditjoin *j = new_join();
    assert_int_equal(offer(j, "type=SYSCALL msg=audit(8.000:1): arch=c000003e syscall=1073742344 success=yes pid=2 "
                              "exe=\"/bin/x32\""), 0);
    assert_int_equal(offer(j, "type=EXECVE msg=audit(8.000:1): argc=1 a0=\"x32\""), 0);
    assert_int_equal(offer(j, "type=EOE msg=audit(8.000:1): "), 1);
    assert_string_equal(proc.exe, "/bin/x32");
    /* an unknown architecture: an exec by its EXECVE; another call ends at its EOE */
    assert_int_equal(offer(j, "type=SYSCALL msg=audit(8.000:2): arch=deadbeef syscall=5 success=yes pid=3 "
                              "exe=\"/bin/y\""), 0);
    assert_int_equal(offer(j, "type=EXECVE msg=audit(8.000:2): argc=1 a0=\"y\""), 0);
    assert_int_equal(offer(j, "type=EOE msg=audit(8.000:2): "), 1);
    assert_int_equal(offer(j, "type=SYSCALL msg=audit(8.000:3): arch=deadbeef syscall=6 success=yes pid=4"), 0);
    assert_int_equal(offer(j, "type=EOE msg=audit(8.000:3): "), 0);
    /* an exec waiting for its EOE while 300 openat events end and their CWDs come late */
    assert_int_equal(offer(j, "type=SYSCALL msg=audit(9.000:1000): arch=c000003e syscall=59 success=yes pid=5 "
                              "exe=\"/bin/z\""), 0);
    assert_int_equal(offer(j, "type=EXECVE msg=audit(9.000:1000): argc=1 a0=\"z\""), 0);
    for (int k = 0; k < 300; k++) {
        snprintf(line, sizeof line, "type=SYSCALL msg=audit(9.000:%d): arch=c000003e syscall=257 success=yes", k);
        assert_int_equal(offer(j, line), 0);
        snprintf(line, sizeof line, "type=EOE msg=audit(9.000:%d): ", k);
        assert_int_equal(offer(j, line), 0);
        snprintf(line, sizeof line, "type=CWD msg=audit(9.000:%d): cwd=\"/\"", k);
        assert_int_equal(offer(j, line), 0);
    }
    assert_int_equal(offer(j, "type=EOE msg=audit(9.000:1000): "), 1);
    assert_string_equal(proc.exe, "/bin/z");
    assert_int_equal(vg_auditjoin_get_stats(j).dropped, 0);
    assert_int_equal(vg_auditjoin_get_stats(j).pending, 0);
    vg_auditjoin_free(j);
}

/* What older kernels and shippers do: empty arguments written as nothing (kernels before 4.20),
 * argc=0 followed by envp[0] (before 5.18), every record sent twice, an EXECVE record missing in
 * the middle (the exec waits for it), records too long for the text (the command line is cut at
 * the first missing record, and tagged). */
static void test_kernels_and_shippers(void **state)
{
    (void)state;
    vg_auditjoin *j = new_join();
#define SYS "type=SYSCALL msg=audit(10.000:%d): arch=c000003e syscall=59 success=yes pid=7 exe=\"/bin/sh\""
    char line[20000];
    /* empty arguments written as nothing, in the middle and at the end */
    snprintf(line, sizeof line, SYS, 1);
    assert_int_equal(offer(j, line), 0);
    assert_int_equal(offer(j, "type=EXECVE msg=audit(10.000:1): argc=5 a0=\"sh\" a2=\"-c\" a3=\"curl x|sh\""), 0);
    assert_int_equal(offer(j, "type=EOE msg=audit(10.000:1): "), 1);
    assert_int_equal(proc.args.len, strlen("sh  -c curl x|sh "));
    assert_memory_equal(proc.cmdline, "sh  -c curl x|sh ", proc.args.len);
    /* an empty first argument written as nothing */
    snprintf(line, sizeof line, SYS, 6);
    assert_int_equal(offer(j, line), 0);
    assert_int_equal(offer(j, "type=EXECVE msg=audit(10.000:6): argc=3 a1=\"x\" a2=\"y\""), 0);
    assert_int_equal(offer(j, "type=EOE msg=audit(10.000:6): "), 1);
    assert_int_equal(proc.args.len, 4);
    assert_memory_equal(proc.cmdline, " x y", 4);
    /* empty arguments where a full record ends, or at the end after a full record: the prefix,
     * tagged cut (a record still to come would look the same) */
    static char full[7400];
    memset(full, 'b', sizeof full - 1);
    char r1[7500];
    for (int t = 0; t < 2; t++) {
        snprintf(line, sizeof line, SYS, 20 + t);
        assert_int_equal(offer(j, line), 0);
        snprintf(r1, sizeof r1, "type=EXECVE msg=audit(10.000:%d): argc=4 a0=\"c\" a1=\"%s\"", 20 + t, full);
        assert_int_equal(offer(j, r1), 0);
        if (t == 0) {
            snprintf(line, sizeof line, "type=EXECVE msg=audit(10.000:20): a3=\"z\"");
            assert_int_equal(offer(j, line), 0);
        }
        snprintf(line, sizeof line, "type=EOE msg=audit(10.000:%d): ", 20 + t);
        assert_int_equal(offer(j, line), 1);
        assert_int_equal(proc.args.truncated, 1);
        assert_int_equal(proc.args.len, 2 + 7399);
        assert_memory_equal(proc.cmdline, "c bbb", 5);
    }
    /* argc=0: the a0 that follows is envp[0], not an argument, even a long one in pieces */
    snprintf(line, sizeof line, SYS, 2);
    assert_int_equal(offer(j, line), 0);
    assert_int_equal(offer(j, "type=EXECVE msg=audit(10.000:2): argc=0 a0_len=8400 a0[0]=4C445F"), 0);
    assert_int_equal(offer(j, "type=EOE msg=audit(10.000:2): "), 1);
    assert_int_equal(proc.args.len, 0);
    /* every record twice */
    for (int k = 0; k < 2; k++) {
        snprintf(line, sizeof line, SYS, 3);
        assert_int_equal(offer(j, line), 0);
    }
    for (int k = 0; k < 2; k++)
        assert_int_equal(offer(j, "type=EXECVE msg=audit(10.000:3): argc=1 a0=\"id\""), 0);
    assert_int_equal(offer(j, "type=EOE msg=audit(10.000:3): "), 1);
    assert_int_equal(offer(j, "type=EOE msg=audit(10.000:3): "), 0);
    assert_int_equal(vg_auditjoin_get_stats(j).dropped, 0);
    /* the middle of three EXECVE records comes after the EOE (the daemon's workers): the first
     * is full, so the missing one could be empty arguments of an older kernel: the prefix up to
     * it, tagged cut; the late record is then ignored */
    static char a[7300], b[7300];
    memset(a, 'A', sizeof a - 1);
    memset(b, 'B', sizeof b - 1);
    snprintf(line, sizeof line, SYS, 4);
    assert_int_equal(offer(j, line), 0);
    char e1[7400], e2[7400];
    snprintf(e1, sizeof e1, "type=EXECVE msg=audit(10.000:4): argc=3 a0=\"x\" a1_len=14598 a1[0]=\"%s\"", a);
    snprintf(e2, sizeof e2, "type=EXECVE msg=audit(10.000:4): a1[1]=\"%s\"", b);
    assert_int_equal(offer(j, e1), 0);
    assert_int_equal(offer(j, "type=EXECVE msg=audit(10.000:4): a2=\"tail\""), 0);
    assert_int_equal(offer(j, "type=EOE msg=audit(10.000:4): "), 1);
    assert_int_equal(proc.args.truncated, 1);
    assert_int_equal(proc.args.len, 2 + 7299);
    assert_memory_equal(proc.cmdline, "x AAAA", 6);
    assert_int_equal(offer(j, e2), 0);
    /* in order, the same exec: cut at 8 KiB, a prefix */
    snprintf(line, sizeof line, SYS, 7);
    assert_int_equal(offer(j, line), 0);
    snprintf(e1, sizeof e1, "type=EXECVE msg=audit(10.000:7): argc=3 a0=\"x\" a1_len=14598 a1[0]=\"%s\"", a);
    snprintf(e2, sizeof e2, "type=EXECVE msg=audit(10.000:7): a1[1]=\"%s\"", b);
    assert_int_equal(offer(j, e1), 0);
    assert_int_equal(offer(j, e2), 0);
    assert_int_equal(offer(j, "type=EXECVE msg=audit(10.000:7): a2=\"tail\""), 0);
    assert_int_equal(offer(j, "type=EOE msg=audit(10.000:7): "), 1);
    assert_int_equal(proc.args.truncated, 1);
    assert_int_equal(proc.args.len, VG_AUDITJOIN_CMDLINE);
    assert_memory_equal(proc.cmdline, "x AAAA", 6);
    /* records too long for the text: the command line up to the first record left out, tagged */
    snprintf(line, sizeof line, SYS, 5);
    assert_int_equal(offer(j, line), 0);
    static char cwd[2 * 4000 + 1];
    for (int k = 0; k < 8000; k++)
        cwd[k] = "2F61"[k % 4];
    snprintf(line, sizeof line, "type=CWD msg=audit(10.000:5): cwd=%s", cwd);
    assert_int_equal(offer(j, line), 0);
    snprintf(e1, sizeof e1, "type=EXECVE msg=audit(10.000:5): argc=3 a0=\"x\" a1_len=14598 a1[0]=\"%s\"", a);
    snprintf(e2, sizeof e2, "type=EXECVE msg=audit(10.000:5): a1[1]=\"%s\"", b);
    assert_int_equal(offer(j, e1), 0);
    assert_int_equal(offer(j, e2), 0);              /* does not fit: left out */
    assert_int_equal(offer(j, "type=EXECVE msg=audit(10.000:5): a2=\"tail\""), 0);
    assert_int_equal(offer(j, "type=EOE msg=audit(10.000:5): "), 1);
    assert_int_equal(proc.text_cut, 1);
    assert_int_equal(proc.args.truncated, 1);
    assert_int_equal(proc.args.len, 2 + 7299);      /* "x " and the first piece: a prefix */
    vg_event pe;
    vg_auditjoin_event(&proc, &pe);
    assert_non_null(vg_event_field(&pe, "tags"));
    /* EXECVEs that fill the text before their SYSCALL, which then comes twice: the repeat is the
     * same process (its first copy did not fit), not another exec */
    static char c[1584];
    memset(c, 'C', sizeof c - 1);
    snprintf(e1, sizeof e1, "type=EXECVE msg=audit(10.000:8): argc=3 a0=\"x\" a1_len=14598 a1[0]=\"%s\"", a);
    snprintf(e2, sizeof e2, "type=EXECVE msg=audit(10.000:8): a1[1]=\"%s\"", b);
    assert_int_equal(offer(j, e1), 0);
    assert_int_equal(offer(j, e2), 0);
    snprintf(line, sizeof line, "type=EXECVE msg=audit(10.000:8): a2=\"%s\"", c);
    assert_int_equal(offer(j, line), 0);
    snprintf(line, sizeof line, SYS, 8);
    assert_int_equal(offer(j, line), 0);
    assert_int_equal(offer(j, line), 0);
    assert_int_equal(offer(j, "type=EOE msg=audit(10.000:8): "), 1);
    assert_string_equal(proc.exe, "/bin/sh");
    assert_int_equal(vg_auditjoin_get_stats(j).dropped, 0);
    vg_auditjoin_free(j);
#undef SYS
}

/* The command line of EXECVE record rec alone, in out[cap]; its state in *a. */
static void args_of(const char *rec, char *out, size_t cap, vg_auditd_args *a)
{
    vg_auditd_args_init(a);
    vg_auditd_command_line(rec, strlen(rec), out, cap, a);
}

/* The command line of EXECVE records: quoted and hexadecimal arguments (an inner space, a
 * trailing one kept), the pieces of a long argument, one continued in a second record, an
 * empty first argument, a record through syslog, buffers too small. */
static void test_command_line(void **state)
{
    (void)state;
    char out[64];
    vg_auditd_args a;
    const char *rec = "type=EXECVE msg=audit(1.0:1): argc=4 a0=\"sh\" a1=\"-c\" a2=6563686F206869 a3_len=12 "
                      "a3[0]=616263 a3[1]=646520";
    args_of(rec, out, sizeof out, &a);
    assert_int_equal(a.truncated, 0);
    assert_int_equal(a.argc, 4);
    assert_int_equal(a.last, 3);
    assert_int_equal(a.pending, 0);
    assert_int_equal(a.len, strlen("sh -c echo hi abcde "));
    assert_memory_equal(out, "sh -c echo hi abcde ", a.len);
    args_of(rec, out, 7, &a);   /* cut inside an argument: what fits of it is kept */
    assert_int_equal(a.truncated, 1);
    assert_int_equal(a.len, 7);
    assert_memory_equal(out, "sh -c e", a.len);
    args_of(rec, out, 5, &a);   /* the separator does not fit */
    assert_int_equal(a.truncated, 1);
    assert_int_equal(a.len, 5);
    assert_memory_equal(out, "sh -c", a.len);
    /* a long argument continued in the next record of the exec: its pieces join, no space */
    const char *next = "type=EXECVE msg=audit(1.0:2): a1[1]=\"def\" a2=\"-n\"";
    args_of("type=EXECVE msg=audit(1.0:2): argc=3 a0=\"cat\" a1_len=6 a1[0]=\"abc\"", out, sizeof out, &a);
    assert_int_equal(a.argc, 3);
    assert_int_equal(a.pending, 3);
    vg_auditd_command_line(next, strlen(next), out, sizeof out, &a);
    assert_int_equal(a.argc, 3);
    assert_int_equal(a.last, 2);
    assert_int_equal(a.pending, 0);
    assert_int_equal(a.len, strlen("cat abcdef -n"));
    assert_memory_equal(out, "cat abcdef -n", a.len);
    /* an empty first argument keeps its separator */
    args_of("type=EXECVE msg=audit(1.0:3): argc=2 a0=\"\" a1=\"x\"", out, sizeof out, &a);
    assert_int_equal(a.len, 2);
    assert_memory_equal(out, " x", a.len);
    args_of("node=x type=EXECVE msg=audit(1.0:1): argc=2 arch=1 a0=\"id\" a1=\"-u\"", out, sizeof out, &a);
    assert_int_equal(a.len, 5);
    assert_memory_equal(out, "id -u", a.len);
    /* argc=0 read within its value, whatever bytes follow the record in memory */
    static const char two[] = "type=EXECVE msg=audit(1.0:4): argc=0" "2023-01-01T00:00:00Z host";
    vg_auditd_args_init(&a);
    vg_auditd_command_line(two, strlen("type=EXECVE msg=audit(1.0:4): argc=0"), out, sizeof out, &a);
    assert_int_equal(a.argc, 0);
    assert_int_equal(a.len, 0);
    args_of("no record", out, sizeof out, &a);
    assert_int_equal(a.len, 0);
    args_of("type=EXECVE msg=audit(1.0:1): argc=2 a0=\"id\" a1=\"-u", out, sizeof out, &a);
    assert_int_equal(a.len, 2);      /* an unclosed quote: stops there */
    assert_memory_equal(out, "id", a.len);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_order), cmocka_unit_test(test_other_call), cmocka_unit_test(test_two_hosts),
        cmocka_unit_test(test_bounded), cmocka_unit_test(test_command_line), cmocka_unit_test(test_split_execve),
        cmocka_unit_test(test_key_has_time), cmocka_unit_test(test_nothing_left_behind),
        cmocka_unit_test(test_split_every_order), cmocka_unit_test(test_architectures_and_late_records),
        cmocka_unit_test(test_kernels_and_shippers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
