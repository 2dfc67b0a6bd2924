# Shared helpers for the shell test suites: TAP-like "ok - name" /
# "not ok - name" lines, counted by tests/run-all.
# shellcheck shell=bash
T_PASS=0
T_FAIL=0
ok() { T_PASS=$((T_PASS + 1)); echo "ok - $*"; }
fail() { T_FAIL=$((T_FAIL + 1)); echo "not ok - $*"; }
# check NAME COMMAND...: ok when the command succeeds
check() {
	local name=$1
	shift
	if "$@"; then ok "$name"; else fail "$name"; fi
}
# expect_rc NAME RC COMMAND...: ok when the command exits with RC
expect_rc() {
	local name=$1 want=$2
	shift 2
	"$@" >/dev/null 2>&1
	local got=$?
	if [ "$got" -eq "$want" ]; then ok "$name"; else fail "$name (exit $got, wanted $want)"; fi
}
summary() {
	echo "# $1: $T_PASS passed, $T_FAIL failed"
	[ "$T_FAIL" -eq 0 ]
}
