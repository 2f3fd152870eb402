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
#define AUDITJOIN_NOT_EXEC 16u      /* its SYSCALL is another call: forgotten at EOE */
#define AUDITJOIN_COMPLETE (AUDITJOIN_SYSCALL | AUDITJOIN_EXECVE | AUDITJOIN_EOE)

struct vg_auditjoin {
    pthread_mutex_t lock;
    vg_auditjoin_proc *slots;       /* [VG_AUDITJOIN_PENDING], allocated on the first use */
    unsigned char *used;
    uint64_t next_order;
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

int vg_auditjoin_wants(const vg_event *ev)
{
    if (!ev->audit)
        return 0;
    const vg_field *f = vg_event_field(ev, "auditd.type");
    if (!f)
        return 0;
    const vg_value *t = &f->value;
    return vg_value_equals(t, "SYSCALL", 7) || vg_value_equals(t, "EXECVE", 6) || vg_value_equals(t, "CWD", 3) ||
           vg_value_equals(t, "EOE", 3);
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

/* Is the SYSCALL record ev an execve or execveat? By its name when auditd enriched the record,
 * else by the call's number on the architectures auditd names in arch=. */
static int is_exec_call(const vg_event *ev)
{
    static const struct {
        const char *arch, *execve, *execveat;
    } calls[] = {
        { "c000003e", "59", "322" },  /* x86_64 */
        { "40000003", "11", "358" },  /* i386 */
        { "c00000b7", "221", "281" }, /* aarch64 */
        { "40000028", "11", "387" },  /* arm */
        { "c0000015", "11", "362" },  /* ppc64le */
        { "80000016", "11", "354" },  /* s390x */
        { "c00000f3", "221", "281" }, /* riscv64 */
    };
    if (vg_event_field(ev, "auditd.SYSCALL"))
        return field_is(ev, "auditd.SYSCALL", "execve") || field_is(ev, "auditd.SYSCALL", "execveat");
    for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++)
        if (field_is(ev, "auditd.arch", calls[i].arch))
            return field_is(ev, "auditd.syscall", calls[i].execve) || field_is(ev, "auditd.syscall", calls[i].execveat);
    return 0;
}

/* The record's own text: a raw audit.log line, or the message of a syslog line. */
static vg_text record_text(const vg_event *ev)
{
    return ev->body ? (vg_text){ ev->body, ev->body_len } : (vg_text){ ev->text, ev->len };
}

/* The entry of (serial, host), or a new one (the oldest dropped when the table is full);
 * NULL without memory. Called with the lock held. */
static vg_auditjoin_proc *entry_of(vg_auditjoin *j, uint64_t serial, const char *host)
{
    size_t free_at = VG_AUDITJOIN_PENDING, oldest = 0;
    if (!j->slots) {
        j->slots = vg_calloc(VG_AUDITJOIN_PENDING, sizeof *j->slots);
        j->used = vg_calloc(VG_AUDITJOIN_PENDING, 1);
        if (!j->slots || !j->used) {
            vg_free(j->slots);
            vg_free(j->used);
            j->slots = NULL;
            j->used = NULL;
            return NULL;
        }
    }
    for (size_t i = 0; i < VG_AUDITJOIN_PENDING; i++) {
        vg_auditjoin_proc *p = &j->slots[i];
        if (!j->used[i]) {
            free_at = free_at < VG_AUDITJOIN_PENDING ? free_at : i;
            continue;
        }
        if (p->serial == serial && strcmp(p->host, host) == 0)
            return p;
        if (j->slots[oldest].order > p->order || !j->used[oldest])
            oldest = i;
    }
    if (free_at == VG_AUDITJOIN_PENDING) {
        free_at = oldest;
        if (!(j->slots[oldest].have & AUDITJOIN_NOT_EXEC))
            j->stats.dropped++;
    }
    vg_auditjoin_proc *p = &j->slots[free_at];
    memset(p, 0, offsetof(vg_auditjoin_proc, host));
    p->host[0] = p->time[0] = p->comm[0] = p->pid[0] = p->ppid[0] = p->uid[0] = '\0';
    p->user[0] = p->auid[0] = p->outcome[0] = p->exe[0] = p->cwd[0] = '\0';
    p->cmdline_len = p->text_len = 0;
    memset(p->seg_len, 0, sizeof p->seg_len);
    p->serial = serial;
    p->order = j->next_order++;
    snprintf(p->host, sizeof p->host, "%s", host);
    j->used[free_at] = 1;
    return p;
}

/* The index of record bit among the segments (SYSCALL 0, EXECVE 1, CWD 2, EOE 3). */
static unsigned seg_of(unsigned bit)
{
    return bit == AUDITJOIN_SYSCALL ? 0 : bit == AUDITJOIN_EXECVE ? 1 : bit == AUDITJOIN_CWD ? 2 : 3;
}

/* Appends the text of record bit to p's (what does not fit is left out). */
static void add_text(vg_auditjoin_proc *p, unsigned bit, vg_text t)
{
    if (t.n > sizeof p->text - p->text_len)
        return;
    memcpy(p->text + p->text_len, t.s, t.n);
    p->seg_at[seg_of(bit)] = (uint32_t)p->text_len;
    p->seg_len[seg_of(bit)] = (uint32_t)t.n;
    p->text_len += t.n;
}

/* Copies the joined exec p to out, its records' texts in the order auditd writes them
 * (SYSCALL, EXECVE, CWD, EOE), one per line, whatever order they came in. */
static void finish(const vg_auditjoin_proc *p, vg_auditjoin_proc *out)
{
    memcpy(out, p, offsetof(vg_auditjoin_proc, text));
    out->text_len = 0;
    for (unsigned k = 0; k < 4; k++) {
        if (!p->seg_len[k] || out->text_len + p->seg_len[k] + 1 > sizeof out->text)
            continue;
        if (out->text_len)
            out->text[out->text_len++] = '\n';
        memcpy(out->text + out->text_len, p->text + p->seg_at[k], p->seg_len[k]);
        out->text_len += p->seg_len[k];
    }
}

/* Takes what record ev (of type bit) says into p. */
static void take(vg_auditjoin_proc *p, const vg_event *ev, unsigned bit)
{
    vg_text t = record_text(ev);
    p->have |= bit;
    if (p->have & AUDITJOIN_NOT_EXEC)
        return;
    add_text(p, bit, t);
    switch (bit) {
    case AUDITJOIN_SYSCALL:
        if (!is_exec_call(ev)) {
            p->have |= AUDITJOIN_NOT_EXEC;
            break;
        }
        copy_field(ev, "@timestamp", p->time, sizeof p->time);
        copy_field(ev, "auditd.exe", p->exe, sizeof p->exe);
        copy_field(ev, "auditd.comm", p->comm, sizeof p->comm);
        copy_field(ev, "process.pid", p->pid, sizeof p->pid);
        copy_field(ev, "process.parent.pid", p->ppid, sizeof p->ppid);
        copy_field(ev, "auditd.uid", p->uid, sizeof p->uid);
        copy_field(ev, "auditd.UID", p->user, sizeof p->user);
        copy_field(ev, "auditd.auid", p->auid, sizeof p->auid);
        copy_field(ev, "event.outcome", p->outcome, sizeof p->outcome);
        break;
    case AUDITJOIN_EXECVE:
        p->cmdline_len = vg_auditd_command_line(t.s, t.n, p->cmdline, sizeof p->cmdline, &p->truncated);
        break;
    case AUDITJOIN_CWD:
        copy_field(ev, "auditd.cwd", p->cwd, sizeof p->cwd);
        break;
    }
}

int vg_auditjoin_offer(vg_auditjoin *j, const vg_event *ev, vg_auditjoin_proc *out)
{
    const vg_field *type = vg_event_field(ev, "auditd.type"), *seq = vg_event_field(ev, "event.sequence");
    char host[VG_AUDITJOIN_WORD], num[32];
    if (!type || !seq)
        return 0;
    unsigned bit = vg_value_equals(&type->value, "SYSCALL", 7)  ? AUDITJOIN_SYSCALL
                   : vg_value_equals(&type->value, "EXECVE", 6) ? AUDITJOIN_EXECVE
                   : vg_value_equals(&type->value, "CWD", 3)    ? AUDITJOIN_CWD
                   : vg_value_equals(&type->value, "EOE", 3)    ? AUDITJOIN_EOE
                                                                 : 0;
    copy_field(ev, "event.sequence", num, sizeof num);
    copy_field(ev, "host.hostname", host, sizeof host);
    if (!bit || !num[0])
        return 0;
    uint64_t serial = strtoull(num, NULL, 10);
    int done = 0;
    pthread_mutex_lock(&j->lock);
    vg_auditjoin_proc *p = entry_of(j, serial, host);
    if (p && (p->have & bit) && !(p->have & AUDITJOIN_NOT_EXEC)) {
        j->stats.dropped++;     /* a second record of a kind: another exec under the same key */
        j->used[p - j->slots] = 0;
        p = entry_of(j, serial, host);
    }
    if (p) {
        take(p, ev, bit);
        int finished = (p->have & AUDITJOIN_NOT_EXEC) && (p->have & AUDITJOIN_EOE);
        done = !(p->have & AUDITJOIN_NOT_EXEC) && (p->have & AUDITJOIN_COMPLETE) == AUDITJOIN_COMPLETE;
        if (done) {
            finish(p, out);
            j->stats.joined++;
        }
        if (done || finished)
            j->used[p - j->slots] = 0;
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
    vg_event_set_str(ev, "process.command_line", p->cmdline, p->cmdline_len);
    set_text(ev, "process.working_directory", p->cwd);
    set_text(ev, "user.id", p->uid);
    set_text(ev, "user.name", p->user);
    set_text(ev, "auditd.auid", p->auid);
    vg_event_set_str(ev, "event.original", p->text, p->text_len);
    if (p->truncated)
        vg_event_add_tag(ev, "vigil_auditd_command_line_cut");
}

vg_auditjoin_stats vg_auditjoin_get_stats(vg_auditjoin *j)
{
    pthread_mutex_lock(&j->lock);
    vg_auditjoin_stats s = j->stats;
    pthread_mutex_unlock(&j->lock);
    return s;
}
