/*
 * test-decode-linux: PAM (new and old style), sudo, su (util-linux and shadow), the account
 * tools (useradd, usermod, userdel, groupadd, groupdel, gpasswd, passwd, chpasswd) and cron,
 * through the syslog decoder; host names in rhost, user names with spaces, truncated and
 * garbage messages (never a crash, always a plain syslog event).
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

#define T "Apr  7 09:15:00 srv1 "

/* ---- PAM ----------------------------------------------------------------------------------- */

static void test_pam_auth_failure(void **state)
{
    (void)state;
    decode(T "sshd[900]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=192.0.2.77  user=root");
    expect("event.kind", "event");
    expect_action("pam_authentication_failure", "failure");
    expect_array("event.category", "[\"authentication\"]");
    expect_array("event.type", "[\"info\"]");
    expect("event.dataset", "system.auth");
    expect("service.name", "sshd");
    expect("process.name", "sshd");
    expect("user.name", "root");
    expect("source.ip", "192.0.2.77");
    expect("source.user.name", NULL);
    /* host name in rhost, no user */
    decode(T "sshd[900]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=ec2-1-2-3-4.compute.example.com ");
    expect("source.domain", "ec2-1-2-3-4.compute.example.com");
    expect("source.ip", NULL);
    expect("user.name", NULL);
    /* IPv6 rhost, a user name with a space, local su with ruser */
    decode(T "sshd[900]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=2001:db8::99  user=John Smith");
    expect("source.ip", "2001:db8::99");
    expect("user.name", "John Smith");
    decode(T "su[901]: pam_unix(su:auth): authentication failure; logname=alice uid=1000 euid=0 tty=/dev/pts/0 ruser=alice rhost=  user=root");
    expect_action("pam_authentication_failure", "failure");
    expect("service.name", "su");
    expect("user.name", "root");
    expect("source.user.name", "alice");
    expect("source.ip", NULL);
    expect("source.domain", NULL);
}

static void test_pam_old_style(void **state)
{
    (void)state;
    decode(T "sshd(pam_unix)[19939]: authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=host-7.example.net  user=guest");
    expect_action("pam_authentication_failure", "failure");
    expect("service.name", "sshd");
    expect("process.name", "sshd");
    expect("user.name", "guest");
    expect("source.domain", "host-7.example.net");
    decode(T "sshd(pam_unix)[19937]: check pass; user unknown");
    expect_action("pam_user_unknown", "failure");
    decode(T "su(pam_unix)[2010]: session opened for user news by (uid=0)");
    expect_action("pam_session_opened", NULL);
    expect_array("event.category", "[\"session\"]");
    expect_array("event.type", "[\"start\"]");
    expect("service.name", "su");
    expect("user.name", "news");
    decode(T "su(pam_unix)[2010]: session closed for user news");
    expect_action("pam_session_closed", NULL);
    expect_array("event.type", "[\"end\"]");
    expect("user.name", "news");
    /* a program without a decoder of its own */
    decode(T "login(pam_unix)[2200]: session opened for user root by LOGIN(uid=0)");
    expect_action("pam_session_opened", NULL);
    expect("service.name", "login");
    expect("user.name", "root");
}

static void test_pam_sessions(void **state)
{
    (void)state;
    decode(T "sudo[1200]: pam_unix(sudo:session): session opened for user root(uid=0) by alice(uid=1000)");
    expect_action("pam_session_opened", NULL);
    expect("service.name", "sudo");
    expect("user.name", "root");
    expect("user.id", "0");
    decode(T "CRON[1300]: pam_unix(cron:session): session opened for user root by (uid=0)");
    expect_action("pam_session_opened", NULL);
    expect("service.name", "cron");
    expect("process.name", "CRON");
    expect("user.name", "root");
    expect("user.id", NULL);
    decode(T "CRON[1300]: pam_unix(cron:session): session closed for user root");
    expect_action("pam_session_closed", NULL);
    decode(T "passwd[1400]: pam_unix(passwd:chauthtok): password changed for bob");
    expect_action("pam_password_changed", "success");
    expect_array("event.category", "[\"iam\"]");
    expect_array("event.type", "[\"user\",\"change\"]");
    expect("user.target.name", "bob");
    expect("user.name", NULL);
    decode(T "chpasswd[1401]: pam_unix(chpasswd:chauthtok): password changed for carol");
    expect_action("pam_password_changed", "success");
    expect("service.name", "chpasswd");
    expect("user.target.name", "carol");
    /* an unknown PAM message stays plain */
    decode(T "sshd[900]: pam_unix(sshd:account): account expired for bob");
    expect_plain();
}

/* ---- sudo ---------------------------------------------------------------------------------- */

static void test_sudo_command(void **state)
{
    (void)state;
    decode(T "sudo[1500]:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/id");
    expect_action("sudo_command", "success");
    expect_array("event.category", "[\"process\"]");
    expect_array("event.type", "[\"start\"]");
    expect("event.dataset", "system.auth");
    expect("user.name", "alice");
    expect("user.effective.name", "root");
    expect("process.working_directory", "/home/alice");
    expect("process.command_line", "/usr/bin/id");
    expect("event.reason", NULL);
    /* sudo 1.9: no leading spaces, a GROUP, a command holding " ; " */
    decode(T "sudo[1501]: bob : TTY=pts/1 ; PWD=/srv ; USER=postgres ; GROUP=postgres ; COMMAND=/bin/sh -c 'a ; b'");
    expect("user.name", "bob");
    expect("user.effective.name", "postgres");
    expect("user.effective.group.name", "postgres");
    expect("process.command_line", "/bin/sh -c 'a ; b'");
}

static void test_sudo_failures(void **state)
{
    (void)state;
    decode(T "sudo[1502]:    alice : 3 incorrect password attempts ; TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/bash");
    expect_action("sudo_auth_failure", "failure");
    expect_array("event.category", "[\"authentication\"]");
    expect("event.reason", "3 incorrect password attempts");
    expect("user.name", "alice");
    expect("process.command_line", "/bin/bash");
    decode(T "sudo[1503]:   mallory : user NOT in sudoers ; TTY=pts/2 ; PWD=/tmp ; USER=root ; COMMAND=/usr/bin/cat /etc/shadow");
    expect_action("sudo_not_allowed", "failure");
    expect("user.name", "mallory");
    expect("event.reason", "user NOT in sudoers");
    expect("process.command_line", "/usr/bin/cat /etc/shadow");
    decode(T "sudo[1504]: bob : command not allowed ; TTY=pts/1 ; PWD=/ ; USER=root ; COMMAND=/sbin/reboot");
    expect_action("sudo_not_allowed", "failure");
    decode(T "sudo[1505]: bob : a password is required ; TTY=pts/1 ; PWD=/ ; USER=root ; COMMAND=/bin/ls");
    expect_action("sudo_auth_failure", "failure");
    decode(T "sudo[1506]: bob : something unexpected ; TTY=pts/1 ; PWD=/ ; USER=root ; COMMAND=/bin/ls");
    expect_action("sudo_failure", "failure");
    expect("event.reason", "something unexpected");
    decode(T "sudo[1507]: pam_unix(sudo:auth): authentication failure; logname=bob uid=1001 euid=0 tty=/dev/pts/1 ruser=bob rhost=  user=bob");
    expect_action("pam_authentication_failure", "failure");
    expect("service.name", "sudo");
    /* not sudo's shapes */
    decode(T "sudo[1508]: unable to resolve host srv1: Name or service not known");
    expect_plain();
    decode(T "sudo[1509]: bob : TTY=pts/1 ; PWD=/");
    expect_plain();
}

/* ---- su ------------------------------------------------------------------------------------ */

static void test_su(void **state)
{
    (void)state;
    decode(T "su[1600]: (to root) alice on pts/0");
    expect_action("su_switch_user", "success");
    expect_array("event.category", "[\"authentication\"]");
    expect("user.name", "alice");
    expect("user.effective.name", "root");
    decode(T "su[1601]: FAILED SU (to root) alice on pts/0");
    expect_action("su_switch_user", "failure");
    expect("user.name", "alice");
    decode(T "su[1602]: Successful su for root by alice");
    expect_action("su_switch_user", "success");
    expect("user.name", "alice");
    expect("user.effective.name", "root");
    decode(T "su[1603]: FAILED su for postgres by mallory");
    expect_action("su_switch_user", "failure");
    expect("user.name", "mallory");
    expect("user.effective.name", "postgres");
    decode(T "su[1604]: + pts/0 alice:root");
    expect_action("su_log", "success");
    expect("user.name", "alice");
    expect("user.effective.name", "root");
    decode(T "su[1605]: - pts/3 mallory:root");
    expect_action("su_log", "failure");
    decode(T "su[1606]: pam_unix(su:session): session opened for user root by alice(uid=1000)");
    expect_action("pam_session_opened", NULL);
    expect("service.name", "su");
    decode(T "su[1607]: No passwd entry for user 'x'");
    expect_plain();
}

/* ---- account tools ------------------------------------------------------------------------- */

static void test_useradd(void **state)
{
    (void)state;
    decode(T "useradd[1700]: new user: name=bob, UID=1001, GID=1001, home=/home/bob, shell=/bin/bash, from=/dev/pts/0");
    expect_action("user_created", "success");
    expect_array("event.category", "[\"iam\"]");
    expect_array("event.type", "[\"user\",\"creation\"]");
    expect("event.dataset", "system.auth");
    expect("user.target.name", "bob");
    expect("user.target.id", "1001");
    expect("group.id", "1001");
    expect("system.auth.useradd.home", "/home/bob");
    expect("system.auth.useradd.shell", "/bin/bash");
    expect("user.name", NULL);
    decode(T "useradd[1700]: new group: name=bob, GID=1001");
    expect_action("group_created", "success");
    expect_array("event.type", "[\"group\",\"creation\"]");
    expect("group.name", "bob");
    expect("group.id", "1001");
    decode(T "useradd[1700]: add 'bob' to group 'sudo'");
    expect_action("user_added_to_group", "success");
    expect_array("event.type", "[\"group\",\"change\"]");
    expect("user.target.name", "bob");
    expect("group.name", "sudo");
    decode(T "useradd[1700]: add 'bob' to shadow group 'sudo'");
    expect_action("user_added_to_group_gshadow", "success");
}

static void test_usermod_userdel(void **state)
{
    (void)state;
    decode(T "usermod[1701]: change user 'bob' password");
    expect_action("user_password_changed", "success");
    expect("user.target.name", "bob");
    decode(T "usermod[1701]: lock user 'bob' password");
    expect_action("user_locked", "success");
    decode(T "usermod[1701]: unlock user 'bob' password");
    expect_action("user_unlocked", "success");
    decode(T "usermod[1701]: change user name 'bob' to 'robert'");
    expect_action("user_renamed", "success");
    expect("user.target.name", "bob");
    expect("user.changes.name", "robert");
    decode(T "usermod[1701]: change user 'bob' shell from '/bin/sh' to '/bin/bash'");
    expect_action("user_changed", "success");
    expect("user.target.name", "bob");
    decode(T "usermod[1701]: delete 'bob' from group 'sudo'");
    expect_action("user_removed_from_group", "success");
    expect("group.name", "sudo");
    decode(T "userdel[1702]: delete user 'bob'");
    expect_action("user_deleted", "success");
    expect_array("event.type", "[\"user\",\"deletion\"]");
    expect("user.target.name", "bob");
    decode(T "userdel[1702]: removed group 'bob' owned by 'bob'");
    expect_action("group_deleted", "success");
    expect("group.name", "bob");
    expect("user.target.name", "bob");
}

static void test_group_tools(void **state)
{
    (void)state;
    decode(T "groupadd[1703]: group added to /etc/group: name=auditors, GID=1050");
    expect_action("group_entry_added", "success");
    expect("file.path", "/etc/group");
    expect("group.name", "auditors");
    expect("group.id", "1050");
    decode(T "groupadd[1703]: group added to /etc/gshadow: name=auditors");
    expect_action("group_entry_added", "success");
    expect("file.path", "/etc/gshadow");
    expect("group.id", NULL);
    decode(T "groupadd[1703]: new group: name=auditors, GID=1050");
    expect_action("group_created", "success");
    decode(T "groupdel[1704]: group 'auditors' removed from /etc/group");
    expect_action("group_entry_removed", "success");
    expect("file.path", "/etc/group");
    decode(T "groupdel[1704]: group 'auditors' removed");
    expect_action("group_deleted", "success");
    expect("group.name", "auditors");
    decode(T "gpasswd[1705]: user carol added by root to group docker");
    expect_action("user_added_to_group", "success");
    expect("user.target.name", "carol");
    expect("user.name", "root");
    expect("group.name", "docker");
    decode(T "passwd[1706]: password for 'carol' changed by 'root'");
    expect_action("password_changed", "success");
    expect("user.target.name", "carol");
    expect("user.name", "root");
    decode(T "useradd[1707]: failed adding user 'x', data deleted");
    expect_plain();
}

/* ---- cron ---------------------------------------------------------------------------------- */

static void test_cron(void **state)
{
    (void)state;
    decode(T "CRON[1800]: (root) CMD (   cd / && run-parts --report /etc/cron.hourly)");
    expect("event.kind", "event");
    expect_action("cron_command", NULL);
    expect_array("event.category", "[\"process\"]");
    expect("event.dataset", "system.syslog");
    expect("user.name", "root");
    expect("process.command_line", "cd / && run-parts --report /etc/cron.hourly");
    decode(T "crond[1801]: (backup) CMD (/usr/local/bin/dump (daily))");
    expect("user.name", "backup");
    expect("process.command_line", "/usr/local/bin/dump (daily)");
    decode(T "cron[1802]: (*system*) RELOAD (/etc/crontab)");
    expect_action("cron_reload", NULL);
    expect("user.name", NULL);
    expect("file.path", "/etc/crontab");
    decode(T "crond[1803]: (*system*backup) RELOAD (/etc/cron.d/backup)");
    expect("user.name", NULL);
    decode(T "crontab[1804]: (root) BEGIN EDIT (alice)");
    expect_action("crontab_edit_begin", NULL);
    expect_array("event.category", "[\"configuration\"]");
    expect("user.name", "root");
    expect("user.target.name", "alice");
    decode(T "cron[1805]: (root) REPLACE (alice)");
    expect_action("crontab_replace", NULL);
    expect("user.name", "root");
    expect("user.target.name", "alice");
    decode(T "CRON[1806]: (CRON) INFO (pidfile fd = 3)");
    expect_plain();
    decode(T "CRON[1807]: (root) MAIL (mailed 1 byte of output)");
    expect_plain();
}

/* ---- bad input ----------------------------------------------------------------------------- */

static void test_garbage(void **state)
{
    (void)state;
    static const char *const lines[] = {
        T "sudo[1]: ", T "sudo[1]:  : ", T "sudo[1]: x : ", T "sudo[1]: x : y", T "sudo[1]: : COMMAND=x",
        T "su[1]: (to ) x on ", T "su[1]: (to root", T "su[1]: + ", T "su[1]: + x", T "su[1]: Successful su for",
        T "useradd[1]: new user:", T "useradd[1]: add '' to group ''", T "useradd[1]: add 'x' to group",
        T "userdel[1]: delete user ''", T "usermod[1]: change user 'x'",
        T "cron[1]: ()", T "cron[1]: (root) CMD ()", T "cron[1]: (root) CMD (", T "cron[1]: (root)", T "cron[1]: (",
        T "sshd(pam_unix)[1]: ", T "sshd(pam_unix)[1]: authentication failure;", T "x(pam_unix)[1]: check pass",
        T "(pam_unix)[1]: check pass; user unknown", T "sshd[1]: pam_unix(: authentication failure; a",
        T "sshd[1]: pam_unix(sshd): authentication failure; user=x", T "su[1]: pam_",
        T "login(pam_unix)[1]: session opened for user ", T "login(pam_unix)[1]: session opened for user (uid=0)",
        T "sudo[1]: \xff\xfe : \x01",
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        decode(lines[i]);
        if (vg_event_get(&ev, "event.action").type != VG_JSON_NONE)
            fail_msg("decoded: '%s'", lines[i]);
        expect_plain();
    }
}

static void test_truncated(void **state)
{
    (void)state;
    static const char *const lines[] = {
        T "sshd(pam_unix)[19939]: authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=host-7.example.net  user=guest",
        T "sudo[1501]: bob : TTY=pts/1 ; PWD=/srv ; USER=postgres ; GROUP=postgres ; COMMAND=/bin/sh -c 'a ; b'",
        T "su[1602]: Successful su for root by alice",
        T "useradd[1700]: new user: name=bob, UID=1001, GID=1001, home=/home/bob, shell=/bin/bash, from=/dev/pts/0",
        T "CRON[1800]: (root) CMD (   cd / && run-parts --report /etc/cron.hourly)",
        T "sudo[1200]: pam_unix(sudo:session): session opened for user root(uid=0) by alice(uid=1000)",
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
        decode_prefixes(&vg_decoder_syslog, lines[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pam_auth_failure),
        cmocka_unit_test(test_pam_old_style),
        cmocka_unit_test(test_pam_sessions),
        cmocka_unit_test(test_sudo_command),
        cmocka_unit_test(test_sudo_failures),
        cmocka_unit_test(test_su),
        cmocka_unit_test(test_useradd),
        cmocka_unit_test(test_usermod_userdel),
        cmocka_unit_test(test_group_tools),
        cmocka_unit_test(test_cron),
        cmocka_unit_test(test_garbage),
        cmocka_unit_test(test_truncated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
