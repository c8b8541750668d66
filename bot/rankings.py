"""Rankings by a rate (公开率最低, 复议纠错率最高) or by change (增长最快, 下降最多), and the short
form of any long ranking: a summary line and the top 10, the rest in the /csv table.

Rates are data ([[rate]] in data/lexicon.toml): the sum of the numerator fields over the sum of
the denominator fields, each read from the report's own cells; a report missing one of them, or
with a denominator of 0, is left out and counted. Without a year each body's latest report
answers, and the answer says which years that mixed.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import sqlite_utils

from bot.answer import Answer, Chart, LazyTable, Value, format_number
from bot.catalog import Catalog
from bot.intent import Intent
from bot.selection import Selection, select_reports
from index.lexicon import Lexicon, RateDef
from index.store import StoredReport

SHOWN = 10  # lines of a long ranking in the answer; the rest is in its table (/csv)
MAX_BARS = 20  # bot/charts.py draws at most 20 bars (Telegram photo limits)
_TABLE_NAMES = {"active": "表二（主动公开）", "requests": "表三（依申请公开）", "review": "表四（复议诉讼）"}


def rate_of(intent: Intent, lexicon: Lexicon) -> RateDef | None:
    """The lexicon's rate an intent asks for."""
    return next((r for r in lexicon.rates if r.code == intent.rate), None)


def years_note(intent: Intent, years: Sequence[int] | np.ndarray) -> str:
    """Which years a comparison without a year used (each body's latest report), with the count
    of reports per year; ``years`` has one entry a report compared."""
    if intent.year is not None or not len(years):
        return ""
    found, counts = np.unique(np.asarray(years, dtype=np.int64), return_counts=True)
    if len(found) == 1:
        return f"（未指定年度：都按{found[0]}年的报告比较。）"
    listed = "、".join(f"{y}年{n}份" for y, n in zip(found[::-1].tolist(), counts[::-1].tolist()))
    return (f"（未指定年度：按各机关最新一年的报告比较，年份不一：{listed}。"
            f"要比同一年，请写出年份，例如“{found[-1]}年…”。）")


def summary_lines(numbers: Sequence[float], unit: str, shown: int, *, total: bool = True) -> list[str]:
    """Over SHOWN numbers: count, median (and total of counts) first; after the list, how to get the rest."""
    if len(numbers) <= max(shown, SHOWN):
        return []
    numbers = np.asarray(numbers, dtype=np.float64)  # tens of thousands of them: array work
    line = f"共{len(numbers)}份报告：中位数{format_number(float(np.median(numbers)), unit)}"
    if total and unit != "%":
        line += f"，合计{format_number(float(numbers.sum()), unit)}"
    return [line + f"；下面是前{shown}名。"]


def rest_line(count: int, shown: int) -> list[str]:
    """The count of values not listed, and where they are."""
    if count <= shown:
        return []
    return [f"其余{count - shown}份未列出：发送 /csv 可得到完整表格（{count}行）。"]


def chart_of(title: str, values: list[Value], source: str, *, total: int | None = None) -> Chart | None:
    """A bar chart of the values a ranking lists (at most MAX_BARS); ``total``: how many were
    ranked, when ``values`` holds only the leaders."""
    drawn = [v for v in values[:MAX_BARS] if v.value is not None]
    if not drawn:
        return None
    return Chart(title=title, labels=tuple(f"{v.name}{v.year}" for v in drawn), values=tuple(float(v.value) for v in drawn),
                 unit=drawn[0].unit, source=source,
                 total=sum(1 for v in values if v.value is not None) if total is None else total)


def _table(values: list[Value], extra: str, extras: dict[int, str]) -> tuple[tuple[str, ...], ...]:
    header = ("地区", "年度", "指标", "数值", "单位", extra, "报告")
    rows = [(v.name, str(v.year), v.label, "" if v.value is None else format_number(v.value, v.unit).removesuffix(v.unit),
             v.unit, extras.get(id(v), ""), v.report) for v in values]
    return (header, *rows) if rows else ()


# ---------------------------------------------------------------------------- rates
def _column(lexicon: Lexicon, code: str) -> str | None:
    return "total" if lexicon.field(code).table == "requests" else None


def _short(lexicon: Lexicon, code: str) -> str:
    return lexicon.field(code).label


def answer_rate(intent: Intent, db: sqlite_utils.Database, selection: Selection, lexicon: Lexicon) -> Answer:
    """A rate for each selected report, or the reports ranked by it.

    The rates are computed as arrays over the selection; a ranking makes Values (with sources)
    for the reports it lists and draws, and the /csv table of every report when it is read.
    """
    rate = rate_of(intent, lexicon)
    assert rate is not None
    codes = list(dict.fromkeys(rate.numerator + rate.denominator))
    parts = {code: selection.field_numbers(db, code, _column(lexicon, code)) for code in codes}
    name = rate.label.split("（")[0]
    table = _TABLE_NAMES.get(lexicon.field(rate.numerator[0]).table, "")
    formula = f"（{'＋'.join(_short(lexicon, c) for c in rate.numerator)}）÷{'＋'.join(_short(lexicon, c) for c in rate.denominator)}"
    reports = selection.report_array()
    lacking = np.zeros(len(reports), dtype=bool)
    for code in codes:
        lacking |= np.isnan(parts[code])
    numerators = sum(np.nan_to_num(parts[c]) for c in rate.numerator)
    denominators = sum(np.nan_to_num(parts[c]) for c in rate.denominator)
    zero = ~lacking & (denominators == 0)
    kept = np.flatnonzero(~lacking & ~zero)
    ranking = intent.operation == "rank" and len(selection.reports) > 1
    rates = numerators[kept] / denominators[kept]
    if ranking:  # stable, as list.sort(reverse=True) is: equal rates keep the selection's order
        kept = kept[np.argsort(-rates if intent.descending else rates, kind="stable")]
        rates = numerators[kept] / denominators[kept]

    def value(i: int) -> Value:
        report, num, den = reports[i], numerators[i], denominators[i]
        return Value(report=report.title, region=report.region, year=report.year, field=f"rate.{rate.code}",
                     label=name, applicant=None, value=num / den, unit="%", report_id=report.id, name=report.name,
                     source=f"《{report.title}》{table}，{formula}＝{format_number(num)}÷{format_number(den)}", derived=True)

    def inputs(i: int) -> str:
        return f"{format_number(numerators[i])}÷{format_number(denominators[i])}"

    listed = kept[: max(intent.limit or SHOWN, MAX_BARS)] if ranking else kept
    values = [value(i) for i in listed.tolist()]
    lines = []
    if ranking and values:
        word = "最高" if intent.descending else "最低"
        shown = values[: intent.limit or SHOWN]
        lead = int(np.count_nonzero(rates == rates[0]))
        if intent.limit:
            lines.append(f"{name}{'前' if intent.descending else '后'}{intent.limit}名（{rate.label.split('（')[-1].rstrip('）')}）：")
        elif lead > 1:
            names = "、".join(r.name for r in reports[kept[: min(lead, SHOWN)]].tolist()) + ("等" if lead > SHOWN else "")
            lines.append(f"{name}{word}的有{lead}个并列（各{format_number(values[0].value, '%')}）：{names}。")
        else:
            lines.append(f"{name}{word}的是{values[0].name}（{values[0].year}年，{format_number(values[0].value, '%')}）。")
        lines += summary_lines(rates, "%", len(shown), total=False)
        lines += [f"{n}. {v.name}{v.year}年：{format_number(v.value, '%')}（{inputs(i)}）"
                  for n, (v, i) in enumerate(zip(shown, listed.tolist()), 1)]
        lines += rest_line(len(kept), len(shown))
        lines.append(f"{name}＝{formula}，数字来自各报告的{table}。")
        values = shown
    else:
        for v, i in zip(values, listed.tolist()):
            lines.append(f"{v.name}{v.year}年{name}：{format_number(v.value, '%')}，即{formula}＝{inputs(i)}。")
            lines.append(f"来源：{v.source}。")
    if lacking.any():
        lines.append(_few(reports[lacking].tolist(), "缺少计算所需的数字", selection.named))
    if zero.any():
        lines.append(_few(reports[zero].tolist(), f"{'＋'.join(_short(lexicon, c) for c in rate.denominator)}为0，算不出比率",
                          selection.named))
    lines.extend(selection.missing)
    if ranking:
        note = years_note(intent, selection.ids_and_years()[1])
        if note:
            lines.append(note)
    if not len(kept) and not lines:
        lines.append("没有可计算的数字。")
    chart = chart_of(f"{name}排名", [value(i) for i in kept[:MAX_BARS].tolist()], f"来源：{len(kept)}份报告的{table}",
                     total=len(kept)) if ranking else None

    def every_row() -> tuple[tuple[str, ...], ...]:
        made = [value(i) for i in kept.tolist()]
        return _table(made, "分子÷分母", {id(v): inputs(i) for v, i in zip(made, kept.tolist())})
    return Answer(intent.question, intent.route, "\n".join(lines), tuple(values), intent=intent, chart=chart,
                  table=LazyTable(len(kept) + 1 if len(kept) else 0, every_row))


def _few(reports: list[StoredReport], what: str, named: bool) -> str:
    if named or len(reports) <= 3:
        return "、".join(r.label for r in reports) + f"的报告{what}。"
    return f"另有{len(reports)}份报告{what}，未计入。"


# ---------------------------------------------------------------------------- change
@dataclass(frozen=True)
class _Change:
    now: StoredReport
    before: StoredReport
    a: float
    b: float

    @property
    def diff(self) -> float:
        return self.a - self.b

    @property
    def pct(self) -> float | None:
        return self.diff / self.b if self.b else None


def rank_by_change(intent: Intent, db: sqlite_utils.Database, catalog: Catalog, lexicon: Lexicon) -> Answer:
    """Bodies ranked by the change of a field from the year before (or the base year named)."""
    field = intent.field
    fdef = lexicon.field(field)
    applicant = (intent.applicant or "total") if fdef.table == "requests" else None
    selection = select_reports(replace(intent, year=None), catalog, all_years=True)
    stored = selection.field_values(db, field, applicant)
    by_body: dict[str, list[StoredReport]] = {}
    for report in selection.reports:
        by_body.setdefault(report.body, []).append(report)
    changes, without = [], []
    for reports in by_body.values():
        now = next((r for r in reports if r.year == intent.year), None) if intent.year else max(reports, key=lambda r: r.year)
        if now is None:
            continue
        base = intent.base_year if intent.base_year is not None else now.year - 1
        before = next((r for r in reports if r.year == base), None)
        if before is None or stored.get(now.id) is None or stored.get(before.id) is None:
            without.append(now)
            continue
        changes.append(_Change(now, before, stored[now.id], stored[before.id]))
    kind = intent.by_change or "increase"
    percent = kind.endswith("_pct")
    direction = kind.split("_")[0]
    if percent:
        zero = [c for c in changes if c.pct is None]
        changes = [c for c in changes if c.pct is not None]
    else:
        zero = []
    sign = {"increase": 1, "decrease": -1}.get(direction)

    measures = [(c.pct if percent else c.diff) * sign if sign else abs(c.pct if percent else c.diff) for c in changes]
    order = sorted(range(len(changes)), key=measures.__getitem__, reverse=intent.descending)
    opposite = []
    if sign and intent.descending:  # 下降最多 lists the bodies that went down; the others are counted
        opposite = [i for i in order if measures[i] <= 0]
        order = [i for i in order if measures[i] > 0]
    changes, measures = [changes[i] for i in order], [measures[i] for i in order]
    word = {"increase": "增加", "decrease": "减少", "change": "变化"}[direction]
    unit = "%" if percent else fdef.unit
    label = fdef.label + (f"（{lexicon.applicant(applicant).label}）" if applicant not in (None, "total") else "")
    extras: dict[int, str] = {}

    def value(i: int) -> Value:
        """The i-th change as a Value, made only for what the answer lists, draws or exports."""
        c = changes[i]
        made = Value(report=c.now.title, region=c.now.region, year=c.now.year, field=field,
                     label=f"{label}比{c.before.year}年{word}{'幅度' if percent else ''}", applicant=applicant,
                     value=measures[i], unit=unit, report_id=c.now.id, name=c.now.name, derived=True,
                     source=f"《{c.now.title}》与《{c.before.title}》{_TABLE_NAMES.get(fdef.table, '')}「{fdef.label}」")
        extras[id(made)] = f"{c.before.year}年{format_number(c.b, fdef.unit)}→{c.now.year}年{format_number(c.a, fdef.unit)}"
        return made

    values = [value(i) for i in range(min(len(changes), max(intent.limit or SHOWN, MAX_BARS)))]
    lines = []
    measure_word = f"{word}幅度" if percent else f"{word}量"
    if not values and opposite:
        lines.append(f"没有哪个机关的“{label}”比上年{word}：可比的{len(opposite)}个机关都是持平或{'减少' if sign > 0 else '增加'}。")
    elif not values:
        lines.append(f"没有哪个机关同时有相邻两年的“{label}”，算不出变化。")
    else:
        top = values[0]
        order = "最大" if intent.descending else "最小"
        shown = values[: intent.limit or SHOWN]
        lines.append(f"“{label}”比上年{measure_word}{order}的是{top.name}（{extras[id(top)]}，"
                     f"{word}{format_number(top.value, unit)}）。" if not intent.limit else
                     f"“{label}”比上年{measure_word}{'前' if intent.descending else '后'}{intent.limit}名：")
        lines += summary_lines(measures, unit, len(shown), total=not percent)
        lines += [f"{i}. {v.name}：{extras[id(v)]}，{_signed(changes[i - 1], fdef.unit)}"
                  for i, v in enumerate(shown, 1)]
        lines += rest_line(len(changes), len(shown))
        lines.append(f"数字来自各报告的{_TABLE_NAMES.get(fdef.table, '')}「{fdef.label}」。")
    if opposite and values:
        lines.append(f"另有{len(opposite)}个机关持平或{'减少' if sign > 0 else '增加'}，未列入。")
    if without:
        lines.append(_few(without, "没有上一年可比的报告或数字", selection.named))
    if zero:
        lines.append(_few(zero, "上一年为0，算不出增幅", selection.named))
    lines.extend(selection.missing)
    if intent.year is None and changes:
        years = Counter(c.now.year for c in changes)
        if len(years) > 1:
            counts = "、".join(f"{y}年{n}个" for y, n in sorted(years.items(), reverse=True))
            lines.append(f"（未指定年度：各机关按最新一年与上一年比较，年份不一：{counts}。要比同一年，请写出年份。）")
        else:
            lines.append(f"（未指定年度：都按{next(iter(years))}年与上一年比较。）")
    chart = chart_of(f"{label}比上年{measure_word}", values,
                     f"来源：{len(changes) * 2}份报告的{_TABLE_NAMES.get(fdef.table, '')}", total=len(changes))

    def every_row() -> tuple[tuple[str, ...], ...]:
        return _table(values + [value(i) for i in range(len(values), len(changes))], "两年数值", extras)
    return Answer(intent.question, intent.route, "\n".join(lines), tuple(values[: intent.limit or SHOWN]), intent=intent,
                  chart=chart, table=LazyTable(len(changes) + 1 if changes else 0, every_row))


def _signed(c: _Change, unit: str) -> str:
    word = "增加" if c.diff > 0 else "减少" if c.diff < 0 else "持平"
    pct = f"（{'+' if c.diff >= 0 else '-'}{abs(c.pct) * 100:.1f}%）" if c.pct is not None else "（上年为0）"
    return f"{word}{format_number(abs(c.diff), unit)}{pct}" if c.diff else "持平"
