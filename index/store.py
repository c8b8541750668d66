"""The SQLite store: schema and migrations, all-or-nothing loads, lookups for answering.

Data journalists open this file directly (docs/schema.md), so names are plain English
snake_case with the Chinese labels stored beside the codes, and wide views for reading.
"""
from __future__ import annotations

import json
import math
import os
import re
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import Callable, Iterable, Sequence
from urllib.parse import quote
from weakref import WeakKeyDictionary

import sqlite_utils

from index.document import Document
from index.facts import FACT_INSERT, fact_rows
from index.errors import AmbiguousReportError, ReadOnlyQueryError, ReportNotFoundError, StoreError
from index.faults import fault_point
from index.lexicon import DATA_DIR, Lexicon, load_lexicon
from index.report import Cell, Report

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
    # The search index's tables (index/search.py) belong to the schema, so a store opened
    # read-only always has them (before, the first PassageIndex created them).
    """
    CREATE TABLE IF NOT EXISTS search_terms (id INTEGER PRIMARY KEY, term TEXT NOT NULL UNIQUE);
    CREATE TABLE IF NOT EXISTS passage_terms (
        passage_id INTEGER PRIMARY KEY, report_id INTEGER NOT NULL, term_ids BLOB NOT NULL);
    CREATE INDEX IF NOT EXISTS passage_terms_report ON passage_terms(report_id);
    CREATE TABLE IF NOT EXISTS search_snapshot (name TEXT PRIMARY KEY, data BLOB NOT NULL);
    CREATE TABLE IF NOT EXISTS search_state (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
    """,
    # Counts as integers (88300, not 88300.0) for everyone reading the file: NUMERIC affinity
    # stores a whole number as an INTEGER and keeps a decimal (12372.0506 万元) a REAL; the
    # printed text stays in cells.raw. A table rebuild: SQLite cannot change a column's type.
    # legacy_alter_table keeps the views, which name "cells", untouched by the rename.
    """
    PRAGMA legacy_alter_table = ON;
    CREATE TABLE cells_numeric (
        id INTEGER PRIMARY KEY,
        report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
        table_name TEXT NOT NULL,
        field TEXT NOT NULL,
        label TEXT NOT NULL,
        applicant TEXT,
        applicant_label TEXT,
        value NUMERIC,
        unit TEXT NOT NULL,
        raw TEXT NOT NULL,
        row_label TEXT NOT NULL,
        inferred INTEGER NOT NULL DEFAULT 0,
        derived INTEGER NOT NULL DEFAULT 0,
        inputs TEXT,
        method TEXT NOT NULL DEFAULT 'printed'
    );
    INSERT INTO cells_numeric (id, report_id, table_name, field, label, applicant, applicant_label, value, unit,
        raw, row_label, inferred, derived, inputs, method)
    SELECT id, report_id, table_name, field, label, applicant, applicant_label, value, unit,
        raw, row_label, inferred, derived, inputs, method FROM cells;
    DROP TABLE cells;
    ALTER TABLE cells_numeric RENAME TO cells;
    CREATE INDEX cells_field ON cells(field, applicant, report_id, value);
    CREATE INDEX cells_report ON cells(report_id, field, applicant);
    CREATE TABLE findings_numeric (
        id INTEGER PRIMARY KEY,
        report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
        rule TEXT NOT NULL,
        message TEXT NOT NULL,
        fields TEXT NOT NULL,
        expected NUMERIC,
        actual NUMERIC
    );
    INSERT INTO findings_numeric (id, report_id, rule, message, fields, expected, actual)
    SELECT id, report_id, rule, message, fields, expected, actual FROM findings;
    DROP TABLE findings;
    ALTER TABLE findings_numeric RENAME TO findings;
    CREATE INDEX findings_report ON findings(report_id);
    PRAGMA legacy_alter_table = OFF;
    """,
    # Cells stored compactly (issue 10): a cell's field and applicant are one integer key
    # (cell_keys), row labels and inputs are numbered texts kept once (cell_texts), the method a
    # small code (cell_methods); unit and raw are stored only where they differ from the field's
    # unit and from the value as it prints. Labels and table names come from fields/applicants.
    # The view `cells` has the columns the table had, so every reader keeps working; the base
    # table is clustered by report (WITHOUT ROWID), its one index serves lookups by field.
    # 129 KB a report before, of which cells and their two indexes were 77 KB (docs/benchmarks.md).
    """
    CREATE TABLE cell_keys (
        id INTEGER PRIMARY KEY,
        field TEXT NOT NULL,
        applicant TEXT NOT NULL DEFAULT '',
        UNIQUE (field, applicant)
    );
    CREATE TABLE cell_texts (id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE);
    CREATE TABLE cell_methods (id INTEGER PRIMARY KEY, method TEXT NOT NULL UNIQUE);
    INSERT INTO cell_methods (id, method) VALUES (0, 'printed'), (1, 'split'), (2, 'inferred'), (3, 'derived'), (4, 'ocr');
    CREATE TABLE cell_values (
        report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
        key_id INTEGER NOT NULL REFERENCES cell_keys(id),
        value NUMERIC,
        unit TEXT,
        raw TEXT,
        row_label_id INTEGER REFERENCES cell_texts(id),
        method_id INTEGER NOT NULL DEFAULT 0 REFERENCES cell_methods(id),
        inferred INTEGER NOT NULL DEFAULT 0,
        derived INTEGER NOT NULL DEFAULT 0,
        inputs_id INTEGER REFERENCES cell_texts(id),
        PRIMARY KEY (report_id, key_id)
    ) WITHOUT ROWID;
    -- The columns the view joins on ride along: SQLite counts them as read even where it drops
    -- the join, and without them a lookup by field read every row from the table (6x slower).
    CREATE INDEX cell_values_key ON cell_values(key_id, value, method_id, row_label_id, inputs_id);
    INSERT INTO cell_keys (field, applicant)
    SELECT field, COALESCE(applicant, '') FROM cells GROUP BY 1, 2 ORDER BY MIN(id);
    INSERT OR IGNORE INTO cell_texts (text) SELECT row_label FROM cells WHERE row_label != '' ORDER BY id;
    INSERT OR IGNORE INTO cell_texts (text) SELECT inputs FROM cells WHERE inputs IS NOT NULL ORDER BY id;
    INSERT OR IGNORE INTO cell_methods (method) SELECT DISTINCT method FROM cells;
    INSERT INTO cell_values (report_id, key_id, value, unit, raw, row_label_id, method_id, inferred, derived, inputs_id)
    SELECT c.report_id, k.id, c.value, NULLIF(c.unit, f.unit), NULLIF(c.raw, CAST(c.value AS TEXT)), t.id, m.id,
        c.inferred, c.derived, i.id
    FROM cells c
    JOIN cell_keys k ON k.field = c.field AND k.applicant = COALESCE(c.applicant, '')
    JOIN cell_methods m ON m.method = c.method
    LEFT JOIN fields f ON f.code = c.field
    LEFT JOIN cell_texts t ON t.text = c.row_label AND c.row_label != ''
    LEFT JOIN cell_texts i ON i.text = c.inputs
    ORDER BY c.report_id, k.id;
    DROP TABLE cells;
    CREATE VIEW cells AS
    SELECT c.report_id * 10000 + c.key_id AS id, c.report_id, f.table_name, k.field, f.label,
        NULLIF(k.applicant, '') AS applicant, a.label AS applicant_label, c.value,
        COALESCE(c.unit, f.unit) AS unit, COALESCE(c.raw, CAST(c.value AS TEXT), '') AS raw,
        COALESCE(t.text, '') AS row_label, c.inferred, c.derived, i.text AS inputs, m.method
    FROM cell_values c
    JOIN cell_keys k ON k.id = c.key_id
    LEFT JOIN fields f ON f.code = k.field
    LEFT JOIN applicants a ON a.code = k.applicant
    LEFT JOIN cell_texts t ON t.id = c.row_label_id
    LEFT JOIN cell_texts i ON i.id = c.inputs_id
    LEFT JOIN cell_methods m ON m.id = c.method_id;
    DROP VIEW report_headlines;
    CREATE VIEW report_headlines AS
    SELECT r.id AS report_id, r.title, r.body, r.region, r.level, r.year,
        MAX(CASE WHEN k.field = 'requests.new' AND k.applicant = 'total' THEN c.value END) AS requests_new,
        MAX(CASE WHEN k.field = 'requests.handled' AND k.applicant = 'total' THEN c.value END) AS requests_handled,
        MAX(CASE WHEN k.field = 'requests.granted' AND k.applicant = 'total' THEN c.value END) AS requests_granted,
        MAX(CASE WHEN k.field = 'requests.denied' AND k.applicant = 'total' THEN c.value END) AS requests_denied,
        MAX(CASE WHEN k.field = 'licensing.decisions' THEN c.value END) AS licensing_decisions,
        MAX(CASE WHEN k.field = 'penalty.decisions' THEN c.value END) AS penalty_decisions,
        MAX(CASE WHEN k.field = 'compulsion.decisions' THEN c.value END) AS compulsion_decisions,
        MAX(CASE WHEN k.field = 'fees.amount' THEN c.value END) AS fees_amount_wan_yuan,
        MAX(CASE WHEN k.field = 'normative.in_force' THEN c.value END) AS normative_in_force,
        MAX(CASE WHEN k.field = 'review.total' THEN c.value END) AS review_total,
        MAX(CASE WHEN k.field = 'lawsuit.total' THEN c.value END) AS lawsuit_total,
        r.finding_count AS findings
    FROM reports r LEFT JOIN cell_values c ON c.report_id = r.id LEFT JOIN cell_keys k ON k.id = c.key_id
    GROUP BY r.id;
    """,
    # Table rows leave the in-memory search index (issue 10): their term ids move to
    # table_row_terms, searched only for the reports a question names; their document
    # frequencies are counted into table_row_df by the next writable open (index/search.py).
    # The kept inverted index held them, so it goes.
    """
    CREATE TABLE IF NOT EXISTS table_row_terms (
        passage_id INTEGER PRIMARY KEY, report_id INTEGER NOT NULL, term_ids BLOB NOT NULL);
    CREATE INDEX IF NOT EXISTS table_row_terms_report ON table_row_terms(report_id);
    CREATE TABLE IF NOT EXISTS table_row_df (term_id INTEGER PRIMARY KEY, df INTEGER NOT NULL);
    INSERT OR REPLACE INTO table_row_terms (passage_id, report_id, term_ids)
    SELECT t.passage_id, t.report_id, t.term_ids FROM passage_terms t JOIN passages p ON p.id = t.passage_id
    WHERE p.kind = 'table';
    DELETE FROM passage_terms WHERE passage_id IN (SELECT passage_id FROM table_row_terms);
    DELETE FROM search_snapshot;
    DELETE FROM search_state WHERE name IN ('table_rows', 'table_tokens');
    """,
    # The kept search index moves to a file beside the store, mapped at start-up instead of read
    # (index/search.py): at 50,000 reports it was hundreds of MB read into memory by every start.
    """
    DROP TABLE IF EXISTS search_snapshot;
    """,
    # A counter that every change to the reports table bumps, in any process and from any tool
    # (sqlite3 included): the catalog kept beside the store (bot/kept_catalog.py) is current
    # only while the counter is what it was when the catalog was built.
    """
    CREATE TABLE IF NOT EXISTS store_state (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
    INSERT OR IGNORE INTO store_state (name, value) VALUES ('report_changes', 0);
    CREATE TRIGGER IF NOT EXISTS reports_added AFTER INSERT ON reports BEGIN
        UPDATE store_state SET value = value + 1 WHERE name = 'report_changes'; END;
    CREATE TRIGGER IF NOT EXISTS reports_changed AFTER UPDATE ON reports BEGIN
        UPDATE store_state SET value = value + 1 WHERE name = 'report_changes'; END;
    CREATE TRIGGER IF NOT EXISTS reports_removed AFTER DELETE ON reports BEGIN
        UPDATE store_state SET value = value + 1 WHERE name = 'report_changes'; END;
    """,
    # The search index's log of changes (index/search.py): a kept index a few loads old is
    # brought up to date from it instead of being built again from every report.
    """
    CREATE TABLE IF NOT EXISTS search_log (change INTEGER PRIMARY KEY, report_id INTEGER,
        op TEXT NOT NULL CHECK (op IN ('add', 'remove', 'sync')));
    """,
    # The cells' index by field puts report_id right after the field (it was last, as the table's
    # key): a new report's cells then go at the end of each field's range instead of at random
    # places among 13 M entries, so a load at 50,000 reports writes far fewer pages (the saving
    # process's SQL time 21 -> 16 ms a report, measured). Lookups by field are served as before.
    """
    DROP INDEX IF EXISTS cell_values_key;
    CREATE INDEX cell_values_key ON cell_values(key_id, report_id, value, method_id, row_label_id, inputs_id);
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

    @property
    def label(self) -> str:
        """The body and year in words: 伊春市2023年."""
        return f"{self.name}{self.year}年"


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


def open_store(path: Path | str | None = None, *, lexicon: Lexicon | None = None,
               read_only: bool = False) -> sqlite_utils.Database:
    """Open the store; ':memory:' gives a throwaway one for tests.

    For writing, the file is created or migrated and the reference tables refreshed (each only
    when needed, under the write lock). Read-only, nothing is written at all: a file whose
    schema is older than the code is refused with a message saying how to upgrade it.
    """
    if path is None or str(path) == ":memory:":
        db = sqlite_utils.Database(memory=True)
    elif read_only:
        return _open_read_only(Path(path))
    else:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        # timeout: how long a writer waits for another process's write transaction (busy timeout).
        db = sqlite_utils.Database(sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_S, check_same_thread=False))
        try:
            _use_wal(db)
        except sqlite3.DatabaseError as error:
            db.close()
            raise StoreError(_unusable(path, error)) from error
        db.execute("PRAGMA synchronous = NORMAL")
        # Savepoints' journals in memory: a load saves each report in savepoints inside a batch's
        # transaction, and their journals on disk were 330 writes a report (docs/operations.md).
        db.execute("PRAGMA temp_store = MEMORY")
    db.execute("PRAGMA foreign_keys = ON")
    _migrate(db, path)
    _refresh_reference(db, lexicon or load_lexicon())
    _fill_identity(db, lexicon or load_lexicon())
    return db


# A writer waits this long for another process's write transaction before giving up.
BUSY_TIMEOUT_S = 30.0


def _use_wal(db: sqlite_utils.Database) -> None:
    """Put the file in WAL mode: readers never block the writer nor it them.

    Switching a new file to WAL needs it alone, and SQLite answers "database is locked" at once,
    without waiting out the busy timeout, when another connection is switching it at the same
    moment (two writers opening a new store). So the switch is tried again until the timeout.
    synchronous=NORMAL (set by the caller): a commit without an fsync each; a power cut may lose
    the last commits, never corrupts.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    pause = 0.005
    while True:
        try:
            if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                db.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() + pause > deadline:
                raise
            time.sleep(pause)
            pause = min(pause * 2, 0.2)


def _open_read_only(path: Path) -> sqlite_utils.Database:
    """Open an existing store with mode=ro: no migration, no reference refresh, no write."""
    if not path.is_file():
        raise StoreError(f"找不到数据库 {path}：先用 reportbot --db {path} load 文件或文件夹 载入报告。")
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S, check_same_thread=False)
    try:
        conn.execute("PRAGMA query_only = ON")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.DatabaseError as error:
        conn.close()
        raise StoreError(_unusable(path, error)) from error
    if version != len(_MIGRATIONS):
        conn.close()
        raise StoreError(_version_message(path, version))
    return sqlite_utils.Database(conn, execute_plugins=False)


def _unusable(path: Path | str, error: sqlite3.DatabaseError) -> str:
    return f"无法打开数据库 {path}（{error}）：确认它是 reportbot 的数据库文件，且当前用户可以读取。"


def _version_message(path: Path | str, version: int) -> str:
    """Why a store of another schema version cannot be read, and what to run."""
    if version > len(_MIGRATIONS):
        return (f"数据库 {path} 是更新版本的 reportbot 建立的（格式 {version}，本程序只认识到 {len(_MIGRATIONS)}）："
                "请先升级程序。")
    return (f"数据库 {path} 的格式比程序旧（格式 {version}，需要 {len(_MIGRATIONS)}），只读命令不会改动它："
            f"先运行 reportbot --db {path} migrate 升级（载入报告时也会自动升级），再查询。")


@contextmanager
def writing(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """One write transaction, all or nothing; nested, a savepoint inside the outer one.

    It starts with BEGIN IMMEDIATE, so it waits (busy timeout) for another process's write
    transaction to end: a transaction that begins as a reader and then writes gets "database is
    locked" at once when another process wrote meanwhile, whatever the timeout.
    """
    conn = db.conn
    if conn.in_transaction:
        try:
            with db.atomic():  # a savepoint
                yield db
        except BaseException:
            _known_codes.pop(db, None)  # code rows it added are gone
            raise
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
        conn.execute("COMMIT")
    except BaseException:
        _known_codes.pop(db, None)
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


@contextmanager
def reading(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """Several reads that see one state of the store (one read transaction; nested, nothing)."""
    conn = db.conn
    if conn.in_transaction:
        yield db
        return
    conn.execute("BEGIN")
    try:
        yield db
    finally:
        if conn.in_transaction:
            conn.execute("COMMIT")


def data_version(db: sqlite_utils.Database) -> int:
    """A number that changes whenever another connection commits a change to the store."""
    return db.execute("PRAGMA data_version").fetchone()[0]


def report_changes(db: sqlite_utils.Database) -> int:
    """How many times the reports table has been changed, by any process (store_state's counter)."""
    return db.execute("SELECT value FROM store_state WHERE name = 'report_changes'").fetchone()[0]


def _statements(script: str) -> Iterator[str]:
    """Split a migration script into statements (executescript would commit the transaction)."""
    pending = ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            statement = "\n".join(line for line in pending.splitlines() if not line.strip().startswith("--")).strip()
            if statement.strip(";").strip():
                yield statement
            pending = ""


def _migrate(db: sqlite_utils.Database, path: Path | str | None = None) -> None:
    """Bring the schema up to date, in one write transaction; a current store is not written to."""
    if db.execute("PRAGMA user_version").fetchone()[0] == len(_MIGRATIONS):
        return
    with writing(db):
        # Read again under the write lock: another process may have migrated meanwhile.
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > len(_MIGRATIONS):
            raise StoreError(_version_message(path or ":memory:", version))
        for number, script in enumerate(_MIGRATIONS[version:], start=version + 1):
            for statement in _statements(script):
                db.conn.execute(statement)
            fault_point("migrate.applied")
            db.conn.execute(f"PRAGMA user_version = {number}")


def migrate_store(path: Path | str) -> tuple[int, int]:
    """Upgrade a store's schema to the code's; return the versions before and after."""
    if not Path(path).is_file():
        raise StoreError(f"找不到数据库 {path}。")
    with sqlite3.connect(f"file:{quote(str(Path(path).resolve()))}?mode=ro", uri=True) as probe:
        before = probe.execute("PRAGMA user_version").fetchone()[0]
    open_store(path).close()
    return before, len(_MIGRATIONS)


def _refresh_reference(db: sqlite_utils.Database, lexicon: Lexicon) -> None:
    """Make the fields and applicants tables match the lexicon, writing only when they differ."""
    fields = {(f.code, f.label, f.table, f.unit, int(bool(f.derived))) for f in lexicon.fields}
    applicants = {(a.code, a.label, int(bool(a.derived_from))) for a in lexicon.applicants}
    stored_fields = set(db.execute("SELECT code, label, table_name, unit, derived FROM fields").fetchall())
    stored_applicants = set(db.execute("SELECT code, label, derived FROM applicants").fetchall())
    if fields <= stored_fields and applicants <= stored_applicants:
        return
    with writing(db):
        db.conn.executemany(
            "INSERT INTO fields (code, label, table_name, unit, derived) VALUES (?, ?, ?, ?, ?) ON CONFLICT(code)"
            " DO UPDATE SET label = excluded.label, table_name = excluded.table_name, unit = excluded.unit,"
            " derived = excluded.derived", sorted(fields))
        db.conn.executemany(
            "INSERT INTO applicants (code, label, derived) VALUES (?, ?, ?) ON CONFLICT(code)"
            " DO UPDATE SET label = excluded.label, derived = excluded.derived", sorted(applicants))
    _known_codes.get(db, {}).pop("fields.unit", None)


def _fill_identity(db: sqlite_utils.Database, lexicon: Lexicon) -> None:
    """Give reports loaded before body_id existed their body_id and region_code, from their body."""
    rows = db.execute("SELECT id, body FROM reports WHERE body_id = ''").fetchall()
    if not rows:
        return
    from index.identity import resolve_body  # the gazetteer loads only when there is something to fill

    with writing(db):
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


def resolve_report(db: sqlite_utils.Database, name: str) -> StoredReport:
    """The one report a name names exactly: its id, its title, or its body (or place) and year.

    For removal: a partial or shared name is never guessed (伊; 伊春市 when it has two years).

    Raises:
        AmbiguousReportError: no report is named exactly; the message lists the candidates.
    """
    compact = re.sub(r"\s+", "", name)
    reports = list_reports(db)
    if compact.isdigit():
        found = [r for r in reports if r.id == int(compact)]
        if found:
            return found[0]
    exact = [r for r in reports if r.title == compact]
    year_match = re.search(r"(19|20)\d{2}", compact)
    year = int(year_match.group(0)) if year_match else None
    place = re.sub(r"(19|20)\d{2}年?度?", "", compact)
    if not exact and place:  # 伊春市2023; or 伊春市 alone when it has a single report
        exact = [r for r in reports if (year is None or r.year == year) and place in (r.body, r.name)]
    if len(exact) == 1:
        return exact[0]
    candidates = exact or [r for r in reports if place and (place in r.body or place in r.region or place in r.title)
                           and (year is None or r.year == year)]
    if not candidates:
        raise AmbiguousReportError(f"没有找到“{name}”这份报告，没有删除任何报告。用 /reports（或 reportbot reports）看已载入的报告。")
    shown = candidates[:20]
    lines = [f"“{name}”不是一份报告的确切名称，没有删除任何报告。可能是："]
    lines += [f"  {r.id}  {r.name}{r.year}  {r.title}" for r in shown]
    if len(candidates) > len(shown):
        lines.append(f"  ……共 {len(candidates)} 份")
    example = shown[0]
    lines.append(f"请用编号或“机关+年度”指明要删除的那一份，例如 {example.id} 或 {example.name}{example.year}。")
    raise AmbiguousReportError("\n".join(lines), tuple(candidates))


def save_report(db: sqlite_utils.Database, report: Report, document: Document, tokens: Sequence[str]) -> SaveResult:
    """Store a parsed report in one transaction: all of it or nothing.

    The same file again changes nothing; another version of the same body and year replaces
    the old one (the result says which).
    """
    # The checks happen inside the write transaction: another process may have saved the same
    # file, or another version of the report, since this one was parsed.
    with writing(db):
        same = db.execute("SELECT id FROM reports WHERE sha256 = ?", [document.sha256]).fetchone()
        if same:
            return SaveResult(get_report(db, same[0]), None, unchanged=True)
        # Another version of the same body and year: the same name, or the same body_id (伊川县政府办 and
        # 伊川县人民政府办公室 are one body).
        old = db.execute("SELECT id FROM reports WHERE (body = ? OR (body_id = ? AND body_id != '')) AND year = ?"
                         " ORDER BY body = ? DESC", [report.body, report.body_id, report.year, report.body]).fetchone()
        replaced = get_report(db, old[0]) if old else None
        if replaced:
            _delete_report(db, replaced.id)
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
        fault_point("save.begun")
        db.conn.executemany(
            "INSERT INTO sections (report_id, number, heading, subsections) VALUES (?, ?, ?, ?)",
            [(report_id, s.number, s.heading, json.dumps(list(s.subsections), ensure_ascii=False)) for s in report.sections])
        db.conn.executemany(
            "INSERT INTO passages (report_id, ordinal, section, kind, text, tokens) VALUES (?, ?, ?, ?, ?, ?)",
            [(report_id, i, p.section, p.kind, p.text, t) for i, (p, t) in enumerate(zip(report.passages, tokens))])
        _save_cells(db, report_id, report.cells)
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


def _save_cells(db: sqlite_utils.Database, report_id: int, cells: Sequence[Cell]) -> None:
    """Write a report's cells to cell_values, numbering new keys and texts in the code tables.

    raw and unit are left out (NULL) where the `cells` view gives them back unchanged: the value
    as SQLite prints it (_printed_by_sqlite), the field's unit. Decided here rather than by an
    UPDATE after the insert, which was a fifth of saving the cells (docs/benchmarks.md).
    """
    inputs = [_json_list(c.inputs) if c.derived else None for c in cells]
    keys = _code_ids(db, "cell_keys", ("field", "applicant"), [(c.field, c.applicant or "") for c in cells])
    texts = _code_ids(db, "cell_texts", ("text",), [(t,) for t in [c.row_label for c in cells] + inputs if t])
    methods = _code_ids(db, "cell_methods", ("method",), [(c.method,) for c in cells])
    units = _field_units(db)
    # NULLs go in as a stand-in the SQL turns back into NULL: Python's sqlite3 looks for an
    # adapter for every None it binds, a fifth of inserting the cells (docs/benchmarks.md).
    rows = [(report_id, keys[(c.field, c.applicant or "")], c.value,
             _NULL_TEXT if c.unit == units.get((c.field,)) else c.unit,
             _NULL_TEXT if c.raw is None or c.raw == _printed_by_sqlite(c.value) else c.raw,
             texts.get((c.row_label,), 0), methods[(c.method,)], int(c.inferred), int(c.derived), texts.get((i,), 0))
            for c, i in zip(cells, inputs)]
    rows.sort(key=itemgetter(1))  # in key order: each goes after the last in the table's B-tree
    db.conn.executemany(
        "INSERT INTO cell_values (report_id, key_id, value, unit, raw, row_label_id, method_id, inferred, derived,"
        " inputs_id) VALUES (?, ?, ?, NULLIF(?, char(0)), NULLIF(?, char(0)), NULLIF(?, 0), ?, ?, ?, NULLIF(?, 0))",
        rows)


# What a text column of a cell holds as NULL on its way in (_save_cells): no unit or printed
# text is a NUL character. Ids stand in as 0 (code ids start at 1).
_NULL_TEXT = "\x00"


@lru_cache(maxsize=65_536)  # asked for every cell saved; most values recur (0, small counts)
def _printed_by_sqlite(value: float | None) -> str | None:
    """CAST(value AS TEXT) of a value stored in a NUMERIC column, or None where that is not sure.

    A whole number is stored as an integer and prints as one (88300.0 → 88300); a decimal prints
    with 15 significant digits, which for a decimal without an exponent is how Python formats it
    with .15g (checked against SQLite in tests/test_stored_cells.py). None keeps the printed text as is.
    """
    if value is None or not math.isfinite(value):
        return None
    if float(value).is_integer() and abs(value) < 2 ** 63:
        return str(int(value))
    text = format(value, ".15g")
    if "e" in text or "." not in text:  # a decimal that rounds to a whole number prints with ".0"
        return None
    # At a tie past the 15th significant digit SQLite rounds up where Python rounds to even
    # (100000000000000.5 prints 100000000000001.0), and its arithmetic may tip a near-tie either
    # way: not sure there, so the printed text is kept.
    tail = format(abs(value), ".19e").split("e")[0].replace(".", "")[15:20]
    return None if tail.startswith(("5000", "4999")) else text


def _field_units(db: sqlite_utils.Database) -> dict[tuple[str, ...], int | str]:
    """Each field's unit as the store has it, by (code,): read once per connection (the fields
    follow the lexicon, synced when the store is opened), kept with the code ids."""
    known = _known_codes.setdefault(db, {})
    if "fields.unit" not in known:
        known["fields.unit"] = {(code,): unit for code, unit in db.execute("SELECT code, unit FROM fields")}
    return known["fields.unit"]


@lru_cache(maxsize=4096)
def _json_list(items: tuple[str, ...]) -> str:
    """A derived cell's inputs as stored: the same few dozen lists recur in every report."""
    return json.dumps(list(items), ensure_ascii=False)


# Code ids this connection has read, by store, table and value: a code row is never changed
# or deleted, so its id stays right unless the transaction that added it is rolled back, and
# writing() forgets them all then. Reading a report's 262 keys and texts back from the store
# was a sixth of saving it.
_known_codes: WeakKeyDictionary[sqlite_utils.Database, dict[str, dict[tuple[str, ...], int | str]]] = WeakKeyDictionary()


def _code_ids(db: sqlite_utils.Database, table: str, columns: tuple[str, ...],
              values: Iterable[tuple[str, ...]]) -> dict[tuple[str, ...], int]:
    """Ids of these values in a code table (and of others known), adding the ones it lacks
    (numbered in first-seen order).

    Read first: after the first reports every value is there, and inserting them all again
    (ignored) cost a third of saving the cells. The ones missing are inserted OR IGNORE, then
    read back: another process may have added the same value meanwhile.
    """
    known = _known_codes.setdefault(db, {}).setdefault(table, {})
    wanted = [value for value in dict.fromkeys(values) if value not in known]
    if not wanted:
        return known
    names = ", ".join(columns)
    match = " AND ".join(f"{c} = j.value ->> {i}" for i, c in enumerate(columns))
    query = f"SELECT {names}, {table}.id FROM {table} JOIN json_each(?) j ON {match}"
    found = {tuple(row[:-1]): row[-1] for row in db.execute(query, [json.dumps(wanted, ensure_ascii=False)])}
    missing = [value for value in wanted if value not in found]
    if missing:
        db.conn.executemany(f"INSERT OR IGNORE INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})", missing)
        found.update((tuple(row[:-1]), row[-1]) for row in db.execute(query, [json.dumps(missing, ensure_ascii=False)]))
    known.update(found)
    return known


def remove_report(db: sqlite_utils.Database, report_id: int) -> None:
    """Delete a report and everything extracted from it."""
    with writing(db):
        _delete_report(db, report_id)


def _delete_report(db: sqlite_utils.Database, report_id: int) -> None:
    """Delete a report's rows from every table that refers to it, then the report.

    Said outright rather than left to ON DELETE CASCADE: a load turns foreign-key checks off
    (Engine.load_many; they were a twelfth of saving a report) and may replace a report then."""
    for table in _report_children(db):
        db.execute(f"DELETE FROM [{table}] WHERE report_id = ?", [report_id])
    db.execute("DELETE FROM reports WHERE id = ?", [report_id])


def _report_children(db: sqlite_utils.Database) -> tuple[str, ...]:
    """The tables whose report_id refers to reports(id), read from the schema once per store."""
    if db not in _children_of:
        _children_of[db] = tuple(name for (name,) in db.execute(
            "SELECT m.name FROM sqlite_master m, pragma_foreign_key_list(m.name) f"
            " WHERE m.type = 'table' AND f.\"table\" = 'reports' AND f.\"from\" = 'report_id' ORDER BY m.name"))
    return _children_of[db]


_children_of: WeakKeyDictionary[sqlite_utils.Database, tuple[str, ...]] = WeakKeyDictionary()


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
_READ_ACTIONS = {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION, 33}
# Functions a query may not call: ones that hand out pointers (fts3_tokenizer returns the address
# of a tokenizer; with a second argument it installs one), load code (load_extension), or
# change or probe state outside the query (the FTS and R-Tree helpers, sqlite_log).
REFUSED_FUNCTIONS = frozenset({
    "fts3_tokenizer", "load_extension", "fts5", "fts5_source_id", "sqlite_log", "optimize", "matchinfo",
    "offsets", "snippet", "highlight", "bm25", "rtreecheck", "rtreedepth", "rtreenode", "readfile", "writefile",
    "edit", "sqlite_dbpage",
})
# Bounds of one read-only query: one value (SQLITE_LIMIT_LENGTH), the query's text, and what
# it may print in all (the output budget): no query holds gigabytes, whatever it computes.
MAX_VALUE_BYTES = 1_000_000
MAX_QUERY_BYTES = 100_000
MAX_OUTPUT_BYTES = 5_000_000
# printf/format: the time limit is checked between the engine's steps, and a single
# printf('%.*c', 1000000000, 'x') runs for seconds inside one step even when the length
# limit has cut its result, so widths and precisions beyond the length limit are refused first.
_PRINTF_SPEC = re.compile(r"%[-+ 0#,!]*(\*|\d+)?(?:\.(\*|\d+))?(?:ll|l)?([a-zA-Z%])")


@dataclass(frozen=True)
class QueryResult:
    """Rows of a read-only query; ``limit`` says which bound cut them short ("" when none did)."""

    columns: list[str]
    rows: list[tuple]
    truncated: bool
    limit: str = ""


def _authorize(action: int, arg1: object, arg2: object, *_rest: object) -> int:
    if action not in _READ_ACTIONS:
        return sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_FUNCTION and str(arg2).lower() in REFUSED_FUNCTIONS:
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


def _bounded_printf(limit: int, refuse: Callable[[], None]):
    """printf that refuses widths and precisions over ``limit``, then formats as SQLite does.

    A refusal calls ``refuse`` (which stops the query) instead of raising: an exception inside
    an SQL function would only surface as SQLite's "user-defined function raised exception".
    """
    helper = sqlite3.connect(":memory:", check_same_thread=False)
    helper.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, limit)

    def printf(form: object = None, *args: object) -> object:
        if isinstance(form, str):
            queue = list(args)
            for width, precision, conversion in _PRINTF_SPEC.findall(form):
                for part in (width, precision):
                    size = _as_int(queue.pop(0) if queue else 0) if part == "*" else int(part or 0)
                    if abs(size) > limit:
                        refuse()
                        return None
                if conversion != "%" and queue:
                    queue.pop(0)
        marks = ", ".join("?" * (1 + len(args)))
        return helper.execute(f"SELECT printf({marks})", (form, *args)).fetchone()[0]

    return printf, helper


def _as_int(value: object) -> int:
    try:
        return int(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return 0


def _size(value: object) -> int:
    if isinstance(value, str):
        return len(value.encode("utf-8", "replace"))
    if isinstance(value, bytes):
        return len(value)
    return 8


def read_only_query(db_path: Path | str, query: str, *, max_rows: int = 200, timeout_s: float = 5.0,
                    max_bytes: int = MAX_OUTPUT_BYTES) -> QueryResult:
    """Run one SELECT on a read-only connection; refuse anything that could write.

    Bounded four ways: the time (also inside one long function call), each value's length,
    the rows and the bytes returned. A query over the time limit is stopped with a message;
    one over the rows or bytes returns what fitted, ``truncated`` and the ``limit`` it hit.
    """
    refusal = "只能执行一条只读的 SELECT 查询；写入、修改或删除数据的语句，以及 load_extension、fts3_tokenizer 等函数一律拒绝。"
    text = query.strip().rstrip(";").strip()
    if not re.match(r"^(select|with)\b", text, re.I):
        raise ReadOnlyQueryError(refusal)
    if len(text.encode("utf-8")) > MAX_QUERY_BYTES:
        raise ReadOnlyQueryError(f"查询语句太长（上限 {MAX_QUERY_BYTES // 1000} KB）。")
    db = open_store(db_path, read_only=True)
    conn = db.conn
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
    conn.setlimit(sqlite3.SQLITE_LIMIT_SQL_LENGTH, MAX_QUERY_BYTES)
    conn.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
    conn.setlimit(sqlite3.SQLITE_LIMIT_LIKE_PATTERN_LENGTH, 1000)
    too_wide: list[bool] = []

    def refuse() -> None:
        too_wide.append(True)
        conn.interrupt()

    printf, helper = _bounded_printf(MAX_VALUE_BYTES, refuse)
    for name in ("printf", "format"):
        conn.create_function(name, -1, printf, deterministic=True)
    conn.set_authorizer(_authorize)
    deadline = time.monotonic() + timeout_s
    conn.set_progress_handler(lambda: int(time.monotonic() > deadline), 1_000)
    rows: list[tuple] = []
    limit, spent = "", 0
    try:
        cursor = conn.execute(text)
        columns = [d[0] for d in cursor.description or ()]
        while not limit:
            batch = cursor.fetchmany(100)
            if not batch:
                break
            for row in batch:
                spent += sum(_size(v) for v in row)
                if len(rows) == max_rows:
                    limit = f"只显示前 {max_rows} 行"
                elif spent > max_bytes:
                    limit = f"结果超过 {max_bytes / 1_000_000:g} MB，只显示前 {len(rows)} 行"
                if limit:
                    break
                rows.append(tuple(row))
    except sqlite3.ProgrammingError as error:  # several statements
        raise ReadOnlyQueryError(refusal) from error
    except sqlite3.DatabaseError as error:
        message = str(error)
        if too_wide:
            raise ReadOnlyQueryError(f"printf/format 的宽度或精度太大（上限 {MAX_VALUE_BYTES}），已拒绝。") from error
        if "not authorized" in message or "prohibited" in message:
            raise ReadOnlyQueryError(refusal) from error
        if "interrupted" in message:
            raise ReadOnlyQueryError(f"查询超过 {timeout_s:g} 秒，已停止。请缩小范围（加 WHERE 或 LIMIT）。") from error
        if "too big" in message:
            raise ReadOnlyQueryError(f"查询里的某个值超过 {MAX_VALUE_BYTES // 1_000_000} MB，已停止。") from error
        raise ReadOnlyQueryError(f"查询出错：{error}") from error
    finally:
        conn.close()
        helper.close()
    if too_wide:  # refused in the last step, after SQLite had nothing left to interrupt
        raise ReadOnlyQueryError(f"printf/format 的宽度或精度太大（上限 {MAX_VALUE_BYTES}），已拒绝。")
    return QueryResult(columns, rows, bool(limit), limit)


def backup_store(path: Path | str, target: Path | str) -> tuple[int, int]:
    """Copy the store to ``target`` with SQLite's online backup: consistent while others write.

    The copy is one self-contained file (the write-ahead log folded in), written beside the
    target and renamed into place, so a half-written copy is never left under its name.
    Returns the copy's report count and size in bytes.
    """
    source, target = Path(path), Path(target)
    if target.exists():
        raise StoreError(f"{target} 已经存在：换一个文件名，或先把它移走。")
    if not source.is_file():
        raise StoreError(f"找不到数据库 {source}。")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    partial.unlink(missing_ok=True)
    reader = sqlite3.connect(f"file:{quote(str(source.resolve()))}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S)
    try:
        copy = sqlite3.connect(partial)
        try:
            reader.backup(copy)  # all pages in one step: one read transaction, one state
            copy.execute("PRAGMA journal_mode = DELETE")  # a single file until the store is next opened for writing
            if copy.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise StoreError(f"备份副本检查未通过：{target} 没有写入。")
            reports = copy.execute("SELECT COUNT(*) FROM reports").fetchone()[0] \
                if copy.execute("SELECT 1 FROM sqlite_master WHERE name = 'reports'").fetchone() else 0
        finally:
            copy.close()
    except sqlite3.DatabaseError as error:
        partial.unlink(missing_ok=True)
        raise StoreError(f"备份失败（{error}）：{target} 没有写入。") from error
    finally:
        reader.close()
    with open(partial, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(partial, target)
    return reports, target.stat().st_size
