"""Loading a batch: files are prepared on every core, saved in order, bad ones reported."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlite_utils

from bot.engine import Engine, LoadOutcome
from index.errors import ReportbotError
from index import ingest
from index.ingest import prepare_many, report_files
from index.store import writing
from tests.test_readers import BAD_INPUT_IDS, BAD_INPUTS

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"
PLACES = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未"


def batch(folder: Path) -> list[Path]:
    text = (SAMPLES / "yichun-2023.txt").read_text(encoding="utf-8")
    paths = []
    for i, place in enumerate(PLACES):
        path = folder / f"{i:02d}.txt"
        path.write_text(text.replace("伊春市 2023 年", f"{place}{place}县 2023 年").replace("| 88300 |", f"| {i} |"), encoding="utf-8")
        paths.append(path)
    (folder / "05.txt").write_bytes(b"")
    (folder / "11.txt").write_text("不是报告", encoding="utf-8")
    return paths


def test_batch_is_prepared_in_parallel_and_saved_in_order(tmp_path: Path) -> None:
    paths = batch(tmp_path)
    engine = Engine.open(tmp_path / "r.db")
    try:
        results = list(engine.load_many(paths))
        assert [p for p, _ in results] == paths
        errors = {p.name for p, r in results if isinstance(r, ReportbotError)}
        assert errors == {"05.txt", "11.txt"}
        loaded = [r for _, r in results if isinstance(r, LoadOutcome)]
        assert [r.region for r in loaded] == [f"{p}{p}县" for i, p in enumerate(PLACES) if i not in (5, 11)]
        assert len(engine.reports()) == 16
        answer = engine.ask("丙丙县行政处罚多少件？")
        assert answer.values[0].value == 2
    finally:
        engine.close()


def test_parallel_and_sequential_preparation_agree(tmp_path: Path) -> None:
    paths = batch(tmp_path)
    parallel = [(p, r) for p, r in prepare_many(paths, workers=2)]
    sequential = [(p, r) for p, r in prepare_many(paths, workers=1)]
    for (_, a), (_, b) in zip(parallel, sequential):
        if isinstance(a, ReportbotError):
            assert str(a) == str(b)
        else:
            assert (a.report, a.tokens) == (b.report, b.tokens)


def test_a_long_batch_is_prepared_by_fresh_workers_every_few_files_in_order(tmp_path: Path,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    paths = batch(tmp_path)
    monkeypatch.setattr(ingest, "RECYCLE_AFTER", 7)
    pools: list[list[Path]] = []
    in_pool = ingest._prepare_in_pool

    def counted(part, max_bytes, workers):  # type: ignore[no-untyped-def]
        pools.append(part)
        yield from in_pool(part, max_bytes, workers)

    monkeypatch.setattr(ingest, "_prepare_in_pool", counted)
    recycled = list(prepare_many(paths, workers=2))
    assert [len(part) for part in pools] == [7, 7, 4]  # 18 files, a fresh pool every 7
    sequential = list(prepare_many(paths, workers=1))
    assert [p for p, _ in recycled] == paths
    for (_, a), (_, b) in zip(recycled, sequential):
        assert str(a) == str(b) if isinstance(a, ReportbotError) else (a.report, a.tokens) == (b.report, b.tokens)


def test_a_worker_that_dies_fails_only_the_file_it_was_preparing(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker killed mid-file (out of memory, a crash in a reader's native code) costs that file
    alone: it is reported with what to do, a new worker takes the rest, and the load goes on."""
    paths = batch(tmp_path)
    monkeypatch.setenv("REPORTBOT_FAULT_AT", "prepare.started@2")  # every worker dies on its second file
    engine = Engine.open(tmp_path / "r.db")
    try:
        results = list(engine.load_many(paths))
        assert [p for p, _ in results] == paths
        died = [p for p, r in results if isinstance(r, ReportbotError) and "进程意外退出" in str(r)]
        loaded = [p for p, r in results if isinstance(r, LoadOutcome)]
        assert died and loaded
        assert {p.name for p, r in results if isinstance(r, ReportbotError)} - {p.name for p in died} <= {"05.txt", "11.txt"}
        monkeypatch.delenv("REPORTBOT_FAULT_AT")
        again = [r for _, r in engine.load_many([p for p in died if p.name not in ("05.txt", "11.txt")])]
        assert all(isinstance(r, LoadOutcome) for r in again)
        assert len(engine.reports()) == 16
    finally:
        engine.close()


def test_a_version_replaced_in_a_load_leaves_no_row_behind_and_every_reference_holds(tmp_path: Path) -> None:
    """A load writes without foreign-key checks (faster), so a report it replaces is deleted
    table by table: nothing of the old version stays, and SQLite's own check finds no broken
    reference afterwards. A removal in the same engine deletes the same way."""
    paths = batch(tmp_path)
    newer = tmp_path / "newer.txt"
    newer.write_text(paths[2].read_text(encoding="utf-8").replace("| 2 |", "| 77 |"), encoding="utf-8")
    engine = Engine.open(tmp_path / "r.db")
    try:
        outcomes = [r for _, r in engine.load_many(paths + [newer])]
        old_id = outcomes[2].report_id
        assert outcomes[-1].replaced and outcomes[-1].report_id != old_id
        db = engine.db
        children = [row[0] for row in db.execute(
            "SELECT m.name FROM sqlite_master m, pragma_foreign_key_list(m.name) f"
            " WHERE m.type = 'table' AND f.\"table\" = 'reports'")]
        assert {"cell_values", "passages", "facts", "sections"} <= set(children)
        for table in children + ["passage_terms", "table_row_terms"]:
            assert db.execute(f"SELECT COUNT(*) FROM {table} WHERE report_id = ?", [old_id]).fetchone()[0] == 0, table
        assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1  # checked again after the load
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        # The table rows' document frequencies, counted a batch at a time (the replaced report's
        # added, then taken away, in one batch), are what counting every stored row again gives.
        counted = _table_row_counts(db)
        with writing(db):
            engine.index._recount_table_rows()
        assert _table_row_counts(db) == counted
        assert engine.ask("丙丙县行政处罚多少件？").values[0].value == 77
        removed = engine.remove_id(outcomes[-1].report_id)
        for table in children + ["passage_terms", "table_row_terms"]:
            assert db.execute(f"SELECT COUNT(*) FROM {table} WHERE report_id = ?", [removed.id]).fetchone()[0] == 0
    finally:
        engine.close()


def _table_row_counts(db: sqlite_utils.Database) -> tuple[list, list]:
    return (db.execute("SELECT term_id, df FROM table_row_df WHERE df > 0 ORDER BY term_id").fetchall(),
            db.execute("SELECT name, value FROM search_state WHERE name LIKE 'table_%' ORDER BY name").fetchall())


def test_folders_expand_to_report_files(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("x", encoding="utf-8")
    (tmp_path / "notes.json").write_text("{}", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.pdf").write_bytes(b"%PDF")
    assert [p.name for p in report_files([tmp_path])] == ["a.txt", "b.pdf"]


def dump(db: Path) -> list:
    with sqlite3.connect(db) as conn:
        return [conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall()
                for t in ("reports", "sections", "passages", "cells", "findings", "raw_rows", "passage_terms",
                          "table_row_terms")]


@pytest.mark.parametrize(("make", "name", "expected"), [
    *BAD_INPUTS,
    (lambda tmp: "床前明月光，疑是地上霜。".encode(), "poem.txt", "年度报告"),
    (lambda tmp: (SAMPLES / "yichun-2023.txt").read_bytes(), "too-big.txt", "MB"),
], ids=[*BAD_INPUT_IDS, "not-a-report", "over-size-limit"])
def test_a_bad_file_leaves_the_store_exactly_as_it_was(engine: Engine, db_path: Path, tmp_path: Path,
                                                       make, name: str, expected: str) -> None:
    path = tmp_path / name
    path.write_bytes(make(tmp_path))
    before = dump(db_path)
    with pytest.raises(ReportbotError, match=expected):
        engine.load(path, max_bytes=1000 if name == "too-big.txt" else None)
    assert dump(db_path) == before
