#!/usr/bin/env python3
"""Hostile clients for healthtap serve (tests/serve/hostile.sh).

  hostile.py malformed PORT          raw malformed requests: each must get a
                                     4xx or a closed connection, never 2xx/5xx
  hostile.py stalled PORT N          N partial requests that stop sending:
                                     prints how long the server took to close each
  hostile.py trickle PORT N SECS     N requests trickled one byte per 0.3 s for
                                     SECS; prints "connected N" once they are,
                                     then the connections the server kept
  hostile.py refused PORT            one more connection: prints what happened
  hostile.py slowloris PORT N SECS   N connections from 127.0.0.2..101 sending one
                                     header line a second, back 0.2 s after
                                     being cut, for SECS; prints "opened O cut C held H"
                                     and the longest a connection was held
  hostile.py args PORT N             a GET with N query arguments: prints the
                                     status line and how long it took
  hostile.py load PORT PATH N C      N GETs over C keep-alive connections
                                     (fallback when ab is not installed)
Traffic goes to 127.0.0.1 only; every loop is bounded."""
import socket
import sys
import threading
import time


def connect(port, src=None):
    s = socket.socket()
    if src:
        s.bind((src, 0))
    s.settimeout(10)
    s.connect(("127.0.0.1", port))
    return s


def exchange(port, data, wait=10.0):
    """Sends data, reads until close or wait; returns the bytes read."""
    s = connect(port)
    try:
        s.sendall(data)
    except OSError:
        pass
    out = b""
    end = time.monotonic() + wait
    s.settimeout(1)
    while time.monotonic() < end:
        try:
            b = s.recv(65536)
        except socket.timeout:
            if out:
                break
            continue
        except OSError:
            break
        if not b:
            break
        out += b
    s.close()
    return out


CASES = [
    ("garbage line", b"GARBAGE\r\n\r\n"),
    ("method only", b"GET\r\n\r\n"),
    ("no version", b"GET /metrics\r\n\r\n"),
    # 505 is the RFC's answer to an unknown major version (libmicrohttpd's own)
    ("HTTP/9.9", b"GET /metrics HTTP/9.9\r\nHost: x\r\n\r\n", ("505",)),
    ("HTTP/1.1 without Host", b"GET /metrics HTTP/1.1\r\n\r\n"),
    ("binary bytes", bytes(range(256)) * 8 + b"\r\n\r\n"),
    ("header without colon", b"GET / HTTP/1.1\r\nHost: x\r\nBadHeader\r\n\r\n"),
    ("space before colon", b"GET / HTTP/1.1\r\nHost : x\r\n\r\n"),
    ("100 KB header", b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 100000 + b"\r\n\r\n"),
    ("100 KB URL", b"GET /" + b"a" * 100000 + b" HTTP/1.1\r\nHost: x\r\n\r\n"),
    ("2000 headers", b"GET / HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-%d: y\r\n" % i for i in range(2000)) + b"\r\n"),
    ("negative Content-Length", b"GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n"),
    ("huge Content-Length", b"GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n"),
    ("two Content-Lengths", b"GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab"),
    ("bad chunk", b"GET /metrics HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n"),
    ("POST 8 MB body", b"POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 8388608\r\n\r\n" + b"x" * 8388608),
    ("NUL in the URL", b"GET /met\x00rics HTTP/1.1\r\nHost: x\r\n\r\n"),
    ("path traversal", b"GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n"),
    ("bad percent escape", b"GET /api/v1/processes/%zz/series HTTP/1.1\r\nHost: x\r\n\r\n"),
    ("bad query", b"GET /api/v1/memory/series?points=-3&&&=%%% HTTP/1.1\r\nHost: x\r\n\r\n"),
    ("lowercase method", b"get /metrics HTTP/1.1\r\nHost: x\r\n\r\n"),
    ("CONNECT", b"CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: x\r\n\r\n"),
    ("GET with a body", b"GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"),
    # well-formed: an Authorization header nobody asked for is ignored (401
    # when --basic-auth is on); RFC 9112 lets a server unfold obs-fold
    ("Basic auth garbage", b"GET /metrics HTTP/1.1\r\nHost: x\r\nAuthorization: Basic \xff\xfe==\r\n\r\n", ("200", "401")),
    ("folded header", b"GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n  folded\r\n\r\n", ("200",)),
]


def malformed(port):
    bad = 0
    for case in CASES:
        name, data, also = case if len(case) == 3 else case + ((),)
        out = exchange(port, data)
        line = out.split(b"\r\n", 1)[0].decode("latin-1")
        code = line.split(" ")[1] if line.startswith("HTTP/") and " " in line else None
        ok = code is None or code.startswith("4") or code in also
        print("%-26s -> %s%s" % (name, line or "(closed, no reply)", "" if ok else "   <-- BAD"))
        bad += not ok
    return bad


def stalled(port, n):
    socks = []
    for _ in range(n):
        s = connect(port)
        s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Partial: ")
        socks.append((s, time.monotonic()))
    worst = 0
    for s, t0 in socks:
        s.settimeout(30)
        try:
            data = s.recv(100)
        except OSError:
            data = b""
        took = time.monotonic() - t0
        worst = max(worst, took)
        print("stalled connection closed after %.1f s (%s)" % (took, data[:12] or b"no reply"))
        s.close()
    return worst


def trickle(port, n, secs):
    socks = [connect(port) for _ in range(n)]
    print("connected %d" % n, flush=True)
    msg = b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 1000
    alive = [True] * n
    end = time.monotonic() + secs
    i = 0
    while time.monotonic() < end and i < len(msg):
        for k, s in enumerate(socks):
            if not alive[k]:
                continue
            try:
                s.sendall(msg[i:i + 1])
            except OSError:
                alive[k] = False
        i += 1
        time.sleep(0.3)
    print(sum(alive))
    for s in socks:
        s.close()


def refused(port):
    s = connect(port)
    s.settimeout(3)
    t0 = time.monotonic()
    try:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        data = s.recv(100)
    except socket.timeout:
        data = None
    except OSError:
        data = b""
    took = time.monotonic() - t0
    if data is None:
        print("hung %.1f" % took)
    elif data == b"":
        print("closed %.1f" % took)
    else:
        print("answered %.1f %s" % (took, data.split(b"\r\n")[0].decode()))


def slowloris(port, n, secs):
    """Slow headers that never end, from many addresses, kept up."""
    lock = threading.Lock()
    stats = {"opened": 0, "cut": 0, "longest": 0.0}
    end = time.monotonic() + secs

    def worker(k):
        src = "127.0.0.%d" % (2 + k % 100)
        while time.monotonic() < end:
            try:
                s = connect(port, src)
            except OSError:
                time.sleep(0.2)
                continue
            t0 = time.monotonic()
            with lock:
                stats["opened"] += 1
            try:
                s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n")
                s.settimeout(1)
                while time.monotonic() < end:
                    try:
                        if s.recv(100) == b"":
                            raise OSError("closed")
                        raise OSError("answered")
                    except socket.timeout:
                        pass
                    s.sendall(b"X-Slow: a\r\n")
                else:
                    s.close()
                    continue
            except OSError:
                with lock:
                    stats["cut"] += 1
                    stats["longest"] = max(stats["longest"], time.monotonic() - t0)
            s.close()
            time.sleep(0.2)	# then back: bounded churn on a shared machine

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print("opened %d cut %d longest %.1f" % (stats["opened"], stats["cut"], stats["longest"]))


def args(port, n):
    query = "&".join("a%d=%d" % (i, i) for i in range(n))
    t0 = time.monotonic()
    out = exchange(port, b"GET /metrics?%s HTTP/1.1\r\nHost: x\r\n\r\n" % query.encode(), 30)
    line = out.split(b"\r\n", 1)[0].decode("latin-1") or "(closed, no reply)"
    print("%d arguments, %d bytes: %s after %.2f s" % (n, len(query), line, time.monotonic() - t0))


def load(port, path, n, c):
    import http.client
    counts = {}
    lock = threading.Lock()

    def worker(k):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        for _ in range(k):
            try:
                conn.request("GET", path)
                r = conn.getresponse()
                r.read()
                code = r.status
            except Exception as e:
                code = type(e).__name__
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            with lock:
                counts[code] = counts.get(code, 0) + 1
        conn.close()

    threads = [threading.Thread(target=worker, args=(n // c + (i < n % c),)) for i in range(c)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.monotonic() - t0
    print("Complete requests: %d" % sum(counts.values()))
    print("Failed requests: %d" % sum(v for k, v in counts.items() if k != 200))
    print("Requests per second: %.0f" % (n / took))


if __name__ == "__main__":
    cmd, port = sys.argv[1], int(sys.argv[2])
    if cmd == "malformed":
        sys.exit(1 if malformed(port) else 0)
    elif cmd == "stalled":
        print("worst %.1f" % stalled(port, int(sys.argv[3])))
    elif cmd == "trickle":
        trickle(port, int(sys.argv[3]), float(sys.argv[4]))
    elif cmd == "refused":
        refused(port)
    elif cmd == "slowloris":
        slowloris(port, int(sys.argv[3]), float(sys.argv[4]))
    elif cmd == "args":
        args(port, int(sys.argv[3]))
    elif cmd == "load":
        load(port, sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
