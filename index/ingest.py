"""Load one file into the store: read, parse, check, save — all of it or nothing."""
from __future__ import annotations

from pathlib import Path

import sqlite_utils

from index import tokenizer
from index.lexicon import Lexicon, load_lexicon
from index.parser import parse_report
from index.readers import read_document
from index.report import Report
from index.store import SaveResult, save_report

REPORT_SUFFIXES = (".txt", ".md", ".docx", ".doc", ".wps", ".pdf", ".html", ".htm")


def load_file(db: sqlite_utils.Database, path: Path, *, original_name: str | None = None,
              max_bytes: int | None = None, lexicon: Lexicon | None = None) -> tuple[SaveResult, Report]:
    """Read, parse and store one report file; ReportbotError (nothing stored) when it cannot."""
    lexicon = lexicon or load_lexicon()
    document = read_document(path, max_bytes=max_bytes, original_name=original_name)
    report = parse_report(document, lexicon)
    # The body's name must be one token before its passages are segmented (色达县, 色达).
    tokenizer.add_words([report.body, report.region])
    return save_report(db, report, document, tokenizer.tokenize, lexicon), report


def report_files(paths: list[Path]) -> list[Path]:
    """Expand folders into the report files they hold (by suffix), keeping the order given."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in REPORT_SUFFIXES))
        else:
            files.append(path)
    return files
