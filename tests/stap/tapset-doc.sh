#!/bin/bash
# The tapset's man page is made from its kernel-doc comments: every public
# probe alias and sfunction of tapset/health is on the page the build made,
# man renders it without warnings, and the generator refuses a malformed
# block (naming the file and line) instead of writing a page without it.
. "${top_srcdir:-.}/tests/lib.sh"
# A tarball ships the page made (dist_man_MANS): a VPATH build of it, as
# distcheck's, finds it in the source tree, not the build tree.
PAGE="$top_builddir/docs/stapprobes.health.3stap"
[ -s "$PAGE" ] || PAGE="$top_srcdir/docs/stapprobes.health.3stap"
GEN="$top_srcdir/scripts/tapset-doc"
TEMPLATE="$top_srcdir/docs/stapprobes.health.3stap.in"
[ -s "$PAGE" ] || fail "$PAGE was not built"
man --warnings -l "$PAGE" >"$TMP/page.txt" 2>"$TMP/man.err" || fail "man cannot render $PAGE"
[ ! -s "$TMP/man.err" ] || { cat "$TMP/man.err" >&2; fail "man warns about $PAGE"; }
n=0
for name in $(sed -n 's/^probe \(health\.[a-z_.]*\) =.*/\1/p' "$top_srcdir"/tapset/health/*.stp) \
	    $(sed -n 's/^function \(health_[a-z_]*\):.*/\1/p' "$top_srcdir"/tapset/health/*.stp); do
	grep -q "^.B ${name//./\\.}\$" "$PAGE" || fail "$name is not on the man page (no kernel-doc block?)"
	n=$((n + 1))
done
[ "$n" -ge 20 ] || fail "only $n probes and functions found in the tapset"
# every public one has a kernel-doc block in systemtap's grammar
for f in "$top_srcdir"/tapset/health/*.stp; do
	grep -q '^// <tapsetdescription>' "$f" || fail "$f has no <tapsetdescription>"
	grep -q '^ \* function ' "$f" && fail "$f: '/** function' is not systemtap's grammar (sfunction)"
done
# a block the generator cannot read fails, with the place
printf '// <tapsetdescription>\n// x\n// </tapsetdescription>\n/**\n * probe health.x - y\n * stray text\n */\n' >"$TMP/bad.stp"
if perl "$GEN" "$TEMPLATE" "$TMP/bad.stp" >"$TMP/bad.3stap" 2>"$TMP/bad.err"; then
	fail "the generator took a malformed block"
fi
grep -q "bad.stp:4:" "$TMP/bad.err" || { cat "$TMP/bad.err" >&2; fail "the error does not say where"; }
pass "man page made from the tapset's comments: $n probes and functions"
