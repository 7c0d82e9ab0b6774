"""Benchmark: build the JSON API of a recipe folder several times; print median wall time and peak memory.

Each run is a fresh `python -m builder api` process (what users and CI run), timed end to end,
with its peak resident memory read from the kernel (ru_maxrss of the child).

    python benchmarks/api_build.py [--recipes DIR] [--runs 7]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "reference" / "upstream-2026-06-27" / "recipes"


def one_run(recipes: Path, out: Path, extra: list[str]) -> tuple[float, float]:
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 2)
        os.execv(sys.executable, [sys.executable, "-m", "builder", "api", "--recipes", str(recipes), "--out", str(out), *extra])
    _, status, usage = os.wait4(pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"build failed with status {status}")
    return elapsed, usage.ru_maxrss / 1024  # KiB → MiB on Linux


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipes", type=Path, default=DEFAULT)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--out-parent", type=Path, action="append",
                        help="where to build (repeatable); default: the system temp folder and /dev/shm (tmpfs)")
    args = parser.parse_args()
    parents = args.out_parent or [Path(tempfile.gettempdir())] + ([Path("/dev/shm")] if Path("/dev/shm").is_dir() else [])
    print(f"recipes: {args.recipes}; {args.runs} runs each; load average {os.getloadavg()[0]:.2f}")
    cases = [(parent, label, extra) for parent in parents
             for label, extra in (("reference documents only (--reference-only)", ["--reference-only"]),
                                  ("full API with per-variant endpoints", []))]
    for parent, label, extra in cases:
        times, peaks = [], []
        with tempfile.TemporaryDirectory(dir=parent) as tmp:
            out = Path(tmp) / "api"
            subprocess.run([sys.executable, "-m", "builder", "api", "--recipes", str(args.recipes), "--out", str(out),
                            *extra], check=True, capture_output=True)  # warm the page cache
            for _ in range(args.runs):
                elapsed, peak = one_run(args.recipes, out, extra)
                times.append(elapsed)
                peaks.append(peak)
            files = sum(1 for _ in out.rglob("*.json"))
        print(f"[{parent}] {label}: {files} files; wall time median {statistics.median(times):.3f} s "
              f"(min {min(times):.3f}, max {max(times):.3f}); peak memory median {statistics.median(peaks):.1f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
