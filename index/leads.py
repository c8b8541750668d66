"""Story leads: what in the loaded reports may deserve a journalist's call (docs/leads.md).

Six kinds, each a rule over what the store already holds, with its thresholds in
data/leads.toml: a report that contradicts itself (its 勾稽 findings), prose against table
(the `fact_mismatches` view), outliers against peers of the same level and year (median and
MAD), jumps across years for one body, absences (a table missing or all zeros, section 五
empty or the same as the year before, fees without the explanation section 六 asks for, a late
report) and boilerplate (section 五 or 六 copied from another report, by MinHash over character
shingles). Every lead has a claim a journalist can check and the printed sources of each of
its numbers. Same store, same leads, in the same order.
"""
from __future__ import annotations

import json
import math
import re
import tomllib
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from index.lexicon import DATA_DIR, local_place
from index.numbers import squeeze
from index.store import StoredReport, list_reports

LEADS_PATH = DATA_DIR / "leads.toml"
KINDS = ("self_contradiction", "prose_vs_table", "outlier", "jump", "absence", "boilerplate")
_TABLE_NAMES = {"active": "表二（主动公开）", "requests": "表三（依申请公开）", "review": "表四（复议诉讼）"}
_LEVEL_NAMES = {"province": "省级", "city": "市级", "county": "县级", "district": "区级", "township": "乡镇级",
                "department": "部门"}
_APPLICANT_NAMES = {"natural_person": "自然人", "business": "商业企业", "research": "科研机构", "public_interest": "社会公益组织",
                    "legal_service": "法律服务机构", "other_org": "其他", "legal_persons": "法人或其他组织"}
PEERS_NAMED = 10  # peers a median's source names before "等N份"
_SECTION_NAMES = {5: "五、存在的主要问题及改进情况", 6: "六、其他需要报告的事项"}
_RULE_NAMES = {"requests.row_sum": "各类申请人相加应等于总计", "requests.balance": "新收＋结转应等于办理＋结转下年",
               "requests.handled_sum": "各办理结果相加应等于总计", "requests.subtotal": "小项相加应等于小计",
               "review.block_sum": "复议、诉讼各结果相加应等于总计"}


# ---------------------------------------------------------------------------- values


@dataclass(frozen=True, slots=True)
class Source:
    """Where one number of a claim is printed: a table cell, or a sentence of a section."""

    text: str  # as printed: the row and the cell's text, or the sentence
    value: float | None = None
    table: str | None = None  # active / requests / review
    section: str | None = None  # the section path, for prose
    field: str | None = None  # field code, fact:subject, or what the number is (published, median)
    applicant: str | None = None
    report: str = ""  # the report it is printed in, when not the lead's own
    year: int | None = None

    def to_json(self) -> dict[str, Any]:
        """The object of a lead's `sources` list."""
        data: dict[str, Any] = {"table": self.table} if self.table else {"section": self.section or ""}
        data.update({"field": self.field, "applicant": self.applicant, "value": _number(self.value), "text": self.text})
        if self.report:
            data["report"] = self.report
            data["year"] = self.year
        return data


@dataclass(frozen=True, slots=True)
class Lead:
    """One thing worth checking in one report, with why and where every number of it is printed."""

    kind: str
    report_id: int
    report: str  # the report's title
    region: str
    body: str
    year: int
    claim: str  # one Chinese sentence a journalist can check
    why: str
    score: float
    sources: tuple[Source, ...]
    topic: str = ""  # what it is about: a rule, a field, a metric key, a section number

    def to_json(self) -> dict[str, Any]:
        """One line of `reportbot leads --json`."""
        return {"kind": self.kind, "report": self.report, "report_id": self.report_id, "region": self.region,
                "body": self.body, "year": self.year, "claim": self.claim, "why": self.why, "score": self.score,
                "topic": self.topic, "sources": [s.to_json() for s in self.sources]}


@dataclass(frozen=True, slots=True)
class _Cell:
    table: str
    field: str
    applicant: str | None
    label: str
    row_label: str
    value: float | None
    raw: str
    unit: str
    method: str

    def source(self, report: StoredReport | None = None) -> Source:
        row = self.row_label or self.label
        column = "" if self.applicant in (None, "total") else f"「{_APPLICANT_NAMES.get(self.applicant, self.applicant)}」列"
        shown = self.raw or ("" if self.value is None else _fmt(self.value))
        how = "" if self.method == "printed" else f"〔{self.method}〕"
        return Source(text=f"{_TABLE_NAMES.get(self.table, self.table)}「{row}」{column}：{shown}{how}", value=self.value,
                      table=self.table, field=self.field, applicant=self.applicant,
                      report=report.title if report else "", year=report.year if report else None)


@dataclass
class _Store:
    """What the rules read, loaded once per run."""

    reports: dict[int, StoredReport]
    cells: dict[tuple[int, str, str | None], _Cell] = field(default_factory=dict)


def _number(value: float | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else round(float(value), 6)


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.4g}" if abs(value) < 1 else f"{value:g}"


def _pct(value: float) -> str:
    return f"{value * 100:.1f}%"


def _key(code: str) -> tuple[str, str | None]:
    field_, _, applicant = code.rstrip("]").partition("[")
    return field_, applicant or None


def _strength(excess: float) -> float:
    """Between 0.75 (just past the threshold) and 1 (far past it): a kind's weight decides first."""
    return 0.75 + 0.25 * max(0.0, min(1.0, excess))


# ---------------------------------------------------------------------------- config


@lru_cache(maxsize=4)
def load_config(path: Path = LEADS_PATH) -> dict[str, Any]:
    """Read data/leads.toml once."""
    with open(path, "rb") as fh:
        return tomllib.load(fh)


def kind_names(config: dict[str, Any] | None = None) -> dict[str, str]:
    """Kind → Chinese name (自相矛盾 …)."""
    config = config or load_config()
    return {kind: config["kinds"][kind][1] for kind in KINDS}


# ---------------------------------------------------------------------------- loading


def _load_reports(db) -> dict[int, StoredReport]:
    return {r.id: r for r in sorted(list_reports(db), key=lambda r: r.id)}


def _body_key(report: StoredReport) -> str:
    """One body across years: the body_id of index/identity.py, else the name."""
    return report.body_id or f"name:{report.body}"


def _load_cells(db, store: _Store, codes: Iterable[str]) -> None:
    fields = sorted({_key(c)[0] for c in codes})
    if not fields:
        return
    store.cells.update(_read_cells(db, f"field IN ({','.join('?' * len(fields))})"
                                       " AND (applicant IS NULL OR applicant = 'total')", fields))


def _read_cells(db, where: str, parameters: Sequence[object]) -> Iterator[tuple[tuple[int, str, str | None], _Cell]]:
    """Cells of the `cells` view by (report, field, applicant), read row by row, with the labels,
    units and methods that repeat in every report made once each: every report's cells of the
    leads' fields were 160 MB at 10,000 reports, most of it rows read all at once and the same
    texts made again for each."""
    shared: dict[str, str] = {}
    for r in db.execute("SELECT report_id, table_name, field, applicant, label, row_label, value, raw, unit, method"
                        f" FROM cells WHERE {where}", parameters):
        texts = [text if text is None else shared.setdefault(text, text) for text in (r[1], r[2], r[3], r[4], r[5], r[8], r[9])]
        yield (r[0], texts[1], texts[2]), _Cell(*texts[:5], r[6], r[7], *texts[5:])


def _cell(store: _Store, report_id: int, code: str) -> _Cell | None:
    field_, applicant = _key(code)
    return store.cells.get((report_id, field_, applicant))


# ---------------------------------------------------------------------------- the kinds


def _self_contradictions(db, store: _Store, config: dict, wanted: set[int]) -> list[Lead]:
    weight = config["kinds"]["self_contradiction"][0]
    full = config["self_contradiction"]["full_strength_gap"]
    rows = [r for r in db.execute("SELECT report_id, rule, message, fields, expected, actual FROM findings"
                                  " WHERE expected IS NOT NULL ORDER BY report_id, id")
            if r[0] in wanted and r[0] in store.reports]
    ids = sorted({r[0] for r in rows})
    named = {(r[0], *_key(code)) for r in rows for code in json.loads(r[3])}  # the cells the findings name
    cells = {key: cell for key, cell in _read_cells(db, f"report_id IN ({','.join('?' * len(ids))})", ids)
             if key in named} if ids else {}
    leads = []
    for report_id, rule, message, fields, expected, actual in rows:
        report = store.reports[report_id]
        sources = []
        for code in json.loads(fields):
            cell = cells.get((report_id, *_key(code)))
            if cell is not None:
                sources.append(cell.source())
        gap = abs(expected - actual) / max(abs(expected), abs(actual), 1.0)
        where = "表四" if rule.startswith("review") else "表三"
        leads.append(Lead(
            kind="self_contradiction", report_id=report_id, report=report.title, region=report.region, body=report.body,
            year=report.year, claim=f"{report.label}报告{where}{message}",
            why=f"报告自己的数字加不平（{_RULE_NAMES.get(rule, rule)}）：可能是填报或排版错误，也可能有数字被漏报、改动；"
                "值得请编制单位说明哪一个数字是对的。",
            score=round(weight * _strength(gap / full), 1), sources=tuple(sources), topic=rule))
    return leads


def _prose_vs_table(db, store: _Store, config: dict, wanted: set[int]) -> list[Lead]:
    weight = config["kinds"]["prose_vs_table"][0]
    rules = config["prose_vs_table"]
    rows = db.execute(
        "SELECT report_id, section, subject, subject_label, words, number, unit, raw, approx, sentence, fact_value,"
        " table_name, field, applicant, label, table_value, table_unit, table_raw, row_label"
        " FROM fact_mismatches ORDER BY report_id, fact_id")
    leads = []
    for (report_id, section, subject, subject_label, words, number, unit, raw, approx, sentence, fact_value,
         table_name, field_, applicant, label, table_value, table_unit, table_raw, row_label) in rows:
        if report_id not in wanted or report_id not in store.reports:
            continue
        report = store.reports[report_id]
        scope = [w for w in rules["scope_words"] if w in sentence]
        table_shown = f"{table_raw or _fmt(table_value)}{table_unit}"
        prose_shown = f"{raw}{unit}".replace(" ", "")
        claim = (f"{report.label}报告正文说“{words}{prose_shown}”，{_TABLE_NAMES.get(table_name, table_name)}"
                 f"「{row_label or label}」印的是{table_shown}。")
        why = "同一件事，正文和表格给出不同的数字：可能其中一个写错，也可能口径不同（只计本机关，或计全部门）；两者都按原文保存，值得问清哪个对、各算的是什么。"
        if scope:
            why += f"句中有口径词「{'、'.join(scope)}」，口径不同的可能更大。"
        rel = abs(fact_value - table_value) / max(abs(fact_value), abs(table_value), 1e-9)
        score = weight * _strength(rel) * (rules["scope_factor"] if scope else 1.0)
        sources = (
            Source(text=sentence, value=number, section=section, field=f"fact:{subject}"),
            _Cell(table_name, field_, applicant, label, row_label, table_value, table_raw, table_unit, "printed").source(),
        )
        leads.append(Lead(kind="prose_vs_table", report_id=report_id, report=report.title, region=report.region,
                          body=report.body, year=report.year, claim=claim, why=why, score=round(score, 1),
                          sources=sources, topic=subject))
    return leads


@dataclass(frozen=True, slots=True)
class _Rate:
    value: float
    numerator: float
    denominator: float
    sources: tuple[Source, ...]


def _fact_fees(db) -> dict[int, tuple[float, Source]]:
    """The first 信息处理费 each report states, in 元."""
    out: dict[int, tuple[float, Source]] = {}
    for report_id, section, number, unit, sentence in db.execute(
            "SELECT report_id, section, number, unit, sentence FROM facts WHERE subject = 'info_fee'"
            " ORDER BY report_id, ordinal"):
        if report_id not in out:
            value = number * (10_000 if unit == "万元" else 1)
            out[report_id] = (value, Source(text=sentence, value=number, section=section, field="fact:info_fee"))
    return out


def _rates(store: _Store, metric: dict, fees: dict[int, tuple[float, Source]], min_denominator: float) -> dict[int, _Rate]:
    out = {}
    for report_id, report in store.reports.items():
        num_sources, den_sources = [], []
        numerator = denominator = 0.0
        complete = True
        for code in metric["numerator"]:
            if code == "fact:info_fee":
                if report_id not in fees:
                    complete = False
                    break
                value, source = fees[report_id]
                numerator += value
                num_sources.append(source)
                continue
            cell = _cell(store, report_id, code)
            if cell is None or cell.value is None:
                complete = False
                break
            numerator += cell.value
            num_sources.append(cell.source())
        for code in metric["denominator"]:
            cell = _cell(store, report_id, code)
            if not complete or cell is None or cell.value is None:
                complete = False
                break
            denominator += cell.value
            den_sources.append(cell.source())
        if complete and denominator >= max(min_denominator, 1e-9):
            out[report_id] = _Rate(numerator / denominator, numerator, denominator, tuple(num_sources + den_sources))
    return out


def leave_one_out(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each value, the median of the others and their median absolute deviation from it.

    What statistics.median gives for each report's peers, made from one sort of the group: the
    peers' median is the group's sorted values with one place taken out, so it can take only
    three values (the place left out below, at or above the middle), and for each of them one
    sort of the deviations does the same. A median per report over its peers made outliers
    quadratic in a group's size: 1,200 county reports a year at 50,000 (issue 10)."""
    count = len(values)
    if count < 2:
        return np.full(count, np.nan), np.full(count, np.nan)
    sorted_values, ranks = _sorted_with_ranks(values)
    medians = _median_without(sorted_values, ranks)
    deviations = np.empty(count, dtype=np.float64)
    for case in _median_cases(ranks):
        center = medians[case[0]]
        sorted_deviations, deviation_ranks = _sorted_with_ranks(np.abs(values - center))
        deviations[case] = _median_without(sorted_deviations, deviation_ranks)[case]
    return medians, deviations


def _sorted_with_ranks(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(values, kind="stable")
    ranks = np.empty(len(values), dtype=np.int64)
    ranks[order] = np.arange(len(values))
    return values[order], ranks


def _median_without(sorted_values: np.ndarray, ranks: np.ndarray) -> np.ndarray:
    """For each place, the median of sorted_values with that place (its rank) taken out."""
    peers = len(sorted_values) - 1
    middle = peers // 2

    def peer(k: int) -> np.ndarray:  # the k-th of the peers, for each place left out
        return np.where(ranks > k, sorted_values[k], sorted_values[k + 1])

    if peers % 2:
        return peer(middle)
    return (peer(middle - 1) + peer(middle)) / 2


def _median_cases(ranks: np.ndarray) -> list[np.ndarray]:
    """The places whose peers have one median: left out above, at, or below the middle."""
    middle = (len(ranks) - 1) // 2
    cases = (ranks > middle, ranks == middle, ranks < middle)
    return [np.flatnonzero(case) for case in cases if case.any()]


def _metric_shown(metric: dict, value: float) -> str:
    return _fmt(round(value, 2)) + "元" if metric["key"] == "fee_per_request" else _pct(value)


def _outliers(db, store: _Store, config: dict, wanted: set[int], fees: dict) -> list[Lead]:
    weight = config["kinds"]["outlier"][0]
    rules = config["outlier"]
    tiers = rules.get("peer_levels", {})
    leads = []
    for metric in rules["metric"]:
        rates = _rates(store, metric, fees, metric["min_denominator"])
        groups: dict[tuple[str, int], list[int]] = defaultdict(list)
        for report_id in sorted(rates):
            report = store.reports[report_id]
            groups[(tiers.get(report.level, report.level), report.year)].append(report_id)
        for (tier, year), members in sorted(groups.items()):
            if len(members) - 1 < rules["min_peers"]:
                continue
            medians, deviations = leave_one_out(np.array([rates[p].value for p in members], dtype=np.float64))
            peers = len(members) - 1
            for place, report_id in enumerate(members):
                if report_id not in wanted:
                    continue
                median, mad = float(medians[place]), float(deviations[place])
                scale = max(1.4826 * mad, metric.get("min_scale", rules["min_scale"]))
                rate = rates[report_id]
                z = (rate.value - median) / scale
                direction = metric["direction"]
                if (direction == "high" and z < 0) or (direction == "low" and z > 0):
                    continue
                if abs(z) < rules["z_threshold"] or abs(rate.value - median) < metric["min_difference"]:
                    continue
                report = store.reports[report_id]
                level = _LEVEL_NAMES.get(tier, tier)
                side = "高" if z > 0 else "低"
                claim = (f"{report.label}的{metric['label']}为{_metric_shown(metric, rate.value)}"
                         f"（{_fmt(rate.numerator)} / {_fmt(rate.denominator)}），同年其他{peers}份{level}报告的中位数为"
                         f"{_metric_shown(metric, median)}，明显偏{side}。")
                why = (f"同级同年的机关适用同一条例、同一表格，{metric['label']}远离多数"
                       f"（稳健Z值 {z:.1f}，阈值 {rules['z_threshold']}）：可能是办理尺度不同，也可能是填报口径或错误，值得追问原因。")
                named = [store.reports[p].name for p in members[:PEERS_NAMED + 1] if p != report_id][:PEERS_NAMED]
                peer_names = "、".join(named) + (f"等{peers}份" if peers > len(named) else "")
                median_source = Source(text=f"同年{level}其他{peers}份报告的中位数（计算值）：{peer_names}",
                                       value=round(median, 6), table=rate.sources[-1].table,
                                       field=f"median:{metric['key']}")
                strength = _strength((abs(z) - rules["z_threshold"]) / (rules["full_strength_z"] - rules["z_threshold"]))
                leads.append(Lead(kind="outlier", report_id=report_id, report=report.title, region=report.region,
                                  body=report.body, year=report.year, claim=claim, why=why,
                                  score=round(weight * strength, 1), sources=rate.sources + (median_source,),
                                  topic=metric["key"]))
    return leads


def _bodies(store: _Store) -> dict[str, list[StoredReport]]:
    bodies: dict[str, list[StoredReport]] = defaultdict(list)
    for report in store.reports.values():
        bodies[_body_key(report)].append(report)
    for reports in bodies.values():
        reports.sort(key=lambda r: (r.year, r.id))
    return bodies


def _jumps(db, store: _Store, config: dict, wanted: set[int], fees: dict) -> list[Lead]:
    weight = config["kinds"]["jump"][0]
    rules = config["jump"]
    metrics = {m["key"]: m for m in config["outlier"]["metric"]}
    leads = []
    rate_cache = {key: _rates(store, metrics[key], fees, 0) for key in {r["metric"] for r in rules.get("rate", [])}}
    for _key_, reports in sorted(_bodies(store).items()):
        for before, after in zip(reports, reports[1:]):
            if after.id not in wanted or after.year == before.year:
                continue
            for count in rules.get("count", []):
                a, b = _cell(store, before.id, count["field"]), _cell(store, after.id, count["field"])
                if a is None or b is None or a.value is None or b.value is None:
                    continue
                larger, smaller = max(a.value, b.value), min(a.value, b.value)
                if larger < count["min_larger"] or (smaller > 0 and larger / smaller < count["factor"]):
                    continue
                ratio = larger / smaller if smaller > 0 else math.inf
                if b.value > a.value:
                    change = f"是上一份报告的{ratio:.1f}倍" if ratio != math.inf else "此前为零"
                else:
                    change = f"减少{(1 - b.value / a.value) * 100:.1f}%" if ratio != math.inf else "降为零"
                claim = (f"{after.name}的{count['label']}从{before.year}年的{_fmt(a.value)}{a.unit}"
                         f"变为{after.year}年的{_fmt(b.value)}{b.unit}（{change}）。")
                why = "同一机关一年之间变化这么大，可能有真实原因（机构调整、专项执法、统计口径变化），也可能是填报错误；值得请对方解释。"
                excess = math.log(ratio / count["factor"]) / math.log(10) if ratio != math.inf else 0.6
                leads.append(Lead(kind="jump", report_id=after.id, report=after.title, region=after.region, body=after.body,
                                  year=after.year, claim=claim, why=why, score=round(weight * _strength(excess), 1),
                                  sources=(a.source(before), b.source(after)), topic=count["field"]))
            for rate_rule in rules.get("rate", []):
                metric = metrics[rate_rule["metric"]]
                rates = rate_cache[rate_rule["metric"]]
                ra, rb = rates.get(before.id), rates.get(after.id)
                if ra is None or rb is None or min(ra.denominator, rb.denominator) < rate_rule["min_denominator"]:
                    continue
                change = rb.value - ra.value
                if abs(change) < rate_rule["min_change"]:
                    continue
                claim = (f"{after.name}的{metric['label']}从{before.year}年的{_pct(ra.value)}"
                         f"（{_fmt(ra.numerator)} / {_fmt(ra.denominator)}）变为{after.year}年的{_pct(rb.value)}"
                         f"（{_fmt(rb.numerator)} / {_fmt(rb.denominator)}）。")
                why = "同一机关办理申请的结果一年之间翻转：可能是政策或办理尺度变了，也可能是填报口径变了；值得追问。"
                sources = tuple(Source(s.text, s.value, s.table, s.section, s.field, s.applicant, before.title, before.year)
                                for s in ra.sources) + rb.sources
                excess = (abs(change) - rate_rule["min_change"]) / max(1e-9, 1 - rate_rule["min_change"])
                leads.append(Lead(kind="jump", report_id=after.id, report=after.title, region=after.region, body=after.body,
                                  year=after.year, claim=claim, why=why, score=round(weight * _strength(excess), 1),
                                  sources=sources, topic=rate_rule["metric"]))
    return leads


# ---------------------------------------------------------------------------- text of sections


_SELF_WORDS = re.compile(r"[我本该全][市县区州旗省局委办厅镇乡]")


def _section_texts(db, store: _Store, numbers: Iterable[int]) -> dict[tuple[int, int], tuple[str, str]]:
    """(report, section number) → (section path as printed, its prose), from the stored passages."""
    numbers = tuple(numbers)
    headings = {(r, n): h for r, n, h in db.execute(
        f"SELECT report_id, number, heading FROM sections WHERE number IN ({','.join('?' * len(numbers))})", numbers)}
    texts: dict[tuple[int, int], list[str]] = defaultdict(list)
    # Only those sections' passages (a passage's section is its heading, then " / " and a
    # subheading): reading every passage's text was most of the leads' time at 50,000 reports.
    for report_id, number, text in db.execute(
            "SELECT p.report_id, s.number, p.text FROM sections s JOIN passages p ON p.report_id = s.report_id"
            " AND p.kind = 'text' AND s.heading = CASE WHEN instr(p.section, ' / ') > 0"
            " THEN substr(p.section, 1, instr(p.section, ' / ') - 1) ELSE p.section END"
            f" WHERE s.number IN ({','.join('?' * len(numbers))}) GROUP BY p.id, s.number"
            " ORDER BY p.report_id, p.ordinal", numbers):
        texts[(report_id, number)].append(text)
    return {key: (heading, "".join(texts.get(key, []))) for key, heading in headings.items() if key[0] in store.reports}


def _normalized(text: str, report: StoredReport) -> str:
    """The text without white space, digits and the body's own names: what copying keeps."""
    folded = squeeze(text)
    for name in sorted({report.body, report.region, local_place(report.region)}, key=len, reverse=True):
        if len(name) >= 2:
            folded = folded.replace(name, "□")
    folded = _SELF_WORDS.sub("□", folded)
    return re.sub(r"\d+", "0", folded)


_MIX = np.uint64(0x9E3779B97F4A7C15)  # an odd 64-bit multiplier (the golden ratio's): spreads every character


def _shingles(text: str, k: int) -> np.ndarray:
    """The text's k-character shingles, hashed to 32 bits: a sorted array without repeats.

    Hashed with numpy over the characters' code points, all windows at once: a crc32 per window
    in Python was a fifth of finding every lead at 6,000 reports."""
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    windows = len(codes) - k + 1
    if windows <= 0:
        return np.zeros(0, dtype=np.uint32)
    hashed = np.zeros(windows, dtype=np.uint64)
    with np.errstate(over="ignore"):  # arithmetic modulo 2**64 is the point
        for offset in range(k):
            hashed = (hashed + codes[offset:offset + windows]) * _MIX
    return np.unique(((hashed ^ (hashed >> np.uint64(32))) & np.uint64(0xFFFFFFFF)).astype(np.uint32))


def _jaccard(a: np.ndarray, b: np.ndarray) -> float:
    if not len(a) or not len(b):
        return 0.0
    shared = len(np.intersect1d(a, b, assume_unique=True))
    return shared / (len(a) + len(b) - shared)


_HIGH = np.uint64(32)


def _signatures(sets: dict[int, np.ndarray], hashes: int) -> dict[int, np.ndarray]:
    """MinHash signatures: the share of equal positions of two estimates their Jaccard similarity."""
    rng = np.random.default_rng(20240131)  # fixed: the same signatures every run
    # Multiply-shift hashing (Dietzfelbinger): (a·x + b) mod 2**64, its high 32 bits, a odd.
    # The same family's guarantees as (a·x + b) mod p, without the integer division, which was
    # half of finding boilerplate (10,000 texts: 2.4 → 1.4 s).
    a = rng.integers(0, 2**63, size=hashes, dtype=np.uint64) | np.uint64(1)
    b = rng.integers(0, 2**63, size=hashes, dtype=np.uint64)
    with np.errstate(over="ignore"):
        return {key: ((sets[key].astype(np.uint64)[:, None] * a[None, :] + b[None, :]) >> _HIGH).min(axis=0).astype(np.uint32)
                for key in sorted(sets)}


def _candidates(signatures: dict[int, np.ndarray], bands: int, rows: int, cap: int) -> dict[int, list[int]]:
    """For each text, up to `cap` others that agree on all rows of some band (locality-sensitive hashing).

    Texts copied by thousands share one bucket; the cap keeps the cost linear in the reports.
    """
    buckets: dict[tuple[int, bytes], list[int]] = defaultdict(list)
    keys: dict[int, list[tuple[int, bytes]]] = {}
    for key, signature in signatures.items():
        keys[key] = [(band, signature[band * rows:(band + 1) * rows].tobytes()) for band in range(bands)]
        for bucket in keys[key]:
            buckets[bucket].append(key)
    out: dict[int, list[int]] = {}
    for key, own in keys.items():
        found: dict[int, None] = {}
        for bucket in own:
            for other in buckets[bucket]:
                if other != key:
                    found[other] = None
                    if len(found) >= cap:
                        break
            if len(found) >= cap:
                break
        if found:
            out[key] = sorted(found)
    return out


def _excerpt(text: str, width: int = 80) -> str:
    return text if len(text) <= width else text[:width] + "…"


def _boilerplate(db, store: _Store, config: dict, wanted: set[int], texts: dict) -> list[Lead]:
    weight = config["kinds"]["boilerplate"][0]
    rules = config["boilerplate"]
    body_keys = {report_id: _body_key(report) for report_id, report in store.reports.items()}
    leads = []
    for number in rules["sections"]:
        sets: dict[int, np.ndarray] = {}
        for (report_id, n), (_heading, text) in texts.items():
            if n == number:
                norm = _normalized(text, store.reports[report_id])
                if len(norm) >= rules["min_chars"]:
                    sets[report_id] = _shingles(norm, rules["shingle"])
        signatures = _signatures(sets, rules["bands"] * rules["rows"])
        candidates = _candidates(signatures, rules["bands"], rules["rows"], rules["max_candidates"])
        position = {key: place for place, key in enumerate(signatures)}
        matrix = np.stack(list(signatures.values())) if signatures else np.zeros((0, 0), dtype=np.uint64)
        for report_id in sorted(candidates):
            if report_id not in wanted:
                continue
            report = store.reports[report_id]
            # The same body's own earlier section 五 is the absence "the same as last year".
            others = [o for o in candidates[report_id] if not (number == 5 and body_keys[o] == body_keys[report_id])]
            if not others:
                continue
            estimates = (matrix[[position[o] for o in others]] == signatures[report_id]).mean(axis=1)
            passing = estimates >= rules["threshold"]
            near, near_estimates = np.array(others)[passing], estimates[passing]
            likely = near[np.lexsort((near, -near_estimates))].tolist()  # closest first, then by id
            # The similarity printed is exact: the closest by estimate whose exact similarity passes.
            best, closest = 0.0, None
            for other in likely[:rules["exact_checks"]]:
                similarity = _jaccard(sets[report_id], sets[other])
                if similarity >= rules["threshold"] and similarity > best:
                    best, closest = similarity, store.reports[other]
            if closest is None:
                continue
            capped = len(candidates[report_id]) >= rules["max_candidates"]
            heading, text = texts[(report_id, number)]
            other_heading, other_text = texts[(closest.id, number)]
            more = f"，另有{len(likely) - 1}份{'以上' if capped else ''}报告也相似" if len(likely) > 1 else ""
            claim = (f"{report.label}报告的「{_SECTION_NAMES[number]}」与{closest.label}报告的同一部分文字相似度"
                     f"{best * 100:.0f}%{more}（去掉地名和数字后比较）。")
            why = ("这一部分应写本机关自己的问题和做法；与别的报告几乎相同，说明可能照抄模板或他人的报告，"
                   "值得看看写的问题是否真实、改进是否落实。")
            sources = (Source(text=_excerpt(text), value=round(best, 4), section=heading, field=f"section{number}"),
                       Source(text=_excerpt(other_text), value=None, section=other_heading, field=f"section{number}",
                              report=closest.title, year=closest.year))
            excess = (best - rules["threshold"]) / max(1e-9, 1 - rules["threshold"])
            leads.append(Lead(kind="boilerplate", report_id=report_id, report=report.title, region=report.region,
                              body=report.body, year=report.year, claim=claim, why=why,
                              score=round(weight * _strength(excess), 1), sources=sources, topic=f"section{number}"))
    return leads


# ---------------------------------------------------------------------------- absences


def _table_zero_counts(db, tables: tuple[str, ...], wanted: set[int],
                       anchors: dict[str, tuple[str, ...]]) -> list[tuple[int, str, int, int]]:
    """(report, table, printed numbers, how many are 0) for the wanted reports whose table may
    be all zeros, in report and table order.

    A table is all zeros only if its first anchor cell is 0 or not printed, so only those
    reports' cells are counted, found by the cells' index by field: counting every printed cell
    of every report took 17 s of the 21 s of absences at 50,000 reports."""
    found: list[tuple[int, str, int, int]] = []
    for table in tables:
        candidates = set(wanted)
        if table in anchors:
            field_, applicant = _key(anchors[table][0])
            candidates -= {report_id for (report_id,) in db.execute(
                "SELECT v.report_id FROM cell_values v JOIN cell_keys k ON k.id = v.key_id"
                " WHERE k.field = ? AND k.applicant = ? AND v.derived = 0 AND v.value != 0", [field_, applicant or ""])}
        if candidates:
            found += db.execute(
                "SELECT report_id, table_name, COUNT(*), SUM(CASE WHEN value = 0 THEN 1 ELSE 0 END) FROM cells"
                " WHERE derived = 0 AND table_name = ? AND report_id IN (SELECT value FROM json_each(?))"
                " GROUP BY report_id", [table, json.dumps(sorted(candidates))]).fetchall()
    return sorted(found, key=lambda row: (row[0], row[1]))


def _absences(db, store: _Store, config: dict, wanted: set[int], texts: dict, fees: dict) -> list[Lead]:
    weight = config["kinds"]["absence"][0]
    rules = config["absence"]
    leads: list[Lead] = []

    def add(report: StoredReport, claim: str, why: str, excess: float, sources: tuple[Source, ...], topic: str) -> None:
        leads.append(Lead(kind="absence", report_id=report.id, report=report.title, region=report.region,
                          body=report.body, year=report.year, claim=claim, why=why,
                          score=round(weight * _strength(excess), 1), sources=sources, topic=topic))

    # A table missing from the file, or whose numbers could not be read one by one.
    raw_rows: dict[tuple[int, str], list[str]] = defaultdict(list)
    for report_id, table, cells in db.execute("SELECT report_id, table_name, cells FROM raw_rows ORDER BY id"):
        raw_rows[(report_id, table)].append(" ".join(json.loads(cells)))
    for report_id, table, method, note in db.execute(
            "SELECT report_id, table_name, method, note FROM table_reads WHERE method IN ('missing', 'raw')"
            " ORDER BY report_id, table_name"):
        if report_id not in wanted or report_id not in store.reports:
            continue
        report = store.reports[report_id]
        name = _TABLE_NAMES.get(table, table)
        if method == "missing":
            add(report, f"{report.label}报告里没有找到{name}。",
                "条例规定的年度报告格式必须有这张表；缺了它，这部分工作就无从核对（也可能是文件转换时丢失，请看原件）。",
                1.0, (Source(text=note, table=table, field=None),), f"missing:{table}")
        else:
            rows = raw_rows.get((report_id, table), [])
            add(report, f"{report.label}报告{name}的数字粘连或错位，无法逐格读出。",
                "表格数字无法唯一对应到各格：可能是原件排版问题，核对前请看原件。", 0.0,
                tuple(Source(text=row, table=table) for row in rows[:5]) or (Source(text=note, table=table),),
                f"raw:{table}")

    # A table whose every printed number is 0.
    key_cells = {"requests": ("requests.new[total]", "requests.handled[total]"),
                 "active": ("normative.in_force", "licensing.decisions", "penalty.decisions")}
    for report_id, table, total, zeros in _table_zero_counts(db, tuple(rules["all_zero_tables"]), wanted, key_cells):
        if report_id not in wanted or report_id not in store.reports or total == 0 or zeros != total:
            continue
        report = store.reports[report_id]
        shown = [c for c in (_cell(store, report_id, code) for code in key_cells.get(table, ())) if c is not None]
        example = "、".join(f"{c.label.split('：')[-1] if c.table == 'active' else c.label}{_fmt(c.value)}" for c in shown)
        add(report, f"{report.label}报告{_TABLE_NAMES[table]}的{total}个数字全部为0" + (f"（{example}）。" if example else "。"),
            "一整年没有一件申请，或没有一件规范性文件、许可、处罚，对一个机关并不寻常：可能确实如此，也可能是没有如实填报。",
            0.5 if report.level == "department" else 1.0, tuple(c.source() for c in shown) or
            (Source(text=f"{_TABLE_NAMES[table]}全部为0", value=0, table=table),), f"zero:{table}")

    # Section 五 empty, or the same as the body's report of an earlier year.
    bodies = _bodies(store)
    shingle = config["boilerplate"]["shingle"]
    for report_id in sorted(wanted):
        report = store.reports.get(report_id)
        if report is None:
            continue
        heading, text = texts.get((report_id, 5), ("", ""))
        if len(re.sub(r"\s+", "", text)) < rules["min_section_chars"]:
            what = "没有第五部分" if not heading else "第五部分几乎是空的"
            add(report, f"{report.label}报告{what}（{_SECTION_NAMES[5]}）" + (f"，只有“{text.strip()}”。" if text.strip() else "。"),
                "条例要求年度报告写明存在的主要问题及改进情况；不写，等于说没有问题。", 0.6,
                (Source(text=text.strip() or "（无）", section=heading or _SECTION_NAMES[5], field="section5"),), "section5:empty")
            continue
        earlier = [r for r in bodies[_body_key(report)] if r.year < report.year and (r.id, 5) in texts]
        if not earlier:
            continue
        previous = earlier[-1]
        similarity = _jaccard(_shingles(_normalized(text, report), shingle),
                              _shingles(_normalized(texts[(previous.id, 5)][1], previous), shingle))
        if similarity >= rules["same_as_before"]:
            add(report, f"{report.label}报告的「{_SECTION_NAMES[5]}」与{previous.year}年报告的同一部分文字相似度"
                        f"{similarity * 100:.0f}%（去掉数字后比较）。",
                "问题和改进年年照抄，说明去年说要改的可能没有改，或这一部分只是敷衍；值得追问去年的整改结果。",
                (similarity - rules["same_as_before"]) / max(1e-9, 1 - rules["same_as_before"]),
                (Source(text=_excerpt(text), value=round(similarity, 4), section=heading, field="section5"),
                 Source(text=_excerpt(texts[(previous.id, 5)][1]), section=texts[(previous.id, 5)][0], field="section5",
                        report=previous.title, year=previous.year)), "section5:same")

    # Fees charged, but section 六 says nothing about the 信息处理费 the format asks it to report.
    for report_id in sorted(wanted):
        report = store.reports.get(report_id)
        if report is None:
            continue
        signals: list[Source] = []
        no_fee = _cell(store, report_id, "requests.other.no_fee[total]")
        if no_fee is not None and no_fee.value:
            signals.append(no_fee.source())
        if report_id in fees and fees[report_id][0] > 0:
            signals.append(fees[report_id][1])
        if not signals:
            continue
        heading, text = texts.get((report_id, 6), ("", ""))
        if any(word in text for word in rules["fee_explained"]):
            continue
        add(report, f"{report.label}报告显示收取或通知缴纳了信息处理费（{signals[0].text}），第六部分却没有说明收费情况。",
            "年度报告格式要求在第六部分报告收取信息处理费的情况（依据《政府信息公开信息处理费管理办法》）；收了费却不说明，值得追问收费依据和金额。",
            0.6, tuple(signals) + (Source(text=text.strip() or "（无）", section=heading or _SECTION_NAMES[6], field="section6"),),
            "fees:unexplained")

    # Published after the legal deadline (条例 第四十九条).
    for report_id in sorted(wanted):
        report = store.reports.get(report_id)
        if report is None or not report.published:
            continue
        try:
            published = date.fromisoformat(report.published)
        except ValueError:
            continue
        month_day = rules["deadline_department"] if report.level == "department" else rules["deadline_government"]
        deadline = date.fromisoformat(f"{report.year + 1}-{month_day}")
        if published <= deadline:
            continue
        days = (published - deadline).days
        who = "政府部门" if report.level == "department" else "人民政府"
        add(report, f"{report.label}报告所署日期为{published.isoformat()}，晚于条例第四十九条规定{who}公布上一年度报告的期限"
                    f"{deadline.isoformat()}（晚{days}天）。",
            "条例第四十九条规定了公布年度报告的期限；所署日期晚于期限，说明报告可能迟交（所署日期不一定是上网日期，请核对网站发布时间）。",
            days / 90, (Source(text=report.published, section="落款", field="published"),), "late")
    return leads


# ---------------------------------------------------------------------------- all together


def find_leads(db, *, report_ids: Iterable[int] | None = None, kinds: Iterable[str] | None = None,
               config: dict[str, Any] | None = None) -> list[Lead]:
    """Every lead of the chosen reports (all by default), ranked by score; ties by report id and kind.

    Peers, earlier years and similar texts are looked for among all stored reports.
    """
    config = config or load_config()
    chosen = tuple(kinds) if kinds else KINDS
    unknown = [k for k in chosen if k not in KINDS]
    if unknown:
        raise ValueError(f"unknown lead kind: {', '.join(unknown)}")
    store = _Store(_load_reports(db))
    wanted = set(store.reports) if report_ids is None else set(report_ids) & set(store.reports)
    if not wanted:
        return []
    metrics = config["outlier"]["metric"]
    codes = [c for m in metrics for c in m["numerator"] + m["denominator"] if not c.startswith("fact:")]
    codes += [c["field"] for c in config["jump"].get("count", [])]
    codes += ["requests.other.no_fee[total]", "requests.new[total]", "requests.handled[total]", "normative.in_force",
              "licensing.decisions", "penalty.decisions"]
    _load_cells(db, store, codes)
    fees = _fact_fees(db) if _has_table(db, "facts") else {}
    texts = _section_texts(db, store, sorted({5, 6} | set(config["boilerplate"]["sections"])))
    leads: list[Lead] = []
    if "self_contradiction" in chosen:
        leads += _self_contradictions(db, store, config, wanted)
    if "prose_vs_table" in chosen and _has_table(db, "facts"):
        leads += _prose_vs_table(db, store, config, wanted)
    if "outlier" in chosen:
        leads += _outliers(db, store, config, wanted, fees)
    if "jump" in chosen:
        leads += _jumps(db, store, config, wanted, fees)
    if "absence" in chosen:
        leads += _absences(db, store, config, wanted, texts, fees)
    if "boilerplate" in chosen:
        leads += _boilerplate(db, store, config, wanted, texts)
    return sorted(leads, key=lambda lead: (-lead.score, lead.report_id, KINDS.index(lead.kind), lead.topic, lead.claim))


def _has_table(db, name: str) -> bool:
    return db.execute("SELECT 1 FROM sqlite_master WHERE name = ?", [name]).fetchone() is not None
