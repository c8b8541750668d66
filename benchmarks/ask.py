"""Answer latency, start-up time and memory over databases of synthetic reports.

    python -m benchmarks.ask --reports 1000 10000 [--seed S] [--questions 200] [--write-docs]

For each size a database is built once and cached under benchmarks/out/ (keyed by size and
seed). Each measurement runs in a fresh Python process: start-up is import + Engine.open + the
first answer; then a mix of ~200 questions (values, rankings, comparisons, sums, shares,
changes, checks, passage retrieval) is answered once each, timing Engine.ask + to_json.
The databases are built the way `reportbot load` builds one (Engine.load_many).
"""
from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from dataclasses import asdict, dataclass
from pathlib import Path

from benchmarks import OUT_DIR, TreeMemory, machine, write_section

# Issue 10's targets at 50,000 reports.
TARGET_P95_MS = 50.0
TARGET_STARTUP_S = 1.5
TARGET_MEMORY_MB = 500.0
EXPECTED_ROUTE = {"value": "structured", "rank": "structured", "compare": "structured", "sum": "structured",
                  "share": "structured", "change": "structured", "check": "check", "retrieval": "retrieval",
                  "retrieval-all": "retrieval"}
# How many questions of each kind in a mix of 200, and their wordings ({a}, {b}: places; {y}: a year).
_MIX = {
    "value": (50, ("{a}{y}年行政处罚多少件？", "{a}{y}年收到了多少政府信息公开申请？", "{a}{y}年予以公开的申请有多少件？",
                   "{a}{y}年行政许可的数量是多少？", "{a}行政处罚多少件？", "{a}{y}年自然人提出了多少申请？",
                   "{a}{y}年行政事业性收费金额是多少？", "{a}{y}年现行有效的规范性文件有多少件？")),
    "rank": (25, ("哪个地方的行政处罚最多？", "{y}年哪个县收到的政府信息公开申请最多？", "行政许可数量前5名是哪些地方？",
                  "{y}年哪个区的行政复议最少？", "{y}年哪个部门予以公开的申请最多？")),
    "compare": (20, ("{a}和{b}哪个行政处罚多？", "{a}和{b}{y}年收到的政府信息公开申请哪个更多？")),
    "sum": (15, ("{a}和{b}的行政处罚一共多少件？", "{y}年所有地方的行政许可合计多少？")),
    "share": (15, ("{a}予以公开的申请占办理总数的比例是多少？", "{a}{y}年不予公开的申请占比是多少？")),
    "change": (10, ("{a}行政处罚比上年增加了多少？", "{a}收到的政府信息公开申请比上年增长了多少？")),
    "check": (10, ("{a}的年报数据有没有对不上的地方？",)),
    "retrieval": (40, ("{a}政务公开存在哪些问题？", "{a}公众号推送了多少条信息", "{a}的政策解读工作做得怎么样？",
                       "{a}{y}年如何加强政务新媒体管理？")),
    "retrieval-all": (15, ("哪些地方提到了政务新媒体监管？", "政府网站集约化建设进展如何？", "哪里开展了政务开放日活动？")),
}


@dataclass(frozen=True)
class Question:
    """One question of the mix and the kind it stands for."""

    kind: str
    text: str


def db_path(size: int, seed: int) -> Path:
    """Where the cached database of ``size`` synthetic reports made with ``seed`` lives."""
    return OUT_DIR / f"ask-{size}-seed{seed}.db"


def build(db: Path, size: int, seed: int) -> dict:
    """Load ``size`` synthetic reports into a new database: the seconds taken (generating the
    files, then loading them) and the load's peak memory, this process and its workers together
    (PSS), and this process's own peak (VmHWM). Run in a fresh process (build_fresh)."""
    from benchmarks.synthetic import generate_apart
    from bot.engine import Engine
    from index.errors import ReportbotError

    started = time.perf_counter()
    partial = db.with_name(db.name + ".partial")
    for stale in (partial, *(Path(f"{partial}-{kind}") for kind in ("wal", "shm", "search", "catalog"))):
        stale.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="reportbot-ask-") as folder:
        paths = generate_apart(Path(folder), size, seed=seed)
        generated = time.perf_counter() - started
        with TreeMemory() as memory:
            engine = Engine.open(partial)
            try:
                for number, (path, outcome) in enumerate(engine.load_many(paths), start=1):
                    if isinstance(outcome, ReportbotError):
                        raise RuntimeError(f"{path.name}: {outcome}")
                    if number % 500 == 0:
                        print(f"  {number}/{size} loaded, {time.perf_counter() - started:.0f} s", file=sys.stderr)
            finally:
                engine.close()
        loaded = time.perf_counter() - started - generated
    with closing(sqlite3.connect(partial)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    partial.rename(db)
    for kept in ("search", "catalog"):  # the search index and the catalog the load kept beside it
        Path(f"{partial}-{kept}").rename(f"{db}-{kept}")
    for leftover in (Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        leftover.unlink(missing_ok=True)
    return {"generate_s": generated, "load_s": loaded, "load_peak_mb": memory.peak_mb, "main_peak_mb": peak_rss_mb()}


def build_fresh(db: Path, size: int, seed: int) -> dict:
    """build() in a fresh process, so that its memory is the load's alone."""
    done = subprocess.run([sys.executable, "-m", "benchmarks.ask", "--build", str(db), "--build-size", str(size),
                           "--seed", str(seed)], check=True, stdout=subprocess.PIPE, text=True,
                          cwd=Path(__file__).resolve().parent.parent)
    return json.loads(done.stdout.strip().splitlines()[-1])


def questions(db: Path, seed: int, count: int = 200) -> list[Question]:
    """A question mix over the database's reports, the same for the same database and seed."""
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        rows = conn.execute("SELECT body, region, level, year FROM reports ORDER BY id").fetchall()
    rng = random.Random(seed)
    years: dict[str, list[int]] = {}
    for body, _region, _level, year in rows:
        years.setdefault(body, []).append(year)
    several = [r for r in rows if len(years[r[0]]) > 1]
    scale = count / sum(n for n, _ in _MIX.values())
    mix: list[Question] = []
    for kind, (number, wordings) in _MIX.items():
        for i in range(max(1, round(number * scale))):
            body, region, level, year = rng.choice(several if kind == "change" and several else rows)
            other = rng.choice(rows)
            mix.append(Question(kind, wordings[i % len(wordings)].format(
                a=body if level == "department" else region, b=other[0] if other[2] == "department" else other[1], y=year)))
    rng.shuffle(mix)
    # The first question (the start-up one) is a plain value lookup, as a journalist's first question often is.
    first = next(i for i, q in enumerate(mix) if q.kind == "value")
    mix.insert(0, mix.pop(first))
    return mix


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def peak_rss_mb() -> float:
    """This process's peak RSS (VmHWM).

    Not ru_maxrss: on Linux it survives execve, so a process started by subprocess reports its
    parent's peak when that was higher (a 600 MB parent made a 10 MB child report 611 MB), which
    is how this benchmark's memory figure was wrong whenever it had built the store itself.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def floor_ms(db: Path, mix: list[Question]) -> list[float]:
    """The least any answer costs: jieba on the question and one indexed lookup, per question."""
    from index import tokenizer

    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        highest = conn.execute("SELECT max(id) FROM reports").fetchone()[0] or 1
        rng = random.Random(0)
        times = []
        for question in mix:
            tokenizer._cache.clear()  # segment for real: the tokenizer keeps short stretches it has seen
            t = time.perf_counter()
            tokenizer.tokenize(question.text)
            conn.execute("SELECT id, body, year FROM reports WHERE id = ?", (rng.randint(1, highest),)).fetchone()
            times.append((time.perf_counter() - t) * 1000)
    return times


def measure(db: Path, mix: list[Question], profile_kind: str | None = None) -> dict:
    """Start up, answer the mix once, and return timings; meant to run in a fresh process."""
    started, started_cpu = time.perf_counter(), time.process_time()
    from bot.engine import Engine

    imported = time.perf_counter()
    engine = Engine.open(db)
    opened = time.perf_counter()
    engine.ask(mix[0].text).to_json()
    first, first_cpu = time.perf_counter(), time.process_time()
    startup_mb = peak_rss_mb()
    profiler = cProfile.Profile() if profile_kind else None
    timings = []
    for question in mix:
        profiling = profiler is not None and question.kind == profile_kind
        if profiling:
            profiler.enable()
        t, cpu = time.perf_counter(), time.process_time()
        answer = engine.ask(question.text)
        answer.to_json()
        elapsed = (time.perf_counter() - t) * 1000
        cpu_ms = (time.process_time() - cpu) * 1000
        if profiling:
            profiler.disable()
        timings.append({"kind": question.kind, "route": answer.route, "ms": elapsed, "cpu_ms": cpu_ms,
                        "question": question.text})
    engine.close()
    floor = floor_ms(db, mix)
    if profiler:
        stats = pstats.Stats(profiler, stream=sys.stderr).strip_dirs()
        stats.sort_stats("cumulative").print_stats(30)
        stats.sort_stats("tottime").print_stats(20)
    return {"import_s": imported - started, "open_s": opened - imported, "first_answer_s": first - opened,
            "startup_cpu_s": first_cpu - started_cpu, "startup_mb": startup_mb, "peak_rss_mb": peak_rss_mb(),
            "timings": timings, "floor_ms": floor, "load": os.getloadavg()[0]}


def run_size(size: int, seed: int, count: int, rebuild: bool, profile_kind: str | None) -> dict:
    """Build (or reuse) the database of one size and measure it in a fresh process."""
    db = db_path(size, seed)
    built = None
    if rebuild or not db.exists():
        db.parent.mkdir(parents=True, exist_ok=True)
        db.unlink(missing_ok=True)
        for kept in ("search", "catalog"):
            Path(f"{db}-{kept}").unlink(missing_ok=True)
        print(f"building {db} ({size} reports)…", file=sys.stderr)
        built = build_fresh(db, size, seed)
    mix = questions(db, seed, count)
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as handle:
        json.dump([asdict(q) for q in mix], handle, ensure_ascii=False)
    try:
        command = [sys.executable, "-m", "benchmarks.ask", "--measure", str(db), "--mix", handle.name]
        if profile_kind:
            command += ["--profile-kind", profile_kind]
        done = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True,
                              cwd=Path(__file__).resolve().parent.parent)
    finally:
        os.unlink(handle.name)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    kept = Path(f"{db}-search")
    result.update(size=size, db_mb=db.stat().st_size / 1024 ** 2, build_s=built,
                  index_mb=kept.stat().st_size / 1024 ** 2 if kept.exists() else 0.0)
    return result


def _stats(timings: list[dict]) -> str:
    ms = [t["ms"] for t in timings]
    return f"{statistics.median(ms):.1f} | {_percentile(ms, 0.95):.1f} | {max(ms):.1f}"


def _cpu_stats(timings: list[dict]) -> str:
    cpu = [t["cpu_ms"] for t in timings]
    return f"{statistics.median(cpu):.1f} / {_percentile(cpu, 0.95):.1f}"


def report(results: list[dict], command: str) -> str:
    """The results as Markdown: a summary per size, then latency by question kind and by route."""
    lines = [f"Command: `{command}`  ", f"Machine: {machine()}  ",
             "Data: synthetic reports from benchmarks/synthetic.py, cached under benchmarks/out/. Each size is "
             "measured in a fresh process: start-up, then each question of the mix answered once "
             "(Engine.ask + to_json); memory is that process's own peak RSS (VmHWM; not ru_maxrss, which "
             "survives exec and gave the building parent's peak). CPU figures are the measuring process's "
             "CPU time, less affected than wall time by other work on the shared cores. The floor is jieba "
             "on the question plus one primary-key lookup, per question of the mix.", "",
             "| reports | database MB | KB a report | kept search index MB (`<store>-search`, a cache) "
             "| start-up s (import + open + first answer) | start-up CPU s "
             "| p50 ms | p95 ms | max ms | CPU ms p50 / p95 | floor p50 ms | p50 / floor | memory at start-up MB "
             "| peak memory MB | load average |",
             "|---:|---:|---:|---:|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|"]
    for r in results:
        startup = r["import_s"] + r["open_s"] + r["first_answer_s"]
        cpu = [t["cpu_ms"] for t in r["timings"]]
        floor = statistics.median(r["floor_ms"])
        p50 = statistics.median([t["ms"] for t in r["timings"]])
        lines.append(f"| {r['size']} | {r['db_mb']:.0f} | {r['db_mb'] * 1024 / r['size']:.0f} | {r['index_mb']:.0f} | {startup:.2f} "
                     f"({r['import_s']:.2f} + {r['open_s']:.2f} + {r['first_answer_s']:.2f}) | "
                     f"{r['startup_cpu_s']:.2f} | {_stats(r['timings'])} | "
                     f"{statistics.median(cpu):.1f} / {_percentile(cpu, 0.95):.1f} | {floor:.2f} | {p50 / floor:.1f}× | "
                     f"{r['startup_mb']:.0f} | {r['peak_rss_mb']:.0f} | {r['load']:.1f} |")
    if len(results) > 1:
        small, large = min(results, key=lambda r: r["size"]), max(results, key=lambda r: r["size"])
        mean = lambda r: statistics.fmean(t["cpu_ms"] for t in r["timings"])  # noqa: E731
        startup_cpu = lambda r: r["startup_cpu_s"]  # noqa: E731
        lines += ["", f"Cost curve, {small['size']} → {large['size']} reports (×{large['size'] / small['size']:.0f} "
                  f"the store): mean CPU per question ×{mean(large) / mean(small):.2f}, start-up CPU "
                  f"×{startup_cpu(large) / startup_cpu(small):.2f}, peak memory "
                  f"×{large['peak_rss_mb'] / small['peak_rss_mb']:.2f}, database ×{large['db_mb'] / small['db_mb']:.2f}."]
    for r in results:
        lines += ["", f"{r['size']} reports, {len(r['timings'])} questions, by kind (route as expected / asked):", "",
                  "| kind | questions | route as expected | p50 ms | p95 ms | max ms | CPU ms p50 / p95 |",
                  "|---|---:|---:|---:|---:|---:|---:|"]
        for kind in EXPECTED_ROUTE:
            group = [t for t in r["timings"] if t["kind"] == kind]
            if group:
                expected = sum(1 for t in group if t["route"] == EXPECTED_ROUTE[kind])
                lines.append(f"| {kind} | {len(group)} | {expected} | {_stats(group)} | {_cpu_stats(group)} |")
        lines += ["", "| route | questions | p50 ms | p95 ms | max ms | CPU ms p50 / p95 |", "|---|---:|---:|---:|---:|---:|"]
        for route in sorted({t["route"] for t in r["timings"]}):
            group = [t for t in r["timings"] if t["route"] == route]
            lines.append(f"| {route} | {len(group)} | {_stats(group)} | {_cpu_stats(group)} |")
    largest = max(results, key=lambda r: r["size"])
    startup = largest["import_s"] + largest["open_s"] + largest["first_answer_s"]
    p95 = _percentile([t["ms"] for t in largest["timings"]], 0.95)
    verdicts = [f"p95 ≤ {TARGET_P95_MS:.0f} ms: {'met' if p95 <= TARGET_P95_MS else 'missed'} ({p95:.1f} ms)",
                f"start-up ≤ {TARGET_STARTUP_S:.1f} s: {'met' if startup <= TARGET_STARTUP_S else 'missed'} ({startup:.2f} s"
                f" wall, {largest['startup_cpu_s']:.2f} s CPU)",
                f"memory ≤ {TARGET_MEMORY_MB:.0f} MB: {'met' if largest['peak_rss_mb'] <= TARGET_MEMORY_MB else 'missed'} "
                f"({largest['peak_rss_mb']:.0f} MB)"]
    lines += ["", f"Targets at {largest['size']} reports: " + "; ".join(verdicts) + "."]
    built = [f"{r['size']} reports loaded in {b['load_s']:.0f} s ({r['size'] / b['load_s']:.1f} reports/s; "
             f"generating the files {b['generate_s']:.0f} s), load peak {b['load_peak_mb']:.0f} MB (PSS, the loading "
             f"process and its workers together; the loading process alone {b['main_peak_mb']:.0f} MB VmHWM)"
             for r in results if (b := r.get("build_s"))]
    if built:
        lines.append(f"Database build this run (Engine.load_many, in a fresh process): {'; '.join(built)}.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line: measure each size, print the tables, optionally record them in docs/benchmarks.md."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.ask", description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, nargs="+", default=[1000, 10000], metavar="N")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--rebuild", action="store_true", help="build the databases again even if cached")
    parser.add_argument("--profile-kind", choices=sorted(EXPECTED_ROUTE), help="profile the questions of one kind")
    parser.add_argument("--write-docs", action="store_true", help="write the results to docs/benchmarks.md (## Ask)")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # internal: the fresh measuring process
    parser.add_argument("--mix", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--build", type=Path, help=argparse.SUPPRESS)  # internal: the fresh building process
    parser.add_argument("--build-size", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.build:
        print(json.dumps(build(args.build, args.build_size, args.seed)))
        return 0
    if args.measure:
        mix = [Question(**q) for q in json.loads(args.mix.read_text(encoding="utf-8"))]
        print(json.dumps(measure(args.measure, mix, args.profile_kind), ensure_ascii=False))
        return 0
    results = [run_size(size, args.seed, args.questions, args.rebuild, args.profile_kind) for size in args.reports]
    text = report(results, "python -m benchmarks.ask " + " ".join(argv if argv is not None else sys.argv[1:]))
    print(text)
    if args.write_docs:
        write_section("Ask", text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
