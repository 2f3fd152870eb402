/*
 * decode-sshd: the messages of OpenSSH's sshd, as the syslog decoder hands them over (the
 * part after "sshd[pid]: "). A trailing " [preauth]" and a leading "error: " or "fatal: " are
 * set aside first (the latter become log.level). Shapes, each with its event.action:
 *
 *   Accepted|Failed METHOD for [invalid user ]U from HOST port N [ssh2[: KEY]]   ssh_login
 *   Postponed|Partial METHOD for ...                  ssh_login_postponed, ssh_login_partial
 *   maximum authentication attempts exceeded for [invalid user ]U from HOST port N ssh2
 *                                                     ssh_max_auth_attempts_exceeded
 *   Invalid user U from HOST[ port N]                 ssh_invalid_user
 *   input_userauth_request: invalid user U            ssh_userauth_invalid_user
 *   User U from HOST not allowed because REASON       ssh_user_not_allowed
 *   Connection from HOST port N on HOST port N        ssh_connection
 *   Connection closed|reset by PEER                   ssh_connection_closed, ssh_connection_reset
 *   Received disconnect from HOST[ port N]: CODE: TEXT    ssh_disconnect
 *   Disconnected from PEER                            ssh_disconnected
 *   Disconnecting: Too many authentication failures [for U]
 *   Disconnecting PEER: Too many authentication failures  ssh_too_many_failures
 *   Disconnecting[ PEER]: REASON                      ssh_disconnecting
 *   Timeout, client not responding[ from PEER]        ssh_timeout
 *   Did not receive identification string from PEER   ssh_no_identification
 *   Bad protocol version identification 'X' from HOST[ port N]   ssh_bad_protocol_version
 *   Unable to negotiate with PEER: REASON             ssh_negotiation_failed
 *   reverse mapping checking getaddrinfo for NAME [IP] failed - POSSIBLE BREAK-IN ATTEMPT!
 *   Address IP maps to NAME, but this does not map back to the address - POSSIBLE BREAK-IN ATTEMPT!
 *                                                     ssh_reverse_mapping_failed
 *   PAM N more authentication failure[s]; logname= ... rhost=H [user=U]    pam_more_failures
 *   PAM service(S) ignoring max retries; N > M        pam_ignoring_max_retries
 *   Server listening on HOST port N.                  ssh_server_listening
 *   fatal: REASON (when REASON has none of the shapes above)    ssh_fatal_error
 *   pam_MODULE(...): ...                              (vg_decode_pam, decode-linux.c)
 *
 * PEER is "[invalid user U |authenticating user U |user U ]HOST[ port N]". User names may
 * hold spaces and even " from ": addresses are parsed from the right. Only Accepted/Failed
 * lines are ssh_login events, so counting ssh_login failures counts each attempt once (PAM
 * lines describe the same attempts again and get pam_* actions). "message repeated N times"
 * is undone by the syslog layer (decode-syslog.c) before this decoder runs.
 */
#include "decode-syslog.h"

#include <string.h>

#include "decode-text.h"

/* A remote end as sshd writes it. */
typedef struct peer {
    vg_text user;   /* empty when not given */
    vg_text host;   /* an IP address or a host name */
    int host_kind;  /* vg_text_host_kind(host), found when the host was checked */
    vg_text port;   /* empty when not given */
    vg_text key;    /* login lines: the key after "ssh2: ", else empty */
} peer;

typedef vg_text_shape shape;

/* event.* of shapes */
#define AUTH_FAILURE(action) { action, VG_CAT_AUTH, VG_TYPE_INFO, "failure" }
#define NET_END(action) { action, VG_CAT_NETWORK, VG_TYPE_CONNECTION_END, NULL }

/* ---- parsing ----------------------------------------------------------------------------- */

/* Splits s[0..n) as "[HEAD ]HOST[ port N]": sets p->host, p->port and *head (HEAD's length,
 * 0 when there is none). Returns 1, or 0 when the last token is not a host. */
static int addr_tail(const char *s, size_t n, peer *p, size_t *head)
{
    size_t end = n, k = vg_text_rfind(s, n, " port ");
    p->port = (vg_text){ s + n, 0 };
    if (k != VG_TEXT_NONE && vg_text_digits(s + k + 6, n - k - 6)) {
        p->port = (vg_text){ s + k + 6, n - k - 6 };
        end = k;
    }
    size_t h = end;
    while (h > 0 && s[h - 1] != ' ')
        h--;
    p->host = (vg_text){ s + h, end - h };
    *head = h ? h - 1 : 0;
    p->host_kind = vg_text_host_kind(p->host);
    return p->host_kind != VG_HOST_NONE;
}

/* Parses all of s[0..n) as a PEER: "[invalid |authenticating ]user U HOST[ port N]" or
 * "HOST[ port N]". Returns 1 or 0. */
static int parse_peer(const char *s, size_t n, peer *p)
{
    static const char *const user_prefixes[] = { "invalid user ", "authenticating user ", "user ", NULL };
    size_t head;
    memset(p, 0, sizeof *p);
    if (!addr_tail(s, n, p, &head))
        return 0;
    if (head == 0)
        return 1;
    for (const char *const *u = user_prefixes; *u; u++) {
        if (vg_text_starts(s, head, *u)) {
            size_t l = strlen(*u);
            p->user = (vg_text){ s + l, head - l };
            return 1;
        }
    }
    return 0;
}

/* Parses all of s[0..n) as "U from HOST[ port N]" (U may be empty). Returns 1 or 0. */
static int parse_from(const char *s, size_t n, peer *p)
{
    size_t head;
    memset(p, 0, sizeof *p);
    if (!addr_tail(s, n, p, &head))
        return 0;
    if (vg_text_is(s, head, "from"))
        return 1;
    if (!vg_text_ends(s, head, " from"))
        return 0;
    p->user = (vg_text){ s, head - 5 };
    return 1;
}

/* Parses all of s[0..n) as "HOST port N[ sshV[: KEY]]". Returns 1 or 0. */
static int login_tail(const char *s, size_t n, peer *p)
{
    size_t h = 0;
    while (h < n && s[h] != ' ')
        h++;
    if (!vg_text_starts(s + h, n - h, " port "))
        return 0;
    size_t d = h + 6 + vg_text_span_digits(s + h + 6, n - h - 6);
    const char *rest = s + d;
    size_t rn = n - d;
    p->host = (vg_text){ s, h };
    p->port = (vg_text){ s + h + 6, d - h - 6 };
    p->key = (vg_text){ s + n, 0 };
    if (p->port.n == 0 || (p->host_kind = vg_text_host_kind(p->host)) == VG_HOST_NONE)
        return 0;
    if (rn == 0 || vg_text_is(rest, rn, " ssh2") || vg_text_is(rest, rn, " ssh1"))
        return 1;
    if (!vg_text_starts(rest, rn, " ssh2: ") || rn == 7)
        return 0;
    p->key = (vg_text){ rest + 7, rn - 7 };
    return 1;
}

/* Parses all of s[0..n) as "[invalid user ]U from HOST port N[ sshV[: KEY]]", trying the
 * " from " separators from the right so that U may contain anything. Returns 1 or 0. */
static int parse_login(const char *s, size_t n, peer *p)
{
    memset(p, 0, sizeof *p);
    for (size_t end = n;;) {
        size_t f = vg_text_rfind(s, end, " from ");
        if (f == VG_TEXT_NONE)
            return 0;
        if (login_tail(s + f + 6, n - f - 6, p)) {
            p->user = (vg_text){ s, f };
            if (vg_text_starts(s, f, "invalid user "))
                p->user = (vg_text){ s + 13, f - 13 };
            return 1;
        }
        end = f + 5;    /* the next candidate starts before f */
    }
}

/* ---- setting fields ---------------------------------------------------------------------- */

static void set_kind(vg_event *ev, const shape *sh)
{
    vg_text_set_kind(ev, VG_DATASET_AUTH, &sh->kind);
    if (sh->arg)
        vg_event_set_cstr(ev, "system.auth.ssh.event", sh->arg);
}

static void set_peer(vg_event *ev, const peer *p)
{
    vg_text_set(ev, "user.name", p->user);
    vg_text_set_host_kind(ev, "source.ip", "source.domain", p->host, p->host_kind);
    vg_text_set_port(ev, "source.port", p->port);
}

/* Sets the shape's kind and the peer: the end of every shape that is just a peer. */
static int set_shape(vg_event *ev, const shape *sh, const peer *p)
{
    set_kind(ev, sh);
    set_peer(ev, p);
    return 1;
}

/* ---- the shapes -------------------------------------------------------------------------- */

/* "METHOD for LOGIN" */
static int login(vg_event *ev, const shape *sh, const char *s, size_t n)
{
    size_t m = vg_text_find(s, n, " for ");
    peer p;
    if (m == VG_TEXT_NONE || m == 0 || memchr(s, ' ', m) || !parse_login(s + m + 5, n - m - 5, &p))
        return 0;
    set_shape(ev, sh, &p);
    vg_event_set_str(ev, "system.auth.ssh.method", s, m);
    vg_text_set(ev, "system.auth.ssh.signature", p.key);
    return 1;
}

/* "LOGIN" without a method */
static int login_nomethod(vg_event *ev, const shape *sh, const char *s, size_t n)
{
    peer p;
    return parse_login(s, n, &p) && set_shape(ev, sh, &p);
}

/* "U from HOST[ port N]" */
static int from_peer(vg_event *ev, const shape *sh, const char *s, size_t n)
{
    peer p;
    return parse_from(s, n, &p) && set_shape(ev, sh, &p);
}

/* "PEER" */
static int just_peer(vg_event *ev, const shape *sh, const char *s, size_t n)
{
    peer p;
    return parse_peer(s, n, &p) && set_shape(ev, sh, &p);
}

/* "U" */
static int just_user(vg_event *ev, const shape *sh, const char *s, size_t n)
{
    set_kind(ev, sh);
    vg_text_set(ev, "user.name", (vg_text){ s, n });
    return 1;
}

/* "PEER: REASON" */
static int peer_reason(vg_event *ev, const shape *sh, const char *s, size_t n)
{
    vg_text cap[2];
    peer p;
    if (!vg_text_match(s, n, "%: %", cap, 2) || !parse_peer(cap[0].s, cap[0].n, &p))
        return 0;
    set_shape(ev, sh, &p);
    vg_text_set(ev, "event.reason", cap[1]);
    return 1;
}

/* "REASON" */
static int just_reason(vg_event *ev, const shape *sh, const char *s, size_t n)
{
    set_kind(ev, sh);
    vg_text_set(ev, "event.reason", (vg_text){ s, n });
    return 1;
}

/* "CODE: TEXT" or "CODE:TEXT" (RFC 4253 disconnect reason code): the TEXT */
static vg_text disconnect_text(vg_text r)
{
    size_t d = vg_text_span_digits(r.s, r.n);
    if (d == 0 || d == r.n || r.s[d] != ':')
        return r;
    d++;
    vg_text_eat(r.s, r.n, &d, ' ');
    return (vg_text){ r.s + d, r.n - d };
}

/* "HOST port N:CODE: TEXT" or "HOST: CODE: TEXT" */
static int received_disconnect(vg_event *ev, const shape *sh, const char *s, size_t n)
{
    vg_text cap[3];
    peer p;
    memset(&p, 0, sizeof p);
    if (vg_text_match(s, n, "% port %:%", cap, 3) && vg_text_digits(cap[1].s, cap[1].n)) {
        p.port = cap[1];
        cap[1] = cap[2];
    } else if (!vg_text_match(s, n, "%: %", cap, 2)) {
        return 0;
    }
    p.host = cap[0];
    if ((p.host_kind = vg_text_host_kind(p.host)) == VG_HOST_NONE)
        return 0;
    set_shape(ev, sh, &p);
    vg_text_set(ev, "event.reason", disconnect_text(cap[1]));
    return 1;
}

/* "Disconnecting...: Too many authentication failures" */
static const shape too_many = {
    "", NULL, AUTH_FAILURE("ssh_too_many_failures"), NULL
};

/* Sets the fields of "Disconnecting[ PEER]: REASON": too_many's when REASON is about
 * authentication failures (with "for U" naming the user), else sh's. */
static void set_disconnecting(vg_event *ev, const shape *sh, const peer *p, vg_text reason)
{
    static const char failures[] = "Too many authentication failures";
    if (!vg_text_starts(reason.s, reason.n, failures)) {
        set_shape(ev, sh, p);
        vg_text_set(ev, "event.reason", reason);
        return;
    }
    set_shape(ev, &too_many, p);
    size_t l = sizeof failures - 1;
    if (vg_text_starts(reason.s + l, reason.n - l, " for "))
        vg_text_set(ev, "user.name", (vg_text){ reason.s + l + 5, reason.n - l - 5 });
}

/* ": Too many authentication failures[ for U]" or ": REASON" */
static int disconnecting(vg_event *ev, const shape *sh, const char *s, size_t n)
{
    peer p;
    memset(&p, 0, sizeof p);
    if (n && s[0] == ' ') {
        s++;
        n--;
    }
    if (n == 0)
        return 0;
    set_disconnecting(ev, sh, &p, (vg_text){ s, n });
    return 1;
}

/* " PEER: Too many authentication failures" or " PEER: REASON" */
static int disconnecting_peer(vg_event *ev, const shape *sh, const char *s, size_t n)
{
    vg_text cap[2];
    peer p;
    if (!vg_text_match(s, n, "%: %", cap, 2) || !parse_peer(cap[0].s, cap[0].n, &p))
        return 0;
    set_disconnecting(ev, sh, &p, cap[1]);
    return 1;
}

/* "[.]" or " from PEER[.]" after "Timeout, client not responding" */
static int timeout(vg_event *ev, const shape *sh, const char *s, size_t n)
{
    peer p;
    memset(&p, 0, sizeof p);
    if (n && s[n - 1] == '.')
        n--;
    if (n && !(vg_text_starts(s, n, " from ") && parse_peer(s + 6, n - 6, &p)))
        return 0;
    return set_shape(ev, sh, &p);
}

/* Sets a failed reverse-DNS check: source.ip from ip, source.domain from name. Returns 1, or 0
 * (nothing set) when ip is not an IP address. */
static int set_mapping(vg_event *ev, const shape *sh, vg_text ip, vg_text name)
{
    if (!vg_is_ip(ip.s, ip.n))
        return 0;
    set_kind(ev, sh);
    vg_event_set_str(ev, "source.ip", ip.s, ip.n);
    vg_text_set_host(ev, NULL, "source.domain", name);
    return 1;
}

/* "NAME [IP] failed - POSSIBLE BREAK-IN ATTEMPT!" */
static int reverse_mapping(vg_event *ev, const shape *sh, const char *s, size_t n)
{
    vg_text cap[2];
    return vg_text_match(s, n, "% [%] failed - POSSIBLE BREAK-IN ATTEMPT!", cap, 2) &&
           set_mapping(ev, sh, cap[1], cap[0]);
}

/* "IP maps to NAME, but this does not map back to the address - POSSIBLE BREAK-IN ATTEMPT!" */
static int address_maps(vg_event *ev, const shape *sh, const char *s, size_t n)
{
    vg_text cap[2];
    return vg_text_match(s, n, "% maps to %, but this does not map back to the address"
                         " - POSSIBLE BREAK-IN ATTEMPT!", cap, 2) &&
           set_mapping(ev, sh, cap[0], cap[1]);
}

/* "N more authentication failure[s]; ITEMS" after "PAM " */
static int pam_more(vg_event *ev, const shape *sh, const char *s, size_t n)
{
    vg_text cap[3];
    if (!vg_text_match(s, n, "% more authentication %; %", cap, 3) || !vg_text_digits(cap[0].s, cap[0].n) ||
        !(vg_text_is(cap[1].s, cap[1].n, "failure") || vg_text_is(cap[1].s, cap[1].n, "failures")))
        return 0;
    set_kind(ev, sh);
    vg_text_set_pam_items(ev, cap[2].s, cap[2].n);
    return 1;
}

/* "S) ignoring max retries; N > M" after "PAM service(" */
static int pam_max_retries(vg_event *ev, const shape *sh, const char *s, size_t n)
{
    vg_text cap[3];
    if (!vg_text_match(s, n, "%) ignoring max retries; % > %", cap, 3))
        return 0;
    set_kind(ev, sh);
    vg_event_set_str(ev, "service.name", cap[0].s, cap[0].n);
    return 1;
}

/* "HOST port N on HOST port N[ rdomain "R"]" */
static int connection_from(vg_event *ev, const shape *sh, const char *s, size_t n)
{
    vg_text cap[2];
    peer src, dst;
    if (!vg_text_match(s, n, "% on %", cap, 2))
        return 0;
    size_t r = vg_text_find(cap[1].s, cap[1].n, " rdomain ");
    if (r != VG_TEXT_NONE)
        cap[1].n = r;
    if (!parse_peer(cap[0].s, cap[0].n, &src) || !parse_peer(cap[1].s, cap[1].n, &dst) ||
        src.user.n || dst.user.n)
        return 0;
    set_shape(ev, sh, &src);
    vg_decode_set_ip(ev, "destination.ip", dst.host.s, dst.host.n);
    vg_text_set_port(ev, "destination.port", dst.port);
    return 1;
}

/* "HOST port N." */
static int listening(vg_event *ev, const shape *sh, const char *s, size_t n)
{
    peer p;
    if (n == 0 || s[n - 1] != '.' || !parse_peer(s, n - 1, &p) || p.user.n)
        return 0;
    set_kind(ev, sh);
    return 1;
}

/* "U from HOST not allowed because REASON" after "User " */
static int not_allowed(vg_event *ev, const shape *sh, const char *s, size_t n)
{
    static const char because[] = " not allowed because ";
    size_t k = vg_text_rfind(s, n, because);
    peer p;
    if (k == VG_TEXT_NONE || !parse_from(s, k, &p))
        return 0;
    set_shape(ev, sh, &p);
    k += sizeof because - 1;
    vg_text_set(ev, "event.reason", (vg_text){ s + k, n - k });
    return 1;
}

/* "'VERSION' from HOST[ port N]" */
static int bad_version(vg_event *ev, const shape *sh, const char *s, size_t n)
{
    peer p;
    if (!parse_from(s, n, &p) || p.user.n < 2 || p.user.s[0] != '\'' || p.user.s[p.user.n - 1] != '\'')
        return 0;
    p.user.n = 0;   /* the version string, not a user */
    return set_shape(ev, sh, &p);
}

/* Every shape by its prefix, in matching order (the first prefix that fits decides); arg is
 * system.auth.ssh.event. */
static const shape shapes[] = {
    { "Accepted ", login, { "ssh_login", VG_CAT_AUTH_SESSION, VG_TYPE_START, "success" }, "Accepted" },
    { "Failed ", login, AUTH_FAILURE("ssh_login"), "Failed" },
    { "Postponed ", login, { "ssh_login_postponed", VG_CAT_AUTH, VG_TYPE_INFO, NULL }, "Postponed" },
    { "Partial ", login, { "ssh_login_partial", VG_CAT_AUTH, VG_TYPE_INFO, NULL }, "Partial" },
    { "maximum authentication attempts exceeded for ", login_nomethod,
      AUTH_FAILURE("ssh_max_auth_attempts_exceeded"), NULL },
    { "Invalid user ", from_peer, AUTH_FAILURE("ssh_invalid_user"), "Invalid" },
    { "input_userauth_request: invalid user ", just_user, AUTH_FAILURE("ssh_userauth_invalid_user"), NULL },
    { "User ", not_allowed, AUTH_FAILURE("ssh_user_not_allowed"), NULL },
    { "Connection from ", connection_from,
      { "ssh_connection", VG_CAT_NETWORK, VG_TYPE_CONNECTION_START, NULL }, NULL },
    { "Connection closed by ", just_peer, NET_END("ssh_connection_closed"), NULL },
    { "Connection reset by ", just_peer, NET_END("ssh_connection_reset"), NULL },
    { "Received disconnect from ", received_disconnect, NET_END("ssh_disconnect"), NULL },
    { "Disconnected from ", just_peer, NET_END("ssh_disconnected"), NULL },
    { "Disconnecting:", disconnecting, NET_END("ssh_disconnecting"), NULL },
    { "Disconnecting ", disconnecting_peer, NET_END("ssh_disconnecting"), NULL },
    { "Timeout, client not responding", timeout, NET_END("ssh_timeout"), NULL },
    { "Did not receive identification string from ", just_peer,
      { "ssh_no_identification", VG_CAT_NETWORK, VG_TYPE_INFO, NULL }, NULL },
    { "Bad protocol version identification ", bad_version,
      { "ssh_bad_protocol_version", VG_CAT_NETWORK, VG_TYPE_INFO, NULL }, NULL },
    { "Unable to negotiate with ", peer_reason,
      { "ssh_negotiation_failed", VG_CAT_NETWORK, VG_TYPE_INFO, "failure" }, NULL },
    { "reverse mapping checking getaddrinfo for ", reverse_mapping,
      { "ssh_reverse_mapping_failed", VG_CAT_NETWORK, VG_TYPE_INFO, NULL }, NULL },
    { "Address ", address_maps, { "ssh_reverse_mapping_failed", VG_CAT_NETWORK, VG_TYPE_INFO, NULL }, NULL },
    { "PAM service(", pam_max_retries, { "pam_ignoring_max_retries", VG_CAT_AUTH, VG_TYPE_INFO, NULL }, NULL },
    { "PAM ", pam_more, AUTH_FAILURE("pam_more_failures"), NULL },
    { "Server listening on ", listening, { "ssh_server_listening", NULL, NULL, NULL }, NULL },
    { NULL, NULL, { NULL, NULL, NULL, NULL }, NULL }
};

/* "fatal: REASON" that no shape above recognizes */
static const shape fatal_error = { "fatal: ", just_reason, { "ssh_fatal_error", NULL, NULL, NULL }, NULL };

/* Moves *s past an "error: " or "fatal: " prefix; returns the log level it names, or NULL. */
static const char *strip_level(const char **s, size_t *n)
{
    const char *level = vg_text_starts(*s, *n, "error: ") ? "error"
                        : vg_text_starts(*s, *n, "fatal: ") ? "fatal" : NULL;
    if (level) {
        *s += 7;
        *n -= 7;
    }
    return level;
}

vg_rc vg_decode_sshd(const vg_decode_opts *opts, vg_event *ev, const char *app, size_t app_len,
                     const char *msg, size_t msg_len)
{
    if (vg_text_is_pam(app, app_len, msg, msg_len))
        return vg_decode_pam(opts, ev, app, app_len, msg, msg_len);
    const char *s = msg;
    size_t n = vg_text_rtrim(msg, msg_len);
    if (vg_text_ends(s, n, "[preauth]"))
        n = vg_text_rtrim(s, n - 9);
    const char *level = strip_level(&s, &n);
    int known = vg_text_decode_shapes(ev, shapes, s, n);
    if (!known && level && level[0] == 'f')
        known = just_reason(ev, &fatal_error, s, n);
    if (known && level)
        vg_event_set_cstr(ev, "log.level", level);
    return vg_text_result(ev);
}
