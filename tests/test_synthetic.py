"""The synthetic reports of benchmarks/synthetic.py: distinct, consistent, and they load as generated."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from benchmarks.synthetic import Synthetic, generate, generate_apart, load_templates
from bot.engine import Engine
from index.store import cell_rows
from index.rules import APPLICANT_ORDER, OUTCOME_ORDER, REVIEW_BLOCKS

COUNT = 20
SEED = 3


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> list[Synthetic]:
    """Twenty reports, a quarter of them with a planted inconsistency."""
    return generate(tmp_path_factory.mktemp("synthetic"), COUNT, seed=SEED, broken_share=0.25)


def test_same_seed_gives_the_same_files(made: list[Synthetic], tmp_path: Path) -> None:
    again = generate(tmp_path, 5, seed=SEED, broken_share=0.25)
    assert [s.path.read_text(encoding="utf-8") for s in again] == [s.path.read_text(encoding="utf-8") for s in made[:5]]


def test_files_generated_apart_are_the_same_files_in_the_same_order(tmp_path: Path) -> None:
    """The benchmarks generate in a process of their own (so a load's memory is its own): the
    same files, listed in the order generate() made them, past the ten that sort by name alike."""
    here = generate(tmp_path / "here", 12, seed=SEED)
    apart = generate_apart(tmp_path / "apart", 12, seed=SEED)
    assert [p.name for p in apart] == [s.path.name for s in here]
    assert [p.read_text(encoding="utf-8") for p in apart] == [s.path.read_text(encoding="utf-8") for s in here]


def test_reports_are_distinct_and_cover_every_layout(made: list[Synthetic]) -> None:
    assert len(made) == COUNT
    assert len({(s.body, s.year) for s in made}) == COUNT
    assert len({s.path.read_bytes() for s in made}) == COUNT
    assert {s.template for s in made} == {t.name for t in load_templates()}
    assert all(2019 <= s.year <= 2025 for s in made)
    assert 0 < sum(1 for s in made if s.broken) < COUNT
    pushed = {m for s in made if s.template == "yichun"
              for m in re.findall(r"推送信息 (\d+) 条", s.path.read_text(encoding="utf-8"))}
    assert pushed and pushed != {"475"}


def test_printed_numbers_add_up_except_the_planted_one(made: list[Synthetic]) -> None:
    for s in made:
        values = s.values
        broken: list[str] = []
        for field in {f for f, a in values if a == "total"}:
            if all((field, a) in values for a in APPLICANT_ORDER) and \
                    sum(values[(field, a)] for a in APPLICANT_ORDER[:-1]) != values[(field, "total")]:
                broken.append(field)
        for a in APPLICANT_ORDER:
            new, carried, handled, over = (values.get((f, a)) for f in (
                "requests.new", "requests.carried_in", "requests.handled", "requests.carried_over"))
            if None not in (new, carried, handled, over) and new + carried != handled + over:
                broken.append(f"balance[{a}]")
        for block in REVIEW_BLOCKS:
            parts = [values[(f"{block}.{o}", None)] for o in OUTCOME_ORDER]
            if sum(parts[:-1]) != parts[-1]:
                broken.append(block)
        assert bool(broken) == bool(s.broken), (s.path.name, broken)


def test_reports_load_with_the_numbers_generated(made: list[Synthetic], tmp_path: Path) -> None:
    engine = Engine.open(tmp_path / "reports.db")
    try:
        for s in made:
            outcome = engine.load(s.path)
            assert (outcome.body, outcome.region, outcome.year) == (s.body, s.region, s.year)
            stored = {(c.field, c.applicant): c.value for c in cell_rows(engine.db, report_ids=[outcome.report_id])}
            assert {key: stored.get(key) for key in s.values} == pytest.approx(s.values), s.path.name
            assert bool(outcome.findings) == bool(s.broken), (s.path.name, outcome.findings)
        assert len(engine.reports()) == COUNT
    finally:
        engine.close()
