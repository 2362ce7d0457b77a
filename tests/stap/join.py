#!/usr/bin/env python3
"""Joins a health tapset stream with /proc references, for the runok tests.

Reads the stream on stdin. When a batch of SUBSYS ends it takes a snapshot
of the reference (--ref), so probe and reference cover the same intervals:
the probe's records of batches 2..n against the reference's change from the
end of batch 1 to the end of batch n. Prints one JSON object:
  {"batches": n, "probe": {"<name>[ <labels>]": sum}, "ref": {key: delta},
   "headers": count of header lines, "lines": [...first batch lines]}
References (several: --ref=a,b): ctxt (/proc/stat), softirqs (/proc/softirqs, per vector),
interrupts (/proc/interrupts, numbered IRQs), netdev (/proc/net/dev,
<dev>_rx and <dev>_tx packets), tracefs (netdev plus tracefs_frees: the
skb:consume_skb and skb:kfree_skb events of the tracefs instance in
$HEALTHTAP_TRACEFS).
"""
import os
import json
import sys


def snap_ctxt():
    for line in open("/proc/stat"):
        if line.startswith("ctxt "):
            return {"ctxt": int(line.split()[1])}
    return {}


def snap_softirqs():
    out = {}
    for line in open("/proc/softirqs").readlines()[1:]:
        f = line.split()
        out[f[0].rstrip(":")] = sum(int(x) for x in f[1:])
    return out


def snap_interrupts():
    lines = open("/proc/interrupts").readlines()
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
    for line in open("/proc/net/dev").readlines()[2:]:
        dev, rest = line.split(":", 1)
        f = rest.split()
        out[dev.strip() + "_rx"] = int(f[1])
        out[dev.strip() + "_tx"] = int(f[9])
    return out


def snap_tracefs():
    """Events written to the test's tracefs instance, $HEALTHTAP_TRACEFS
    (entries plus overrun of every CPU's buffer; nobody reads it)."""
    import glob
    n = 0
    for f in glob.glob(os.environ["HEALTHTAP_TRACEFS"] + "/per_cpu/cpu*/stats"):
        for line in open(f):
            k, _, v = line.partition(":")
            if k in ("entries", "overrun"):
                n += int(v)
    out = snap_netdev()
    out["tracefs_frees"] = n
    return out


SNAPS = {"tracefs": snap_tracefs, "ctxt": snap_ctxt, "softirqs": snap_softirqs,
         "interrupts": snap_interrupts, "netdev": snap_netdev, "none": dict}


def main():
    args = dict(a.split("=", 1) for a in sys.argv[1:])
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
        if line.startswith("#healthtap"):
            headers += 1
            continue
        f = line.split(" ", 4)
        if len(f) < 4 or f[1] != sub:
            continue
        if f[2] == "batch":
            batches += 1
            s = snap()
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
