#!/bin/bash
# healthtap top --hosts against two `healthtap serve` on the fixture root
# and one address where nothing listens: per-host rows, per-command sums
# across hosts (batch text and JSON), and the screen in tmux.
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/top/tmux-lib.sh"
FIX="$top_srcdir/tests/fixtures/top"
SERVES=()
trap 'tm kill-server 2>/dev/null; [ "${#SERVES[@]}" -gt 0 ] && kill "${SERVES[@]}" 2>/dev/null; rm -rf "$TMP"' EXIT

for i in 1 2; do
	"$HEALTHTAP" serve --listen 127.0.0.1:0 -i 200ms --root "$FIX" >"$TMP/serve$i.log" 2>&1 &
	SERVES+=($!)
done
addr() {
	local i=0 a
	while [ "$i" -lt 100 ]; do
		a=$(sed -n 's|.*listening on http://\(127\.0\.0\.1:[0-9]*\)/.*|\1|p' "$TMP/serve$1.log")
		[ -n "$a" ] && { echo "$a"; return 0; }
		sleep 0.1
		i=$((i + 1))
	done
	cat "$TMP/serve$1.log" >&2
	fail "serve $1 did not start"
}
A=$(addr 1)
B=$(addr 2)
# a port nobody listens on: bind one, then let it go
DOWN=127.0.0.1:$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# each serve needs 3 samples for growth rates (a busy machine may take long)
samples() {	# samples ADDR: healthtap_samples_total of that serve
	curl -sf "http://$1/metrics" | awk '$1 == "healthtap_samples_total" { print $2 }'
}
for a in "$A" "$B"; do
	i=0
	until [ "$(samples "$a" || echo 0)" -ge 3 ] 2>/dev/null; do
		i=$((i + 1))
		[ "$i" -lt 300 ] || fail "serve $a took no 3 samples in 30 s"
		sleep 0.1
	done
done

expect_exit 0 "$HEALTHTAP" top --hosts "$A,$B,$DOWN" --json -n 1 --clock-label fixed
python3 - "$TMP/out" "$FIX" "$A" "$B" "$DOWN" <<'PY' || fail "json across hosts"
import json, sys
d = json.loads(open(sys.argv[1]).read())
fix, a, b, down = sys.argv[2:6]
assert d["time"] == "fixed" and d["frame"] == 1
hosts = d["hosts"]
assert [h["address"] for h in hosts] == [a, b, down], hosts
assert hosts[0]["ok"] and hosts[1]["ok"] and not hosts[2]["ok"]
assert hosts[2]["error"] == "Connection refused", hosts[2]
meminfo = dict((l.split(":")[0], int(l.split()[1]) * 1024) for l in open(fix + "/proc/meminfo") if l.split()[-1] == "kB")
for h in hosts[:2]:
    assert h["mem_total_bytes"] == meminfo["MemTotal"] and h["mem_available_bytes"] == meminfo["MemAvailable"], h
    assert h["processes_total"] == 7 and h["processes_listed"] == 7, h
cmds = {c["comm"]: c for c in d["commands"]}
assert len(cmds) == 7, sorted(cmds)
statm = [int(x) for x in open(fix + "/proc/1/statm").read().split()]
pa = cmds["process_api"]
assert pa["hosts"] == 2 and pa["processes"] == 2, pa
assert pa["rss_bytes"] == 2 * statm[1] * 4096, (pa["rss_bytes"], statm)
assert pa["anon_bytes"] == 2 * (statm[1] - statm[2]) * 4096
assert pa["growth_bytes_per_s"] == 0, pa
assert pa["on"] == "%s, %s" % (a, b), pa["on"]
assert d["commands"][0]["comm"] == "process_api"   # sorted by RSS
assert cmds["kthreadd"]["rss_bytes"] == 0 and cmds["kthreadd"]["growth_bytes_per_s"] is None
PY
pass "json: per-host rows and per-command sums"

expect_exit 0 "$HEALTHTAP" top --hosts "$A,$B,$DOWN" -b -n 2 -i 300ms -s command --clock-label fixed
[ "$(grep -c '^healthtap top --hosts - fixed - frame [12] - 3 hosts, 2 answering$' "$TMP/out")" -eq 2 ] || fail "two text frames"
grep -Eq "^${DOWN//./\\.} +- +down: Connection refused$" "$TMP/out" || fail "down host row"
grep -Eq "^${A//./\\.} +vm +7 +541M +23G +0B/s +- +0\\.0/s$" "$TMP/out" || fail "host row"
grep -Eq '^bash +2 +2 +6\.0M +592K +0B/s +0\.00 +never  ' "$TMP/out" || fail "bash summed over two hosts"
[ "$(sed -n '/^COMMAND/,/^$/p' "$TMP/out" | sed -n 2p | awk '{print $1}')" = "(sd-pam)" ] || fail "sorted by command"
pass "batch text across hosts"

expect_exit 1 "$HEALTHTAP" top --hosts "$DOWN" -b -n 1
grep -q "no host answered" "$TMP/err" || fail "all hosts down"
expect_exit 2 "$HEALTHTAP" top --hosts "$A,,$B" -b -n 1
grep -q "bad host '' in --hosts" "$TMP/err" || fail "empty host entry"
pass "errors"

# The screen: hosts on top, commands below; N sorts by name; q restores.
start_pane 100 30
save_stty
keys "$HEALTHTAP top --hosts $A,$B,$DOWN -i 300ms --clock-label fixed" Enter
wait_for '^healthtap top --hosts fixed  3 hosts, 2 answering  sort rss v$'
wait_for "^${A//./\\.} +vm +7 +541M"
has "^${DOWN//./\\.} +- +down: Connection refused" "down host on screen"
wait_for '^process_api +2 +2 +19M +8\.0M'
keys N
wait_for 'sort command \^$'
[ "$(grep -A1 '^COMMAND' "$TMP/pane" | tail -n 1 | awk '{print $1}')" = "(sd-pam)" ] || fail "screen sorted by name"
tm resize-window -t t -x 80 -y 24
wait_for '^healthtap top --hosts fixed'
[ "$(max_width)" -le 80 ] || fail "line wider than 80"
# the whole host row fits in 80 columns, down to context switches
wait_for "^${A//./\\.} +vm +7 +541M +23G +0B/s +- +0\\.0/s$"
keys q
check_restored
pass "hosts screen"
