/*
 * test-decode-sshd: sshd messages through the syslog decoder: every shape of decode-sshd.c,
 * user names with spaces and injected text, IPv6 and host name sources, "[preauth]" and
 * "error: "/"fatal: " prefixes, "message repeated N times" (the repeat count and its limit),
 * the counting rule (one ssh_login failure per attempt), truncated and garbage messages.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "decode-fixture.h"

/* Decodes a full syslog line (year 2025, UTC); the test fails if it is rejected. */
static void decode(const char *line)
{
    accept_line(&vg_decoder_syslog, line);
}

#define H "Mar  3 14:02:11 gw01 sshd[4411]: "

/* ---- logins -------------------------------------------------------------------------------- */

static void test_accepted(void **state)
{
    (void)state;
    decode(H "Accepted password for alice from 192.0.2.10 port 50022 ssh2");
    expect("event.kind", "event");
    expect_action("ssh_login", "success");
    expect_array("event.category", "[\"authentication\",\"session\"]");
    expect_array("event.type", "[\"start\"]");
    expect("event.dataset", "system.auth");
    expect("system.auth.ssh.event", "Accepted");
    expect("system.auth.ssh.method", "password");
    expect("user.name", "alice");
    expect("source.ip", "192.0.2.10");
    expect_num("source.port", "50022");
    expect("system.auth.ssh.signature", NULL);
    expect("process.name", "sshd");
    expect("message", "Accepted password for alice from 192.0.2.10 port 50022 ssh2");
    expect_repeat(1);
}

static void test_accepted_publickey_ipv6(void **state)
{
    (void)state;
    decode(H "Accepted publickey for deploy from 2001:db8::7 port 41000 ssh2: ED25519 SHA256:q3Zx+Yk/0b");
    expect_action("ssh_login", "success");
    expect("system.auth.ssh.method", "publickey");
    expect("user.name", "deploy");
    expect("source.ip", "2001:db8::7");
    expect_num("source.port", "41000");
    expect("system.auth.ssh.signature", "ED25519 SHA256:q3Zx+Yk/0b");
    /* IPv4-mapped IPv6, keyboard-interactive through PAM, no "ssh2" */
    decode(H "Accepted keyboard-interactive/pam for bob from ::ffff:198.51.100.4 port 2222");
    expect("system.auth.ssh.method", "keyboard-interactive/pam");
    expect("source.ip", "::ffff:198.51.100.4");
    expect_num("source.port", "2222");
}

static void test_failed(void **state)
{
    (void)state;
    decode(H "Failed password for root from 203.0.113.5 port 38112 ssh2");
    expect_action("ssh_login", "failure");
    expect_array("event.category", "[\"authentication\"]");
    expect_array("event.type", "[\"info\"]");
    expect("system.auth.ssh.event", "Failed");
    expect("system.auth.ssh.method", "password");
    expect("user.name", "root");
    expect("source.ip", "203.0.113.5");
    expect_num("source.port", "38112");
    decode(H "Failed none for invalid user guest from 203.0.113.5 port 38113 ssh2");
    expect_action("ssh_login", "failure");
    expect("system.auth.ssh.method", "none");
    expect("user.name", "guest");
    decode(H "Failed publickey for git from 203.0.113.5 port 4 ssh2: RSA SHA256:AAAAB3Nza");
    expect("system.auth.ssh.signature", "RSA SHA256:AAAAB3Nza");
    /* "[preauth]" is set aside */
    decode(H "Failed password for invalid user test from 203.0.113.5 port 1 ssh2 [preauth]");
    expect_action("ssh_login", "failure");
    expect("user.name", "test");
    expect_num("source.port", "1");
}

static void test_user_names(void **state)
{
    (void)state;
    /* a name that starts with a space: "invalid user " then " 0101" */
    decode(H "Failed password for invalid user  0101 from 198.51.100.9 port 6000 ssh2");
    expect("user.name", " 0101");
    expect("source.ip", "198.51.100.9");
    decode(H "Failed password for invalid user John Smith from 198.51.100.9 port 6001 ssh2");
    expect("user.name", "John Smith");
    /* a name made to look like the tail: parsed from the right */
    decode(H "Failed password for invalid user x from 10.0.0.1 port 1 ssh2 from 198.51.100.9 port 6002 ssh2");
    expect("user.name", "x from 10.0.0.1 port 1 ssh2");
    expect("source.ip", "198.51.100.9");
    expect_num("source.port", "6002");
    /* an empty name */
    decode(H "Failed password for invalid user  from 198.51.100.9 port 6003 ssh2");
    expect_action("ssh_login", "failure");
    expect("user.name", NULL);
    expect("source.ip", "198.51.100.9");
    /* a valid user called "invalid" */
    decode(H "Failed password for invalid from 198.51.100.9 port 6004 ssh2");
    expect("user.name", "invalid");
    /* unicode and quotes are kept as they are */
    decode(H "Invalid user \"ad\xc3\xa9min\" from 198.51.100.9 port 6005");
    expect("user.name", "\"ad\xc3\xa9min\"");
}

static void test_host_names(void **state)
{
    (void)state;
    /* UseDNS: a host name instead of an address */
    decode(H "Failed password for root from scanner-7.example.net port 40000 ssh2");
    expect_action("ssh_login", "failure");
    expect("source.ip", NULL);
    expect("source.domain", "scanner-7.example.net");
    expect_num("source.port", "40000");
    /* a port out of range is not set; the attempt still counts */
    decode(H "Failed password for root from 192.0.2.1 port 70000 ssh2");
    expect_action("ssh_login", "failure");
    expect("source.port", NULL);
    decode(H "Failed password for root from 192.0.2.1 port 022 ssh2");
    expect("source.port", NULL);
    decode(H "Did not receive identification string from 192.0.2.1 port 65535");
    expect_num("source.port", "65535");
    /* a host that is neither: not decoded */
    decode(H "Failed password for root from bad!host port 40000 ssh2");
    expect_plain();
}

static void test_postponed_partial(void **state)
{
    (void)state;
    decode(H "Postponed publickey for alice from 192.0.2.10 port 50022 ssh2 [preauth]");
    expect_action("ssh_login_postponed", NULL);
    expect("system.auth.ssh.event", "Postponed");
    expect("user.name", "alice");
    decode(H "Partial publickey for alice from 192.0.2.10 port 50022 ssh2: ECDSA SHA256:zz");
    expect_action("ssh_login_partial", NULL);
    expect("system.auth.ssh.signature", "ECDSA SHA256:zz");
}

static void test_max_attempts(void **state)
{
    (void)state;
    decode(H "error: maximum authentication attempts exceeded for invalid user admin from 203.0.113.7 port 5060 ssh2 [preauth]");
    expect_action("ssh_max_auth_attempts_exceeded", "failure");
    expect("user.name", "admin");
    expect("source.ip", "203.0.113.7");
    expect_num("source.port", "5060");
    expect("log.level", "error");
}

/* ---- users and connections ----------------------------------------------------------------- */

static void test_invalid_user(void **state)
{
    (void)state;
    decode(H "Invalid user webmaster from 198.51.100.20");
    expect_action("ssh_invalid_user", "failure");
    expect_array("event.category", "[\"authentication\"]");
    expect("system.auth.ssh.event", "Invalid");
    expect("user.name", "webmaster");
    expect("source.ip", "198.51.100.20");
    expect("source.port", NULL);
    decode(H "Invalid user oracle from 2001:db8:1::5 port 40610");
    expect("user.name", "oracle");
    expect("source.ip", "2001:db8:1::5");
    expect_num("source.port", "40610");
    decode(H "Invalid user  0101 from 198.51.100.20");
    expect("user.name", " 0101");
    decode(H "Invalid user  from 198.51.100.20 port 1");
    expect_action("ssh_invalid_user", "failure");
    expect("user.name", NULL);
    decode(H "input_userauth_request: invalid user webmaster [preauth]");
    expect_action("ssh_userauth_invalid_user", "failure");
    expect("system.auth.ssh.event", NULL);
    expect("user.name", "webmaster");
    expect("source.ip", NULL);
}

static void test_not_allowed(void **state)
{
    (void)state;
    decode(H "User root from 198.51.100.30 not allowed because not listed in AllowUsers");
    expect_action("ssh_user_not_allowed", "failure");
    expect("user.name", "root");
    expect("source.ip", "198.51.100.30");
    expect("event.reason", "not listed in AllowUsers");
    decode(H "User svc backup from host.example.org not allowed because shell /bin/false does not exist");
    expect("user.name", "svc backup");
    expect("source.domain", "host.example.org");
    expect("event.reason", "shell /bin/false does not exist");
}

static void test_connection(void **state)
{
    (void)state;
    decode(H "Connection from 198.51.100.40 port 51000 on 10.1.2.3 port 22 rdomain \"\"");
    expect_action("ssh_connection", NULL);
    expect_array("event.category", "[\"network\"]");
    expect_array("event.type", "[\"connection\",\"start\"]");
    expect("source.ip", "198.51.100.40");
    expect_num("source.port", "51000");
    expect("destination.ip", "10.1.2.3");
    expect_num("destination.port", "22");
    decode(H "Connection from 2001:db8::40 port 51000 on 2001:db8::1 port 2222");
    expect("source.ip", "2001:db8::40");
    expect("destination.ip", "2001:db8::1");
    expect_num("destination.port", "2222");
}

static void test_closed(void **state)
{
    (void)state;
    decode(H "Connection closed by 198.51.100.41 [preauth]");
    expect_action("ssh_connection_closed", NULL);
    expect_array("event.type", "[\"connection\",\"end\"]");
    expect("source.ip", "198.51.100.41");
    expect("source.port", NULL);
    expect("user.name", NULL);
    decode(H "Connection closed by invalid user pi 198.51.100.41 port 33000 [preauth]");
    expect("user.name", "pi");
    expect_num("source.port", "33000");
    decode(H "Connection closed by authenticating user root 2001:db8::41 port 33001 [preauth]");
    expect("user.name", "root");
    expect("source.ip", "2001:db8::41");
    decode(H "Connection reset by 198.51.100.41 port 33002");
    expect_action("ssh_connection_reset", NULL);
    expect_num("source.port", "33002");
}

static void test_received_disconnect(void **state)
{
    (void)state;
    decode(H "Received disconnect from 198.51.100.50: 11: Bye Bye [preauth]");
    expect_action("ssh_disconnect", NULL);
    expect("source.ip", "198.51.100.50");
    expect("event.reason", "Bye Bye");
    expect("log.level", NULL);
    decode(H "Received disconnect from 198.51.100.50 port 60222:11: disconnected by user");
    expect_num("source.port", "60222");
    expect("event.reason", "disconnected by user");
    decode(H "Received disconnect from 2001:db8::50: 3: com.example.Auth: fail [preauth]");
    expect("source.ip", "2001:db8::50");
    expect("event.reason", "com.example.Auth: fail");
    decode(H "error: Received disconnect from 198.51.100.50: 14: No more user authentication methods available. [preauth]");
    expect_action("ssh_disconnect", NULL);
    expect("log.level", "error");
    expect("event.reason", "No more user authentication methods available.");
}

static void test_disconnected(void **state)
{
    (void)state;
    decode(H "Disconnected from user alice 192.0.2.10 port 50022");
    expect_action("ssh_disconnected", NULL);
    expect("user.name", "alice");
    expect("source.ip", "192.0.2.10");
    expect_num("source.port", "50022");
    decode(H "Disconnected from 192.0.2.10 port 50022 [preauth]");
    expect("user.name", NULL);
    expect("source.ip", "192.0.2.10");
}

static void test_too_many_failures(void **state)
{
    (void)state;
    decode(H "Disconnecting: Too many authentication failures for root [preauth]");
    expect_action("ssh_too_many_failures", "failure");
    expect("user.name", "root");
    decode(H "Disconnecting invalid user admin 198.51.100.60 port 41000: Too many authentication failures [preauth]");
    expect_action("ssh_too_many_failures", "failure");
    expect("user.name", "admin");
    expect("source.ip", "198.51.100.60");
    expect_num("source.port", "41000");
    decode(H "Disconnecting: Too many authentication failures [preauth]");
    expect_action("ssh_too_many_failures", "failure");
    expect("user.name", NULL);
    decode(H "Disconnecting: Change of username or service not allowed: (a,ssh) -> (b,ssh) [preauth]");
    expect_action("ssh_disconnecting", NULL);
    expect("event.reason", "Change of username or service not allowed: (a,ssh) -> (b,ssh)");
}

static void test_preauth_network(void **state)
{
    (void)state;
    decode(H "Did not receive identification string from 198.51.100.70");
    expect_action("ssh_no_identification", NULL);
    expect("source.ip", "198.51.100.70");
    decode(H "Did not receive identification string from UNKNOWN port 65535");
    expect_action("ssh_no_identification", NULL);
    expect("source.ip", NULL);
    expect("source.domain", NULL);
    decode(H "Bad protocol version identification 'GET / HTTP/1.1' from 198.51.100.71 port 53132");
    expect_action("ssh_bad_protocol_version", NULL);
    expect("source.ip", "198.51.100.71");
    expect("user.name", NULL);
    decode(H "Unable to negotiate with 198.51.100.72 port 49000: no matching host key type found. Their offer: ssh-dss [preauth]");
    expect_action("ssh_negotiation_failed", "failure");
    expect("source.ip", "198.51.100.72");
    expect("event.reason", "no matching host key type found. Their offer: ssh-dss");
    decode(H "Timeout, client not responding.");
    expect_action("ssh_timeout", NULL);
    decode(H "Timeout, client not responding from user carol 198.51.100.73 port 22022");
    expect_action("ssh_timeout", NULL);
    expect("user.name", "carol");
    expect("source.ip", "198.51.100.73");
}

static void test_reverse_mapping(void **state)
{
    (void)state;
    decode(H "reverse mapping checking getaddrinfo for mail.example.com [198.51.100.80] failed - POSSIBLE BREAK-IN ATTEMPT!");
    expect_action("ssh_reverse_mapping_failed", NULL);
    expect("source.ip", "198.51.100.80");
    expect("source.domain", "mail.example.com");
    decode(H "Address 198.51.100.81 maps to host.example.net, but this does not map back to the address - POSSIBLE BREAK-IN ATTEMPT!");
    expect_action("ssh_reverse_mapping_failed", NULL);
    expect("source.ip", "198.51.100.81");
    expect("source.domain", "host.example.net");
    /* the name in brackets must be an address */
    decode(H "reverse mapping checking getaddrinfo for a.example [not-an-ip] failed - POSSIBLE BREAK-IN ATTEMPT!");
    expect_plain();
}

/* ---- PAM through sshd ---------------------------------------------------------------------- */

static void test_pam(void **state)
{
    (void)state;
    decode(H "PAM 2 more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= rhost=198.51.100.90  user=root");
    expect_action("pam_more_failures", "failure");
    expect("user.name", "root");
    expect("source.ip", "198.51.100.90");
    decode(H "PAM 1 more authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=dsl-9.example.net ");
    expect_action("pam_more_failures", "failure");
    expect("source.domain", "dsl-9.example.net");
    expect("user.name", NULL);
    decode(H "PAM service(sshd) ignoring max retries; 6 > 3");
    expect_action("pam_ignoring_max_retries", NULL);
    expect("service.name", "sshd");
    decode(H "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=198.51.100.90  user=root");
    expect_action("pam_authentication_failure", "failure");
    expect("service.name", "sshd");
    expect("process.name", "sshd");
    expect("user.name", "root");
    expect("source.ip", "198.51.100.90");
    decode(H "pam_unix(sshd:session): session opened for user alice by (uid=0)");
    expect_action("pam_session_opened", NULL);
    expect("user.name", "alice");
}

static void test_fatal(void **state)
{
    (void)state;
    decode(H "fatal: Write failed: Connection reset by peer [preauth]");
    expect_action("ssh_fatal_error", NULL);
    expect("log.level", "fatal");
    expect("event.reason", "Write failed: Connection reset by peer");
    /* a known shape behind "fatal: " keeps its own action */
    decode(H "fatal: Unable to negotiate with 198.51.100.72 port 49000: no matching cipher found [preauth]");
    expect_action("ssh_negotiation_failed", "failure");
    expect("log.level", "fatal");
}

static void test_listening(void **state)
{
    (void)state;
    decode(H "Server listening on 0.0.0.0 port 22.");
    expect_action("ssh_server_listening", NULL);
    expect("source.ip", NULL);
    decode(H "Server listening on :: port 2222.");
    expect_action("ssh_server_listening", NULL);
}

/* ---- repeats and counting ------------------------------------------------------------------ */

static void test_repeated(void **state)
{
    (void)state;
    decode(H "message repeated 5 times: [ Failed password for root from 198.51.100.99 port 42393 ssh2]");
    expect_repeat(5);
    expect_action("ssh_login", "failure");
    expect("user.name", "root");
    expect("source.ip", "198.51.100.99");
    expect_num("source.port", "42393");
    expect("message", "Failed password for root from 198.51.100.99 port 42393 ssh2");
    /* rsyslog without the space after '[' */
    decode(H "message repeated 2 times: [Failed password for admin from 198.51.100.99 port 1 ssh2]");
    expect_repeat(2);
    expect("user.name", "admin");
    /* any program: the event is still counted N times */
    decode("Mar  3 14:02:11 gw01 kernel: message repeated 3 times: [ eth0: link down]");
    expect_repeat(3);
    expect("message", "eth0: link down");
    /* not the shape: plain, counted once */
    decode(H "message repeated 5 times: [ Failed password for root from 198.51.100.99 port 42393 ssh2");
    expect_plain();
    decode(H "message repeated 0 times: [ Failed password for root from 198.51.100.99 port 1 ssh2]");
    expect_plain();
    decode(H "message repeated many times: [ x]");
    expect_plain();
    /* the limit: 100000 is accepted, more is a visible rejection */
    decode(H "message repeated 100000 times: [ Timeout, client not responding.]");
    expect_repeat(100000);
    const char *over = H "message repeated 100001 times: [ Timeout, client not responding.]";
    assert_int_equal(decode_line(&vg_decoder_syslog, over, 0), VG_ERR_LIMIT);
    assert_non_null(strstr(err.msg, "message repeated"));
    const char *huge = H "message repeated 99999999999999999999999 times: [ x]";
    assert_int_equal(decode_line(&vg_decoder_syslog, huge, 0), VG_ERR_LIMIT);
}

/* One invalid-user attempt logs five lines; exactly one is an ssh_login failure. */
static void test_counting_rule(void **state)
{
    (void)state;
    static const char *const lines[] = {
        H "Invalid user test9 from 198.51.100.100",
        H "input_userauth_request: invalid user test9 [preauth]",
        H "pam_unix(sshd:auth): check pass; user unknown",
        H "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=198.51.100.100 ",
        H "Failed password for invalid user test9 from 198.51.100.100 port 5000 ssh2",
        H "PAM 1 more authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=198.51.100.100 ",
        H "Connection closed by 198.51.100.100 [preauth]",
    };
    unsigned failures = 0;
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        decode(lines[i]);
        vg_value a = vg_event_get(&ev, "event.action"), o = vg_event_get(&ev, "event.outcome");
        if (a.type == VG_JSON_NONE)
            fail_msg("not recognized: %s", lines[i]);
        if (vg_value_equals(&a, "ssh_login", 9) && vg_value_equals(&o, "failure", 7))
            failures += ev.repeat;
    }
    assert_int_equal(failures, 1);
}

/* ---- bad input ----------------------------------------------------------------------------- */

static void test_garbage(void **state)
{
    (void)state;
    static const char *const msgs[] = {
        "", " ", "Failed", "Failed ", "Failed password", "Failed password for",
        "Failed password for root", "Failed password for root from",
        "Failed password for root from 198.51.100.1", "Failed password for root from 198.51.100.1 port",
        "Failed password for root from 198.51.100.1 port x ssh2",
        "Failed password for root from 198.51.100.1 port 22 ssh2 trailing",
        "Failed password for root from 198.51.100.1 port 22 ssh2: ",
        "Failed to release session: Interrupted system call",
        "Accepted key RSA SHA256:abc found at /root/.ssh/authorized_keys:1",
        "Accepted  for root from 198.51.100.1 port 22 ssh2",
        "Invalid user", "Invalid user bob", "Invalid user bob from", "Invalid user bob from 1.2.3.4.5.6!",
        "Connection closed by", "Connection closed by ", "Connection closed by someone else 198.51.100.1",
        "Connection from 198.51.100.1 port 5 on", "Connection from nowhere",
        "Received disconnect from", "Received disconnect from 198.51.100.1",
        "Disconnected from", "Disconnecting:", "Disconnecting", "Disconnecting x",
        "reverse mapping checking getaddrinfo for", "Address 1.2.3.4 maps to",
        "PAM", "PAM x more authentication failures; a=b", "PAM 3 more authentication fail; a=b",
        "PAM service(sshd", "User", "User root from 198.51.100.1", "User root not allowed because x",
        "Timeout, client not responding from", "Timeout, client not responding garbage",
        "Bad protocol version identification", "Bad protocol version identification x from 198.51.100.1",
        "Server listening on", "Server listening on 0.0.0.0 port 22",
        "error: ", "error: something else", "pam_unix(", "pam_unix(sshd:auth)", "pam_unix(sshd:auth): ",
        "\xff\xfe\x00\x01", "[preauth]", " [preauth]", "message repeated", "message repeated 3 times: [",
        "%s%n%x", "from from from from port port port 1",
    };
    char line[512];
    for (size_t i = 0; i < sizeof msgs / sizeof msgs[0]; i++) {
        size_t n = strlen(H);
        memcpy(line, H, n);
        size_t m = strlen(msgs[i]);
        memcpy(line + n, msgs[i], m + 1);
        decode(line);
        if (vg_event_get(&ev, "event.action").type != VG_JSON_NONE)
            fail_msg("decoded: '%s'", msgs[i]);
        expect_plain();
    }
}

static void test_truncated(void **state)
{
    (void)state;
    static const char *const lines[] = {
        H "Accepted publickey for deploy from 2001:db8::7 port 41000 ssh2: ED25519 SHA256:q3Zx",
        H "Failed password for invalid user  0101 from 198.51.100.9 port 6000 ssh2",
        H "message repeated 5 times: [ Failed password for root from 198.51.100.99 port 42393 ssh2]",
        H "Received disconnect from 198.51.100.50 port 60222:11: disconnected by user",
        H "reverse mapping checking getaddrinfo for mail.example.com [198.51.100.80] failed - POSSIBLE BREAK-IN ATTEMPT!",
        H "PAM 2 more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= rhost=198.51.100.90  user=root",
        H "Connection from 198.51.100.40 port 51000 on 10.1.2.3 port 22 rdomain \"\"",
        H "User root from 198.51.100.30 not allowed because not listed in AllowUsers",
        H "Disconnecting invalid user admin 198.51.100.60 port 41000: Too many authentication failures",
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
        decode_prefixes(&vg_decoder_syslog, lines[i]);
    /* a cut login line is not a login */
    decode(H "Failed password for root from 198.51.100.1 po");
    expect_plain();
}

static void test_rfc5424(void **state)
{
    (void)state;
    decode("<38>1 2025-03-03T14:02:11Z gw01 sshd 4411 - - Failed password for root from 203.0.113.5 port 38112 ssh2");
    expect_action("ssh_login", "failure");
    expect("source.ip", "203.0.113.5");
    decode("<38>1 2025-03-03T14:02:11Z gw01 sshd 4411 - - message repeated 4 times: [ Failed password for root from 203.0.113.5 port 38112 ssh2]");
    expect_repeat(4);
    expect_action("ssh_login", "failure");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accepted),
        cmocka_unit_test(test_accepted_publickey_ipv6),
        cmocka_unit_test(test_failed),
        cmocka_unit_test(test_user_names),
        cmocka_unit_test(test_host_names),
        cmocka_unit_test(test_postponed_partial),
        cmocka_unit_test(test_max_attempts),
        cmocka_unit_test(test_invalid_user),
        cmocka_unit_test(test_not_allowed),
        cmocka_unit_test(test_connection),
        cmocka_unit_test(test_closed),
        cmocka_unit_test(test_received_disconnect),
        cmocka_unit_test(test_disconnected),
        cmocka_unit_test(test_too_many_failures),
        cmocka_unit_test(test_preauth_network),
        cmocka_unit_test(test_reverse_mapping),
        cmocka_unit_test(test_pam),
        cmocka_unit_test(test_fatal),
        cmocka_unit_test(test_listening),
        cmocka_unit_test(test_repeated),
        cmocka_unit_test(test_counting_rule),
        cmocka_unit_test(test_garbage),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_rfc5424),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
