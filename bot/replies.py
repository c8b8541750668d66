"""Answers that are not a lookup: help, a refusal with the reading, and a question of several parts."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from bot.answer import Answer, Value, format_number
from bot.intent import Intent, Operation
from index.lexicon import Lexicon
from index.store import StoredReport

HELP_TEXT = ("我回答关于政府信息公开工作年度报告的问题：表格里的数字（附出处），报告原文里的说法，"
             "以及报告自己的数字对不对得上。可以这样问：")


def help_answer(intent: Intent, examples: list[str]) -> Answer:
    """A greeting or a request for help: what can be asked, with examples from the loaded reports."""
    lines = [HELP_TEXT, *(f"• {e}" for e in examples),
             "也可以接着问：“那色达县呢？”“2022年呢？”“最少的呢？”。命令：/reports 报告列表，/check 数字核对。"]
    return Answer(intent.question, intent.route, "\n".join(lines), intent=intent)


# Reports a list in an answer names; the rest are counted and reached with /reports.
LISTED_REPORTS = 20


def asks_for_report_list(question: str, lexicon: Lexicon) -> bool:
    """有哪些报告, 伊春市有几份报告: a question about the store, not about what a report says."""
    return any(word in question for word in lexicon.question.list_reports)


def report_list_answer(intent: Intent, reports: Sequence[StoredReport]) -> Answer:
    """The loaded reports (of the places and year the question names, when it names any), newest first."""
    named = set(intent.bodies)
    where = "、".join([*intent.bodies, *intent.unknown_places]) or "库里"
    year = f"{intent.year}年" if intent.year is not None else ""
    reading = f"理解为：{where}{' · ' + year if year else ''} · 已载入的报告"
    intent = replace(intent, reading=reading)
    chosen = [] if intent.unknown_places and not named else \
        [r for r in reports if (not named or r.body in named or r.name in named) and intent.year in (None, r.year)]
    chosen.sort(key=lambda r: (-r.year, r.name))
    if not chosen:
        return Answer(intent.question, intent.route, f"{where}没有已载入的{year}报告。发送 /reports 看全部报告。",
                      intent=intent)
    lines = [f"{where}共有{len(chosen)}份{year}报告："]
    lines += [f"{i}. {r.label}《{r.title}》" for i, r in enumerate(chosen[:LISTED_REPORTS], 1)]
    if len(chosen) > LISTED_REPORTS:
        lines.append(f"其余{len(chosen) - LISTED_REPORTS}份：发送 /reports 看完整列表（命令行：reportbot reports）。")
    return Answer(intent.question, intent.route, "\n".join(lines), intent=intent)


def refusal_answer(intent: Intent) -> Answer:
    """No number: the question as read, and why it is not answered (never a different question)."""
    return Answer(intent.question, intent.route, intent.refusal or "报告里没有这个问题的答案。", intent=intent)


def combined_answer(intent: Intent, answers: list[Answer], lexicon: Lexicon) -> Answer:
    """The answers to every part of a question, in order; values, notes and tables follow them.
    A sum of several rows of one report (部分公开和不予公开一共多少) leads with their total."""
    total = _total_of_parts(intent, answers, lexicon)
    text = "\n".join(([f"{total.name}{total.year}年{total.label}：{format_number(total.value, total.unit)}。"] if total else [])
                     + [a.text for a in answers])
    notes = tuple(dict.fromkeys(n for a in answers for n in a.notes))
    values = ((total,) if total else ()) + tuple(v for a in answers for v in a.values)
    passages = tuple(p for a in answers for p in a.passages)
    header = next((a.table[0] for a in answers if a.table), None)
    rows = [row for a in answers if a.table and a.table[0] == header for row in a.table[1:]]
    table = (header, *rows) if header else ()
    chart = next((a.chart for a in answers if a.chart is not None), None)
    choices = tuple(c for a in answers for c in a.choices)
    return Answer(intent.question, intent.route, text, values, passages, intent=intent, choices=choices,
                  chart=chart, table=table, notes=notes)


def _total_of_parts(intent: Intent, answers: list[Answer], lexicon: Lexicon) -> Value | None:
    """The total a 一共/合计 question of several rows of one report asks for: only when each part
    gave one number of the same report and unit, and no row is another's total or part of it
    (不予公开 and 国家秘密 would count the same requests twice)."""
    if intent.operation != Operation.SUM or len(answers) < 2 or any(len(a.values) != 1 for a in answers):
        return None
    values = [a.values[0] for a in answers]
    fields = [v.field for v in values]
    if len({(v.report_id, v.unit, v.applicant) for v in values}) != 1 or len(set(fields)) != len(fields) \
            or any(v.value is None or not lexicon.has_field(v.field) for v in values):
        return None
    if any(lexicon.counted_in(a, b) for a in fields for b in fields if a != b):
        return None
    first = values[0]
    label = "＋".join(v.label for v in values) + " 合计"
    return Value(report=first.report, region=first.region, year=first.year, field="+".join(fields), label=label,
                 applicant=first.applicant, value=sum(v.value for v in values), unit=first.unit,
                 report_id=first.report_id, name=first.name, derived=True)


def with_answered_year(answer: Answer) -> Answer:
    """Remember which year an answer used, so that 去年呢 in a follow-up counts from it."""
    intent = answer.intent
    if intent is None or intent.year is not None or not answer.values:
        return answer
    return replace(answer, intent=replace(intent, answered_year=max(v.year for v in answer.values)))
