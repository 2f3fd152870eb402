/*
 * decode-auditjoin: Linux process starts joined from the audit records of one exec (see
 * decode-auditjoin.h).
 *
 * Each entry of the table is a vg_auditjoin_proc being filled: SYSCALL gives the executable,
 * the process name, pid, ppid, uid (and its name when auditd enriched the record), auid, the
 * outcome, the time and the host; EXECVE the command line (its arguments, decoded by
 * decode-auditd); CWD the working directory. Every offered record's text is appended to the
 * entry's text, which becomes the process event's event.original. An entry is found by its
 * serial and host with a linear search: the records of one audit event come together, so the
 * table holds a handful of live entries in practice.
 */
#include "decode-auditjoin.h"

#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode-syslog.h"
#include "decode-text.h"
#include "util-mem.h"

#define AUDITJOIN_SYSCALL 1u
#define AUDITJOIN_EXECVE 2u
#define AUDITJOIN_CWD 4u
#define AUDITJOIN_EOE 8u
#define AUDITJOIN_NO_PROCESS 16u    /* its SYSCALL is another call, or a failed exec: forgotten at EOE */
#define AUDITJOIN_EXEC_CALL 32u     /* its SYSCALL is known to be an exec (else: an unknown arch) */

struct vg_auditjoin {
    pthread_mutex_t lock;
    vg_auditjoin_proc *slots;       /* [VG_AUDITJOIN_PENDING], allocated on the first use */
    unsigned char *used;
    uint64_t next_order;
    uint64_t recent[VG_AUDITJOIN_RECENT];   /* key hashes of the events finished last (0: none) */
    unsigned recent_at;
    vg_auditjoin_stats stats;
};

vg_rc vg_auditjoin_new(vg_auditjoin **out, vg_error *err)
{
    vg_auditjoin *j = vg_calloc(1, sizeof *j);
    if (!j || pthread_mutex_init(&j->lock, NULL) != 0) {
        vg_free(j);
        return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    }
    *out = j;
    return VG_OK;
}

void vg_auditjoin_free(vg_auditjoin *j)
{
    if (!j)
        return;
    pthread_mutex_destroy(&j->lock);
    vg_free(j->slots);
    vg_free(j->used);
    vg_free(j);
}

/* The kind of audit record ev (AUDITJOIN_SYSCALL, _EXECVE, _CWD, _EOE), or 0 for another. */
static unsigned record_kind(const vg_event *ev)
{
    const vg_field *f = ev->audit ? vg_event_field(ev, "auditd.type") : NULL;
    if (!f)
        return 0;
    const vg_value *t = &f->value;
    return vg_value_equals(t, "SYSCALL", 7)  ? AUDITJOIN_SYSCALL
           : vg_value_equals(t, "EXECVE", 6) ? AUDITJOIN_EXECVE
           : vg_value_equals(t, "CWD", 3)    ? AUDITJOIN_CWD
           : vg_value_equals(t, "EOE", 3)    ? AUDITJOIN_EOE
                                             : 0;
}

int vg_auditjoin_wants(const vg_event *ev)
{
    return record_kind(ev) != 0;
}

/* Copies field name of ev (a string or a number) into out[cap]; "" when absent or too long. */
static void copy_field(const vg_event *ev, const char *name, char *out, size_t cap)
{
    const vg_field *f = vg_event_field(ev, name);
    out[0] = '\0';
    if (!f)
        return;
    const vg_value *v = &f->value;
    if (v->type == VG_JSON_NUMBER && v->len < cap) {
        memcpy(out, v->ptr, v->len);
        out[v->len] = '\0';
    } else if (v->type == VG_JSON_STRING && vg_value_string(v, out, cap) < 0) {
        out[0] = '\0';
    }
}

static int field_is(const vg_event *ev, const char *name, const char *s)
{
    const vg_field *f = vg_event_field(ev, name);
    return f && vg_value_equals(&f->value, s, strlen(s));
}

/* Is the SYSCALL record ev an execve or execveat: 1, 0 (another call), or -1 (an architecture
 * this table does not know: only an EXECVE record will tell)? By the call's name when auditd
 * enriched the record, else by its number on the architectures auditd names in arch= (x32 calls
 * are x86_64's with bit 30 set, and their own numbers for exec). */
static int is_exec_call(const vg_event *ev)
{
    static const struct {
        const char *arch;
        unsigned long execve, execveat;
    } calls[] = {
        { "c000003e", 59, 322 },  /* x86_64 */
        { "40000003", 11, 358 },  /* i386 */
        { "c00000b7", 221, 281 }, /* aarch64 */
        { "40000028", 11, 387 },  /* arm */
        { "c0000015", 11, 362 },  /* ppc64le */
        { "80000015", 11, 362 },  /* ppc64 */
        { "80000016", 11, 354 },  /* s390x */
        { "c00000f3", 221, 281 }, /* riscv64 */
        { "c0000102", 221, 281 }, /* loongarch64 */
    };
    char num[32];
    if (vg_event_field(ev, "auditd.SYSCALL"))
        return field_is(ev, "auditd.SYSCALL", "execve") || field_is(ev, "auditd.SYSCALL", "execveat");
    copy_field(ev, "auditd.syscall", num, sizeof num);
    char *end;
    unsigned long nr = strtoul(num, &end, 10);
    if (!num[0] || *end)
        return -1;
    for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++) {
        if (!field_is(ev, "auditd.arch", calls[i].arch))
            continue;
        if (i == 0 && (nr & 0x40000000ul))     /* x32: execve 520, execveat 545 */
            return (nr & ~0x40000000ul) == 520 || (nr & ~0x40000000ul) == 545;
        return nr == calls[i].execve || nr == calls[i].execveat;
    }
    return -1;
}

/* The record's own text: a raw audit.log line, or the message of a syslog line. */
static vg_text record_text(const vg_event *ev)
{
    return ev->body ? (vg_text){ ev->body, ev->body_len } : (vg_text){ ev->text, ev->len };
}

/* A hash of the key (serial, host, time), never 0. */
static uint64_t key_hash(uint64_t serial, const char *host, const char *time)
{
    uint64_t h = 1469598103934665603ull ^ serial;
    for (const char *p = host; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ull;
    h = (h ^ 0xff) * 1099511628211ull;
    for (const char *p = time; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ull;
    return h ? h : 1;
}

static int recently_joined(const vg_auditjoin *j, uint64_t h)
{
    for (unsigned k = 0; k < VG_AUDITJOIN_RECENT; k++)
        if (j->recent[k] == h)
            return 1;
    return 0;
}

/* Remembers key hash h among the events finished last. */
static void remember(vg_auditjoin *j, uint64_t h)
{
    j->recent[j->recent_at++ % VG_AUDITJOIN_RECENT] = h;
}

/* Is p an exec (its SYSCALL seen, known to be one or followed by an EXECVE)? */
static int is_exec(const vg_auditjoin_proc *p)
{
    return (p->have & AUDITJOIN_SYSCALL) && (p->have & (AUDITJOIN_EXEC_CALL | AUDITJOIN_EXECVE)) &&
           !(p->have & AUDITJOIN_NO_PROCESS);
}

/* Frees entry p; an exec dropped unfinished is counted. */
static void release(vg_auditjoin *j, vg_auditjoin_proc *p, int unfinished)
{
    if (unfinished && is_exec(p))
        j->stats.dropped++;
    j->used[p - j->slots] = 0;
}

/* The live entry of the key, or NULL; *free_at: a free slot, else the oldest entry that is no
 * exec (records whose SYSCALL has not come), else the oldest. */
static vg_auditjoin_proc *find(vg_auditjoin *j, uint64_t serial, const char *host, const char *time, size_t *free_at)
{
    size_t oldest = VG_AUDITJOIN_PENDING, stray = VG_AUDITJOIN_PENDING;
    *free_at = VG_AUDITJOIN_PENDING;
    for (size_t i = 0; i < VG_AUDITJOIN_PENDING; i++) {
        vg_auditjoin_proc *p = &j->slots[i];
        if (!j->used[i]) {
            if (*free_at == VG_AUDITJOIN_PENDING)
                *free_at = i;
            continue;
        }
        if (p->serial == serial && strcmp(p->host, host) == 0 && strcmp(p->time, time) == 0)
            return p;
        if (oldest == VG_AUDITJOIN_PENDING || p->order < j->slots[oldest].order)
            oldest = i;
        if (!is_exec(p) && (stray == VG_AUDITJOIN_PENDING || p->order < j->slots[stray].order))
            stray = i;
    }
    if (*free_at == VG_AUDITJOIN_PENDING)
        *free_at = stray != VG_AUDITJOIN_PENDING ? stray : oldest;
    return NULL;
}

/* A new entry for the key in slot at (its occupant dropped). Called with the lock held. */
static vg_auditjoin_proc *make_entry(vg_auditjoin *j, size_t at, uint64_t serial, const char *host, const char *time)
{
    vg_auditjoin_proc *p = &j->slots[at];
    if (j->used[at]) {          /* evicted: its later records open no entry */
        remember(j, key_hash(p->serial, p->host, p->time));
        release(j, p, 1);
    }
    memset(p, 0, offsetof(vg_auditjoin_proc, host));
    vg_auditd_args_init(&p->args);
    snprintf(p->host, sizeof p->host, "%s", host);
    snprintf(p->time, sizeof p->time, "%s", time);
    p->comm[0] = p->pid[0] = p->ppid[0] = p->uid[0] = p->user[0] = p->auid[0] = p->outcome[0] = '\0';
    p->exe[0] = p->cwd[0] = '\0';
    p->text_len = 0;
    p->nsegs = 0;
    p->serial = serial;
    p->order = j->next_order++;
    j->used[at] = 1;
    return p;
}

/* Appends the text of a record of kind bit to p's (what does not fit is left out, and noted). */
static void add_text(vg_auditjoin_proc *p, unsigned bit, vg_text t)
{
    if (t.n > sizeof p->text - p->text_len || p->nsegs == VG_AUDITJOIN_SEGS) {
        p->text_cut = 1;
        return;
    }
    memcpy(p->text + p->text_len, t.s, t.n);
    p->seg_kind[p->nsegs] = bit;
    p->seg_at[p->nsegs] = (uint32_t)p->text_len;
    p->seg_len[p->nsegs++] = (uint32_t)t.n;
    p->text_len += t.n;
}

/* Copies the joined exec p to out, its records' texts in the order auditd writes them
 * (SYSCALL, the EXECVEs as they came, CWD, EOE), one per line, whatever order they came in. */
static void finish(const vg_auditjoin_proc *p, vg_auditjoin_proc *out)
{
    static const unsigned order[] = { AUDITJOIN_SYSCALL, AUDITJOIN_EXECVE, AUDITJOIN_CWD, AUDITJOIN_EOE };
    memcpy(out, p, offsetof(vg_auditjoin_proc, text));
    out->text_len = 0;
    for (unsigned o = 0; o < 4; o++)
        for (unsigned k = 0; k < p->nsegs; k++) {
            if (p->seg_kind[k] != order[o])
                continue;
            if (out->text_len + p->seg_len[k] + 1 > sizeof out->text) {
                out->text_cut = 1;
                continue;
            }
            if (out->text_len)
                out->text[out->text_len++] = '\n';
            memcpy(out->text + out->text_len, p->text + p->seg_at[k], p->seg_len[k]);
            out->text_len += p->seg_len[k];
        }
    out->nsegs = 0;
}

/* Does p hold a record of kind bit with text t already? */
static int held(const vg_auditjoin_proc *p, unsigned bit, vg_text t)
{
    for (unsigned k = 0; k < p->nsegs; k++)
        if (p->seg_kind[k] == bit && p->seg_len[k] == t.n && memcmp(p->text + p->seg_at[k], t.s, t.n) == 0)
            return 1;
    return 0;
}

/* Is the SYSCALL record ev of the process p holds (the same pid and executable)? */
static int same_process(const vg_auditjoin_proc *p, const vg_event *ev)
{
    char pid[VG_AUDITJOIN_WORD], exe[VG_AUDITJOIN_PATH];
    copy_field(ev, "process.pid", pid, sizeof pid);
    copy_field(ev, "auditd.exe", exe, sizeof exe);
    return strcmp(pid, p->pid) == 0 && strcmp(exe, p->exe) == 0;
}

/* Takes what record ev (of kind bit, text t) says into p (an EXECVE's arguments are read when
 * the exec is complete: its records may come in any order). */
static void take(vg_auditjoin_proc *p, const vg_event *ev, unsigned bit, vg_text t)
{
    p->have |= bit;
    if (p->have & AUDITJOIN_NO_PROCESS)
        return;
    add_text(p, bit, t);
    switch (bit) {
    case AUDITJOIN_SYSCALL: {
        int exec = is_exec_call(ev);
        if (exec == 0 || field_is(ev, "auditd.success", "no")) {
            p->have |= AUDITJOIN_NO_PROCESS;    /* another call, or an exec that failed */
            break;
        }
        if (exec > 0)
            p->have |= AUDITJOIN_EXEC_CALL;
        copy_field(ev, "auditd.exe", p->exe, sizeof p->exe);
        copy_field(ev, "auditd.comm", p->comm, sizeof p->comm);
        copy_field(ev, "process.pid", p->pid, sizeof p->pid);
        copy_field(ev, "process.parent.pid", p->ppid, sizeof p->ppid);
        copy_field(ev, "auditd.uid", p->uid, sizeof p->uid);
        copy_field(ev, "auditd.UID", p->user, sizeof p->user);
        copy_field(ev, "auditd.auid", p->auid, sizeof p->auid);
        copy_field(ev, "event.outcome", p->outcome, sizeof p->outcome);
        break;
    }
    case AUDITJOIN_CWD:
        copy_field(ev, "auditd.cwd", p->cwd, sizeof p->cwd);
        break;
    }
}

/* Reads p's command line from its EXECVE records, in their order (the one with argc first,
 * then by first argument and piece), whatever order they came in. */
static size_t read_args(vg_auditjoin_proc *p)
{
    unsigned seg[VG_AUDITJOIN_SEGS], n = 0;
    unsigned long index[VG_AUDITJOIN_SEGS];
    long piece[VG_AUDITJOIN_SEGS];
    for (unsigned k = 0; k < p->nsegs; k++) {
        if (p->seg_kind[k] != AUDITJOIN_EXECVE)
            continue;
        if (!vg_auditd_args_order(p->text + p->seg_at[k], p->seg_len[k], &index[k], &piece[k])) {
            index[k] = ~0ul;    /* no argument: last (it adds nothing) */
            piece[k] = 0;
        }
        unsigned j = n++;       /* insertion sort: a handful of records */
        for (; j > 0 && (index[seg[j - 1]] > index[k] ||
                         (index[seg[j - 1]] == index[k] && piece[seg[j - 1]] > piece[k])); j--)
            seg[j] = seg[j - 1];
        seg[j] = k;
    }
    /* the argument bytes of the record read last before a gap, or of the last one */
    size_t before = 0;
    vg_auditd_args_init(&p->args);
    for (unsigned j = 0; j < n && !p->args.gap; j++) {
        vg_auditd_command_line(p->text + p->seg_at[seg[j]], p->seg_len[seg[j]], p->cmdline, sizeof p->cmdline,
                               &p->args);
        if (!p->args.gap)
            before = p->args.record_args;
    }
    return before;
}

#define AUDITJOIN_FULL_RECORD 7300  /* argument bytes of an EXECVE record that may be continued by
                                       another (the kernel starts one when fewer than 104 of its
                                       7,500 bytes are left) */

/* Has p all an exec needs: its SYSCALL, EOE, and its EXECVE records from the one with argc on,
 * none missing, every piece of a long argument, and argc arguments, or a last record too short
 * to be continued (kernels before 4.20 write no pair for trailing empty arguments: they are
 * added as empty)? A command line cut without a gap, or a record left out of the text, ends the
 * wait: what came is used, up to the first missing record, and the event is tagged. So does a
 * gap or a shortfall right after a full record, which kernels before 4.20 make when empty
 * arguments fall where a record ends (it cannot be told from a record still to come; waiting
 * for ever would hide the exec). */
static int complete(vg_auditjoin_proc *p)
{
    unsigned need = AUDITJOIN_SYSCALL | AUDITJOIN_EXECVE | AUDITJOIN_EOE;
    if ((p->have & need) != need)
        return 0;
    size_t before = read_args(p);
    vg_auditd_args *a = &p->args;
    if (p->text_cut) {
        a->truncated = 1;
        return 1;
    }
    if (a->argc < 0)
        return 0;
    if (a->truncated && !a->gap)
        return 1;
    if (a->gap || a->pending > 0 || a->last + 1 < a->argc) {
        if (before < AUDITJOIN_FULL_RECORD && (a->gap || a->pending > 0))
            return 0;           /* a record is missing after one that was not full: wait */
        if (before >= AUDITJOIN_FULL_RECORD) {
            a->truncated = 1;   /* the prefix up to the full record, tagged */
            return 1;
        }
    }
    for (long k = a->last + 1; k < a->argc; k++) {     /* trailing empty arguments */
        if (a->len == sizeof p->cmdline) {
            a->truncated = 1;
            break;
        }
        if (k > 0)
            p->cmdline[a->len++] = ' ';
    }
    return 1;
}


int vg_auditjoin_offer(vg_auditjoin *j, const vg_event *ev, vg_auditjoin_proc *out)
{
    char host[VG_AUDITJOIN_WORD], time[VG_AUDITJOIN_WORD], num[32];
    unsigned bit = record_kind(ev);
    copy_field(ev, "event.sequence", num, sizeof num);
    copy_field(ev, "host.hostname", host, sizeof host);
    copy_field(ev, "@timestamp", time, sizeof time);
    if (!bit || !num[0])
        return 0;
    uint64_t serial = strtoull(num, NULL, 10), h = key_hash(serial, host, time);
    int done = 0;
    size_t at;
    pthread_mutex_lock(&j->lock);
    if (!j->slots) {
        j->slots = vg_calloc(VG_AUDITJOIN_PENDING, sizeof *j->slots);
        j->used = vg_calloc(VG_AUDITJOIN_PENDING, 1);
        if (!j->slots || !j->used) {
            vg_free(j->slots);
            vg_free(j->used);
            j->slots = NULL;
            j->used = NULL;
            pthread_mutex_unlock(&j->lock);
            return 0;
        }
    }
    vg_text t = record_text(ev);
    vg_auditjoin_proc *p = find(j, serial, host, time, &at);
    int second_syscall = p && bit == AUDITJOIN_SYSCALL && (p->have & AUDITJOIN_SYSCALL);
    if (p && (held(p, bit, t) || (second_syscall && same_process(p, ev)))) {
        pthread_mutex_unlock(&j->lock);     /* a repeat (a shipper's, or one whose first copy did
                                               not fit in the text) */
        return 0;
    }
    if (second_syscall) {
        release(j, p, 1);       /* another event under the same key */
        p = NULL;
        find(j, serial, host, time, &at);
    }
    if (!p && !recently_joined(j, h))
        p = make_entry(j, at, serial, host, time);
    if (p) {
        take(p, ev, bit, t);
        /* an event that started no process ends at its EOE (so does one of an unknown
         * architecture that brought no EXECVE by then) */
        int no_process = (p->have & AUDITJOIN_SYSCALL) && !is_exec(p);
        if (!(p->have & AUDITJOIN_NO_PROCESS) && complete(p)) {
            finish(p, out);
            j->stats.joined++;
            remember(j, h);
            release(j, p, 0);
            done = 1;
        } else if (no_process && (p->have & AUDITJOIN_EOE)) {
            remember(j, h);
            release(j, p, 0);
        }
    }
    pthread_mutex_unlock(&j->lock);
    return done;
}

/* Sets string field name of ev to s when s is not empty. */
static void set_text(vg_event *ev, const char *name, const char *s)
{
    if (s[0])
        vg_event_set_str(ev, name, s, strlen(s));
}

void vg_auditjoin_event(const vg_auditjoin_proc *p, vg_event *ev)
{
    vg_event_reset(ev, p->text, p->text_len, NULL);
    ev->decoder = "auditd-process";
    set_text(ev, "@timestamp", p->time);
    vg_event_set_cstr(ev, "event.kind", "event");
    vg_event_set_json(ev, "event.category", "[\"process\"]");
    vg_event_set_json(ev, "event.type", "[\"start\"]");
    vg_event_set_cstr(ev, "event.action", "executed");
    vg_event_set_cstr(ev, "event.dataset", "auditd.process");
    vg_event_set_int(ev, "event.sequence", (long long)p->serial);
    set_text(ev, "event.outcome", p->outcome);
    set_text(ev, "host.hostname", p->host);
    set_text(ev, "process.executable", p->exe);
    set_text(ev, "process.name", p->comm);
    if (p->pid[0])
        vg_event_set_num(ev, "process.pid", p->pid, strlen(p->pid));
    if (p->ppid[0])
        vg_event_set_num(ev, "process.parent.pid", p->ppid, strlen(p->ppid));
    vg_event_set_str(ev, "process.command_line", p->cmdline, p->args.len);
    set_text(ev, "process.working_directory", p->cwd);
    set_text(ev, "user.id", p->uid);
    set_text(ev, "user.name", p->user);
    set_text(ev, "auditd.auid", p->auid);
    vg_event_set_str(ev, "event.original", p->text, p->text_len);
    if (p->args.truncated)
        vg_event_add_tag(ev, "vigil_auditd_command_line_cut");
    if (p->text_cut)
        vg_event_add_tag(ev, "vigil_auditd_records_cut");
}

vg_auditjoin_stats vg_auditjoin_get_stats(vg_auditjoin *j)
{
    pthread_mutex_lock(&j->lock);
    vg_auditjoin_stats s = j->stats;
    s.pending = 0;
    for (size_t i = 0; j->slots && i < VG_AUDITJOIN_PENDING; i++)
        s.pending += j->used[i] && is_exec(&j->slots[i]);
    pthread_mutex_unlock(&j->lock);
    return s;
}
