"""One store, many processes: twelve `reportbot load`s at once while three question loops answer.

Run with real processes (benchmarks/concurrency.py has the harness and the full-size run that
docs/operations.md reports). Nothing may fail ("database is locked" or anything else on
stderr), no load may be lost, and every answer must be right: a question about a report that a
loader had already printed as loaded must get its number, from the live read-only engine.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from benchmarks.concurrency import QuestionLoop, check, questions_for, reportbot, run
from benchmarks.synthetic import generate

LOADERS = 12
LOOPS = 3


@pytest.fixture
def store(samples_db: Path, tmp_path: Path) -> Path:
    """A private store holding the five samples, as `reportbot load data/samples` leaves it."""
    db = tmp_path / "reports.db"
    shutil.copy(samples_db, db)
    return db


def test_twelve_loads_and_three_question_loops_on_one_store(store: Path, tmp_path: Path) -> None:
    made = generate(tmp_path / "reports", LOADERS, seed=11, broken_share=0)
    outcome = run(store, made, loaders=LOADERS, loops=LOOPS, own=1, seed=11, pause_s=0.25)
    assert outcome.errors == []
    assert outcome.wrong == []
    assert outcome.loads == 2 * LOADERS  # each file twice at once: once loaded, once 未变化
    assert outcome.unchanged == LOADERS
    assert outcome.answers > LOOPS * len(questions_for(made))  # during the loads, and all again after
    assert outcome.store == {"integrity": "ok", "reports": 5 + LOADERS, "passages": outcome.store["passages"],
                             "indexed_passages": outcome.store["passages"], "stray_terms": 0, "reports_not_whole": 0}


def test_a_running_question_loop_answers_from_a_report_loaded_meanwhile(store: Path, tmp_path: Path) -> None:
    import subprocess

    (report,) = generate(tmp_path / "reports", 1, seed=5, broken_share=0)
    (question,) = questions_for([report])[-1:]
    loop = QuestionLoop(store)
    try:
        assert not loop.ask(question.text)["values"]
        loaded = subprocess.run(reportbot(store, "load", str(report.path)), capture_output=True, text=True)
        assert loaded.returncode == 0, loaded.stderr
        assert check(question, loop.ask(question.text), committed_before=True) is None
        removed = subprocess.run(reportbot(store, "remove", f"{report.body}{report.year}"), capture_output=True,
                                 text=True)
        assert removed.returncode == 0, removed.stderr
        assert not loop.ask(question.text)["values"]
    finally:
        code, err = loop.close()
    assert (code, err) == (0, "")
