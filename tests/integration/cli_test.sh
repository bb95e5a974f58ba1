#!/bin/sh
# The command line's behaviour for users: clear one-line errors with non-zero
# exit codes, the device tree dump, the exit status mapping of tohost.
# usage: cli_test.sh DOPPEL HELLO_ELF; ends with "N passed, N failed".
DOPPEL=$1
HELLO=$2
. "$(dirname "$0")/harness.sh"

check "missing kernel file" fails_with_one_line 1 "$DOPPEL" run --kernel "$tmp/nope"
check "unknown option" sh -c "'$DOPPEL' run --frobnicate 2>&1 >/dev/null | grep -q 'try'"
check "bad --mem" fails_with_one_line 2 "$DOPPEL" run --mem lots --kernel "$HELLO"
check "bad --cpus" fails_with_one_line 2 "$DOPPEL" run --cpus lots --bios none --kernel "$HELLO"
check "--cpus 0 refused" fails_with_one_line 2 "$DOPPEL" run --cpus 0 --bios none --kernel "$HELLO"
check "--cpus 65 refused" fails_with_one_line 2 "$DOPPEL" run --cpus 65 --bios none --kernel "$HELLO"
check "--cpus 65 names the limit" sh -c \
	"'$DOPPEL' run --cpus 65 --bios none --kernel '$HELLO' 2>&1 | grep -qx \"doppel run: --cpus: '65' is not a number from 1 to 64\""
check "unknown command" fails_with_one_line 2 "$DOPPEL" frob
check "ELF for another machine" fails_with_one_line 1 "$DOPPEL" run --bios none --kernel /bin/true
head -c 100 "$HELLO" >"$tmp/truncated.elf"
check "truncated ELF" fails_with_one_line 1 "$DOPPEL" run --bios none --kernel "$tmp/truncated.elf"
check "an ELF error names the file once, message whole" sh -c \
	"'$DOPPEL' run --bios none --kernel /bin/true 2>&1 | grep -qx 'doppel run: /bin/true: not a 64-bit little-endian RISC-V ELF file'"
: >"$tmp/empty"
check "empty kernel file" fails_with_one_line 1 "$DOPPEL" run --bios none --kernel "$tmp/empty" --timeout 10
check "initrd too large for RAM" fails_with_one_line 1 sh -c \
	"head -c 20000000 /dev/zero >'$tmp/big' && '$DOPPEL' run --mem 16M --kernel '$HELLO' --initrd '$tmp/big'"
check "--disk of a missing file" fails_with_one_line 1 \
	"$DOPPEL" run --bios none --kernel "$HELLO" --disk "$tmp/nope.img"
check "--disk with an unknown format" fails_with_one_line 2 \
	"$DOPPEL" run --bios none --kernel "$HELLO" --disk "$HELLO,format=vmdk"
check "--disk with an unknown option" fails_with_one_line 2 \
	"$DOPPEL" run --bios none --kernel "$HELLO" --disk "$HELLO,cache=none"
check "--disk with a bad readonly value" fails_with_one_line 2 \
	"$DOPPEL" run --bios none --kernel "$HELLO" --disk "$HELLO,readonly=yes"
check "--disk without a file name" fails_with_one_line 2 \
	"$DOPPEL" run --bios none --kernel "$HELLO" --disk ",format=raw"
eight_disks=$(for i in 1 2 3 4 5 6 7 8; do printf ' --disk %s,readonly=on' "$HELLO"; done)
check "more virtio devices than slots" fails_with_one_line 1 sh -c \
	"'$DOPPEL' run --bios none --kernel '$HELLO' --rng $eight_disks"
check "disks and rng run a bare program" sh -c \
	"head -c 1048576 /dev/zero >'$tmp/disk.img' && cp '$tmp/disk.img' '$tmp/disk2.img' &&
	 '$DOPPEL' run --bios none --kernel '$HELLO' --disk '$tmp/disk.img,format=raw' --disk '$tmp/disk2.img,readonly=on' --rng | grep -qx hello"
check "the same disk given twice is refused (image locks)" fails_with_one_line 1 \
	"$DOPPEL" run --bios none --kernel "$HELLO" --disk "$tmp/disk.img,format=raw" --disk "$tmp/disk.img,readonly=on"
for bad in "tap" "user,mac=01:00:5e:00:00:01" "user,mac=52:54:00:12:34" "user,hostfwd=tcp::70000-:22" \
	   "user,hostfwd=sctp::2222-:22" "user,hostfwd=tcp:localhost:2222-:22" "user,hostfwd=tcp::2222" \
	   "user,hostfwd=tcp::2222-192.168.1.5:22" \
	   "user,speed=fast"; do
	check "--net $bad" fails_with_one_line 2 "$DOPPEL" run --bios none --kernel "$HELLO" --net "$bad"
done
check "--net hostfwd on a port in use" fails_with_one_line 1 sh -c \
	"python3 -c 'import socket,time; s=socket.socket(); s.bind((\"127.0.0.1\", 0)); s.listen();
print(s.getsockname()[1], flush=True); time.sleep(30)' >'$tmp/port' & listener=\$!;
	 while [ ! -s '$tmp/port' ]; do sleep 0.1; done;
	 '$DOPPEL' run --bios none --kernel '$HELLO' --net user,hostfwd=tcp:127.0.0.1:\$(cat '$tmp/port')-:22;
	 rc=\$?; kill \$listener; exit \$rc"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
check "two NICs with forwards run a bare program" sh -c \
	"'$DOPPEL' run --bios none --kernel '$HELLO' --net user,hostfwd=tcp:127.0.0.1:$port-:22,hostfwd=udp::$port-:53 \
	 --net user,mac=52:54:00:00:00:01 | grep -qx hello"
check "--net switch: with no switch listening" fails_with_one_line 1 \
	"$DOPPEL" run --bios none --kernel "$HELLO" --net "switch:$tmp/no-switch.sock"
check "switch without a PATH" fails_with_one_line 2 "$DOPPEL" switch
check "switch on a PATH in a missing directory" fails_with_one_line 1 "$DOPPEL" switch "$tmp/nodir/lan.sock"
check "switch on a PATH that is a file" fails_with_one_line 1 "$DOPPEL" switch "$tmp/disk.img"
check "a bare program runs with NICs on a switch and on user NAT; SIGTERM removes the socket" sh -c \
	"'$DOPPEL' switch '$tmp/lan.sock' 2>/dev/null & sw=\$!;
	 while [ ! -S '$tmp/lan.sock' ] && kill -0 \$sw; do sleep 0.05; done;
	 '$DOPPEL' run --bios none --kernel '$HELLO' --net 'switch:$tmp/lan.sock' --net user | grep -qx hello; rc=\$?;
	 kill -TERM \$sw; wait \$sw && [ ! -e '$tmp/lan.sock' ] && exit \$rc"
check "--control with a transport other than unix:" fails_with_one_line 2 \
	"$DOPPEL" run --bios none --kernel "$HELLO" --control "tcp:127.0.0.1:4444"
check "--control on a PATH that is a file" fails_with_one_line 1 \
	"$DOPPEL" run --bios none --kernel "$HELLO" --control "unix:$tmp/disk.img"
check "a bare program runs with --control; the socket is removed at exit" sh -c \
	"'$DOPPEL' run --bios none --kernel '$HELLO' --control 'unix:$tmp/vm.sock' | grep -qx hello &&
	 [ ! -e '$tmp/vm.sock' ]"
check "control with nothing listening" fails_with_one_line 1 "$DOPPEL" control "$tmp/no-vm.sock" status
check "control without a COMMAND" fails_with_one_line 2 "$DOPPEL" control "$tmp/no-vm.sock"
check "control with an argument that is not KEY=VALUE" fails_with_one_line 2 \
	"$DOPPEL" control "$tmp/no-vm.sock" status verbose
# A timeout must convert to the host clock's nanoseconds: inf, NaN and
# values beyond it were taken (undefined behaviour, UBSan).
for bad in inf nan 1e300 1e10 -1 0 "" 5s; do
	check "--timeout '$bad'" fails_with_one_line 2 "$DOPPEL" run --bios none --kernel "$HELLO" --timeout "$bad"
done
check "--timeout of the longest allowed runs a bare program" sh -c \
	"'$DOPPEL' run --bios none --kernel '$HELLO' --timeout 1e9 | grep -qx hello"
check "help" sh -c "'$DOPPEL' run --help | grep -q -- --kernel"
check "hello prints and exits 0" sh -c "'$DOPPEL' run --bios none --kernel '$HELLO' | grep -qx hello"
check "--cpus 64 runs a bare program" sh -c \
	"'$DOPPEL' run --bios none --kernel '$HELLO' --cpus 64 | grep -qx hello"
check "device tree dump of 64 harts lists cpu@3f" sh -c \
	"'$DOPPEL' run --bios none --kernel '$HELLO' --cpus 64 --dump-dtb '$tmp/virt64.dtb' >/dev/null &&
	 dtc -I dtb -O dts '$tmp/virt64.dtb' 2>/dev/null | grep -q 'cpu@3f {'"
check "device tree dump reads back" sh -c \
	"'$DOPPEL' run --bios none --kernel '$HELLO' --cpus 2 --dump-dtb '$tmp/virt.dtb' >/dev/null &&
	 dtc -I dtb -O dts '$tmp/virt.dtb' 2>/dev/null | grep -q 'cpu@1' &&
	 dtc -I dtb -O dts '$tmp/virt.dtb' 2>/dev/null | grep -q 'ns16550a'"

finish
