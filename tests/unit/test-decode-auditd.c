/*
 * test-decode-auditd: Linux audit records. Hex-encoded values are decoded where auditd writes
 * them (EXECVE arguments, PATH names, proctitle with its NUL separators) and only there (a
 * SYSCALL record's a0 is a number); msg='...' pairs of USER_* records; the enriched part after
 * 0x1d; node= and ECS fields; the syslog-carried form; the probe; bad records rejected with a
 * reason, garbage never a crash.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "decode-fixture.h"

static void test_syscall_enriched(void **state)
{
    (void)state;
    accept_line(&vg_decoder_auditd,
                "type=SYSCALL msg=audit(1700000000.123:456): arch=c000003e syscall=319 success=yes exit=3 "
                "a0=7f a1=0 items=0 ppid=1 pid=2 auid=1000 uid=0 comm=\"ecasound\" exe=\"/usr/bin/ecasound\" "
                "key=(null)\x1d" "ARCH=x86_64 SYSCALL=memfd_create AUID=\"alice\"");
    expect("auditd.type", "SYSCALL");
    expect("auditd.a0", "7f");                  /* a syscall argument: a number, as written */
    expect("auditd.SYSCALL", "memfd_create");
    expect("auditd.AUID", "alice");
    expect("auditd.key", "(null)");
    expect("process.executable", "/usr/bin/ecasound");
    expect("process.name", "ecasound");
    expect_num("process.pid", "2");
    expect_num("process.parent.pid", "1");
    expect("event.outcome", "success");
    expect("event.dataset", "auditd.log");
    expect_num("event.sequence", "456");
    expect("@timestamp", "2023-11-14T22:13:20.123Z");
}

static void test_hex_values(void **state)
{
    (void)state;
    accept_line(&vg_decoder_auditd, "node=srv1 type=EXECVE msg=audit(1700000001.000:457): argc=3 a0=\"sysctl\" "
                                    "a1=\"-w\" a2=6B65726E656C2E72616E646F6D697A655F76615F73706163653D30");
    expect("auditd.a0", "sysctl");
    expect("auditd.a2", "kernel.randomize_va_space=0");
    expect("host.hostname", "srv1");
    accept_line(&vg_decoder_auditd, "type=PROCTITLE msg=audit(1700000001.000:457): "
                                    "proctitle=73797363746C002D7700");
    expect("auditd.proctitle", "sysctl -w");
    accept_line(&vg_decoder_auditd, "type=PATH msg=audit(1700000002.5:458): item=0 name=2F746D702F612062 nametype=CREATE");
    expect("auditd.name", "/tmp/a b");
    accept_line(&vg_decoder_auditd, "type=PATH msg=audit(1700000002.5:458): item=0 name=ABC nametype=CREATE");
    expect("auditd.name", "ABC");                /* odd length: not hex text */
}

static void test_user_msg(void **state)
{
    (void)state;
    accept_line(&vg_decoder_auditd,
                "type=USER_AUTH msg=audit(1700000003.000:459): pid=2000 uid=0 auid=4294967295 ses=4294967295 "
                "msg='op=PAM:authentication grantors=? acct=\"root\" exe=\"/usr/sbin/sshd\" hostname=198.51.100.7 "
                "addr=198.51.100.7 terminal=ssh res=failed'");
    expect("auditd.op", "PAM:authentication");
    expect("auditd.acct", "root");
    expect("auditd.terminal", "ssh");
    expect("source.ip", "198.51.100.7");
    expect("event.outcome", "failure");
}

static void test_syslog_carried(void **state)
{
    (void)state;
    accept_line(&vg_decoder_syslog, "Nov 14 22:13:30 srv2 audisp-syslogd: node=srv2 type=EXECVE "
                                    "msg=audit(1700000010.000:900): argc=2 a0=\"arecord\" a1=\"-vv\"");
    expect("auditd.a0", "arecord");
    expect("event.dataset", "auditd.log");
    /* the node that wrote the record, not the forwarder the header names */
    accept_line(&vg_decoder_syslog, "Nov 14 22:13:30 collector audisp-syslogd: node=web7 type=EXECVE "
                                    "msg=audit(1700000010.000:901): argc=1 a0=\"id\"");
    expect("host.hostname", "web7");
    expect("auditd.a0", "id");
    accept_line(&vg_decoder_syslog, "Nov 14 22:13:30 collector audisp-syslogd: type=EOE msg=audit(1700000010.000:901): ");
    expect("host.hostname", "collector");
    accept_line(&vg_decoder_syslog, "Nov 14 22:13:30 srv2 audisp-syslogd: type=EXECVE msg=audit(1:2): a0=\"x");
    expect_array("tags", "[\"vigil_auditd_malformed\"]");
    accept_line(&vg_decoder_syslog, "Nov 14 22:13:30 srv2 audit: started");
    expect_none("auditd.type");
}

static void test_probe_and_errors(void **state)
{
    (void)state;
    static const char *const yes[] = {
        "type=SYSCALL msg=audit(1700000000.123:456): arch=c000003e",
        "node=h type=PATH msg=audit(1.0:1): item=0",
    };
    static const char *const no[] = {
        "Nov 14 22:13:30 srv2 sshd[1]: Accepted password for a from 192.0.2.1 port 1 ssh2",
        "type=SYSCALL audit(1700000000.123:456): arch=c000003e",
        "node=h",
    };
    check_probe(&vg_decoder_auditd, yes, 2, no, 3);
    expect_reason(decode_line(&vg_decoder_auditd, "type=X msg=audit(1.0:2): a=\"open", 0), "", "quote is not closed");
    expect_reason(decode_line(&vg_decoder_auditd, "type=X msg=audit(abc): a=1", 0), "", "SECONDS.MILLIS:SERIAL");
    expect_reason(decode_line(&vg_decoder_auditd, "hello", 0), "", "expected [node=HOST ]type=TYPE");
    static const char *const odd[] = { "type=", "type= msg=audit(", "type=X msg=audit(1:)", "type=X msg=audit(:1):",
                                       "node= type=X msg=audit(1.0:1): =x = a= b=\"\" msg='' msg='a=\"b'" };
    for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++)
        (void)decode_line(&vg_decoder_auditd, odd[i], 0);     /* never a crash (sanitizers) */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_syscall_enriched),
        cmocka_unit_test(test_hex_values),
        cmocka_unit_test(test_user_msg),
        cmocka_unit_test(test_syslog_carried),
        cmocka_unit_test(test_probe_and_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
