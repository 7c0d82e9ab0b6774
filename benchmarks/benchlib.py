"""Helpers of `bench.py`: timed runs with peak memory, the tenfold catalog, the file-writing floor.

Memory is measured two ways for every run, because the API build forks one worker per core:

* **proc MiB** — the largest resident set of any single process of the run (`ru_maxrss` from
  `wait4`, which the kernel takes over the child and every descendant it waited for);
* **tree MiB** — the largest sum of proportional set sizes (`Pss` in `/proc/PID/smaps_rollup`)
  over the whole process tree, sampled every `interval` seconds from a thread. PSS splits pages
  that forked workers share with their parent, so the sum does not count them twice; a peak
  shorter than the interval can be missed, which is why both figures are reported.

:func:`serve_latency` times `recipes serve`: save a recipe, poll its page until the change is served.

`python benchmarks/benchlib.py floor SRC DST` is the file-writing floor: it reads every file below
SRC into memory, then times a plain loop (`os.makedirs` + `open`/`write`) writing the same bytes
to the same relative paths below DST, and prints the seconds of that loop alone.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Run:
    """One timed process: wall seconds, memory in MiB, and how it ended."""

    wall: float
    proc_mib: float
    tree_mib: float
    ok: bool
    last_line: str = ""
    stdout: str = ""


def _children() -> dict[int, list[int]]:
    table: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue
        table.setdefault(int(fields[1]), []).append(int(name))
    return table


def _pss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
            for line in f:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


class TreeSampler(threading.Thread):
    """Samples the summed PSS of a process and its descendants until stopped."""

    def __init__(self, root: int, interval: float) -> None:
        super().__init__(daemon=True)
        self.root, self.interval, self.peak_kib = root, interval, 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            table, todo, total = _children(), [self.root], 0
            while todo:
                pid = todo.pop()
                total += _pss_kib(pid)
                todo.extend(table.get(pid, ()))
            self.peak_kib = max(self.peak_kib, total)
            self.done.wait(self.interval)


_LOCATED = re.compile(r"^\S+:\d+:\d+: ")


def run_measured(argv: list[str], cwd: Path, interval: float = 0.05) -> Run:
    """Run argv to completion in a fresh process; time it and measure its memory."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        sampler = TreeSampler(proc.pid, interval)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        sampler.done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        lines = [line for line in err.read().decode("utf-8", "replace").splitlines() if line.strip()]
        last = lines[-1].strip() if lines else f"exit status {proc.returncode}"
        located = sum(1 for line in lines if _LOCATED.match(line))
        if proc.returncode != 0 and located and not re.search(r"\d+ problems?", last):
            last += f" ({located} file:line:column problems)"
        return Run(wall, usage.ru_maxrss / 1024, sampler.peak_kib / 1024, proc.returncode == 0, last,
                   out.read().decode("utf-8", "replace"))


def count_files(root: Path, since_ns: int = 0) -> tuple[int, int]:
    """(files below root, files among them modified at or after since_ns)."""
    total = written = 0
    for folder, _, names in os.walk(root):
        for name in names:
            total += 1
            if os.stat(os.path.join(folder, name)).st_mtime_ns >= since_ns:
                written += 1
    return total, written


def copy_recipes(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst, symlinks=False)
    return dst


def edit_one_recipe(recipes: Path, stamp: str) -> Path:
    """Change the description of the first recipe (by path order); return the file changed."""
    path = min((recipes / "models").glob("*/*.yaml"))
    text = path.read_text(encoding="utf-8")
    new, n = re.subn(r'^(\s+description:\s*)(["\']?)(.*?)\2\s*$', rf"\1\2\3 (edit {stamp})\2", text, count=1,
                     flags=re.MULTILINE)
    path.write_text(new if n else text + f"\n# edit {stamp}\n", encoding="utf-8")
    return path


_ID = r"""(["']?)([\w.-]+)/([\w.-]+)\2"""
_MODEL_ID = re.compile(rf"^(\s*model_id:\s*){_ID}(\s*(?:#.*)?)$")
_LIST_ITEM = re.compile(rf"^(\s*-\s*){_ID}(\s*(?:#.*)?)$")


def rename_orgs(text: str, suffix: str) -> str:
    """Rewrite the recipe ids a recipe file names so that a copy under other organisations validates.

    Every `model_id: ORG/REPO` (the model, each variant's promoted checkpoint, omni tasks) and every
    item of `related_recipes:` becomes `ORG<suffix>/REPO`: promoted checkpoint ids must not collide
    between copies, and related recipes should link within the copy. Other text (guides, args) is
    left as it is. Line-based, so the YAML is otherwise byte for byte the original.
    """
    out, in_related, related_indent = [], False, 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\n")
        indent = len(body) - len(body.lstrip())
        stripped = body.lstrip()
        if in_related and stripped and (indent < related_indent or not stripped.startswith(("-", "#"))):
            in_related = False
        m = _MODEL_ID.match(body)
        if m is None and in_related:
            m = _LIST_ITEM.match(body)
        if m is not None:
            lead, quote, org, repo, tail = m.group(1, 2, 3, 4, 5)
            line = f"{lead}{quote}{org}{suffix}/{repo}{quote}{tail}" + line[len(body):]
        if re.match(r"^\s*related_recipes:\s*(#.*)?$", body):
            in_related, related_indent = True, indent
        out.append(line)
    return "".join(out)


def make_tenfold(src: Path, dst: Path, copies: int = 9) -> Path:
    """src with each recipe also copied under `copies` more organisations (models/<org>-copyN/<repo>.yaml)."""
    shutil.copytree(src, dst)
    for path in sorted((src / "models").glob("*/*.yaml")):
        text = path.read_text(encoding="utf-8")
        for n in range(1, copies + 1):
            target = dst / "models" / f"{path.parent.name}-copy{n}" / path.name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(rename_orgs(text, f"-copy{n}"), encoding="utf-8")
    return dst


def node_workspace(checkout: Path, recipes: Path, dst: Path) -> Path:
    """A folder where upstream's `node scripts/build-recipes-api.mjs` reads `recipes` and writes public/.

    The generator reads models/, strategies/, taxonomy.yaml (and platforms.yaml) from its working
    directory; everything else of the checkout (scripts, src, node_modules, …) is linked in.
    """
    dst.mkdir(parents=True)
    inputs = {p.name for p in recipes.iterdir()}
    for entry in checkout.iterdir():
        if entry.name not in inputs and entry.name not in ("public", ".git"):
            (dst / entry.name).symlink_to(entry.resolve())
    for entry in recipes.iterdir():
        (dst / entry.name).symlink_to(entry.resolve())
    return dst


def write_floor(src: Path, dst: Path) -> float:
    """Seconds a plain Python loop takes to write src's files (already in memory) below dst."""
    files = []
    for folder, _, names in os.walk(src):
        rel = os.path.relpath(folder, src)
        for name in names:
            with open(os.path.join(folder, name), "rb") as f:
                files.append((os.path.normpath(os.path.join(dst, rel)), name, f.read()))
    start = time.perf_counter()
    for folder, name, data in files:
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, name), "wb") as f:
            f.write(data)
    return time.perf_counter() - start


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _page(url: str) -> bytes | None:
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return bytes(response.read())
    except OSError:
        return None


def serve_latency(argv: list[str], cwd: Path, recipes: Path, runs: int, interval: float = 0.05,
                  ready_timeout: float = 900.0, timeout: float = 120.0) -> tuple[list[Run], str]:
    """Start `argv + --dev-addr` (a `recipes serve`), wait for its first build, then `runs` times:
    save an edit to the first recipe (by path order) and time until its page shows the edit
    (polled every 20 ms). Returns one Run per edit (tree MiB: the server's peak so far) and a
    failure message ("" when all went well)."""
    port = _free_port()
    first = min((recipes / "models").glob("*/*.yaml"))
    url = f"http://127.0.0.1:{port}/{first.parent.name}/{first.stem}/"
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen([*argv, "--dev-addr", f"127.0.0.1:{port}"], cwd=cwd, stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=err)
        sampler = TreeSampler(proc.pid, interval)
        sampler.start()
        found: list[Run] = []
        failure = ""
        try:
            started = time.perf_counter()
            while _page(url) is None:
                if proc.poll() is not None or time.perf_counter() - started > ready_timeout:
                    err.seek(0)
                    lines = err.read().decode("utf-8", "replace").strip().splitlines() or ["no first build"]
                    return found, lines[-1]
                time.sleep(0.2)
            for i in range(runs):
                time.sleep(1.0)  # a quiet moment, as between two saves
                stamp = f"serve{i + 1}"
                edit_one_recipe(recipes, stamp)
                saved = time.perf_counter()
                while f"(edit {stamp})".encode() not in (_page(url) or b""):
                    if time.perf_counter() - saved > timeout:
                        return found, f"edit {i + 1} not served after {timeout:.0f} s"
                    time.sleep(0.02)
                found.append(Run(time.perf_counter() - saved, 0.0, sampler.peak_kib / 1024, True))
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            sampler.done.set()
            sampler.join()
        return found, failure


def mount_type(path: Path) -> str:
    """File system type of the mount holding path (longest matching mount point in /proc/mounts)."""
    best, kind = "", "?"
    real = str(path.resolve())
    try:
        with open("/proc/mounts", encoding="utf-8") as f:
            for line in f:
                point, fstype = line.split()[1:3]
                inside = real == point or real.startswith(point.rstrip("/") + "/")
                if inside and len(point) >= len(best):
                    best, kind = point, fstype
    except OSError:
        pass
    return kind


def machine() -> dict[str, str]:
    """nproc, memory, CPU model, Python version and git commit, as text."""
    facts = {"nproc": str(os.cpu_count()), "python": sys.version.split()[0]}
    try:
        meminfo = Path("/proc/meminfo").read_text().split()
        facts["memory"] = f"{int(meminfo[meminfo.index('MemTotal:') + 1]) / 1024 ** 2:.1f} GiB"
        cpu = re.search(r"^model name\s*:\s*(.*)$", Path("/proc/cpuinfo").read_text(), re.MULTILINE)
        facts["cpu"] = cpu.group(1) if cpu else "?"
    except (OSError, ValueError):
        facts.setdefault("memory", "?")
    repo = Path(__file__).resolve().parents[1]
    git = subprocess.run(["git", "describe", "--always", "--dirty", "--abbrev=12"], cwd=repo,
                         capture_output=True, text=True, check=False)
    facts["commit"] = git.stdout.strip() or "?"
    return facts


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] != "floor":
        raise SystemExit("usage: benchlib.py floor SRC DST")
    print(f"{write_floor(Path(sys.argv[2]), Path(sys.argv[3])):.6f}")
