/*
 * decode-auditd: Linux audit records (auditd's audit.log, one record per line), read directly
 * ("auditd" format) or carried by syslog (audisp-syslogd, audit: vg_decode_auditd_syslog).
 *
 *   [node=HOST ]type=TYPE msg=audit(SECONDS.MILLIS:SERIAL): KEY=VALUE ...[\x1dKEY=VALUE ...]
 *
 * VALUE is unquoted, "double quoted" or, for a string auditd considered unsafe, unquoted
 * hexadecimal: EXECVE's a0..a9, PATH's name, PROCTITLE's proctitle (arguments separated by
 * NUL, shown with spaces), comm, exe, cwd, cmd, data, key and acct are decoded from hex when
 * unquoted and hexadecimal (a SYSCALL record's a0..a3 are numbers in hex and stay as written).
 * USER_* records hold more pairs in msg='...': they are read as well. After \x1d (log_format
 * ENRICHED) come the interpreted values in upper case (SYSCALL=execve, AUID="alice").
 *
 * Fields: every key of the table below as auditd.KEY (the names Sigma's auditd rules use),
 * @timestamp, event.sequence (the serial: the records of one event share it), host.hostname
 * (node), process.pid, process.parent.pid, process.executable, process.name, user.id,
 * source.ip (addr), event.outcome (success=, res=), event.dataset auditd.log. Other keys are
 * kept in the record only.
 */
#include "decode-syslog.h"

#include <stdlib.h>
#include <string.h>

#include "decode-text.h"

#define AUDITD_DATASET "auditd.log"

/* The keys kept as fields, and whether an unquoted value may be hexadecimal text. */
static const struct {
    const char *key;
    const char *field;
    int hex;
} keys[] = {
    { "type", "auditd.type", 0 }, { "a0", "auditd.a0", 1 }, { "a1", "auditd.a1", 1 },
    { "a2", "auditd.a2", 1 }, { "a3", "auditd.a3", 1 }, { "a4", "auditd.a4", 1 },
    { "a5", "auditd.a5", 1 }, { "a6", "auditd.a6", 1 }, { "a7", "auditd.a7", 1 },
    { "a8", "auditd.a8", 1 }, { "a9", "auditd.a9", 1 }, { "argc", "auditd.argc", 0 },
    { "arch", "auditd.arch", 0 }, { "syscall", "auditd.syscall", 0 }, { "success", "auditd.success", 0 },
    { "exit", "auditd.exit", 0 }, { "items", "auditd.items", 0 }, { "ppid", "auditd.ppid", 0 },
    { "pid", "auditd.pid", 0 }, { "auid", "auditd.auid", 0 }, { "uid", "auditd.uid", 0 },
    { "gid", "auditd.gid", 0 }, { "euid", "auditd.euid", 0 }, { "suid", "auditd.suid", 0 },
    { "fsuid", "auditd.fsuid", 0 }, { "egid", "auditd.egid", 0 }, { "sgid", "auditd.sgid", 0 },
    { "fsgid", "auditd.fsgid", 0 }, { "tty", "auditd.tty", 0 }, { "ses", "auditd.ses", 0 },
    { "comm", "auditd.comm", 1 }, { "exe", "auditd.exe", 1 }, { "subj", "auditd.subj", 0 },
    { "key", "auditd.key", 1 }, { "name", "auditd.name", 1 }, { "nametype", "auditd.nametype", 0 },
    { "item", "auditd.item", 0 }, { "inode", "auditd.inode", 0 }, { "mode", "auditd.mode", 0 },
    { "ouid", "auditd.ouid", 0 }, { "ogid", "auditd.ogid", 0 }, { "cwd", "auditd.cwd", 1 },
    { "proctitle", "auditd.proctitle", 1 }, { "cmd", "auditd.cmd", 1 }, { "terminal", "auditd.terminal", 0 },
    { "res", "auditd.res", 0 }, { "op", "auditd.op", 0 }, { "acct", "auditd.acct", 1 },
    { "addr", "auditd.addr", 0 }, { "hostname", "auditd.hostname", 0 }, { "unit", "auditd.unit", 0 },
    { "saddr", "auditd.saddr", 0 }, { "data", "auditd.data", 1 }, { "grantors", "auditd.grantors", 0 },
    { "ARCH", "auditd.ARCH", 0 }, { "SYSCALL", "auditd.SYSCALL", 0 }, { "AUID", "auditd.AUID", 0 },
    { "UID", "auditd.UID", 0 }, { "GID", "auditd.GID", 0 }, { "EUID", "auditd.EUID", 0 },
};

/* ECS fields copied from keys (numbers when num). */
static const struct {
    const char *key;
    const char *field;
    int num;
} ecs[] = {
    { "pid", "process.pid", 1 }, { "ppid", "process.parent.pid", 1 }, { "exe", "process.executable", 0 },
    { "comm", "process.name", 0 }, { "uid", "user.id", 0 },
};

/* Reads the value at s[*i] ("double" or 'single' quoted, or up to a space): its text and
 * *quoted; 0 on an unterminated quote. */
static int read_value(const char *s, size_t n, size_t *i, vg_text *v, int *quoted)
{
    *quoted = *i < n && (s[*i] == '"' || s[*i] == '\'');
    if (*quoted) {
        char q = s[(*i)++];
        const char *end = memchr(s + *i, q, n - *i);
        if (!end)
            return 0;
        *v = (vg_text){ s + *i, (size_t)(end - (s + *i)) };
        *i = (size_t)(end - s) + 1;
        return 1;
    }
    size_t start = *i;
    while (*i < n && s[*i] != ' ' && s[*i] != '\x1d')
        (*i)++;
    *v = (vg_text){ s + start, *i - start };
    return 1;
}

static int hex_digit(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static int is_hex_text(vg_text v)
{
    return v.n >= 2 && v.n % 2 == 0 && vg_text_hex(v.s, v.n);
}

/* Decodes hexadecimal v (is_hex_text) into out[0..v.n / 2), NUL bytes as spaces, and returns
 * the length without trailing NUL bytes (proctitle's last argument ends with NUL). */
static size_t hex_decode(vg_text v, char *out)
{
    size_t m = v.n / 2, end = 0;
    for (size_t k = 0; k < m; k++) {
        char c = (char)(hex_digit(v.s[2 * k]) << 4 | hex_digit(v.s[2 * k + 1]));
        out[k] = c == '\0' ? ' ' : c;
        end = c == '\0' ? end : k + 1;
    }
    return end;
}

/* The text of hexadecimal v in the event's scratch; v when it is not hexadecimal text or
 * scratch is full. */
static vg_text unhex(vg_event *ev, vg_text v)
{
    if (!is_hex_text(v))
        return v;
    char *out = vg_event_scratch_reserve(ev, v.n / 2);
    if (!out)
        return v;
    return (vg_text){ out, hex_decode(v, out) };
}

/* Sets the fields of one pair; execve: the record is an EXECVE (its a0..a9 are text). */
static void set_pair(vg_event *ev, vg_text k, vg_text v, int quoted, int execve)
{
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        if (!vg_text_is(k.s, k.n, keys[i].key))
            continue;
        int argument = k.n == 2 && k.s[0] == 'a';
        if (!quoted && keys[i].hex && (!argument || execve))
            v = unhex(ev, v);
        vg_event_set_str(ev, keys[i].field, v.s, v.n);
        for (size_t e = 0; e < sizeof ecs / sizeof ecs[0]; e++) {
            if (!vg_text_is(k.s, k.n, ecs[e].key) || !v.n || vg_text_is(v.s, v.n, "(null)"))
                continue;
            if (ecs[e].num)
                vg_decode_set_uint(ev, ecs[e].field, v.s, v.n);
            else
                vg_event_set_str(ev, ecs[e].field, v.s, v.n);
        }
        if (vg_text_is(k.s, k.n, "addr"))
            vg_decode_set_ip(ev, "source.ip", v.s, v.n);
        if (vg_text_is(k.s, k.n, "success") || vg_text_is(k.s, k.n, "res")) {
            int ok = vg_text_is(v.s, v.n, "yes") || vg_text_is(v.s, v.n, "success");
            int no = vg_text_is(v.s, v.n, "no") || vg_text_is(v.s, v.n, "failed");
            if (ok || no)
                vg_event_set_cstr(ev, "event.outcome", ok ? "success" : "failure");
        }
        return;
    }
}

/* The next KEY=VALUE pair of s[0..n) from *i (a word without '=', such as old kernels'
 * "audit(...): " text, is skipped): 1 with *k, *v and *quoted; 0 at the end; -1 at a quote that
 * is not closed. */
static int next_pair(const char *s, size_t n, size_t *i, vg_text *k, vg_text *v, int *quoted)
{
    while (*i < n) {
        while (*i < n && (s[*i] == ' ' || s[*i] == '\x1d'))
            (*i)++;
        size_t k0 = *i;
        while (*i < n && s[*i] != '=' && s[*i] != ' ' && s[*i] != '\x1d')
            (*i)++;
        if (*i >= n || s[*i] != '=')
            continue;
        *k = (vg_text){ s + k0, *i - k0 };
        (*i)++;
        return read_value(s, n, i, v, quoted) ? 1 : -1;
    }
    return 0;
}

/* Reads the KEY=VALUE pairs of s[0..n) (a msg='...' value is read as pairs too). 0, or -1 on
 * an unterminated quote (*why). */
static int read_pairs(vg_event *ev, const char *s, size_t n, int execve, int depth, const char **why)
{
    size_t i = 0;
    vg_text k, v;
    int quoted, r;
    while ((r = next_pair(s, n, &i, &k, &v, &quoted)) != 0) {
        if (r < 0) {
            *why = "a value's quote is not closed";
            return -1;
        }
        if (quoted && depth == 0 && vg_text_is(k.s, k.n, "msg") && memchr(v.s, '=', v.n)) {
            if (read_pairs(ev, v.s, v.n, execve, 1, why) < 0)
                return -1;
            continue;
        }
        set_pair(ev, k, v, quoted, execve);
    }
    return 0;
}

/* Decodes "[node=H ]type=T msg=audit(S.MS:N): PAIRS" at s[0..n). 0, or -1 with *why. */
static int decode_record(vg_event *ev, const char *s, size_t n, const char **why)
{
    size_t i = 0;
    vg_text node = { NULL, 0 };
    if (vg_text_starts(s, n, "node=")) {
        i = 5;
        const char *tok;
        node.n = vg_text_token(s, n, &i, VG_TEXT_PAST_SPACE, &tok);
        node.s = tok;
    }
    vg_text type;
    const char *rest = s + i;
    size_t rn = n - i;
    size_t at = vg_text_find(rest, rn, " msg=audit(");
    if (!vg_text_starts(rest, rn, "type=") || at == VG_TEXT_NONE) {
        *why = "expected [node=HOST ]type=TYPE msg=audit(SECONDS:SERIAL): ...";
        return -1;
    }
    type = (vg_text){ rest + 5, at - 5 };
    const char *stamp = rest + at + 11;
    size_t sn = rn - at - 11, colon = 0;
    while (colon < sn && stamp[colon] != ':' && stamp[colon] != ')')
        colon++;
    size_t close = colon;
    while (close < sn && stamp[close] != ')')
        close++;
    vg_time t;
    if (close >= sn || colon >= close || vg_time_parse_epoch(stamp, colon, &t) != 0 || type.n == 0) {
        *why = "msg=audit(...) does not hold SECONDS.MILLIS:SERIAL";
        return -1;
    }
    vg_decode_set_time(ev, &t);
    vg_decode_set_uint(ev, "event.sequence", stamp + colon + 1, close - colon - 1);
    vg_text_set(ev, "host.hostname", node);
    vg_event_set_str(ev, "auditd.type", type.s, type.n);
    vg_event_set_cstr(ev, "event.kind", "event");
    vg_event_set_cstr(ev, "event.dataset", AUDITD_DATASET);
    ev->audit = 1;
    size_t body = close + 1;
    if (body < sn && stamp[body] == ':')
        body++;
    return read_pairs(ev, stamp + body, sn - body, vg_text_is(type.s, type.n, "EXECVE"), 0, why);
}

/* Is k an EXECVE argument key: "aN", or "aN[K]" (piece K of a long argument)? *index: N;
 * *piece: K, or -1 for a whole argument. */
static int argument_key(vg_text k, unsigned long *index, long *piece)
{
    size_t i = 1;
    unsigned long v = 0;
    if (k.n < 2 || k.s[0] != 'a')
        return 0;
    for (; i < k.n && k.s[i] >= '0' && k.s[i] <= '9' && i < 8; i++)
        v = v * 10 + (unsigned long)(k.s[i] - '0');
    if (i == 1)
        return 0;
    *index = v;
    *piece = -1;
    if (i == k.n)
        return 1;
    if (k.s[i] != '[' || k.s[k.n - 1] != ']' || k.n - i < 3 || k.n - i > 9)
        return 0;
    long p = 0;
    for (size_t j = i + 1; j < k.n - 1; j++) {
        if (k.s[j] < '0' || k.s[j] > '9')
            return 0;
        p = p * 10 + (k.s[j] - '0');
    }
    *piece = p;
    return 1;
}

void vg_auditd_args_init(vg_auditd_args *a)
{
    *a = (vg_auditd_args){ 0, -1, -1, 0, -1, 0, -1, 0, 0 };
}

/* The decimal number of at most 9 digits that v is, or -1 (read within v only). */
static long small_number(vg_text v)
{
    long x = 0;
    if (v.n == 0 || v.n > 9)
        return -1;
    for (size_t i = 0; i < v.n; i++) {
        if (v.s[i] < '0' || v.s[i] > '9')
            return -1;
        x = x * 10 + (v.s[i] - '0');
    }
    return x;
}

/* Where the KEY=VALUE pairs of the record rec[0..n) start (after "msg=audit(...):"), or n. */
static size_t pairs_at(const char *rec, size_t n)
{
    size_t at = vg_text_find(rec, n, " msg=audit(");
    const char *close = at == VG_TEXT_NONE ? NULL : memchr(rec + at, ')', n - at);
    if (!close)
        return n;
    size_t i = (size_t)(close - rec) + 1;
    return i < n && rec[i] == ':' ? i + 1 : i;
}


/* Is k "aN_len" (the length of long argument N, before its pieces)? *index: N. */
static int length_key(vg_text k, unsigned long *index)
{
    if (k.n < 6 || k.s[0] != 'a' || !vg_text_is(k.s + k.n - 4, 4, "_len"))
        return 0;
    long piece;
    return argument_key((vg_text){ k.s, k.n - 4 }, index, &piece) && piece < 0;
}

int vg_auditd_args_order(const char *rec, size_t n, unsigned long *index, long *piece)
{
    size_t i = pairs_at(rec, n);
    vg_text k, v;
    int quoted;
    while (next_pair(rec, n, &i, &k, &v, &quoted) > 0) {
        if (vg_text_is(k.s, k.n, "argc")) {
            *index = 0;
            *piece = -2;    /* the first record of an exec: before every other */
            return 1;
        }
        if (argument_key(k, index, piece))
            return 1;
    }
    return 0;
}


/* Appends separators for the arguments from a->last to index (kernels before 4.20 write no
 * pair for an empty argument): 0, or -1 when out is full. */
static int separate(vg_auditd_args *a, unsigned long index, char *out, size_t cap, size_t *o)
{
    long seps = a->last >= 0 ? (long)index - a->last : (long)index;
    for (; seps > 0; seps--) {
        if (*o == cap)
            return -1;
        out[(*o)++] = ' ';
    }
    return 0;
}

void vg_auditd_command_line(const char *rec, size_t n, char *out, size_t cap, vg_auditd_args *a)
{
    size_t i = pairs_at(rec, n), o = a->len, at = i;
    vg_text k, v;
    int quoted, first = 1;
    a->record_args = 0;
    for (; !a->truncated && !a->gap && next_pair(rec, n, &i, &k, &v, &quoted) > 0; at = i) {
        unsigned long index;
        long piece;
        if (!a->record_args && (argument_key(k, &index, &piece) || length_key(k, &index)))
            a->record_args = n - at;
        if (vg_text_is(k.s, k.n, "argc")) {
            a->argc = small_number(v);
            first = 0;      /* the first record: an index skipped here is an empty argument */
            continue;
        }
        if (length_key(k, &index)) {
            if (a->argc >= 0 && (long)index >= a->argc)
                continue;       /* beyond argc: not an argument (argc=0 logs envp[0]) */
            a->gap |= a->pending > 0;       /* the long argument before it is not whole */
            a->pending = small_number(v) > 0 ? small_number(v) : 0;
            a->pending_of = (long)index;
            continue;
        }
        if (!argument_key(k, &index, &piece) || (a->argc >= 0 && (long)index >= a->argc))
            continue;
        /* where a record starts, the argument or piece must follow the one before (else a
         * record is missing); inside a record, skipped indexes are empty arguments */
        int follows = (long)index == a->last ? piece == a->piece + 1 : piece <= 0 && (long)index > a->last;
        if (!follows || (first && (long)index > a->last + 1) || (a->pending > 0 && a->pending_of != (long)index)) {
            a->gap = 1;
            break;
        }
        first = 0;
        if ((long)index != a->last && separate(a, index, out, cap, &o) < 0) {
            a->truncated = 1;
            break;
        }
        a->last = (long)index;
        a->piece = piece;
        if (piece >= 0)     /* aN_len counts the piece as written: hexadecimal digits, or bytes */
            a->pending = a->pending > (long)v.n ? a->pending - (long)v.n : 0;
        int hex = !quoted && is_hex_text(v);
        size_t m = hex ? v.n / 2 : v.n, room = cap - o;
        if (m > room) {         /* what fits, then no more */
            vg_text part = { v.s, hex ? 2 * room : room };
            o += hex ? hex_decode(part, out + o) : (memcpy(out + o, v.s, room), room);
            a->truncated = 1;
            break;
        }
        o += hex ? hex_decode(v, out + o) : (memcpy(out + o, v.s, v.n), v.n);
    }
    a->len = o;
}

static int auditd_probe(const vg_event *ev)
{
    size_t i = 0;
    const char *s = ev->text;
    size_t n = ev->len;
    if (vg_text_starts(s, n, "node=")) {
        const char *tok;
        i = 5;
        vg_text_token(s, n, &i, VG_TEXT_PAST_SPACE, &tok);
    }
    return vg_text_starts(s + i, n - i, "type=") && vg_text_find(s + i, n - i, " msg=audit(") != VG_TEXT_NONE;
}

static vg_rc auditd_decode(const vg_decode_opts *opts, vg_event *ev, vg_error *err)
{
    (void)opts;
    const char *why = NULL;
    ev->decoder = "auditd";
    if (decode_record(ev, ev->text, ev->len, &why) < 0)
        return vg_fail(err, VG_ERR_PARSE, 0, "auditd: %s", why);
    return VG_OK;
}

vg_rc vg_decode_auditd_syslog(const vg_decode_opts *opts, vg_event *ev, const char *app, size_t app_len,
                              const char *msg, size_t msg_len)
{
    (void)opts, (void)app, (void)app_len;
    const char *why = NULL;
    size_t at = vg_text_find(msg, msg_len, "type=");
    if (at == VG_TEXT_NONE || (at > 0 && msg[at - 1] != ' ') || vg_text_find(msg, msg_len, " msg=audit(") == VG_TEXT_NONE)
        return VG_OK;   /* not a record: a plain syslog line */
    if (vg_text_starts(msg, msg_len, "node="))
        at = 0;         /* the node that wrote the record (the header names the forwarder) */
    if (decode_record(ev, msg + at, msg_len - at, &why) < 0)
        vg_event_add_tag(ev, "vigil_auditd_malformed");
    return VG_OK;
}

const vg_decoder vg_decoder_auditd = {
    "auditd", "Linux audit records (audit.log: type=... msg=audit(...): key=value ...)", 0, auditd_probe,
    auditd_decode
};
