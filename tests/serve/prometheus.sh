#!/bin/sh
# A real Prometheus (Debian's) on loopback scrapes two healthtap agents on
# two ports every second, with the shipped rules loaded. PromQL over its
# HTTP API must return the agents' series, and sum by (comm) across both
# must equal what the agents report themselves.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/serve/serve-lib.sh"
need prometheus
need curl
need python3

# Two processes of our own with a unique, stable name and RSS.
name="htsrv$$"
name=$(printf '%.15s' "$name")
cp "$(command -v sleep)" "$TMP/$name"
"$TMP/$name" 120 &
track $!
"$TMP/$name" 120 &
track $!

start_agent a --interval 1s --top 1000
start_agent b --interval 1s --top 1000

cat >"$TMP/prometheus.yml" <<Y
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - $top_srcdir/scripts/prometheus/healthtap-rules.yml
scrape_configs:
  - job_name: healthtap
    scrape_interval: 1s
    scrape_timeout: 1s
    static_configs:
      - targets: ['127.0.0.1:$a_port', '127.0.0.1:$b_port']
Y
# Prometheus cannot take port 0: pick a free random port, retry on a clash.
for try in 1 2 3 4 5; do
	pport=$(free_port)
	prometheus --config.file="$TMP/prometheus.yml" --storage.tsdb.path="$TMP/data" \
		--web.listen-address="127.0.0.1:$pport" --storage.tsdb.retention.time=1h \
		--log.level=warn >"$TMP/prom.log" 2>&1 &
	prom=$!
	track "$prom"
	if wait_for curl -sf "http://127.0.0.1:$pport/-/ready"; then
		break
	fi
	kill "$prom" 2>/dev/null || true
	grep -q 'address already in use' "$TMP/prom.log" || { cat "$TMP/prom.log" >&2; fail "prometheus did not start"; }
done
api="http://127.0.0.1:$pport/api/v1"
pass "prometheus $(prometheus --version 2>&1 | sed -n '1s/prometheus, version \([^ ]*\).*/\1/p') ready on 127.0.0.1:$pport, agents on $a_port and $b_port"

# query PROMQL: the JSON result of an instant query.
query() { curl -sf --data-urlencode "query=$1" "$api/query"; }

# Both targets up, with OpenMetrics parsed (a full scrape of samples).
both_up() { [ "$(query 'sum(up{job="healthtap"})' | python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else 0)')" = 2 ]; }
wait_for both_up || { query 'up' >&2; fail "both agents not up in 30 s"; }
pass "up{job=\"healthtap\"} is 1 for both agents"

memtotal=$(($(awk '/^MemTotal:/ { print $2 }' /proc/meminfo) * 1024))
query 'healthtap_memory_total_bytes' >"$TMP/q1"
python3 - "$TMP/q1" "$memtotal" "$a_port" "$b_port" <<'PY' || fail "healthtap_memory_total_bytes"
import json, sys
r = json.load(open(sys.argv[1]))["data"]["result"]
inst = sorted(x["metric"]["instance"] for x in r)
want = sorted("127.0.0.1:" + p for p in sys.argv[3:5])
assert inst == want, (inst, want)
assert all(x["value"][1] == sys.argv[2] for x in r), r
print("ok: healthtap_memory_total_bytes = %s for %s" % (sys.argv[2], ", ".join(inst)))
PY

query 'scrape_samples_scraped{job="healthtap"}' | python3 -c '
import json, sys
r = json.load(sys.stdin)["data"]["result"]
n = [int(float(x["value"][1])) for x in r]
assert len(n) == 2 and min(n) > 300, n
print("ok: scrape_samples_scraped %s" % n)' || fail "scrape_samples_scraped"

# Counters went through as counters: rate() over them is a number.
has_rate() { query 'rate(healthtap_context_switches_total[5s])' | python3 -c '
import json, sys
r = json.load(sys.stdin)["data"]["result"]
sys.exit(not (len(r) == 2 and all(float(x["value"][1]) > 0 for x in r)))'; }
wait_for has_rate || fail "rate(healthtap_context_switches_total) not > 0 for both"
pass "rate(healthtap_context_switches_total[5s]) > 0 on both agents"

# sum by (comm) across both agents against the agents' own figures. The
# two processes sleep: their RSS does not move while we compare.
agents_sum() {
	for port in $a_port $b_port; do
		curl -sf "http://127.0.0.1:$port/api/v1/snapshot"
		echo
	done | python3 -c '
import json, sys
total = n = 0
for line in sys.stdin:
    if line.strip():
        for p in json.loads(line)["processes"]:
            if p["comm"] == sys.argv[1]:
                total += p["rss"]
                n += 1
print(total, n)' "$name"
}
prom_sum() {
	query "sum by (comm) (healthtap_process_resident_bytes{comm=\"$name\"})" | python3 -c '
import json, sys
r = json.load(sys.stdin)["data"]["result"]
print(r[0]["value"][1] if len(r) == 1 and r[0]["metric"] == {"comm": sys.argv[1]} else "none")' "$name"
}
same_sum() {
	set -- $(agents_sum)
	agent_total=$1 agent_n=$2
	prom_total=$(prom_sum)
	[ "$agent_n" = 4 ] && [ "$prom_total" = "$agent_total" ]
}
wait_for same_sum || fail "sum by (comm): prometheus '$prom_total', agents $agent_total over $agent_n series"
pass "sum by (comm) (healthtap_process_resident_bytes{comm=\"$name\"}) = $prom_total = the agents' own sum over 2 agents x 2 processes"

# The recording rule from the shipped file gives the same.
rec_ok() { [ "$(query "comm:healthtap_process_resident_bytes:sum{comm=\"$name\"}" | python3 -c '
import json, sys
r = json.load(sys.stdin)["data"]["result"]
print(r[0]["value"][1] if r else "none")')" = "$agent_total" ]; }
wait_for rec_ok || fail "recording rule comm:healthtap_process_resident_bytes:sum"
pass "recording rule comm:healthtap_process_resident_bytes:sum = $agent_total"

# Labels survive the trip: pid and cgroup of our two processes.
query "healthtap_process_resident_bytes{comm=\"$name\"}" | python3 -c '
import json, sys
r = json.load(sys.stdin)["data"]["result"]
keys = {tuple(sorted(x["metric"])) for x in r}
assert keys == {("__name__", "cgroup", "comm", "instance", "job", "pid")}, keys
print("ok: %d series labelled %s" % (len(r), ", ".join(sorted(r[0]["metric"]))))' || fail "labels"

# The rules loaded and evaluated without error.
curl -sf "$api/rules" | python3 -c '
import json, sys
g = json.load(sys.stdin)["data"]["groups"]
rules = [r for x in g for r in x["rules"]]
bad = [(r["name"], r.get("lastError")) for r in rules if r.get("health") != "ok"]
assert len(rules) == 19 and not bad, (len(rules), bad)
print("ok: 19 rules loaded, all healthy")' || fail "rules not healthy"

# An alert that must fire here: none of the leak alerts (nothing leaks for
# 30 min), and HealthtapAgentDown pending once an agent goes away.
kill "$b_pid"
down() { curl -sf "$api/alerts" | python3 -c '
import json, sys
a = json.load(sys.stdin)["data"]["alerts"]
sys.exit(not any(x["labels"]["alertname"] == "HealthtapAgentDown" and x["state"] == "pending" for x in a))'; }
wait_for down || fail "HealthtapAgentDown not pending after an agent stopped"
pass "agent b stopped: HealthtapAgentDown pending"

# Prometheus asked for OpenMetrics, and got it (the agent counts formats).
curl -sf "http://127.0.0.1:$a_port/metrics" >"$TMP/am"
om=$(metric_value "$TMP/am" 'healthtap_scrapes_total{format="openmetrics"}')
[ "$om" -ge 3 ] || fail "agent a served $om OpenMetrics scrapes"
pass "agent a answered Prometheus's $om scrapes in OpenMetrics"
