"""Helpers of tests/hostile-names.sh.

  hostile-names.py run SECONDS     becomes a process whose argv[0] and comm
                                   are hostile, then sleeps SECONDS
  hostile-names.py check KIND FILE PID
                                   KIND json (one or more JSON documents),
                                   csv or text: FILE is valid UTF-8 with no
                                   control character but newline and tab
                                   (no raw escape reaches a terminal), and
                                   names PID; json: a member "comm" of the
                                   object with "pid": PID decodes to the
                                   hostile name (escaped, not dropped);
                                   PID 0: any document, no pid needed
"""
import csv, io, json, os, sys, time

# 15 bytes (the kernel's comm limit): invalid UTF-8, a terminal escape,
# a quote, a backslash, a bell and the 8-bit CSI (U+009B).
COMM = b'h\xff\x1b[2J"\\\x07\xc2\x9bz'
ARGV0 = b'\xffev\x1b[2J"q\\\x07\xc2\x9b'


def run(seconds):
    if len(sys.argv) > 3:  # the second stage, under the hostile argv[0]
        with open("/proc/self/comm", "wb") as f:
            f.write(COMM)
        time.sleep(float(seconds))
        return
    os.execv(sys.executable, [ARGV0, os.path.abspath(__file__).encode(),
                              b"run", seconds.encode(), b"-"])


def objects(v):
    if isinstance(v, dict):
        yield v
        for x in v.values():
            yield from objects(x)
    elif isinstance(v, list):
        for x in v:
            yield from objects(x)


def check(kind, path, pid):
    raw = open(path, "rb").read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        sys.exit("%s: not valid UTF-8: %s" % (path, e))
    for i, ch in enumerate(text):
        if (ord(ch) < 0x20 and ch not in "\n\t") or 0x7f <= ord(ch) <= 0x9f:
            sys.exit("%s: raw control U+%04X at character %d: %r" %
                     (path, ord(ch), i, text[max(0, i - 40):i + 40]))
    if kind == "json":
        want = COMM.decode("utf-8", "replace")
        dec, docs, at = json.JSONDecoder(), [], 0
        while True:
            while at < len(text) and text[at].isspace():
                at += 1
            if at == len(text):
                break
            try:
                doc, at = dec.raw_decode(text, at)
            except ValueError as e:
                sys.exit("%s: invalid JSON: %s" % (path, e))
            docs.append(doc)
        if not docs:
            sys.exit("%s: no JSON document" % path)
        mine = [o for d in docs for o in objects(d) if o.get("pid") == pid]
        if pid and not mine:
            sys.exit("%s: no object with pid %d" % (path, pid))
        names = [o["comm"] for o in mine if "comm" in o]
        if names and any(n != want for n in names):
            sys.exit("%s: comm %r, want %r" % (path, names, want))
        print("%s: %d JSON document(s), pid %d in %d object(s), comm %s" %
              (path, len(docs), pid, len(mine), ascii(names[:1])))
        return
    if kind == "csv":
        rows = list(csv.reader(io.StringIO(text)))
        if not [r for r in rows if str(pid) in r]:
            sys.exit("%s: no CSV record with pid %d" % (path, pid))
        print("%s: %d CSV records, pid %d there" % (path, len(rows), pid))
        return
    if str(pid) not in text:
        sys.exit("%s: pid %d not shown" % (path, pid))
    print("%s: %d lines of text, pid %d there" % (path, text.count("\n"), pid))


if __name__ == "__main__":
    if sys.argv[1] == "run":
        run(sys.argv[2])
    else:
        check(sys.argv[2], sys.argv[3], int(sys.argv[4]))
