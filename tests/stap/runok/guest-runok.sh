#!/bin/bash
# runok on stap's module runtime, in a Debian guest kernel under qemu
# (tests/stap/harness vm): every guest job of this file runs in ONE boot.
# 'probe health.* {}' runs while a known load runs in the guest
# (tests/stap/guest/health-all.sh), and its records are joined with the
# guest's own /proc and tracefs counts taken at each batch line
# (tests/stap/join.py --recorded), over the same batches from the end of
# batch 2 (the snapshot of batch 1 comes late: stapio's first transfer):
#   sched: switches = /proc/stat ctxt within 1%, per-CPU records for every
#          CPU adding up to switches, voluntary + involuntary = switches;
#   irq:   softirqs per vector = /proc/softirqs within 1% (vectors with 200
#          or more), handler calls per IRQ = /proc/interrupts within 1% (or
#          1; the serial port's IRQ 3 at least), each IRQ's name= its
#          /proc/interrupts name;
#   skb:   allocs (kprobe __alloc_skb) = a tracefs kprobe event count within
#          1%, frees = tracefs consume_skb + kfree_skb within 1%, frees =
#          consumed + dropped, drops by reason add up, outstanding moves by
#          allocs - frees, per-device lo rx/tx = /proc/net/dev within 1%;
#   memory: the 64 MiB allocator's proc_rss_anon within 2% of 64 MiB, exits
#          = forks (/proc/stat processes; within 1% or 2), an oom_kill record with the killed memhog's pid and comm.
# Cold (first run in a build tree): about 2-3 minutes more to fetch the
# kernel, boot it once for its System.map and build stap's tracepoint
# queries; cached: the compile (stap's cache) and one boot.
. "${top_srcdir:-.}/tests/lib.sh"
slow_suite guest
require_guest
"$HARNESS" vm prepare || fail "the guest could not be prepared"

JOBS="$TMP/jobs"
mkdir -p "$JOBS/bin"
cp "$HEALTHTAP" "$top_builddir/tests/helpers/switcher" "$top_builddir/tests/helpers/memhog" \
	"$top_srcdir/tests/stap/guest/ht-snap" "$JOBS/bin/"
cp "$top_srcdir/tests/stap/guest/health-all.sh" "$JOBS/10-health-all.sh"
cp "$top_srcdir/tests/stap/guest/healthtap.sh" "$JOBS/20-healthtap.sh"
# The job stops it with SIGINT; the timer only bounds a job gone wrong.
# INTERRUPTIBLE=0: an IRQ arriving in a probe waits for it instead of its
# probe being skipped (slow emulated probes made skips common: counts
# lost); with it stap's statement budget is MAXACTION, not 10 times it.
# MAXTRYLOCK: a probe waits up to 10 ms (not 10 us) for a global another
# CPU's probe holds (an emulated report probe holds them for ms).
"$HARNESS" vm compile "$JOBS" health_all -DINTERRUPTIBLE=0 -DMAXACTION=10000 -DMAXTRYLOCK=1000000 -e 'probe health.* {} probe timer.s(120) { exit() }' ||
	fail "probe health.* did not compile for the guest kernel"

# The guest's output stays in the build tree after the test, to look at.
OUT="$top_builddir/tests/stap/work/guest-runok.out"
"$HARNESS" vm boot "$JOBS" "$OUT" 600 || fail "the guest boot failed"
A="$OUT/10-health-all"
cat "$A/stdout" "$A/stderr"
[ -s "$A/stream" ] || fail "the guest job printed no stream: $(cat "$A/stap.err" 2>/dev/null)"
[ "$(cat "$A/stap.rc" 2>/dev/null)" = 0 ] || fail "staprun exited $(cat "$A/stap.rc" 2>/dev/null): $(cat "$A/stap.err")"
grep -q '^#healthtap v=1 runtime=kernel ' "$A/stream" || fail "no runtime=kernel header"

# the guest job's tracefs instances (tests/stap/guest/health-all.sh)
export HEALTHTAP_TRACEFS=/sys/kernel/tracing/instances/healthtap-skb
for sub in sched irq skb memory; do
	python3 "$top_srcdir/tests/stap/join.py" --recorded --base=2 --subsys=$sub \
		--ref=ctxt,softirqs,interrupts,tracefs <"$A/stream" >"$TMP/$sub.json"
done
cat "$TMP"/*.json

python3 - "$TMP/sched.json" "$A/stream" <<'PY' || fail "sched on the module runtime"
import json, sys
j = json.load(open(sys.argv[1]))
p, r = j["probe"], j["ref"]
assert j["batches"] >= 5, "too few sched batches: %d" % j["batches"]
sw, ctxt = p["switches"], r["ctxt"]
print("sched switches: probe %d, /proc/stat ctxt %d (%.3f%%)" % (sw, ctxt, 100.0 * sw / ctxt))
assert ctxt > 2000, "no switching load seen: ctxt %d" % ctxt
assert abs(sw - ctxt) <= 0.01 * ctxt, "switches and ctxt differ by over 1%"
ncpu = 0
for line in open(sys.argv[2]):
    if line.startswith("#| cpu") and line[6].isdigit():
        ncpu = max(ncpu, int(line.split()[1][3:]) + 1)
percpu = {k: v for k, v in p.items() if k.startswith("switches cpu=")}
print("per CPU: %s (%d CPUs)" % (percpu, ncpu))
assert len(percpu) == ncpu and ncpu >= 2, "per-CPU records for %d of %d CPUs" % (len(percpu), ncpu)
assert sum(percpu.values()) == sw, "per-CPU switches do not add up to switches"
vol, inv = p["switches_voluntary"], p["switches_involuntary"]
print("voluntary %d + involuntary %d = %d" % (vol, inv, vol + inv))
assert vol + inv == sw and vol > 0, "voluntary + involuntary != switches"
PY

python3 - "$TMP/irq.json" "$A/stream" "$A/interrupts" <<'PY' || fail "irq on the module runtime"
import json, sys
j = json.load(open(sys.argv[1]))
p, r = j["probe"], j["ref"]
assert j["batches"] >= 5, "too few irq batches: %d" % j["batches"]
checked = 0
for vec in "HI TIMER NET_TX NET_RX BLOCK IRQ_POLL TASKLET SCHED HRTIMER RCU".split():
    ref = r[vec]
    v = p.get("softirqs vec=" + vec)
    assert v is not None, "no softirqs record for %s" % vec
    print("softirq %-8s probe %7d  /proc/softirqs %7d" % (vec, v, ref))
    if ref >= 200:
        assert abs(v - ref) <= 0.01 * ref, "%s: over 1%% apart" % vec
        checked += 1
assert checked >= 2, "fewer than 2 vectors with 200 softirqs"
# an IRQ has its handler's name in /proc/interrupts only while its device
# is open: the names of every /proc/interrupts snapshot in the stream
names = {}
snap = None
for line in open(sys.argv[3]).readlines()[1:]:
    f = line.split()
    if f and f[0].rstrip(":").isdigit():
        names.setdefault(f[0].rstrip(":"), set()).add(f[-1])
for line in open(sys.argv[2]):
    if line.startswith("#snap "):
        snap = line.split()[1]
        continue
    if snap != "/proc/interrupts" or not line.startswith("#| "):
        continue
    f = line[3:].split()
    if f and f[0].rstrip(":").isdigit():
        names.setdefault(f[0].rstrip(":"), set()).add(f[-1])
checked = 0
for k, v in sorted(p.items()):
    if not k.startswith("handler irq="):
        continue
    labels = dict(x.split("=", 1) for x in k.split()[1:])
    irq = labels["irq"]
    ref = r.get(irq, 0)
    print("irq %s name=%s: probe %d, /proc/interrupts %d (%s)" %
          (irq, labels.get("name"), v, ref, names.get(irq)))
    assert labels.get("name") in names.get(irq, ()), "irq %s: name %s, /proc/interrupts says %s" % (
        irq, labels.get("name"), names.get(irq))
    # quiet at both ends of the window: exact, less one in flight
    assert abs(v - ref) <= max(0.01 * ref, 1), "irq %s: over 1%% apart" % irq
    if ref >= 10:
        checked += 1
assert checked >= 1, "no IRQ with 10 handler calls"
PY

python3 - "$TMP/skb.json" "$A/stream" <<'PY' || fail "skb on the module runtime"
import json, sys
j = json.load(open(sys.argv[1]))
p, r = j["probe"], j["ref"]
assert j["batches"] >= 5, "too few skb batches: %d" % j["batches"]
def near(name, a, b, lo):
    print("%s: probe %d, reference %d" % (name, a, b))
    assert b >= lo, "%s: reference only %d" % (name, b)
    assert abs(a - b) <= 0.01 * b, "%s: over 1%% apart" % name
near("allocs (kprobe) vs tracefs kprobe event", p.get("allocs", 0), r["tracefs_allocs"], 2000)
assert p.get("alloc_approx", 0) == 0, "alloc_approx %d on the module runtime" % p["alloc_approx"]
near("frees vs tracefs consume_skb + kfree_skb", p["frees"], r["tracefs_frees"], 2000)
assert p["frees"] == p["consumed"] + p["dropped"], "frees != consumed + dropped"
reasons = {k: v for k, v in p.items() if k.startswith("drops reason=")}
print("dropped %d, by reason %s" % (p["dropped"], reasons))
assert p["dropped"] > 0 and sum(reasons.values()) == p["dropped"], "drops by reason do not add up"
near("rx_packets dev=lo vs /proc/net/dev", p.get("rx_packets dev=lo", 0), r["lo_rx"], 2000)
near("tx_packets dev=lo vs /proc/net/dev", p.get("tx_packets dev=lo", 0), r["lo_tx"], 2000)
# outstanding is a total since start: from the first batch to the last it
# moves by the allocs less the frees of the batches in between
outs = [int(l.split()[3]) for l in open(sys.argv[2]) if l.split()[1:3] == ["skb", "outstanding"]]
print("outstanding: first %d, last %d" % (outs[0], outs[-1]))
assert outs[-1] - outs[0] == p["allocs"] - p["frees"], "outstanding moved by %d, allocs - frees %d" % (
    outs[-1] - outs[0], p["allocs"] - p["frees"])
PY

hog=$(sed -n 's/^memhog pid=//p' "$A/memhog.out")
oom=$(sed -n 's/^memhog pid=//p' "$A/oomhog.out")
[ -n "$hog" ] && [ -n "$oom" ] || fail "memhog did not run: $(cat "$A/memhog.out" "$A/oomhog.out")"
python3 - "$TMP/memory.json" "$A/stream" "$hog" "$oom" <<'PY' || fail "memory on the module runtime"
import json, sys
j = json.load(open(sys.argv[1]))
p, r = j["probe"], j["ref"]
hog, oom = sys.argv[3], sys.argv[4]
anon = 0
kills = []
for line in open(sys.argv[2]):
    f = line.rstrip("\n").split(" ", 4)
    if len(f) == 5 and f[1] == "memory" and f[2] == "proc_rss_anon" and f[4] == "pid=" + hog:
        anon += int(f[3])
    if len(f) == 5 and f[1] == "memory" and f[2] == "oom_kill":
        kills.append(f[4])
want = 64 << 20
print("memhog %s: proc_rss_anon %d, want %d (%.2f%%)" % (hog, anon, want, 100.0 * anon / want))
assert abs(anon - want) <= 0.02 * want, "RSS growth not 64 MiB within 2%"
# every process forked in the window exited in it (the load ends in quiet
# batches): a process crossing a batch edge is off by one
print("exits %d, /proc/stat processes (forks) %d" % (p["exits"], r["processes"]))
assert r["processes"] >= 50, "too few forks seen"
assert abs(p["exits"] - r["processes"]) <= max(0.01 * r["processes"], 2), "exits and forks differ"
print("oom_kill records: %s" % kills)
assert ("pid=%s comm=memhog" % oom) in kills, "no oom_kill of memhog %s" % oom
PY
pass "sched, irq, skb and memory on the module runtime agree with the guest's /proc"

# The stream parser takes every line of the recorded stream (its #snap
# lines are comments).
"$HEALTHTAP" stream --json -f "$A/stream" | tail -n 1 | python3 -c '
import json, sys
s = json.loads(sys.stdin.read())
print("host parser: %d records, %d bad lines" % (s["records"], s["bad_lines"]))
assert s["records"] > 500 and s["bad_lines"] == 0, s
' || fail "the parser rejects the module runtime stream"

# The frontend inside the guest (tests/stap/guest/healthtap.sh).
H="$OUT/20-healthtap"
cat "$H/stdout" "$H/stderr"
[ "$(cat "$H/rc")" = 0 ] || fail "the healthtap guest job exited $(cat "$H/rc")"
tail -n 1 "$H/stream.json" | python3 -c '
import json, sys
s = json.loads(sys.stdin.read())
print("guest stream: %d intervals, %d records, %d bad lines, probe %d, /proc %d, coverage %s%%" %
      (s["intervals"], s["records"], s["bad_lines"], s["probe_switches"], s["proc_ctxt_delta"],
       s["coverage_pct"]))
assert s["summary"] and s["bad_lines"] == 0 and s["intervals"] >= 4, s
assert 95.0 <= s["coverage_pct"] <= 105.0, "coverage over 5% off"
' || fail "healthtap stream in the guest: $(cat "$H/stream.err")"
grep -q ' sched batch [0-9]*$' "$H/procfs.txt" ||
	fail "procfs(\"health\") served no sched batch: $(cat "$H/procfs.txt" "$H/procfs.err")"
pass "healthtap stream reads the module runtime's stdout; procfs serves the latest batches"

grep -q '^record rc=0$' "$H/stdout" || fail "record exited non-zero: $(cat "$H/record.err")"
sql() { sqlite3 "$H/h.db" "$1"; }
n=$(sql "SELECT count(*) FROM series s JOIN sys_samples x ON x.series_id = s.id
	WHERE s.name = 'probe.sched.switches' AND s.labels = ''")
echo "record: $n probe.sched.switches samples"
[ "$n" -ge 6 ] || fail "record stored $n sched batches: $(cat "$H/record.err")"
sql "SELECT text FROM events WHERE kind = 'stap'"
[ "$(sql "SELECT count(*) FROM events WHERE kind = 'stap' AND text LIKE 'started pid %'")" -ge 2 ] ||
	fail "the recorder did not start the module again after it was killed"
[ "$(sql "SELECT count(*) FROM events WHERE kind = 'stap' AND text LIKE 'stap pid % restarting in %'")" -ge 1 ] ||
	fail "the module's death is not in the DB"
[ "$(sql "SELECT count(*) FROM series WHERE name LIKE 'probe.skb.%'")" -ge 1 ] ||
	fail "no skb probe series"
grep -q '^leaks rc=[01]$' "$H/stdout" && [ -s "$H/leaks.out" ] ||
	fail "healthtap leaks on the guest's DB: $(cat "$H/leaks.out" "$H/leaks.err")"
head -n 5 "$H/leaks.out"
pass "record --stap on in the guest: batches stored, the killed module restarted, leaks reads the DB"
