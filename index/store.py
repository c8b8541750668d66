"""The SQLite store: schema and migrations, all-or-nothing loads, lookups for answering.

Data journalists open this file directly (docs/schema.md), so names are plain English
snake_case with the Chinese labels stored beside the codes, and wide views for reading.
"""
from __future__ import annotations

import json
import os
import re
import sqlite3
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Sequence

import sqlite_utils

from index.document import Document
from index.facts import FACT_INSERT, fact_rows
from index.errors import ReadOnlyQueryError, ReportNotFoundError
from index.lexicon import DATA_DIR, Lexicon, load_lexicon
from index.report import Report

_MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE reports (
        id INTEGER PRIMARY KEY,
        title TEXT NOT NULL,
        body TEXT NOT NULL,
        region TEXT NOT NULL,
        level TEXT NOT NULL,
        year INTEGER NOT NULL,
        published TEXT,
        layout TEXT NOT NULL,
        source_name TEXT NOT NULL,
        source_format TEXT NOT NULL,
        sha256 TEXT NOT NULL UNIQUE,
        loaded_at TEXT NOT NULL,
        cell_count INTEGER NOT NULL,
        finding_count INTEGER NOT NULL,
        UNIQUE (body, year)
    );
    CREATE TABLE sections (
        report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
        number INTEGER NOT NULL,
        heading TEXT NOT NULL,
        subsections TEXT NOT NULL,
        PRIMARY KEY (report_id, number)
    );
    CREATE TABLE passages (
        id INTEGER PRIMARY KEY,
        report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
        ordinal INTEGER NOT NULL,
        section TEXT NOT NULL,
        kind TEXT NOT NULL,
        text TEXT NOT NULL,
        tokens TEXT NOT NULL
    );
    CREATE INDEX passages_report ON passages(report_id);
    CREATE TABLE cells (
        id INTEGER PRIMARY KEY,
        report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
        table_name TEXT NOT NULL,
        field TEXT NOT NULL,
        label TEXT NOT NULL,
        applicant TEXT,
        applicant_label TEXT,
        value REAL,
        unit TEXT NOT NULL,
        raw TEXT NOT NULL,
        row_label TEXT NOT NULL,
        inferred INTEGER NOT NULL DEFAULT 0,
        derived INTEGER NOT NULL DEFAULT 0,
        inputs TEXT
    );
    CREATE INDEX cells_field ON cells(field, applicant, report_id, value);
    CREATE INDEX cells_report ON cells(report_id, field, applicant);
    CREATE TABLE findings (
        id INTEGER PRIMARY KEY,
        report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
        rule TEXT NOT NULL,
        message TEXT NOT NULL,
        fields TEXT NOT NULL,
        expected REAL,
        actual REAL
    );
    CREATE INDEX findings_report ON findings(report_id);
    CREATE TABLE raw_rows (
        id INTEGER PRIMARY KEY,
        report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
        table_name TEXT NOT NULL,
        cells TEXT NOT NULL
    );
    CREATE TABLE fields (
        code TEXT PRIMARY KEY,
        label TEXT NOT NULL,
        table_name TEXT NOT NULL,
        unit TEXT NOT NULL,
        derived INTEGER NOT NULL
    );
    CREATE TABLE applicants (
        code TEXT PRIMARY KEY,
        label TEXT NOT NULL,
        derived INTEGER NOT NULL
    );
    CREATE VIEW report_headlines AS
    SELECT r.id AS report_id, r.title, r.body, r.region, r.level, r.year,
        MAX(CASE WHEN c.field = 'requests.new' AND c.applicant = 'total' THEN c.value END) AS requests_new,
        MAX(CASE WHEN c.field = 'requests.handled' AND c.applicant = 'total' THEN c.value END) AS requests_handled,
        MAX(CASE WHEN c.field = 'requests.granted' AND c.applicant = 'total' THEN c.value END) AS requests_granted,
        MAX(CASE WHEN c.field = 'requests.denied' AND c.applicant = 'total' THEN c.value END) AS requests_denied,
        MAX(CASE WHEN c.field = 'licensing.decisions' THEN c.value END) AS licensing_decisions,
        MAX(CASE WHEN c.field = 'penalty.decisions' THEN c.value END) AS penalty_decisions,
        MAX(CASE WHEN c.field = 'compulsion.decisions' THEN c.value END) AS compulsion_decisions,
        MAX(CASE WHEN c.field = 'fees.amount' THEN c.value END) AS fees_amount_wan_yuan,
        MAX(CASE WHEN c.field = 'normative.in_force' THEN c.value END) AS normative_in_force,
        MAX(CASE WHEN c.field = 'review.total' THEN c.value END) AS review_total,
        MAX(CASE WHEN c.field = 'lawsuit.total' THEN c.value END) AS lawsuit_total,
        r.finding_count AS findings
    FROM reports r LEFT JOIN cells c ON c.report_id = r.id
    GROUP BY r.id;
    CREATE VIEW requests_by_applicant AS
    SELECT r.id AS report_id, r.region, r.year, c.applicant, c.applicant_label,
        MAX(CASE WHEN c.field = 'requests.new' THEN c.value END) AS new,
        MAX(CASE WHEN c.field = 'requests.carried_in' THEN c.value END) AS carried_in,
        MAX(CASE WHEN c.field = 'requests.granted' THEN c.value END) AS granted,
        MAX(CASE WHEN c.field = 'requests.partial' THEN c.value END) AS partial,
        MAX(CASE WHEN c.field = 'requests.denied' THEN c.value END) AS denied,
        MAX(CASE WHEN c.field = 'requests.unable' THEN c.value END) AS unable,
        MAX(CASE WHEN c.field = 'requests.rejected' THEN c.value END) AS rejected,
        MAX(CASE WHEN c.field = 'requests.other' THEN c.value END) AS other,
        MAX(CASE WHEN c.field = 'requests.handled' THEN c.value END) AS handled,
        MAX(CASE WHEN c.field = 'requests.carried_over' THEN c.value END) AS carried_over
    FROM reports r JOIN cells c ON c.report_id = r.id AND c.table_name = 'requests'
    GROUP BY r.id, c.applicant;
    """,
    # How each cell and each table was read (printed, split, inferred, derived, ocr, raw):
    # a journalist must see when a number is not simply as printed.
    """
    ALTER TABLE cells ADD COLUMN method TEXT NOT NULL DEFAULT 'printed';
    UPDATE cells SET method = 'derived' WHERE derived = 1;
    UPDATE cells SET method = 'inferred' WHERE inferred = 1;
    ALTER TABLE raw_rows ADD COLUMN reason TEXT NOT NULL DEFAULT '';
    CREATE TABLE table_reads (
        report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
        table_name TEXT NOT NULL,
        method TEXT NOT NULL,
        note TEXT NOT NULL,
        PRIMARY KEY (report_id, table_name)
    );
    """,
    # Who issued a report, read against the gazetteer (index/identity.py): one body_id for one
    # body across years and spellings (伊美区人民政府 and 伊春市伊美区人民政府 are 230717:gov),
    # the region's GB/T 2260 code, the body as printed where the canonical name differs, and how
    # the identity was found where the report does not plainly print it. Rows loaded before get
    # their body_id and region_code when a writer next opens the store (_fill_identity).
    """
    ALTER TABLE reports ADD COLUMN body_id TEXT NOT NULL DEFAULT '';
    ALTER TABLE reports ADD COLUMN region_code TEXT;
    ALTER TABLE reports ADD COLUMN printed_body TEXT NOT NULL DEFAULT '';
    ALTER TABLE reports ADD COLUMN identity_notes TEXT NOT NULL DEFAULT '[]';
    CREATE INDEX reports_body_id ON reports(body_id, year);
    """,
    # Numbers the prose states (index/facts.py, data/facts.toml), and where one disagrees with
    # the table cell of the same meaning: a lead to check, never a correction of either.
    """
    CREATE TABLE facts (
        id INTEGER PRIMARY KEY,
        report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
        ordinal INTEGER NOT NULL,
        section TEXT NOT NULL,
        subject TEXT NOT NULL,
        subject_label TEXT NOT NULL,
        words TEXT NOT NULL,
        number NUMERIC NOT NULL,
        unit TEXT NOT NULL,
        raw TEXT NOT NULL,
        approx TEXT NOT NULL DEFAULT '',
        sentence TEXT NOT NULL,
        field TEXT,
        applicant TEXT,
        value NUMERIC,
        tolerance REAL,
        also TEXT
    );
    CREATE INDEX facts_report ON facts(report_id);
    CREATE INDEX facts_subject ON facts(subject, report_id);
    CREATE VIEW fact_mismatches AS
    SELECT f.id AS fact_id, f.report_id, r.title AS report, r.body, r.region, r.year, f.section, f.subject,
        f.subject_label, f.words, f.number, f.unit, f.raw, f.approx, f.sentence, f.value AS fact_value,
        c.table_name, c.field, c.applicant, c.label, c.value AS table_value, c.unit AS table_unit,
        c.raw AS table_raw, c.row_label
    FROM facts f
    JOIN reports r ON r.id = f.report_id
    JOIN cells c ON c.report_id = f.report_id AND c.field = f.field AND c.applicant IS f.applicant
    WHERE f.approx != 'about' AND c.value IS NOT NULL
      AND CASE WHEN f.approx = 'at_least' THEN c.value + f.tolerance < f.value
               ELSE abs(f.value - c.value) > f.tolerance END
      AND NOT EXISTS (
          SELECT 1 FROM json_each(COALESCE(f.also, '[]')) j
          JOIN cells a ON a.report_id = f.report_id
           AND a.field || CASE WHEN a.applicant IS NULL THEN '' ELSE '[' || a.applicant || ']' END = j.value
          WHERE a.value IS NOT NULL AND abs(a.value - f.value) <= f.tolerance);
    """,
)


@dataclass(frozen=True)
class StoredReport:
    """A report's row in the store, as lookups and summaries need it."""

    id: int
    title: str
    body: str
    region: str
    level: str
    year: int
    published: str | None
    source_name: str
    sha256: str
    cells: int
    findings: int
    body_id: str = ""  # one body across years and spellings (index/identity.py)
    region_code: str | None = None

    @property
    def name(self) -> str:
        """What to call the body in an answer: the place, or a department's full name."""
        return self.body if self.level == "department" else self.region


@dataclass(frozen=True)
class SaveResult:
    """What a load did: the stored report, and the version it replaced if any."""

    report: StoredReport
    replaced: StoredReport | None
    unchanged: bool


@dataclass(frozen=True)
class CellRow:
    """One stored cell joined with its report, as answers and `cells --json` use it."""

    report_id: int
    report: str
    body: str
    region: str
    year: int
    table_name: str
    field: str
    label: str
    applicant: str | None
    value: float | None
    unit: str
    raw: str
    row_label: str
    inferred: bool
    derived: bool
    inputs: tuple[str, ...]
    method: str = "printed"  # how the value was read: printed, split, inferred, derived, ocr


def default_db_path() -> Path:
    """REPORTBOT_DB if set, else data/reports.db in the project."""
    return Path(os.environ.get("REPORTBOT_DB") or DATA_DIR / "reports.db")


def open_store(path: Path | str | None = None, *, lexicon: Lexicon | None = None) -> sqlite_utils.Database:
    """Open (creating or migrating) the store; ':memory:' gives a throwaway one for tests."""
    if path is None or str(path) == ":memory:":
        db = sqlite_utils.Database(memory=True)
    else:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        db = sqlite_utils.Database(sqlite3.connect(str(path), check_same_thread=False))
    db.execute("PRAGMA foreign_keys = ON")
    if path is not None and str(path) != ":memory:":
        # WAL with synchronous=NORMAL: a load still commits as one transaction, without an fsync each.
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
    _migrate(db)
    _refresh_reference(db, lexicon or load_lexicon())
    _fill_identity(db, lexicon or load_lexicon())
    return db


def _migrate(db: sqlite_utils.Database) -> None:
    version = db.execute("PRAGMA user_version").fetchone()[0]
    for number, script in enumerate(_MIGRATIONS[version:], start=version + 1):
        db.conn.executescript(f"BEGIN; {script}; PRAGMA user_version = {number}; COMMIT;")


def _refresh_reference(db: sqlite_utils.Database, lexicon: Lexicon) -> None:
    with db.atomic():
        db["fields"].upsert_all(
            ({"code": f.code, "label": f.label, "table_name": f.table, "unit": f.unit, "derived": int(bool(f.derived))} for f in lexicon.fields),
            pk="code")
        db["applicants"].upsert_all(
            ({"code": a.code, "label": a.label, "derived": int(bool(a.derived_from))} for a in lexicon.applicants),
            pk="code")


def _fill_identity(db: sqlite_utils.Database, lexicon: Lexicon) -> None:
    """Give reports loaded before body_id existed their body_id and region_code, from their body."""
    rows = db.execute("SELECT id, body FROM reports WHERE body_id = ''").fetchall()
    if not rows:
        return
    from index.identity import resolve_body  # the gazetteer loads only when there is something to fill

    with db.atomic():
        for report_id, body in rows:
            resolved = resolve_body(body, lexicon)
            db.conn.execute("UPDATE reports SET body_id = ?, region_code = ? WHERE id = ? AND body_id = ''",
                            (resolved.body_id, resolved.region_code, report_id))


_REPORT_COLUMNS = ("r.id, r.title, r.body, r.region, r.level, r.year, r.published, r.source_name, r.sha256, r.cell_count,"
                   " r.finding_count, r.body_id, r.region_code")


def _stored(row: Sequence) -> StoredReport:
    return StoredReport(*row)


def list_reports(db: sqlite_utils.Database) -> list[StoredReport]:
    """Every stored report, by region then year."""
    rows = db.execute(f"SELECT {_REPORT_COLUMNS} FROM reports r ORDER BY r.region, r.body, r.year").fetchall()
    return [_stored(r) for r in rows]


def get_report(db: sqlite_utils.Database, report_id: int) -> StoredReport | None:
    """One stored report by id."""
    row = db.execute(f"SELECT {_REPORT_COLUMNS} FROM reports r WHERE r.id = ?", [report_id]).fetchone()
    return _stored(row) if row else None


def find_report(db: sqlite_utils.Database, name: str) -> StoredReport:
    """Find one report by id, exact title, or body/region (+ optional year) as a user types it."""
    name = name.strip()
    reports = list_reports(db)
    if name.isdigit():
        for r in reports:
            if r.id == int(name):
                return r
    compact = re.sub(r"\s+", "", name)
    year_match = re.search(r"(19|20)\d{2}", compact)
    year = int(year_match.group(0)) if year_match else None
    place = re.sub(r"(19|20)\d{2}\s*年?度?", "", compact)
    exact = [r for r in reports if r.title == compact]
    if exact:
        return exact[0]
    matches = [r for r in reports if place and (place in r.body or place in r.region or r.region in place)
               and (year is None or r.year == year)]
    bodies = {r.body for r in matches}
    if len(bodies) > 1:
        preferred = [r for r in matches if r.body == place or r.region == place]
        matches = preferred or matches
    if not matches:
        known = "、".join(f"{r.region}{r.year}" for r in reports[:10]) or "（还没有载入任何报告）"
        raise ReportNotFoundError(f"没有找到“{name}”的报告。已载入：{known}。")
    return max(matches, key=lambda r: r.year)


def save_report(db: sqlite_utils.Database, report: Report, document: Document,
                tokens: Sequence[str], lexicon: Lexicon | None = None) -> SaveResult:
    """Store a parsed report in one transaction: all of it or nothing.

    The same file again changes nothing; another version of the same body and year replaces
    the old one (the result says which).
    """
    lexicon = lexicon or load_lexicon()
    same = db.execute("SELECT id FROM reports WHERE sha256 = ?", [document.sha256]).fetchone()
    if same:
        return SaveResult(get_report(db, same[0]), None, unchanged=True)
    applicant_labels = {a.code: a.label for a in lexicon.applicants}
    # Another version of the same body and year: the same name, or the same body_id (伊川县政府办 and
    # 伊川县人民政府办公室 are one body).
    old = db.execute("SELECT id FROM reports WHERE (body = ? OR (body_id = ? AND body_id != '')) AND year = ?"
                     " ORDER BY body = ? DESC", [report.body, report.body_id, report.year, report.body]).fetchone()
    replaced = get_report(db, old[0]) if old else None
    with db.atomic():
        if replaced:
            db.execute("DELETE FROM reports WHERE id = ?", [replaced.id])
        # Plain SQL throughout: sqlite-utils' per-call table inspection and per-row conversion
        # were most of a load's time in the saving process (docs/benchmarks.md).
        report_id = db.conn.execute(
            "INSERT INTO reports (title, body, region, level, year, published, layout, source_name, source_format,"
            " sha256, loaded_at, cell_count, finding_count, body_id, region_code, printed_body, identity_notes)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (report.title, report.body, report.region, report.level, report.year, report.published, report.layout,
             document.source_name, document.format, document.sha256,
             datetime.now(timezone.utc).isoformat(timespec="seconds"),
             sum(1 for c in report.cells if not c.derived), len(report.findings),
             report.body_id, report.region_code, report.printed_body,
             json.dumps(list(report.identity_notes), ensure_ascii=False))).lastrowid
        db.conn.executemany(
            "INSERT INTO sections (report_id, number, heading, subsections) VALUES (?, ?, ?, ?)",
            [(report_id, s.number, s.heading, json.dumps(list(s.subsections), ensure_ascii=False)) for s in report.sections])
        db.conn.executemany(
            "INSERT INTO passages (report_id, ordinal, section, kind, text, tokens) VALUES (?, ?, ?, ?, ?, ?)",
            [(report_id, i, p.section, p.kind, p.text, t) for i, (p, t) in enumerate(zip(report.passages, tokens))])
        db.conn.executemany(
            "INSERT INTO cells (report_id, table_name, field, label, applicant, applicant_label, value, unit, raw,"
            " row_label, inferred, derived, inputs, method) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(report_id, c.table, c.field, c.label, c.applicant, applicant_labels.get(c.applicant) if c.applicant else None,
              c.value, c.unit, c.raw, c.row_label, int(c.inferred), int(c.derived),
              json.dumps(list(c.inputs), ensure_ascii=False) if c.derived else None, c.method) for c in report.cells])
        db.conn.executemany(
            "INSERT INTO table_reads (report_id, table_name, method, note) VALUES (?, ?, ?, ?)",
            [(report_id, t.table, t.method, t.note) for t in report.table_reads])
        db.conn.executemany(
            "INSERT INTO findings (report_id, rule, message, fields, expected, actual) VALUES (?, ?, ?, ?, ?, ?)",
            [(report_id, f.rule, f.message, json.dumps(list(f.fields)), f.expected, f.actual) for f in report.findings])
        db.conn.executemany(
            "INSERT INTO raw_rows (report_id, table_name, cells, reason) VALUES (?, ?, ?, ?)",
            [(report_id, r.table, json.dumps(list(r.cells), ensure_ascii=False), r.reason) for r in report.raw_rows])
        db.conn.executemany(FACT_INSERT, fact_rows(report_id, report.facts))
    return SaveResult(get_report(db, report_id), replaced, unchanged=False)


def remove_report(db: sqlite_utils.Database, report_id: int) -> None:
    """Delete a report and everything extracted from it."""
    with db.atomic():
        db.execute("DELETE FROM reports WHERE id = ?", [report_id])


# Above this many reports a field's cells are read whole and filtered here: a long IN list
# costs more than it saves (rankings over 10,000 reports, docs/benchmarks.md).
_MAX_IN_LIST = 500


def cell_rows(db: sqlite_utils.Database, *, report_ids: Iterable[int] | None = None, fields: Iterable[str] | None = None,
              applicant: str | None = None, any_applicant: bool = True) -> list[CellRow]:
    """Stored cells joined with their reports, filtered by report, field and applicant."""
    where, params = ["1 = 1"], []
    wanted = None if report_ids is None else set(report_ids)
    if wanted is not None and len(wanted) <= _MAX_IN_LIST:
        where.append(f"c.report_id IN ({','.join('?' * len(wanted))})")
        params.extend(wanted)
    if fields is not None:
        codes = list(fields)
        where.append(f"c.field IN ({','.join('?' * len(codes))})")
        params.extend(codes)
    if not any_applicant:
        where.append("c.applicant IS ?")
        params.append(applicant)
    rows = db.execute(
        f"""SELECT c.report_id, r.title, r.body, r.region, r.year, c.table_name, c.field, c.label, c.applicant,
                   c.value, c.unit, c.raw, c.row_label, c.inferred, c.derived, c.inputs, c.method
            FROM cells c JOIN reports r ON r.id = c.report_id
            WHERE {' AND '.join(where)} ORDER BY r.region, r.year, c.id""", params).fetchall()
    return [CellRow(*row[:13], bool(row[13]), bool(row[14]), tuple(json.loads(row[15])) if row[15] else (), row[16])
            for row in rows if wanted is None or row[0] in wanted]


def table_reads(db: sqlite_utils.Database, report_ids: Iterable[int]) -> dict[tuple[int, str], tuple[str, str]]:
    """(report id, table) → (method, note): how each table of these reports was read."""
    ids = list(report_ids)
    if not ids:
        return {}
    rows = db.execute(f"SELECT report_id, table_name, method, note FROM table_reads WHERE report_id IN "
                      f"({','.join('?' * len(ids))})", ids).fetchall()
    return {(r[0], r[1]): (r[2], r[3]) for r in rows}


def field_values(db: sqlite_utils.Database, field: str, applicant: str | None) -> dict[int, float | None]:
    """Report id → value of one field (and applicant column) in every report that has it."""
    rows = db.execute("SELECT report_id, value FROM cells WHERE field = ? AND applicant IS ?", [field, applicant]).fetchall()
    return dict(rows)


def report_findings(db: sqlite_utils.Database, report_id: int) -> list[tuple[str, str, tuple[str, ...]]]:
    """(rule, message, fields) of a report's findings."""
    rows = db.execute("SELECT rule, message, fields FROM findings WHERE report_id = ? ORDER BY id", [report_id]).fetchall()
    return [(rule, message, tuple(json.loads(fields))) for rule, message, fields in rows]


# sqlite3 authorizer codes a read-only query may use: SELECT, READ, FUNCTION, RECURSIVE (WITH).
_READ_ACTIONS = {21, 20, 31, 33}


def _authorize(action: int, *_args: object) -> int:
    return sqlite3.SQLITE_OK if action in _READ_ACTIONS else sqlite3.SQLITE_DENY


def read_only_query(db_path: Path | str, query: str, *, max_rows: int = 200, timeout_s: float = 5.0) -> tuple[list[str], list[tuple], bool]:
    """Run one SELECT on a read-only connection; refuse anything that could write.

    Returns (columns, rows, truncated). A query running longer than timeout_s is interrupted.
    """
    refusal = "只能执行一条只读的 SELECT 查询；写入、修改或删除数据的语句一律拒绝。"
    text = query.strip().rstrip(";").strip()
    if not re.match(r"^(select|with)\b", text, re.I):
        raise ReadOnlyQueryError(refusal)
    uri = f"file:{Path(db_path).resolve()}?mode=ro"
    conn = sqlite3.connect(uri, uri=True)
    conn.set_authorizer(_authorize)
    deadline = time.monotonic() + timeout_s
    conn.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
    try:
        cursor = conn.execute(text)
        columns = [d[0] for d in cursor.description or ()]
        rows = cursor.fetchmany(max_rows + 1)
    except sqlite3.ProgrammingError as error:  # several statements
        raise ReadOnlyQueryError(refusal) from error
    except sqlite3.DatabaseError as error:
        if "not authorized" in str(error):
            raise ReadOnlyQueryError(refusal) from error
        if "interrupted" in str(error):
            raise ReadOnlyQueryError(f"查询超过 {timeout_s:g} 秒，已停止。请缩小范围（加 WHERE 或 LIMIT）。") from error
        raise ReadOnlyQueryError(f"查询出错：{error}") from error
    finally:
        conn.close()
    return columns, [tuple(r) for r in rows[:max_rows]], len(rows) > max_rows
