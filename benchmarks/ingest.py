"""Load speed: synthetic reports loaded into a fresh database the way `reportbot load` does it.

    python -m benchmarks.ingest --count 1000 [--dir DIR] [--seed S] [--profile 25] [--write-docs]

Prints reports per second, total seconds, the database size, the load's peak memory (this
process and its workers together, PSS), and the rate in each tenth of the run (a rate that falls
as the database grows means per-load work that grows with it).
"""
from __future__ import annotations

import argparse
import cProfile
import pstats
import resource
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks import TreeMemory, machine, write_section
from benchmarks.synthetic import generate_apart
from bot.engine import Engine
from index.errors import ReportbotError

TARGET_RATE = 100.0  # txt reports per second on 2 cores (issue 10)


@dataclass(frozen=True)
class IngestResult:
    """What one run measured."""

    reports: int
    failed: int
    seconds: float
    cpu_seconds: float  # CPU time of this process and its worker processes while loading
    open_seconds: float
    generate_seconds: float
    db_mb: float
    tenths: tuple[float, ...]  # reports per second in each tenth of the run
    peak_mb: float  # this process and its workers while loading, PSS (shared pages once)

    @property
    def rate(self) -> float:
        """Reports loaded per second, over the whole run."""
        return self.reports / self.seconds if self.seconds else 0.0


def db_megabytes(db: Path) -> float:
    """Size of a SQLite database with its WAL and shared-memory files, in MB."""
    return sum(p.stat().st_size for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm")) if p.exists()) / 1024 ** 2


def _cpu_seconds() -> float:
    """CPU time so far of this process and of its finished child processes."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def load_all(db: Path, files: list[Path], *, progress: bool = True) -> tuple[int, float, float, float, tuple[float, ...]]:
    """Load files with Engine.open + Engine.load_many, as `reportbot load` does.

    Returns the failures, wall and CPU seconds of the loads, seconds of Engine.open, and the rate per tenth.
    """
    started = time.perf_counter()
    engine = Engine.open(db)
    opened = time.perf_counter()
    cpu = _cpu_seconds()
    failed = 0
    tenths: list[float] = []
    step = max(1, len(files) // 10)
    mark, mark_time = 0, opened
    try:
        for number, (path, outcome) in enumerate(engine.load_many(files), start=1):
            if isinstance(outcome, ReportbotError):
                failed += 1
                print(f"✗ {path.name}: {outcome}", file=sys.stderr)
            if number % step == 0 or number == len(files):
                now = time.perf_counter()
                tenths.append((number - mark) / (now - mark_time))
                mark, mark_time = number, now
                if progress:
                    print(f"  {number:>6} loaded, {tenths[-1]:6.1f} reports/s in this stretch", file=sys.stderr)
    finally:
        engine.close()
    return failed, time.perf_counter() - opened, _cpu_seconds() - cpu, opened - started, tuple(tenths)


def run(count: int, *, seed: int = 0, folder: Path | None = None, profile: int = 0) -> IngestResult:
    """Generate the reports, load them into a fresh database, and measure."""
    with tempfile.TemporaryDirectory(prefix="reportbot-ingest-") as scratch:
        folder = folder or Path(scratch) / "reports"
        started = time.perf_counter()
        files = generate_apart(folder, count, seed=seed)
        generated = time.perf_counter() - started
        db = Path(scratch) / "reports.db"
        profiler = cProfile.Profile() if profile else None
        if profiler:
            profiler.enable()
        with TreeMemory() as memory:
            failed, seconds, cpu_seconds, open_seconds, tenths = load_all(db, files)
        if profiler:
            profiler.disable()
            stats = pstats.Stats(profiler, stream=sys.stdout).strip_dirs()
            stats.sort_stats("cumulative").print_stats(profile)
            stats.sort_stats("tottime").print_stats(profile)
        return IngestResult(len(files) - failed, failed, seconds, cpu_seconds, open_seconds, generated,
                            db_megabytes(db), tenths, memory.peak_mb)


def report(result: IngestResult, command: str) -> str:
    """The results as Markdown, for the terminal and docs/benchmarks.md."""
    verdict = "met" if result.rate >= TARGET_RATE else "missed"
    tenths = ", ".join(f"{r:.0f}" for r in result.tenths)
    return "\n".join([
        f"Command: `{command}`  ",
        f"Machine: {machine()}  ",
        "Data: synthetic .txt reports from benchmarks/synthetic.py (the samples' three text layouts in turn), "
        "loaded with Engine.open + Engine.load_many into a fresh database, as `reportbot load` does.",
        "",
        "| reports | failed | load s | reports/s | CPU s (all processes) | reports per CPU s | database MB "
        "| peak memory MB (all processes, PSS) | Engine.open s | generating s |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {result.reports} | {result.failed} | {result.seconds:.1f} | {result.rate:.1f} | {result.cpu_seconds:.1f} "
        f"| {result.reports / result.cpu_seconds:.1f} | {result.db_mb:.1f} | {result.peak_mb:.0f} "
        f"| {result.open_seconds:.2f} "
        f"| {result.generate_seconds:.1f} |",
        "",
        f"Reports/s in each tenth of the run: {tenths}.  ",
        f"Target ≥ {TARGET_RATE:.0f} txt reports/s: **{verdict}**.",
    ])


def main(argv: list[str] | None = None) -> int:
    """Command line: run the load benchmark and print (and optionally record) the results."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.ingest", description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--dir", type=Path, help="write the synthetic reports here (kept) instead of a temp dir")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="profile the loads (this process only, not the workers); print the top N functions")
    parser.add_argument("--write-docs", action="store_true", help="write the results to docs/benchmarks.md (## Ingest)")
    args = parser.parse_args(argv)
    result = run(args.count, seed=args.seed, folder=args.dir, profile=args.profile)
    text = report(result, "python -m benchmarks.ingest " + " ".join(argv if argv is not None else sys.argv[1:]))
    print(text)
    if args.write_docs:
        write_section("Ingest", text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
