"""The results of a bench run as a table: plain text for the terminal and
markdown for docs/performance.md, with the machine they were measured on."""
import datetime
import math
import os
import platform
import subprocess
import statistics

# The targets of issue 4, each a doppel/QEMU or doppel/native time ratio.
TARGETS = [
    ("boot to the shell prompt faster than QEMU", "boot", "qemu", lambda r: r < 1.0),
    ("suite geometric mean at least as fast as QEMU", "suite", "qemu", lambda r: r <= 1.0),
    ("suite geometric mean within 10x of native", "suite", "native", lambda r: r <= 10.0),
]


def median(values):
    return statistics.median(values) if values else None


def geomean(values):
    if not values or any(v is None or v <= 0 for v in values):
        return None
    return math.exp(sum(math.log(v) for v in values) / len(values))


def ratio(a, b):
    return a / b if a is not None and b else None


def command_line(argv):
    try:
        out = subprocess.run(argv, capture_output=True, text=True, check=False).stdout
    except OSError:
        return "unknown"
    return out.strip().splitlines()[0] if out.strip() else "unknown"


def machine_info(qemu, guest_kernel):
    """(label, value) pairs describing where and with what the figures were
    taken."""
    cpu = "unknown"
    lscpu = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
    for line in lscpu.splitlines():
        if line.startswith("Model name:"):
            cpu = line.split(":", 1)[1].strip()
    host_os = "unknown"
    try:
        with open("/etc/os-release", encoding="utf-8") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    host_os = line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    revision = command_line(["git", "rev-parse", "--short", "HEAD"])
    dirty = subprocess.run(["git", "diff", "--quiet", "HEAD"], check=False).returncode != 0
    now = datetime.datetime.now(datetime.timezone.utc)
    return [
        ("date", now.strftime("%Y-%m-%d %H:%M UTC")),
        ("host", "%s, %d cores, %s, Linux %s" % (cpu, os.cpu_count() or 0, host_os,
                                                 platform.release())),
        ("QEMU", command_line([qemu, "--version"])),
        ("doppel", "git %s%s" % (revision, " with uncommitted changes" if dirty else "")),
        ("guest", "Linux %s riscv64, busybox initramfs, 1 hart, 512 MiB" % guest_kernel),
    ]


def seconds(value):
    """A time in seconds as printed, or "-" if there is none."""
    return "-" if value is None else "%.2f s" % value


def _verdict(value, above, below):
    """The ratio as printed, and what it means: judged on the two decimals
    shown, so that 1.00 never reads as faster or slower."""
    shown = "%.2f" % value
    verdict = above if float(shown) > 1 else below if float(shown) < 1 else "same"
    return "%s (%s)" % (shown, verdict)


def time_ratio(value):
    """A doppel/QEMU ratio of times (or latencies), with its verdict."""
    if value is None:
        return "-"
    return _verdict(value, "doppel slower", "doppel faster")


def rate_ratio(value):
    """A doppel/QEMU ratio of rates (throughput), with its verdict."""
    if value is None:
        return "-"
    return _verdict(value, "doppel faster", "doppel slower")


def spread(values, digits=0):
    """The range of the runs' values."""
    return "-" if not values else "%.*f-%.*f" % (digits, min(values), digits, max(values))


def _plain(value):
    return "-" if value is None else "%.1f" % value


def rows(results, kernels):
    """Table rows: one per benchmark, then the suite's geometric means, then
    peak memory. Cells are strings; the first row is the header."""
    d, q, n = results["doppel"], results["qemu"], results["native"]
    table = [["benchmark", "doppel", "QEMU", "native", "doppel/QEMU", "doppel/native",
              "QEMU/native"]]
    boot_d, boot_q = median(d["boot"]), median(q["boot"])
    table.append(["boot to prompt", seconds(boot_d), seconds(boot_q), "-",
                  time_ratio(ratio(boot_d, boot_q)), "-", "-"])
    for name in kernels:
        kd, kq, kn = (median(r["kernels"].get(name, [])) for r in (d, q, n))
        table.append([name, seconds(kd), seconds(kq), seconds(kn),
                      time_ratio(ratio(kd, kq)), _plain(ratio(kd, kn)), _plain(ratio(kq, kn))])
    s = suite_means(results, kernels)
    table.append(["suite geomean", seconds(s["doppel"]), seconds(s["qemu"]),
                  seconds(s["native"]), time_ratio(s["doppel/qemu"]), _plain(s["doppel/native"]),
                  _plain(s["qemu/native"])])
    table.append(["peak RSS", _mib(d["maxrss_kib"]), _mib(q["maxrss_kib"]), "-", "-", "-", "-"])
    return table


def _mib(kib):
    return "-" if not kib else "%d MiB" % round(kib / 1024)


def suite_means(results, kernels):
    """Geometric means of the suite's median times, and of the per-kernel
    ratios (which is the same number as the ratio of the means)."""
    med = {who: [median(results[who]["kernels"].get(k, [])) for k in kernels]
           for who in ("doppel", "qemu", "native")}
    means = {who: geomean(v) for who, v in med.items()}
    means["doppel/qemu"] = geomean([ratio(a, b) for a, b in zip(med["doppel"], med["qemu"])])
    means["doppel/native"] = geomean([ratio(a, b) for a, b in zip(med["doppel"], med["native"])])
    means["qemu/native"] = geomean([ratio(a, b) for a, b in zip(med["qemu"], med["native"])])
    return means


def targets(results, kernels):
    """(description, ratio or None, met) for each target."""
    s = suite_means(results, kernels)
    values = {("boot", "qemu"): ratio(median(results["doppel"]["boot"]),
                                      median(results["qemu"]["boot"])),
              ("suite", "qemu"): s["doppel/qemu"],
              ("suite", "native"): s["doppel/native"]}
    out = []
    for text, what, against, ok in TARGETS:
        value = values[(what, against)]
        out.append((text, value, value is not None and ok(value)))
    return out


def _target_lines(results, kernels):
    return ["%s: doppel/%s = %s, %s" % (text, "QEMU" if "QEMU" in text else "native",
                                        "-" if value is None else "%.2f" % value,
                                        "met" if met else "NOT met")
            for text, value, met in targets(results, kernels)]


def text_table(info, table, lines_after, left_columns=1):
    """The machine, the table in aligned columns (the first left_columns
    left-aligned), then lines_after."""
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    lines = ["%-7s %s" % (k + ":", v) for k, v in info]
    lines.append("")
    for i, row in enumerate(table):
        lines.append("  ".join(cell.ljust(w) if j < left_columns else cell.rjust(w)
                               for j, (cell, w) in enumerate(zip(row, widths))).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    lines.append("")
    lines.extend(lines_after)
    return "\n".join(lines) + "\n"


def markdown_table(info, table, lines_after, left_columns=1):
    """The same as text_table, as a markdown list, table and list."""
    lines = ["- %s: %s" % (k, v) for k, v in info]
    lines.append("")
    lines.append("| " + " | ".join(table[0]) + " |")
    lines.append("|" + "|".join(["---"] * left_columns +
                                ["---:"] * (len(table[0]) - left_columns)) + "|")
    for row in table[1:]:
        lines.append("| " + " | ".join(row) + " |")
    lines.append("")
    lines.extend("- " + line for line in lines_after)
    return "\n".join(lines) + "\n"


def publish(out, info, table, lines_after, left_columns, errors):
    """Prints the table and writes it to OUT/results.md, then the errors;
    returns the exit status (1 if there were errors)."""
    print()
    print(text_table(info, table, lines_after, left_columns), end="")
    path = os.path.join(out, "results.md")
    with open(path, "w", encoding="utf-8") as f:
        f.write(markdown_table(info, table, lines_after, left_columns))
    print("(markdown: %s; console logs: %s)" % (path, os.path.join(out, "logs")))
    for e in errors:
        print("ERROR " + e)
    return 1 if errors else 0


def text(info, table, results, kernels, runs):
    return text_table(info + [("runs", runs)], table, _target_lines(results, kernels))


def markdown(info, table, results, kernels, runs):
    return markdown_table(info + [("runs", runs)], table, _target_lines(results, kernels))
