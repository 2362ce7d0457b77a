#!/usr/bin/env python3
"""Joins a health tapset stream with /proc references, for the runok tests.

Reads the stream on stdin. When a batch of SUBSYS ends it takes a snapshot
of the reference (--ref), so probe and reference cover the same intervals:
the probe's records of batches 2..n against the reference's change from the
end of batch 1 to the end of batch n. Prints one JSON object:
  {"batches": n, "probe": {"<name>[ <labels>]": sum}, "ref": {key: delta},
   "headers": count of header lines, "lines": [...first batch lines]}
References (several: --ref=a,b): ctxt (/proc/stat: ctxt, processes), softirqs (/proc/softirqs, per vector),
interrupts (/proc/interrupts, numbered IRQs), netdev (/proc/net/dev,
<dev>_rx and <dev>_tx packets), tracefs (netdev plus tracefs_frees: the
skb:consume_skb and skb:kfree_skb events of the tracefs instance in
$HEALTHTAP_TRACEFS, and tracefs_allocs: the events of the instance
$HEALTHTAP_TRACEFS-alloc, a guest's kprobe event on __alloc_skb).
With --recorded the references come from the stream itself, as a guest
writes it (tests/stap/guest/ht-snap): before each batch line, "#snap PATH"
then "#| LINE" for each line of PATH, taken when that batch line arrived.
"""
import fnmatch
import glob
import os
import json
import sys

# The files of the last recorded snapshot (--recorded), else None: live.
RECORDED = None


def lines_of(path):
    if RECORDED is not None:
        return RECORDED.get(path, [])
    return open(path).readlines()


def paths(pattern):
    if RECORDED is not None:
        return sorted(p for p in RECORDED if fnmatch.fnmatch(p, pattern))
    return glob.glob(pattern)


def snap_ctxt():
    out = {}
    for line in lines_of("/proc/stat"):
        if line.startswith("ctxt ") or line.startswith("processes "):
            out[line.split()[0]] = int(line.split()[1])
    return out


def snap_softirqs():
    out = {}
    for line in lines_of("/proc/softirqs")[1:]:
        f = line.split()
        out[f[0].rstrip(":")] = sum(int(x) for x in f[1:])
    return out


def snap_interrupts():
    lines = lines_of("/proc/interrupts")
    ncpu = len(lines[0].split())
    out = {}
    for line in lines[1:]:
        f = line.split()
        key = f[0].rstrip(":")
        if key.isdigit():
            out[key] = sum(int(x) for x in f[1:1 + ncpu])
    return out


def snap_netdev():
    out = {}
    for line in lines_of("/proc/net/dev")[2:]:
        dev, rest = line.split(":", 1)
        f = rest.split()
        out[dev.strip() + "_rx"] = int(f[1])
        out[dev.strip() + "_tx"] = int(f[9])
    return out


def snap_tracefs():
    """Events written to the test's tracefs instance, $HEALTHTAP_TRACEFS
    (entries plus overrun of every CPU's buffer; nobody reads it)."""
    n = 0
    for f in paths(os.environ["HEALTHTAP_TRACEFS"] + "/per_cpu/cpu*/stats"):
        for line in lines_of(f):
            k, _, v = line.partition(":")
            if k in ("entries", "overrun"):
                n += int(v)
    out = snap_netdev()
    out["tracefs_frees"] = n
    # a guest's kprobe event on __alloc_skb, in an instance of its own
    n = 0
    for f in paths(os.environ["HEALTHTAP_TRACEFS"] + "-alloc/per_cpu/cpu*/stats"):
        for line in lines_of(f):
            k, _, v = line.partition(":")
            if k in ("entries", "overrun"):
                n += int(v)
    out["tracefs_allocs"] = n
    return out


SNAPS = {"tracefs": snap_tracefs, "ctxt": snap_ctxt, "softirqs": snap_softirqs,
         "interrupts": snap_interrupts, "netdev": snap_netdev, "none": dict}


def main():
    global RECORDED
    args = dict(a.split("=", 1) if "=" in a else (a, "") for a in sys.argv[1:])
    if "--recorded" in args:
        RECORDED = {}
    # --base=N: the reference starts at the end of batch N (default 1)
    base = int(args.get("--base", "1"))
    snapping = None
    sub = args.get("--subsys", "sched")
    fns = [SNAPS[r] for r in args.get("--ref", "none").split(",")]

    def snap():
        out = {}
        for fn in fns:
            out.update(fn())
        return out
    first = last = None
    batches = headers = 0
    probe = {}
    pending = {}
    for line in sys.stdin:
        line = line.rstrip("\n")
        if RECORDED is not None and line.startswith("#snap "):
            snapping = line[6:]
            RECORDED[snapping] = []
            continue
        if RECORDED is not None and line.startswith("#| "):
            RECORDED[snapping].append(line[3:] + "\n")
            continue
        if line.startswith("#healthtap"):
            headers += 1
            continue
        f = line.split(" ", 4)
        if len(f) < 4 or f[1] != sub:
            continue
        if f[2] == "batch":
            batches += 1
            s = snap()
            if batches < base:
                continue
            if first is None:
                first = s
            else:
                for k, v in pending.items():
                    probe[k] = probe.get(k, 0) + v
            last = s
            pending = {}
            continue
        key = f[2] + (" " + f[4] if len(f) > 4 else "")
        try:
            pending[key] = pending.get(key, 0) + int(f[3])
        except ValueError:
            pass
    ref = {}
    if first is not None:
        ref = {k: last[k] - first.get(k, 0) for k in last}
    json.dump({"batches": batches, "headers": headers, "probe": probe,
               "ref": ref}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
