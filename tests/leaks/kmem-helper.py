#!/usr/bin/env python3
"""Workloads for tests/leaks/kmem-live.sh (kernel-side growth, from /proc).

  kmem-helper.py skb HEALTHTAP N     queue N datagrams on a bound UDP socket
      nobody reads; print the change of healthtap's skb outstanding (top
      --json, the median of 5 readings) after queueing, after reading them
      all, and after queueing N again and closing the socket:
      "queued D1 read D2 closed D3"
  kmem-helper.py udpgrow SECONDS     send 200 datagrams/s to an unread socket;
      print "port PORT pid PID" first
  kmem-helper.py files DIR SECONDS   create 400 files/s in DIR (tmpfs), keep
      them, print "done" and wait for a line on stdin, then delete them
"""
import json, os, socket, statistics, subprocess, sys, time

SO_RCVBUFFORCE = 33


def unread_socket():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 256 << 20)
    except PermissionError:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 256 << 20)
    s.bind(("127.0.0.1", 0))
    return s


def outstanding(ht):
    vals = []
    for _ in range(5):
        out = subprocess.run([ht, "top", "-b", "-n", "1", "-i", "100ms", "--json"],
                             check=True, capture_output=True, text=True).stdout
        vals.append(json.loads(out)["skb"]["outstanding"])
    return statistics.median(vals)


def queue(s, n):
    c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for _ in range(n):
        c.sendto(b"x", s.getsockname())
    c.close()


def skb(ht, n):
    s = unread_socket()
    base = outstanding(ht)
    queue(s, n)
    queued = outstanding(ht) - base
    s.setblocking(False)
    got = 0
    try:
        while True:
            s.recv(16)
            got += 1
    except BlockingIOError:
        pass
    read = outstanding(ht) - base
    queue(s, n)
    s.close()
    closed = outstanding(ht) - base
    print("queued %d read %d closed %d received %d" % (queued, read, closed, got), flush=True)


def udpgrow(seconds):
    s = unread_socket()
    c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    print("port %d pid %d" % (s.getsockname()[1], os.getpid()), flush=True)
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        for _ in range(20):
            c.sendto(b"x" * 64, s.getsockname())
        time.sleep(0.1)


def files(d, seconds):
    n = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        for _ in range(40):
            open(os.path.join(d, "f%d" % n), "w").close()
            n += 1
        time.sleep(0.1)
    print("done %d" % n, flush=True)
    sys.stdin.readline()
    for i in range(n):
        os.unlink(os.path.join(d, "f%d" % i))
    print("deleted", flush=True)
    sys.stdin.readline()


if __name__ == "__main__":
    if sys.argv[1] == "skb":
        skb(sys.argv[2], int(sys.argv[3]))
    elif sys.argv[1] == "udpgrow":
        udpgrow(float(sys.argv[2]))
    elif sys.argv[1] == "files":
        files(sys.argv[2], float(sys.argv[3]))
