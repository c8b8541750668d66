"""Load report files into the store: read, parse and segment them, then save each in one transaction.

Preparing a report (reading, parsing, segmenting its passages) is the slow part and touches no
shared state, so several files are prepared in worker processes, one per core, while the store
saves them in order in this process.
"""
from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import sqlite_utils

from index import tokenizer
from index.document import Document
from index.errors import ReportbotError, UnreadableFileError
from index.facts import extract_facts
from index.lexicon import Lexicon, load_lexicon
from index.parser import parse_report
from index.readers import read_document
from index.readers.ocr import OnPage
from index.report import Report
from index.store import SaveResult, save_report

REPORT_SUFFIXES = (".txt", ".md", ".docx", ".doc", ".wps", ".pdf", ".html", ".htm")
# Worker processes pay off only for a batch: each costs a fork and the parent's memory.
_PARALLEL_FROM = 16


@dataclass(frozen=True)
class PreparedReport:
    """A report read, parsed and segmented, ready to be saved."""

    document: Document  # the file's name, format and sha256 (its blocks are not kept)
    report: Report
    tokens: tuple[str, ...]  # one space-joined token string per passage


def prepare_report(path: Path, *, original_name: str | None = None, max_bytes: int | None = None,
                   lexicon: Lexicon | None = None, on_page: OnPage | None = None) -> PreparedReport:
    """Read, parse and segment one report file without touching the store.

    ``on_page(done, total)`` reports progress while a scanned PDF is read by OCR."""
    document = read_document(path, max_bytes=max_bytes, original_name=original_name, on_page=on_page)
    report = parse_report(document, lexicon or load_lexicon())
    report = replace(report, facts=extract_facts(report.passages))  # numbers the prose states
    # The body's name must be one token before its passages are segmented (色达县, 色达).
    tokenizer.add_words([report.body, report.region])
    # The section heading is indexed with the text: 存在的主要问题 names what its paragraphs are about.
    sections = {section: tokenizer.tokenize(section) for section in {p.section for p in report.passages}}
    tokens = tuple(" ".join(sections[p.section] + tokenizer.tokenize(p.text)) for p in report.passages)
    # Saving needs only the file's identity; leaving its blocks out spares copying the whole
    # text back from a worker process.
    return PreparedReport(replace(document, blocks=()), report, tokens)


def _prepare_quietly(path: Path, max_bytes: int | None) -> PreparedReport | ReportbotError:
    try:
        return prepare_report(path, max_bytes=max_bytes)
    except ReportbotError as error:
        return error
    except OSError as error:
        return UnreadableFileError(f"无法读取文件（{error.strerror or error}）。")


def prepare_many(paths: list[Path], *, max_bytes: int | None = None,
                 workers: int | None = None) -> Iterator[tuple[Path, PreparedReport | ReportbotError]]:
    """Prepare files in order, in parallel for a batch; a bad file yields its error, not an exception."""
    workers = workers or os.cpu_count() or 1
    if workers == 1 or len(paths) < _PARALLEL_FROM:
        for path in paths:
            yield path, _prepare_quietly(path, max_bytes)
        return
    tokenizer.warm_up()  # loaded once here, inherited by the forked workers
    context = multiprocessing.get_context("fork") if "fork" in multiprocessing.get_all_start_methods() else None
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        yield from zip(paths, pool.map(_prepare_quietly, paths, [max_bytes] * len(paths), chunksize=4))


def store_report(db: sqlite_utils.Database, prepared: PreparedReport, lexicon: Lexicon | None = None) -> SaveResult:
    """Save a prepared report in one transaction; the same file again changes nothing."""
    tokenizer.add_words([prepared.report.body, prepared.report.region])
    return save_report(db, prepared.report, prepared.document, prepared.tokens, lexicon or load_lexicon())


def report_files(paths: list[Path]) -> list[Path]:
    """Expand folders into the report files they hold (by suffix), keeping the order given."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in REPORT_SUFFIXES))
        else:
            files.append(path)
    return files
