/*
 * serve-tls: TLS for the daemon's stream listeners (syslog over TLS, RFC 5425, and RELP with a
 * certificate), on OpenSSL.
 * Such a listener gets one SSL_CTX: its certificate chain and key, TLS 1.2 at least,
 * and with client_ca, client certificates required and checked against that CA. Connections
 * are non-blocking: the handshake happens inside the first reads (vg_serve_tls_read reports
 * when the socket must become readable or writable), and a failed handshake is reported with
 * OpenSSL's reason.
 */
#include "serve.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <string.h>

/* The last OpenSSL error as text, or fallback. */
static void ssl_reason(char *out, size_t cap, const char *fallback)
{
    unsigned long e = ERR_get_error();
    if (e)
        ERR_error_string_n(e, out, cap);
    else
        snprintf(out, cap, "%s", fallback);
    ERR_clear_error();
}

vg_rc vg_serve_tls_ctx(const vg_conf_listener *l, SSL_CTX **out, vg_error *err)
{
    char why[256];
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx)
        return vg_fail(err, VG_ERR_NOMEM, 0, "listener %s: cannot make a TLS context", l->name);
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    /* senders often close without close_notify: that is the end of their stream, not an error */
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_IGNORE_UNEXPECTED_EOF);
    /* no session tickets: a TLS 1.3 server would send them after the handshake, and a sender
     * that never reads closes with them unread, which resets the connection (RST) and makes
     * the kernel drop what it received but the daemon had not read yet */
    SSL_CTX_set_num_tickets(ctx, 0);
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    const char *what = NULL;
    if (SSL_CTX_use_certificate_chain_file(ctx, l->cert) != 1)
        what = l->cert;
    else if (SSL_CTX_use_PrivateKey_file(ctx, l->key, SSL_FILETYPE_PEM) != 1 || SSL_CTX_check_private_key(ctx) != 1)
        what = l->key;
    else if (l->client_ca && SSL_CTX_load_verify_locations(ctx, l->client_ca, NULL) != 1)
        what = l->client_ca;
    if (what) {
        ssl_reason(why, sizeof(why), "unreadable");
        SSL_CTX_free(ctx);
        return vg_fail(err, VG_ERR_IO, 0, "listener %s: %s: %s", l->name, what, why);
    }
    if (l->client_ca)
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
    *out = ctx;
    return VG_OK;
}

SSL *vg_serve_tls_accept(SSL_CTX *ctx, int fd)
{
    SSL *ssl = SSL_new(ctx);
    if (ssl && SSL_set_fd(ssl, fd) != 1) {
        SSL_free(ssl);
        return NULL;
    }
    if (ssl)
        SSL_set_accept_state(ssl);
    return ssl;
}

long vg_serve_tls_read(SSL *ssl, char *buf, size_t cap, char *why, size_t whycap)
{
    size_t got = 0;
    ERR_clear_error();
    int r = SSL_read_ex(ssl, buf, cap, &got);
    if (r == 1)
        return (long)got;
    switch (SSL_get_error(ssl, r)) {
    case SSL_ERROR_WANT_READ:
        return VG_TLS_WANT_READ;
    case SSL_ERROR_WANT_WRITE:
        return VG_TLS_WANT_WRITE;
    case SSL_ERROR_ZERO_RETURN:
        return 0; /* close_notify: the end of the stream */
    default:
        ssl_reason(why, whycap, SSL_is_init_finished(ssl) ? "connection reset" : "handshake failed (connection closed)");
        return VG_TLS_FAILED;
    }
}

long vg_serve_tls_write(SSL *ssl, const char *buf, size_t len, char *why, size_t whycap)
{
    size_t put = 0;
    ERR_clear_error();
    int r = SSL_write_ex(ssl, buf, len, &put);  /* partial writes on: a full socket gives what fit */
    if (r == 1)
        return (long)put;
    switch (SSL_get_error(ssl, r)) {
    case SSL_ERROR_WANT_READ:
        return VG_TLS_WANT_READ;
    case SSL_ERROR_WANT_WRITE:
        return VG_TLS_WANT_WRITE;
    default:
        ssl_reason(why, whycap, "connection reset");
        return VG_TLS_FAILED;
    }
}

void vg_serve_tls_peer(SSL *ssl, char *out, size_t cap)
{
    out[0] = '\0';
    X509 *cert = SSL_get0_peer_certificate(ssl);
    if (cert)
        X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, out, (int)cap);
}
