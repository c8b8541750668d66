"""A parsed report: metadata, sections and passages, table cells and consistency findings."""
from __future__ import annotations

from dataclasses import MISSING, dataclass, field, fields
from operator import attrgetter


def _one_update_init(cls: type) -> type:
    """Give a frozen dataclass an __init__ that sets its fields in one update of the instance's
    dict. The generated one calls object.__setattr__ once a field: 1.8 us a Cell, 1.0 this way,
    and preparing a report makes about 500 of them. Same parameters and defaults."""
    params = [f.name if f.default is MISSING else f"{f.name}=_defaults[{f.name!r}]" for f in fields(cls)]
    namespace = {"_defaults": {f.name: f.default for f in fields(cls)}}
    exec(f"def __init__(self, {', '.join(params)}):\n"  # noqa: S102  # source made from the fields' names above
         f"    self.__dict__.update({', '.join(f'{f.name}={f.name}' for f in fields(cls))})", namespace)
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    cls.__init__ = init  # type: ignore[misc]
    return cls


@_one_update_init
@dataclass(frozen=True)
class Cell:
    """One number of the three standard tables, keyed by the field codes of standard-format.md.

    ``value`` is None for a blank cell. ``raw`` keeps the text the number came from. ``inferred``
    marks a cell the report lost (a shifted row) whose value the row's arithmetic supplied;
    ``derived`` marks a value computed from others (``inputs`` names them), never printed.
    """

    table: str  # "active" (二), "requests" (三), "review" (四)
    field: str  # e.g. "penalty.decisions", "requests.denied.state_secret"
    label: str  # the Chinese label of the field, for people
    applicant: str | None  # table 三 column code; None for tables 二 and 四
    value: float | None
    unit: str
    raw: str
    row_label: str = ""  # the row label as printed in the report
    inferred: bool = False
    derived: bool = False
    inputs: tuple[str, ...] = ()
    method: str = "printed"  # one of CELL_METHODS: how the value was read


CELL_METHODS = ("printed", "split", "inferred", "derived", "ocr")
TABLE_METHODS = ("printed", "split", "inferred", "derived", "ocr", "raw", "missing")


@dataclass(frozen=True)
class TableRead:
    """How one of tables 二/三/四 was read, for the load line and every answer that touches it.

    ``method`` is the least certain way any of its cells was read: ``printed`` (every cell as
    printed), ``split`` (cells run together, split where the arithmetic left one way), ``inferred``
    (a lost cell supplied by the arithmetic), ``derived`` (a blank total computed), ``ocr``
    (read from a scanned page), ``raw`` (could not be read with certainty: kept as text, no cells),
    ``missing`` (not found in the file). ``note`` says it in Chinese for people.
    """

    table: str  # "active", "requests", "review"
    method: str
    note: str = ""


@dataclass(frozen=True)
class Passage:
    """A paragraph-sized piece of text for retrieval, with the path of the section it is in."""

    section: str  # e.g. "五、存在的主要问题及改进情况 / （一）存在问题"
    text: str
    kind: str = "text"  # "text" for prose, "table" for a table row written as "表头: 值"


@dataclass(frozen=True)
class Section:
    """A top-level section 一…六 with its heading as printed and its numbered sub-parts."""

    number: int  # 1..6
    heading: str
    subsections: tuple[str, ...] = ()


@dataclass(frozen=True)
class Finding:
    """A consistency rule of the report's own tables that the printed numbers break."""

    rule: str  # e.g. "requests.balance", "requests.row_sum"
    message: str  # Chinese, for people
    fields: tuple[str, ...]  # the cells involved, as "field[applicant]"
    expected: float | None  # None for a finding about one number (numbers.suspicious)
    actual: float


@dataclass(frozen=True)
class RawRow:
    """A table row the parser could not map to a field code: kept as printed, never mis-mapped."""

    table: str
    cells: tuple[str, ...]
    reason: str = ""  # "ambiguous_split": numbers ran together and no rule settles how to cut them


@dataclass(frozen=True)
class Report:
    """Everything extracted from one annual report."""

    title: str
    body: str  # issuing body as printed, e.g. 伊川县人民政府办公室
    region: str  # the place, e.g. 伊川县; 伊春市伊美区
    level: str  # province / city / county / district / township / department
    year: int
    published: str | None  # ISO date where printed
    layout: str  # "2021" or "2019" (which national table format the report follows)
    sections: tuple[Section, ...]
    passages: tuple[Passage, ...]
    cells: tuple[Cell, ...]
    findings: tuple[Finding, ...] = ()
    raw_rows: tuple[RawRow, ...] = field(default=())
    table_reads: tuple[TableRead, ...] = field(default=())
    body_id: str = ""  # stable across years and spellings: 230717:gov, 410329:gov_office (index/identity.py)
    region_code: str | None = None  # GB/T 2260 code of the region, where the gazetteer knows it
    printed_body: str = ""  # the body as printed, where the canonical name differs (晖县市人民政府)
    identity_notes: tuple[str, ...] = field(default=())  # how the body, year or title was found, if not plainly printed
    facts: tuple[Fact, ...] = field(default=())  # numbers the prose states (index/facts.py)

    def __reduce__(self) -> tuple:
        """Pickled (a worker process sends every report it prepares) with its cells as tuples of
        their values: 262 cells each pickled with its attribute dict were most of the cost both
        ways (0.45 ms to pickle, 0.64 to unpickle a report)."""
        state = dict(self.__dict__)
        state["cells"] = [_cell_values(cell) for cell in self.cells]
        return _unpickled_report, (state,)


@dataclass(frozen=True)
class Fact:
    """A number the report's text states, with the words that name it: 全年发布政策解读 51 件.

    ``subject`` is a key of data/facts.toml; ``words`` the words as printed that named it.
    ``approx`` is "" for an exact number, "at_least" (2100 余条, 超过 50 件) or "about" (约 300 条).
    """

    section: str  # the passage's section path
    subject: str  # e.g. "policy_interpretation"
    words: str  # e.g. "政策解读"
    number: float
    unit: str  # as printed: 条, 篇, 件, 次, 场, 元, 万元 …
    sentence: str  # the sentence as printed
    raw: str = ""  # the number as printed, e.g. "2100 余"
    approx: str = ""


_CELL_FIELDS = tuple(f.name for f in fields(Cell))
_cell_values = attrgetter(*_CELL_FIELDS)


def _unpickled_report(state: dict) -> Report:
    """A Report from what Report.__reduce__ gave: its cells made again from their values."""
    make = object.__new__
    cells = []
    for values in state["cells"]:
        cell = make(Cell)
        cell.__dict__.update(zip(_CELL_FIELDS, values))
        cells.append(cell)
    report = make(Report)
    report.__dict__.update(state, cells=tuple(cells))
    return report
