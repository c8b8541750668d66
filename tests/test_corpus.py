"""Real annual reports from public sources, read through the public path and scored against gold.

tests/corpus/reports/ holds real 政府信息公开工作年度报告 exactly as they were found (crawled portal
text, converter Markdown, PDFs; tests/corpus/SOURCES.md says where each came from). For each
report, tests/corpus/gold/<same stem>.json holds cells read by hand from the file, with the body,
place and year as the body's own people name them. The gold was never produced by this project's
parser. Keys are "field[applicant]" for table 三 and "field" for tables 二 and 四.

Run `pytest -q tests/test_corpus.py -s` to see, per report and in total:
  right            gold cells the parser stored with the same value;
  wrong            gold cells stored with another value;
  wrong-unflagged  of those, the ones whose method is "printed" (a silent wrong number);
  missing          gold cells not stored, or stored blank;
and which reports failed to load and whose body, place or year differ from the gold.
"uncertain" cells are ones a careful human cannot settle from the file alone (run-together digits
that only another year's report or nothing settles); they are scored, and also shown apart.

The assertions are a floor that holds today; raise them as the reader improves.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from index.ingest import prepare_report

CORPUS = Path(__file__).parent / "corpus"
REPORTS = CORPUS / "reports"
GOLD = CORPUS / "gold"

# What holds today. Parser at de24cb5: 14/14 reports load; 2488/2642 gold cells right (94.2%),
# 2488/2599 of the cells a human can settle from the file alone (95.7%); 12 wrong, 10 of them
# unflagged (005: 8 cells of a shredded table 三 put in the wrong rows; 007/008:
# procurement.items = the whole run-together '13575394432.52元'); 142 missing; body, place and
# year right for all 14. The reader rewrite in progress in the working tree at the same time:
# 2272/2642 (86.0%), 4 wrong, 2 unflagged, 366 missing (more tables kept raw). The floor below
# holds for both; raise it as the reader improves (goal: 0 unflagged, >= 95% right).
# With the ten 河北省 department reports (015-024) added: 24/24 load; 3945/4163 right (94.8%),
# 0 wrong, 218 missing.
FLOOR_LOADED = 24  # reports that load without error
FLOOR_RIGHT_SHARE = 0.93  # share of all gold cells read right (0.940 on 2026-12-02)
CEILING_WRONG_UNFLAGGED = 0  # a wrong number stored as printed is never allowed


@dataclass
class Outcome:
    name: str
    gold_cells: int = 0
    right: int = 0
    wrong: list[tuple[str, float, float | None, str]] = field(default_factory=list)  # key, gold, got, method
    missing: list[str] = field(default_factory=list)
    uncertain_right: int = 0
    uncertain_total: int = 0
    error: str | None = None
    body: str | None = None
    region: str | None = None
    year: int | None = None
    body_ok: bool = False
    region_ok: bool = False
    year_ok: bool = False
    reads: str = ""

    @property
    def wrong_unflagged(self) -> list[tuple[str, float, float | None, str]]:
        return [w for w in self.wrong if w[3] == "printed"]


def _report_files() -> list[Path]:
    return sorted(p for p in REPORTS.iterdir() if p.is_file() and not p.name.startswith("."))


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-6 * max(1.0, abs(a), abs(b))


def _norm(name: str | None) -> str:
    return re.sub(r"\s+", "", name or "")


def _key(cell) -> str:
    return f"{cell.field}[{cell.applicant}]" if cell.applicant else cell.field


def evaluate(path: Path) -> Outcome:
    gold = json.loads((GOLD / f"{path.stem}.json").read_text(encoding="utf-8"))
    out = Outcome(path.name, gold_cells=len(gold["cells"]))
    uncertain = set(gold.get("uncertain", ()))
    out.uncertain_total = len(uncertain)
    try:
        report = prepare_report(path).report
    except Exception as error:  # noqa: BLE001 - any failure to load is what this test reports
        out.error = f"{type(error).__name__}: {error}"
        out.missing = list(gold["cells"])
        return out
    out.body, out.region, out.year = report.body, report.region, report.year
    out.body_ok = _norm(report.body) in {_norm(n) for n in [gold["body"], *gold.get("aliases", ())]}
    out.region_ok = _norm(report.region) in {_norm(n) for n in [gold["region"], *gold.get("region_aliases", ())]}
    out.year_ok = report.year == gold["year"]
    out.reads = " ".join(f"{t.table}:{t.method}" for t in getattr(report, "table_reads", ()))
    cells: dict[str, object] = {}
    for cell in report.cells:
        cells.setdefault(_key(cell), cell)
    for key, want in gold["cells"].items():
        cell = cells.get(key)
        if cell is None or cell.value is None:
            out.missing.append(key)
        elif _same(cell.value, want):
            out.right += 1
            out.uncertain_right += key in uncertain
        else:
            out.wrong.append((key, want, cell.value, getattr(cell, "method", "printed")))
    return out


@pytest.fixture(scope="module")
def outcomes() -> list[Outcome]:
    return [evaluate(path) for path in _report_files()]


def test_every_report_has_gold_and_every_gold_a_report() -> None:
    reports = {p.stem for p in _report_files()}
    golds = {p.stem for p in GOLD.glob("*.json")}
    assert reports, "no reports in tests/corpus/reports"
    assert reports == golds, (sorted(reports - golds), sorted(golds - reports))
    sources = (CORPUS / "SOURCES.md").read_text(encoding="utf-8")
    assert all(p.name in sources for p in _report_files()), "every report is listed in SOURCES.md"


def _print_summary(outcomes: list[Outcome]) -> None:
    print("\n\ncorpus of real reports: gold cells read right by the parser")
    print(f"{'report':34} {'load':4} {'body':4} {'place':5} {'year':4} {'right':>12} {'wrong':>5} {'silent':>6} {'miss':>4}  tables")
    for o in outcomes:
        share = o.right / o.gold_cells if o.gold_cells else 0.0
        print(f"{o.name:34} {'no' if o.error else 'ok':4} {'ok' if o.body_ok else 'NO':4} "
              f"{'ok' if o.region_ok else 'NO':5} {'ok' if o.year_ok else 'NO':4} "
              f"{o.right:4}/{o.gold_cells:<4} {share:4.0%} {len(o.wrong):5} {len(o.wrong_unflagged):6} "
              f"{len(o.missing):4}  {o.reads}")
    print()
    for o in outcomes:
        if o.error:
            print(f"- {o.name}: FAILED TO LOAD: {o.error}")
            continue
        problems = []
        if not o.body_ok:
            problems.append(f"body {o.body!r}")
        if not o.region_ok:
            problems.append(f"place {o.region!r}")
        if not o.year_ok:
            problems.append(f"year {o.year!r}")
        if o.wrong:
            shown = ", ".join(f"{k}={got:g}≠{want:g}({m})" for k, want, got, m in o.wrong[:6])
            problems.append(f"{len(o.wrong)} wrong: {shown}{' …' if len(o.wrong) > 6 else ''}")
        if o.missing:
            problems.append(f"{len(o.missing)} missing: {', '.join(o.missing[:4])}{' …' if len(o.missing) > 4 else ''}")
        if problems:
            print(f"- {o.name}: " + "; ".join(problems))
    by_body: dict[str, set[str]] = {}
    for o in outcomes:
        if not o.error:
            gold_body = json.loads((GOLD / f"{Path(o.name).stem}.json").read_text(encoding="utf-8"))["body"]
            by_body.setdefault(gold_body, set()).add(_norm(o.body))
    for gold_body, names in sorted(by_body.items()):
        if len(names) > 1:
            print(f"- one body, several names across years: {gold_body}: {sorted(names)}")
    total = sum(o.gold_cells for o in outcomes)
    right = sum(o.right for o in outcomes)
    unc_total = sum(o.uncertain_total for o in outcomes)
    unc_right = sum(o.uncertain_right for o in outcomes)
    silent = sum(len(o.wrong_unflagged) for o in outcomes)
    failed = [o.name for o in outcomes if o.error]
    print(f"\nTOTAL: {right}/{total} gold cells right ({right / total:.1%}); "
          f"certain cells {right - unc_right}/{total - unc_total} ({(right - unc_right) / max(1, total - unc_total):.1%}); "
          f"wrong {sum(len(o.wrong) for o in outcomes)}, of which unflagged {silent}; "
          f"missing {sum(len(o.missing) for o in outcomes)}; "
          f"failed to load {len(failed)}/{len(outcomes)}; "
          f"body wrong {sum(not o.body_ok for o in outcomes if not o.error)}, "
          f"place wrong {sum(not o.region_ok for o in outcomes if not o.error)}, "
          f"year wrong {sum(not o.year_ok for o in outcomes if not o.error)}")


def test_corpus_scores(outcomes: list[Outcome]) -> None:
    _print_summary(outcomes)
    total = sum(o.gold_cells for o in outcomes)
    right = sum(o.right for o in outcomes)
    assert total > 0
    assert sum(not o.error for o in outcomes) >= FLOOR_LOADED
    assert right / total >= FLOOR_RIGHT_SHARE
    if CEILING_WRONG_UNFLAGGED is not None:
        assert sum(len(o.wrong_unflagged) for o in outcomes) <= CEILING_WRONG_UNFLAGGED
