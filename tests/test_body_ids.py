"""One body across years and spellings in the store, and `reportbot reports --json`."""
from __future__ import annotations

import io
import json
from pathlib import Path

from bot.cli import main
from index import store
from index.document import Document
from index.lexicon import load_lexicon
from index.parser import parse_report
from index.readers.text import text_to_blocks
from index.store import list_reports, open_store, save_report

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"
SEDA = (SAMPLES / "seda-2023.txt").read_text(encoding="utf-8")


def saved(db, text: str, name: str):
    document = Document(blocks=text_to_blocks(text), source_name=name, sha256=str(abs(hash(text))).rjust(64, "0"),
                        format="txt")
    report = parse_report(document, load_lexicon())
    return save_report(db, report, document, ["x"] * len(report.passages))


def test_the_store_keeps_body_id_and_region_code() -> None:
    db = open_store(":memory:")
    saved(db, SEDA, "seda-2023.txt")
    (report,) = list_reports(db)
    assert (report.body_id, report.region_code) == ("513333:gov", "513333")
    row = db.execute("SELECT printed_body, identity_notes FROM reports").fetchone()
    assert row == ("", "[]")


def test_the_same_body_in_two_years_with_and_without_its_city() -> None:
    db = open_store(":memory:")
    saved(db, SEDA.replace("色达县2023年", "伊美区2022年", 1), "a.txt")
    saved(db, SEDA.replace("色达县2023年", "伊春市伊美区2023年", 1), "b.txt")
    saved(db, SEDA.replace("色达县2023年", "伊春市2023年", 1), "c.txt")
    ids = {(r.year, r.region): r.body_id for r in list_reports(db)}
    assert ids == {(2022, "伊春市伊美区"): "230717:gov", (2023, "伊春市伊美区"): "230717:gov",
                   (2023, "伊春市"): "230700:gov"}


def test_another_spelling_of_the_same_body_and_year_replaces_the_old_report() -> None:
    db = open_store(":memory:")
    saved(db, SEDA.replace("色达县2023年", "伊川县政府办2023年", 1), "a.txt")
    result = saved(db, SEDA.replace("色达县2023年", "伊川县人民政府办公室2023年", 1).replace("。", "。 ", 1), "b.txt")
    assert result.replaced is not None and result.replaced.body == "伊川县政府办"
    assert [r.body for r in list_reports(db)] == ["伊川县人民政府办公室"]


def test_reports_loaded_before_body_ids_get_theirs_when_the_store_is_opened(tmp_path: Path) -> None:
    path = tmp_path / "r.db"
    db = open_store(path)
    saved(db, SEDA, "seda-2023.txt")
    db.execute("UPDATE reports SET body_id = '', region_code = NULL")
    db.conn.commit()
    db.close()
    db = open_store(path)
    assert [(r.body_id, r.region_code) for r in list_reports(db)] == [("513333:gov", "513333")]
    db.close()
    assert any("ADD COLUMN body_id" in m for m in store._MIGRATIONS)  # noqa: SLF001 - the columns come by a migration


def test_reports_json(tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    assert main(["--db", str(db), "load", str(SAMPLES)]) == 0
    out = io.StringIO()
    import bot.cli as cli

    args = cli.build_parser().parse_args(["--db", str(db), "reports", "--json"])
    assert cli.cmd_reports(args, out) == 0
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(records) == 5
    assert all(list(r)[:9] == ["id", "body_id", "body", "region", "region_code", "level", "year", "title", "source_name"]
               for r in records)
    huixian = next(r for r in records if r["source_name"] == "huixian-2021.txt")
    assert huixian | {"id": 0} == {"id": 0, "body_id": "410782:gov", "body": "辉县市人民政府", "region": "辉县市",
                                   "region_code": "410782", "level": "county", "year": 2021,
                                   "title": "辉县市人民政府2021年政府信息公开工作年度报告", "source_name": "huixian-2021.txt",
                                   "printed_body": "辉县市人民政府"}


def test_reports_json_names_one_body_by_one_name_across_its_spellings(tmp_path: Path) -> None:
    corpus = Path(__file__).resolve().parent / "corpus" / "reports"
    files = [str(p) for p in sorted(corpus.glob("*河北省工信厅*"))]
    db = tmp_path / "r.db"
    assert main(["--db", str(db), "load", *files]) == 0
    import bot.cli as cli

    out = io.StringIO()
    cli.cmd_reports(cli.build_parser().parse_args(["--db", str(db), "reports", "--json"]), out)
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert {r["body_id"] for r in records} == {"130000:industry_it"}
    assert {r["body"] for r in records} == {"河北省工业和信息化厅"}
    assert "河北省工信厅" in {r["printed_body"] for r in records}
