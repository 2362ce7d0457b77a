# Helpers for the healthtap serve tests. Source it after tests/lib.sh.
# Every server a test starts is stopped on exit, by pid.

SERVE_PIDS=""
serve_cleanup() {
	for p in $SERVE_PIDS; do
		kill "$p" 2>/dev/null || true
	done
	for p in $SERVE_PIDS; do
		wait "$p" 2>/dev/null || true
	done
	rm -rf "$TMP"
}
trap serve_cleanup EXIT

# track PID: stop PID when the test ends.
track() { SERVE_PIDS="$SERVE_PIDS $1"; }

# start_agent NAME [ARGS...]: starts 'healthtap serve' on a free loopback
# port (port 0: the kernel picks it, no race) and sets NAME_pid, NAME_port.
# Its stderr goes to $TMP/NAME.err.
start_agent() {
	local name=$1 pid port="" i
	shift
	# The file exists before the child runs (it may be scheduled late).
	: >"$TMP/$name.err"
	"$HEALTHTAP" serve --listen 127.0.0.1:0 "$@" 2>>"$TMP/$name.err" &
	pid=$!
	track "$pid"
	for i in $(seq 300); do
		port=$(sed -n 's|.*listening on https\{0,1\}://.*:\([0-9][0-9]*\)/$|\1|p' "$TMP/$name.err")
		[ -n "$port" ] && break
		kill -0 "$pid" 2>/dev/null || { cat "$TMP/$name.err" >&2; fail "$name did not start"; }
		sleep 0.1
	done
	[ -n "$port" ] || fail "$name did not say its port"
	eval "${name}_pid=$pid ${name}_port=$port"
}

# start_leak RATE: tests/leaks/leaker leaking RATE bytes/s for 40 s; sets
# leak. It starts at once and keeps its rate against the clock on a busy
# machine (a python loop took seconds to start and then grew slower than
# nominal, so the rate served was not the one the test expected).
start_leak() {
	HT_LEAKER_LIFE=40 "$top_builddir/tests/leaks/leaker" steady "$1" &
	leak=$!
	track "$leak"
}

# free_port: a random high loopback port nobody listens on now (for
# programs that cannot pick port 0 themselves, like Prometheus).
free_port() {
	python3 - <<'PY'
import random, socket
for _ in range(50):
    p = random.randint(20000, 60000)
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p))
    except OSError:
        continue
    finally:
        s.close()
    print(p)
    break
PY
}

# wait_for CMD...: retries CMD for up to 30 s.
wait_for() {
	local i
	for i in $(seq 300); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

# metric_value FILE NAME{LABELS}: the value of one exposition line.
metric_value() {
	awk -v k="$2" 'index($0, k " ") == 1 { print $NF; found = 1; exit }
		END { if (!found) exit 1 }' "$1"
}

# vm_rss PID: resident set size in kB.
vm_rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

need() {
	command -v "$1" >/dev/null 2>&1 && return 0
	echo "SKIP: $1 is not installed (scripts/install-deps installs it)"
	exit 77
}
