/*
 * decode-sysmon-linux: Sysmon for Linux events (Microsoft Sysinternals' SysmonForLinux), one
 * XML document per line, read bare ("sysmon-linux" format, for collectors that forward only
 * the message) or carried by syslog with program "sysmon" (vg_decode_sysmon_syslog).
 *
 *   <Event><System><Provider Name="Linux-Sysmon" Guid="{...}"/><EventID>1</EventID>...
 *     <TimeCreated SystemTime="2026-10-12T12:00:00.123456000Z"/>...<Computer>web01</Computer>
 *     ...</System><EventData><Data Name="RuleName">-</Data><Data Name="Image">/usr/bin/id</Data>
 *     ...</EventData></Event>
 *
 * The XML reader is strict and small, for exactly this shape: elements with attributes (either
 * quote style), text, the five predefined entities and numeric character references (decoded
 * to UTF-8 only where a value holds '&'), nothing else (no comments, CDATA, declarations or
 * processing instructions, no DOCTYPE: a document holding one is rejected). Names are ASCII;
 * text may hold any bytes: invalid UTF-8 in a command line is kept (shown as U+FFFD on
 * output), as in every text log, so an argument with a stray byte cannot hide a process.
 *
 * A document is read whole before any field is set (a malformed one sets nothing): every
 * element closed in order, every entity known, EventID present and decimal, the time valid.
 *
 * Fields: each known <Data Name="N"> (the member names of Sysmon for Linux's events 1, 3, 4,
 * 5, 9, 11, 16, 23, 26 and 255) as sysmon.N, exactly as written ("-" included); other names
 * stay in event.original only. From System: @timestamp (TimeCreated SystemTime), host.hostname
 * (Computer), event.code (EventID), event.provider (Provider Name). ECS from the members:
 * process.executable/name/pid/entity_id/command_line/working_directory, process.parent.*,
 * user.name, source/destination ip/port/domain and network.transport (event 3), file.path and
 * file.name (TargetFilename); members written "-" give no ECS field. event.dataset
 * sysmon_linux.log, event.kind, event.category, event.type, event.action per event id.
 */
#include "decode-syslog.h"

#include <string.h>

#include "decode-fields.h"
#include "decode-text.h"
#include "util-utf8.h"

#define SYSMON_DATASET "sysmon_linux.log"
#define SYSMON_DECODER "sysmon-linux"
#define SYSMON_MAX_DEPTH 8      /* limit: element nesting (the shape has 3) */
#define SYSMON_MAX_DATA 64      /* limit: <Data> elements of one document */
#define SYSMON_SYSTEM_FIELDS 9  /* fields set besides the members and their ECS fields */
#define SYSMON_SCRATCH_KEEP 64  /* scratch left for the timestamp after decoded values */

/* How a member also becomes an ECS field. */
enum conv { C_NONE, C_STR, C_EXE, C_UINT, C_IP, C_PORT, C_LOWER };

/* The members kept as sysmon.NAME, and their ECS field (ecs2: the base name, for C_EXE). */
#define M(name, ecs, ecs2, conv) { #name, "sysmon." #name, ecs, ecs2, conv }
#define K(name) M(name, NULL, NULL, C_NONE)     /* kept, no ECS field (RuleName: alerts own rule.*) */
static const struct {
    const char *name;
    const char *field;
    const char *ecs;
    const char *ecs2;
    enum conv conv;
} members[] = {
    M(ProcessGuid, "process.entity_id", NULL, C_STR),
    M(ProcessId, "process.pid", NULL, C_UINT),
    M(Image, "process.executable", "process.name", C_EXE),
    M(CommandLine, "process.command_line", NULL, C_STR),
    M(CurrentDirectory, "process.working_directory", NULL, C_STR),
    M(User, "user.name", NULL, C_STR),
    M(ParentProcessGuid, "process.parent.entity_id", NULL, C_STR),
    M(ParentProcessId, "process.parent.pid", NULL, C_UINT),
    M(ParentImage, "process.parent.executable", "process.parent.name", C_EXE),
    M(ParentCommandLine, "process.parent.command_line", NULL, C_STR),
    M(Protocol, "network.transport", NULL, C_LOWER),
    M(SourceIp, "source.ip", NULL, C_IP),
    M(SourceHostname, "source.domain", NULL, C_STR),
    M(SourcePort, "source.port", NULL, C_PORT),
    M(DestinationIp, "destination.ip", NULL, C_IP),
    M(DestinationHostname, "destination.domain", NULL, C_STR),
    M(DestinationPort, "destination.port", NULL, C_PORT),
    M(TargetFilename, "file.path", "file.name", C_EXE),
    K(RuleName), K(UtcTime), K(FileVersion), K(Description), K(Product), K(Company),
    K(OriginalFileName), K(LogonGuid), K(LogonId), K(TerminalSessionId), K(IntegrityLevel),
    K(Hashes), K(ParentUser), K(Initiated), K(SourceIsIpv6), K(SourcePortName),
    K(DestinationIsIpv6), K(DestinationPortName), K(State), K(Version), K(SchemaVersion), K(Device),
    K(CreationUtcTime), K(Configuration), K(ConfigurationFileHash), K(IsExecutable), K(Archived),
    K(ID),
};

#define NMEMBERS (sizeof members / sizeof members[0])

/* What each event id is (the names are Sysmon's task names, as on Windows). */
static const struct {
    unsigned id;
    const char *category, *type, *action;
} kinds[] = {
    { 1, VG_CAT_PROCESS, VG_TYPE_START, "Process Create (rule: ProcessCreate)" },
    { 3, VG_CAT_NETWORK, VG_TYPE_CONNECTION_START, "Network connection detected (rule: NetworkConnect)" },
    { 4, VG_CAT_CONFIGURATION, VG_TYPE_CHANGE, "Sysmon service state changed" },
    { 5, VG_CAT_PROCESS, VG_TYPE_END, "Process terminated (rule: ProcessTerminate)" },
    { 9, "[\"file\"]", VG_TYPE_ACCESS, "RawAccessRead detected (rule: RawAccessRead)" },
    { 11, "[\"file\"]", "[\"creation\"]", "File created (rule: FileCreate)" },
    { 16, VG_CAT_CONFIGURATION, VG_TYPE_CHANGE, "Sysmon config state changed" },
    { 23, "[\"file\"]", VG_TYPE_DELETION, "File Delete archived (rule: FileDelete)" },
    { 26, "[\"file\"]", VG_TYPE_DELETION, "File Delete logged (rule: FileDeleteDetected)" },
};

/* A text value of the document: raw XML text (entities not yet decoded). */
typedef struct xval {
    vg_text raw;
    int amp;                /* holds '&': decoded into scratch when set */
} xval;

/* What one document gives, read before any field is set. */
typedef struct sysmon_doc {
    xval event_id, computer, provider, time;
    unsigned id;
    vg_time t;
    int has_time;
    unsigned nd;
    struct {
        unsigned member;    /* index in members[] */
        xval v;
    } data[SYSMON_MAX_DATA];
    size_t decoded;         /* bytes of scratch the values holding '&' need */
} sysmon_doc;

/* The reader's state over s[0..n). */
typedef struct xml {
    const char *s;
    size_t n, i;
    const char *why;        /* reason of the first error */
    size_t at;              /* its offset */
    vg_text stack[SYSMON_MAX_DEPTH];
    int depth;
    int data_member;        /* the open <Data>'s member index, -1 unknown, -2 none open */
} xml;

static int fail(xml *x, size_t at, const char *why)
{
    if (!x->why) {
        x->why = why;
        x->at = at;
    }
    return -1;
}

static int is_name_start(char c)
{
    return vg_text_is_alpha(c) || c == '_' || c == ':';
}

static int is_name_char(char c)
{
    return is_name_start(c) || vg_text_is_digit(c) || c == '-' || c == '.';
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void skip_space(xml *x)
{
    while (x->i < x->n && is_space(x->s[x->i]))
        x->i++;
}

/* Reads a name at x->i; its length, 0 if none. */
static size_t read_name(xml *x, vg_text *name)
{
    size_t start = x->i;
    if (x->i < x->n && is_name_start(x->s[x->i]))
        while (x->i < x->n && is_name_char(x->s[x->i]))
            x->i++;
    *name = (vg_text){ x->s + start, x->i - start };
    return name->n;
}

/* Is code point cp a character XML allows (Char production)? */
static int xml_char(uint32_t cp)
{
    return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
           (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

/* The entity or character reference at s[0..n) (s[0] is '&'): its length through ';' and the
 * UTF-8 bytes it stands for in out (*outn); 0 if it is not a known one. */
static size_t entity(const char *s, size_t n, char out[4], int *outn)
{
    static const struct {
        const char *name;
        char c;
    } named[] = { { "&lt;", '<' }, { "&gt;", '>' }, { "&amp;", '&' }, { "&quot;", '"' }, { "&apos;", '\'' } };
    for (size_t k = 0; k < sizeof named / sizeof named[0]; k++) {
        if (vg_text_starts(s, n, named[k].name)) {
            out[0] = named[k].c;
            *outn = 1;
            return strlen(named[k].name);
        }
    }
    if (n < 4 || s[1] != '#')
        return 0;
    int hex = s[2] == 'x';
    size_t i = hex ? 3 : 2, start = i;
    uint32_t cp = 0;
    for (; i < n && i - start < 8; i++) {
        int d = vg_text_is_digit(s[i]) ? s[i] - '0'
              : hex && (s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'f' ? (s[i] | 0x20) - 'a' + 10 : -1;
        if (d < 0)
            break;
        cp = cp * (hex ? 16u : 10u) + (uint32_t)d;
    }
    if (i == start || i >= n || s[i] != ';' || !xml_char(cp))
        return 0;
    *outn = vg_utf8_encode(cp, out);
    return i + 1;
}

/* Checks the text s[a..b) (element text or an attribute value, '<' excluded by the caller):
 * every '&' starts a known reference. Returns the value, or one with raw.s NULL on error. */
static xval text_value(xml *x, size_t a, size_t b)
{
    xval v = { { x->s + a, b - a }, 0 };
    const char *p = memchr(v.raw.s, '&', v.raw.n);
    while (p) {
        char out[4];
        int outn;
        size_t off = (size_t)(p - x->s), len = entity(p, b - off, out, &outn);
        if (!len) {
            fail(x, off, "unknown entity or invalid character reference (only &lt; &gt; &amp; "
                         "&quot; &apos; &#N; &#xH;)");
            v.raw.s = NULL;
            return v;
        }
        v.amp = 1;
        p = memchr(p + len, '&', b - off - len);
    }
    return v;
}

/* Decodes the references of v into out (which holds v.raw.n bytes: decoding never lengthens,
 * so out may be v.raw.s itself); returns the decoded length. v was checked by text_value. */
static size_t unescape(xval v, char *out)
{
    size_t o = 0;
    for (size_t k = 0; k < v.raw.n;) {
        if (v.raw.s[k] != '&') {
            out[o++] = v.raw.s[k++];
            continue;
        }
        char u[4];
        int un = 0;
        size_t len = entity(v.raw.s + k, v.raw.n - k, u, &un);
        memcpy(out + o, u, (size_t)un);
        o += (size_t)un;
        k += len ? len : 1;
    }
    return o;
}

/* The path of open elements is exactly the given names (from the root)? */
static int at_path(const xml *x, const char *a, const char *b, const char *c)
{
    const char *want[3] = { a, b, c };
    int d = c ? 3 : b ? 2 : 1;
    if (x->depth != d)
        return 0;
    for (int k = 0; k < d; k++)
        if (!vg_text_is(x->stack[k].s, x->stack[k].n, want[k]))
            return 0;
    return 1;
}

/* Records an attribute of the element just opened (the stack's top). */
static int on_attribute(xml *x, sysmon_doc *d, vg_text name, xval v)
{
    if (at_path(x, "Event", "System", "Provider") && vg_text_is(name.s, name.n, "Name"))
        d->provider = v;
    else if (at_path(x, "Event", "System", "TimeCreated") && vg_text_is(name.s, name.n, "SystemTime"))
        d->time = v;
    else if (at_path(x, "Event", "EventData", "Data") && vg_text_is(name.s, name.n, "Name")) {
        x->data_member = -1;
        for (size_t k = 0; k < NMEMBERS && !v.amp; k++)
            if (vg_text_is(v.raw.s, v.raw.n, members[k].name)) {
                x->data_member = (int)k;
                break;
            }
        for (unsigned k = 0; x->data_member >= 0 && k < d->nd; k++)
            if (d->data[k].member == (unsigned)x->data_member)
                return fail(x, (size_t)(v.raw.s - x->s), "a <Data Name=...> appears twice");
        if (x->data_member >= 0) {
            if (d->nd >= SYSMON_MAX_DATA)
                return fail(x, x->i, "too many <Data> elements");
            d->data[d->nd].member = (unsigned)x->data_member;
            d->data[d->nd++].v = (xval){ { x->s + x->i, 0 }, 0 };   /* empty until its text */
        }
    }
    return 0;
}

/* Records the text of the innermost open element. */
static void on_text(xml *x, sysmon_doc *d, xval v)
{
    if (at_path(x, "Event", "System", "EventID"))
        d->event_id = v;
    else if (at_path(x, "Event", "System", "Computer"))
        d->computer = v;
    else if (at_path(x, "Event", "EventData", "Data") && x->data_member >= 0 && d->nd)
        d->data[d->nd - 1].v = v;
}

/* Reads a start tag at x->i (past '<'): name, attributes, '>' or '/>'. */
static int start_tag(xml *x, sysmon_doc *d)
{
    vg_text name;
    size_t at = x->i - 1;
    if (!read_name(x, &name))
        return fail(x, x->i, "expected an element name after '<'");
    if (x->depth == 0 && !vg_text_is(name.s, name.n, "Event"))
        return fail(x, at, "the root element is not <Event>");
    if (x->depth >= SYSMON_MAX_DEPTH)
        return fail(x, at, "elements nested too deep");
    x->stack[x->depth++] = name;
    x->data_member = -2;
    for (;;) {
        size_t before = x->i;
        skip_space(x);
        if (x->i >= x->n)
            return fail(x, at, "a start tag is not closed");
        if (x->s[x->i] == '>') {
            x->i++;
            return 0;
        }
        if (x->s[x->i] == '/') {
            if (x->i + 1 >= x->n || x->s[x->i + 1] != '>')
                return fail(x, x->i, "expected '/>'");
            x->i += 2;
            x->depth--;     /* empty element: open and closed */
            return 0;
        }
        vg_text an;
        if (x->i == before || !read_name(x, &an))
            return fail(x, x->i, "expected an attribute name");
        skip_space(x);
        if (x->i >= x->n || x->s[x->i] != '=')
            return fail(x, x->i, "expected '=' after an attribute name");
        x->i++;
        skip_space(x);
        if (x->i >= x->n || (x->s[x->i] != '"' && x->s[x->i] != '\''))
            return fail(x, x->i, "an attribute value is not quoted");
        char q = x->s[x->i++];
        size_t vs = x->i;
        while (x->i < x->n && x->s[x->i] != q && x->s[x->i] != '<')
            x->i++;
        if (x->i >= x->n || x->s[x->i] != q)
            return fail(x, vs - 1, "an attribute value is not closed");
        xval v = text_value(x, vs, x->i++);
        if (!v.raw.s || on_attribute(x, d, an, v) < 0)
            return -1;
    }
}

/* Reads an end tag at x->i (past "</"): it must close the innermost open element. */
static int end_tag(xml *x)
{
    vg_text name;
    size_t at = x->i - 2;
    if (!read_name(x, &name))
        return fail(x, x->i, "expected an element name after '</'");
    skip_space(x);
    if (x->i >= x->n || x->s[x->i] != '>')
        return fail(x, at, "an end tag is not closed");
    x->i++;
    if (x->depth == 0 || name.n != x->stack[x->depth - 1].n ||
        memcmp(name.s, x->stack[x->depth - 1].s, name.n) != 0)
        return fail(x, at, "an end tag does not match the open element");
    x->depth--;
    x->data_member = -2;
    return 0;
}

/* Reads the document s[0..n) into d. 0, or -1 with x->why. */
static int read_document(xml *x, sysmon_doc *d)
{
    skip_space(x);
    if (x->i >= x->n || x->s[x->i] != '<')
        return fail(x, x->i, "expected <Event>");
    do {
        if (x->s[x->i] != '<') {
            size_t a = x->i;
            const char *lt = memchr(x->s + a, '<', x->n - a);
            x->i = lt ? (size_t)(lt - x->s) : x->n;
            xval v = text_value(x, a, x->i);
            if (!v.raw.s)
                return -1;
            on_text(x, d, v);
            continue;
        }
        x->i++;
        if (x->i < x->n && (x->s[x->i] == '!' || x->s[x->i] == '?'))
            return fail(x, x->i - 1, "comments, CDATA, DOCTYPE and processing instructions are not read");
        int r = x->i < x->n && x->s[x->i] == '/' ? (x->i++, end_tag(x)) : start_tag(x, d);
        if (r < 0)
            return -1;
    } while (x->depth > 0 && x->i < x->n);
    if (x->depth > 0)
        return fail(x, x->n, "the document ends before its elements are closed (truncated?)");
    skip_space(x);
    if (x->i < x->n)
        return fail(x, x->i, "text after </Event>");
    return 0;
}

/* Checks what the fields need: EventID, the time; counts the scratch of decoded values. */
static int check_document(xml *x, sysmon_doc *d)
{
    vg_text id = d->event_id.raw;
    if (!id.s)
        return fail(x, 0, "no <EventID> in <System>");
    if (id.n == 0 || id.n > 5 || !vg_text_digits(id.s, id.n))
        return fail(x, (size_t)(id.s - x->s), "<EventID> is not a number");
    d->id = 0;
    for (size_t k = 0; k < id.n; k++)
        d->id = d->id * 10 + (unsigned)(id.s[k] - '0');
    if (d->time.raw.s) {
        if (d->time.amp || vg_time_parse_iso(d->time.raw.s, d->time.raw.n, 0, &d->t) != 0)
            return fail(x, (size_t)(d->time.raw.s - x->s), "TimeCreated SystemTime is not an ISO 8601 time");
        d->has_time = 1;
    }
    d->decoded = 0;
    for (unsigned k = 0; k < d->nd; k++)
        if (d->data[k].v.amp)
            d->decoded += d->data[k].v.raw.n;
    if (d->computer.amp)
        d->decoded += d->computer.raw.n;
    if (d->provider.amp)
        d->decoded += d->provider.raw.n;
    return 0;
}

/* The value of v as set into fields: the raw slice, or a copy in scratch decoded in place
 * (empty if scratch is full, which decode_document rules out beforehand). */
static vg_text value_text(vg_event *ev, xval v)
{
    if (!v.amp)
        return v.raw;
    char *out = vg_event_scratch(ev, v.raw.s, v.raw.n);
    if (!out)
        return (vg_text){ v.raw.s, 0 };
    return (vg_text){ out, unescape((xval){ { out, v.raw.n }, 1 }, out) };
}

/* The part of path v after its last '/'. */
static vg_text base_name(vg_text v)
{
    size_t k = v.n;
    while (k > 0 && v.s[k - 1] != '/')
        k--;
    return (vg_text){ v.s + k, v.n - k };
}

/* Sets member k's ECS field from its value t. */
static void set_ecs(vg_event *ev, unsigned k, vg_text t)
{
    const char *f = members[k].ecs;
    if (!f || !t.n || vg_text_is(t.s, t.n, "-"))
        return;
    switch (members[k].conv) {
    case C_EXE:
        vg_event_set_str(ev, f, t.s, t.n);
        vg_text_set(ev, members[k].ecs2, base_name(t));
        break;
    case C_UINT:
        vg_decode_set_uint(ev, f, t.s, t.n);
        break;
    case C_IP:
        vg_decode_set_ip(ev, f, t.s, t.n);
        break;
    case C_PORT:
        vg_text_set_port(ev, f, t);
        break;
    case C_LOWER:
        vg_df_lower(ev, f, (vg_value){ VG_JSON_STRING, VG_VALUE_PLAIN, (uint32_t)t.n, t.s });
        break;
    case C_STR:
    case C_NONE:
        vg_event_set_str(ev, f, t.s, t.n);
        break;
    }
}

/* Sets the fields of a checked document. */
static void set_fields(vg_event *ev, const sysmon_doc *d)
{
    ev->decoder = SYSMON_DECODER;
    if (d->has_time)
        vg_decode_set_time(ev, &d->t);
    vg_text_set(ev, "host.hostname", value_text(ev, d->computer));
    vg_text_set(ev, "event.provider", value_text(ev, d->provider));
    vg_event_set_str(ev, "event.code", d->event_id.raw.s, d->event_id.raw.n);
    vg_event_set_cstr(ev, "event.kind", "event");
    vg_event_set_cstr(ev, "event.dataset", SYSMON_DATASET);
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        if (kinds[k].id != d->id)
            continue;
        vg_event_set_json(ev, "event.category", kinds[k].category);
        vg_event_set_json(ev, "event.type", kinds[k].type);
        vg_event_set_cstr(ev, "event.action", kinds[k].action);
    }
    for (unsigned k = 0; k < d->nd; k++) {
        vg_text t = value_text(ev, d->data[k].v);
        vg_event_set_str(ev, members[d->data[k].member].field, t.s, t.n);
        set_ecs(ev, d->data[k].member, t);
    }
}

/* Decodes the document s[0..n): 0, or -1 with *why and *at (nothing is set then). */
static int decode_document(vg_event *ev, const char *s, size_t n, const char **why, size_t *at)
{
    xml x = { s, n, 0, NULL, 0, { { NULL, 0 } }, 0, -2 };
    sysmon_doc d;
    memset(&d, 0, sizeof d);
    if (read_document(&x, &d) < 0 || check_document(&x, &d) < 0) {
        *why = x.why;
        *at = x.at;
        return -1;
    }
    *at = 0;
    size_t need = SYSMON_SYSTEM_FIELDS;
    for (unsigned k = 0; k < d.nd; k++)
        need += 1u + (members[d.data[k].member].ecs != NULL) + (members[d.data[k].member].ecs2 != NULL);
    if (ev->nfields + need > VG_EVENT_MAX_FIELDS) {
        *why = "more <Data> members than one event holds";
        return -1;
    }
    if (d.decoded + SYSMON_SCRATCH_KEEP > VG_EVENT_SCRATCH - ev->scratch_used) {
        *why = "values holding entities are longer than the event's scratch (4 KiB) holds";
        return -1;
    }
    set_fields(ev, &d);
    return 0;
}

/* Does s[0..n) start with "<Event" and then '>', '/' or a space? */
static int looks_like_event(const char *s, size_t n)
{
    return n > 6 && vg_text_starts(s, n, "<Event") && (s[6] == '>' || s[6] == '/' || is_space(s[6]));
}

static int sysmon_probe(const vg_event *ev)
{
    return looks_like_event(ev->text, ev->len);
}

static vg_rc sysmon_decode(const vg_decode_opts *opts, vg_event *ev, vg_error *err)
{
    (void)opts;
    const char *why = NULL;
    size_t at = 0;
    ev->decoder = SYSMON_DECODER;
    if (decode_document(ev, ev->text, ev->len, &why, &at) < 0)
        return vg_fail(err, VG_ERR_PARSE, at, "sysmon-linux: %s", why);
    return vg_text_result(ev);
}

vg_rc vg_decode_sysmon_syslog(const vg_decode_opts *opts, vg_event *ev, const char *app, size_t app_len,
                              const char *msg, size_t msg_len)
{
    (void)opts, (void)app, (void)app_len;
    const char *why = NULL;
    size_t at = 0;
    if (msg_len == 0 || msg[0] != '<')
        return VG_OK;   /* the daemon's own messages: a plain syslog line */
    if (!looks_like_event(msg, msg_len) || decode_document(ev, msg, msg_len, &why, &at) < 0) {
        vg_event_add_tag(ev, "vigil_sysmon_malformed");
        return VG_OK;
    }
    return vg_text_result(ev);
}

const vg_decoder vg_decoder_sysmon_linux = {
    SYSMON_DECODER, "Sysmon for Linux events (one <Event> XML document per line)", 0, sysmon_probe,
    sysmon_decode
};
