/*
 * decode-syslog: program-specific message decoders that the syslog decoder calls once it has
 * parsed the header. Each receives the message part (after "prog[pid]: ") and the app name as
 * logged (e.g. "sshd", "sshd(pam_unix)", "CRON"); it adds ECS fields for what it recognizes
 * and returns VG_OK for messages it does not know (the event stays a plain syslog event).
 * An error return is for broken limits only (VG_ERR_LIMIT), never for unknown text.
 */
#ifndef VIGIL_DECODE_SYSLOG_H
#define VIGIL_DECODE_SYSLOG_H

#include <stddef.h>

#include "decode.h"

typedef vg_rc (*vg_program_decoder)(const vg_decode_opts *opts, vg_event *ev,
                                    const char *app, size_t app_len,
                                    const char *msg, size_t msg_len);

/* sshd: logins per method, invalid users, disconnects, preauth errors (decode-sshd.c). */
vg_rc vg_decode_sshd(const vg_decode_opts *opts, vg_event *ev, const char *app, size_t app_len,
                     const char *msg, size_t msg_len);

/* PAM lines of any program: "pam_unix(svc:auth): ..." or old "prog(pam_unix)" (decode-linux.c). */
vg_rc vg_decode_pam(const vg_decode_opts *opts, vg_event *ev, const char *app, size_t app_len,
                    const char *msg, size_t msg_len);

/* sudo command lines and failures (decode-linux.c). */
vg_rc vg_decode_sudo(const vg_decode_opts *opts, vg_event *ev, const char *app, size_t app_len,
                     const char *msg, size_t msg_len);

/* su sessions and failures (decode-linux.c). */
vg_rc vg_decode_su(const vg_decode_opts *opts, vg_event *ev, const char *app, size_t app_len,
                   const char *msg, size_t msg_len);

/* useradd, usermod, userdel, groupadd, groupdel, passwd, chpasswd (decode-linux.c). */
vg_rc vg_decode_account(const vg_decode_opts *opts, vg_event *ev, const char *app, size_t app_len,
                        const char *msg, size_t msg_len);

/* cron, CRON, crond, anacron (decode-linux.c). */
vg_rc vg_decode_cron(const vg_decode_opts *opts, vg_event *ev, const char *app, size_t app_len,
                     const char *msg, size_t msg_len);

/* The command line being read from the EXECVE records of one exec (vg_auditd_command_line). */
typedef struct vg_auditd_args {
    size_t len;                     /* bytes of the command line so far */
    long last;                      /* the index of the argument written last (-1: none yet) */
    long argc;                      /* argc= of the first record (-1: not seen) */
    long pending;                   /* of a long argument (aN_len=): what its pieces still owe, as
                                       written (hexadecimal digits or bytes) */
    long pending_of;                /* the index of that argument */
    int truncated;                  /* an argument or a separator did not fit: nothing more written */
    long piece;                     /* the piece of argument last written last (-1: a whole one) */
    int gap;                        /* an argument or a piece was skipped (a record is missing) */
    size_t record_args;             /* bytes of the record read last from its first argument on
                                       (what the kernel fills up to about 7,500 bytes before it
                                       starts another record) */
} vg_auditd_args;

/* Starts reading the command line of an exec. */
void vg_auditd_args_init(vg_auditd_args *a);

/* Appends the arguments of the EXECVE record rec[0..n) (a raw audit record, after any syslog
 * header) to the command line out[0..a->len) of cap bytes: decoded (hexadecimal, quoted),
 * separated by spaces; the state in *a is kept across the EXECVE records of one exec (given in
 * their order: vg_auditd_args_order), so the pieces aN[K] of a long argument split over several
 * records join without a space. */
void vg_auditd_command_line(const char *rec, size_t n, char *out, size_t cap, vg_auditd_args *a);

/* Where the EXECVE record rec[0..n) goes among the records of its exec: its first argument N
 * (and piece K, -1 for a whole argument), or piece -2 for the record holding argc (the first).
 * 0 when it has neither. */
int vg_auditd_args_order(const char *rec, size_t n, unsigned long *index, long *piece);

/* Linux audit records carried by syslog (audisp-syslogd, audit) (decode-auditd.c). */
vg_rc vg_decode_auditd_syslog(const vg_decode_opts *opts, vg_event *ev, const char *app, size_t app_len,
                              const char *msg, size_t msg_len);

/* Sysmon for Linux events (an <Event> XML document) logged by program sysmon
 * (decode-sysmon-linux.c); the event then counts as decoder "sysmon-linux", not "syslog". */
vg_rc vg_decode_sysmon_syslog(const vg_decode_opts *opts, vg_event *ev, const char *app, size_t app_len,
                              const char *msg, size_t msg_len);

/* clamd "path: Signature FOUND" (decode-malware.c). */
vg_rc vg_decode_clamd(const vg_decode_opts *opts, vg_event *ev, const char *app, size_t app_len,
                      const char *msg, size_t msg_len);

#endif
