"""Load report files into the store: read, parse and segment them, then save each all or nothing.

Preparing a report (reading, parsing, segmenting its passages) is the slow part and touches no
shared state, so several files are prepared in worker processes, one per core, while the store
saves them in order in this process. The workers die with this process, even by kill -9.
"""
from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import pickle
import signal
import stat
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator
from multiprocessing.connection import Connection
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import sqlite_utils

from index import gazetteer, tokenizer
from index.checks import find_suspicious_numbers
from index.document import Document
from index.errors import ReportbotError, UnreadableFileError
from index.faults import fault_point
from index.facts import extract_facts
from index.lexicon import DATA_DIR, Lexicon, load_lexicon
from index.parser import parse_report
from index.report import Report
from index.store import SaveResult, save_report

if TYPE_CHECKING:
    from index.readers.ocr import OnPage

REPORT_SUFFIXES = (".txt", ".md", ".docx", ".doc", ".wps", ".pdf", ".html", ".htm")
# Worker processes pay off only for a batch: each costs a fork and the parent's memory.
_PARALLEL_FROM = 16
# Files submitted to the pool ahead of the one being saved, per worker: enough to keep the
# workers busy while the saver works, few enough that memory does not grow with the batch.
IN_FLIGHT = 4
# Files one pool of workers prepares before it is replaced by freshly forked ones. A worker's
# memory grows with the files it has seen (names added to jieba's dictionary, caches filling):
# 6 MB a 1,000 files, measured, so over a 50,000-file load each would have grown by 150 MB.
RECYCLE_AFTER = 2_000
# Read and parsed before the workers are forked (warm_up).
_WARM_UP_SAMPLE = DATA_DIR / "samples" / "xinglong-2023.txt"
# File names: most file systems allow 255 bytes a name; longer ones come from a zip or a chat.
MAX_NAME_BYTES = 255
_CONTROL = {chr(c) for c in range(32)} | {"\x7f"}


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
    fault_point("prepare.started")
    check_source(path, original_name or path.name)
    lexicon = lexicon or load_lexicon()
    # The readers (docx, pdfplumber, bs4 …: ~0.33 CPU s of imports) only when a file is read:
    # `reportbot ask` and the bot's start-up never read one (docs/benchmarks.md).
    from index.readers import read_document

    document = read_document(path, max_bytes=max_bytes, original_name=original_name, on_page=on_page)
    report = parse_report(document, lexicon)
    suspicious = find_suspicious_numbers(list(report.cells), lexicon)
    if suspicious:
        report = replace(report, findings=report.findings + tuple(suspicious))
    report = replace(report, facts=extract_facts(report.passages))  # numbers the prose states
    # The body's name must be one token before its passages are segmented (色达县, 色达).
    tokenizer.add_words([report.body, report.region])
    # The section heading is indexed with the text: 存在的主要问题 names what its paragraphs are about.
    sections = {section: tokenizer.tokenize(section) for section in {p.section for p in report.passages}}
    tokens = tuple(" ".join(sections[p.section] + tokenizer.tokenize(p.text)) for p in report.passages)
    # Saving needs only the file's identity; leaving its blocks out spares copying the whole
    # text back from a worker process.
    return PreparedReport(replace(document, blocks=()), report, tokens)


def check_source(path: Path, name: str) -> None:
    """Refuse, with a message saying why, a file name or a file no report can be.

    A FIFO would block the read forever and a device (/dev/zero) never end; a name with a
    line break would break every line that shows it; one over 255 bytes fits no file system.
    """
    shown = "".join(" " if ch in _CONTROL else ch for ch in name)
    if len(shown) > 60:
        shown = shown[:57] + "…"
    if any(ch in _CONTROL for ch in name):
        raise UnreadableFileError(f"文件名“{shown}”里有换行或其他控制字符：请改名后再载入。")
    if len(os.fsencode(name)) > MAX_NAME_BYTES:
        raise UnreadableFileError(f"文件名太长（超过 {MAX_NAME_BYTES} 字节）：“{shown}”，请改短后再载入。")
    try:
        mode = path.stat().st_mode
    except OSError as error:
        raise UnreadableFileError(f"无法打开文件“{shown}”（{error.strerror or error}）：请确认文件存在且可读。") from error
    if stat.S_ISDIR(mode):
        raise UnreadableFileError(f"“{shown}”是文件夹：载入文件夹请用 reportbot load 文件夹。")
    if not stat.S_ISREG(mode):
        kind = "管道（FIFO）" if stat.S_ISFIFO(mode) else "设备文件" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "特殊文件"
        raise UnreadableFileError(f"“{shown}”是{kind}，不是普通文件：请载入报告文件本身。")


def _prepare_quietly(path: Path, max_bytes: int | None) -> PreparedReport | ReportbotError:
    try:
        return prepare_report(path, max_bytes=max_bytes)
    except ReportbotError as error:
        return error
    except OSError as error:
        return UnreadableFileError(f"无法读取文件（{error.strerror or error}）。")


class Pending(Protocol):
    """A file being prepared: a Future of the worker pool, or a file prepared here when asked."""

    def done(self) -> bool:
        """Whether the result is there without waiting."""

    def result(self) -> PreparedReport | ReportbotError:
        """The prepared report (or the file's error), waiting for it if need be."""


class _PreparedHere:
    """A file of a small load, prepared in this process when its result is asked for."""

    def __init__(self, path: Path, max_bytes: int | None) -> None:
        self.path = path
        self.max_bytes = max_bytes

    def done(self) -> bool:
        """Never: preparing it is the wait."""
        return False

    def result(self) -> PreparedReport | ReportbotError:
        """Prepare the file now."""
        return _prepare_quietly(self.path, self.max_bytes)


def prepare_many(paths: list[Path], *, max_bytes: int | None = None,
                 workers: int | None = None) -> Iterator[tuple[Path, PreparedReport | ReportbotError]]:
    """Prepare files in order, in parallel for a batch; a bad file yields its error, not an exception."""
    for path, pending in prepare_ahead(paths, max_bytes=max_bytes, workers=workers):
        yield path, pending.result()


def prepare_ahead(paths: list[Path], *, max_bytes: int | None = None,
                  workers: int | None = None) -> Iterator[tuple[Path, Pending]]:
    """Files in order, each with its preparation under way, so the caller can tell whether it
    would wait for the next one (a saver commits before waiting; bot/engine.py)."""
    workers = workers or os.cpu_count() or 1
    if workers == 1 or len(paths) < _PARALLEL_FROM:
        for path in paths:
            yield path, _PreparedHere(path, max_bytes)
        return
    warm_up()  # loaded once here, inherited by the forked workers
    for start in range(0, len(paths), RECYCLE_AFTER):
        yield from _prepare_in_pool(paths[start:start + RECYCLE_AFTER], max_bytes, workers)


def _prepare_in_pool(paths: list[Path], max_bytes: int | None, workers: int) -> Iterator[tuple[Path, Pending]]:
    """prepare_ahead's files in worker processes forked for them, stopped after the last.

    Fed as it works: at most IN_FLIGHT files a worker are sent ahead of the one being saved.
    Sending every file at once piled prepared reports up in memory whenever saving was slower
    than preparing (docs/benchmarks.md, issue 10).
    """
    with _Workers(workers, max_bytes) as crew:
        ahead = workers * IN_FLIGHT
        for path in paths[:ahead]:
            crew.send(path)
        for number, path in enumerate(paths):
            yield path, crew.take()
            if number + ahead < len(paths):
                crew.send(paths[number + ahead])


# Said for a file whose worker process died while preparing it (killed for memory, or a crash
# in a file reader's native code): the load goes on with a new worker.
_WORKER_DIED = ("准备这个文件的进程意外退出（可能是内存不足，或文件让读取程序崩溃）：这个文件没有载入，"
                "其他文件照常载入。请单独再载入它一次；仍然失败，请把文件转成 txt 或 docx 后再试。")


class _Workers:
    """Worker processes, each fed files through a pipe of its own and answering in order.

    Plain pipes read by the loading thread itself: concurrent.futures' pool moved every file
    and result through two helper threads of the loading process, whose hand-offs cost the
    saving process about 1 ms a report (docs/benchmarks.md, stop 19). A file goes to the worker
    with the fewest files waiting, so one slow file (a scanned PDF) holds up only its worker.
    """

    def __init__(self, count: int, max_bytes: int | None) -> None:
        self._context = multiprocessing.get_context("fork") if "fork" in multiprocessing.get_all_start_methods() \
            else multiprocessing.get_context()
        self._max_bytes = max_bytes
        self._processes: list[multiprocessing.process.BaseProcess] = []
        self._pipes: list[Connection] = []
        self._waiting: list[deque[Path]] = []  # files sent to each worker, not yet taken back
        self._received: list[deque[bytes]] = []  # results read from each pipe, not yet taken
        self._order: deque[int] = deque()  # the worker of each file sent, in the order sent
        for _ in range(count):
            self._waiting.append(deque())
            self._received.append(deque())
            self._pipes.append(self._start(len(self._pipes)))

    def _start(self, worker: int) -> Connection:
        """Start (or restart) one worker process; return the loading process's end of its pipe."""
        ours, theirs = self._context.Pipe()
        process = self._context.Process(target=_serve, args=(theirs, os.getpid()), daemon=True,
                                        name=f"reportbot-prepare-{worker}")
        process.start()
        theirs.close()
        if worker < len(self._processes):
            self._processes[worker] = process
        else:
            self._processes.append(process)
        return ours

    def __enter__(self) -> _Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        """Stop every worker: a busy one (the load stopped early) at once, an idle one when told."""
        for worker, (process, pipe) in enumerate(zip(self._processes, self._pipes)):
            if self._waiting[worker]:
                process.kill()
            else:
                try:
                    pipe.send(None)
                except OSError:
                    process.kill()
        for process, pipe in zip(self._processes, self._pipes):
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
                process.join()
            pipe.close()

    def send(self, path: Path) -> None:
        """Give a file to the worker with the fewest files waiting."""
        worker = min(range(len(self._pipes)), key=lambda w: len(self._waiting[w]))
        self._waiting[worker].append(path)
        self._order.append(worker)
        try:
            self._pipes[worker].send((path, self._max_bytes))
        except OSError:
            pass  # the worker died: found, and its files sent again, when its result is taken

    def take(self) -> Pending:
        """The next file's preparation, in the order the files were sent."""
        return _FromWorker(self, self._order.popleft())

    def ready(self, worker: int) -> bool:
        """Whether the worker's oldest file is prepared; reads what its pipe holds meanwhile,
        so a worker is not kept waiting to hand over a result."""
        self._read_available()
        return bool(self._received[worker])

    def _read_available(self) -> None:
        for worker, pipe in enumerate(self._pipes):
            try:
                while len(self._received[worker]) < len(self._waiting[worker]) and pipe.poll():
                    self._received[worker].append(pipe.recv_bytes())
            except (EOFError, OSError):
                continue  # died: result() says so for the file it was preparing

    def result(self, worker: int) -> PreparedReport | ReportbotError:
        """The worker's oldest file, prepared (waiting for it), or its error."""
        if not self._received[worker]:
            try:
                self._received[worker].append(self._pipes[worker].recv_bytes())
            except (EOFError, OSError):
                self._restart(worker)
                return UnreadableFileError(_WORKER_DIED)
        self._waiting[worker].popleft()
        outcome = pickle.loads(self._received[worker].popleft())
        if isinstance(outcome, BaseException) and not isinstance(outcome, ReportbotError):
            raise outcome  # a fault of this program in preparing the file, raised here as in one process
        return outcome

    def _restart(self, worker: int) -> None:
        """After a worker died: drop the file it was preparing, give the rest of its files to a new one."""
        self._processes[worker].join(timeout=5)
        self._pipes[worker].close()
        self._waiting[worker].popleft()
        self._pipes[worker] = self._start(worker)
        for path in self._waiting[worker]:
            self._pipes[worker].send((path, self._max_bytes))


class _FromWorker:
    """A file being prepared by one of the workers."""

    def __init__(self, crew: _Workers, worker: int) -> None:
        self.crew = crew
        self.worker = worker

    def done(self) -> bool:
        """Whether its result is there without waiting."""
        return self.crew.ready(self.worker)

    def result(self) -> PreparedReport | ReportbotError:
        """The prepared report (or the file's error), waiting for it if need be."""
        return self.crew.result(self.worker)


def _serve(pipe: Connection, parent: int) -> None:
    """A worker process: prepare each file sent, send back the pickled result, until told to stop."""
    _start_worker(parent)
    while True:
        try:
            job = pipe.recv()
        except (EOFError, OSError):
            return  # the loading process is gone
        if job is None:
            return
        try:
            outcome: object = _prepare_quietly(*job)
        except Exception as error:  # a fault of this program: raised again in the loading process
            outcome = error
        try:
            blob = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # an error that cannot be pickled: its text is enough
            blob = pickle.dumps(RuntimeError(f"{type(outcome).__name__}: {outcome}"), protocol=pickle.HIGHEST_PROTOCOL)
        pipe.send_bytes(blob)


def warm_up() -> None:
    """Load now what preparing the first report loads: jieba's dictionary, the file readers'
    imports, the gazetteer's index of one-character slips, the facts' patterns (~0.8 CPU s).

    Worker processes forked afterwards share it instead of each loading it for itself. A bundled
    sample is read and parsed for this, not segmented: nothing is added to jieba's dictionary.
    """
    tokenizer.warm_up()
    gazetteer.near("沐阳县")  # the slips' index: asked for a body whose place is no real place
    from index.readers import read_document

    try:
        report = parse_report(read_document(_WARM_UP_SAMPLE))
    except (OSError, ReportbotError):
        return  # no samples here: the workers load the rest themselves
    find_suspicious_numbers(list(report.cells), load_lexicon())
    extract_facts(report.passages)


_PR_SET_PDEATHSIG = 1


def _start_worker(parent: int) -> None:
    """In a worker: die with the loading process, and leave what it inherited to the collector.

    gc.freeze() puts every object the fork copied (jieba's dictionary, the lexicon, the gazetteer)
    out of the cyclic collector's reach: its collections then walk only the worker's own objects,
    and no longer write to, and so copy, the inherited pages (page faults 22 → 16 a report, measured).
    Ctrl-C in a terminal reaches the whole process group: the loading process stops the workers,
    so they ignore it rather than each printing a traceback.
    """
    gc.freeze()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent(parent)


def die_with_parent(parent: int) -> None:
    """In a worker process: be killed when the loading process dies, even by kill -9.

    On Linux the kernel does it (prctl PR_SET_PDEATHSIG); elsewhere a thread watches the
    parent's pid. The check after prctl covers a parent that died before it was called.
    """
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="parent-watch").start()


def store_report(db: sqlite_utils.Database, prepared: PreparedReport) -> SaveResult:
    """Save a prepared report in one transaction; the same file again changes nothing.

    The report's names are not taught to this process's segmenter: a question teaches it the
    names it names (bot/retrieval.py), as it must for reports another process loaded."""
    return save_report(db, prepared.report, prepared.document, prepared.tokens)


def report_files(paths: list[Path]) -> list[Path]:
    """Expand folders into the report files they hold (by suffix), keeping the order given."""
    files: list[Path] = []
    for path in paths:
        try:
            folder = path.is_dir()
        except OSError:  # a name too long for the file system: check_source says so
            folder = False
        if folder:
            # Not only regular files: a FIFO or device named *.txt is listed, to be refused by name.
            files.extend(sorted(p for p in path.rglob("*") if not p.is_dir() and p.suffix.lower() in REPORT_SUFFIXES))
        else:
            files.append(path)
    return files
