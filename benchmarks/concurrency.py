"""Many processes on one store: concurrent `reportbot load`s while `reportbot ask` loops answer.

    python -m benchmarks.concurrency [--loaders 12] [--loops 3] [--reports 24] [--seed S]
    python -m benchmarks.concurrency --commit-cost

Starts from a store holding the five samples. Each loader is a real `reportbot load` process
loading its own two synthetic reports and its neighbour's first one (so the same file is loaded
twice at once, and one of the two must see "未变化"). Each question loop is one long-running
`reportbot ask --json` process (a read-only engine, started and answering before the first
load begins) fed a question at a time on standard input,
about the samples and the synthetic reports. An answer is wrong when its number differs from
the report's, or when it says a report is missing that a loader had already printed as loaded
before the question was sent: the live engine must see every commit by its next question.
At the end every loop asks about every report once more, and the store is checked
(integrity_check, every report whole, the search index matching the passages).

The same code runs in CI, smaller (tests/test_concurrency.py); docs/operations.md has a run.
"""
from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks import machine
from benchmarks.synthetic import Synthetic, generate

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data" / "samples"
# The samples' penalty counts (表二「行政处罚」), as printed.
SAMPLE_PENALTIES = {"伊春市": 88300, "色达县": 75, "兴隆县": 215}


def reportbot(db: Path, *args: str) -> list[str]:
    """The command line of one `reportbot` process on the store."""
    return [sys.executable, "-m", "bot.cli", "--db", str(db), *args]


@dataclass(frozen=True)
class Question:
    """A question about one report, and the number a right answer gives."""

    text: str
    value: int
    file: str = ""  # the synthetic file it is about ("" for a sample, loaded from the start)
    body: str = ""  # the body as its report's title names it
    year: int = 0


@dataclass
class Outcome:
    """What a run saw: errors (anything at all on stderr, a failed exit), wrong answers, timings."""

    errors: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)
    answers: int = 0
    answered_live: int = 0  # answers with the number of a report a concurrent loader had just committed
    seconds: float = 0.0
    loads: int = 0
    unchanged: int = 0
    store: dict[str, object] = field(default_factory=dict)


def questions_for(made: list[Synthetic]) -> list[Question]:
    """One penalty question per synthetic report and per sample with a penalty count."""
    asked = [Question(f"{region}行政处罚多少件？", value, body=region) for region, value in SAMPLE_PENALTIES.items()]
    asked += [Question(f"{s.body}{s.year}年行政处罚多少件？", int(s.values[("penalty.decisions", None)]), s.path.name,
                       s.body, s.year) for s in made]
    return asked


class QuestionLoop:
    """One `reportbot ask --json` process, asked one question at a time."""

    def __init__(self, db: Path) -> None:
        self.process = subprocess.Popen(reportbot(db, "ask", "--json"), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True, encoding="utf-8", bufsize=1, cwd=ROOT)

    def ask(self, question: str) -> dict:
        """Send a question, read its one-line JSON answer."""
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(question + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the question loop ended: {self.process.stderr.read() if self.process.stderr else ''}")
        return json.loads(line)

    def close(self) -> tuple[int, str]:
        """End the loop (end of input); return its exit code and standard error."""
        assert self.process.stdin and self.process.stdout and self.process.stderr
        self.process.stdin.close()
        self.process.stdout.read()
        err = self.process.stderr.read()
        return self.process.wait(timeout=60), err


def check(question: Question, answer: dict, committed_before: bool) -> str | None:
    """Why an answer is wrong, or None. Missing is right only if the report was not yet committed.

    A number of another report (the city's, for a district not yet loaded, with a note that the
    district has no report) does not answer the question; it is wrong once the report is in.
    """
    values = [v for v in answer.get("values", []) if v["field"] == "penalty.decisions"
              and v["report"].startswith(question.body) and (not question.year or v["year"] == question.year)]
    if values:
        if values[0]["value"] != question.value or isinstance(values[0]["value"], float):
            return f"{question.text} → {values[0]['value']!r}, expected {question.value}"
        return None
    if committed_before or not question.file:
        return f"{question.text} → no number although the report was loaded: {answer.get('answer', '')[:80]}"
    return None


def store_state(db: Path) -> dict[str, object]:
    """integrity_check, report and passage counts, and whether every report is whole."""
    with closing(sqlite3.connect(db)) as conn:
        broken = conn.execute(
            "SELECT r.id FROM reports r WHERE r.cell_count != (SELECT COUNT(*) FROM cells c"
            " WHERE c.report_id = r.id AND c.derived = 0)").fetchall()
        return {
            "integrity": conn.execute("PRAGMA integrity_check").fetchone()[0],
            "reports": conn.execute("SELECT COUNT(*) FROM reports").fetchone()[0],
            "passages": conn.execute("SELECT COUNT(*) FROM passages").fetchone()[0],
            "indexed_passages": sum(conn.execute(
                f"SELECT COUNT(*) FROM {terms} t JOIN passages p ON p.id = t.passage_id").fetchone()[0]
                for terms in ("passage_terms", "table_row_terms")),
            "stray_terms": sum(conn.execute(
                f"SELECT COUNT(*) FROM {terms} WHERE passage_id NOT IN (SELECT id FROM passages)").fetchone()[0]
                for terms in ("passage_terms", "table_row_terms")),
            "reports_not_whole": len(broken),
        }


def run(db: Path, made: list[Synthetic], *, loaders: int = 12, loops: int = 3, own: int = 2, seed: int = 0,
        pause_s: float = 0.02) -> Outcome:
    """Run the loaders and the question loops on ``db`` (which holds the samples); see the module.

    Loader i loads ``own`` reports of its own and then the next loader's first one.
    """
    outcome = Outcome()
    files = [s.path for s in made]
    per_loader = [files[own * i: own * i + own] + [files[(own * i + own) % len(files)]] for i in range(loaders)]
    committed: dict[str, float] = {}
    lock = threading.Lock()
    questions = questions_for(made)
    done = threading.Event()
    ready = threading.Semaphore(0)

    def loader(paths: list[Path]) -> None:
        process = subprocess.Popen(reportbot(db, "load", *map(str, paths)), stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True, encoding="utf-8", cwd=ROOT)
        assert process.stdout and process.stderr
        for line in process.stdout:
            match = re.match(r"✓ (\S+):", line)
            with lock:
                if match:
                    committed.setdefault(match.group(1), time.monotonic())
                    outcome.loads += 1
                    outcome.unchanged += "未变化" in line
                else:
                    outcome.errors.append(f"load: {line.strip()}")
        err = process.stderr.read()
        process.wait()
        with lock:
            if process.returncode or err.strip():
                outcome.errors.append(f"load exit {process.returncode}: {err.strip()[-300:]}")

    def asker(number: int) -> None:
        rng = random.Random(seed * 100 + number)
        loop = QuestionLoop(db)
        try:
            problem = check(questions[0], loop.ask(questions[0].text), True)  # started and answering
            ready.release()
            if problem:
                with lock:
                    outcome.wrong.append(problem)
            while not done.is_set():
                question = rng.choice(questions)
                with lock:
                    before = question.file in committed
                answer = loop.ask(question.text)
                problem = check(question, answer, before)
                with lock:
                    outcome.answers += 1
                    outcome.answered_live += bool(question.file and not problem and any(
                        v["report"].startswith(question.body) for v in answer.get("values", [])))
                    if problem:
                        outcome.wrong.append(problem)
                time.sleep(pause_s)
            for question in questions:  # every report, after every load
                problem = check(question, loop.ask(question.text), True)
                with lock:
                    outcome.answers += 1
                    if problem:
                        outcome.wrong.append(f"final: {problem}")
        except Exception as error:  # noqa: BLE001 - reported as an error of the run
            ready.release()
            with lock:
                outcome.errors.append(f"ask loop {number}: {error!r}")
        finally:
            code, err = loop.close()
            with lock:
                if code or err.strip():
                    outcome.errors.append(f"ask loop {number} exit {code}: {err.strip()[-300:]}")

    askers = [threading.Thread(target=asker, args=(n,)) for n in range(loops)]
    for thread in askers:
        thread.start()
    for _ in askers:  # the loops are running engines before the first load starts
        ready.acquire()
    start = time.monotonic()
    loading = [threading.Thread(target=loader, args=(paths,)) for paths in per_loader]
    for thread in loading:
        thread.start()
    for thread in loading:
        thread.join()
    done.set()
    for thread in askers:
        thread.join()
    outcome.seconds = time.monotonic() - start  # from the first load to the last answer
    outcome.store = store_state(db)
    return outcome


def samples_store(db: Path) -> None:
    """A store with the five samples, loaded as `reportbot load` does."""
    subprocess.run(reportbot(db, "load", str(SAMPLES)), check=True, capture_output=True, cwd=ROOT)


def next_question_lag(db: Path, report: Synthetic) -> tuple[bool, bool, float]:
    """A running `ask` loop, a `reportbot load` of a new report, then the next question.

    Returns (answered before the load, answered right after it, seconds that next answer took).
    """
    question = questions_for([report])[-1]
    loop = QuestionLoop(db)
    try:
        before = bool(loop.ask(question.text).get("values"))
        subprocess.run(reportbot(db, "load", str(report.path)), check=True, capture_output=True, cwd=ROOT)
        start = time.monotonic()
        answer = loop.ask(question.text)
        seconds = time.monotonic() - start
        return before, check(question, answer, True) is None, seconds
    finally:
        loop.close()


def commit_cost(work: Path, count: int = 200, seed: int = 3) -> dict[str, tuple[float, float]]:
    """Saving-process cost of a report committed on its own vs. 25 to a commit: (CPU ms, wall ms) each.

    The reports are prepared first; only Engine._store (save, index, commit) is timed.
    """
    from bot.engine import Engine
    from index.ingest import prepare_report
    from index.store import writing

    prepared = [prepare_report(s.path) for s in generate(work / "commit-cost", count, seed=seed, broken_share=0)]
    costs = {}
    for mode in ("one report a commit", "25 reports a commit"):
        engine = Engine.open(work / f"{mode}.db")
        cpu, wall = time.process_time(), time.monotonic()
        step = 1 if mode.startswith("one") else 25
        for start in range(0, len(prepared), step):
            with writing(engine.db):
                for report in prepared[start:start + step]:
                    engine._store(report)  # noqa: SLF001 - the step being measured
        costs[mode] = (1000 * (time.process_time() - cpu) / count, 1000 * (time.monotonic() - wall) / count)
        engine.close()
    return costs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--loaders", type=int, default=12)
    parser.add_argument("--loops", type=int, default=3)
    parser.add_argument("--reports", type=int, default=24, help="synthetic reports (two per loader)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--commit-cost", action="store_true",
                        help="instead: the saving process's cost per report, one report a commit vs. 25")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="reportbot-concurrency-") as folder:
        work = Path(folder)
        if args.commit_cost:
            for mode, (cpu, wall) in commit_cost(work).items():
                print(f"{mode}: {cpu:.1f} ms CPU, {wall:.1f} ms wall per report")
            print(machine())
            return
        made = generate(work / "reports", args.reports + 1, seed=args.seed, broken_share=0)
        db = work / "reports.db"
        samples_store(db)
        seen_before, right_after, lag = next_question_lag(db, made[-1])
        print(f"live: before the load answered={seen_before}; next question after `reportbot load` "
              f"answered right={right_after} in {lag * 1000:.0f} ms")
        outcome = run(db, made[:-1], loaders=args.loaders, loops=args.loops, seed=args.seed)
        print(f"{args.loaders} loaders + {args.loops} question loops: {outcome.seconds:.1f} s, "
              f"{outcome.loads} loads ({outcome.unchanged} 未变化), {outcome.answers} answers "
              f"({outcome.answered_live} from reports loaded during the run), "
              f"{len(outcome.errors)} errors, {len(outcome.wrong)} wrong answers")
        print(f"store: {outcome.store}")
        for line in outcome.errors + outcome.wrong:
            print("  " + line)
        print(machine())
        shutil.rmtree(work / "reports", ignore_errors=True)


if __name__ == "__main__":
    main()
