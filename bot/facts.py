"""Answer a question about a number the reports state in their prose: 伊春市政策解读多少篇.

The numbers come from the `facts` table (index/facts.py): each answer gives the number with the
sentence it stands in and the section, never a table cell in its place. The same subject is
comparable and rankable across reports. A question whose subject no stored fact covers gets
None, so retrieval answers it with passages instead.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

import sqlite_utils

from bot.answer import Answer, Chart, PassageRef, Value, format_number
from bot.catalog import Catalog
from bot.selection import select_reports
from index.facts import StoredFact, Subject, load_subjects, stored_facts
from index.store import StoredReport

if TYPE_CHECKING:
    from bot.intent import Intent

# A question asks for a number (or an order of numbers), not for how something was done.
_ASKS_NUMBER = re.compile(r"多少|几[个次场条篇件期份场家]?|数量|数目|排名|排行|排序|最多|最少|最高|最低|哪个|哪些|哪里|前\s*[0-9一二三四五六七八九十]+")
_FEWEST = re.compile(r"最少|最低|倒数|垫底")
_RANKING = re.compile(r"最多|最少|最高|最低|排名|排行|排序|哪个|哪些|哪里|前\s*[0-9一二三四五六七八九十]+|倒数|垫底")
_SHOWN = 10
_QUOTE = 120


def match_subject(question: str, subjects: tuple[Subject, ...] | None = None) -> Subject | None:
    """The subject a question asks about: every `ask` group of data/facts.toml present, most letters wins."""
    best: tuple[int, int, Subject] | None = None
    for order, s in enumerate(subjects if subjects is not None else load_subjects()):
        if not s.ask:
            continue
        hits = [max((len(w) for w in group if w in question), default=0) for group in s.ask]
        if all(hits) and (best is None or (sum(hits), -order) > best[:2]):
            best = (sum(hits), -order, s)
    return best[2] if best else None


def _quote(sentence: str) -> str:
    return sentence if len(sentence) <= _QUOTE else sentence[:_QUOTE] + "…"


def _value(fact: StoredFact, report: StoredReport) -> Value:
    return Value(report=report.title, region=report.region, year=report.year, field=f"fact.{fact.subject}",
                 label=fact.subject_label, applicant=None, value=fact.number, unit=fact.unit, report_id=report.id,
                 name=report.name, source=f"《{report.title}》正文「{fact.section}」")


def _shown(fact: StoredFact) -> str:
    shown = f"{fact.raw}{fact.unit}" if fact.raw else format_number(fact.number, fact.unit)
    return shown.replace(" ", "")


def answer_fact(intent: Intent, db: sqlite_utils.Database, catalog: Catalog) -> Answer | None:
    """Answer with the prose facts of the question's subject, or None when there are none to give."""
    question = intent.question
    if not _ASKS_NUMBER.search(question):
        return None
    subject = match_subject(question)
    if subject is None:
        return None
    selection = select_reports(intent, catalog)
    if not selection.reports:
        return None
    reports = {r.id: r for r in selection.reports}
    facts = stored_facts(db, subject=subject.key, report_ids=reports)
    if not facts:
        return None
    by_report: dict[int, list[StoredFact]] = {}
    for fact in facts:
        by_report.setdefault(fact.report_id, []).append(fact)
    ranking = len(selection.reports) > 1 and (not selection.named or _RANKING.search(question) is not None)
    if ranking:
        return _ranking(intent, subject, selection.reports, by_report, selection.missing)
    return _values(intent, subject, selection.reports, by_report, selection.missing)


def _values(intent: Intent, subject: Subject, reports: tuple[StoredReport, ...], by_report: dict[int, list[StoredFact]],
            missing: tuple[str, ...]) -> Answer:
    lines: list[str] = []
    values: list[Value] = []
    passages: list[PassageRef] = []
    for report in reports:
        facts = by_report.get(report.id, [])
        if not facts:
            lines.append(f"{report.label}报告正文没有写{subject.label}的数字。")
            continue
        shown = "、".join(_shown(f) if f.words == subject.label else f"{f.words}{_shown(f)}" for f in facts)
        lines.append(f"{report.label}{subject.label}：{shown}（报告正文所述，不是表格里的数字）。")
        for fact in facts:
            lines.append(f"【{report.label} · {fact.section}】{_quote(fact.sentence)}")
            values.append(_value(fact, report))
            passages.append(PassageRef(report=report.title, region=report.region, year=report.year, section=fact.section,
                                       text=fact.sentence, score=1.0, report_id=report.id, name=report.name))
        sections = "、".join(dict.fromkeys(f"「{f.section}」" for f in facts))
        lines.append(f"来源：《{report.title}》{sections}")
    lines.extend(missing)
    return Answer(intent.question, str(intent.route), "\n".join(lines), values=tuple(values), passages=tuple(passages),
                  intent=intent)


def _ranking(intent: Intent, subject: Subject, reports: tuple[StoredReport, ...], by_report: dict[int, list[StoredFact]],
             missing: tuple[str, ...]) -> Answer:
    # A report that states the subject several times is ranked by the first number it states.
    first = [(report, by_report[report.id][0]) for report in reports if report.id in by_report]
    fewest = _FEWEST.search(intent.question) is not None
    first.sort(key=lambda pair: (pair[1].number if fewest else -pair[1].number, pair[0].name, pair[0].year, pair[0].id))
    silent = [r for r in reports if r.id not in by_report]
    units = {fact.unit for _, fact in first}
    order = "从少到多" if fewest else "从多到少"
    lines = [f"各报告正文所述的{subject.label}（{order}，{len(first)}份报告写了这个数字）："]
    for rank, (report, fact) in enumerate(first[:_SHOWN], start=1):
        approx = "（约数）" if fact.approx else ""
        lines.append(f"{rank}. {report.label}：{_shown(fact)}{approx} —— “{_quote(fact.sentence)}”")
    if len(first) > _SHOWN:
        lines.append(f"……另有{len(first) - _SHOWN}份报告。")
    if silent:
        names = "、".join(r.label for r in silent[:_SHOWN]) + ("等" if len(silent) > _SHOWN else "")
        lines.append(f"没有写这个数字的报告：{names}（共{len(silent)}份）。")
    if len(units) > 1:
        lines.append(f"注意：各报告用的单位不同（{'、'.join(sorted(units))}），按数字排序。")
    lines.append("这些数字来自报告正文，不是表格；口径可能不同（全市、本机关…），引用前请核对原文。")
    lines.extend(missing)
    shown = first[:_SHOWN]
    chart = Chart(title=f"报告正文所述的{subject.label}", labels=tuple(r.label for r, _ in shown),
                  values=tuple(f.number for _, f in shown), unit=next(iter(units)) if len(units) == 1 else "",
                  source=f"来源：{len(shown)}份政府信息公开工作年度报告的正文（不是表格）") \
        if len(shown) > 1 else None
    return Answer(intent.question, str(intent.route), "\n".join(lines),
                  values=tuple(_value(f, r) for r, f in first[:_SHOWN]),
                  passages=tuple(PassageRef(report=r.title, region=r.region, year=r.year, section=f.section, text=f.sentence,
                                            score=1.0, report_id=r.id, name=r.name) for r, f in shown),
                  intent=intent, chart=chart, table=(("地区", "年度", subject.label, "单位", "原文"),
                                                     *((r.name, str(r.year), str(f.raw or f.number), f.unit, f.sentence)
                                                       for r, f in first)))
