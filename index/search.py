"""BM25 passage search over the stored passages, with an inverted index in memory.

Scoring is BM25+ (Lv & Zhai 2011) computed here with numpy from corpus-wide statistics; only
the passages that contain a query term are scored, and over every report only those that can
reach the top (MaxScore). rank_bm25 is not used: it scores every passage for every query (0.6 s
at 200,000 passages), and its BM25Plus/BM25L add delta to every passage, so zero scores cannot
be dropped (docs/search.md has the measurements).

The passages' tokens are kept in SQLite as int32 term ids (tables ``search_terms``,
``passage_terms`` for prose, ``table_row_terms`` for table rows), so building the index works on
arrays instead of splitting millions of strings. Only prose is in the index; table rows are
scored from their stored ids for the reports a question names. The inverted arrays are kept in
a file beside the store (``<store>-search``), stamped with a counter of index changes
(``search_state``) that every add and remove bumps, in any process: a start maps a current file
instead of building again, and reads only the postings questions use (docs/benchmarks.md).

A long-lived index follows the store as other processes change it: ``take`` adds the reports
they saved from their stored term ids, ``forget`` drops the ones they removed, both in memory
only (bot/engine.py calls them when SQLite's data_version says another connection committed).
Opened read-only, the index writes nothing: it maps the kept file or builds in memory.
"""
from __future__ import annotations

import json
import math
import mmap
import os
import threading
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import sqlite_utils

from index.faults import fault_point
from index.store import reading, writing
from index.tokenizer import tokenize

# BM25+ parameters: the usual k1 and b; delta = 1 as Lv & Zhai recommend. Chosen on the samples'
# questions (docs/search.md): BM25+ ranked 22-23 of 24 first for every k1 in 0.9..2, b in 0.3..0.9.
K1 = 1.2
B = 0.75
DELTA = 1.0
# Postings of reports added since the main arrays were made are kept as one batch of arrays a
# report, and merged into them when they outgrow this share of the main postings, between the
# floor and the cap (the cap bounds a load's memory at any size: about 30 MB).
PENDING_FLOOR = 50_000
PENDING_SHARE = 8
PENDING_CAP = 1_000_000
# Passages read at a time when the index is built from the stored term ids (bounds memory).
INVERT_BATCH = 20_000
# Past this many candidate rows an unrestricted search scores every row instead of probing.
DENSE_ROWS = 200_000
# Passages turned into term ids per batch when the stored ids are missing (bounds memory).
SYNC_BATCH = 10_000

# term_ids: the passage's tokens in order, as little-endian int32 ids into search_terms.
# passage_terms holds prose (in memory, searched over every report); table_row_terms the table
# rows (read from the store for the reports a question names), with their document frequencies
# in table_row_df and their count and tokens in search_state ('table_rows', 'table_tokens').
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS search_terms (id INTEGER PRIMARY KEY, term TEXT NOT NULL UNIQUE)",
    "CREATE TABLE IF NOT EXISTS passage_terms ("
    " passage_id INTEGER PRIMARY KEY, report_id INTEGER NOT NULL, term_ids BLOB NOT NULL)",
    "CREATE INDEX IF NOT EXISTS passage_terms_report ON passage_terms(report_id)",
    "CREATE TABLE IF NOT EXISTS table_row_terms ("
    " passage_id INTEGER PRIMARY KEY, report_id INTEGER NOT NULL, term_ids BLOB NOT NULL)",
    "CREATE INDEX IF NOT EXISTS table_row_terms_report ON table_row_terms(report_id)",
    "CREATE TABLE IF NOT EXISTS table_row_df (term_id INTEGER PRIMARY KEY, df INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS search_state (name TEXT PRIMARY KEY, value INTEGER NOT NULL)",
    # Each change counted in search_state, as it happened: a report added or removed, or a sync of
    # many passages' term ids. A kept file a few changes old is brought up to date from it.
    "CREATE TABLE IF NOT EXISTS search_log (change INTEGER PRIMARY KEY, report_id INTEGER,"
    " op TEXT NOT NULL CHECK (op IN ('add', 'remove', 'sync')))",
)
_TABLES = frozenset({"search_terms", "passage_terms", "table_row_terms", "table_row_df", "search_state", "search_log"})
# A kept file is brought up to date by replaying the log when the reports added since are at most
# this share of those it holds (or REPLAY_FLOOR); past that, building it again costs about the same.
REPLAY_SHARE = 10
REPLAY_FLOOR = 200
# The kept index is a file beside the store (<store>-search): this first line, a line of JSON
# (the change count it reflects, each array's dtype, offset and length), then the arrays, which
# a start maps into memory instead of reading, so that only the postings questions read are
# ever loaded. It is a cache: missing or stale, it is made again from passage_terms.
_SNAPSHOT_MAGIC = b"reportbot search index 1\n"
_SNAPSHOT = {"passage_ids": "<i8", "report_ids": "<i8", "lengths": "<i8", "posting_rows": "<i4",
             "posting_tfs": "<u2", "term_starts": "<i8"}
_ALIGN = 64


@dataclass(frozen=True)
class Hit:
    """One passage found for a question, with its BM25+ score (higher is better)."""

    passage_id: int
    report_id: int
    section: str
    text: str
    score: float
    kind: str


@dataclass(frozen=True)
class _Collection:
    """The statistics one question is scored with: passages, average length, document frequencies."""

    docs: int
    average: float
    df: dict[int, int]

    def idf(self, term: int) -> float:
        return math.log((self.docs + 1) / self.df[term])  # > 0 even for a term in every passage

    def part(self, term: int, tfs: np.ndarray, norm: np.ndarray) -> np.ndarray:
        """What the term adds to passages holding it ``tfs`` times, given their length norms."""
        return self.idf(term) * (DELTA + tfs * (K1 + 1) / (tfs + norm))


class PassageIndex:
    """BM25+ search over the ``passages`` table, kept current by add_report/remove_report."""

    def __init__(self, db: sqlite_utils.Database, *, read_only: bool = False) -> None:
        """Open the index of a store; the postings come into memory on the first search.

        A process that only loads (`reportbot load`) never holds them: its reports' term ids
        go to the store, and closing builds the kept file from them. ``read_only``: write
        nothing (the store was opened read-only); missing term ids are then left missing and a
        stale kept file is rebuilt in memory only.
        """
        self._db = db
        self._read_only = read_only
        self._snapshot_file = _snapshot_file(db)
        self._lock = threading.RLock()
        self._ready = False  # the postings are in memory (after the first search)
        # Term ids looked up so far (questions' words, loaded reports' tokens): the whole table was
        # 128,000 terms and 25 MB at 50,000 reports, read at start for a few words a question.
        self._vocab: dict[str, int] = {}
        # The term ids of each added report's table rows, by report, not yet counted into
        # table_row_df: counted together just before the transaction that added them commits
        # (write_counts). The same national labels in every report made 226 upserts a report.
        self._uncounted: dict[int, list[np.ndarray]] = {}
        if not read_only and not _TABLES <= set(db.table_names()):
            with writing(db):
                for statement in SCHEMA:
                    db.execute(statement)

    def load(self, *, sync: bool = True) -> None:
        """Bring the postings into memory now (a search does it first): map the kept file if it
        is current (or can be caught up), else store any missing term ids and table-row counts,
        build from them and keep the file (`reportbot migrate` calls this after a new format).

        ``sync=False``: do not look for passages without term ids (two scans of every passage,
        in memory, at 50,000 reports); for a writer's close, whose reports stored theirs."""
        with self._lock:
            if self._ready:
                return
            self._ready = True
            with reading(self._db):
                if self._load_snapshot():
                    return
            if sync and not self._read_only and "passages" in self._db.table_names():
                with writing(self._db):
                    self._sync_stored_terms()
            self._invert()
            if not self._read_only:
                self._save_snapshot()

    def reset(self) -> None:
        """Drop the postings and the term ids from memory: the next search reads the store as it
        is then (after a write that failed half-way, rare: a full disk; the term ids it had
        added were rolled back with it and must not be used again)."""
        with self._lock:
            self._ready = False
            self._vocab = {}
            for name in ("_posting_rows", "_posting_tfs", "_term_starts", "_passage_ids", "_row_reports", "_lengths"):
                self.__dict__.pop(name, None)

    def close(self) -> None:
        """Keep the index for the next start when reports were added or removed since it was
        kept, then let go of the postings: what a closing engine does next (keep its catalog,
        bot/engine.py) should not have them on top of its own memory."""
        with self._lock:
            if self._read_only:
                return
            if self._kept_changes() != self._changes():
                # Made again from the kept file and the log when few reports were added or
                # removed since (a fold and a write: 1-2 s at 50,000 reports), else from the
                # stored term ids (15 s). The postings in memory are not trusted to be current:
                # another process may have committed since this one last looked.
                self.reset()
                self.load(sync=False)
                if self._kept_changes() != self._changes():
                    self._save_snapshot()  # folded: added reports merged, removed ones dropped
                self._prune_log()
            self.reset()

    def add_report(self, report_id: int, *, count_later: bool = False) -> None:
        """Index (or re-index) one report's passages after the store has saved them.

        ``count_later``: its table rows' document frequencies wait for write_counts, which the
        caller runs in the same transaction before it commits (forget_counts if it does not):
        a load counts a batch's reports together."""
        with self._lock:
            with writing(self._db):
                self.remove_report(report_id)
                self._bump("add", report_id)
                stored = self._db.execute(
                    "SELECT id, report_id, tokens, kind = 'table' FROM passages WHERE report_id = ? ORDER BY id",
                    [report_id],
                ).fetchall()
                prose = [row[:3] for row in stored if not row[3]]
                term_ids = self._store_terms(prose, fresh=True)
                self._uncounted[report_id] = self._store_terms([row[:3] for row in stored if row[3]],
                                                               "table_row_terms", fresh=True)
                if not count_later:
                    self.write_counts()
            if term_ids and self._ready:
                self._append([(report_id, [passage_id for passage_id, _, _ in prose], term_ids)])

    def remove_report(self, report_id: int) -> None:
        """Forget one report's passages (after the store removed or replaced it)."""
        with self._lock, writing(self._db):
            if self._uncounted.pop(report_id, None) is None:  # else its rows were never counted
                table_rows = self._db.execute("SELECT term_ids FROM table_row_terms WHERE report_id = ?", [report_id])
                self._count_table_rows([np.frombuffer(blob, dtype="<i4") for (blob,) in table_rows], sign=-1)
            deleted = self._db.execute("DELETE FROM table_row_terms WHERE report_id = ?", [report_id]).rowcount
            deleted += self._db.execute("DELETE FROM passage_terms WHERE report_id = ?", [report_id]).rowcount
            if deleted:  # a report being added for the first time has nothing to forget, nor to log
                self._bump("remove", report_id)
            self.forget(report_id)

    def write_counts(self) -> None:
        """Count the table rows of the reports added since the last call into table_row_df, in
        the transaction that added them (Engine: just before it commits)."""
        with self._lock:
            if self._uncounted:
                self._count_table_rows([row for rows in self._uncounted.values() for row in rows])
                self._uncounted.clear()

    def forget_counts(self, report_id: int | None = None) -> None:
        """Drop the uncounted table rows of a report whose save was undone (all: a transaction
        rolled back)."""
        with self._lock:
            if report_id is None:
                self._uncounted.clear()
            else:
                self._uncounted.pop(report_id, None)

    def forget(self, report_id: int) -> None:
        """Drop a report's passages from this index only (another process removed it)."""
        with self._lock:
            rows = self._report_rows.pop(report_id, None) if self._ready else None
            if rows is None:
                return
            self._alive[rows] = False
            self._all_alive = False
            self._term_stats.clear()  # document frequencies and bounds move with the counts
            self._docs -= len(rows)
            self._total_length -= int(self._lengths[rows].sum())

    def take(self, report_ids: Iterable[int]) -> None:
        """Add reports another process saved, from their stored term ids, to this index only.

        A report already indexed is replaced; one whose term ids are gone (removed meanwhile)
        is only dropped. Costs the reports' postings, never an inversion.
        """
        if not self._ready:
            return  # the first search reads the store as it is then
        with self._lock, reading(self._db):
            found = []
            for report_id in dict.fromkeys(report_ids):
                self.forget(report_id)
                stored = self._db.execute(
                    "SELECT passage_id, term_ids FROM passage_terms WHERE report_id = ? ORDER BY passage_id", [report_id]
                ).fetchall()
                if stored:
                    found.append((report_id, [passage_id for passage_id, _ in stored],
                                  [np.frombuffer(blob, dtype="<i4") for _, blob in stored]))
            self._append(found)

    def _term_ids(self, words: Iterable[str]) -> list[int]:
        """The ids of the words the store knows, in order; looked up once each, by the terms' index."""
        unknown = [w for w in words if w not in self._vocab]
        if unknown:
            self._vocab.update(self._db.execute(
                "SELECT term, id FROM search_terms WHERE term IN (SELECT value FROM json_each(?))",
                [json.dumps(unknown, ensure_ascii=False)]).fetchall())
        return [self._vocab[w] for w in words if w in self._vocab]

    def search(self, query: str, *, report_ids: Collection[int] | None = None, limit: int = 5) -> list[Hit]:
        """Return the best passages for a question, best first; [] when nothing matches.

        ``report_ids`` restricts the search to those reports; words every one of them shares
        (the place, the year) are then dropped from the question, since they no longer choose.
        """
        self.load()
        words = dict.fromkeys(tokenize(query))
        if report_ids is not None:
            for word in self._shared_words(report_ids):
                words.pop(word, None)
        with self._lock:
            if self._pending_size > max(PENDING_FLOOR, len(self._posting_rows) // PENDING_SHARE):
                self._fold()
            if limit <= 0 or not self._docs:
                return []
            terms = self._term_ids(words)
            collection = self._collection(terms)
            if report_ids is not None:
                rows, scores = self._score_rows(terms, self._rows_of(report_ids), collection)
                table_ids, table_scores = self._score_table_rows(terms, report_ids, collection)
                passage_ids = np.concatenate([self._passage_ids[rows], table_ids])
                scores = np.concatenate([scores, table_scores])
            else:
                rows, scores = self._score_all(terms, limit, collection)
                passage_ids = self._passage_ids[rows]
            found = _top(passage_ids, scores, limit)
        return self._hits(found)

    def _collection(self, terms: list[int]) -> _Collection:
        """Passages, average length and the terms' document frequencies over prose and table
        rows together: prose counted here, table rows as the store keeps them."""
        state = dict(self._db.execute(
            "SELECT name, value FROM search_state WHERE name IN ('table_rows', 'table_tokens')").fetchall())
        table_df = dict(self._db.execute(
            "SELECT term_id, df FROM table_row_df WHERE term_id IN (SELECT value FROM json_each(?))",
            [json.dumps(terms)]).fetchall()) if terms else {}
        docs = self._docs + state.get("table_rows", 0)
        average = (self._total_length + state.get("table_tokens", 0)) / max(docs, 1)
        return _Collection(docs, average, {t: self._prose_df(t) + table_df.get(t, 0) for t in terms})

    def _rows_of(self, report_ids: Collection[int]) -> np.ndarray:
        """The live prose rows of these reports, ascending (each report's rows are one run)."""
        runs = [self._report_rows[r] for r in sorted(set(report_ids)) if r in self._report_rows]
        rows = np.unique(np.concatenate(runs)) if runs else np.zeros(0, dtype=np.int64)
        return rows[self._alive[rows]]

    def _score_all(self, terms: list[int], limit: int, collection: _Collection) -> tuple[np.ndarray, np.ndarray]:
        """The prose rows that can be among the best ``limit``, with their exact BM25+ scores (MaxScore).

        Candidates come from the terms that can add the most, rarest first; a term's postings are
        only probed for the candidates' rows. Once the terms not yet opened could together add
        less than the current ``limit``-th score, no row outside the candidates can reach the top,
        so common words (政府, 公开) are never walked in full. A question made only of common
        words opens nearly everything; past DENSE_ROWS candidates every row is scored as before,
        which is cheaper than probing.
        """
        terms = [t for t in terms if self._prose_df(t)]
        bounds = {t: self._term_bound(t, collection) for t in terms}
        unopened = sum(bounds.values())
        rows = np.zeros(0, dtype=np.int64)
        scores = np.zeros(0)
        threshold = 0.0
        for term in sorted(terms, key=bounds.__getitem__, reverse=True):
            if len(rows) >= limit and unopened < threshold:
                break
            unopened -= bounds[term]
            postings, _ = self._postings(term)
            new = np.setdiff1d(postings[self._alive[postings]], rows, assume_unique=True)
            if len(rows) + len(new) > DENSE_ROWS:
                return self._score_dense(terms, collection)
            rows = np.concatenate([rows, new])
            scores = np.concatenate([scores, self._score_rows(terms, new, collection)[1]])
            if len(rows) >= limit:
                threshold = float(np.partition(scores, len(scores) - limit)[len(scores) - limit])
        return rows, scores

    def _score_rows(self, terms: list[int], rows: np.ndarray, collection: _Collection) -> tuple[np.ndarray, np.ndarray]:
        """BM25+ of the given prose rows (ascending), probing each term's postings for them."""
        scores = np.zeros(len(rows))
        if not len(rows):
            return rows, scores
        norm = K1 * (1 - B + B * self._lengths[rows] / collection.average)
        for term in terms:
            if not self._prose_df(term):
                continue
            postings, tfs = self._postings(term)
            at = np.minimum(np.searchsorted(postings, rows), len(postings) - 1)
            found = postings[at] == rows
            scores[found] += collection.part(term, tfs[at[found]], norm[found])
        return rows, scores

    def _score_dense(self, terms: list[int], collection: _Collection) -> tuple[np.ndarray, np.ndarray]:
        """BM25+ of every live prose row containing a term, walking the terms' whole postings."""
        scores = np.zeros(len(self._alive))
        for term in terms:
            rows, tfs = self._postings(term)
            live = self._alive[rows]
            rows, tfs = rows[live], tfs[live]
            scores[rows] += collection.part(term, tfs, K1 * (1 - B + B * self._lengths[rows] / collection.average))
        rows = np.flatnonzero(scores > 0)
        return rows, scores[rows]

    def _score_table_rows(self, terms: list[int], report_ids: Collection[int],
                          collection: _Collection) -> tuple[np.ndarray, np.ndarray]:
        """BM25+ of the named reports' table rows, from their stored term ids (never in memory:
        the same national labels in every report, 58% of all postings, docs/search.md)."""
        stored = self._db.execute(
            "SELECT passage_id, term_ids FROM table_row_terms WHERE report_id IN (SELECT value FROM json_each(?))",
            [json.dumps(sorted({int(r) for r in report_ids}))]).fetchall()
        terms = [t for t in terms if collection.df.get(t)]
        if not stored or not terms:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        passage_ids = np.array([pid for pid, _ in stored], dtype=np.int64)
        rows = [np.frombuffer(blob, dtype="<i4") for _, blob in stored]
        norm = K1 * (1 - B + B * np.array([len(r) for r in rows]) / collection.average)
        scores = np.zeros(len(rows))
        for term in terms:
            tfs = np.array([np.count_nonzero(r == term) for r in rows])
            found = tfs > 0
            scores[found] += collection.part(term, tfs[found], norm[found])
        return passage_ids, scores

    def _prose_df(self, term: int) -> int:
        """How many live prose passages hold the term (counted once per change of the index)."""
        stats = self._term_stats.get(term)
        if stats is None:
            rows, _ = self._postings(term)
            df = len(rows) if self._all_alive else int(np.count_nonzero(self._alive[rows]))
            stats = self._term_stats[term] = [df, None, None]
        return stats[0]

    def _term_bound(self, term: int, collection: _Collection) -> float:
        """The most the term adds to any one prose passage's score: idf·(δ + its largest tf part)."""
        stats = self._term_stats[term]
        if stats[1] != collection.average:
            rows, tfs = self._postings(term)
            live = self._alive[rows]
            norm = K1 * (1 - B + B * self._lengths[rows[live]] / collection.average)
            tfs = tfs[live]
            stats[1], stats[2] = collection.average, float(np.max(tfs * (K1 + 1) / (tfs + norm)))
        return collection.idf(term) * (DELTA + stats[2])

    def _postings(self, term: int) -> tuple[np.ndarray, np.ndarray]:
        """Rows containing a term and the term's count in each, from both inverted parts."""
        if term + 1 < len(self._term_starts):
            start, end = self._term_starts[term], self._term_starts[term + 1]
        else:
            start = end = 0
        rows, tfs = self._posting_rows[start:end], self._posting_tfs[start:end]
        if self._pending:
            terms, pending_rows, pending_tfs = self._pending_part()
            first, last = np.searchsorted(terms, [term, term + 1])
            if last > first:
                rows = np.concatenate([rows, pending_rows[first:last]])
                tfs = np.concatenate([tfs, pending_tfs[first:last]])
        return rows, tfs

    def _pending_part(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The pending postings as (terms, rows, tfs) sorted by term, rows ascending within a
        term (batches are in row order and the sort is stable); made once per change."""
        if self._pending_sorted is None:
            terms, rows, tfs = (np.concatenate([batch[i] for batch in self._pending]) for i in range(3))
            order = np.argsort(terms, kind="stable")
            self._pending_sorted = (terms[order], rows[order], tfs[order])
        return self._pending_sorted

    def _append(self, reports: Sequence[tuple[int, list[int], list[np.ndarray]]]) -> None:
        """Add reports' passages as new rows, their postings to the pending part.

        The row arrays grow by one concatenation for all the reports: one per report copied every
        row each time, 10 ms a report at 50,000, so a bot catching up with a load of 1,000 reports
        by another process took 10 s on its next question."""
        first = len(self._passage_ids)
        passage_ids, report_ids, lengths = [], [], []
        for report_id, ids, term_ids in reports:
            rows = np.arange(first, first + len(ids))
            first += len(ids)
            self._report_rows[report_id] = rows
            passage_ids.append(np.asarray(ids, dtype=np.int64))
            report_ids.append(np.full(len(rows), report_id, dtype=np.int64))
            lengths.append(np.array([len(t) for t in term_ids], dtype=np.int64))
            # (term, row) pairs counted with numpy in one go: a Counter per passage was a third of
            # a load's time in the saving process (docs/benchmarks.md).
            span = int(rows[-1]) + 1 if len(rows) else 1
            keys = np.concatenate(term_ids).astype(np.int64) * span + np.repeat(rows, [len(t) for t in term_ids])
            pairs, tfs = np.unique(keys, return_counts=True)
            terms = pairs // span
            # One batch of arrays per report (a Python list per term cost a third of add_report).
            self._pending.append((terms, (pairs - terms * span).astype(np.int32),
                                  np.minimum(tfs, np.iinfo(np.uint16).max).astype(np.uint16)))
            self._pending_size += len(pairs)
        added = first - len(self._passage_ids)
        self._passage_ids = np.concatenate([self._passage_ids, *passage_ids])
        self._row_reports = np.concatenate([self._row_reports, *report_ids])
        new_lengths = np.concatenate(lengths) if lengths else np.zeros(0, dtype=np.int64)
        self._lengths = np.concatenate([self._lengths, new_lengths])
        self._alive = np.concatenate([self._alive, np.ones(added, dtype=bool)])
        self._term_stats.clear()
        self._docs += added
        self._total_length += int(new_lengths.sum())
        self._pending_sorted = None
        if self._pending_size > max(PENDING_FLOOR, min(PENDING_CAP, len(self._posting_rows) // PENDING_SHARE)):
            self._fold()

    def _fold(self) -> None:
        """Merge the pending postings into the main arrays, term by term, and drop the rows of
        removed reports (rows renumbered); nothing is read from the store. A load of any size so
        keeps at most about PENDING_CAP postings pending, where it used to keep them all, in
        lists, until a question came (gigabytes over a large load); and a kept index is written
        again after a report is replaced without building it from every report (15 s at 50,000)."""
        if not self._pending and self._all_alive:
            return
        old_starts, old_rows, old_tfs = self._term_starts, self._posting_rows, self._posting_tfs
        if self._pending:
            pending_terms, pending_rows, pending_tfs = self._pending_part()
        else:
            pending_terms, pending_rows, pending_tfs = (np.zeros(0, np.int64), np.zeros(0, np.int32),
                                                        np.zeros(0, np.uint16))
        alive = None if self._all_alive else self._alive
        if alive is not None:  # a removed report's pending postings go too
            keep = alive[pending_rows]
            pending_terms, pending_rows, pending_tfs = pending_terms[keep], pending_rows[keep], pending_tfs[keep]
        terms, firsts, added = np.unique(pending_terms, return_index=True, return_counts=True)
        main_terms = len(old_starts) - 1
        vocabulary = max(main_terms, int(terms[-1]) + 1 if len(terms) else 0)
        counts = np.zeros(vocabulary, dtype=np.int64)
        counts[:main_terms] = np.diff(old_starts)
        counts[terms] += added
        renumber = None
        if alive is not None:
            dead = np.flatnonzero(~alive[old_rows])
            counts[:main_terms] -= np.bincount(np.searchsorted(old_starts, dead, side="right") - 1, minlength=main_terms)
            renumber = (np.cumsum(alive) - 1).astype(np.int32)
        starts = np.zeros(vocabulary + 1, dtype=np.int64)
        np.cumsum(counts, out=starts[1:])
        rows = np.empty(int(starts[-1]), dtype=np.int32)
        tfs = np.empty(int(starts[-1]), dtype=np.uint16)

        def place(at: int, block_rows: np.ndarray, block_tfs: np.ndarray) -> int:
            if renumber is not None:
                keep = alive[block_rows]
                block_rows, block_tfs = renumber[block_rows[keep]], block_tfs[keep]
            rows[at:at + len(block_rows)] = block_rows
            tfs[at:at + len(block_rows)] = block_tfs
            return at + len(block_rows)

        # Between two terms with pending postings, the main arrays move as one block; a term's
        # pending rows come after its main ones (added later, so higher: rows stay ascending).
        read = written = 0

        def place_main(until: int) -> None:  # the main postings up to ``until``, a stretch at a time
            nonlocal read, written
            while read < until:
                end = min(until, read + _RELEASE_EVERY)
                written = place(written, old_rows[read:end], old_tfs[read:end])
                if end // _RELEASE_EVERY > read // _RELEASE_EVERY:
                    _release_mapped((old_rows, old_tfs), end)
                read = end

        for term, first, count in zip(terms.tolist(), firsts.tolist(), added.tolist()):
            place_main(int(old_starts[min(term + 1, main_terms)]))
            written = place(written, pending_rows[first:first + count], pending_tfs[first:first + count])
        place_main(len(old_rows))
        self._term_starts, self._posting_rows, self._posting_tfs = starts, rows, tfs
        self._pending, self._pending_sorted, self._pending_size = [], None, 0
        if alive is not None:
            self._passage_ids, self._row_reports = self._passage_ids[alive], self._row_reports[alive]
            self._lengths = self._lengths[alive]
            self._reset_rows()

    def _invert(self) -> None:
        """Build the index from the stored term ids (rows in report order), in two passes over
        them a batch at a time: count each term's postings, then place them. Memory is the
        finished arrays and one batch, not every token at once (issue 10: 50,000 reports)."""
        with self._lock, reading(self._db):
            self._snapshot_changes = self._changes()
            vocabulary = self._db.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM search_terms").fetchone()[0]
            ids, reports, lengths, counts = [], [], [], np.zeros(vocabulary, dtype=np.int64)
            for batch in self._stored_batches():
                ids.append(np.array([row[0] for row in batch], dtype=np.int64))
                reports.append(np.array([row[1] for row in batch], dtype=np.int64))
                lengths.append(np.fromiter((len(row[2]) // 4 for row in batch), dtype=np.int64, count=len(batch)))
                terms, _, _ = _invert_tokens([row[2] for row in batch], lengths[-1])
                found = np.bincount(terms, minlength=len(counts))
                if len(found) > len(counts):  # an id search_terms lacks (a store edited by hand): still placed
                    counts = np.concatenate([counts, np.zeros(len(found) - len(counts), dtype=np.int64)])
                counts += found
            vocabulary = len(counts)
            starts = np.zeros(vocabulary + 1, dtype=np.int64)
            np.cumsum(counts, out=starts[1:])
            rows = np.empty(int(starts[-1]), dtype=np.int32)
            tfs = np.empty(int(starts[-1]), dtype=np.uint16)
            cursor, first_row = starts[:-1].copy(), 0
            for batch, batch_lengths in zip(self._stored_batches(), lengths):
                terms, batch_rows, batch_tfs = _invert_tokens([row[2] for row in batch], batch_lengths)
                # terms ascending, so each term's postings of this batch are one run placed at its cursor
                run_starts = np.flatnonzero(np.r_[True, terms[1:] != terms[:-1]]) if len(terms) else terms
                run_terms = terms[run_starts]
                offsets = np.arange(len(terms)) - np.repeat(run_starts, np.diff(np.r_[run_starts, len(terms)]))
                places = np.repeat(cursor[run_terms], np.diff(np.r_[run_starts, len(terms)])) + offsets
                rows[places] = batch_rows + first_row
                tfs[places] = batch_tfs
                cursor[run_terms] += np.diff(np.r_[run_starts, len(terms)])
                first_row += len(batch)
            self._passage_ids = np.concatenate(ids) if ids else np.zeros(0, dtype=np.int64)
            self._row_reports = np.concatenate(reports) if reports else np.zeros(0, dtype=np.int64)
            self._lengths = np.concatenate(lengths) if lengths else np.zeros(0, dtype=np.int64)
            self._term_starts, self._posting_rows, self._posting_tfs = starts, rows, tfs
            self._reset_rows()

    def _stored_batches(self) -> Iterator[list[tuple[int, int, bytes]]]:
        """The stored prose term ids, in report order, INVERT_BATCH passages at a time."""
        cursor = self._db.execute(
            "SELECT passage_id, report_id, term_ids FROM passage_terms ORDER BY report_id, passage_id")
        while batch := cursor.fetchmany(INVERT_BATCH):
            yield batch

    def _reset_rows(self) -> None:
        """Every row alive, nothing pending: the state right after the main arrays were made."""
        self._alive = np.ones(len(self._passage_ids), dtype=bool)
        self._all_alive = True
        self._term_stats: dict[int, list] = {}  # term → [live df, average length, largest tf part]
        self._docs = len(self._passage_ids)
        self._total_length = int(self._lengths.sum())
        self._report_rows = _group_rows(self._row_reports)
        self._pending: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # (terms, rows, tfs) a report
        self._pending_sorted: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self._pending_size = 0

    def _changes(self) -> int:
        """How many times any process has changed the stored index."""
        if "search_state" not in self._db.table_names():
            return 0
        row = self._db.execute("SELECT value FROM search_state WHERE name = 'changes'").fetchone()
        return row[0] if row else 0

    def _bump(self, op: str, report_id: int | None = None) -> None:
        """Count a change to the stored index, and log it under its number (search_log)."""
        self._db.execute("INSERT INTO search_state (name, value) VALUES ('changes', 1)"
                         " ON CONFLICT(name) DO UPDATE SET value = value + 1")
        self._db.execute("INSERT INTO search_log (change, report_id, op)"
                         " SELECT value, ?, ? FROM search_state WHERE name = 'changes'", [report_id, op])

    def _changed_since(self, kept: int, current: int, kept_reports: int) -> dict[int, str] | None:
        """Each report changed after change ``kept`` and its last change ('add' or 'remove'), when
        the log holds every change up to ``current``, none a sync, and few enough additions to
        replay; else None (build again)."""
        if "search_log" not in self._db.table_names():
            return None
        rows = self._db.execute("SELECT report_id, op FROM search_log WHERE change > ? AND change <= ? ORDER BY change",
                                [kept, current]).fetchall()
        if len(rows) != current - kept or any(op == "sync" or report is None for report, op in rows):
            return None
        last = {report: op for report, op in rows}
        added = sum(op == "add" for op in last.values())
        return last if added <= max(REPLAY_FLOOR, kept_reports // REPLAY_SHARE) else None

    def _prune_log(self) -> None:
        """Drop the log's changes that the kept file already reflects."""
        kept = self._kept_changes()
        if kept is not None and "search_log" in self._db.table_names():
            with writing(self._db):
                self._db.execute("DELETE FROM search_log WHERE change <= ?", [kept])

    def _save_snapshot(self) -> None:
        """Keep the main arrays (folded, with no pending part) in the file beside the store,
        stamped with the change count they reflect; written aside and renamed, so a reader
        never sees half a file and one that has the old file mapped keeps it."""
        if self._snapshot_file is None:
            return
        self._fold()
        arrays = {"passage_ids": self._passage_ids, "report_ids": self._row_reports, "lengths": self._lengths,
                  "posting_rows": self._posting_rows, "posting_tfs": self._posting_tfs, "term_starts": self._term_starts}
        layout, offset = {}, 0
        for name, dtype in _SNAPSHOT.items():
            size = len(arrays[name]) * np.dtype(dtype).itemsize
            layout[name] = [dtype, offset, len(arrays[name])]
            offset += -(-size // _ALIGN) * _ALIGN
        header = json.dumps({"changes": self._snapshot_changes, "reports": len(self._report_rows),
                             "arrays": layout}).encode() + b"\n"
        data_start = -(-(len(_SNAPSHOT_MAGIC) + len(header)) // _ALIGN) * _ALIGN
        partial = self._snapshot_file.with_name(f"{self._snapshot_file.name}.{os.getpid()}.tmp")
        try:
            with partial.open("wb") as handle:
                handle.write(_SNAPSHOT_MAGIC + header)
                for name, dtype in _SNAPSHOT.items():
                    handle.seek(data_start + layout[name][1])
                    handle.write(memoryview(np.ascontiguousarray(arrays[name], dtype=dtype)))  # no copy
                handle.truncate(data_start + offset)
            fault_point("snapshot.saving")
            os.replace(partial, self._snapshot_file)
        except OSError:
            partial.unlink(missing_ok=True)  # a cache it cannot write only costs the next start time

    def _kept_header(self) -> tuple[dict, int] | None:
        """The kept file's header and where its arrays start; None if there is no such file."""
        if self._snapshot_file is None:
            return None
        try:
            with self._snapshot_file.open("rb") as handle:
                if handle.read(len(_SNAPSHOT_MAGIC)) != _SNAPSHOT_MAGIC:
                    return None
                header = handle.readline()
            return json.loads(header), -(-(len(_SNAPSHOT_MAGIC) + len(header)) // _ALIGN) * _ALIGN
        except (OSError, ValueError):
            return None

    def _kept_changes(self) -> int | None:
        """The change count the kept file reflects (None: no usable file)."""
        found = self._kept_header()
        return found[0].get("changes") if found and isinstance(found[0], dict) else None

    def _load_snapshot(self) -> bool:
        """Map the kept arrays, then replay the reports added and removed since they were kept
        (search_log); False when the file is missing, damaged, or too far behind to replay."""
        found = self._kept_header()
        if found is None:
            return False
        kept, data_start = found
        current = self._changes()
        try:
            if set(kept["arrays"]) != set(_SNAPSHOT):
                return False
            changed: dict[int, str] = {}
            if kept["changes"] != current:
                changed = self._changed_since(kept["changes"], current, int(kept.get("reports", 0))) or {}
                if not changed:
                    return False
            arrays = {name: np.memmap(self._snapshot_file, dtype=dtype, mode="r", offset=data_start + offset,
                                      shape=(length,)) if length else np.zeros(0, dtype=dtype)
                      for name, (dtype, offset, length) in kept["arrays"].items()}
        except (OSError, ValueError, KeyError, TypeError):
            return False
        self._passage_ids, self._row_reports, self._lengths = arrays["passage_ids"], arrays["report_ids"], arrays["lengths"]
        self._posting_rows, self._posting_tfs = arrays["posting_rows"], arrays["posting_tfs"]
        self._term_starts = arrays["term_starts"]
        self._reset_rows()
        for report_id, op in changed.items():
            if op == "remove":
                self.forget(report_id)
        self.take(report_id for report_id, op in changed.items() if op == "add")  # take() replaces what it held
        # Term ids changed behind the index's back (say, by hand in sqlite3) make the kept file stale
        # too. Counted in passage_terms, by its index: counting the prose in passages read the whole
        # table (0.08 s at 6,000 reports, and growing).
        count, highest = self._db.execute("SELECT COUNT(*), MAX(passage_id) FROM passage_terms").fetchone()
        ids = self._passage_ids if self._all_alive else self._passage_ids[self._alive]
        if count != len(ids) or (highest or 0) != (int(ids.max()) if len(ids) else 0):
            self.reset()
            self._ready = True  # load() goes on to build
            return False
        self._snapshot_changes = current
        return True

    def _sync_stored_terms(self) -> None:
        """Drop term ids of passages gone from the store; add those of passages not yet seen;
        count the table rows' document frequencies if they are not kept yet."""
        gone = 0
        for table in ("passage_terms", "table_row_terms"):
            gone += self._db.execute(
                f"DELETE FROM {table} WHERE NOT EXISTS (SELECT 1 FROM passages p"
                f" WHERE p.id = {table}.passage_id AND p.report_id = {table}.report_id)"
            ).rowcount
        missing = [row[0] for row in self._db.execute(
            "SELECT id FROM passages WHERE id NOT IN (SELECT passage_id FROM passage_terms)"
            " AND id NOT IN (SELECT passage_id FROM table_row_terms) ORDER BY id"
        )]
        if missing or gone:
            self._bump("sync")
        for start in range(0, len(missing), SYNC_BATCH):
            stored = self._db.execute(
                "SELECT id, report_id, tokens, kind = 'table' FROM passages WHERE id IN (SELECT value FROM json_each(?))",
                [json.dumps(missing[start : start + SYNC_BATCH])],
            ).fetchall()
            self._store_terms([row[:3] for row in stored if not row[3]])
            self._store_terms([row[:3] for row in stored if row[3]], "table_row_terms")
        counted = self._db.execute("SELECT 1 FROM search_state WHERE name = 'table_rows'").fetchone()
        if missing or gone or not counted:
            self._recount_table_rows()

    def _store_terms(self, stored: Sequence[tuple[int, int, str]], into: str = "passage_terms", *,
                     fresh: bool = False) -> list[np.ndarray]:
        """Turn passages' stored tokens into term ids, saving new terms and the ids (``into``:
        passage_terms for prose, table_row_terms for table rows).

        ``fresh``: the passages were just saved, so no row of theirs is expected; any left by a
        tool that deleted passages behind the store's back is deleted first, and the ids go in by
        plain INSERT. INSERT OR REPLACE cost five times as much a row (0.5 ms a report, measured)."""
        assert into in ("passage_terms", "table_row_terms")
        if not stored:
            return []
        token_lists = [tokens.split() for _, _, tokens in stored]
        new = sorted({t for tokens in token_lists for t in tokens if t not in self._vocab})
        if new:
            # INSERT OR IGNORE + SELECT: another process may have added the same term meanwhile.
            self._db.conn.executemany("INSERT OR IGNORE INTO search_terms (term) VALUES (?)", [(t,) for t in new])
            self._vocab.update(
                self._db.execute(
                    "SELECT term, id FROM search_terms WHERE term IN (SELECT value FROM json_each(?))",
                    [json.dumps(new, ensure_ascii=False)],
                ).fetchall()
            )
        term_ids = [np.array([self._vocab[t] for t in tokens], dtype="<i4") for tokens in token_lists]
        if fresh:
            self._db.execute(f"DELETE FROM {into} WHERE passage_id IN (SELECT value FROM json_each(?))",
                             [json.dumps([passage_id for passage_id, _, _ in stored])])
        self._db.conn.executemany(
            f"INSERT {'' if fresh else 'OR REPLACE '}INTO {into} (passage_id, report_id, term_ids) VALUES (?, ?, ?)",
            [(passage_id, report_id, ids.tobytes()) for (passage_id, report_id, _), ids in zip(stored, term_ids)],
        )
        return term_ids

    def _count_table_rows(self, term_ids: list[np.ndarray], sign: int = 1) -> None:
        """Add (sign 1) or take away (-1) table rows' document frequencies, count and tokens."""
        if not term_ids:
            return
        # Each (row, term) once, in one np.unique over the report (one per row cost 1 ms a report).
        lengths = [len(ids) for ids in term_ids]
        flat = np.concatenate(term_ids).astype(np.int64)
        span = int(flat.max()) + 1 if len(flat) else 1
        pairs = np.unique(np.repeat(np.arange(len(term_ids), dtype=np.int64), lengths) * span + flat)
        terms, counts = np.unique(pairs % span, return_counts=True)
        self._db.conn.executemany(
            "INSERT INTO table_row_df (term_id, df) VALUES (?, ?) ON CONFLICT(term_id) DO UPDATE SET df = df + excluded.df",
            zip(terms.tolist(), (sign * counts).tolist()))
        if sign < 0:
            self._db.execute("DELETE FROM table_row_df WHERE df <= 0")
        self._db.conn.executemany(
            "INSERT INTO search_state (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = value + excluded.value",
            [("table_rows", sign * len(term_ids)), ("table_tokens", sign * sum(len(ids) for ids in term_ids))])

    def _recount_table_rows(self) -> None:
        """Count every stored table row's terms again, a batch of rows at a time (bounded memory)."""
        self._db.execute("DELETE FROM table_row_df")
        self._db.execute("DELETE FROM search_state WHERE name IN ('table_rows', 'table_tokens')")
        self._db.execute("INSERT INTO search_state (name, value) VALUES ('table_rows', 0), ('table_tokens', 0)")
        last = 0
        while batch := self._db.execute(
                "SELECT passage_id, term_ids FROM table_row_terms WHERE passage_id > ? ORDER BY passage_id LIMIT ?",
                [last, SYNC_BATCH]).fetchall():
            self._count_table_rows([np.frombuffer(blob, dtype="<i4") for _, blob in batch])
            last = batch[-1][0]

    def _shared_words(self, report_ids: Collection[int]) -> set[str]:
        """Place and year words all the reports share (伊春市 2023 → 伊春, 伊春市, 2023)."""
        if "reports" not in self._db.table_names():
            return set()
        ids = json.dumps(sorted(int(report_id) for report_id in report_ids))
        shared: set[str] | None = None
        for (region,) in self._db.execute(
            "SELECT DISTINCT region FROM reports WHERE id IN (SELECT value FROM json_each(?))", [ids]
        ):
            shared = set(tokenize(region)) if shared is None else shared & set(tokenize(region))
            if not shared:
                break
        shared = shared or set()
        years = self._db.execute(
            "SELECT DISTINCT year FROM reports WHERE id IN (SELECT value FROM json_each(?))", [ids]
        ).fetchall()
        if len(years) == 1:
            shared.add(str(years[0][0]))
        return shared

    def _hits(self, found: list[tuple[int, float]]) -> list[Hit]:
        """Read the found passages' text; one removed meanwhile by another process is skipped."""
        if not found:
            return []
        rows = {
            row[0]: row
            for row in self._db.execute(
                "SELECT id, report_id, section, text, kind FROM passages"
                " WHERE id IN (SELECT value FROM json_each(?))",
                [json.dumps([passage_id for passage_id, _ in found])],
            )
        }
        return [
            Hit(passage_id=pid, report_id=rows[pid][1], section=rows[pid][2], text=rows[pid][3], score=score,
                kind=rows[pid][4])
            for pid, score in found
            if pid in rows
        ]


_RELEASE_EVERY = 4 << 20  # postings copied from a kept file's mapping between two releases of its pages


def _release_mapped(arrays: Sequence[np.ndarray], upto: int) -> None:
    """Give the kernel back the pages of memory-mapped arrays (a kept index file) before item
    ``upto``: a fold reads them once, front to back, and while mapped they stayed in the process
    beside the new arrays (+170 MB at 50,000 reports). They are read again from the file if
    touched. Arrays in memory are left alone."""
    for array in arrays:
        mapping = getattr(array, "_mmap", None)
        if mapping is None:
            continue
        base = np.frombuffer(mapping, dtype=np.uint8).ctypes.data
        end = (array.ctypes.data - base + upto * array.itemsize) // mmap.PAGESIZE * mmap.PAGESIZE
        if end > 0:
            mapping.madvise(mmap.MADV_DONTNEED, 0, min(end, len(mapping)))


def _invert_tokens(blobs: Sequence[bytes], lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Turn each row's term ids into postings: (term, row, tf) sorted by term, then row."""
    rows = len(lengths)
    # One int64 key per token, term·rows + row, sorted in place: equal keys are one posting,
    # and the run length is its tf. In place, as 200k passages make 8M keys (docs/search.md).
    keys = np.frombuffer(b"".join(blobs), dtype="<i4").astype(np.int64)
    keys *= rows
    keys += np.repeat(np.arange(rows, dtype=np.int32), lengths)  # int32: half the memory of the peak
    keys.sort()
    first = np.ones(len(keys), dtype=bool)
    np.not_equal(keys[1:], keys[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    # uint16: a quarter of the postings' memory; a passage repeating one word 65,535 times is clipped there.
    tfs = np.minimum(np.diff(np.append(starts, len(keys))), np.iinfo(np.uint16).max).astype(np.uint16)
    keys = keys[starts]
    terms = keys // max(rows, 1)
    return terms, (keys - terms * rows).astype(np.int32), tfs


def _group_rows(report_ids: np.ndarray) -> dict[int, np.ndarray]:
    """Map each report to its rows; rows of one report are contiguous (loaded in report order)."""
    if not len(report_ids):
        return {}
    starts = np.flatnonzero(np.diff(report_ids)) + 1
    bounds = zip(np.concatenate([[0], starts]).tolist(), np.concatenate([starts, [len(report_ids)]]).tolist())
    return {int(report_ids[start]): np.arange(start, end) for start, end in bounds}


def _top(passage_ids: np.ndarray, scores: np.ndarray, limit: int) -> list[tuple[int, float]]:
    """The best positive-scored passages with their scores, ties broken by passage id so results are stable."""
    keep = scores > 0
    passage_ids, scores = passage_ids[keep], scores[keep]
    if len(scores) > limit:
        kth = np.partition(scores, len(scores) - limit)[len(scores) - limit]
        keep = scores >= kth
        passage_ids, scores = passage_ids[keep], scores[keep]
    order = np.lexsort((passage_ids, -scores))[:limit]
    return list(zip(passage_ids[order].tolist(), scores[order].tolist()))


def _snapshot_file(db: sqlite_utils.Database) -> Path | None:
    """Where the kept index of a store lives: beside its file; None for a store in memory."""
    main = next((row for row in db.execute("PRAGMA database_list").fetchall() if row[1] == "main"), None)
    return Path(main[2] + "-search") if main and main[2] else None
