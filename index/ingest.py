"""Load one file into the store: read and parse it, then save it — all of it or nothing."""
from __future__ import annotations

from pathlib import Path

import sqlite_utils

from index import tokenizer
from index.document import Document
from index.lexicon import Lexicon, load_lexicon
from index.parser import parse_report
from index.readers import read_document
from index.report import Report
from index.store import SaveResult, save_report

REPORT_SUFFIXES = (".txt", ".md", ".docx", ".doc", ".wps", ".pdf", ".html", ".htm")


def read_report(path: Path, *, original_name: str | None = None, max_bytes: int | None = None,
                lexicon: Lexicon | None = None) -> tuple[Document, Report]:
    """Read and parse one report file without touching the store (the slow part of a load)."""
    document = read_document(path, max_bytes=max_bytes, original_name=original_name)
    return document, parse_report(document, lexicon or load_lexicon())


def store_report(db: sqlite_utils.Database, document: Document, report: Report,
                 lexicon: Lexicon | None = None) -> SaveResult:
    """Save a parsed report in one transaction; the same file again changes nothing."""
    # The body's name must be one token before its passages are segmented (色达县, 色达).
    tokenizer.add_words([report.body, report.region])
    return save_report(db, report, document, tokenizer.tokenize, lexicon or load_lexicon())


def report_files(paths: list[Path]) -> list[Path]:
    """Expand folders into the report files they hold (by suffix), keeping the order given."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in REPORT_SUFFIXES))
        else:
            files.append(path)
    return files
