/*
 * decode-linux: the Linux authentication programs of auth.log besides sshd (decode-sshd.c):
 * PAM, sudo, su, the shadow-utils account tools and cron. Each decoder receives the message
 * after "prog[pid]: "; any of them hands PAM lines to vg_decode_pam. Shapes and event.action:
 *
 * PAM, "pam_MOD(SERVICE:TYPE): BODY", or BODY alone from an app "SERVICE(pam_MOD)" (old style);
 * SERVICE goes to service.name (process.name stays the program that logged the line):
 *   authentication failure; logname=L uid=N euid=N tty=T ruser=R rhost=H [user=U]
 *                                                     pam_authentication_failure
 *   check pass; user unknown                          pam_user_unknown
 *   session opened for user U[(uid=N)] by [X](uid=N)  pam_session_opened
 *   session closed for user U                         pam_session_closed
 *   password changed for U                            pam_password_changed
 *
 * sudo: "U : [REASON ; ]TTY=T ; PWD=D ; USER=R[ ; GROUP=G] ; COMMAND=C"
 *   no REASON                                         sudo_command
 *   N incorrect password attempts, a password is required      sudo_auth_failure
 *   user NOT in sudoers, command not allowed, ...     sudo_not_allowed
 *   any other REASON                                  sudo_failure
 *
 * su (util-linux and shadow): "(to R) U on TTY", "FAILED SU (to R) U on TTY",
 *   "Successful su for R by U", "FAILED su for R by U"           su_switch_user
 *   "+ TTY U:R", "- TTY U:R" (shadow's sulog lines, logged besides the above)   su_log
 *
 * account tools (useradd, usermod, userdel, groupadd, groupdel, gpasswd, passwd):
 *   new user: name=U, UID=N, GID=N, home=D, shell=S[, from=T]        user_created
 *   new group: name=G, GID=N                          group_created
 *   group added to FILE: name=G[, GID=N]              group_entry_added
 *   add 'U' to [shadow ]group 'G', user U added by A to group G     user_added_to_group
 *   delete 'U' from [shadow ]group 'G', user U removed by A from group G
 *                                                     user_removed_from_group
 *   delete user 'U'                                   user_deleted
 *   removed [shadow ]group 'G' owned by 'U', group 'G' removed      group_deleted
 *   group 'G' removed from FILE                       group_entry_removed
 *   change user 'U' password                          user_password_changed
 *   lock|unlock user 'U' password                     user_locked, user_unlocked
 *   change user name 'U' to 'V'                       user_renamed
 *   change user 'U' ...                               user_changed
 *   password for 'U' changed by 'A'                   password_changed
 *   Lines about /etc/gshadow ("shadow group") get actions ending in "_gshadow": one command
 *   logs several lines, and each action then counts the change once.
 *
 * cron: "(U) WORD (ARG)"; U "*system*..." or "CRON" is no user:
 *   CMD (command)                                     cron_command
 *   RELOAD (file)                                     cron_reload
 *   BEGIN EDIT|END EDIT|REPLACE|DELETE|LIST (user)    crontab_edit_begin, crontab_edit_end,
 *                                                     crontab_replace, crontab_delete, crontab_list
 */
#include "decode-syslog.h"

#include <string.h>

#include "decode-text.h"

#define AUTH_FAILURE(action) { action, VG_CAT_AUTH, VG_TYPE_INFO, "failure" }
#define IAM(action, type) { action, VG_CAT_IAM, type, "success" }

/* ---- shapes made of a template -------------------------------------------------------------- */

/* A "key=value" item and the field it sets. */
typedef struct item_field {
    const char *key;
    const char *field;
} item_field;

/* A message shape given by a vg_text_match template. */
typedef struct tpl_shape {
    const char *tpl;
    const char *fields[3];      /* the field each capture sets, NULL: none */
    const item_field *items;    /* fields from "k=v, k=v" in the last capture, or NULL */
    vg_text_kind kind;
} tpl_shape;

/* Sets the fields of items found in the list s[0..n). */
static void set_items(vg_event *ev, const item_field *items, vg_text list)
{
    vg_text v;
    for (const item_field *it = items; it->key; it++)
        if (vg_text_kv(list.s, list.n, ',', it->key, &v))
            vg_text_set(ev, it->field, v);
}

/* Decodes s[0..n) with the first of shapes (ended by a NULL tpl) whose template it matches;
 * returns 1 if one did. */
static int decode_tpl(vg_event *ev, const tpl_shape *shapes, const char *s, size_t n)
{
    for (const tpl_shape *t = shapes; t->tpl; t++) {
        vg_text cap[3];
        int ncaps = 0;
        for (const char *p = t->tpl; *p; p++)
            ncaps += *p == '%';
        if (!vg_text_match(s, n, t->tpl, cap, ncaps))
            continue;
        vg_text_set_kind(ev, VG_DATASET_AUTH, &t->kind);
        for (int i = 0; i < ncaps; i++)
            if (t->fields[i])
                vg_text_set(ev, t->fields[i], cap[i]);
        if (t->items)
            set_items(ev, t->items, cap[ncaps - 1]);
        return 1;
    }
    return 0;
}

/* The decoder of a program whose messages are all template shapes (su, the account tools):
 * PAM lines go to vg_decode_pam, the others are matched against shapes. */
static vg_rc decode_tpl_program(const vg_decode_opts *opts, vg_event *ev, const char *app,
                                size_t app_len, const char *msg, size_t msg_len,
                                const tpl_shape *shapes)
{
    if (vg_text_is_pam(app, app_len, msg, msg_len))
        return vg_decode_pam(opts, ev, app, app_len, msg, msg_len);
    decode_tpl(ev, shapes, msg, vg_text_rtrim(msg, msg_len));
    return vg_text_result(ev);
}

/* ---- PAM ------------------------------------------------------------------------------------ */

/* Splits a PAM line into its service and body (see the top of this file). Returns 1 or 0. */
static int pam_split(const char *app, size_t app_len, const char *msg, size_t msg_len,
                     vg_text *svc, vg_text *body)
{
    vg_text cap[4];
    size_t n = vg_text_rtrim(msg, msg_len);
    if (vg_text_match(msg, n, "pam_%(%:%): %", cap, 4)) {
        *svc = cap[1];
        *body = cap[3];
        return 1;
    }
    size_t paren = 0;
    while (paren < app_len && app[paren] != '(')
        paren++;
    if (!vg_text_starts(app + paren, app_len - paren, "(pam_") || paren == 0)
        return 0;
    *svc = (vg_text){ app, paren };
    *body = (vg_text){ msg, n };
    return 1;
}

/* "logname=L uid=N euid=N tty=T ruser=R rhost=H [user=U]" */
static int pam_items(vg_event *ev, const vg_text_shape *sh, const char *s, size_t n)
{
    vg_text_set_kind(ev, VG_DATASET_AUTH, &sh->kind);
    vg_text_set_pam_items(ev, s, n);
    return 1;
}

/* nothing after the prefix */
static int pam_plain(vg_event *ev, const vg_text_shape *sh, const char *s, size_t n)
{
    (void)s;
    if (n)
        return 0;
    vg_text_set_kind(ev, VG_DATASET_AUTH, &sh->kind);
    return 1;
}

/* "U[(uid=N)][ by ...]": U goes to the field sh->arg, N to user.id */
static int pam_user(vg_event *ev, const vg_text_shape *sh, const char *s, size_t n)
{
    vg_text cap[2], user = { s, n }, uid = { s, 0 };
    size_t by = vg_text_find(s, n, " by ");
    if (by != VG_TEXT_NONE)
        user.n = by;
    if (memchr(user.s, '(', user.n)) {
        if (!vg_text_match(user.s, user.n, "%(uid=%)", cap, 2) || !vg_text_digits(cap[1].s, cap[1].n))
            return 0;
        user = cap[0];
        uid = cap[1];
    }
    if (user.n == 0)
        return 0;
    vg_text_set_kind(ev, VG_DATASET_AUTH, &sh->kind);
    vg_text_set(ev, sh->arg, user);
    vg_text_set(ev, "user.id", uid);
    return 1;
}

static const vg_text_shape pam_shapes[] = {
    { "authentication failure; ", pam_items, AUTH_FAILURE("pam_authentication_failure"), NULL },
    { "check pass; user unknown", pam_plain, AUTH_FAILURE("pam_user_unknown"), NULL },
    { "session opened for user ", pam_user,
      { "pam_session_opened", VG_CAT_SESSION, VG_TYPE_START, NULL }, "user.name" },
    { "session closed for user ", pam_user,
      { "pam_session_closed", VG_CAT_SESSION, VG_TYPE_END, NULL }, "user.name" },
    { "password changed for ", pam_user,
      IAM("pam_password_changed", VG_TYPE_USER_CHANGE), "user.target.name" },
    { NULL, NULL, { NULL, NULL, NULL, NULL }, NULL }
};

vg_rc vg_decode_pam(const vg_decode_opts *opts, vg_event *ev, const char *app, size_t app_len,
                    const char *msg, size_t msg_len)
{
    (void)opts;
    vg_text svc, body;
    if (pam_split(app, app_len, msg, msg_len, &svc, &body) &&
        vg_text_decode_shapes(ev, pam_shapes, body.s, body.n))
        vg_event_set_str(ev, "service.name", svc.s, svc.n);
    return vg_text_result(ev);
}

/* ---- sudo ----------------------------------------------------------------------------------- */

typedef struct sudo_line {
    vg_text user, reason, pwd, runas, group, command;
} sudo_line;

/* Stores the item "KEY=VALUE" of a sudo line; returns 0 if it is not a known KEY=VALUE item. */
static int sudo_item(sudo_line *l, vg_text item)
{
    const struct { const char *key; vg_text *slot; } keys[] = {
        { "PWD=", &l->pwd }, { "USER=", &l->runas }, { "GROUP=", &l->group },
        { "TTY=", NULL }, { "ENV=", NULL }, { "TSID=", NULL }, { NULL, NULL }
    };
    for (int i = 0; keys[i].key; i++) {
        size_t k = strlen(keys[i].key);
        if (!vg_text_starts(item.s, item.n, keys[i].key))
            continue;
        if (keys[i].slot)
            *keys[i].slot = (vg_text){ item.s + k, item.n - k };
        return 1;
    }
    return 0;
}

/* Parses "U : [REASON ; ]KEY=VALUE ; ... ; COMMAND=C" (COMMAND last: it may hold " ; ").
 * Every sudo log line has a COMMAND. */
static int parse_sudo(const char *s, size_t n, sudo_line *l)
{
    vg_text cap[2];
    memset(l, 0, sizeof *l);
    if (!vg_text_match(s, n, "% : %", cap, 2))
        return 0;
    l->user = cap[0];
    while (l->user.n && l->user.s[0] == ' ') {
        l->user.s++;
        l->user.n--;
    }
    const char *p = cap[1].s;
    size_t m = cap[1].n;
    for (int first = 1; m > 0; first = 0) {
        if (vg_text_starts(p, m, "COMMAND=")) {
            l->command = (vg_text){ p + 8, m - 8 };
            break;
        }
        size_t k = vg_text_find(p, m, " ; ");
        vg_text item = { p, k == VG_TEXT_NONE ? m : k };
        if (!sudo_item(l, item) && first)
            l->reason = item;
        if (k == VG_TEXT_NONE)
            break;
        p += k + 3;
        m -= k + 3;
    }
    return l->user.n && l->command.n;
}

/* The event.* of a sudo line with a reason (matched by substring, first match wins). */
static const struct {
    const char *text;
    vg_text_kind kind;
} sudo_reasons[] = {
    { "incorrect password attempt", AUTH_FAILURE("sudo_auth_failure") },
    { "a password is required", AUTH_FAILURE("sudo_auth_failure") },
    { "NOT in sudoers", { "sudo_not_allowed", VG_CAT_PROCESS, VG_TYPE_INFO, "failure" } },
    { "not allowed", { "sudo_not_allowed", VG_CAT_PROCESS, VG_TYPE_INFO, "failure" } },
    { "NOT allowed", { "sudo_not_allowed", VG_CAT_PROCESS, VG_TYPE_INFO, "failure" } },
    { "NOT authorized", { "sudo_not_allowed", VG_CAT_PROCESS, VG_TYPE_INFO, "failure" } },
    { "", { "sudo_failure", VG_CAT_PROCESS, VG_TYPE_INFO, "failure" } }
};

static const vg_text_kind sudo_command = { "sudo_command", VG_CAT_PROCESS, VG_TYPE_START, "success" };

/* The event.* for a sudo line with reason r (empty: the command ran). */
static const vg_text_kind *sudo_kind(vg_text r)
{
    if (r.n == 0)
        return &sudo_command;
    size_t i = 0;
    while (vg_text_find(r.s, r.n, sudo_reasons[i].text) == VG_TEXT_NONE)
        i++;    /* ends at the last entry: "" is found in any text */
    return &sudo_reasons[i].kind;
}

vg_rc vg_decode_sudo(const vg_decode_opts *opts, vg_event *ev, const char *app, size_t app_len,
                     const char *msg, size_t msg_len)
{
    if (vg_text_is_pam(app, app_len, msg, msg_len))
        return vg_decode_pam(opts, ev, app, app_len, msg, msg_len);
    sudo_line l;
    if (!parse_sudo(msg, vg_text_rtrim(msg, msg_len), &l))
        return VG_OK;
    vg_text_set_kind(ev, VG_DATASET_AUTH, sudo_kind(l.reason));
    vg_text_set(ev, "user.name", l.user);
    vg_text_set(ev, "user.effective.name", l.runas);
    vg_text_set(ev, "user.effective.group.name", l.group);
    vg_text_set(ev, "process.working_directory", l.pwd);
    vg_text_set(ev, "process.command_line", l.command);
    vg_text_set(ev, "event.reason", l.reason);
    return vg_text_result(ev);
}

/* ---- su ------------------------------------------------------------------------------------- */

#define SU_OK(action) { action, VG_CAT_AUTH, VG_TYPE_START, "success" }
#define SU_USER_ON_TTY { "user.effective.name", "user.name", NULL }
#define SU_FOR_BY { "user.effective.name", "user.name", NULL }
#define SU_LOG { NULL, "user.name", "user.effective.name" }

static const tpl_shape su_shapes[] = {
    { "(to %) % on %", SU_USER_ON_TTY, NULL, SU_OK("su_switch_user") },
    { "FAILED SU (to %) % on %", SU_USER_ON_TTY, NULL, AUTH_FAILURE("su_switch_user") },
    { "Successful su for % by %", SU_FOR_BY, NULL, SU_OK("su_switch_user") },
    { "FAILED su for % by %", SU_FOR_BY, NULL, AUTH_FAILURE("su_switch_user") },
    { "+ % %:%", SU_LOG, NULL, SU_OK("su_log") },
    { "- % %:%", SU_LOG, NULL, AUTH_FAILURE("su_log") },
    { NULL, { NULL, NULL, NULL }, NULL, { NULL, NULL, NULL, NULL } }
};

vg_rc vg_decode_su(const vg_decode_opts *opts, vg_event *ev, const char *app, size_t app_len,
                   const char *msg, size_t msg_len)
{
    return decode_tpl_program(opts, ev, app, app_len, msg, msg_len, su_shapes);
}

/* ---- account tools -------------------------------------------------------------------------- */

static const item_field new_user_items[] = {
    { "name", "user.target.name" },
    { "UID", "user.target.id" },
    { "GID", "group.id" },
    { "home", "system.auth.useradd.home" },
    { "shell", "system.auth.useradd.shell" },
    { NULL, NULL }
};

static const item_field group_items[] = {
    { "name", "group.name" },
    { "GID", "group.id" },
    { NULL, NULL }
};

#define TARGET_GROUP { "user.target.name", "group.name", NULL }
#define TARGET { "user.target.name", NULL, NULL }

/* Specific shapes before general ones ("change user '%' %" last of its kind). */
static const tpl_shape account_shapes[] = {
    { "new user: %", { NULL }, new_user_items, IAM("user_created", VG_TYPE_USER_CREATION) },
    { "new group: %", { NULL }, group_items, IAM("group_created", VG_TYPE_GROUP_CREATION) },
    { "group added to %: %", { "file.path", NULL }, group_items,
      IAM("group_entry_added", VG_TYPE_GROUP_CREATION) },
    { "add '%' to group '%'", TARGET_GROUP, NULL, IAM("user_added_to_group", VG_TYPE_GROUP_CHANGE) },
    { "add '%' to shadow group '%'", TARGET_GROUP, NULL,
      IAM("user_added_to_group_gshadow", VG_TYPE_GROUP_CHANGE) },
    { "user % added by % to group %", { "user.target.name", "user.name", "group.name" }, NULL,
      IAM("user_added_to_group", VG_TYPE_GROUP_CHANGE) },
    { "delete '%' from group '%'", TARGET_GROUP, NULL,
      IAM("user_removed_from_group", VG_TYPE_GROUP_CHANGE) },
    { "delete '%' from shadow group '%'", TARGET_GROUP, NULL,
      IAM("user_removed_from_group_gshadow", VG_TYPE_GROUP_CHANGE) },
    { "user % removed by % from group %", { "user.target.name", "user.name", "group.name" }, NULL,
      IAM("user_removed_from_group", VG_TYPE_GROUP_CHANGE) },
    { "delete user '%'", TARGET, NULL, IAM("user_deleted", VG_TYPE_USER_DELETION) },
    { "removed group '%' owned by '%'", { "group.name", "user.target.name", NULL }, NULL,
      IAM("group_deleted", VG_TYPE_GROUP_DELETION) },
    { "removed shadow group '%' owned by '%'", { "group.name", "user.target.name", NULL }, NULL,
      IAM("group_deleted_gshadow", VG_TYPE_GROUP_DELETION) },
    { "group '%' removed from %", { "group.name", "file.path", NULL }, NULL,
      IAM("group_entry_removed", VG_TYPE_GROUP_DELETION) },
    { "group '%' removed", { "group.name", NULL, NULL }, NULL, IAM("group_deleted", VG_TYPE_GROUP_DELETION) },
    { "change user '%' password", TARGET, NULL, IAM("user_password_changed", VG_TYPE_USER_CHANGE) },
    { "lock user '%' password", TARGET, NULL, IAM("user_locked", VG_TYPE_USER_CHANGE) },
    { "unlock user '%' password", TARGET, NULL, IAM("user_unlocked", VG_TYPE_USER_CHANGE) },
    { "change user name '%' to '%'", { "user.target.name", "user.changes.name", NULL }, NULL,
      IAM("user_renamed", VG_TYPE_USER_CHANGE) },
    { "change user '%' %", TARGET, NULL, IAM("user_changed", VG_TYPE_USER_CHANGE) },
    { "password for '%' changed by '%'", { "user.target.name", "user.name", NULL }, NULL,
      IAM("password_changed", VG_TYPE_USER_CHANGE) },
    { NULL, { NULL }, NULL, { NULL, NULL, NULL, NULL } }
};

vg_rc vg_decode_account(const vg_decode_opts *opts, vg_event *ev, const char *app, size_t app_len,
                        const char *msg, size_t msg_len)
{
    return decode_tpl_program(opts, ev, app, app_len, msg, msg_len, account_shapes);
}

/* ---- cron ----------------------------------------------------------------------------------- */

/* "(U) WORD (ARG)" lines by WORD; ARG goes to field. */
static const struct cron_op {
    const char *word;
    const char *field;
    vg_text_kind kind;
} cron_ops[] = {
    { "CMD", "process.command_line", { "cron_command", VG_CAT_PROCESS, VG_TYPE_START, NULL } },
    { "RELOAD", "file.path", { "cron_reload", VG_CAT_CONFIGURATION, VG_TYPE_CHANGE, NULL } },
    { "BEGIN EDIT", "user.target.name", { "crontab_edit_begin", VG_CAT_CONFIGURATION, VG_TYPE_CHANGE, NULL } },
    { "END EDIT", "user.target.name", { "crontab_edit_end", VG_CAT_CONFIGURATION, VG_TYPE_CHANGE, NULL } },
    { "REPLACE", "user.target.name", { "crontab_replace", VG_CAT_CONFIGURATION, VG_TYPE_CHANGE, NULL } },
    { "DELETE", "user.target.name", { "crontab_delete", VG_CAT_CONFIGURATION, VG_TYPE_DELETION, NULL } },
    { "LIST", "user.target.name", { "crontab_list", VG_CAT_CONFIGURATION, VG_TYPE_ACCESS, NULL } },
    { NULL, NULL, { NULL, NULL, NULL, NULL } }
};

/* Is U a real user, not cron's "*system*..." (system crontabs) or "CRON" (the daemon)? */
static int cron_user(vg_text u)
{
    return !vg_text_starts(u.s, u.n, "*system*") && !vg_text_is(u.s, u.n, "CRON");
}

vg_rc vg_decode_cron(const vg_decode_opts *opts, vg_event *ev, const char *app, size_t app_len,
                     const char *msg, size_t msg_len)
{
    if (vg_text_is_pam(app, app_len, msg, msg_len))
        return vg_decode_pam(opts, ev, app, app_len, msg, msg_len);
    vg_text cap[3];
    if (!vg_text_match(msg, vg_text_rtrim(msg, msg_len), "(%) % (%)", cap, 3))
        return VG_OK;
    const struct cron_op *op = cron_ops;
    while (op->word && !vg_text_is(cap[1].s, cap[1].n, op->word))
        op++;
    if (!op->word)
        return VG_OK;
    while (cap[2].n && cap[2].s[0] == ' ') {
        cap[2].s++;
        cap[2].n--;
    }
    vg_text_set_kind(ev, VG_DATASET_SYSLOG, &op->kind);
    if (cron_user(cap[0]))
        vg_text_set(ev, "user.name", cap[0]);
    vg_text_set(ev, op->field, cap[2]);
    return vg_text_result(ev);
}
