"""Synthetic annual reports made from the five bundled samples, for benchmarks and tests.

Each synthetic report is one sample's text (so all three text layouts occur) with a generated
issuing body, another year (2019–2025), other counts in the prose (推送信息 475 条) and fresh
table numbers that keep the report's own arithmetic (standard-format.md): the applicant columns
add up to the total, 新收 + 上年结转 = 办理结果总计 + 结转下年度, and table 四's blocks add up.
A small share of reports gets one deliberately wrong number. The same seed gives the same files.

    python -m benchmarks.synthetic OUT_DIR --count N --seed S
"""
from __future__ import annotations

import argparse
import math
import random
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from index.lexicon import Lexicon, load_lexicon, local_place
from index.parser import parse_report, split_body
from index.readers import read_document
from index.rules import APPLICANT_ORDER, OUTCOME_ORDER, REVIEW_BLOCKS

SAMPLES_DIR = Path(__file__).resolve().parent.parent / "data" / "samples"
FIRST_YEAR, LAST_YEAR = 2019, 2025
BROKEN_SHARE = 0.03

Key = tuple[str, str | None]  # a table cell: field code and applicant column (None outside table 三)

_COLUMNS = APPLICANT_ORDER[:-1]  # the six applicant columns; "total" is their sum
_BALANCE = ("requests.new", "requests.carried_in", "requests.handled", "requests.carried_over")
# How a column's requests end, as shares of the column's handled requests (the rest is rare).
_OUTCOME_SHARES = {
    "requests.granted": 0.35, "requests.partial": 0.08, "requests.denied.third_party": 0.02,
    "requests.denied.internal_affairs": 0.01, "requests.denied.process_info": 0.015,
    "requests.unable.not_held": 0.25, "requests.unable.needs_creation": 0.04, "requests.unable.unclear": 0.04,
    "requests.rejected.petition": 0.02, "requests.rejected.duplicate": 0.02, "requests.other.no_correction": 0.03,
    "requests.other.other": 0.06,
}
_RARE_SHARE = 0.004
_COLUMN_SHARES = {"natural_person": 1.0, "business": 0.12, "research": 0.01, "public_interest": 0.02,
                  "legal_service": 0.04, "other_org": 0.04}
# Table 二: (chance of 0, smallest, largest) of a log-uniform draw.
_ACTIVE_RANGES = {
    "rules.issued": (0.85, 1, 5), "rules.repealed": (0.9, 1, 5), "rules.in_force": (0.7, 1, 60),
    "normative.issued": (0.2, 1, 120), "normative.repealed": (0.4, 1, 60), "normative.in_force": (0.05, 1, 500),
    "licensing.decisions": (0.05, 1, 400_000), "penalty.decisions": (0.05, 1, 100_000),
    "compulsion.decisions": (0.4, 1, 2_000), "fees.amount": (0.2, 0.01, 20_000),
}
_OTHER_ACTIVE_RANGE = (0.5, 1, 100)

# Place-name characters: none is a level word (县, 市…) or a word questions use (和, 多, 最…).
_STEM_CHARS = ("安宁平阳山河江湖泉林丰兴隆昌德化华永新东西南北台岭川源嘉庆福寿清远临汾沂滨海宜春阜康泰顺乐"
               "云峰溪桥石岩松柏桃梅兰竹青白金玉龙凤鹤鹿凌霞晋鲁湘赣闽桂黔滇渝蜀秦陇吉辽沧衡汉淮济洛渭泗潼蓝田")
_GOVERNMENT = ("人民政府", "人民政府", "人民政府办公室", "")
_DEPARTMENTS = ("教育局", "财政局", "公安局", "民政局", "自然资源局", "生态环境局", "交通运输局", "卫生健康委员会",
                "人力资源和社会保障局", "农业农村局")

_TABLE_VALUE = re.compile(r"\d+(?:\.\d+)?")
_YEAR = re.compile(r"(?<!\d)(20\d{2})(?=\s*年)")
_COUNT = re.compile(r"(?<![\d.\-])(\d+)(?=\s*余?\s*(?:条|件|份|篇|期|次|个|人|家|场|项))")


@dataclass(frozen=True)
class Slot:
    """One printed table number of a sample: where it stands in the text and which cell it is."""

    start: int
    end: int
    key: Key
    decimals: int


@dataclass(frozen=True)
class Template:
    """A sample report ready to be refilled with other names, years and numbers."""

    name: str
    text: str
    body: str
    region: str
    year: int
    names: re.Pattern[str]  # the sample's body, region and bare place name in its prose
    slots: tuple[Slot, ...]
    # Table 三 columns and other fields with a cell the sample lost: generated as 0, so that the
    # parser's inference of the lost cell from its row total still gives the generated value.
    zero_columns: frozenset[str]
    zero_fields: frozenset[str]


@dataclass(frozen=True)
class Synthetic:
    """One generated report: its file, identity and the table numbers it prints."""

    path: Path
    template: str
    body: str
    region: str
    year: int
    values: dict[Key, float]  # every printed cell, as printed
    broken: Key | None  # the cell made deliberately wrong, if any


def short_name(region: str) -> str:
    """The bare place name a report's prose uses: 伊春市伊美区 → 伊美, 色达县 → 色达."""
    return load_lexicon().bare_place(local_place(region)) or region


def table_numbers(text: str) -> list[tuple[int, int, str]]:
    """Spans of the table cells holding just a number, in reading order (tab and pipe rows)."""
    found = []
    offset = 0
    for line in text.split("\n"):
        separator = "|" if line.lstrip().startswith("|") else "\t" if "\t" in line else None
        if separator:
            start = offset
            for cell in line.split(separator):
                stripped = cell.strip()
                if _TABLE_VALUE.fullmatch(stripped):
                    at = start + cell.index(stripped)
                    found.append((at, at + len(stripped), stripped))
                start += len(cell) + 1
        offset += len(line) + 1
    return found


def load_templates(samples_dir: Path = SAMPLES_DIR, lexicon: Lexicon | None = None) -> tuple[Template, ...]:
    """Parse each sample and pair every printed table number in its text with its cell."""
    lexicon = lexicon or load_lexicon()
    templates = []
    for path in sorted(samples_dir.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        report = parse_report(read_document(path), lexicon)
        printed = [c for c in report.cells if not c.derived and not c.inferred]
        numbers = table_numbers(text)
        if [raw for _, _, raw in numbers] != [c.raw.strip() for c in printed]:
            raise ValueError(f"{path.name}: the numbers in the text's tables do not line up with the parsed cells")
        slots = tuple(Slot(start, end, (cell.field, cell.applicant), len(raw.partition(".")[2]))
                      for (start, end, raw), cell in zip(numbers, printed))
        lost = [c for c in report.cells if c.inferred]
        names = re.compile("|".join([
            rf"(?P<titled>{re.escape(report.body)})(?=\s*{report.year}\s*年)", f"(?P<body>{re.escape(report.body)})",
            f"(?P<region>{re.escape(report.region)})", f"(?P<short>{re.escape(short_name(report.region))})"]))
        templates.append(Template(
            name=path.stem.split("-")[0], text=text, body=report.body, region=report.region, year=report.year,
            names=names, slots=slots, zero_columns=frozenset(c.applicant for c in lost if c.table == "requests"),
            zero_fields=frozenset(c.field for c in lost if c.table != "requests")))
    return tuple(templates)


def _count(rng: random.Random, mean: float) -> int:
    """A whole number around a mean, often 0 when the mean is small."""
    return round(rng.gammavariate(2.0, mean / 2)) if mean > 0 else 0


def _log_uniform(rng: random.Random, low: float, high: float) -> float:
    return math.exp(rng.uniform(math.log(low), math.log(high)))


def _request_values(rng: random.Random, template: Template, lexicon: Lexicon) -> dict[Key, float]:
    fields = [f for f in lexicon.fields if f.table == "requests"]
    outcomes = [f.code for f in fields if not f.derived and f.code not in _BALANCE]
    volume = _log_uniform(rng, 3, 3000)
    values: dict[Key, float] = {}
    for column in _COLUMNS:
        expected = 0.0 if column in template.zero_columns else volume * _COLUMN_SHARES[column] * rng.uniform(0.5, 1.5)
        for code in outcomes:
            values[(code, column)] = _count(rng, expected * _OUTCOME_SHARES.get(code, _RARE_SHARE))
        handled = sum(values[(code, column)] for code in outcomes)
        carried_over = _count(rng, expected * 0.05)
        carried_in = min(_count(rng, expected * 0.05), handled + carried_over)
        values[("requests.handled", column)] = handled
        values[("requests.carried_over", column)] = carried_over
        values[("requests.carried_in", column)] = carried_in
        values[("requests.new", column)] = handled + carried_over - carried_in
        for fdef in fields:
            if fdef.derived == "sum":
                values[(fdef.code, column)] = sum(values[(code, column)] for code in fdef.inputs)
    for fdef in fields:
        values[(fdef.code, "total")] = sum(values[(fdef.code, column)] for column in _COLUMNS)
    return values


def _review_values(rng: random.Random, template: Template) -> dict[Key, float]:
    values: dict[Key, float] = {}
    for block in REVIEW_BLOCKS:
        codes = [f"{block}.{outcome}" for outcome in OUTCOME_ORDER]
        quiet = any(code in template.zero_fields for code in codes)
        parts = [0 if quiet or rng.random() < 0.6 else _count(rng, 3.0) for _ in codes[:-1]]
        values.update({(code, None): value for code, value in zip(codes, [*parts, sum(parts)])})
    return values


def _active_value(rng: random.Random, code: str, decimals: int) -> float:
    zero_chance, low, high = _ACTIVE_RANGES.get(code, _OTHER_ACTIVE_RANGE)
    if rng.random() < zero_chance:
        return 0
    value = round(_log_uniform(rng, low, high), decimals)
    return value if decimals else int(value)


def table_values(rng: random.Random, template: Template, lexicon: Lexicon) -> dict[Key, float]:
    """Consistent numbers for every cell the template prints."""
    values = _request_values(rng, template, lexicon) | _review_values(rng, template)
    printed: dict[Key, float] = {}
    for slot in template.slots:
        field = slot.key[0]
        if slot.key in values:
            printed[slot.key] = values[slot.key]
        elif field in template.zero_fields:
            printed[slot.key] = 0
        else:
            printed[slot.key] = _active_value(rng, field, slot.decimals)
    return printed


def _break_one(rng: random.Random, template: Template, values: dict[Key, float]) -> Key:
    """Make one total wrong: a table 四 block total, or a table 三 total whose row is printed whole."""
    printed = {slot.key for slot in template.slots}
    whole_rows = {f for f, a in printed if a == "total" and all((f, c) in printed for c in _COLUMNS)}
    candidates = sorted((f, a) for f, a in printed if (a is None and f.endswith(".total") and f.split(".")[0] in ("review", "lawsuit"))
                        or (a == "total" and f in whole_rows))
    key = rng.choice(candidates)
    values[key] += rng.randint(1, 9)
    return key


class _Names:
    """Issuing bodies made of generated place names, each body name used once."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.stems: set[str] = set()
        self.cities: list[str] = []
        self.places: list[str] = []
        self.bodies: set[str] = set()

    def _stem(self) -> str:
        while True:
            stem = "".join(self.rng.choice(_STEM_CHARS) for _ in range(self.rng.choice((2, 2, 3))))
            if stem not in self.stems:
                self.stems.add(stem)
                return stem

    def body(self) -> str:
        """A new body: a county, city or district government (or its office), or a department."""
        rng = self.rng
        while True:
            kind = rng.choices(("county", "city", "district", "department"), weights=(45, 20, 20, 15))[0]
            if kind == "department" and self.places:
                body = rng.choice(self.places) + rng.choice(_DEPARTMENTS)
            else:
                if kind == "city":
                    place = self._stem() + "市"
                    self.cities.append(place)
                elif kind == "district":
                    parent = rng.choice(self.cities) if self.cities and rng.random() < 0.7 else ""
                    place = parent + self._stem() + "区"
                else:
                    place = self._stem() + "县"
                self.places.append(place)
                body = place + rng.choice(_GOVERNMENT)
            if body not in self.bodies:
                self.bodies.add(body)
                return body


def _rewrite_prose(text: str, template: Template, body: str, region: str, year: int, rng: random.Random) -> str:
    """Put the new body, place and year into a stretch of prose and vary its counts."""
    def name(match: re.Match[str]) -> str:
        if match.lastgroup == "titled" or (match.lastgroup == "body" and template.body != template.region):
            return body
        return short_name(region) if match.lastgroup == "short" else region

    def shift_year(match: re.Match[str]) -> str:
        printed = int(match.group(1))
        return str(printed + year - template.year) if abs(printed - template.year) <= 1 else match.group(1)

    def vary(match: re.Match[str]) -> str:
        value = int(match.group(1))
        return str(max(1, round(value * math.exp(rng.uniform(-0.8, 0.8))))) if value else "0"

    return _COUNT.sub(vary, _YEAR.sub(shift_year, template.names.sub(name, text)))


def _format(value: float, decimals: int) -> str:
    return f"{value:.{decimals}f}" if decimals else str(int(value))


def render(template: Template, body: str, region: str, year: int, values: dict[Key, float], rng: random.Random) -> str:
    """The template's text with the new names, year, prose counts and table numbers."""
    parts, position = [], 0
    for slot in template.slots:
        parts.append(_rewrite_prose(template.text[position:slot.start], template, body, region, year, rng))
        parts.append(_format(values[slot.key], slot.decimals))
        position = slot.end
    parts.append(_rewrite_prose(template.text[position:], template, body, region, year, rng))
    return "".join(parts)


def generate(out_dir: Path, count: int, *, seed: int = 0, broken_share: float = BROKEN_SHARE) -> list[Synthetic]:
    """Write ``count`` synthetic reports to out_dir (the samples' layouts in turn); return what they hold."""
    rng = random.Random(seed)
    lexicon = load_lexicon()
    templates = load_templates(lexicon=lexicon)
    names = _Names(rng)
    out_dir.mkdir(parents=True, exist_ok=True)
    made: list[Synthetic] = []
    pending_years: list[int] = []
    body = region = ""
    for number in range(count):
        if not pending_years:
            body = names.body()
            region = split_body(body, lexicon)[0]
            first = rng.randint(FIRST_YEAR, LAST_YEAR)
            pending_years = list(range(first, min(first + rng.choice((1, 1, 2, 3)), LAST_YEAR + 1)))
        year = pending_years.pop(0)
        template = templates[number % len(templates)]
        values = table_values(rng, template, lexicon)
        broken = _break_one(rng, template, values) if rng.random() < broken_share else None
        path = out_dir / f"{number:05d}-{template.name}.txt"
        path.write_text(render(template, body, region, year, values, rng), encoding="utf-8")
        made.append(Synthetic(path, template.name, body, region, year, values, broken))
    return made


def generate_apart(out_dir: Path, count: int, *, seed: int = 0) -> list[Path]:
    """generate() in a process of its own; the files written, in the order generated.

    A benchmark that measures a load's memory must not generate the files itself: the report
    values it builds (262 cells a report) are freed, but the file names made in between keep the
    memory pages they sit on, 86 MB at 5,000 reports and about half a gigabyte at 50,000, and
    the forked workers inherit them. `reportbot load` never has that memory (issue 10)."""
    subprocess.run([sys.executable, "-m", "benchmarks.synthetic", str(out_dir), "--count", str(count), "--seed", str(seed)],
                   check=True, stdout=subprocess.DEVNULL, cwd=Path(__file__).resolve().parent.parent)
    return sorted(out_dir.glob("*.txt"))  # named by number, zero-padded: the order generated


def main(argv: list[str] | None = None) -> int:
    """Command line: write N synthetic reports to a folder."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.synthetic", description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--broken-share", type=float, default=BROKEN_SHARE,
                        help="share of reports with one deliberately wrong number")
    args = parser.parse_args(argv)
    made = generate(args.out_dir, args.count, seed=args.seed, broken_share=args.broken_share)
    broken = sum(1 for s in made if s.broken)
    print(f"wrote {len(made)} reports to {args.out_dir} ({broken} with a deliberate inconsistency)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
