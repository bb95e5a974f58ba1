#!/bin/sh
# Runs every test suite against the build in $1 and ends with one line:
# "N passed, N failed". Exits non-zero if anything failed.
O=${1:-build}
DOPPEL=$O/doppel
pass=0
fail=0
failed=""

# Seconds a bare-metal program may run: the sanitizer builds are several
# times slower (make check-tsan sets more).
GUEST_TIMEOUT=${GUEST_TIMEOUT:-20}

ok()  { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); failed="$failed $1"; echo "FAIL: $1"; }

# cmocka programs: count their individual tests from the summary lines.
for t in "$O"/tests/unit/test_*; do
	[ -x "$t" ] || continue
	out=$("$t" 2>&1); rc=$?
	p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -n 1)
	f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -n 1)
	pass=$((pass + ${p:-0}))
	fail=$((fail + ${f:-0}))
	if [ $rc -ne 0 ]; then
		printf '%s\n' "$out" | grep -E '^\[  (FAILED|ERROR)' >&2
		[ -z "$f" ] && bad "$(basename "$t") (exit $rc)"
		failed="$failed $(basename "$t")"
	fi
done

# Bare-metal guest programs: each must exit 0 through tohost, once under
# the interpreter and once with every block translated to host code.
for engine in interp jit; do
	case $engine in
	interp) flags=--no-jit ;;
	jit) flags="--jit-threshold 1" ;;
	esac
	for elf in "$O"/tests/isa/*.elf "$O"/tests/riscv-tests/*.elf; do
		[ -f "$elf" ] || continue
		case $elf in */smp_*) continue ;; esac   # below, with more harts
		name="${elf#"$O"/tests/} ($engine)"
		log="$elf.$engine.log"
		# shellcheck disable=SC2086 # flags holds two words
		if "$DOPPEL" run $flags --bios none --kernel "$elf" --timeout "$GUEST_TIMEOUT" >"$log" 2>&1; then
			ok
		else
			bad "$name (exit $?, log $log)"
		fi
	done
done

# Multi-hart guest programs (tests/isa/smp_*): under both engines with
# 2, 4 and 8 harts, SMP_RUNS times each (a race shows only in some runs);
# every run counts as one test.
for engine in interp jit; do
	case $engine in
	interp) flags=--no-jit ;;
	jit) flags="--jit-threshold 1" ;;
	esac
	for elf in "$O"/tests/isa/smp_*.elf; do
		[ -f "$elf" ] || continue
		for harts in 2 4 8; do
			run=1
			while [ "$run" -le "${SMP_RUNS:-3}" ]; do
				name="${elf#"$O"/tests/} ($engine, $harts harts, run $run)"
				log="$elf.$engine.$harts.$run.log"
				# shellcheck disable=SC2086 # flags holds two words
				if "$DOPPEL" run $flags --cpus "$harts" --bios none --kernel "$elf" \
					--timeout "$GUEST_TIMEOUT" >"$log" 2>&1; then
					ok
				else
					bad "$name (exit $?, log $log)"
				fi
				run=$((run + 1))
			done
		done
	done
done

# Suites that print their own "N passed, N failed" line.
suite() {  # name, log, command...
	name=$1
	log=$2
	shift 2
	"$@" >"$log" 2>&1
	grep -E '^(ok|FAIL|==)' "$log"
	line=$(tail -n 1 "$log")
	p=$(printf '%s\n' "$line" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
	f=$(printf '%s\n' "$line" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
	if [ -z "$p" ]; then
		bad "$name (no result line; log $log)"
		return
	fi
	pass=$((pass + p))
	fail=$((fail + f))
	[ "$f" -eq 0 ] || failed="$failed $name"
}

suite cli_test "$O/cli_test.log" tests/integration/cli_test.sh "$DOPPEL" "$O/tests/isa/hello.elf"
suite img_test "$O/img_test.log" tests/integration/img_test.sh "$DOPPEL" \
	"$O/tests/integration/block_exercise"

# Debian's kernel booted to a shell (the guest is fetched once and cached).
if [ "${DOPPEL_SKIP_BOOT:-0}" != 1 ]; then
	paths=$(scripts/guest-image --print 2>"$O/guest-image.log" | grep -E '^(kernel|initrd|rootfs)=')
	kernel=$(printf '%s\n' "$paths" | sed -n 's/^kernel=//p')
	initrd=$(printf '%s\n' "$paths" | sed -n 's/^initrd=//p')
	rootfs=$(printf '%s\n' "$paths" | sed -n 's/^rootfs=//p')
	if [ -z "$kernel" ] || [ -z "$initrd" ]; then
		bad "guest image (see $O/guest-image.log)"
	else
		suite boot_debian "$O/boot.log" python3 tests/integration/boot_debian.py \
			"$DOPPEL" "$kernel" "$initrd"
		suite disk_test "$O/disk.log" python3 tests/integration/disk_test.py \
			"$DOPPEL" "$kernel" "$initrd"
		suite net_test "$O/net.log" python3 tests/integration/net_test.py \
			"$DOPPEL" "$kernel" "$initrd"
		suite switch_test "$O/switch.log" python3 tests/integration/switch_test.py \
			"$DOPPEL" "$kernel" "$initrd"
		suite snapshot_test "$O/snapshot.log" python3 tests/integration/snapshot_test.py \
			"$DOPPEL" "$kernel" "$initrd"
		suite control_test "$O/control.log" python3 tests/integration/control_test.py \
			"$DOPPEL" "$kernel" "$initrd"
		suite migrate_test "$O/migrate.log" python3 tests/integration/migrate_test.py \
			"$DOPPEL" "$kernel" "$initrd"
		# Building the root file system takes many minutes (make
		# check-rootfs does it); a cached one is tested.
		if [ -n "$rootfs" ]; then
			suite rootfs_test "$O/rootfs.log" python3 tests/integration/rootfs_test.py \
				"$DOPPEL" "$kernel" "$initrd" "$rootfs"
		else
			echo "skipped: no rootfs, run \`scripts/guest-image --rootfs\`"
		fi
	fi
fi

echo "failed:${failed:- none}"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
