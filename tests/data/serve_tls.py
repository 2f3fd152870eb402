#!/usr/bin/env python3
"""serve-tls: syslog over TLS (RFC 5425) into vigil serve, with and without client certificates
(whose common name can choose the unit of the records).

Makes a CA, a server certificate and a client certificate with the openssl command, starts the
daemon with two TLS listeners (one that requires client certificates signed by the CA), and
sends: LF-framed and octet-counted lines over TLS; a client without a certificate and a client
speaking plain TCP to the listener that requires one (both refused in the handshake, reported,
counted); then more lines. Checks: every line sent over an accepted connection gives its alert,
the refused ones give none, the daemon stops cleanly.

Usage: serve_tls.py VIGIL
"""
import hashlib
import http.client
import json
import signal
import socket
import sqlite3
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

from serve_common import (FAILS, fail, free_port, make_certs, one_address_snapshot, sshd_line, start_daemon,
                          wait_stored)

VIGIL = sys.argv[1]
IP = "198.51.100.99"


def line(tag):
    return sshd_line(tag, IP)


def tls_send(port, d, data, cert=True):
    ctx = ssl.create_default_context(cafile=d + "/ca.pem")
    ctx.check_hostname = False
    if cert:
        ctx.load_cert_chain(d + "/client.pem", d + "/client.key")
    with socket.create_connection(("127.0.0.1", port)) as raw:
        with ctx.wrap_socket(raw) as s:
            s.sendall(data)


def main():
    tmp = tempfile.mkdtemp(prefix="vigil-serve-tls-")
    make_certs(tmp)
    one_address_snapshot(VIGIL, tmp, IP)
    ports = {"tls": free_port(), "mtls": free_port(), "https": free_port(), "api": free_port()}
    token = "d" * 64
    conf = tmp + "/vigil.yml"
    with open(conf, "w") as f:
        f.write(f"""data_dir: {tmp}/data
spool: {{sync: never}}
detection: {{workers: 2, intel: {tmp}/one.vgi}}
api: {{listen: "127.0.0.1:{ports['api']}"}}
units:
  - {{name: hq}}
  - {{name: unit-a, certificates: [unit-a-host]}}
listeners:
  - {{name: tls, type: tls, listen: "127.0.0.1:{ports['tls']}", cert: server.pem, key: server.key}}
  - {{name: mtls, type: tls, listen: "127.0.0.1:{ports['mtls']}", cert: server.pem, key: server.key,
      client_ca: ca.pem, framing: auto}}
  - name: https
    type: http
    listen: "127.0.0.1:{ports['https']}"
    cert: server.pem
    key: server.key
    tokens: [{{name: t, token_sha256: {hashlib.sha256(token.encode()).hexdigest()}}}]
""")
    log = tmp + "/serve.log"
    p = start_daemon(VIGIL, conf, open(log, "w"), ports["api"])
    want = set()
    big = "".join(line("t%d" % i) + "\n" for i in range(2000))
    want.update("t%d" % i for i in range(2000))
    tls_send(ports["tls"], tmp, big.encode(), cert=False)
    octet = b"".join(b"%d %s" % (len(l), l) for l in (("<13>" + line("m%d" % i)).encode() for i in range(500)))
    want.update("m%d" % i for i in range(500))
    tls_send(ports["mtls"], tmp, octet)
    refused = 0
    try:
        tls_send(ports["mtls"], tmp, (line("nocert") + "\n").encode(), cert=False)
        time.sleep(0.5)
    except (ssl.SSLError, OSError):
        refused += 1
    with socket.create_connection(("127.0.0.1", ports["mtls"])) as s:   # plain TCP to a TLS port
        s.sendall((line("plain") + "\n").encode())
        time.sleep(0.3)
    tls_send(ports["tls"], tmp, (line("last") + "\n").encode(), cert=False)
    want.add("last")
    # HTTPS ingest: NDJSON over TLS with a token; plain HTTP to it is refused
    ctx = ssl.create_default_context(cafile=tmp + "/ca.pem")
    ctx.check_hostname = False
    body = "".join(json.dumps({"source": {"ip": IP}, "user": {"name": "h%d" % i}}) + "\n" for i in range(100))
    req = urllib.request.Request("https://127.0.0.1:%d/ingest" % ports["https"], data=body.encode(), method="POST")
    req.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(req, timeout=30, context=ctx) as r:
        if r.status != 200 or json.loads(r.read())["accepted"] != 100:
            fail("HTTPS ingest did not accept the batch")
    want.update("h%d" % i for i in range(100))
    try:
        urllib.request.urlopen(urllib.request.Request("http://127.0.0.1:%d/ingest" % ports["https"], data=b"{}\n"),
                               timeout=5)
        fail("plain HTTP to the HTTPS listener was answered")
    except (urllib.error.URLError, OSError, http.client.HTTPException):
        pass
    m = wait_stored(ports["api"], len(want), 60)
    p.send_signal(signal.SIGTERM)
    if p.wait(timeout=60) != 0:
        fail("vigil serve exited with %d" % p.returncode)
    con = sqlite3.connect(tmp + "/data/vigil.db")
    rows = [json.loads(j) for (j,) in con.execute("select json from alerts")]
    got = [a["event"]["user"]["name"] for a in rows]
    # the client certificate (CN unit-a-host) names the unit of its records; others: the listener's
    for a in rows:
        want_unit = "unit-a" if a["event"]["user"]["name"].startswith("m") else "hq"
        if a["alert"].get("unit") != want_unit:
            fail("%s: unit %s, expected %s" % (a["event"]["user"]["name"], a["alert"].get("unit"), want_unit))
            break
    con.close()
    if sorted(got) != sorted(want):
        fail("stored %d alerts, expected %d (missing %s, extra %s)" % (len(got), len(want),
             sorted(want - set(got))[:5], sorted(set(got) - want)[:5]))
    text = open(log).read()
    if text.count("TLS:") < 2:
        fail("the refused handshakes are not both reported")
    bad = m.get('vigil_bad_input_total{listener="mtls",type="tls"}', 0)
    if bad < 2:
        fail("refused handshakes counted: %s" % bad)
    print("TLS: %d lines (LF) without client certificates, %d octet-counted with one, 100 events over HTTPS; a "
          "client without a certificate and a plain-TCP client refused in the handshake (%d counted); %d alerts, "
          "as expected" % (2001, 500, bad, len(got)))
    if FAILS:
        print(text[-3000:])
        return 1
    subprocess.run(["rm", "-rf", tmp])
    return 0


if __name__ == "__main__":
    sys.exit(main())
