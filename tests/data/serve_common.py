"""serve_common: what the vigil serve test scripts share: failure collection, free loopback
ports, a one-address indicator snapshot, starting the daemon and waiting for its API, reading
/metrics, and sshd lines that carry a listed address (so each processed line gives one alert).
"""
import os
import socket
import subprocess
import time
import urllib.request

FAILS = []


def fail(msg):
    """Records a failure (the script exits 1 at its end) and says it."""
    FAILS.append(msg)
    print("FAIL:", msg)


_GIVEN = set()


def free_port(kind=socket.SOCK_STREAM):
    """A loopback port free at the time of asking, and not handed out before by this process:
    the kernel may give the same port to two binds of port 0 one after the other, and a
    daemon configured with it twice would not start."""
    for _ in range(100):
        s = socket.socket(socket.AF_INET, kind)
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        if port not in _GIVEN:
            _GIVEN.add(port)
            return port
    raise RuntimeError("no loopback port left that was not handed out already")


def one_address_snapshot(vigil, tmp, ip, name="one"):
    """Compiles an indicator snapshot that lists ip only; its path."""
    with open(os.path.join(tmp, name + ".txt"), "w") as f:
        f.write(ip + "\n")
    with open(os.path.join(tmp, name + ".yml"), "w") as f:
        f.write("feeds:\n  - {name: %s, format: plain, path: %s.txt}\n" % (name, name))
    out = os.path.join(tmp, name + ".vgi")
    subprocess.run([vigil, "intel", "compile", "-c", os.path.join(tmp, name + ".yml"), "-o", out], check=True,
                   capture_output=True)
    return out


def make_certs(d):
    """A CA (ca.pem), a server certificate for localhost (server.pem, server.key) and a client
    certificate named unit-a-host (client.pem, client.key) in directory d, with openssl."""
    def openssl(*args):
        subprocess.run(["openssl"] + list(args), check=True, capture_output=True)
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=vigil-test-ca",
            "-keyout", d + "/ca.key", "-out", d + "/ca.pem")
    for name in ("server", "client"):
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=" + ("localhost" if name == "server" else "unit-a-host"),
                "-keyout", "%s/%s.key" % (d, name), "-out", "%s/%s.csr" % (d, name))
        openssl("x509", "-req", "-in", "%s/%s.csr" % (d, name), "-CA", d + "/ca.pem", "-CAkey", d + "/ca.key",
                "-CAcreateserial", "-days", "2", "-out", "%s/%s.pem" % (d, name))


def sshd_line(user, ip):
    """An sshd failed-password syslog line for user from ip."""
    return "Nov 20 10:00:00 gw sshd[1]: Failed password for %s from %s port 22 ssh2" % (user, ip)


def metrics(api_port):
    """The daemon's /metrics as {series: value}."""
    with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % api_port, timeout=5) as r:
        return {l.rsplit(" ", 1)[0]: float(l.rsplit(" ", 1)[1]) for l in r.read().decode().splitlines()
                if l and not l.startswith("#")}


def received(m):
    """Records received by all listeners and file inputs."""
    return sum(v for k, v in m.items() if k.startswith("vigil_received_total{"))


def start_daemon(vigil, conf, log, api_port, tries=600):
    """Starts vigil serve -c conf (standard error appended to the open file log) and waits
    until its API answers; fails the test if it does not."""
    p = subprocess.Popen([vigil, "serve", "-c", conf], stderr=log, stdout=subprocess.DEVNULL)
    for _ in range(tries):
        try:
            with urllib.request.urlopen("http://127.0.0.1:%d/healthz" % api_port, timeout=1):
                return p
        except OSError:
            if p.poll() is not None:
                break
            time.sleep(0.1)
    fail("the daemon did not start (exit %s)" % p.poll())
    return p


def wait_stored(api_port, want=0, timeout=120):
    """Waits until the daemon has received at least want records and stored every one it
    received; the last metrics."""
    deadline = time.time() + timeout
    m = {}
    while time.time() < deadline:
        m = metrics(api_port)
        if received(m) >= want and m.get("vigil_stored_seq", 0) >= received(m):
            break
        time.sleep(0.2)
    return m
