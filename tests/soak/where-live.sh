#!/bin/bash
# soak --where for real (stap --runtime=bpf through the harness): the fake
# server leaks 102400 B per config call from one malloc site. JSON: that
# site holds exactly rounds x 102400 B in one block a round, bytes_per_round
# 102400, and each round's figure (from the batch after it, where listed)
# is round x 102400; the verdict beside it is a leak. Then a server that
# frees what it allocates: the table lists no site of its own holding
# bytes, and the verdict is no leak.
. "${top_srcdir:-.}/tests/lib.sh"
require_stap
"$HARNESS" prepare
NAME="wheresrv$$"
cp "$top_builddir/tests/soak/fakeserver" "$TMP/$NAME"
FAKE="$TMP/$NAME"
ln -s "$FAKE" "$TMP/fakeclient"
LEAK=102400
export HEALTHTAP_STAP="exec $HARNESS run"
server=
trap '[ -n "$server" ] && kill $server 2>/dev/null; rm -rf "$TMP"' EXIT
start_server() {	# mode sock
	"$FAKE" "$1" "$LEAK" "$2" &
	server=$!
	for _ in $(seq 100); do [ -S "$2" ] && return 0; sleep 0.05; done
	fail "fake server did not start"
}

start_server --leak "$TMP/leak.sock"
HEALTHTAP_WHERE_STREAM="$TMP/leak.stream" expect_exit 1 "$HEALTHTAP" soak --target $server \
	--rounds 5 --settle 100ms --where --json -- "$TMP/fakeclient" --send "$TMP/leak.sock"
python3 - "$TMP/out" "$NAME" <<'PY' || { cat "$TMP/err" >&2; fail "soak --where JSON is wrong"; }
import json, sys
d = json.load(open(sys.argv[1]))
assert d["targets"][0]["verdict"] == "leak", d["targets"][0]["verdict"]
w = d["where"]
mine = [s for s in w["sites"] if s["module"] and s["module"].endswith("/" + sys.argv[2])]
for s in w["sites"]:
    print(s["bytes"], s["blocks"], s["bytes_per_round"], s["per_round_B"], s["symbol"])
assert len(mine) == 1, "want one site in the server, got %d" % len(mine)
s = mine[0]
assert (s["bytes"], s["blocks"]) == (5 * 102400, 5), s
assert s["bytes_per_round"] == 102400, s["bytes_per_round"]
assert w["rounds_watched"] == 5 and len(s["per_round_B"]) == 5
for k, v in enumerate(s["per_round_B"], 1):
    assert v is None or v == k * 102400, (k, v)
assert any(v is not None for v in s["per_round_B"])
print("leak site:", s["symbol"], s["bytes_per_round"], "B/round")
PY
kill $server; wait $server 2>/dev/null || true

start_server --no-leak "$TMP/ok.sock"
expect_exit 0 "$HEALTHTAP" soak --target $server --rounds 4 --settle 100ms --where \
	-- "$TMP/fakeclient" --send "$TMP/ok.sock"
cat "$TMP/out"
grep -q '^allocation sites (health.alloc.sites)' "$TMP/out" || fail "no sites in the table"
! grep -q " in $NAME\$\|(fakeserver.c:" "$TMP/out" || fail "a site of the server that frees holds bytes"
grep -q 'no leak' "$TMP/out" || fail "the freeing server is not 'no leak'"
pass "soak --where: the leaking site exact per round, beside the verdict; a freeing server's sites hold nothing"
