/*
 * decode-auditjoin: Linux process starts joined from the audit records of one exec.
 *
 * auditd writes one execve as several records sharing the event's serial: SYSCALL (the
 * executable, pid, ppid, uids, success), EXECVE (the arguments), CWD (the working directory),
 * PATH, PROCTITLE, and EOE to end it. Decoded one by one (decode-auditd), no record holds
 * both the executable and the command line, so Sigma's process_creation rules cannot run on
 * them. The join collects, per (host, serial), what those records say and, once the SYSCALL
 * of an exec, its EXECVE and its EOE were all offered (in any order: the daemon's workers
 * decode records in parallel), hands over one process event (decoder "auditd-process",
 * event.dataset auditd.process) with ECS process fields and the records as event.original.
 *
 * The key of an audit event is its host, its msg=audit(SECONDS.MILLIS:SERIAL) time and serial
 * (serials restart at boot, and several hosts' logs may lack node=). An EXECVE too long for one
 * record is continued in more EXECVE records: they are all read, and the exec is complete only
 * once argc arguments were seen.
 *
 * Main structure: vg_auditjoin, a table of at most VG_AUDITJOIN_PENDING audit events being
 * joined, under one mutex; an event that started no process (another call, or an exec that
 * failed) is forgotten at its EOE; the keys of the last VG_AUDITJOIN_RECENT execs joined are
 * remembered, so a record that comes after its exec was complete (the daemon's workers) makes
 * no new entry; when the table is full the oldest entry is dropped (counted when it was an
 * exec), so memory is bounded whatever the records (an EOE that never comes, records lost).
 */
#ifndef VIGIL_DECODE_AUDITJOIN_H
#define VIGIL_DECODE_AUDITJOIN_H

#include <stddef.h>
#include <stdint.h>

#include "decode-syslog.h"
#include "event.h"
#include "util-error.h"

#define VG_AUDITJOIN_PENDING 256    /* limit: audit events being joined at once */
#define VG_AUDITJOIN_TEXT 16384     /* limit: bytes of the records kept as event.original */
#define VG_AUDITJOIN_CMDLINE 8192   /* limit: bytes of a command line (longer: cut, and tagged) */
#define VG_AUDITJOIN_PATH 1024      /* limit: bytes of an executable or a directory */
#define VG_AUDITJOIN_WORD 256       /* limit: bytes of a host, a name, a number, a time */
#define VG_AUDITJOIN_SEGS 16        /* limit: records of one exec kept (an EXECVE may take several) */
#define VG_AUDITJOIN_RECENT 256     /* events remembered once finished, so their late records are ignored */

/* What the records of one exec said (and the join's bookkeeping of it). */
typedef struct vg_auditjoin_proc {
    uint64_t serial;
    uint64_t order;                 /* when the entry was made: the oldest is dropped first */
    unsigned have;                  /* records seen: AUDITJOIN_* bits (decode-auditjoin.c) */
    int text_cut;                   /* a record did not fit in text */
    vg_auditd_args args;            /* the command line read so far (args.truncated: cut) */
    char host[VG_AUDITJOIN_WORD], time[VG_AUDITJOIN_WORD];   /* with serial: the key */
    char comm[VG_AUDITJOIN_WORD], pid[VG_AUDITJOIN_WORD], ppid[VG_AUDITJOIN_WORD], uid[VG_AUDITJOIN_WORD];
    char user[VG_AUDITJOIN_WORD], auid[VG_AUDITJOIN_WORD], outcome[VG_AUDITJOIN_WORD];
    char exe[VG_AUDITJOIN_PATH], cwd[VG_AUDITJOIN_PATH];
    char cmdline[VG_AUDITJOIN_CMDLINE];
    char text[VG_AUDITJOIN_TEXT];   /* the records: SYSCALL, the EXECVEs, CWD, EOE in this order once */
    size_t text_len;                /* complete (while joining: in the order they came) */
    unsigned nsegs;                 /* while joining: each record's kind and place in text */
    unsigned seg_kind[VG_AUDITJOIN_SEGS];
    uint32_t seg_at[VG_AUDITJOIN_SEGS], seg_len[VG_AUDITJOIN_SEGS];
} vg_auditjoin_proc;

/* Counts of a join. */
typedef struct vg_auditjoin_stats {
    uint64_t joined;                /* process events handed over */
    uint64_t dropped;               /* execs dropped unfinished (the table was full) */
    uint64_t pending;               /* execs still unfinished now (their SYSCALL seen) */
} vg_auditjoin_stats;

typedef struct vg_auditjoin vg_auditjoin;

/* A join with an empty table (its entries are allocated on the first exec record). */
vg_rc vg_auditjoin_new(vg_auditjoin **out, vg_error *err);

/* Frees a join (NULL is allowed). */
void vg_auditjoin_free(vg_auditjoin *j);

/* Is ev a decoded audit record (raw or carried by syslog) the join wants? Cheap: no lock. */
int vg_auditjoin_wants(const vg_event *ev);

/* Offers audit record ev (vg_auditjoin_wants); thread-safe. 1 when it completed an exec,
 * whose process is then copied to *out; 0 otherwise. */
int vg_auditjoin_offer(vg_auditjoin *j, const vg_event *ev, vg_auditjoin_proc *out);

/* Makes ev the process event of p (its fields point into p, which must outlive it). */
void vg_auditjoin_event(const vg_auditjoin_proc *p, vg_event *ev);

/* The counts so far (thread-safe). */
vg_auditjoin_stats vg_auditjoin_get_stats(vg_auditjoin *j);

#endif
