"""The engine behind the terminal chat, the CLI and the Telegram bot: one object, same answers.

It owns the long-lived services (store, passage index, tokenizer, catalog of names) and is
safe to call from several threads: the bot runs answers and loads in worker threads.

It stays live while other processes (`reportbot load`, `remove`) change the store: before each
answer it compares SQLite's data_version with the one it last saw, and when another connection
committed it applies only the difference: reports added or removed go into or out of the search
index and the catalog (docs/operations.md). Opened read-only it writes nothing at all.
"""
from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from bot import kept_catalog
from bot.answer import Answer, Choice, format_number
from bot.catalog import Catalog
from bot.findings import answer_check
from bot.facts import answer_fact
from bot.leads import KeptLeads, answer_leads, asks_for_leads, leads_for
from bot.packed_leads import PackedLeads
from bot.retrieval import answer_retrieval
from bot.structured import answer_structured
from bot.intent import Intent, Route
from bot.replies import (asks_for_report_list, combined_answer, help_answer, refusal_answer, report_list_answer,
                         with_answered_year)
from bot.understand import describe, understand
from bot.understand import warm_up as warm_up_understanding
from index import tokenizer
from index.errors import ReportbotError, ReportNotFoundError, StoreError
from index.faults import fault_point
from index.leads import Lead, find_leads
from index.ingest import PreparedReport, die_with_parent, prepare_ahead, prepare_report, store_report
from index.lexicon import Lexicon, load_lexicon
from index.report import TableRead
from index.search import PassageIndex
from index.store import (MAX_OUTPUT_BYTES, QueryResult, StoredReport, cell_rows, data_version, find_report, get_report,
                         list_reports, open_store, read_only_query, reading, remove_report, report_changes,
                         report_findings, resolve_report, writing)


@dataclass(frozen=True)
class LoadOutcome:
    """What loading one file did, for the admin who sent it."""

    report_id: int
    title: str
    body: str
    region: str
    year: int
    cells: int
    inferred: int
    findings: tuple[str, ...]
    replaced: str | None
    unchanged: bool
    table_reads: tuple[TableRead, ...] = ()

    def reading(self) -> str:
        """One short phrase per table: how it was read (表二按原文读取；表三数字粘连…)."""
        return "；".join(t.note for t in self.table_reads)

    def summary(self) -> str:
        """Several plain lines: what was extracted and which of the report's sums do not add up."""
        if self.unchanged:
            return f"这份文件之前已经载入过：{self.title}。库里没有任何变化。"
        lines = [f"已载入：{self.title}", f"发布机关：{self.body}（{self.region}），年度：{self.year}",
                 f"表格数字：{self.cells}个" + (f"（其中{self.inferred}个原文缺失、按合计推算）" if self.inferred else "")]
        if self.table_reads:
            lines.append(f"读取方式：{self.reading()}")
        if self.replaced:
            lines.append(f"替换了同一机关同一年度的旧版本：{self.replaced}")
        if self.findings:
            lines.append(f"勾稽检查：{len(self.findings)}处对不上（数字按原文保存）：")
            lines.extend(f"- {f}" for f in self.findings)
        else:
            lines.append("勾稽检查：表格数字全部对得上。")
        return "\n".join(lines)


@dataclass(frozen=True)
class ReportSummary:
    """One line of /reports."""

    id: int
    title: str
    body: str
    region: str
    year: int
    cells: int
    findings: int


def write_failure(error: sqlite3.Error) -> StoreError:
    """Turn SQLite's failure to write into a message saying what happened to the store."""
    text = str(error)
    if "full" in text:
        return StoreError("磁盘已满（或数据库已到大小上限）：这次的改动没有写入，库里原有的内容不受影响。腾出空间后再试。")
    if "locked" in text or "busy" in text:
        return StoreError("数据库正被另一个进程写入，等了 30 秒仍未轮到：这次的改动没有写入，稍后再试。")
    if "readonly" in text or "read-only" in text:
        return StoreError("数据库文件不可写：检查文件和所在文件夹的权限。这次的改动没有写入。")
    return StoreError(f"写入数据库失败（{text}）：这次的改动没有写入，库里原有的内容不受影响。")


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off while the reports and the catalog are built, and what was
    built moved out of its reach afterwards (``gc.freeze``).

    Hundreds of thousands of new objects, none in a cycle, made it walk them again and again (a
    fifth to a third of building them at 50,000 reports, docs/benchmarks.md), and the first full
    collection after them took a quarter of a second of the first answer. Frozen objects are
    still freed when nothing refers to them. Garbage in cycles is collected first, while it is
    cheap (what an earlier build froze is not walked), so none of it is frozen for good.
    """
    was_on = gc.isenabled()
    if was_on:
        gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_on:
            gc.enable()


# A load commits its reports together, at most this many at a time or for this long (load_many).
COMMIT_REPORTS = 32
COMMIT_WINDOW_S = 0.2
# How the store's connection writes during a load, and after (load_many):
# - the write-ahead log may grow to 10,000 pages before SQLite copies them into the store (its
#   default is 1,000): a load rewrites the same index pages commit after commit, and copying
#   them 10 times less often took 0.3-0.6 ms a report off the saving process;
# - foreign keys are not checked: every id a load writes comes from the rows it has just
#   written or read, and checking them was 0.5 ms a report (a report's rows are deleted
#   outright, never by cascade: index/store.py, _delete_report). docs/benchmarks.md, stop 19.
_LOADING = ("PRAGMA wal_autocheckpoint = 10000", "PRAGMA foreign_keys = OFF")
_NOT_LOADING = ("PRAGMA wal_autocheckpoint = 1000", "PRAGMA foreign_keys = ON")

_CARD_FIELDS = (("requests.new", "total"), ("requests.handled", "total"), ("requests.granted", "total"),
                ("requests.denied", "total"), ("requests.carried_over", "total"), ("normative.in_force", None),
                ("licensing.decisions", None), ("penalty.decisions", None), ("compulsion.decisions", None),
                ("fees.amount", None), ("review.total", None), ("review.corrected", None), ("lawsuit.total", None))


def _give_back_freed_memory() -> None:
    """Hand the pages a large finding freed back to the system; glibc's malloc keeps them for the
    process otherwise. After finding every report's leads at 10,000 reports: 63 MB left → 31 MB.
    Elsewhere (no malloc_trim) nothing is done."""
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return
    trim(0)


# From this many reports a bot finds every report's leads in a process of its own: at 50,000 the
# finding reads every cell and section and peaks at about 1.2 GB for 80-100 s, which the bot
# process then kept from the system (docs/leads.md). Below it the finding is small and a
# process would cost more than it spares (~0.5 s to start one).
LEADS_APART_FROM = 5_000


def find_and_pack_leads(db_path: Path) -> tuple[int, PackedLeads]:
    """Every report's leads, found on a read-only connection of their own and packed, with the
    store's count of report changes they are for. Packing takes seconds at 50,000 reports: it is
    done outside the engine's lock."""
    db = open_store(db_path, read_only=True)
    try:
        with reading(db):
            stamp, leads = report_changes(db), find_leads(db)
    finally:
        db.close()
    return stamp, PackedLeads(leads)


def _found_apart(db_path: Path) -> tuple[int, PackedLeads] | None:
    """find_and_pack_leads in a process started for it (spawned: a bot has threads, which a fork
    would copy mid-way), dying with the bot; its memory goes back to the system when it ends.
    None where no process can be started (no /dev/shm, a limit on processes): found here then."""
    context = multiprocessing.get_context("spawn")
    try:
        pool = ProcessPoolExecutor(max_workers=1, mp_context=context, initializer=die_with_parent,
                                   initargs=(os.getpid(),))
    except OSError:
        return None
    with pool:
        try:
            future = pool.submit(find_and_pack_leads, db_path)
        except OSError:
            return None
        return future.result()


class Engine:
    """Understands questions, answers them from the store, and loads or removes reports."""

    def __init__(self, db_path: Path, *, lexicon: Lexicon | None = None, today: date | None = None,
                 read_only: bool = False) -> None:
        """Open the store (read-only: writing nothing, not even on open) and its search index."""
        self.db_path = Path(db_path)
        self.lexicon = lexicon or load_lexicon()
        self.today = today
        self.read_only = read_only
        self._lock = threading.RLock()
        self.db = open_store(self.db_path, lexicon=self.lexicon, read_only=read_only)
        # The stamp first, then the reports, then the index: a commit in between makes the
        # next refresh apply the difference again, which is harmless, never missing it.
        self._seen_version = data_version(self.db)
        # The reports and their stamp in one read, so a catalog built from them is kept under it.
        with _collector_paused(), reading(self.db):
            self._opened_stamp = kept_catalog.stamp(report_changes(self.db), self.lexicon)
            kept = kept_catalog.read(self.db_path, self._opened_stamp, self.lexicon)
            self._reports, self._catalog = kept or (list_reports(self.db), None)
        self.index = PassageIndex(self.db, read_only=read_only)
        self._leads = KeptLeads()
        self._finding_leads = threading.Lock()  # one warm_up_leads at a time
        self._closed = False

    @classmethod
    def open(cls, db_path: Path, *, today: date | None = None, read_only: bool = False) -> "Engine":
        """Open the store and index, and warm the tokenizer and the catalog, so the first answer
        is fast. Body names become words when a question names them (bot/retrieval.py)."""
        tokenizer.warm_up()
        engine = cls(db_path, today=today, read_only=read_only)
        if engine._catalog is None:  # not kept, or kept for other reports: built now, not on the first question
            catalog = engine.catalog
            if not read_only:
                kept_catalog.write(engine.db_path, engine._opened_stamp, engine._reports, catalog)
        return engine

    def warm_up_rest(self) -> None:
        """Load what the first question of some kinds would load (the passages' postings, the POS
        tagger, pinyin: about 1 s at 50,000 reports), then find every report's leads. For a
        long-running bot, in the background after its start, so no journalist waits for it
        (handlers/app.py)."""
        self.index.load()
        warm_up_understanding(self.lexicon)
        self.warm_up_leads()

    def warm_up_leads(self) -> None:
        """Find every report's leads on a connection of its own, without the engine's lock (80 s
        at 50,000 synthetic reports, during which questions are answered), from LEADS_APART_FROM
        reports in a process of its own, and keep them if no report was added or removed meanwhile."""
        if str(self.db_path) == ":memory:" or not self._finding_leads.acquire(blocking=False):
            return  # no second connection sees it; or they are being found already
        try:
            found = _found_apart(self.db_path) if len(self._reports) >= LEADS_APART_FROM else None
            if found is None:
                found = find_and_pack_leads(self.db_path)
                _give_back_freed_memory()
            stamp, packed = found
        # No file yet, one this code must migrate first, busy or damaged: found when asked, with
        # the error shown then. A finding process that died (out of memory) leaves them to that too.
        except (ReportbotError, sqlite3.Error, BrokenProcessPool):
            return
        finally:
            self._finding_leads.release()
        with self._lock:
            if not self._closed and report_changes(self.db) == stamp:
                self._leads.keep(stamp, packed)

    def find_leads_in_background(self) -> threading.Thread:
        """warm_up_leads in a thread of its own: a bot calls it after a load or a removal."""
        thread = threading.Thread(target=self.warm_up_leads, name="leads", daemon=True)
        thread.start()
        return thread

    def close(self) -> None:
        """Keep the search index and the catalog for the next start, refresh SQLite's statistics,
        close the database. The catalog in memory goes first: keeping the index and a new
        catalog on top of it made a 50,000-report load's peak (docs/benchmarks.md)."""
        with self._lock:
            self._closed = True  # a background finding of leads keeps nothing after this
            self._catalog, self._reports = None, []
            if not self.read_only:
                try:
                    self.index.close()
                    self._keep_catalog()
                    # Statistics from a sample of each index (about 1,000 rows): after a load of
                    # 50,000 reports a full ANALYZE of 13 M cells took 5-8 s of the close, and the
                    # sampled ones answered the benchmark's questions as fast (docs/benchmarks.md).
                    self.db.execute("PRAGMA analysis_limit = 1000")
                    self.db.execute("PRAGMA optimize")
                except sqlite3.OperationalError:  # busy or full: the kept index and statistics are only a speed-up
                    pass
            self.db.close()

    def _keep_catalog(self) -> None:
        """Keep the catalog beside the store for the next start, unless the kept one is current."""
        with reading(self.db):
            expected = kept_catalog.stamp(report_changes(self.db), self.lexicon)
            if kept_catalog.holds(self.db_path, expected):
                return
            with _collector_paused():
                reports = list_reports(self.db)
        with _collector_paused():
            catalog = Catalog(reports, self.lexicon)
        kept_catalog.write(self.db_path, expected, reports, catalog)

    def refresh(self) -> bool:
        """Catch up with what other processes committed; cheap (one PRAGMA) when nothing was.

        Returns whether anything was committed since the last call. Only the difference is
        applied: the postings of reports added, the rows of reports removed, a new catalog.
        """
        with self._lock:
            version = data_version(self.db)
            if version == self._seen_version:
                return False
            with reading(self.db):
                reports = list_reports(self.db)
                known = {r.id for r in self._reports}
                ids = {r.id for r in reports}
                for report_id in known - ids:
                    self.index.forget(report_id)
                added = [r for r in reports if r.id not in known]
                if added:
                    self.index.take(r.id for r in added)
            if reports != self._reports:
                self._catalog = None
            self._reports = reports
            self._seen_version = version
            return True

    @property
    def catalog(self) -> Catalog:
        """The names of the loaded bodies, rebuilt after loads and removals when next needed."""
        with self._lock:
            if self._catalog is None:  # from the reports kept current by refresh, load and remove, in list_reports' order
                with _collector_paused():
                    self._catalog = Catalog(sorted(self._reports, key=lambda r: (r.region, r.body, r.year)), self.lexicon)
            return self._catalog

    # -- questions
    def understand(self, question: str, *, context: Intent | None = None) -> Intent:
        """Parse a question (a follow-up when a context is given) into an Intent."""
        with self._lock:
            self.refresh()
            return understand(question, self.catalog, self.lexicon, today=self.today, context=context)

    def ask(self, question: str, *, context: Intent | None = None) -> Answer:
        """Answer a question in Chinese, with its source; a follow-up when a context is given."""
        with self._lock:
            self.refresh()
            return self.answer(self.understand(question, context=context))

    def choose(self, intent: Intent, report_id: int) -> Answer:
        """Answer an ambiguous question again for the report the user picked."""
        with self._lock:
            self.refresh()
            chosen = replace(intent, report_id=report_id, ambiguous=(), bodies=(), unknown_places=())
            return self.answer(replace(chosen, reading=describe(chosen, self.catalog, self.lexicon)))

    def answer(self, intent: Intent) -> Answer:
        """Route an intent to its answer: help, a refusal, each of its parts, or one route's answer."""
        with self._lock:
            self.refresh()
            if intent.route == Route.HELP:
                return help_answer(intent, self.examples())
            named = [m.text for m in self.catalog.find(intent.question)] + list(intent.unknown_places)
            if asks_for_report_list(intent.question, self.lexicon):
                return report_list_answer(intent, self.catalog.reports)
            if asks_for_leads(intent.question, named):  # 有什么值得关注的, 年报有什么问题 (docs/leads.md)
                return answer_leads(intent, self._leads, self.db, report_changes(self.db), self.catalog)
            if intent.parts:
                answers = [self.answer(replace(part, parts=())) for part in intent.parts]
                return with_answered_year(combined_answer(intent, answers, self.lexicon))
            if intent.refusal:
                return refusal_answer(intent)
            if intent.ambiguous and not intent.bodies and intent.report_id is None:
                return self._ambiguous(intent)
            if intent.route == Route.CHECK:
                return answer_check(intent, self.db, self.catalog)
            if intent.route == Route.STRUCTURED:
                return with_answered_year(answer_structured(intent, self.db, self.catalog, self.lexicon))
            # A number the prose states (政策解读 51 件) is given with its sentence; else passages.
            return answer_fact(intent, self.db, self.catalog) or answer_retrieval(intent, self.index, self.catalog, self.lexicon)

    def _ambiguous(self, intent: Intent) -> Answer:
        choices = []
        lines = []
        for name, bodies in intent.ambiguous:
            lines.append(f"“{name}”可能指：" + "、".join(bodies) + "。请选择：")
            for body in self.catalog.bodies:
                if body.body in bodies:
                    for report in body.reports:
                        if intent.year is None or report.year == intent.year:
                            choices.append(Choice(f"{body.body}{report.year}年", report.id))
        if len(choices) == 1 and len(intent.ambiguous) == 1:  # the year left one report: no need to ask
            chosen = replace(intent, report_id=choices[0].report_id, ambiguous=())
            return self.answer(replace(chosen, reading=describe(chosen, self.catalog, self.lexicon)))
        return Answer(intent.question, intent.route, "\n".join(lines), intent=intent, choices=tuple(choices))

    # -- reports
    def load(self, path: Path, *, original_name: str | None = None, max_bytes: int | None = None,
             on_page: Callable[[int, int], None] | None = None) -> LoadOutcome:
        """Load one report file (all or nothing) and make it answerable at once.

        ``on_page(done, total)`` reports progress while a scanned PDF is read by OCR."""
        # Reading and parsing (slow for a PDF) happen outside the lock: other chats keep answering.
        return self._store(prepare_report(path, original_name=original_name, max_bytes=max_bytes,
                                          lexicon=self.lexicon, on_page=on_page))

    def load_many(self, paths: list[Path], *, max_bytes: int | None = None) -> Iterator[tuple[Path, LoadOutcome | ReportbotError]]:
        """Load files in order, preparing them on every core; a bad file yields its error.

        Each report is saved all or nothing, in a savepoint of its own, and reports saved one
        after another are committed together: before waiting for a file still being prepared,
        after COMMIT_REPORTS reports or COMMIT_WINDOW_S seconds, whichever comes first. A long
        load so holds the write lock a fifth of a second at a time and never while it waits for
        a file: other processes keep loading and removing in between (docs/operations.md). A
        report is yielded once it is committed.
        """
        batch: list[tuple[Path, LoadOutcome | ReportbotError]] = []
        transaction: ExitStack | None = None
        began = 0.0
        self._write_as(_LOADING)
        try:
            for path, pending in prepare_ahead(paths, max_bytes=max_bytes):
                if batch and not pending.done():
                    yield from self._commit(batch, transaction)
                    transaction = None
                prepared = pending.result()
                if isinstance(prepared, ReportbotError):
                    batch.append((path, prepared))
                    continue
                try:
                    if transaction is None:
                        transaction, began = self._begin(), time.monotonic()
                    batch.append((path, self._save(prepared)))
                except ReportbotError as error:
                    batch.append((path, error))
                # A failure that ended the transaction ends the batch with it.
                if not self.db.conn.in_transaction or len(batch) >= COMMIT_REPORTS \
                        or time.monotonic() - began >= COMMIT_WINDOW_S:
                    yield from self._commit(batch, transaction)
                    transaction = None
            yield from self._commit(batch, transaction)
        except BaseException:
            if transaction is not None:  # stopped inside a batch (Ctrl-C): ROLLBACK, then the lock
                transaction.__exit__(*sys.exc_info())
            if any(isinstance(outcome, LoadOutcome) and not outcome.unchanged for _, outcome in batch):
                self._forget_uncommitted()
            raise
        finally:
            self._write_as(_NOT_LOADING)

    def _write_as(self, settings: tuple[str, ...]) -> None:
        """Set how the connection writes (_LOADING, _NOT_LOADING); between transactions, where
        SQLite takes a change of foreign_keys."""
        with self._lock, suppress(sqlite3.Error):  # a closed or read-only store: nothing to set
            for pragma in settings:
                self.db.execute(pragma)

    def _begin(self) -> ExitStack:
        """A batch's write transaction, holding the engine's lock until it is committed."""
        transaction = ExitStack()
        transaction.enter_context(self._lock)
        try:
            transaction.enter_context(writing(self.db))
        except sqlite3.Error as error:
            transaction.close()
            raise write_failure(error) from error
        return transaction

    def _commit(self, batch: list[tuple[Path, LoadOutcome | ReportbotError]],
                transaction: ExitStack | None) -> Iterator[tuple[Path, LoadOutcome | ReportbotError]]:
        """Commit a batch of saved reports and yield their outcomes; a failed commit fails them all."""
        if transaction is not None:
            # A report whose failure ended the transaction is the batch's last: its error is the batch's.
            ended = None if self.db.conn.in_transaction else batch[-1][1]
            try:
                try:
                    if ended is None:
                        self.index.write_counts()
                except BaseException:
                    transaction.__exit__(*sys.exc_info())  # ROLLBACK, then the lock
                    raise
                transaction.close()  # COMMIT, then the lock
            except sqlite3.Error as error:
                failure = ended if isinstance(ended, StoreError) else write_failure(error)
                lost = [(path, failure if isinstance(o, LoadOutcome) and not o.unchanged else o) for path, o in batch]
                self._forget_uncommitted()
                batch[:] = lost
        done = list(batch)
        batch.clear()
        for path, outcome in done:
            if isinstance(outcome, LoadOutcome):
                fault_point("save.committed")
            yield path, outcome

    def _forget_uncommitted(self) -> None:
        """After a batch was rolled back: the search index and the reports as the store has them."""
        self.index.forget_counts()
        self._rebuild_index()
        self._reports = list_reports(self.db)
        self._catalog = None

    def _store(self, prepared: PreparedReport) -> LoadOutcome:
        """Save one report in a transaction of its own (a load of one file)."""
        with self._lock:
            outcome = self._save(prepared)
            fault_point("save.committed")
            return outcome

    def _save(self, prepared: PreparedReport) -> LoadOutcome:
        """Save one report, all or nothing: in a transaction of its own, or a savepoint of the
        caller's. The report and its search terms go together: the stored term ids never
        disagree with the stored passages."""
        report = prepared.report
        with self._lock:
            alone = not self.db.conn.in_transaction  # not one of a batch: commits at the end of this save
            added = None
            try:
                with writing(self.db):
                    saved = store_report(self.db, prepared)
                    if not saved.unchanged:
                        if saved.replaced:
                            self.index.remove_report(saved.replaced.id)
                        self.index.add_report(saved.report.id, count_later=not alone)
                        added = saved.report.id
                    fault_point("save.indexed")
            except BaseException as error:
                if added is not None:
                    self.index.forget_counts(added)
                self._rebuild_index()
                if isinstance(error, sqlite3.Error):
                    raise write_failure(error) from error
                raise
            if not saved.unchanged:
                self._catalog = None
                if saved.replaced is not None:
                    self._reports = [r for r in self._reports if r.id != saved.replaced.id]
                self._reports.append(saved.report)
            stored = saved.report
            return LoadOutcome(
                report_id=stored.id, title=stored.title, body=stored.body, region=stored.region, year=stored.year,
                cells=stored.cells, inferred=sum(1 for c in report.cells if c.inferred),
                findings=tuple(message for _rule, message, _fields in report_findings(self.db, stored.id)),
                replaced=saved.replaced.title if saved.replaced else None, unchanged=saved.unchanged,
                table_reads=report.table_reads)

    def _rebuild_index(self) -> None:
        """After a failed write, make the in-memory index match the store again (rare: disk full)."""
        self.index.reset()

    def remove(self, name: str) -> StoredReport:
        """Remove the one report a name names exactly (id, title, or body and year); return it.

        Raises AmbiguousReportError, listing the candidates, for a partial or shared name.
        """
        with self._lock:
            self.refresh()
            return self.remove_id(resolve_report(self.db, name).id)

    def resolve(self, name: str) -> StoredReport:
        """The one report a name names exactly, for a confirmation before removing it."""
        with self._lock:
            self.refresh()
            return resolve_report(self.db, name)

    def remove_id(self, report_id: int) -> StoredReport:
        """Remove one report by id, with its passages in the search index, in one transaction."""
        with self._lock:
            try:
                with writing(self.db):
                    report = get_report(self.db, report_id)
                    if report is None:
                        raise ReportNotFoundError("这份报告已经不在库里了（可能刚被别人删除或替换），没有删除任何报告。")
                    remove_report(self.db, report_id)
                    self.index.remove_report(report_id)
            except sqlite3.Error as error:
                self._rebuild_index()
                raise write_failure(error) from error
            self._catalog = None
            self._reports = [r for r in self._reports if r.id != report_id]
            return report

    def reports(self) -> list[ReportSummary]:
        """The loaded reports."""
        with self._lock:
            self.refresh()
            return [ReportSummary(r.id, r.title, r.body, r.region, r.year, r.cells, r.findings) for r in list_reports(self.db)]

    def report_card(self, name: str) -> Answer:
        """A report's headline figures from the three tables, and its findings."""
        with self._lock:
            self.refresh()
            report = find_report(self.db, name)
            cells = {(c.field, c.applicant): c for c in cell_rows(self.db, report_ids=[report.id])}
            lines = [report.title, f"发布机关：{report.body}；年度：{report.year}" + (f"；发布日期：{report.published}" if report.published else "")]
            table = [("指标", "数值", "单位")]
            for field, applicant in _CARD_FIELDS:
                cell = cells.get((field, applicant))
                if cell is None:
                    continue
                shown = format_number(cell.value, cell.unit) if cell.value is not None else "空白"
                lines.append(f"· {cell.label}：{shown}")
                table.append((cell.label, "" if cell.value is None else str(format_number(cell.value)), cell.unit))
            findings = report_findings(self.db, report.id)
            lines.append(f"勾稽检查：{len(findings)}处对不上。" if findings else "勾稽检查：数字全部对得上。")
            lines.extend(f"- {message}" for _rule, message, _fields in findings)
            return Answer(question=f"/report {name}", route="card", text="\n".join(lines), table=tuple(table))

    def check(self, name: str | None = None) -> Answer:
        """The findings of one report, or of every report."""
        with self._lock:
            self.refresh()
            if name:
                report = find_report(self.db, name)
                intent = Intent(question=f"/check {name}", route=Route.CHECK, report_id=report.id)
            else:
                intent = Intent(question="/check", route=Route.CHECK)
            return answer_check(intent, self.db, self.catalog)

    def leads(self, name: str | None = None, *, kinds: tuple[str, ...] = ()) -> Sequence[Lead]:
        """The story leads of the reports a name means (every report without one), ranked (docs/leads.md)."""
        with self._lock:
            self.refresh()
            return leads_for(self._leads, self.db, report_changes(self.db), self.catalog, name, kinds=kinds)

    def sql(self, query: str, *, max_rows: int = 200, timeout_s: float = 5.0,
            max_bytes: int = MAX_OUTPUT_BYTES) -> QueryResult:
        """Run one read-only SELECT on the store, bounded in time, value length, rows and bytes."""
        return read_only_query(self.db_path, query, max_rows=max_rows, timeout_s=timeout_s, max_bytes=max_bytes)

    def examples(self) -> list[str]:
        """Example questions drawn from the loaded reports, for /help."""
        with self._lock:
            self.refresh()
            reports = self.catalog.reports
            if not reports:
                return ["（库里还没有报告：管理员可以直接把报告文件发给我。）"]
            first, last = reports[0], reports[-1]
            return [f"{first.name}{first.year}年行政处罚多少件？", "哪个地方收到的政府信息公开申请最多？",
                    f"{last.name}予以公开的申请占办理总数的比例是多少？", f"{first.name}政务公开存在哪些问题？",
                    f"{last.name}的年报数据有没有对不上的地方？"]

