#!/bin/sh
# Disk images: doppel's qcow2 against QEMU's qemu-img (check, info, compare,
# in both directions), cluster sizes 512 B to 2 MiB, backing chains,
# compressed clusters, a seeded random test against a raw model, a kill
# right after a flush, and malformed images refused with one line.
# usage: img_test.sh DOPPEL BLOCK_EXERCISE; IMG_TEST_SEED=N repeats a run.
# Ends with "N passed, N failed".
DOPPEL=$(realpath "$1")  # absolute: the tests run in a scratch directory
EXERCISE=$(realpath "$2")
SEED=${IMG_TEST_SEED:-$(date +%s)}
. "$(dirname "$0")/harness.sh"

# qemu-img check finds nothing wrong (exit 0).
qemu_clean() { qemu-img check -q "$1"; }

# Random I/O through doppel onto image $1 with raw model $2, then QEMU's view.
random_vs_model() {
	"$EXERCISE" random "$1" "$2" "$3" "$4" && qemu_clean "$1" && qemu-img compare -q "$1" "$2"
}

# Overwrites bytes of a file: file, offset, Python bytes expression.
patch() {
	python3 -c "import sys
f = open(sys.argv[1], 'r+b'); f.seek(int(sys.argv[2])); f.write($3)" "$1" "$2"
}

zero_model() { rm -f "$1"; truncate -s "$2" "$1"; }

if ! command -v qemu-img >/dev/null; then
	echo "FAIL qemu-img is missing (scripts/install-deps installs qemu-utils)"
	echo "0 passed, 1 failed"
	exit 1
fi
echo "== seed $SEED (IMG_TEST_SEED=$SEED repeats this run)"
cd "$tmp" || exit 1

# --- doppel creates, QEMU reads -------------------------------------------
for cs in 512 4K 64K 2M; do
	check "create qcow2 cluster_size=$cs: qemu-img check clean" sh -c \
		"'$DOPPEL' img create -f qcow2 -o cluster_size=$cs c$cs.qcow2 100M && qemu-img check -q c$cs.qcow2"
	check "create qcow2 cluster_size=$cs: qemu-img info reads it" sh -c \
		"qemu-img info --output=json c$cs.qcow2 | grep -q '\"virtual-size\": 104857600' &&
		 qemu-img info c$cs.qcow2 | grep -q 'cluster_size: $(numfmt --from=iec $cs)'"
	zero_model m.raw 24M
	"$DOPPEL" img create -f qcow2 -o cluster_size=$cs p.qcow2 24M >/dev/null
	check "random I/O, cluster_size=$cs: matches the model; qemu-img check and compare" \
		random_vs_model p.qcow2 m.raw "$SEED" 1000
done
check "sizes round up to whole sectors, as with qemu-img" sh -c \
	"'$DOPPEL' img create -f qcow2 odd.qcow2 1000 && qemu-img info --output=json odd.qcow2 | grep -q '\"virtual-size\": 1024'"
check "create raw: qemu-img info says raw, 1 GiB" sh -c \
	"'$DOPPEL' img create r.raw 1G && qemu-img info r.raw | grep -q 'file format: raw' &&
	 qemu-img info --output=json r.raw | grep -q '\"virtual-size\": 1073741824'"

# --- QEMU creates, doppel reads and writes -------------------------------
qemu-img create -q -f qcow2 q.qcow2 24M
zero_model m.raw 24M
check "qemu-img create -f qcow2: random I/O through doppel; qemu-img check and compare" \
	random_vs_model q.qcow2 m.raw "$SEED" 1500
qemu-img create -q -f qcow2 -o cluster_size=4k,refcount_bits=64 q64.qcow2 8M
zero_model m.raw 8M
check "qemu-img image with 64-bit refcounts and 4K clusters" \
	random_vs_model q64.qcow2 m.raw "$SEED" 800
qemu-img create -q -f qcow2 -o refcount_bits=1 q1.qcow2 8M
zero_model m.raw 8M
check "qemu-img image with 1-bit refcounts" random_vs_model q1.qcow2 m.raw "$SEED" 800
qemu-img create -q -f qcow2 -o compat=0.10 v2.qcow2 8M
qemu-io -c 'write -P 0x42 100k 50k' v2.qcow2 >/dev/null
check "qcow2 version 2 reads back; opening it for writing is refused with one line" sh -c \
	"'$DOPPEL' img convert -O raw v2.qcow2 v2.raw && qemu-img compare -q v2.qcow2 v2.raw &&
	 '$EXERCISE' write-and-wait v2.qcow2 0 512 1 2>&1 >/dev/null | grep -q 'version 2 images open read-only'"
check "doppel img info reads a qemu-img image" sh -c \
	"'$DOPPEL' img info q.qcow2 | grep -q 'virtual size: 24 MiB (25165824 bytes)'"

# --- backing chains -------------------------------------------------------
python3 -c "import random; r = random.Random($SEED)
open('base.raw', 'wb').write(bytes(r.choice(b'ab\0') for _ in range(8 << 20)))"
qemu-img create -q -f qcow2 -b base.raw -F raw mid.qcow2
qemu-io -c 'write -P 0x5a 1M 300k' mid.qcow2 >/dev/null
qemu-img convert -O raw mid.qcow2 m.raw
mkdir -p sub
check "create an overlay of an overlay; relative names resolve beside the overlay" sh -c \
	"cp mid.qcow2 sub/ && cp base.raw sub/ && '$DOPPEL' img create -b mid.qcow2 -o cluster_size=4K sub/top.qcow2 &&
	 '$DOPPEL' img info sub/top.qcow2 | grep -q 'backing file: mid.qcow2 (actual path: sub/mid.qcow2)' &&
	 '$DOPPEL' img info sub/top.qcow2 | grep -c '^image:' | grep -qx 3"
check "random I/O on a 3-deep chain: copy-on-write matches the model" \
	random_vs_model sub/top.qcow2 m.raw "$SEED" 1500
check "the backing files are untouched" sh -c \
	"cmp -s base.raw sub/base.raw && qemu-img compare -q mid.qcow2 sub/mid.qcow2"
check "qemu-img info shows doppel's backing chain" sh -c \
	"qemu-img info --backing-chain sub/top.qcow2 | grep -q 'backing file format: qcow2'"

# --- compressed clusters --------------------------------------------------
qemu-img convert -q -c -O qcow2 base.raw comp.qcow2
check "qemu-img convert -c image reads back through doppel" sh -c \
	"'$DOPPEL' img convert -O raw comp.qcow2 comp.raw && cmp base.raw comp.raw &&
	 qemu-img check comp.qcow2 | grep -q 'compressed clusters' &&
	 '$DOPPEL' img check comp.qcow2 | grep -vq '0.00% compressed'"
cp base.raw m.raw
check "writes over compressed clusters; qemu-img check and compare" \
	random_vs_model comp.qcow2 m.raw "$SEED" 800

# --- convert --------------------------------------------------------------
check "convert raw -> qcow2 -> raw round trip; qemu-img compare" sh -c \
	"'$DOPPEL' img convert -O qcow2 base.raw b.qcow2 && qemu-img check -q b.qcow2 &&
	 qemu-img compare -q base.raw b.qcow2 && '$DOPPEL' img convert -f qcow2 -O raw b.qcow2 b.raw &&
	 cmp base.raw b.raw"
check "convert skips zero blocks: the copy of an empty 1 GiB disk stays small" sh -c \
	"'$DOPPEL' img convert -O qcow2 r.raw e.qcow2 && [ \$(stat -c %s e.qcow2) -lt 1048576 ] &&
	 '$DOPPEL' img convert -O raw e.qcow2 e.raw && [ \$(du -k e.raw | cut -f1) -lt 1024 ]"
check "convert prints no progress bar into a pipe" sh -c \
	"'$DOPPEL' img convert -O raw b.qcow2 p.raw | wc -c | grep -qx 0"

# --- check ----------------------------------------------------------------
qemu-img create -q -f qcow2 leak.qcow2 8M
qemu-io -c 'write 0 64k' leak.qcow2 >/dev/null
# QEMU's layout: header, refcount table, refcount block, L1, L2, data. A
# cluster appended to the file gets a refcount but no reference: a leak.
truncate -s $((7 * 65536)) leak.qcow2
patch leak.qcow2 $((2 * 65536 + 6 * 2)) "b'\\x00\\x01'"
check "img check: a leaked cluster exits 3, like qemu-img check" sh -c \
	"qemu-img check -q leak.qcow2; [ \$? -eq 3 ] && '$DOPPEL' img check leak.qcow2 >/dev/null; [ \$? -eq 3 ]"
check "img check -r leaks repairs it; qemu-img agrees" sh -c \
	"'$DOPPEL' img check -r leaks leak.qcow2 >/dev/null && qemu-img check -q leak.qcow2"
qemu-img create -q -f qcow2 bad.qcow2 8M
qemu-io -c 'write 0 64k' bad.qcow2 >/dev/null
# The L2 table (cluster 4) loses its refcount: an error, not a leak.
patch bad.qcow2 $((2 * 65536 + 4 * 2)) "b'\\x00\\x00'"
check "img check: a refcount too low exits 2, like qemu-img check" sh -c \
	"qemu-img check -q bad.qcow2; [ \$? -eq 2 ] && '$DOPPEL' img check bad.qcow2 >/dev/null; [ \$? -eq 2 ]"
check "img check -r all repairs it and clears the corrupt bit; qemu-img agrees" sh -c \
	"python3 -c \"f = open('bad.qcow2', 'r+b'); f.seek(72); f.write((2).to_bytes(8, 'big'))\" &&
	 '$DOPPEL' img check -r all bad.qcow2 >/dev/null && qemu-img check -q bad.qcow2 &&
	 '$DOPPEL' img info bad.qcow2 | grep -q 'corrupt: false'"
check "img check on a raw image exits 63" sh -c \
	"'$DOPPEL' img check base.raw 2>/dev/null; [ \$? -eq 63 ]"

# --- a kill right after a flush -------------------------------------------
"$DOPPEL" img create -f qcow2 -o cluster_size=4K k.qcow2 16M >/dev/null
mkfifo k.fifo
"$EXERCISE" write-and-wait k.qcow2 3000000 200000 0x77 >k.fifo &
child=$!
read -r line <k.fifo
kill -9 "$child"
wait "$child" 2>/dev/null
check "killed after flush: the data is there" sh -c \
	"[ '$line' = flushed ] && qemu-io -c 'read -P 0x77 3000000 200000' -r k.qcow2 | grep -q 'read 200000'"
check "killed after flush: qemu-img check finds no error and no leak" qemu_clean k.qcow2

# Killed at arbitrary points of a stream of writes (512-byte clusters, so the
# refcount table grows meanwhile): qemu-img check may find leaks, never errors.
killed_mid_write() {
	"$DOPPEL" img create -f qcow2 -o cluster_size=512 km.qcow2 16M >/dev/null &&
	zero_model km.raw 16M &&
	{ "$EXERCISE" random km.qcow2 km.raw "$SEED" 100000 >/dev/null 2>&1 & } &&
	sleep "$1" && kill -9 $! && wait $! 2>/dev/null
	qemu-img check -q km.qcow2
	rc=$?
	[ "$rc" -eq 0 ] || [ "$rc" -eq 3 ]
}
for delay in 0.2 0.5 0.9; do
	check "killed mid-write after ${delay}s: qemu-img check finds no error" killed_mid_write $delay
done

# --- dirty images (QEMU killed with lazy refcounts) -----------------------
qemu-img create -q -f qcow2 -o lazy_refcounts=on d.qcow2 8M
qemu-io -c 'write -P 0x11 0 256k' d.qcow2 >/dev/null
patch d.qcow2 72 "(1).to_bytes(8, 'big')"
# Refcounts of the data and L2 clusters lost, as lazy refcounts allow.
patch d.qcow2 $((2 * 65536 + 4 * 2)) "bytes(10)"
qemu-img convert -O raw d.qcow2 m.raw
check "a dirty image opens for writing: refcounts rebuilt, bit cleared" sh -c \
	"'$EXERCISE' random d.qcow2 m.raw $SEED 300 && qemu-img check -q d.qcow2 &&
	 '$DOPPEL' img info d.qcow2 | grep -q 'dirty: false'"

# --- malformed images: one clear line, no crash ---------------------------
qemu-img create -q -f qcow2 good.qcow2 8M
head -c 60 good.qcow2 >trunc.qcow2
check "truncated header" fails_with_one_line 1 "$DOPPEL" img info trunc.qcow2
# A copy of good.qcow2 with bytes patched must be refused with one line:
# name, offset, Python bytes expression.
malformed() {
	cp good.qcow2 bad-header.qcow2
	patch bad-header.qcow2 "$2" "$3"
	check "$1" fails_with_one_line 1 "$DOPPEL" img info bad-header.qcow2
}
malformed "L1 table past the end of the file" 40 "(1 << 40).to_bytes(8, 'big')"
malformed "refcount width overflow (refcount_order 7)" 96 "(7).to_bytes(4, 'big')"
malformed "refcount table size overflow" 56 "(0xffffffff).to_bytes(4, 'big')"
malformed "unknown incompatible feature" 72 "(1 << 40).to_bytes(8, 'big')"
malformed "extended L2 entries refused" 72 "(1 << 4).to_bytes(8, 'big')"
malformed "cluster size over 2 MiB" 20 "(22).to_bytes(4, 'big')"
malformed "encrypted image" 32 "(1).to_bytes(4, 'big')"
cp good.qcow2 l2.qcow2
qemu-io -c 'write 0 4k' l2.qcow2 >/dev/null
patch l2.qcow2 $((3 * 65536)) "(0x8000000000000000 | (1 << 40)).to_bytes(8, 'big')"
check "L2 table past the end of the file" fails_with_one_line 1 "$DOPPEL" img info l2.qcow2
qemu-img create -q -f qcow2 -u -b loop2.qcow2 -F qcow2 loop1.qcow2 8M
qemu-img create -q -f qcow2 -u -b loop1.qcow2 -F qcow2 loop2.qcow2 8M
check "backing chain that loops" fails_with_one_line 1 "$DOPPEL" img info loop1.qcow2
qemu-img create -q -f qcow2 -u -b selg.qcow2 -F qcow2 self.qcow2 8M
python3 -c "d = open('self.qcow2', 'rb').read(); i = d.index(b'selg.qcow2')
open('self.qcow2', 'r+b').write(d[:i] + b'self' + d[i + 4:])"
check "image that is its own backing file" fails_with_one_line 1 "$DOPPEL" img convert -O raw self.qcow2 x.raw
check "missing backing file" sh -c \
	"qemu-img create -q -f qcow2 -u -b gone.qcow2 -F qcow2 orphan.qcow2 8M &&
	 '$DOPPEL' img info orphan.qcow2 2>&1 | grep -q 'gone.qcow2: No such file'"

# --- hostile images: a write is refused, never a crash, a hang or a -------
# --- rewritten header --------------------------------------------------------
# qemu-img's layout with 64 KiB clusters: header, refcount table, refcount
# block (16-bit entries), L1 table, then the L2 table and the data cluster of
# the first write. The first 5 clusters must come out as they went in. The
# write (at 1 MiB) allocates a data cluster, or in an empty image an L2 table.
qemu-img create -q -f qcow2 empty.qcow2 8M
cp empty.qcow2 written.qcow2
qemu-io -c 'write -P 0x33 0 64k' written.qcow2 >/dev/null
write_refused() {
	# A write that went through waits to be killed; so does a hang.
	timeout -s KILL 20 "$EXERCISE" write-and-wait "$1" 1048576 512 0x44 >/dev/null 2>"$tmp/err"
	rc=$?
	cat "$tmp/err"
	[ "$rc" -eq 1 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q 'corrupt qcow2 image' "$tmp/err"
}
refused_unchanged() {
	write_refused hostile.qcow2 && cmp -n $((5 * 65536)) hostile.qcow2 hostile.meta
}
hostile() {  # name, offset, Python bytes expression; $base is the image
	cp "${base:-written.qcow2}" hostile.qcow2
	patch hostile.qcow2 "$2" "$3"
	head -c $((5 * 65536)) hostile.qcow2 >hostile.meta
	check "$1: a write is refused with one line, the metadata unchanged" refused_unchanged
	check "$1: it still opens read-only" sh -c "'$DOPPEL' img info hostile.qcow2 >/dev/null"
}
hostile "the header's refcount is 0" $((2 * 65536)) "bytes(2)"
base=empty.qcow2 hostile "the header's refcount is 0, no L2 table yet" $((2 * 65536)) "bytes(2)"
hostile "no refcount block for the metadata's range" 65536 "bytes(8)"
hostile "an L2 entry names the refcount table" $((4 * 65536)) \
	"(0x8000000000000000 | 65536).to_bytes(8, 'big')"
hostile "an L1 entry names the refcount block" $((3 * 65536)) \
	"(0x8000000000000000 | 2 * 65536).to_bytes(8, 'big')"
hostile "a compressed cluster inside the header" $((4 * 65536)) \
	"(0x4000000000000000 | 512).to_bytes(8, 'big')"
check "img check reports metadata used twice as an error" sh -c \
	"'$DOPPEL' img check hostile.qcow2 | grep -q 'holds metadata and is referenced 2 times'; [ \$? -eq 0 ] &&
	 '$DOPPEL' img check hostile.qcow2 >/dev/null; [ \$? -eq 2 ]"

# --- image locks, as QEMU's: doppel and QEMU refuse each other -------------
qemu-img create -q -f qcow2 lk.qcow2 8M
# qemu-io holds its image open until its input (a fifo) ends.
qemu_holds() {  # qemu-io options and image
	mkfifo hold.fifo
	qemu-io "$@" <hold.fifo >/dev/null 2>&1 &
	qio=$!
	exec 3>hold.fifo
	rm hold.fifo
	# Open once it holds the lock of the consistent read permission.
	for _ in $(seq 100); do
		byte_locked lk.qcow2 100 && return 0
		sleep 0.1
	done
	return 1
}
byte_locked() {  # file, byte: /proc/locks lists a lock on it
	awk -v ino=":$(stat -c %i "$1")" -v byte="$2" \
		'substr($(NF-2), length($(NF-2)) - length(ino) + 1) == ino && $(NF-1) <= byte && $NF >= byte { found = 1 }
		 END { exit !found }' /proc/locks
}
qemu_lets_go() { exec 3>&-; wait "$qio"; }
in_use() {  # how, then the command
	how=$1
	shift
	fails_with_one_line 1 "$@" && grep -q "lk.qcow2: in use by another process.*$how" "$tmp/err"
}
qemu_holds lk.qcow2
check "qemu-io writes: doppel img info is refused, naming the lock" \
	in_use "locked for writing" "$DOPPEL" img info lk.qcow2
check "qemu-io writes: a doppel writer is refused" \
	in_use "locked for writing" timeout -s KILL 20 "$EXERCISE" write-and-wait lk.qcow2 0 512 1
check "qemu-io writes: doppel img convert to it is refused" \
	in_use "locked for writing" "$DOPPEL" img convert -O qcow2 base.raw lk.qcow2
qemu_lets_go
qemu_holds -r lk.qcow2
check "qemu-io reads: doppel reads too" sh -c "'$DOPPEL' img info lk.qcow2 >/dev/null"
check "qemu-io reads: a doppel writer is refused" \
	in_use "locked for reading" timeout -s KILL 20 "$EXERCISE" write-and-wait lk.qcow2 0 512 1
qemu_lets_go
mkfifo lk.fifo
"$EXERCISE" write-and-wait lk.qcow2 0 512 0x55 >lk.fifo &
child=$!
read -r line <lk.fifo
check "doppel writes: qemu-img info is refused" sh -c \
	"qemu-img info lk.qcow2 2>&1 | grep -q 'Failed to get shared \"write\" lock'"
check "doppel writes: qemu-io is refused" sh -c \
	"qemu-io -c 'write 0 512' lk.qcow2 2>&1 | grep -q 'Failed to get \"write\" lock'"
check "doppel writes: doppel img check is refused" \
	in_use "locked for writing" "$DOPPEL" img check lk.qcow2
kill -9 "$child"
wait "$child" 2>/dev/null
check "the writer killed, its locks are gone" sh -c "qemu-img check -q lk.qcow2 && '$DOPPEL' img check lk.qcow2 >/dev/null"

# --- convert and create never empty a file the source reads through -------
cp base.raw cb.raw
qemu-img create -q -f qcow2 -b cb.raw -F raw cbo.qcow2
backing_kept() {  # exit status, then the command
	fails_with_one_line "$@" && cmp base.raw cb.raw && qemu-img compare -q cbo.qcow2 base.raw
}
check "convert onto SRC's backing file is refused; the backing file is unchanged" \
	backing_kept 2 "$DOPPEL" img convert -O raw cbo.qcow2 ./cb.raw
check "convert -O qcow2 onto it too" backing_kept 2 "$DOPPEL" img convert -O qcow2 cbo.qcow2 cb.raw
check "create over a file of BACKING's chain is refused; it is unchanged" \
	backing_kept 1 "$DOPPEL" img create -b cbo.qcow2 cb.raw
# --- the command line -----------------------------------------------------
check "bad size" fails_with_one_line 2 "$DOPPEL" img create x.raw 12Q
check "unknown format" fails_with_one_line 2 "$DOPPEL" img create -f vmdk x.img 1M
check "bad cluster size" fails_with_one_line 2 "$DOPPEL" img create -f qcow2 -o cluster_size=3000 x.qcow2 1M
check "missing file" fails_with_one_line 1 "$DOPPEL" img info nope.qcow2
check "create refuses to make a file its own backing file" \
	fails_with_one_line 1 "$DOPPEL" img create -b good.qcow2 good.qcow2
check "convert refuses to overwrite its source" \
	fails_with_one_line 2 "$DOPPEL" img convert -O raw base.raw ./base.raw
check "help for every subcommand" sh -c \
	"'$DOPPEL' img --help | grep -q convert && for c in create info check convert; do
	 '$DOPPEL' img \$c --help | grep -q '^usage: doppel img '\$c || exit 1; done"

finish
