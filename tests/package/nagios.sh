#!/bin/bash
# A real Nagios (Debian's nagios4) runs check_leak with the command
# definitions healthtap ships (docs/nagios/healthtap.cfg): a service on a
# leaking process, checked every 3 s. Nagios's status.dat shows the
# service go OK (too young to judge), then WARNING, then CRITICAL as the
# process nears its limit, with check_leak's perfdata intact. Nagios runs
# from a configuration this test writes in its temp dir, in the
# foreground, and is stopped at the end. A slow suite (tests/lib.sh).
. "${top_srcdir:-.}/tests/leaks/lib-leaks.sh"
slow_suite package
NAGIOS=${NAGIOS:-/usr/sbin/nagios4}
if [ ! -x "$NAGIOS" ]; then
	[ "${HEALTHTAP_REQUIRE_STAP:-0}" != 1 ] ||
		fail "no $NAGIOS (scripts/install-deps installs nagios4-core)"
	echo "SKIP: no $NAGIOS (scripts/install-deps installs nagios4-core)"
	exit 77
fi

D="$TMP/nagios"
mkdir -p "$D/checkresults" "$D/state"
ln -s "$HEALTHTAP" "$D/check_leak"
# The leaker under a name of its own: check_leak -C judges every process
# of that name, and other tests run leakers too.
name="htnag$$"
cp "$LEAKER" "$D/$name"
LEAKER="$D/$name"
# 2 MiB/s against 400 MiB: judged after --min-age (60 s) with ~130 s left
# (WARNING under 0.05 h = 180 s), CRITICAL under 0.02 h = 72 s left,
# about a minute later.
HT_LEAKER_LIFE=400 "$LEAKER" steady 2097152 &
LEAKER_PIDS="$LEAKER_PIDS $!"
leak_pid=$!

# The shipped definitions, with the plugin where this test has it and its
# state (monitoring-plugins' MP_STATE_PATH) in the temp dir.
sed "s|/usr/lib/nagios/plugins/check_leak|/usr/bin/env MP_STATE_PATH=$D/state $D/check_leak|" \
	"$top_srcdir/docs/nagios/healthtap.cfg" >"$D/healthtap.cfg"
grep -q "command_name    check_leak_command" "$D/healthtap.cfg" || fail "no check_leak_command in the shipped file"
cat >"$D/objects.cfg" <<EOF
define timeperiod {
    timeperiod_name always
    alias           always
    sunday          00:00-24:00
    monday          00:00-24:00
    tuesday         00:00-24:00
    wednesday       00:00-24:00
    thursday        00:00-24:00
    friday          00:00-24:00
    saturday        00:00-24:00
}
define command {
    command_name    nothing
    command_line    /bin/true
}
define contact {
    contact_name                    nobody
    host_notifications_enabled      0
    service_notifications_enabled   0
    host_notification_period        always
    service_notification_period     always
    host_notification_options       n
    service_notification_options    n
    host_notification_commands      nothing
    service_notification_commands   nothing
}
define host {
    host_name               localhost
    address                 127.0.0.1
    check_command           nothing
    active_checks_enabled   0
    max_check_attempts      1
    check_period            always
    contacts                nobody
    notification_period     always
}
define service {
    host_name               localhost
    service_description     memory leak
    check_command           check_leak_command!$name!400!0.05!0.02
    max_check_attempts      1
    check_interval          3
    retry_interval          3
    check_period            always
    contacts                nobody
    notification_period     always
    notifications_enabled   0
}
EOF
cat >"$D/nagios.cfg" <<EOF
log_file=$D/nagios.log
cfg_file=$D/healthtap.cfg
cfg_file=$D/objects.cfg
object_cache_file=$D/objects.cache
precached_object_file=$D/objects.precache
status_file=$D/status.dat
status_update_interval=1
nagios_user=$(id -un)
nagios_group=$(id -gn)
check_external_commands=0
command_file=$D/nagios.cmd
lock_file=$D/nagios.lock
temp_file=$D/nagios.tmp
temp_path=$D
check_result_path=$D/checkresults
retain_state_information=0
state_retention_file=$D/retention.dat
interval_length=1
check_result_reaper_frequency=1
service_inter_check_delay_method=n
service_check_timeout=30
enable_notifications=0
enable_flap_detection=0
enable_event_handlers=0
process_performance_data=0
use_syslog=0
log_rotation_method=n
EOF
"$NAGIOS" -v "$D/nagios.cfg" >"$TMP/verify" 2>&1 || { cat "$TMP/verify" >&2; fail "nagios4 -v rejects the config"; }
grep -q 'Total Errors: *0' "$TMP/verify" || { cat "$TMP/verify" >&2; fail "nagios4 -v: errors"; }
pass "nagios4 -v accepts the shipped command definitions and a check_leak service"

"$NAGIOS" "$D/nagios.cfg" >"$TMP/nagios.out" 2>&1 &
nagios_pid=$!
stop_nagios() { kill "$nagios_pid" 2>/dev/null || true; wait "$nagios_pid" 2>/dev/null || true; }
trap 'stop_nagios; cleanup_leakers' EXIT

# service FIELD: the service's FIELD in status.dat (empty before Nagios
# has written one).
service() {
	awk -v f="$1" '
		/^servicestatus \{/ { in_s = 1; desc = ""; delete v; next }
		in_s && /^\t*\}/ { if (desc == "memory leak") { print v[f]; exit } in_s = 0; next }
		in_s { line = $0; sub(/^\t+/, "", line); k = line; sub(/=.*/, "", k); val = line; sub(/^[^=]*=/, "", val)
		       v[k] = val; if (k == "service_description") desc = val }' "$D/status.dat" 2>/dev/null || true
}

# Every new check result, until CRITICAL (bounded: the leaker reaches the
# limit in ~200 s; 360 s is the most this waits).
: >"$TMP/results"
last=""
for _ in $(seq 360); do
	kill -0 "$nagios_pid" 2>/dev/null || { cat "$TMP/nagios.out" "$D/nagios.log" >&2; fail "nagios4 exited"; }
	when=$(service last_check)
	if [ -n "$when" ] && [ "$when" != 0 ] && [ "$when" != "$last" ]; then
		last=$when
		printf '%s\t%s\t%s\n' "$(service current_state)" "$(service plugin_output)" \
			"$(service performance_data)" >>"$TMP/results"
		tail -n 1 "$TMP/results" | cut -c1-200
		[ "$(service current_state)" = 2 ] && break
	fi
	sleep 1
done
[ -s "$TMP/results" ] || { cat "$D/nagios.log" >&2; fail "Nagios ran no check"; }
states=$(cut -f1 "$TMP/results" | uniq | tr '\n' ' ')
[ "$states" = "0 1 2 " ] || { cat "$D/nagios.log" >&2; fail "states went: $states (want OK, WARNING, CRITICAL)"; }
pass "Nagios saw OK, then WARNING, then CRITICAL ($(wc -l <"$TMP/results") checks)"

# The status lines and perfdata as check_leak printed them.
grep -P "^0\tLEAK OK - 1 process named $name: inconclusive \(young" "$TMP/results" >/dev/null ||
	fail "OK line: $(head -n 1 "$TMP/results")"
grep -P "^1\tLEAK WARNING - 1 process named $name leaking [0-9.]+ MiB/s .* h left before it reaches 400 MiB \(-m\)" \
	"$TMP/results" >/dev/null || fail "WARNING line: $(grep -P '^1\t' "$TMP/results" | head -n 1)"
crit=$(grep -P '^2\t' "$TMP/results" | tail -n 1)
echo "$crit" | grep -P "^2\tLEAK CRITICAL - 1 process named $name leaking " >/dev/null || fail "CRITICAL line: $crit"
perf=$(echo "$crit" | cut -f3)
echo "$perf" | grep -Eq "^'used'=[0-9]+B;;;0;419430400 'growth_Bps'=[0-9]+;;;; 'time_left'=[0-9]+s;180:;72:;0; 'leaking'=1;;;0;$" ||
	fail "perfdata not intact in status.dat: $perf"
pass "status lines and perfdata intact in status.dat: $perf"
