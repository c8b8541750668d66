"""The generated question bank: every field × phrasings × name forms × years × operations,
as people type them (traditional, full-width, spaced, English, typos) and as follow-ups.

Understanding only (no store): each question must give the intent the generator says, with no
refusal and no second part. Adversarial questions, over the samples, must get no table number.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
import sqlite3

import pytest

from bot.engine import Engine
from bot.understand import understand
from index.lexicon import load_lexicon
from tests.auxil.questions import TODAY, Case, adversarial, bank, bank_catalog

LEXICON = load_lexicon()
CATALOG = bank_catalog(LEXICON)
BANK = bank(LEXICON)
ADVERSARIAL = adversarial(LEXICON)


def test_the_bank_is_large_enough() -> None:
    assert len(BANK) >= 1000
    assert len(ADVERSARIAL) >= 100
    assert {c.field for c in BANK} == {f.code for f in LEXICON.fields}  # every field is asked


def _understand(case: Case):
    context = understand(case.context, CATALOG, LEXICON, today=TODAY) if case.context else None
    return understand(case.question, CATALOG, LEXICON, today=TODAY, context=context)


def _problems(case: Case) -> list[str]:
    intent = _understand(case)
    wanted = {"route": case.route, "field": case.field, "refusal": None, "parts": ()}
    if case.applicant is not None:
        wanted["applicant"] = case.applicant
    if case.bodies is not None:
        wanted["bodies"] = case.bodies
    if case.year != "any":
        wanted["year"] = case.year
    if case.operation is not None:
        wanted["operation"] = case.operation
    if case.descending is not None:
        wanted["descending"] = case.descending
    if case.limit != "any":
        wanted["limit"] = case.limit
    for key in ("within", "levels", "rate", "by_change"):
        if getattr(case, key) is not None:
            wanted[key] = getattr(case, key)
    problems = [f"{key}: {getattr(intent, key)!r} (want {want!r})" for key, want in wanted.items()
                if getattr(intent, key) != want]
    if case.corrected and not intent.corrections:
        problems.append("the typo's correction is not shown")
    return problems


@pytest.mark.parametrize("case", BANK, ids=lambda c: c.question)
def test_bank_question(case: Case) -> None:
    assert not _problems(case), f"{case.question}: {intent_line(case)}"


def intent_line(case: Case) -> str:
    return "; ".join(_problems(case)) + " | " + _understand(case).reading


@pytest.fixture(scope="module")
def samples_engine(samples_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    copy = tmp_path_factory.mktemp("adversarial") / "reports.db"
    with closing(sqlite3.connect(samples_db)) as source, closing(sqlite3.connect(copy)) as target:
        source.backup(target)
    engine = Engine.open(copy)
    yield engine
    engine.close()


@pytest.mark.parametrize("question", ADVERSARIAL)
def test_adversarial_question_gets_no_table_number(samples_engine: Engine, question: str) -> None:
    answer = samples_engine.ask(question)
    table_values = [v for v in answer.values if not v.field.startswith("fact.")]  # prose facts say their sentence
    assert not table_values, answer.to_text()
    if not answer.values:  # a number the prose states comes with its sentence (bot/facts.py); else "没有"
        assert any(word in answer.to_text() for word in ("没有", "未", "暂无", "无")), answer.to_text()
    assert answer.reading.startswith("理解为："), answer.to_text()
