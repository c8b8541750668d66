"""Start-up: the catalog kept beside the store (read back by the next start, never when it is stale or
not ours), and what a long-running bot warms after its start."""
from __future__ import annotations

import os
import pickle
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot import catalog as catalog_module
from bot import kept_catalog
from bot.engine import Engine
from index.lexicon import load_lexicon
from tests.auxil.reports import SAMPLES_DIR

QUESTION = "伊春市2023年行政处罚多少件"


def _changes(path: Path) -> int:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute("SELECT value FROM store_state WHERE name = 'report_changes'").fetchone()[0]


def _builds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the catalogs built from reports (not read back)."""
    built: list[int] = []
    group = catalog_module.group_bodies

    def counting(reports, lexicon):  # type: ignore[no-untyped-def]
        built.append(len(reports))
        return group(reports, lexicon)

    monkeypatch.setattr(catalog_module, "group_bodies", counting)
    return built


def _answer(path: Path, *, read_only: bool = False) -> str:
    engine = Engine.open(path, read_only=read_only)
    try:
        return engine.ask(QUESTION).text
    finally:
        engine.close()


def test_the_next_start_reads_the_kept_catalog_and_answers_the_same(db_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    first = _answer(db_path)
    assert kept_catalog.kept_path(db_path).is_file()
    built = _builds(monkeypatch)
    assert _answer(db_path) == first
    assert "88300" in first
    assert built == []


def test_every_change_to_the_reports_table_is_counted_by_any_writer(db_path: Path) -> None:
    before = _changes(db_path)
    with closing(sqlite3.connect(db_path)) as conn, conn:
        conn.execute("UPDATE reports SET title = title || '' WHERE id = (SELECT min(id) FROM reports)")
    assert _changes(db_path) == before + 1
    engine = Engine.open(db_path)
    try:
        engine.remove_id(engine.reports()[0].id)
        assert _changes(db_path) == before + 2
        for sample in sorted(SAMPLES_DIR.glob("*.txt")):  # the one removed comes back
            engine.load(sample)
    finally:
        engine.close()
    assert _changes(db_path) >= before + 3


def test_a_kept_catalog_is_not_used_after_the_reports_change(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _answer(db_path)
    with closing(sqlite3.connect(db_path)) as conn, conn:  # another tool renames a body
        conn.execute("UPDATE reports SET body = '伊春市', region = '伊春市' WHERE region = '伊春市'")
        conn.execute("DELETE FROM reports WHERE region != '伊春市'")
    built = _builds(monkeypatch)
    engine = Engine.open(db_path, read_only=True)
    try:
        assert [b.body for b in engine.catalog.bodies] == ["伊春市"]
    finally:
        engine.close()
    assert len(built) == 1


def test_a_writer_keeps_the_catalog_at_close_after_its_loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "store.db"
    engine = Engine.open(path)
    for sample in sorted(SAMPLES_DIR.glob("*.txt")):
        engine.load(sample)
    engine.close()
    built = _builds(monkeypatch)
    engine = Engine.open(path, read_only=True)
    try:
        assert len(engine.catalog.reports) == len(list(SAMPLES_DIR.glob("*.txt")))
    finally:
        engine.close()
    assert built == []


def test_a_read_only_start_writes_no_catalog(db_path: Path) -> None:
    kept_catalog.kept_path(db_path).unlink(missing_ok=True)
    assert "伊春市" in _answer(db_path, read_only=True)
    assert not kept_catalog.kept_path(db_path).exists()


class _Payload:
    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (os.system, ("touch hacked",))


def test_a_file_that_is_not_a_catalog_runs_nothing_and_the_catalog_is_built(db_path: Path, tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    _answer(db_path)
    kept = kept_catalog.kept_path(db_path)
    stamp = kept.read_bytes().split(b"\n", 1)[0]
    kept.write_bytes(stamp + b"\n" + pickle.dumps(([], (_Payload(),)), protocol=5))
    monkeypatch.chdir(tmp_path)
    built = _builds(monkeypatch)
    assert "伊春市" in _answer(db_path, read_only=True)
    assert not (tmp_path / "hacked").exists()
    assert len(built) == 1


def test_a_damaged_or_unwritable_kept_catalog_only_costs_a_build(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _answer(db_path)
    kept = kept_catalog.kept_path(db_path)
    kept.write_bytes(kept.read_bytes()[: len(kept.read_bytes()) // 2])
    built = _builds(monkeypatch)
    assert "伊春市" in _answer(db_path, read_only=True)
    assert len(built) == 1
    monkeypatch.setattr(kept_catalog, "kept_path", lambda db: db.parent / "missing-folder" / "x-catalog")
    assert "伊春市" in _answer(db_path)


def test_the_stamp_changes_with_the_lexicon_and_is_the_same_in_every_process() -> None:
    lexicon = load_lexicon()
    stamp = kept_catalog.stamp(7, lexicon)
    assert stamp.startswith(b"7 ")
    assert kept_catalog.stamp(8, lexicon) != stamp
    changed = type(lexicon)(**{**lexicon.__dict__, "government_words": lexicon.government_words[:-1]})
    assert kept_catalog.stamp(7, changed) != stamp
    import subprocess
    import sys
    printed = subprocess.run([sys.executable, "-c", "from bot import kept_catalog; from index.lexicon import load_lexicon;"
                              " print(kept_catalog.stamp(7, load_lexicon()).decode())"],
                             capture_output=True, text=True, check=True, env={**os.environ, "PYTHONHASHSEED": "123"})
    assert printed.stdout.strip().encode() == stamp


def test_a_long_running_bot_warms_what_only_some_questions_need(engine: Engine) -> None:
    from bot import understand

    engine.warm_up_rest()
    assert understand._pos_tokenizer.cache_info().currsize == 1
    assert understand._words_by_sound.cache_info().currsize >= 1
    assert engine.index.search("政务公开", limit=1)  # the postings are in memory: found at once


_NAME = st.text(alphabet="伊春川县市区政府办", min_size=1, max_size=5)


@given(st.lists(st.lists(_NAME, min_size=1, max_size=4, unique=True), min_size=0, max_size=12))
def test_the_name_index_finds_what_a_map_of_every_name_finds(names_of_bodies: list[list[str]]) -> None:
    bodies = tuple(catalog_module.Body(body=f"机关{i}", region="", level="county", reports=(), names=tuple(names))
                   for i, names in enumerate(names_of_bodies))
    index = catalog_module.NameIndex.of(bodies)
    expected: dict[str, list[catalog_module.Body]] = {}
    for body in bodies:
        for name in body.names:  # a body's names are distinct (made as a set)
            expected.setdefault(name, []).append(body)
    assert sorted(index) == sorted(expected)
    for name, named in expected.items():
        assert index.get(name) == tuple(named)  # in catalog order
    assert index.get("不存在的名字") == ()
    assert index.longest == max((len(n) for n in expected), default=0)
