/*
 * test-decode-auditjoin: audit records of one exec joined into a process start: every order of
 * the six records of an exec gives the same process (its records' text in auditd's order), made
 * when the last of its SYSCALL, EXECVE and EOE arrives; an event of another call gives none; two hosts with the same serial stay
 * apart; the table is bounded (the oldest unfinished exec is dropped and counted); the
 * command line of an EXECVE record (quoted, hexadecimal, pieces of a long argument, a buffer
 * too small).
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
                assert_int_equal(proc.cmdline_len, strlen("ls -l /tmp/a b"));
                assert_memory_equal(proc.cmdline, "ls -l /tmp/a b", proc.cmdline_len);
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
    assert_int_equal(proc.cmdline_len, 1);
    assert_memory_equal(proc.cmdline, "a", 1);
    assert_int_equal(offer(j, "node=b type=EOE msg=audit(1.000:7): "), 1);
    assert_string_equal(proc.exe, "/bin/b");
    assert_int_equal(proc.cmdline_len, 1);
    assert_memory_equal(proc.cmdline, "b", 1);
    /* two execs under one key (a host named twice): the second SYSCALL starts over, never a mix */
    assert_int_equal(offer(j, "type=SYSCALL msg=audit(1.000:8): arch=c000003e syscall=59 pid=3 exe=\"/bin/ls\""), 0);
    assert_int_equal(offer(j, "type=SYSCALL msg=audit(1.000:8): arch=c000003e syscall=59 pid=4 exe=\"/bin/id\""), 0);
    assert_int_equal(offer(j, "type=EXECVE msg=audit(1.000:8): argc=1 a0=\"id\""), 0);
    assert_int_equal(offer(j, "type=EOE msg=audit(1.000:8): "), 1);
    assert_string_equal(proc.exe, "/bin/id");
    assert_int_equal(proc.cmdline_len, 2);
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

/* The command line of EXECVE records: quoted and hexadecimal arguments (an inner space, a
 * trailing one kept), the pieces of a long argument, a record through syslog, a buffer too small. */
static void test_command_line(void **state)
{
    (void)state;
    char out[64];
    int cut;
    const char *rec = "type=EXECVE msg=audit(1.0:1): argc=4 a0=\"sh\" a1=\"-c\" a2=6563686F206869 a3_len=6 "
                      "a3[0]=616263 a3[1]=646520";
    size_t n = vg_auditd_command_line(rec, strlen(rec), out, sizeof out, &cut);
    assert_int_equal(cut, 0);
    assert_int_equal(n, strlen("sh -c echo hi abcde "));
    assert_memory_equal(out, "sh -c echo hi abcde ", n);
    n = vg_auditd_command_line(rec, strlen(rec), out, 7, &cut);
    assert_int_equal(cut, 1);
    assert_int_equal(n, 6);
    assert_memory_equal(out, "sh -c ", n);
    n = vg_auditd_command_line(rec, strlen(rec), out, 5, &cut);   /* the separator does not fit */
    assert_int_equal(cut, 1);
    assert_int_equal(n, 5);
    assert_memory_equal(out, "sh -c", n);
    const char *node = "node=x type=EXECVE msg=audit(1.0:1): argc=2 arch=1 a0=\"id\" a1=\"-u\"";
    n = vg_auditd_command_line(node, strlen(node), out, sizeof out, &cut);
    assert_int_equal(n, 5);
    assert_memory_equal(out, "id -u", n);
    assert_int_equal(vg_auditd_command_line("no record", 9, out, sizeof out, &cut), 0);
    const char *open = "type=EXECVE msg=audit(1.0:1): argc=2 a0=\"id\" a1=\"-u";   /* unclosed: stops there */
    n = vg_auditd_command_line(open, strlen(open), out, sizeof out, &cut);
    assert_int_equal(n, 2);
    assert_memory_equal(out, "id", n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_order), cmocka_unit_test(test_other_call), cmocka_unit_test(test_two_hosts),
        cmocka_unit_test(test_bounded), cmocka_unit_test(test_command_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
