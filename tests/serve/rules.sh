#!/bin/sh
# The shipped Prometheus files: promtool accepts the rules and the example
# configuration, and the rules' unit tests (tests/serve/rules-test.yml: a
# leak, time to a limit, memory exhaustion, OOM kill, an agent down,
# recording rules across agents) pass.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
need() { command -v "$1" >/dev/null 2>&1 || { echo "SKIP: $1 is not installed"; exit 77; }; }
need promtool
P="$top_srcdir/scripts/prometheus"

promtool check rules "$P/healthtap-rules.yml" >"$TMP/out" 2>&1 || { cat "$TMP/out" >&2; fail "promtool check rules"; }
grep -q 'SUCCESS: 19 rules found' "$TMP/out" || { cat "$TMP/out" >&2; fail "not 19 rules"; }
pass "promtool check rules: $(grep SUCCESS "$TMP/out")"

# check config resolves rule_files from the config's own directory.
promtool check config "$P/prometheus.yml" >"$TMP/out" 2>&1 || { cat "$TMP/out" >&2; fail "promtool check config"; }
pass "promtool check config accepts scripts/prometheus/prometheus.yml"

cp "$top_srcdir/tests/serve/rules-test.yml" "$TMP/"
sed -i "s#\.\./\.\./scripts/prometheus#$P#" "$TMP/rules-test.yml"
promtool test rules "$TMP/rules-test.yml" >"$TMP/out" 2>&1 || { cat "$TMP/out" >&2; fail "promtool test rules"; }
pass "promtool test rules: $(grep -c 'alertname:' "$TMP/rules-test.yml") alert checks and 3 recording checks pass"

# The unit tests can fail: a wrong expectation must be caught.
sed 's/value: 350/value: 351/' "$TMP/rules-test.yml" >"$TMP/bad.yml"
promtool test rules "$TMP/bad.yml" >"$TMP/out" 2>&1 && fail "promtool test rules passed a wrong expectation"
grep -q 'comm="nginx"} 3.5E+02' "$TMP/out" || { cat "$TMP/out" >&2; fail "unexpected failure text"; }
pass "a wrong expectation (350 -> 351) makes promtool test rules fail"
