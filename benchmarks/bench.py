"""Benchmark the builder: JSON API, whole site, rebuilds, a tenfold catalog and the file-writing floor.

Every run is a fresh process (what users and CI run), timed end to end, with its peak memory
(see benchlib.py for how the process tree is measured). Each case runs several times on each
medium — a folder on disk and one on tmpfs — and is reported by its median; its inputs are copied
to that medium first. A case that fails is reported as "failed: <last line of its stderr>".

    .venv/bin/python benchmarks/bench.py            # every case, disk and tmpfs; writes benchmarks/RESULTS.md
    .venv/bin/python benchmarks/bench.py --quick    # one run per case on tmpfs, no tenfold catalog
    .venv/bin/python benchmarks/bench.py --reference ../upstream-recipes   # alternate with upstream's Node build
"""
from __future__ import annotations

import argparse
import datetime
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import (
    Run,
    copy_recipes,
    count_files,
    edit_one_recipe,
    machine,
    make_tenfold,
    mount_type,
    node_workspace,
    run_measured,
    serve_latency,
)

REPO = Path(__file__).resolve().parents[1]
LIB = Path(__file__).resolve().parent / "benchlib.py"
SHARED = REPO.parent / "shared" / "reference"
JUNE = SHARED / "upstream-2026-06-27" / "recipes"
TODAY = SHARED / "upstream-2026-08-21" / "recipes"
NODE_SCRIPT = ["node", "scripts/build-recipes-api.mjs"]

# Upstream's figures, shown beside ours when no checkout of its generator is given (--reference).
RECORDED = {
    "node-june": (1.56, "Node API build, June folder, idle machine"),
    "next-build": (63.0, "upstream `next build`, idle machine"),
    "node-tenfold": (50.0, "Node API build, tenfold catalog on disk, busy machine (issue 14)"),
}


@dataclass
class Case:
    name: str
    what: str
    sub: str  # builder subcommand: api or build
    recipes: str  # key of the input folder: june, today, ours, tenfold
    extra: tuple[str, ...] = ()
    api_version: str | None = None
    mode: str = "fresh"  # fresh: empty output, no cache; noop: rebuild same input; edit: one recipe changed;
    # floor: plain write loop; serve: save-to-page in `recipes serve`
    tenfold: bool = False
    node: bool = False  # alternate with upstream's Node generator when --reference is given
    recorded: str | None = None  # key of RECORDED
    floor_of: str | None = None  # the API case whose output the floor rewrites


CASES = [
    Case("api-june-ref", "JSON API of the June folder, reference documents only (Node's files)", "api", "june",
         ("--reference-only",), "2026-06", node=True, recorded="node-june"),
    Case("api-june", "JSON API of the June folder with our variant endpoints", "api", "june", (), "2026-06"),
    Case("api-today-ref", "JSON API of today's folder, reference documents only", "api", "today",
         ("--reference-only",), "2026-08", node=True),
    Case("api-today", "JSON API of today's folder with our variant endpoints", "api", "today", (), "2026-08"),
    Case("site-ours", "whole site (MkDocs) of recipes/", "build", "ours"),
    Case("site-today", "whole site of today's 173-recipe folder", "build", "today", (), "2026-08",
         recorded="next-build"),
    Case("noop-site", "site of recipes/ rebuilt unchanged into the same output", "build", "ours", mode="noop"),
    Case("edit-site", "site of recipes/ rebuilt after one recipe's description changed", "build", "ours",
         mode="edit"),
    Case("serve-edit", "recipes serve of recipes/: from saving one recipe's description to its page showing it",
         "serve", "ours", mode="serve"),
    Case("noop-api", "JSON API of the June folder rebuilt unchanged into the same output", "api", "june", (),
         "2026-06", mode="noop"),
    Case("edit-api", "JSON API of the June folder rebuilt after one recipe's description changed", "api", "june",
         (), "2026-06", mode="edit"),
    Case("api-tenfold-ref", "JSON API of the tenfold June catalog (1,420 recipes), reference documents only",
         "api", "tenfold", ("--reference-only",), "2026-06", tenfold=True, node=True, recorded="node-tenfold"),
    Case("api-tenfold", "JSON API of the tenfold June catalog with our variant endpoints", "api", "tenfold", (),
         "2026-06", tenfold=True),
    Case("floor-june-ref", "plain Python loop writing the files of api-june-ref", "api", "june",
         ("--reference-only",), "2026-06", mode="floor", floor_of="api-june-ref"),
    Case("floor-june", "plain Python loop writing the files of api-june", "api", "june", (), "2026-06",
         mode="floor", floor_of="api-june"),
    Case("floor-tenfold-ref", "plain Python loop writing the files of api-tenfold-ref", "api", "tenfold",
         ("--reference-only",), "2026-06", mode="floor", tenfold=True, floor_of="api-tenfold-ref"),
]


@dataclass
class Result:
    case: Case
    medium: str
    load_before: float
    load_after: float = 0.0
    runs: list[Run] = field(default_factory=list)
    node_runs: list[Run] = field(default_factory=list)
    files: int = 0
    written: int = 0
    node_files: int = 0
    failure: str = ""
    node_failure: str = ""


def median(runs: list[Run]) -> float:
    return statistics.median(r.wall for r in runs)


def supported_flags(python: str) -> dict[str, set[str]]:
    """Options each builder subcommand accepts, read from its --help (flags come and go between versions)."""
    flags = {}
    for sub in ("api", "build"):
        text = subprocess.run([python, "-m", "builder", sub, "--help"], cwd=REPO, capture_output=True,
                              text=True, check=False).stdout
        flags[sub] = set(re.findall(r"--[\w-]+", text))
    return flags


def builder_argv(case: Case, inp: Path, out: Path, flags: dict[str, set[str]]) -> list[str]:
    if case.sub == "serve":
        return [sys.executable, "-m", "builder", "serve", "--recipes", str(inp), *case.extra]
    argv = [sys.executable, "-m", "builder", case.sub, "--recipes", str(inp), "--out", str(out), *case.extra]
    if case.api_version and "--api-version" in flags[case.sub]:
        argv += ["--api-version", case.api_version]
    return argv


def run_case(case: Case, medium: str, parent: Path, runs: int, inputs: dict[str, Path],
             flags: dict[str, set[str]], reference: Path | None, interval: float) -> Result:
    result = Result(case, medium, os.getloadavg()[0])
    work = Path(tempfile.mkdtemp(prefix=f"bench-{case.name}-", dir=parent))
    try:
        inp = copy_recipes(inputs[case.recipes], work / "recipes")
        out, floor = work / "out", work / "floor"
        argv = builder_argv(case, inp, out, flags)
        if case.mode == "serve":
            result.runs, result.failure = serve_latency(argv, REPO, inp, runs, interval)
            return result
        if case.mode != "fresh":  # noop, edit and floor start from a finished build (untimed)
            first = run_measured(argv, REPO, interval)
            if not first.ok:
                result.failure = first.last_line
                return result
        workspace = node_workspace(reference, inp, work / "node") if reference and case.node else None
        for i in range(runs):
            if case.mode == "fresh":  # a cold build: no output and no record of an earlier one
                shutil.rmtree(out, ignore_errors=True)
                shutil.rmtree(work / ".recipes-cache", ignore_errors=True)
            elif case.mode == "edit":
                edit_one_recipe(inp, f"{i + 1}")
            # Untimed: write back what earlier runs and cases left dirty (and the output just
            # removed), so each run pays for its own writes only, as it would on a quiet machine.
            os.sync()
            since = time.time_ns()
            if case.mode == "floor":
                shutil.rmtree(floor, ignore_errors=True)
                run = run_measured([sys.executable, str(LIB), "floor", str(out), str(floor)], REPO, interval)
                run.wall = float(run.stdout) if run.ok else run.wall  # the write loop alone
            else:
                run = run_measured(argv, REPO, interval)
            if not run.ok:
                result.failure = run.last_line
                break
            result.runs.append(run)
            result.files, result.written = count_files(floor if case.mode == "floor" else out, since)
            if workspace is not None and not result.node_failure:
                shutil.rmtree(workspace / "public", ignore_errors=True)
                os.sync()
                node = run_measured(NODE_SCRIPT, workspace, interval)
                if node.ok:
                    result.node_runs.append(node)
                    result.node_files = count_files(workspace / "public")[0]
                else:
                    result.node_failure = node.last_line
    finally:
        shutil.rmtree(work, ignore_errors=True)
        result.load_after = os.getloadavg()[0]
    return result


def ratio(result: Result, results: list[Result]) -> str:
    """Our median against upstream's (side by side, else recorded), or the floor against its API build."""
    if not result.runs:
        return ""
    ours = median(result.runs)
    if result.node_runs:
        return f"{ours / median(result.node_runs):.2f}× Node (side by side)"
    if result.case.floor_of:
        api = [r for r in results if r.case.name == result.case.floor_of and r.medium == result.medium and r.runs]
        return f"{result.case.floor_of} is {median(api[0].runs) / ours:.1f}× this" if api else ""
    if result.case.recorded:
        seconds, _ = RECORDED[result.case.recorded]
        return f"{ours / seconds:.2f}× recorded {seconds:g} s"
    return ""


def _row(name: str, medium: str, runs: list[Run], files: str, load: str, versus: str) -> list[str]:
    walls = [x.wall for x in runs]
    return [name, medium, str(len(walls)), f"{statistics.median(walls):.3f}", f"{min(walls):.3f}–{max(walls):.3f}",
            f"{max(x.tree_mib for x in runs):.0f}", f"{max(x.proc_mib for x in runs):.0f}", files, load, versus]


def table(results: list[Result]) -> str:
    head = ["case", "medium", "runs", "median s", "min–max s", "tree MiB", "proc MiB", "files (written)",
            "load 1m before→after", "vs reference"]
    rows = []
    for r in results:
        load = f"{r.load_before:.2f}→{r.load_after:.2f}"
        if r.runs:
            files = f"{r.files} ({r.written})" if r.case.mode != "serve" else "–"
            rows.append(_row(r.case.name, r.medium, r.runs, files, load, ratio(r, results)))
        if r.failure:
            rows.append([r.case.name, r.medium, str(len(r.runs)), f"failed: {r.failure}", "", "", "", "", load, ""])
        if r.node_runs:
            rows.append(_row(f"node: {r.case.name}", r.medium, r.node_runs, str(r.node_files), load, ""))
        if r.node_failure:
            rows.append([f"node: {r.case.name}", r.medium, "", f"failed: {r.node_failure}", "", "", "", "", load, ""])
    widths = [max(len(row[i]) for row in [head, *rows]) for i in range(len(head))]
    lines = ["| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) + " |"
             for row in [head, *rows]]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def goals(results: list[Result]) -> list[str]:
    """Issue 14's goals, each met, missed by how much, or not measured (on disk when it was measured)."""
    def find(name: str) -> Result | None:
        found = [r for r in results if r.case.name == name and r.runs]
        return next((r for r in found if r.medium == "disk"), found[0] if found else None)

    def med(r: Result | None) -> float | None:
        return median(r.runs) if r is not None else None

    def check(label: str, value: float | None, limit: float, unit: str = "s") -> str:
        if value is None:
            return f"- {label}: not measured (failed or not run)"
        verdict = "met" if value <= limit else f"missed by {value / limit:.2f}×"
        return f"- {label}: {value:.2f} {unit} against at most {limit:.2f} {unit} — {verdict}"

    lines = []
    for name, node_key in (("api-june-ref", "node-june"), ("api-today-ref", None)):
        r = find(name)
        if r and r.node_runs:
            lines.append(check(f"{name} at most 0.5× Node (side by side, {r.medium})", median(r.runs),
                               0.5 * median(r.node_runs)))
        elif node_key:
            lines.append(check(f"{name} at most 0.5× Node (recorded {RECORDED[node_key][0]} s, {r and r.medium})",
                               med(r), 0.5 * RECORDED[node_key][0]))
        else:
            lines.append(f"- {name} at most 0.5× Node: no Node figure for this folder (give --reference)")
    r = find("site-ours")
    lines.append(check("site of recipes/ at most 10 s", med(r), 10.0))
    r = find("site-today")
    lines.append(check("site of today's folder at most a fifth of `next build` (63 s)", med(r), 12.6))
    for name in ("noop-site", "noop-api"):
        r = find(name)
        lines.append(check(f"{name} under 1 s", med(r), 1.0))
    r = find("serve-edit")
    lines.append(check("`recipes serve` save-to-updated-page on recipes/ at most 1 s", med(r), 1.0))
    ten, june = find("api-tenfold-ref"), find("api-june-ref")
    same = [r for r in results if ten and r.case.name == "api-june-ref" and r.medium == ten.medium and r.runs]
    june = same[0] if same else june
    lines.append(check("tenfold catalog at most 10× the June folder's time (reference documents)",
                       median(ten.runs) / median(june.runs) if ten and june else None, 10.0, "×"))
    peaks = [x.tree_mib for r in results if r.case.name.startswith("api-tenfold") for x in r.runs]
    lines.append(check("tenfold catalog peak memory (process tree) under 500 MiB", max(peaks, default=None), 500,
                       "MiB"))
    return lines


def report(results: list[Result], facts: dict[str, str], header: list[str], interval: float) -> str:
    cases = {r.case.name: r.case for r in results}
    return "\n".join([
        "# Benchmark results", "",
        "Written by `benchmarks/bench.py` (run it from the repository root; see the README's *Benchmarks*).", "",
        *header, "",
        f"Machine: {facts['nproc']} CPUs ({facts.get('cpu', '?')}), {facts.get('memory', '?')} memory, "
        f"Python {facts['python']}.", "",
        table(results), "",
        "Wall times are medians over the runs; *min–max* is their range. *tree MiB* is the largest sum of "
        "proportional set sizes (PSS) over the process tree (the builder and its forked workers), sampled "
        f"every {interval * 1000:g} ms; *proc MiB* is the largest resident set of any one process (`ru_maxrss`). *files "
        "(written)*: files in the output, and how many of them were written by the last run (modified "
        "since it started). *load 1m*: the one-minute load average before and after the case; other "
        "builds and tests were running on this machine, so compare ratios, not absolute times.", "",
        "## Goals of issue 14", "", *goals(results), "",
        "## Cases", "", *[f"- `{c.name}`: {c.what}" for c in cases.values()], "",
        "Recorded upstream figures (used when no `--reference` checkout is given): "
        + "; ".join(f"{label}: {s:g} s" for s, label in RECORDED.values()) + ".", "",
    ])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, help="timed runs per case and medium (default 5; 1 with --quick)")
    p.add_argument("--tenfold-runs", type=int, default=3, help="timed runs of the tenfold cases (default 3)")
    p.add_argument("--quick", action="store_true", help="one run per case, tmpfs only, no tenfold catalog")
    p.add_argument("--cases", help="comma-separated case names or prefixes (default: all; see --list)")
    p.add_argument("--list", action="store_true", help="list the cases and exit")
    p.add_argument("--media", help="disk, tmpfs or disk,tmpfs (default: both; tmpfs with --quick)")
    p.add_argument("--disk-dir", type=Path, default=Path(tempfile.gettempdir()), help="disk folder (default /tmp)")
    p.add_argument("--tmpfs-dir", type=Path, default=Path("/dev/shm"), help="tmpfs folder (default /dev/shm)")
    p.add_argument("--june", type=Path, default=JUNE, help="the June reference recipe folder")
    p.add_argument("--today", type=Path, default=TODAY, help="today's reference recipe folder")
    p.add_argument("--ours", type=Path, default=REPO / "recipes", help="our catalog (default recipes/)")
    p.add_argument("--reference", type=Path, help="checkout of upstream's generator, run alternately with ours")
    p.add_argument("--results", type=Path, help="Markdown report (default benchmarks/RESULTS.md; none with --quick)")
    # Reading smaps_rollup of a 400 MiB process walks its page tables: at 20 samples a second the
    # sampler alone took a fifth of one of the two cores and slowed the builds it measured.
    p.add_argument("--interval", type=float, default=0.25, help="memory sampling interval in seconds (default 0.25)")
    args = p.parse_args(argv)
    if args.list:
        print("\n".join(f"{c.name:18} {c.what}" for c in CASES))
        return 0
    wanted = args.cases.split(",") if args.cases else None
    if wanted:
        cases = [c for c in CASES if any(c.name.startswith(w) for w in wanted)]
    else:
        cases = [c for c in CASES if not (args.quick and c.tenfold)]
    media = (args.media or ("tmpfs" if args.quick else "disk,tmpfs")).split(",")
    parents = {"disk": args.disk_dir, "tmpfs": args.tmpfs_dir}
    runs = args.runs or (1 if args.quick else 5)
    results_path = args.results or (None if args.quick else REPO / "benchmarks" / "RESULTS.md")
    for m in media:
        kind = mount_type(parents[m])
        if (kind == "tmpfs") != (m == "tmpfs"):
            print(f"note: the {m} folder {parents[m]} is on {kind}", file=sys.stderr)
    facts, flags = machine(), supported_flags(sys.executable)
    started = datetime.datetime.now(datetime.UTC)
    command = " ".join(["benchmarks/bench.py", *(argv if argv is not None else sys.argv[1:])])
    version = "passed" if "--api-version" in flags["api"] else "not supported by this builder, so omitted"
    header = [f"Run of {started:%Y-%m-%d %H:%M} UTC at commit `{facts['commit']}`; command: `{command}`.",
              "Media: " + ", ".join(f"{m} = {parents[m]} ({mount_type(parents[m])})" for m in media)
              + f". Runs per case: {runs} ({min(runs, args.tenfold_runs)} for the tenfold catalog). "
              + f"`--api-version`: {version}."
              + (f" Node generator: {args.reference}." if args.reference else "")]
    print("\n".join(header), flush=True)
    inputs = {"june": args.june, "today": args.today, "ours": args.ours}
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="bench-inputs-") as scratch:
        if any(c.tenfold for c in cases):
            inputs["tenfold"] = make_tenfold(args.june, Path(scratch) / "tenfold")
        for case in cases:
            for m in media:
                n = min(runs, args.tenfold_runs) if case.tenfold else runs
                r = run_case(case, m, parents[m], n, inputs, flags, args.reference, args.interval)
                results.append(r)
                state = f"failed: {r.failure}" if r.failure else f"median {median(r.runs):.3f} s"
                print(f"{case.name} [{m}]: {state} (load {r.load_before:.2f}→{r.load_after:.2f})", flush=True)
    print()
    print(table(results))
    if results_path is not None:
        ended = datetime.datetime.now(datetime.UTC)
        header.append(f"Took {(ended - started).total_seconds() / 60:.1f} min.")
        results_path.write_text(report(results, facts, header, args.interval), encoding="utf-8")
        print(f"\nwrote {results_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
