"""The store in Datasette, through Datasette's own test client: titles, hidden tables, queries, search.

Needs the `datasette` extra (in the `test` extra too); skipped where it is not installed.
"""
from __future__ import annotations

import re
import sqlite3
from collections.abc import AsyncIterator
from contextlib import closing
from pathlib import Path

import pytest

pytest.importorskip("datasette")

from bot.browse import build_datasette, prepare, search_query  # noqa: E402
from index.fulltext import FTS_TABLE, ensure_fulltext, match_query  # noqa: E402
from index.metadata import DATABASE_KEY, column_label, load_metadata, tables  # noqa: E402
from index.store import _MIGRATIONS, open_store  # noqa: E402

INTERNAL = {"search_terms", "passage_terms", "table_row_terms", "table_row_df", "search_state", "search_log", "store_state", FTS_TABLE}


@pytest.fixture
async def ds(db_path: Path) -> AsyncIterator:
    prepare(db_path)
    datasette = build_datasette(db_path)
    await datasette.invoke_startup()
    yield datasette


async def rows(ds, path: str) -> list[dict]:
    response = await ds.client.get(path)
    assert response.status_code == 200, response.text[:500]
    return response.json()["rows"]


def schema_names(path: Path) -> dict[str, str]:
    """Every table and view of the schema the code makes, with its type (FTS shadow tables left out)."""
    with closing(sqlite3.connect(path)) as conn:
        return {name: kind for name, kind in conn.execute(
            "SELECT name, type FROM sqlite_master WHERE type IN ('table', 'view')"
            " AND name NOT LIKE 'sqlite_%' AND name NOT LIKE ?", (f"{FTS_TABLE}_%",))}


# -- the metadata file


def test_every_table_and_view_is_described_in_chinese_and_english(tmp_path: Path) -> None:
    """Tables other engineers add must be described too: the schema is made afresh from _MIGRATIONS."""
    path = tmp_path / "fresh.db"
    open_store(path).close()
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        ensure_fulltext(conn)
    described = tables()
    for name, kind in schema_names(path).items():
        assert name in described, f"{kind} {name} has no entry in data/datasette/metadata.yml"
        info = described[name]
        chinese, _, english = info.title.partition(" · ")
        assert chinese and english, f"{name}: the title is not 中文 · English"
        assert info.description, name
        if info.hidden:
            continue
        with closing(sqlite3.connect(path)) as conn:
            columns = [row[1] for row in conn.execute(f"PRAGMA table_info([{name}])")]
        for column in columns:
            assert column in info.labels, f"{name}.{column} has no description"
            assert info.labels[column] and "：" not in info.labels[column], f"{name}.{column}"
        labels = [info.labels[c] for c in columns]
        assert len(set(labels)) == len(labels), f"{name}: two columns share a label"
    assert len(_MIGRATIONS) > 0 and INTERNAL <= {n for n, i in described.items() if i.hidden}


def test_a_column_label_is_the_text_before_the_colon() -> None:
    assert column_label("数值：单位见「单位」列。The number.") == "数值"
    assert tables()["report_headlines"].labels["fees_amount_wan_yuan"] == "行政事业性收费（万元）"
    assert tables()["cells"].chinese_title == "表格数字"


# -- Datasette


async def test_home_and_tables_show_titles_and_hide_the_search_internals(ds) -> None:
    response = await ds.client.get("/reports.json")
    assert response.status_code == 200
    shown = {t["name"]: t for t in response.json()["tables"]}
    for name in INTERNAL:
        assert shown[name]["hidden"], name
    for name in ("reports", "findings", "facts", "passages", "table_reads"):
        assert not shown[name]["hidden"], name
    for name in ("cell_values", "cell_keys", "cell_texts", "cell_methods"):  # read through the view cells
        assert shown[name]["hidden"], name
    assert "cells" in {v["name"] for v in response.json()["views"]}
    page = (await ds.client.get("/reports/cells")).text
    assert "表格数字 · Table cells" in page
    assert "空白格 value 为空" in page
    home = (await ds.client.get("/")).text
    assert "政府信息公开工作年度报告数据库" in home


async def test_counts_show_as_integers(ds) -> None:
    (row,) = await rows(ds, "/reports/report_headlines.json?_shape=objects&region=伊春市")
    assert row["penalty_decisions"] == 88300
    for page in ("/reports/report_headlines?region=伊春市", "/reports/cells?field=penalty.decisions",
                 "/reports/disclosure_rate?year="):
        text = (await ds.client.get(page)).text
        assert not re.search(r">\s*\d+\.0\s*<", text), page  # 88300, never 88300.0
    assert ">88300<" in (await ds.client.get("/reports/cells?field=penalty.decisions")).text.replace(" ", "")


async def test_a_whole_number_stored_as_real_still_shows_whole(ds) -> None:
    """As in a store made before counts were stored as integers (cells.value REAL)."""
    text = (await ds.client.get("/reports?sql=SELECT+CAST(88300+AS+REAL)+AS+v,+12372.0506+AS+w")).text
    text = text.replace(" ", "")
    assert ">88300<" in text and "88300.0" not in text and ">12372.0506<" in text


@pytest.mark.parametrize("query", ["disclosure_rate", "review_correction_rate", "year_over_year",
                                   "denial_reasons", "denial_reasons_total", "findings_by_report"])
async def test_canned_queries_run(ds, query: str) -> None:
    response = await ds.client.get(f"/reports/{query}.json?_shape=objects&year=&field=&q=")
    assert response.status_code == 200, response.text[:500]
    assert "error" not in response.json() or not response.json()["error"]


async def test_disclosure_rate_ranks_granted_over_handled(ds) -> None:
    ranked = await rows(ds, "/reports/disclosure_rate.json?_shape=objects&year=2023")
    assert ranked and all(r["年度"] == 2023 for r in ranked)
    rates = [r["公开率（%）"] for r in ranked]
    assert rates == sorted(rates, reverse=True)
    for r in ranked:
        assert r["公开率（%）"] == round(100 * r["予以公开（件）"] / r["办理结果总计（件）"], 1)


async def test_denial_reasons_add_up_to_the_subtotal(ds) -> None:
    for row in await rows(ds, "/reports/denial_reasons.json?_shape=objects&year="):
        reasons = [v for k, v in row.items() if k.startswith("属于") or k in (
            "其他法律行政法规禁止公开", "危及三安全一稳定", "保护第三方合法权益")]
        if row["不予公开小计（件）"] is not None and all(v is not None for v in reasons):
            assert sum(reasons) == row["不予公开小计（件）"], row


async def test_year_over_year_compares_one_body_across_years(db_path: Path, tmp_path: Path) -> None:
    from bot.engine import Engine
    from tests.auxil.reports import YICHUN_2022

    extra = tmp_path / "yichun-2022.txt"
    extra.write_text(YICHUN_2022, encoding="utf-8")
    engine = Engine.open(db_path)
    try:
        engine.load(extra)
    finally:
        engine.close()
    prepare(db_path)
    ds = build_datasette(db_path)
    changes = await rows(ds, "/reports/year_over_year.json?_shape=objects&field=penalty.decisions")
    (yichun,) = [r for r in changes if r["地区"] == "伊春市"]
    assert (yichun["上一年度"], yichun["年度"]) == (2022, 2023)
    assert yichun["增减"] == yichun["本年度数值"] - yichun["上一年度数值"]


# -- full-text search in Chinese


def test_a_query_is_cut_into_quoted_words() -> None:
    assert match_query("存在问题") == '"存在" "问题"'
    assert match_query("") == '""'
    assert match_query('公开" OR x') .startswith('"公开"')
    assert search_query("hello world") == '"hello" "world"'  # no Chinese: as Datasette quotes it


async def test_search_box_finds_chinese_words_run_together(ds) -> None:
    found = await rows(ds, "/reports/passages.json?_shape=objects&_search=存在问题&_size=max")
    assert found, "存在问题 found nothing"
    for passage in found:
        assert "存在" in passage["text"] + passage["section"] and "问题" in passage["text"] + passage["section"]
    everything = await rows(ds, "/reports/passages.json?_shape=objects&_search=政策解读&_size=max")
    with closing(sqlite3.connect(ds.databases["reports"].path)) as conn:
        expected = conn.execute("SELECT count(*) FROM passages WHERE text LIKE '%政策解读%'").fetchone()[0]
    assert len(everything) >= expected > 0


async def test_search_query_returns_passages_with_their_report(ds) -> None:
    found = await rows(ds, "/reports/search_passages.json?_shape=objects&q=12345热线")
    assert found and all("12345" in r["原文"] for r in found)
    assert all(r["报告"].endswith("年度报告") for r in found)
    assert await rows(ds, "/reports/search_passages.json?_shape=objects&q=") == []


def test_index_follows_loads_and_removals(db_path: Path, tmp_path: Path) -> None:
    from bot.engine import Engine

    assert prepare(db_path) is True
    assert prepare(db_path) is False  # in step: nothing written
    engine = Engine.open(db_path)
    try:
        engine.remove("伊春市2023")
    finally:
        engine.close()
    with closing(sqlite3.connect(db_path, isolation_level=None)) as conn:
        (indexed,) = conn.execute(f"SELECT count(*) FROM {FTS_TABLE}_docsize").fetchone()
        (passages,) = conn.execute("SELECT count(*) FROM passages").fetchone()
        assert indexed == passages
        hits = conn.execute(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ?", (match_query("伊春"),)).fetchall()
        ids = {row[0] for row in conn.execute("SELECT id FROM passages")}
        assert {h[0] for h in hits} <= ids
    assert prepare(db_path) is False


def test_metadata_names_the_database_as_the_file_is_named() -> None:
    from index.metadata import metadata_for

    assert set(metadata_for("newsroom")["databases"]) == {"newsroom"}
    assert DATABASE_KEY in load_metadata()["databases"]
