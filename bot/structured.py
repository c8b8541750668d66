"""Answer a question about table numbers: one value, a comparison, a ranking, a sum, a share, a change.

Values come from parameterised queries over the store; derived numbers (sums, shares,
differences) list their inputs after them. A number that is not in the data is never made up:
the answer says what is there instead.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import sqlite_utils

from bot.answer import Answer, Chart, LazyTable, Value, format_number
from bot.catalog import Catalog
from bot.selection import Selection, select_reports
from bot.intent import BOUND_WORDS, Intent
from index.lexicon import Lexicon
from index.store import CellRow, StoredReport, cell_rows, report_findings, table_reads

_TABLE_NAMES = {"active": "表二（主动公开）", "requests": "表三（依申请公开）", "review": "表四（复议诉讼）"}


@dataclass(frozen=True)
class _Looked:
    report: StoredReport
    cell: CellRow | None


def _applicant(intent: Intent, lexicon: Lexicon, field: str) -> str | None:
    if lexicon.field(field).table != "requests":
        return None
    return intent.applicant or "total"


def source_of(cell: CellRow, lexicon: Lexicon) -> str:
    """Where a number stands in its report, in words: table, row and column."""
    table = _TABLE_NAMES.get(cell.table_name, cell.table_name)
    column = f"「{lexicon.applicant(cell.applicant).label}」列" if cell.applicant else ""
    if cell.derived:
        parts = []
        for key in cell.inputs:
            code, _, applicant = key.rstrip("]").partition("[")
            name = lexicon.field(code).label.split("：")[-1] if lexicon.has_field(code) else code
            parts.append(lexicon.applicant(applicant).label if code == cell.field and applicant else name)
        return f"《{cell.report}》{table}，由{'、'.join(dict.fromkeys(parts))}{len(cell.inputs)}项相加得出"
    row = cell.row_label or cell.label
    return f"《{cell.report}》{table}「{row}」行{column}"


def _value(cell: CellRow, report: StoredReport, lexicon: Lexicon) -> Value:
    return Value(report=report.title, region=report.region, year=report.year, field=cell.field, label=cell.label,
                 applicant=cell.applicant, value=cell.value, unit=cell.unit, report_id=report.id, name=report.name,
                 source=source_of(cell, lexicon), derived=cell.derived, inferred=cell.inferred)


def _look_up(db: sqlite_utils.Database, reports: tuple[StoredReport, ...], field: str, applicant: str | None) -> list[_Looked]:
    rows = cell_rows(db, report_ids=[r.id for r in reports], fields=[field], applicant=applicant, any_applicant=False)
    by_report = {row.report_id: row for row in rows}
    return [_Looked(r, by_report.get(r.id)) for r in reports]


# What an answer says about a number that is not simply as printed (cells.method).
_METHOD_CAVEATS = {
    "split": "这一格在原文中与相邻数字粘连，按表内合计唯一拆分得出，请与原文核对。",
    "inferred": "这一格在原文中缺失或空白，数值由该行的合计推算得出。",
    "ocr": "这一格由扫描件文字识别读取，请与原件核对。",
}


def _caveats(db: sqlite_utils.Database, looked: list[_Looked]) -> list[str]:
    notes = []
    for item in looked:
        cell = item.cell
        if cell is None:
            continue
        if cell.method in _METHOD_CAVEATS:
            notes.append(f"注意：{item.report.label}{_METHOD_CAVEATS[cell.method]}")
        elif cell.method == "derived" and not cell.derived:
            notes.append(f"注意：{item.report.label}原文这一格空白，数值由同行各列相加推算得出。")
        key = f"{cell.field}[{cell.applicant}]" if cell.applicant else cell.field
        for _rule, message, fields in report_findings(db, item.report.id):
            if key in fields:
                notes.append(f"注意：{item.report.label}报告这一处数字对不上：{message}")
    return notes


def _label(intent: Intent, lexicon: Lexicon, field: str) -> str:
    label = lexicon.field(field).label
    applicant = _applicant(intent, lexicon, field)
    if applicant and applicant != "total":
        label += f"（{lexicon.applicant(applicant).label}）"
    return label


def _missing_text(item: _Looked, label: str, reads: dict[tuple[int, str], tuple[str, str]], table: str) -> str:
    if item.cell is None:
        method, note = reads.get((item.report.id, table), ("", ""))
        if method in ("raw", "missing"):
            # Not "the report lacks it": the file's table could not be read with certainty.
            return f"{item.report.label}的报告读不出“{label}”：{note}。"
        return f"{item.report.label}的报告里没有“{label}”这一项。"
    return f"{item.report.label}的报告里“{label}”一格是空白（未填报），不能当作0。"


def _table(values: list[Value], lexicon: Lexicon) -> tuple[tuple[str, ...], ...]:
    header = ("地区", "年度", "指标", "申请人", "数值", "单位", "报告")
    rows = [(v.name, str(v.year), v.label, lexicon.applicant(v.applicant).label if v.applicant else "",
             "" if v.value is None else str(format_number(v.value)), v.unit, v.report) for v in values]
    return (header, *rows) if rows else ()


def answer_structured(intent: Intent, db: sqlite_utils.Database, catalog: Catalog, lexicon: Lexicon) -> Answer:
    """Answer an intent with a field from the stored cells."""
    assert intent.field is not None
    from bot import rankings  # rankings by a rate or by change, and the short form of long rankings
    if intent.operation == "rank" and intent.by_change and not intent.rate:
        return rankings.rank_by_change(intent, db, catalog, lexicon)
    if intent.operation == "change":
        # Every year of the named bodies: the change needs the year asked and the one before (or the
        # base year named), and says which of them is missing.
        selection = select_reports(replace(intent, year=None), catalog, all_years=True)
    else:
        selection = select_reports(intent, catalog)
    if not selection.reports:
        return Answer(intent.question, intent.route, " ".join(selection.missing) + _existing(catalog), intent=intent)
    handler = {"compare": _compare, "rank": _rank, "sum": _sum, "average": _sum, "share": _share,
               "change": _change}.get(intent.operation, _values)
    if intent.operation in ("compare", "sum", "average", "rank") and len(selection.reports) < 2:
        handler = _values
    if handler is _values and not selection.named and len(selection.reports) > rankings.SHOWN:
        handler = _rank  # 江苏省各县…多少: many bodies, so the ranked short form, not one line each
    if intent.rate:
        handler = rankings.answer_rate
    if intent.breakdown:
        handler = _breakdown
    answer = handler(intent, db, selection, lexicon)
    return replace(answer, notes=answer.notes + tuple(_other_years(intent, selection, catalog)))


def _other_years(intent: Intent, selection: Selection, catalog: Catalog) -> list[str]:
    """Without a year the latest report answers; say which other years could be asked."""
    if intent.year is not None or not selection.named or intent.operation == "change":
        return []
    notes = []
    for report in selection.reports:
        body = catalog.body_of(report.id)
        others = [r.year for r in body.reports if r.id != report.id] if body else []
        if others:
            notes.append(f"（按最新的{report.year}年报告回答；另有{'、'.join(f'{y}年' for y in others)}的报告。）")
    return notes


def _existing(catalog: Catalog) -> str:
    reports = catalog.reports
    if not reports:
        return ""
    listed = "、".join(r.label for r in reports[:12])
    more = f"等{len(reports)}份" if len(reports) > 12 else ""
    return f"库里现有：{listed}{more}。"


def _values(intent: Intent, db: sqlite_utils.Database, selection: Selection, lexicon: Lexicon) -> Answer:
    field = intent.field
    applicant = _applicant(intent, lexicon, field)
    looked = _look_up(db, selection.reports, field, applicant)
    label = _label(intent, lexicon, field)
    lines, values = [], []
    reads = table_reads(db, [item.report.id for item in looked if item.cell is None])
    for item in looked:
        if item.cell is None or item.cell.value is None:
            lines.append(_missing_text(item, label, reads, lexicon.field(field).table))
            continue
        value = _value(item.cell, item.report, lexicon)
        values.append(value)
        lines.append(f"{item.report.label}{label}：{format_number(value.value, value.unit)}。")
        lines.append(f"来源：{value.source}。")
    lines.extend(selection.missing)
    notes = _caveats(db, looked)
    # Several places or years side by side (伊春市、兴隆县和色达县…分别是多少) are a comparison too.
    chart = _chart(f"{label}对比", values, lexicon) if len(values) > 1 else None
    return Answer(intent.question, intent.route, "\n".join(lines), tuple(values), intent=intent,
                  chart=chart, table=_table(values, lexicon), notes=tuple(notes))


@dataclass(frozen=True)
class _Ranked:
    """A field's numbers over the selected reports, in order: every report and its number as
    arrays, and sourced Values for the leaders only. Over every place that is ten Values, not
    50,000 (issue 10); the rest reaches the user as the /csv table, made when asked for."""

    reports: np.ndarray  # StoredReport objects, best first
    numbers: np.ndarray  # their numbers
    years: np.ndarray  # their years
    values: list[Value]  # the first len(values) of them, with their cells' sources
    gaps: list[str]

    def pairs(self, start: int = 0) -> list[tuple[StoredReport, float]]:
        return list(zip(self.reports[start:].tolist(), self.numbers[start:].tolist()))


def _ranked(intent: Intent, db: sqlite_utils.Database, selection: Selection, lexicon: Lexicon, *,
            leaders: int | None = None) -> _Ranked:
    """The selected reports' values of the intent's field, sorted; sourced Values for the first
    ``leaders`` (all when None). One narrow query gives every number, kept with the catalog;
    ordering is array work; full cells are read only for the leaders (docs/benchmarks.md)."""
    field = intent.field
    applicant = _applicant(intent, lexicon, field)
    label = _label(intent, lexicon, field)
    numbers = selection.field_numbers(db, field, applicant)
    present = ~np.isnan(numbers)
    reports = selection.report_array()
    # Stable, as list.sort(reverse=True) is: equal numbers keep the selection's order.
    order = np.argsort(-numbers[present] if intent.descending else numbers[present], kind="stable")
    ranked_reports, ranked_numbers = reports[present][order], numbers[present][order]
    ranked_years = selection.ids_and_years()[1][present][order]
    first = list(zip(ranked_reports[:leaders].tolist(), ranked_numbers[:leaders].tolist()))
    full = {item.report.id: item.cell for item in _look_up(db, tuple(r for r, _ in first), field, applicant)}
    values = [_value(full[r.id], r, lexicon) if full.get(r.id) else _plain(r, number, field, applicant, lexicon)
              for r, number in first]
    absent = len(numbers) - len(ranked_numbers)
    if selection.named or absent <= 3:
        gaps = [f"{r.label}的报告里没有“{label}”（或为空白）。" for r in reports[~present].tolist()]
    else:
        gaps = [f"另有{absent}份报告没有“{label}”这一项（或为空白）。"]
    return _Ranked(ranked_reports, ranked_numbers, ranked_years, values, gaps + list(selection.missing))


def _plain(report: StoredReport, number: float, field: str, applicant: str | None, lexicon: Lexicon) -> Value:
    """A report's number of a field without its cell's source (a row of a long table)."""
    fdef = lexicon.field(field)
    return Value(report=report.title, region=report.region, year=report.year, field=field, label=fdef.label,
                 applicant=applicant, value=number, unit=fdef.unit, report_id=report.id, name=report.name)


def _ranked_table(ranked: _Ranked, field: str, applicant: str | None, lexicon: Lexicon) -> LazyTable:
    """Every report of a ranking as the /csv table, made only when read."""
    def make() -> tuple[tuple[str, ...], ...]:
        rest = [_plain(r, number, field, applicant, lexicon) for r, number in ranked.pairs(len(ranked.values))]
        return _table(ranked.values + rest, lexicon)
    return LazyTable(len(ranked.numbers) + 1 if len(ranked.numbers) else 0, make)


def _chart(title: str, values: list[Value], lexicon: Lexicon, *, total: int = 0) -> Chart:
    return Chart(title=title, labels=tuple(f"{v.name}{v.year}" for v in values),
                 values=tuple(float(v.value) for v in values), unit=values[0].unit if values else "",
                 source=_chart_source(values, lexicon), total=total)


def _chart_source(values: list[Value], lexicon: Lexicon) -> str:
    """来源：《伊春市2023年…年度报告》表二（主动公开）「行政处罚…」, or the count of reports for many."""
    if not values or not lexicon.has_field(values[0].field):
        return ""
    fdef = lexicon.field(values[0].field)
    reports = list(dict.fromkeys(v.report for v in values))
    where = "、".join(f"《{r}》" for r in reports) if len(reports) <= 2 else f"{len(reports)}份政府信息公开工作年度报告的"
    return f"来源：{where}{_TABLE_NAMES.get(fdef.table, '')}「{fdef.label}」"


def _rank(intent: Intent, db: sqlite_utils.Database, selection: Selection, lexicon: Lexicon) -> Answer:
    from bot import rankings  # over 10 values: a summary line, the top 10 and where the rest is (/csv)
    ranked = _ranked(intent, db, selection, lexicon, leaders=max(intent.limit or 0, rankings.MAX_BARS))
    values, gaps = ranked.values, ranked.gaps
    label = _label(intent, lexicon, intent.field)
    if not values:
        return Answer(intent.question, intent.route, "\n".join(gaps) or "没有可比较的数字。", intent=intent)
    if intent.bound:
        return _past_bound(intent, ranked, selection, lexicon)
    shown = values[: intent.limit] if intent.limit else values[: rankings.SHOWN]
    word = "最多" if intent.descending else "最少"
    tied = int(np.count_nonzero(ranked.numbers == ranked.numbers[0]))
    head = f"“{label}”{word}的是{values[0].name}（{values[0].year}年，{format_number(values[0].value, values[0].unit)}）。"
    if tied > 1:  # named up to SHOWN: thousands may share a 0
        names = "、".join(r.name for r in ranked.reports[: min(tied, rankings.SHOWN)].tolist()) + ("等" if tied > rankings.SHOWN else "")
        head = f"“{label}”{word}的有{tied}个并列：{names}（各{format_number(values[0].value, values[0].unit)}）。"
    if intent.limit:
        head = f"“{label}”{'前' if intent.descending else '后'}{intent.limit}名："
    lines = [head] + rankings.summary_lines(ranked.numbers, values[0].unit, len(shown))
    lines += [f"{i}. {v.name}{v.year}年：{format_number(v.value, v.unit)}" for i, v in enumerate(shown, 1)]
    lines += rankings.rest_line(len(ranked.numbers), len(shown))
    lines.append(f"共比较{len(ranked.numbers)}份报告，数据来自各报告的{_TABLE_NAMES[lexicon.field(intent.field).table]}。")
    lines.extend(gaps)
    note = rankings.years_note(intent, ranked.years) if not selection.named else ""
    lines += [note] if note else []
    applicant = _applicant(intent, lexicon, intent.field)
    return Answer(intent.question, intent.route, "\n".join(lines), tuple(shown), intent=intent,
                  chart=_chart(f"{label}排名", shown if intent.limit else values[: rankings.MAX_BARS], lexicon,
                               total=0 if intent.limit else len(ranked.numbers)),
                  table=_ranked_table(ranked, intent.field, applicant, lexicon))


def _past_bound(intent: Intent, ranked: _Ranked, selection: Selection, lexicon: Lexicon) -> Answer:
    """超过50件的地方: the reports past the bound, in order (most first for 超过, least for 不到),
    out of how many were compared; none past it says so, with the nearest."""
    from bot import rankings

    comparison, bound = intent.bound
    label = _label(intent, lexicon, intent.field)
    unit = ranked.values[0].unit
    numbers = ranked.numbers
    past = {">": numbers > bound, ">=": numbers >= bound, "<": numbers < bound, "<=": numbers <= bound}[comparison]
    count = int(np.count_nonzero(past))  # a prefix of the order: it runs from the bound's side
    total, phrase = len(numbers), f"{BOUND_WORDS[comparison]}{format_number(bound, unit)}"
    table_name = _TABLE_NAMES[lexicon.field(intent.field).table]
    if not count:
        nearest = ranked.values[0]
        lines = [f"没有报告的“{label}”{phrase}：共比较{total}份报告，{'最多' if intent.descending else '最少'}的是"
                 f"{nearest.name}（{nearest.year}年，{format_number(nearest.value, unit)}）。",
                 f"数据来自各报告的{table_name}。"]
        return Answer(intent.question, intent.route, "\n".join(lines + ranked.gaps), intent=intent)
    shown = ranked.values[: min(count, rankings.SHOWN)]
    lines = [f"“{label}”{phrase}的有{count}份报告（共比较{total}份）："]
    lines += [f"{i}. {v.name}{v.year}年：{format_number(v.value, v.unit)}" for i, v in enumerate(shown, 1)]
    lines += rankings.rest_line(count, len(shown))
    lines.append(f"数据来自各报告的{table_name}。")
    lines.extend(ranked.gaps)
    note = rankings.years_note(intent, ranked.years) if not selection.named else ""
    lines += [note] if note else []
    matching = _Ranked(ranked.reports[:count], numbers[:count], ranked.years[:count], ranked.values[:count], ranked.gaps)
    return Answer(intent.question, intent.route, "\n".join(lines), tuple(shown), intent=intent,
                  table=_ranked_table(matching, intent.field, _applicant(intent, lexicon, intent.field), lexicon))


def _kinds(intent: Intent, lexicon: Lexicon) -> list[tuple[str, str | None, str]]:
    """(field, applicant, label) of each kind a breakdown ranks: table 三's applicant columns
    printed in every report (the 法人或其他组织 sum and the total left out), or the rows under the field."""
    if intent.breakdown == "applicants":
        return [(intent.field, a.code, a.label) for a in lexicon.applicants if a.code != "total" and not a.derived_from]
    applicant = _applicant(intent, lexicon, intent.field)
    return [(f.code, applicant, f.label) for f in lexicon.items_of(intent.field)]


def _breakdown(intent: Intent, db: sqlite_utils.Database, selection: Selection, lexicon: Lexicon) -> Answer:
    """申请人最多的是哪类, 办理结果中哪一类最多: one report's kinds of the field, largest first
    (smallest for 最少), each with its source, and the first one's share of them all."""
    label = _label(intent, lexicon, intent.field)
    kinds = _kinds(intent, lexicon)
    lines: list[str] = []
    values: list[Value] = []
    for report in selection.reports:
        # One read of the report's cells of these rows, every column: each kind is one of them.
        rows = {(row.field, row.applicant): row
                for row in cell_rows(db, report_ids=[report.id], fields=dict.fromkeys(f for f, _, _ in kinds))}
        found = [(kind, _value(rows[(field, applicant)], report, lexicon)) for field, applicant, kind in kinds
                 if (field, applicant) in rows and rows[(field, applicant)].value is not None]
        if not found:
            lines.append(f"{report.label}的报告里没有“{label}”的分类数字。")
            continue
        found.sort(key=lambda pair: pair[1].value, reverse=intent.descending)
        first = found[0][1]
        tied = [kind for kind, value in found if value.value == first.value]
        total = sum(value.value for _, value in found)
        share = f"，占这{len(found)}类合计的{format_number(first.value / total, '%')}" if total else ""
        word = "最多" if intent.descending else "最少"
        lines.append(f"{report.label}“{label}”中，{word}的是{'、'.join(tied)}"
                     f"（{'各' if len(tied) > 1 else ''}{format_number(first.value, first.unit)}{share}）：")
        lines += [f"{i}. {kind}：{format_number(value.value, value.unit)}" for i, (kind, value) in enumerate(found, 1)]
        lines += [f"来源：{value.source}。" for _, value in found[:1]]
        lines.append(f"各{'列' if intent.breakdown == 'applicants' else '项'}的来源在 /csv 的表格里。")
        values += [value for _, value in found]
    lines.extend(selection.missing)
    return Answer(intent.question, intent.route, "\n".join(lines), tuple(values), intent=intent,
                  table=_table(values, lexicon))


def _compare(intent: Intent, db: sqlite_utils.Database, selection: Selection, lexicon: Lexicon) -> Answer:
    ranked = _ranked(intent, db, selection, lexicon)
    values, gaps = ranked.values, ranked.gaps
    label = _label(intent, lexicon, intent.field)
    if len(values) < 2:
        return _values(intent, db, selection, lexicon)
    if len(values) > 2:  # three places or more: all of them in order, with the gap between first and last
        return _compare_many(intent, values, gaps, lexicon)
    first, second = values[0], values[1]
    diff = abs(first.value - second.value)
    relation = "多" if first.value != second.value else "一样多"
    head = (f"{first.name}{label}{relation}：{format_number(first.value, first.unit)}，"
            f"{second.name}{format_number(second.value, second.unit)}，相差{format_number(diff, first.unit)}。")
    if not intent.descending:
        head = f"{first.name}{label}更少：{format_number(first.value, first.unit)}，{second.name}{format_number(second.value, second.unit)}。"
    lines = [head] + [f"来源：{v.source}。" for v in values] + gaps
    return Answer(intent.question, intent.route, "\n".join(lines), tuple(values), intent=intent,
                  chart=_chart(f"{label}对比", values, lexicon), table=_table(values, lexicon))


def _compare_many(intent: Intent, values: list[Value], gaps: list[str], lexicon: Lexicon) -> Answer:
    label = _label(intent, lexicon, intent.field)
    first, last = values[0], values[-1]
    word = "最多" if intent.descending else "最少"
    lines = [f"{len(values)}个地方的“{label}”，{word}的是{first.name}（{format_number(first.value, first.unit)}），"
             f"与{last.name}相差{format_number(abs(first.value - last.value), first.unit)}："]
    lines += [f"{i}. {v.name}{v.year}年：{format_number(v.value, v.unit)}" for i, v in enumerate(values, 1)]
    lines += [f"来源：{v.source}。" for v in values] + gaps
    return Answer(intent.question, intent.route, "\n".join(lines), tuple(values), intent=intent,
                  chart=_chart(f"{label}对比", values, lexicon), table=_table(values, lexicon))


def _derived(base: Value, *, value: float, unit: str, label: str, field: str) -> Value:
    return Value(report=base.report, region=base.region, year=base.year, field=field, label=label,
                 applicant=base.applicant, value=value, unit=unit, report_id=base.report_id, name=base.name, derived=True)


def _sum(intent: Intent, db: sqlite_utils.Database, selection: Selection, lexicon: Lexicon) -> Answer:
    """A total (or, for 平均, a mean) over several reports, followed by its inputs (over SHOWN of
    them: the largest, and the rest in the /csv table)."""
    from bot import rankings
    ranked = _ranked(intent, db, selection, lexicon, leaders=rankings.SHOWN)
    values, gaps, count = ranked.values, ranked.gaps, len(ranked.numbers)
    label = _label(intent, lexicon, intent.field)
    if not values:
        return Answer(intent.question, intent.route, "\n".join(gaps) or "没有可相加的数字。", intent=intent)
    total = float(ranked.numbers.sum())
    average = intent.operation == "average"
    result, word = (total / count, "平均") if average else (total, "合计")
    summary = Value(report=f"{count}份报告{word}", region=word, name=word, year=int(ranked.years.max()),
                    field=intent.field, label=label, applicant=values[0].applicant, value=result, unit=values[0].unit,
                    derived=True)
    inputs = "，".join(f"{v.name}{v.year}年 {format_number(v.value, v.unit)}" for v in values)
    verb = "求平均" if average else "相加"
    lines = [f"{count}份报告的“{label}”{word}：{format_number(result, summary.unit)}。",
             f"由以下数字{verb}：{inputs}。" if count <= len(values) else
             f"由{count}份报告的数字{verb}，其中最{'大' if intent.descending else '小'}的{len(values)}个：{inputs}。"]
    lines += rankings.rest_line(count, len(values))
    lines.extend(gaps)
    return Answer(intent.question, intent.route, "\n".join(lines), (summary, *values), intent=intent,
                  table=_ranked_table(ranked, intent.field, _applicant(intent, lexicon, intent.field), lexicon))


def _share(intent: Intent, db: sqlite_utils.Database, selection: Selection, lexicon: Lexicon) -> Answer:
    field = intent.field
    applicant = _applicant(intent, lexicon, field)
    denominator = intent.share_of or _default_denominator(field, applicant, lexicon)
    den_applicant = "total" if lexicon.field(denominator).table == "requests" else None
    if denominator == field and applicant == den_applicant:
        # A share with nothing to divide by (办结率是多少: no rate of the lexicon, no 占……): the number
        # itself answers another question, so none is given.
        label = _label(intent, lexicon, field)
        return Answer(intent.question, intent.route,
                      f"问题问的是比例，但没有说是“{label}”占什么的比例，报告的表格里也没有这个比例，所以不回答别的数字。"
                      f"要看“{label}”本身，可以问“……{label}是多少”；要算比例，可以问“……甲占乙的比例”。", intent=intent)
    lines, values = [], []
    for num, den in zip(_look_up(db, selection.reports, field, applicant), _look_up(db, selection.reports, denominator, den_applicant)):
        if num.cell is None or den.cell is None or num.cell.value is None or not den.cell.value:
            lines.append(f"{num.report.label}缺少计算比例所需的数字（{lexicon.field(field).label} / {lexicon.field(denominator).label}）。")
            continue
        a, b = _value(num.cell, num.report, lexicon), _value(den.cell, den.report, lexicon)
        share = a.value / b.value
        values.extend([_derived(a, value=share, unit="%", label=f"{a.label}占{b.label}的比例", field=f"{field}/{denominator}"), a, b])
        lines.append(f"{num.report.label}{_label(intent, lexicon, field)}占{lexicon.field(denominator).label}的比例："
                     f"{format_number(share, '%')}（{format_number(a.value)} ÷ {format_number(b.value)}）。")
        lines.append(f"来源：{a.source}；{b.source}。")
    lines.extend(selection.missing)
    return Answer(intent.question, intent.route, "\n".join(lines), tuple(values), intent=intent, table=_table(values, lexicon))


def _default_denominator(field: str, applicant: str | None, lexicon: Lexicon) -> str:
    if applicant not in (None, "total"):
        return field
    if field.startswith("requests.") and field not in ("requests.new", "requests.carried_in", "requests.handled"):
        return "requests.handled"
    if field.startswith(("review.", "lawsuit.")):
        return field.rsplit(".", 1)[0] + ".total"
    return field


def _change(intent: Intent, db: sqlite_utils.Database, selection: Selection, lexicon: Lexicon) -> Answer:
    field = intent.field
    applicant = _applicant(intent, lexicon, field)
    label = _label(intent, lexicon, field)
    lines, values = [], []
    by_body: dict[str, list[StoredReport]] = {}
    for report in selection.reports:
        by_body.setdefault(report.body, []).append(report)
    for reports in by_body.values():
        reports.sort(key=lambda r: r.year)
        have = "、".join(str(r.year) for r in reports)
        if intent.year is not None:
            current = next((r for r in reports if r.year == intent.year), None)
            if current is None:
                lines.append(f"没有{reports[-1].name}{intent.year}年的报告（已有{have}年），无法计算变化。")
                continue
        else:
            current = reports[-1]
        base = intent.base_year if intent.base_year is not None else current.year - 1
        previous = next((r for r in reports if r.year == base), None)
        if previous is None:
            lines.append(f"只有{current.name}{have}年的报告，没有{base}年的，无法计算变化。")
            continue
        now, before = _look_up(db, (current, previous), field, applicant)
        if now.cell is None or before.cell is None or now.cell.value is None or before.cell.value is None:
            lines.append(f"{current.name}缺少{current.year}年或{previous.year}年的“{label}”。")
            continue
        a, b = _value(now.cell, current, lexicon), _value(before.cell, previous, lexicon)
        diff = a.value - b.value
        pct = f"，{'增长' if diff >= 0 else '下降'}{abs(diff) / b.value * 100:.1f}%" if b.value else ""
        word = "比上年变化" if previous.year == current.year - 1 else f"比{previous.year}年变化"
        values.extend([_derived(a, value=diff, unit=a.unit, label=f"{a.label}{word}", field=field), a, b])
        lines.append(f"{current.name}{label}：{current.year}年{format_number(a.value, a.unit)}，{previous.year}年"
                     f"{format_number(b.value, b.unit)}，{'增加' if diff >= 0 else '减少'}{format_number(abs(diff), a.unit)}{pct}。")
        lines.append(f"来源：{a.source}；{b.source}。")
    lines.extend(selection.missing)
    chart = _chart(f"{label}变化", [v for v in values if not v.derived], lexicon) if values else None
    return Answer(intent.question, intent.route, "\n".join(lines), tuple(values), intent=intent, chart=chart,
                  table=_table(values, lexicon))
