#!/bin/bash
# semok: each tests/stap/semok/*.stp (first line '#! stap -p2') passes
# stap's pass 2 (elaboration) for the module runtime and for --runtime=bpf,
# and resolves every health.* alias it names (checked in the listing of
# resolved probes). Then the event aliases alone: a script that uses only
# health.SUBSYS.* resolves no timer, begin or procfs probe of the tapset
# (the counting, header and reporter live in the report files). And
# health.* leaves health.alloc.sites out (no uprobe).
. "${top_srcdir:-.}/tests/lib.sh"
require_stap
cd "$TMP"
for f in "$top_srcdir"/tests/stap/semok/*.stp; do
	head -n 1 "$f" | grep -q '^#! stap -p2$' || fail "$f: no '#! stap -p2' first line"
	"$HARNESS" compile -p2 "$f" >"$TMP/mod.out" 2>"$TMP/mod.err" ||
		{ cat "$TMP/mod.err" >&2; fail "module runtime, stap -p2 $(basename "$f")"; }
	"$HARNESS" run -p2 "$f" >"$TMP/bpf.out" 2>"$TMP/bpf.err" ||
		{ cat "$TMP/bpf.err" >&2; fail "bpf runtime, stap -p2 $(basename "$f")"; }
	for a in $(grep -o 'health\.[a-z_.]*[a-z_]' "$f" | sort -u); do
		grep -q "<- $a\b" "$TMP/mod.out" || fail "$(basename "$f"): $a not resolved (module)"
		grep -q "<- $a\b" "$TMP/bpf.out" || fail "$(basename "$f"): $a not resolved (bpf)"
	done
	echo "ok $(basename "$f"): pass 2, both runtimes"
done

# The tapset's own probes in a pass 2 listing (stap's init probe aside).
tapset_probes() {
	grep -E '^(timer|begin|end|procfs)' "$1" | grep -v '<- init = begin' || true
}
for sub in sched memory irq softirq skb; do
	script="probe health.$sub.* { if (pid() < 0) println(name) }"
	"$HARNESS" compile -p2 -e "$script" >"$TMP/mod.out" 2>"$TMP/mod.err" ||
		{ cat "$TMP/mod.err" >&2; fail "module runtime, stap -p2 health.$sub.*"; }
	"$HARNESS" run -p2 -e "$script" >"$TMP/bpf.out" 2>"$TMP/bpf.err" ||
		{ cat "$TMP/bpf.err" >&2; fail "bpf runtime, stap -p2 health.$sub.*"; }
	for rt in mod bpf; do
		grep -q "<- health\.$sub\." "$TMP/$rt.out" || fail "health.$sub.* resolved nothing ($rt)"
		extra=$(tapset_probes "$TMP/$rt.out")
		[ -z "$extra" ] || { echo "$extra" >&2; fail "health.$sub.* alone starts tapset probes ($rt)"; }
	done
	echo "ok health.$sub.* alone: no timer, header or reporter"
done

# health.* is every subsystem but alloc: alloc's uprobes on libc trap every
# process on the host, so health.alloc.sites is named, never wildcarded.
"$HARNESS" run -p2 -e 'probe health.* {}' >"$TMP/all.out" 2>"$TMP/all.err" ||
	{ cat "$TMP/all.err" >&2; fail "bpf runtime, stap -p2 health.*"; }
! grep -q '^process(' "$TMP/all.out" || fail "health.* resolves uprobes (alloc pulled in)"
grep -q '<- health\.memory' "$TMP/all.out" || fail "health.* resolved no health.memory"
echo "ok health.*: no uprobe, no alloc"
pass "semok scripts resolve for both runtimes; event aliases stand alone; health.* leaves alloc out"
