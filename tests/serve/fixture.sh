#!/bin/sh
# healthtap serve renders a fixture /proc tree (tests/serve/fixtures/host:
# the vm618 system files plus real processes, one of them named
# q"u\o<0xff><newline>x in a cgroup named /system.slice/we"ird\svc.service).
# /metrics in both formats is compared with golden files (time-dependent
# families filtered out); the JSON snapshot is checked field by field.
# HEALTHTAP_REGEN_GOLDEN=1 rewrites tests/serve/golden/ (review the diff).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/serve/serve-lib.sh"

FIX=$(fixture "$top_srcdir/tests/serve/fixtures/host")
GOLD="$top_srcdir/tests/serve/golden"
need curl
need python3

start_agent fx --root "$FIX" --interval 100ms --top 100
url="http://127.0.0.1:$fx_port"

# Five samples: rates and trends are settled (the fixture never changes).
samples_ge() {
	curl -sf "$url/metrics" >"$TMP/m" && v=$(metric_value "$TMP/m" healthtap_samples_total) &&
		[ "$v" -ge "$1" ]
}
wait_for samples_ge 5 || fail "no 5 samples in 30 s"

# Families whose values depend on time or on this run.
VOLATILE='^(# (HELP|TYPE) )?(healthtap_build_info|healthtap_samples|healthtap_sample_interval_seconds|healthtap_last_sample_timestamp_seconds|healthtap_sample_duration_seconds|healthtap_last_sample_duration_seconds|healthtap_scrape_duration_seconds|healthtap_process_observed_seconds|process_cpu_seconds|process_start_time_seconds|process_resident_memory_bytes|healthtap_http_requests|healthtap_scrapes)[_{ ]'
curl -sf "$url/metrics" >"$TMP/text"
curl -sf -H 'Accept: application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5' \
	-D "$TMP/om.h" "$url/metrics" >"$TMP/om"
grep -Ev "$VOLATILE" "$TMP/text" >"$TMP/text.f"
grep -Ev "$VOLATILE" "$TMP/om" >"$TMP/om.f"
if [ "${HEALTHTAP_REGEN_GOLDEN:-0}" = 1 ]; then
	cp "$TMP/text.f" "$GOLD/metrics.txt"
	cp "$TMP/om.f" "$GOLD/metrics.om"
fi
diff -u "$GOLD/metrics.txt" "$TMP/text.f" || fail "text format differs from golden/metrics.txt"
pass "text format matches golden ($(wc -l <"$TMP/text.f") lines)"
diff -u "$GOLD/metrics.om" "$TMP/om.f" || fail "OpenMetrics differs from golden/metrics.om"
grep -qi '^content-type: application/openmetrics-text; version=1.0.0' "$TMP/om.h" ||
	fail "OpenMetrics content type: $(grep -i content-type "$TMP/om.h")"
[ "$(tail -n 1 "$TMP/om")" = "# EOF" ] || fail "OpenMetrics does not end with # EOF"
pass "OpenMetrics matches golden and ends with # EOF"

# Counters against the fixture's own files.
for vec in TIMER NET_RX RCU; do
	want=$(awk -v v="$vec:" '$1 == v { s = 0; for (i = 2; i <= NF; i++) s += $i; print s }' "$FIX/proc/softirqs")
	got=$(metric_value "$TMP/text" "healthtap_softirq_vector_total{vector=\"$vec\"}")
	[ "$got" = "$want" ] || fail "softirq $vec: $got, /proc/softirqs sums to $want"
done
want=$(awk '$1 == "processes" { print $2 }' "$FIX/proc/stat")
[ "$(metric_value "$TMP/text" healthtap_forks_total)" = "$want" ] || fail "forks_total != processes $want"
want=$(awk '$1 == "ctxt" { print $2 }' "$FIX/proc/stat")
[ "$(metric_value "$TMP/text" healthtap_context_switches_total)" = "$want" ] || fail "ctxt"
pass "softirq per-vector totals, forks and ctxt equal the fixture's /proc/softirqs and /proc/stat"

# The escaped label values, byte for byte.
grep -F 'healthtap_process_resident_bytes{pid="7777",comm="q\"u\\o'"$(printf '\357\277\275')"'\nx",cgroup="/system.slice/we\"ird\\svc.service"} 1789952' \
	"$TMP/text" >/dev/null || fail "escaped comm/cgroup labels not found"
pass "label values escaped (quote, backslash, newline; invalid UTF-8 as U+FFFD)"

if command -v promtool >/dev/null 2>&1; then
	promtool check metrics <"$TMP/text" || fail "promtool check metrics rejects /metrics"
	pass "promtool check metrics accepts the text format"
fi

# --top bounds the per-process series: with 3, three largest by RSS (risk
# is 0 for all in warm-up) and healthtap_processes_exported 3.
start_agent top3 --root "$FIX" --interval 100ms --top 3
wait_for curl -sf "http://127.0.0.1:$top3_port/healthz" || fail "top3 not healthy"
curl -sf "http://127.0.0.1:$top3_port/metrics" >"$TMP/top3"
got=$(grep -c '^healthtap_process_resident_bytes{' "$TMP/top3")
[ "$got" -eq 3 ] || fail "--top 3 exported $got processes"
pids=$(sed -n 's/^healthtap_process_resident_bytes{pid="\([0-9]*\)".*/\1/p' "$TMP/top3" | tr '\n' ' ')
[ "$pids" = "1 6818 6123 " ] || fail "--top 3 picked pids '$pids', want '1 6818 6123 '"
[ "$(metric_value "$TMP/top3" healthtap_processes_exported)" = 3 ] || fail "processes_exported"
pass "--top 3 exports exactly pids 1 6818 6123 (largest RSS)"

curl -sf "$url/api/v1/snapshot" >"$TMP/snap.json"
python3 - "$TMP/snap.json" "$FIX" <<'PY' || fail "snapshot JSON"
import json, sys
snap = json.load(open(sys.argv[1]))
fix = sys.argv[2]
mem = {}
for line in open(fix + "/proc/meminfo"):
    k, v = line.split(":")
    mem[k] = int(v.split()[0]) * 1024
stat = {l.split()[0]: l.split() for l in open(fix + "/proc/stat")}
s = snap["system"]
def eq(what, got, want):
    if got != want:
        sys.exit(f"{what}: got {got!r}, want {want!r}")
eq("memory.total", s["memory"]["total"], mem["MemTotal"])
eq("memory.available", s["memory"]["available"], mem["MemAvailable"])
eq("ctxt_total", s["ctxt_total"], int(stat["ctxt"][1]))
eq("ctxt_per_s", s["ctxt_per_s"], 0)
eq("ncpus", s["ncpus"], 2)
eq("missing", s["missing"], [])
eq("processes_total", snap["processes_total"], 8)
eq("mode", snap["mode"], "live")
procs = {p["pid"]: p for p in snap["processes"]}
eq("pids", sorted(procs), [1, 2, 6123, 6232, 6236, 6818, 7088, 7777])
p = procs[7777]
eq("comm", p["comm"], 'q"u\\o\ufffd\nx')
eq("cgroup", p["cgroup"], '/system.slice/we"ird\\svc.service')
eq("rss", p["rss"], 437 * 4096)
eq("risk", p["risk"], 0)
eq("eta_s", p["eta_s"], None)
eq("cmdline 6818 length", len(procs[6818]["cmdline"]) > 4000, True)
eq("probes.active", snap["probes"]["active"], False)
print("ok: snapshot JSON: memory, ctxt, 8 processes, escaped comm and cgroup")
PY

# A sample that runs long (a busy host; here meminfo is a FIFO written for
# the first sample only, so the next one waits in its read): /healthz stays
# 200 and says the next sample is running, instead of 503 past 3 intervals
# + 5 s as for a sampler that stopped.
HANG="$TMP/hang"
cp -R "$FIX" "$HANG" || fail "cannot copy $FIX"
rm "$HANG/proc/meminfo"
mkfifo "$HANG/proc/meminfo"
cat "$FIX/proc/meminfo" >"$HANG/proc/meminfo" &
start_agent hang --root "$HANG" --interval 200ms
hurl="http://127.0.0.1:$hang_port"
health() { curl -s --max-time 5 -w '%{http_code}' "$hurl/healthz" | tr '\n' ' '; }
running() { health | grep -q '^ok: latest sample is .* s old; the next has run .* s (a busy host) 200$'; }
# lets the waiting read go on, and every later one find a file (serve
# cannot stop while a read waits)
unhang() {
	exec 3>"$HANG/proc/meminfo"
	rm "$HANG/proc/meminfo"
	cp "$FIX/proc/meminfo" "$HANG/proc/meminfo"
	cat "$FIX/proc/meminfo" >&3
	exec 3>&-
}
wait_for running || { msg=$(health); unhang; fail "/healthz while a sample runs long: $msg"; }
msg=$(health)
unhang
back() { [ "$(health)" = "ok 200" ]; }
wait_for back || fail "/healthz after the long sample: $(health)"
pass "a sample running long: /healthz 200 ($msg), then ok"
