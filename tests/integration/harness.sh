# Sourced by the integration suites: a scratch directory $tmp (removed on
# exit), `check NAME COMMAND...` printing "ok"/"FAIL" lines, and `finish`
# printing the "N passed, N failed" line and setting the exit status.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

check() {  # name, then a command that must succeed
	name=$1
	shift
	if "$@" >"$tmp/out" 2>&1; then
		pass=$((pass + 1)); echo "ok   $name"
	else
		fail=$((fail + 1)); echo "FAIL $name"; sed 's/^/     /' "$tmp/out"
	fi
}

# A command fails with status $1 and exactly one line on stderr.
fails_with_one_line() {
	want=$1
	shift
	"$@" >/dev/null 2>"$tmp/err"
	rc=$?
	cat "$tmp/err"
	[ "$rc" -eq "$want" ] && [ "$(wc -l <"$tmp/err")" -eq 1 ]
}

finish() {
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
}
