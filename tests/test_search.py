"""BM25+ passage search over the five sample reports: real questions find the right passage."""
from __future__ import annotations

import json
import math
import sqlite3
from contextlib import closing
from pathlib import Path

import numpy as np
import pytest
import sqlite_utils
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index import search
from index.search import PassageIndex
from index.tokenizer import add_words, tokenize

SAMPLES_DIR = Path(__file__).resolve().parent.parent / "data" / "samples"
# report id → (sample file, region, year)
SAMPLES = {
    1: ("yichun-2023.txt", "伊春市", 2023),
    2: ("huixian-2021.txt", "辉县市", 2021),
    3: ("seda-2023.txt", "色达县", 2023),
    4: ("xinglong-2023.txt", "兴隆县", 2023),
    5: ("yichuan-2023.txt", "伊川县", 2023),
}


def paragraphs(name: str) -> list[str]:
    """The sample's prose: lines longer than 20 characters that are not table rows."""
    lines = (SAMPLES_DIR / name).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if "\t" not in line and not line.lstrip().startswith("|")
            and len(line.strip()) > 20]


def new_db(path: Path | None = None) -> sqlite_utils.Database:
    """A store with the tables the index reads: in memory, or in a file (the index is kept beside it)."""
    db = sqlite_utils.Database(path) if path else sqlite_utils.Database(memory=True)
    db["reports"].create({"id": int, "region": str, "year": int, "title": str}, pk="id")
    db["passages"].create({"id": int, "report_id": int, "ordinal": int, "section": str, "kind": str,
                           "text": str, "tokens": str}, pk="id")
    return db


def store(db: sqlite_utils.Database, report_id: int, texts: list[str] | None = None) -> None:
    """Save a report the way the store does: names first, then passages with their tokens."""
    name, region, year = SAMPLES[report_id]
    add_words([region])
    db["reports"].insert({"id": report_id, "region": region, "year": year, "title": f"{region}{year}年报告"})
    db["passages"].insert_all(
        {"report_id": report_id, "ordinal": i, "section": "", "kind": "text", "text": text,
         "tokens": " ".join(tokenize(text))}
        for i, text in enumerate(paragraphs(name) if texts is None else texts)
    )


def unstore(db: sqlite_utils.Database, report_id: int) -> None:
    db.execute("DELETE FROM passages WHERE report_id = ?", [report_id])
    db.execute("DELETE FROM reports WHERE id = ?", [report_id])


@pytest.fixture
def db() -> sqlite_utils.Database:
    db = new_db()
    for report_id in SAMPLES:
        store(db, report_id)
    return db


@pytest.fixture
def file_db(tmp_path: Path) -> sqlite_utils.Database:
    """The samples in a store on disk, whose index is kept in the file beside it."""
    db = new_db(tmp_path / "reports.db")
    for report_id in SAMPLES:
        store(db, report_id)
    return db


@pytest.fixture
def index(db: sqlite_utils.Database) -> PassageIndex:
    return PassageIndex(db)


@pytest.mark.parametrize(
    ("question", "report_id", "expected"),
    [
        ("伊春市政府公众号全年推送了多少条信息", 1, "475"),
        ("辉县市全年办理12345市长热线多少件", 2, "14287"),
        ("色达县的微信公众号叫什么", 3, "中国色达"),
        ("色达县主动公开发布了多少条信息", 3, "2808"),
        ("兴隆县政务公开办公室的电话是多少", 4, "0314-5053366"),
        ("伊川县政务新媒体检查", 5, "政务新媒体检查指标"),
    ],
)
def test_a_question_restricted_to_its_report_finds_the_passage(
    index: PassageIndex, question: str, report_id: int, expected: str
) -> None:
    hits = index.search(question, report_ids=[report_id])
    assert expected in hits[0].text
    assert {hit.report_id for hit in hits} == {report_id}


@pytest.mark.parametrize(
    ("question", "report_id", "expected"),
    [
        ("辉县市全年办理12345市长热线多少件", 2, "14287"),
        ("12345市长热线", 2, "14287"),
        ("色达县政务动态类信息多少条", 3, "2808"),
        ("伊春市人民政府公众号推送信息", 1, "475"),
        ("0314-5053366", 4, "0314-5053366"),
        ("2808", 3, "2808"),
        ("14287", 2, "14287"),
    ],
)
def test_an_unrestricted_question_ranks_the_right_reports_passage_first(
    index: PassageIndex, question: str, report_id: int, expected: str
) -> None:
    first = index.search(question)[0]
    assert (first.report_id, expected in first.text) == (report_id, True)


def test_hits_are_best_first_within_the_limit_and_positive(index: PassageIndex) -> None:
    hits = index.search("政府信息公开平台建设", limit=7)
    assert len(hits) == 7
    assert [hit.score for hit in hits] == sorted((hit.score for hit in hits), reverse=True)
    assert all(hit.score > 0 and hit.kind == "text" for hit in hits)
    assert index.search("政府信息公开平台建设", limit=7) == hits


def test_a_query_of_only_stop_words_finds_nothing(index: PassageIndex) -> None:
    assert index.search("的了是在多少？") == []


def test_an_unknown_word_finds_nothing(index: PassageIndex) -> None:
    assert index.search("量子计算机") == []


def test_restricting_to_a_report_without_passages_finds_nothing(index: PassageIndex) -> None:
    assert index.search("政府信息公开", report_ids=[99]) == []
    assert index.search("政府信息公开", report_ids=[]) == []


def test_an_empty_corpus_finds_nothing() -> None:
    assert PassageIndex(new_db()).search("政府信息公开") == []
    assert PassageIndex(sqlite_utils.Database(memory=True)).search("政府信息公开") == []


def test_a_term_in_every_passage_scores_positive_not_zero_or_negative() -> None:
    db = new_db()
    store(db, 1, ["推进政务公开标准化", "政务公开平台建设", "政务公开考核办法"])
    store(db, 2, ["政务公开工作要点"])
    index = PassageIndex(db)
    for report_ids, count in ((None, 4), ([1], 3), ([2], 1)):
        hits = index.search("政务公开", report_ids=report_ids, limit=10)
        assert len(hits) == count
        assert all(hit.score > 0 for hit in hits)


def test_add_report_and_remove_report_update_results_without_rebuilding(db: sqlite_utils.Database) -> None:
    unstore(db, 5)
    index = PassageIndex(db)
    question = "三审三校先审后发机制"
    assert all(hit.report_id != 5 for hit in index.search(question))

    store(db, 5)
    index.add_report(5)
    assert index.search(question)[0].report_id == 5
    assert "三审三校" in index.search(question, report_ids=[5])[0].text

    unstore(db, 5)
    index.remove_report(5)
    assert all(hit.report_id != 5 for hit in index.search(question))
    assert index.search(question, report_ids=[5]) == []


def test_adding_a_report_twice_indexes_it_once(index: PassageIndex) -> None:
    before = index.search("中国色达微信公众号", limit=50)
    index.add_report(3)
    assert index.search("中国色达微信公众号", limit=50) == before


def test_many_added_reports_fold_into_the_main_index(db: sqlite_utils.Database,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    expected = PassageIndex(db).search("政府信息公开平台建设", limit=10)
    for report_id in SAMPLES:
        unstore(db, report_id)
    index = PassageIndex(db)
    assert index.search("政府信息公开平台建设") == []  # a searching index: postings in memory from now on
    monkeypatch.setattr(search, "PENDING_FLOOR", 30)  # merge after about every report, during the load
    monkeypatch.setattr(search, "PENDING_CAP", 30)
    for report_id in SAMPLES:
        store(db, report_id)
        index.add_report(report_id)
        assert index._ready and index._pending_size <= 30 + 500  # at most one report's postings over the cap
    assert [(h.text, round(h.score, 9)) for h in index.search("政府信息公开平台建设", limit=10)] == [
        (h.text, round(h.score, 9)) for h in expected
    ]
    fresh = PassageIndex(db)
    fresh.search("政府")
    assert index._pending_size == 0 and list(index._posting_rows) == list(fresh._posting_rows)


def test_reports_another_process_saved_are_taken_together_and_found_as_by_a_fresh_index(
        file_db: sqlite_utils.Database) -> None:
    expected = PassageIndex(file_db).search("政府信息公开平台建设", limit=10)
    other = sqlite_utils.Database(file_db.conn)  # stands for another process's writes
    held = [3, 4, 5]
    kept = {r: (list(other.query("SELECT * FROM passages WHERE report_id = ?", [r]))) for r in held}
    for report_id in held:
        unstore(file_db, report_id)
        PassageIndex(file_db).remove_report(report_id)
    follower = PassageIndex(file_db)
    assert follower.search("政府信息公开平台建设", limit=10) != expected  # postings in memory, without 3-5
    writer = PassageIndex(other)
    for report_id in held:
        other["passages"].insert_all(kept[report_id])
        writer.add_report(report_id)
    follower.take([5, 3, 4, 5])
    assert [(h.passage_id, round(h.score, 9)) for h in follower.search("政府信息公开平台建设", limit=10)] == [
        (h.passage_id, round(h.score, 9)) for h in expected]


def test_a_loading_process_never_holds_the_postings_and_keeps_the_index_at_close(file_db: sqlite_utils.Database,
                                                                                   tmp_path: Path) -> None:
    """`reportbot load` saves term ids only; closing builds the kept file from them."""
    searched = PassageIndex(file_db).search("依申请公开办理流程", limit=5)
    loader = PassageIndex(file_db)
    unstore(file_db, 2)
    loader.remove_report(2)
    store(file_db, 2)
    loader.add_report(2)
    assert not loader._ready and not hasattr(loader, "_posting_rows")  # no postings in memory
    loader.close()
    again = PassageIndex(file_db)
    assert again._kept_changes() == again._changes()  # kept at close, current
    assert [h.text for h in again.search("依申请公开办理流程", limit=5)] == [h.text for h in searched]


def test_the_index_built_a_few_passages_at_a_time_is_the_index_built_at_once(
        db: sqlite_utils.Database, monkeypatch: pytest.MonkeyPatch) -> None:
    whole = PassageIndex(db)
    whole.search("政府")
    monkeypatch.setattr(search, "INVERT_BATCH", 7)
    parts = PassageIndex(db)
    parts.search("政府")
    for name in ("_passage_ids", "_row_reports", "_lengths", "_term_starts", "_posting_rows", "_posting_tfs"):
        assert np.array_equal(getattr(parts, name), getattr(whole, name)), name


def test_table_rows_are_found_in_the_reports_named_not_across_all() -> None:
    """A table row (the same national labels in every report) answers a question about its
    report; a question over all reports is answered from prose."""
    db = new_db()
    store(db, 1)
    db["passages"].insert({"report_id": 1, "ordinal": 99, "section": "", "kind": "table",
                           "text": "行政处罚: 88300", "tokens": "行政 处罚 行政处罚 88300"})
    index = PassageIndex(db)
    assert [h.kind for h in index.search("行政处罚 88300", report_ids=[1])][:1] == ["table"]
    assert all(h.kind == "text" for h in index.search("行政处罚 88300", limit=50))


def test_start_up_uses_the_stored_tokens_and_drops_passages_gone_from_the_store(
    db: sqlite_utils.Database,
) -> None:
    db["passages"].insert({"report_id": 1, "ordinal": 99, "section": "", "kind": "table",
                           "text": "行政处罚: 88300", "tokens": "storedtoken"})
    PassageIndex(db)
    unstore(db, 3)
    index = PassageIndex(db)
    assert [hit.text for hit in index.search("storedtoken", report_ids=[1])] == ["行政处罚: 88300"]
    assert all(hit.report_id != 3 for hit in index.search("中国色达微信公众号", limit=50))
    assert db.execute("SELECT COUNT(*) FROM passage_terms WHERE report_id = 3").fetchone() == (0,)


def test_a_restart_gives_the_same_results(db: sqlite_utils.Database) -> None:
    first = PassageIndex(db).search("依申请公开办理流程", limit=5)
    assert PassageIndex(db).search("依申请公开办理流程", limit=5) == first


def forbid_inversion(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make any inversion fail: the index must come from the kept snapshot."""
    def no_inversion(*_args: object) -> None:
        raise AssertionError("inverted again although the kept index is current")

    monkeypatch.setattr(search, "_invert_tokens", no_inversion)


def test_a_restart_loads_the_kept_index_instead_of_inverting(file_db: sqlite_utils.Database,
                                                             monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    first = PassageIndex(file_db).search("依申请公开办理流程", limit=5)
    assert (tmp_path / "reports.db-search").is_file()

    forbid_inversion(monkeypatch)
    again = PassageIndex(file_db)
    assert again.search("依申请公开办理流程", limit=5) == first
    assert isinstance(again._posting_rows, np.memmap)  # mapped, not read into memory


def test_a_damaged_kept_index_is_made_again(file_db: sqlite_utils.Database, tmp_path: Path) -> None:
    first = PassageIndex(file_db).search("依申请公开办理流程", limit=5)
    kept = tmp_path / "reports.db-search"
    for damage in (kept.read_bytes()[:200], b"not an index", kept.read_bytes()[:-64]):
        kept.write_bytes(damage)
        assert PassageIndex(file_db).search("依申请公开办理流程", limit=5) == first


def test_a_kept_index_is_not_used_after_a_change(file_db: sqlite_utils.Database,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    db = file_db
    index = PassageIndex(db)
    db["reports"].insert({"id": 9, "region": "某某县", "year": 2023, "title": "某某县2023年报告"})
    db["passages"].insert({"report_id": 9, "ordinal": 0, "section": "", "kind": "text",
                           "text": "政务新媒体矩阵", "tokens": " ".join(tokenize("政务新媒体矩阵"))})
    index.add_report(9)  # another process: the kept index is now stale
    assert PassageIndex(db).search("政务新媒体矩阵")[0].report_id == 9
    unstore(db, 9)
    index.remove_report(9)
    assert all(hit.report_id != 9 for hit in PassageIndex(db).search("政务新媒体矩阵"))
    index.close()  # keeps the index as it is now

    forbid_inversion(monkeypatch)
    assert all(hit.report_id != 9 for hit in PassageIndex(db).search("政务新媒体矩阵"))


def _results(db: sqlite_utils.Database, question: str = "政府信息公开平台建设") -> list[tuple[int, float]]:
    return [(h.passage_id, round(h.score, 9)) for h in PassageIndex(db, read_only=True).search(question, limit=10)]


def _fresh_results(db: sqlite_utils.Database, question: str = "政府信息公开平台建设") -> list[tuple[int, float]]:
    """What an index built from the stored term ids finds (the kept file put aside)."""
    kept = search._snapshot_file(db)
    aside = kept.with_name(kept.name + ".aside")
    kept.rename(aside)
    try:
        return _results(db, question)
    finally:
        aside.rename(kept)


@pytest.mark.parametrize("removed", [False, True])
def test_a_kept_index_a_few_changes_old_is_brought_up_to_date_from_the_log(
        file_db: sqlite_utils.Database, monkeypatch: pytest.MonkeyPatch, removed: bool) -> None:
    invert_tokens = search._invert_tokens
    monkeypatch.setattr(search, "_RELEASE_EVERY", 7)  # the fold gives back the kept file's pages every 7 postings
    held = {r: list(file_db.query("SELECT * FROM passages WHERE report_id = ?", [r])) for r in (4, 5)}
    for report_id in held:
        unstore(file_db, report_id)
    PassageIndex(file_db).close()  # kept without reports 4 and 5
    writer = PassageIndex(file_db)  # another process loads them, and may remove one
    for report_id, rows in held.items():
        file_db["passages"].insert_all(rows)
        writer.add_report(report_id)
    if removed:
        unstore(file_db, 2)
        writer.remove_report(2)
    expected = _fresh_results(file_db)
    forbid_inversion(monkeypatch)
    assert _results(file_db) == expected  # a reader replays the log over the mapped file
    monkeypatch.setattr(search, "_invert_tokens", invert_tokens)
    inverted: list[int] = []
    invert = PassageIndex._invert
    monkeypatch.setattr(PassageIndex, "_invert", lambda self: (inverted.append(1), invert(self))[1])
    writer.close()  # keeps the file current: the added reports folded in, the removed one's rows dropped
    assert inverted == []
    assert json.loads(search._snapshot_file(file_db).read_bytes().split(b"\n")[1])["changes"] == \
        file_db.execute("SELECT value FROM search_state WHERE name = 'changes'").fetchone()[0]
    assert file_db.execute("SELECT COUNT(*) FROM search_log").fetchone()[0] == 0  # what the file holds is pruned
    forbid_inversion(monkeypatch)
    assert _results(file_db) == expected


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.sampled_from(["add", "remove"]), st.sampled_from(sorted(SAMPLES))),
                      min_size=1, max_size=8))
def test_folding_drops_removed_rows_and_keeps_every_score(db: sqlite_utils.Database,
                                                          steps: list[tuple[str, int]]) -> None:
    rows = {r: list(db.query("SELECT * FROM passages WHERE report_id = ?", [r])) for r in SAMPLES}
    index = PassageIndex(db)
    index.search("政务")  # postings in memory
    for op, report_id in steps:
        unstore(db, report_id)
        index.remove_report(report_id)
        if op == "add":
            db["passages"].insert_all(rows[report_id])
            index.add_report(report_id)
    index._fold()
    assert index._all_alive and not index._pending
    for question in ("政府信息公开平台建设", "政务新媒体", "依申请公开"):
        got = [(h.passage_id, round(h.score, 9)) for h in index.search(question, limit=10)]
        assert got == [(h.passage_id, round(h.score, 9)) for h in PassageIndex(db).search(question, limit=10)]
    for op, report_id in steps:  # put the fixture's store back for the next example
        if not db.execute("SELECT 1 FROM passages WHERE report_id = ?", [report_id]).fetchone():
            db["passages"].insert_all(rows[report_id])


def test_a_kept_index_is_built_again_when_the_log_cannot_replay_the_changes(
        file_db: sqlite_utils.Database, monkeypatch: pytest.MonkeyPatch) -> None:
    held = list(file_db.query("SELECT * FROM passages WHERE report_id = 5"))
    unstore(file_db, 5)
    PassageIndex(file_db).close()
    file_db["passages"].insert_all(held)
    PassageIndex(file_db).add_report(5)
    file_db.execute("DELETE FROM search_log")  # the changes since the file are not all logged
    expected = _fresh_results(file_db)
    inverted: list[int] = []
    invert = PassageIndex._invert
    monkeypatch.setattr(PassageIndex, "_invert", lambda self: (inverted.append(1), invert(self))[1])
    assert _results(file_db) == expected
    assert inverted == [1]


def reference_scores(db: sqlite_utils.Database, words: list[str]) -> dict[int, float]:
    """BM25+ of every passage from its stored tokens, written out plainly: what the index's
    pruned search must agree with."""
    passages = {pid: tokens.split() for pid, tokens in db.execute("SELECT id, tokens FROM passages")}
    average = sum(map(len, passages.values())) / len(passages)
    scores: dict[int, float] = {}
    for word in dict.fromkeys(words):
        holders = [pid for pid, tokens in passages.items() if word in tokens]
        if not holders:
            continue
        idf = math.log((len(passages) + 1) / len(holders))
        for pid in holders:
            tf = passages[pid].count(word)
            norm = search.K1 * (1 - search.B + search.B * len(passages[pid]) / average)
            scores[pid] = scores.get(pid, 0.0) + idf * (search.DELTA + tf * (search.K1 + 1) / (tf + norm))
    return scores


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(picks=st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=6),
       dense_rows=st.sampled_from([0, 5, 200_000]), limit=st.integers(min_value=1, max_value=8),
       within=st.sampled_from([None, (2,), (1, 3)]))
def test_the_pruned_search_returns_the_exhaustive_top(db: sqlite_utils.Database, picks: list[int], dense_rows: int,
                                                       limit: int, within: tuple[int, ...] | None) -> None:
    """Whatever the question's mix of rare and common words, over all reports or some, the
    passages found and their scores are those of scoring every passage (MaxScore is exact),
    after a removal and with a report still in the pending part: prose and the named reports'
    table rows, scored with statistics over both."""
    db.execute("UPDATE passages SET kind = 'table' WHERE id % 3 = 0")
    index = PassageIndex(db)
    index.search("政府")  # in memory, so that the report added below is in the pending part
    index.remove_report(3)
    unstore(db, 3)
    store(db, 3)
    db.execute("UPDATE passages SET kind = 'table' WHERE id % 3 = 0")
    index.add_report(3)
    shared = index._shared_words(within) if within else set()
    vocabulary = sorted({t for (tokens,) in db.execute("SELECT tokens FROM passages") for t in tokens.split()
                         if tokenize(t) == [t] and t not in shared})
    words = [vocabulary[p % len(vocabulary)] for p in picks]
    search.DENSE_ROWS, kept = dense_rows, search.DENSE_ROWS
    try:
        hits = index.search(" ".join(words), report_ids=within, limit=limit)
    finally:
        search.DENSE_ROWS = kept
    reference = reference_scores(db, words)
    allowed = {pid for (pid,) in db.execute(
        f"SELECT id FROM passages WHERE report_id IN ({','.join('?' * len(within))})", within)} if within else \
        {pid for (pid,) in db.execute("SELECT id FROM passages WHERE kind != 'table'")}  # all reports: prose
    reference = {pid: score for pid, score in reference.items() if pid in allowed}
    expected = sorted(reference.items(), key=lambda item: (-item[1], item[0]))[:limit]
    assert [h.score for h in hits] == pytest.approx([score for _, score in expected])
    assert all(reference[h.passage_id] == pytest.approx(h.score) for h in hits)


def test_a_passage_holding_only_the_less_rare_word_still_wins_when_it_scores_more() -> None:
    """The pruning must open a less rare word whose best passage can beat the rare word's
    passages: here 热线 four times in a short passage outscores 档案 once in long ones."""
    db = new_db()
    db["reports"].insert({"id": 1, "region": "甲县", "year": 2023, "title": "甲县2023年报告"})
    filler = " ".join(["培训"] * 3 + ["考核"] * 3 + ["督查"] * 4)
    tokens = [f"档案 {filler}"] * 3 + ["热线 热线 热线 热线"] + ["热线 网站"] * 5 + ["年报 信箱"] * 16
    db["passages"].insert_all({"report_id": 1, "ordinal": i, "section": "", "kind": "text", "text": t.replace(" ", ""),
                               "tokens": t} for i, t in enumerate(tokens))
    index = PassageIndex(db)
    hits = index.search("档案 热线", limit=3)
    expected = sorted(reference_scores(db, ["档案", "热线"]).items(), key=lambda item: (-item[1], item[0]))[:3]
    assert [h.passage_id for h in hits] == [pid for pid, _ in expected]
    assert hits[0].text == "热线热线热线热线"


def test_migrating_a_store_whose_table_rows_were_in_memory_keeps_every_answer(db_path: Path) -> None:
    """A store from before table rows left the in-memory index (their term ids in
    passage_terms) is migrated by `reportbot migrate`: the rows move, their frequencies are
    counted, and every search finds what it found before."""
    from bot.cli import main
    from index.store import _MIGRATIONS, open_store

    questions = [("行政处罚 本年 处理 决定", None), ("政府 信息 公开 平台 建设", None), ("依申请 公开 办理", None)]
    db = open_store(db_path)
    report_ids = [r for (r,) in db.execute("SELECT id FROM reports")]
    questions += [(q, report_ids[:2]) for q, _ in questions]
    before = [PassageIndex(db).search(q, report_ids=within, limit=8) for q, within in questions]
    assert any(h.kind == "table" for hits in before for h in hits)
    db.close()
    with closing(sqlite3.connect(db_path)) as conn:  # as the format before this migration left it
        conn.executescript("INSERT INTO passage_terms SELECT * FROM table_row_terms; DROP TABLE table_row_terms;"
                           " DROP TABLE table_row_df; DELETE FROM search_state WHERE name LIKE 'table_%';"
                           " CREATE TABLE search_snapshot (name TEXT PRIMARY KEY, data BLOB NOT NULL);")
        conn.execute(f"PRAGMA user_version = {next(i for i, m in enumerate(_MIGRATIONS) if 'table_row_terms' in m)}")
    Path(f"{db_path}-search").unlink()  # the index kept beside it held table rows too
    assert main(["--db", str(db_path), "migrate"]) == 0
    with closing(sqlite3.connect(db_path)) as conn:
        assert conn.execute("SELECT COUNT(*) FROM passage_terms t JOIN passages p ON p.id = t.passage_id"
                            " WHERE p.kind = 'table'").fetchone() == (0,)
        assert conn.execute("SELECT value > 0 FROM search_state WHERE name = 'table_rows'").fetchone() == (1,)
    db = open_store(db_path, read_only=True)
    assert [PassageIndex(db, read_only=True).search(q, report_ids=within, limit=8) for q, within in questions] == before
