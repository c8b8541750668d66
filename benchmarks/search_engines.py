"""Passage search engines compared on the same passages: in-house BM25+, FTS5, bm25s, tantivy.

    python -m benchmarks.search_engines prepare --reports 50000      # corpus cache, once
    python -m benchmarks.search_engines run --reports 1000 10000 [--engines ...] [--write-docs]

``prepare`` writes synthetic reports (benchmarks/synthetic.py), parses them (index/parser.py)
and segments each passage with index/tokenizer.py, as a load does, into a corpus database under
benchmarks/out/ (reports and passages with their space-joined tokens). Reports come in the
generator's order, so the first N reports of a larger corpus are the corpus of N.

``run`` measures each engine at each size in fresh processes, one for building and one for
serving, so each process's peak memory (ru_maxrss) is that engine's alone:

- build: the first N - HELD reports' passages into the engine's persistent index;
- serve: open the index; a retrieval mix unrestricted and restricted to one report (time =
  tokenizing the question + the engine's top 5 + reading the 5 passages' text); then HELD
  reports added and HELD removed one at a time, each committed; then a second process adds a
  report and this one is timed until its next search sees it.

Engines: ``inhouse`` (index/search.py PassageIndex, public API only), ``fts5`` (SQLite FTS5,
external content over ``passages.tokens``, kept by triggers in the store's own transaction),
``bm25s`` (BM25+ over a sparse matrix, saved and memory-mapped), ``tantivy`` (on-disk index,
whitespace tokenizer over the pre-segmented tokens; over every report prose only, as in-house).
Scores differ: in-house and bm25s are BM25+ (δ 1), FTS5 and tantivy Okapi BM25; the agreement of
each engine's first hit with the in-house one is reported.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

from benchmarks import OUT_DIR, machine

ENGINES = ("inhouse", "fts5", "bm25s", "tantivy")
HELD = 20  # reports kept out of the build, then added one at a time (and as many removed)
LIMIT = 5
_RESTRICTED = ("{a}政务公开存在哪些问题？", "{a}公众号推送了多少条信息", "{a}的政策解读工作做得怎么样？",
               "{a}{y}年如何加强政务新媒体管理？")
_UNRESTRICTED = ("哪些地方提到了政务新媒体监管？", "政府网站集约化建设进展如何？", "哪里开展了政务开放日活动？",
                 "依申请公开工作存在哪些不足？", "政府信息公开工作年度报告", "12345热线办理了多少件",
                 "行政复议被纠正的情况", "政务公开培训开展了几次", "公众号推送信息", "主动公开政府信息情况")
CORPUS_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS reports (id INTEGER PRIMARY KEY, body TEXT, region TEXT, level TEXT, year INTEGER)",
    "CREATE TABLE IF NOT EXISTS passages (id INTEGER PRIMARY KEY, report_id INTEGER NOT NULL, section TEXT,"
    " text TEXT, kind TEXT, tokens TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS passages_report ON passages(report_id)",
)


# ---------------------------------------------------------------- corpus

def corpus_path(seed: int) -> Path:
    return OUT_DIR / f"search-corpus-seed{seed}.db"


def _prepare_one(path: str) -> tuple[tuple, list[tuple]]:
    """Parse one synthetic report and segment its passages as index/ingest.py does."""
    from index import tokenizer
    from index.lexicon import load_lexicon
    from index.parser import parse_report
    from index.readers import read_document

    report = parse_report(read_document(Path(path)), load_lexicon())
    tokenizer.add_words([report.body, report.region])
    sections = {s: tokenizer.tokenize(s) for s in {p.section for p in report.passages}}
    passages = [(p.section, p.text, p.kind, " ".join(sections[p.section] + tokenizer.tokenize(p.text)))
                for p in report.passages]
    return (report.body, report.region, report.level, report.year), passages


def prepare(count: int, seed: int, workers: int) -> None:
    """Write the corpus database of ``count`` reports (resumes where a previous run stopped)."""
    from benchmarks.synthetic import generate
    from index import tokenizer

    folder = OUT_DIR / f"search-reports-seed{seed}"
    db = corpus_path(seed)
    db.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    made = sorted(folder.glob("*.txt")) if folder.exists() else []
    if len(made) < count:
        made = [s.path for s in generate(folder, count, seed=seed)]
        print(f"generated {count} files in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    made = made[:count]
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode = WAL")  # measurements read it while it grows
    for statement in CORPUS_SCHEMA:
        conn.execute(statement)
    done = conn.execute("SELECT count(*) FROM reports").fetchone()[0]
    tokenizer.warm_up()  # loaded once, inherited by the forked workers
    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        for number, (report, passages) in enumerate(
                pool.imap(_prepare_one, [str(p) for p in made[done:]], chunksize=8), start=done + 1):
            conn.execute("INSERT INTO reports VALUES (?, ?, ?, ?, ?)", (number, *report))
            conn.executemany("INSERT INTO passages (report_id, section, text, kind, tokens) VALUES (?, ?, ?, ?, ?)",
                             [(number, *p) for p in passages])
            if number % 100 == 0:
                conn.commit()
            if number % 500 == 0:
                rate = (number - done) / (time.perf_counter() - started)
                print(f"  {number}/{count} prepared, {rate:.1f} reports/s", file=sys.stderr, flush=True)
    conn.commit()
    conn.close()


def _copy_prefix(corpus: Path, target: Path, reports: int) -> None:
    """A store holding the corpus's first ``reports`` reports (passages keep their ids)."""
    target.unlink(missing_ok=True)
    for suffix in ("-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    with closing(sqlite3.connect(target)) as conn:
        conn.execute("PRAGMA journal_mode = WAL")
        for statement in CORPUS_SCHEMA:
            conn.execute(statement)
        conn.execute("ATTACH ? AS corpus", (str(corpus),))
        conn.execute("INSERT INTO reports SELECT * FROM corpus.reports WHERE id <= ?", (reports,))
        conn.execute("INSERT INTO passages SELECT * FROM corpus.passages WHERE report_id <= ?", (reports,))
        conn.commit()
        conn.execute("DETACH corpus")


# ---------------------------------------------------------------- engines

class Engine:
    """One engine's index over the store ``db`` (passages with tokens), kept in ``folder``."""

    def __init__(self, db: Path, folder: Path) -> None:
        self.db, self.folder = db, folder
        self.conn = sqlite3.connect(db, isolation_level=None, timeout=30)
        self.conn.execute("PRAGMA synchronous = NORMAL")

    def build(self) -> None: ...
    def open(self) -> None: ...
    def search(self, tokens: list[str], report_id: int | None) -> list[int]: ...
    def add(self, report_id: int, passages: list[tuple]) -> None: ...
    def remove(self, report_id: int) -> None: ...
    def refresh(self) -> str: ...

    def insert_passages(self, report_id: int, passages: list[tuple]) -> None:
        self.conn.executemany("INSERT INTO passages (id, report_id, section, text, kind, tokens) VALUES (?, ?, ?, ?, ?, ?)",
                              [(p[0], report_id, *p[1:]) for p in passages])

    def texts(self, ids: list[int]) -> list[str]:
        rows = dict(self.conn.execute("SELECT id, text FROM passages WHERE id IN (SELECT value FROM json_each(?))",
                                      (json.dumps(ids),)).fetchall())
        return [rows[i] for i in ids if i in rows]


class InHouse(Engine):
    def _index(self):
        import sqlite_utils

        from index.search import PassageIndex

        self.sdb = sqlite_utils.Database(self.conn)
        return PassageIndex(self.sdb)

    def build(self) -> None:
        index = self._index()
        index.load()  # the passages' term ids stored and inverted, as `reportbot migrate` does
        index.close()

    def open(self) -> None:
        self.index = self._index()
        self.version = self.conn.execute("PRAGMA data_version").fetchone()[0]

    def search_text(self, question: str, report_id: int | None) -> list[int]:
        hits = self.index.search(question, report_ids=None if report_id is None else [report_id], limit=LIMIT)
        return [h.passage_id for h in hits]  # text already read by the index

    def add(self, report_id: int, passages: list[tuple]) -> None:
        self.conn.execute("BEGIN IMMEDIATE")
        self.insert_passages(report_id, passages)
        self.index.add_report(report_id)  # a savepoint inside this transaction
        self.conn.execute("COMMIT")

    def remove(self, report_id: int) -> None:
        self.conn.execute("BEGIN IMMEDIATE")
        self.conn.execute("DELETE FROM passages WHERE report_id = ?", (report_id,))
        self.index.remove_report(report_id)
        self.conn.execute("COMMIT")

    def refresh(self) -> str:
        # What bot/engine.py does when data_version moved: take the reports another process added.
        version = self.conn.execute("PRAGMA data_version").fetchone()[0]
        if version != self.version:
            self.version = version
            known = set(self.index._report_rows)  # read-only peek: which reports this index holds
            stored = {r for (r,) in self.conn.execute("SELECT DISTINCT report_id FROM passage_terms")}
            self.index.take(sorted(stored - known))
            for gone in known - stored:
                self.index.forget(gone)
        return "data_version check; take() the new reports' stored term ids (no inversion)"


class Fts5(Engine):
    def build(self) -> None:
        from index.fulltext import ensure_fulltext

        ensure_fulltext(self.conn)

    def open(self) -> None:
        self.conn.execute("SELECT count(*) FROM passages_fts WHERE passages_fts MATCH '\"x\"'").fetchone()

    def search(self, tokens: list[str], report_id: int | None) -> list[int]:
        if not tokens:
            return []
        match = " OR ".join('"' + t.replace('"', '""') + '"' for t in tokens)
        if report_id is None:
            sql, args = "SELECT rowid FROM passages_fts WHERE passages_fts MATCH ? ORDER BY rank LIMIT ?", (match, LIMIT)
        else:
            # A report's passages are one id range: FTS5 takes rowid ranges into the doclist walk.
            low, high = self.conn.execute("SELECT min(id), max(id) FROM passages WHERE report_id = ?",
                                          (report_id,)).fetchone()
            if low is None:
                return []
            sql = ("SELECT rowid FROM passages_fts WHERE passages_fts MATCH ? AND rowid BETWEEN ? AND ?"
                   " ORDER BY rank LIMIT ?")
            args = (match, low, high, LIMIT)
        return [r for (r,) in self.conn.execute(sql, args)]

    def add(self, report_id: int, passages: list[tuple]) -> None:
        self.conn.execute("BEGIN IMMEDIATE")
        self.insert_passages(report_id, passages)  # the trigger indexes them in this transaction
        self.conn.execute("COMMIT")

    def remove(self, report_id: int) -> None:
        self.conn.execute("BEGIN IMMEDIATE")
        self.conn.execute("DELETE FROM passages WHERE report_id = ?", (report_id,))
        self.conn.execute("COMMIT")

    def refresh(self) -> str:
        return "nothing: the next query reads the committed index"


class Bm25s(Engine):
    def build(self) -> None:
        import bm25s

        ids, corpus = [], []
        for passage_id, tokens in self.conn.execute("SELECT id, tokens FROM passages ORDER BY id"):
            ids.append(passage_id)
            corpus.append(tokens.split())
        retriever = bm25s.BM25(method="bm25+", k1=1.2, b=0.75, delta=1.0)
        retriever.index(corpus, show_progress=False)
        del corpus
        shutil.rmtree(self.folder, ignore_errors=True)
        retriever.save(str(self.folder))
        import numpy as np

        np.save(self.folder / "passage_ids.npy", np.array(ids, dtype=np.int64))

    def open(self) -> None:
        import bm25s
        import numpy as np

        self.retriever = bm25s.BM25.load(str(self.folder), mmap=True)
        self.ids = np.load(self.folder / "passage_ids.npy")
        self.vocab = self.retriever.vocab_dict

    def search(self, tokens: list[str], report_id: int | None) -> list[int]:
        import numpy as np

        term_ids = [self.vocab[t] for t in dict.fromkeys(tokens) if t in self.vocab]
        if not term_ids:
            return []
        scores = self.retriever.get_scores(term_ids)  # every passage, from the query terms' columns
        if report_id is not None:
            low, high = self.conn.execute("SELECT min(id), max(id) FROM passages WHERE report_id = ?",
                                          (report_id,)).fetchone()
            if low is None:
                return []
            rows = np.flatnonzero((self.ids >= low) & (self.ids <= high))
            sub = scores[rows]
            order = np.argsort(-sub, kind="stable")[:LIMIT]
            return [int(self.ids[rows[i]]) for i in order if sub[i] > 0]
        # Ties (synthetic reports repeat passages) go to the lower passage id, as in-house.
        top = np.flatnonzero(scores > 0)
        if len(top) > LIMIT:
            kth = np.partition(scores[top], len(top) - LIMIT)[len(top) - LIMIT]
            top = top[scores[top] >= kth]
        top = top[np.lexsort((self.ids[top], -scores[top]))][:LIMIT]
        return [int(self.ids[i]) for i in top]

    def add(self, report_id: int, passages: list[tuple]) -> None:
        raise NotImplementedError("bm25s has no incremental add: the index is rebuilt")

    remove = add

    def refresh(self) -> str:
        return "rebuild and reload the whole index (no incremental update)"


class Tantivy(Engine):
    def _schema(self):
        import tantivy

        builder = tantivy.SchemaBuilder()
        builder.add_text_field("tokens", stored=False, tokenizer_name="whitespace", index_option="freq")
        builder.add_integer_field("passage_id", stored=True, indexed=True, fast=True)
        builder.add_integer_field("report_id", stored=False, indexed=True, fast=True)
        # 1 for prose: a question over every report searches prose only, as the in-house index does
        builder.add_integer_field("prose", stored=False, indexed=True)
        return builder.build()

    def build(self) -> None:
        import tantivy

        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        index = tantivy.Index(self._schema(), path=str(self.folder))
        writer = index.writer(heap_size=128_000_000, num_threads=1)
        for passage_id, report_id, tokens, prose in self.conn.execute(
                "SELECT id, report_id, tokens, kind != 'table' FROM passages ORDER BY id"):
            writer.add_document(tantivy.Document(passage_id=passage_id, report_id=report_id, tokens=tokens, prose=prose))
        writer.commit()
        writer.wait_merging_threads()

    def open(self) -> None:
        import tantivy

        self.tantivy = tantivy
        self.index = tantivy.Index.open(str(self.folder))
        self.schema = self.index.schema
        self.searcher = self.index.searcher()
        self.writer = None

    def _writer(self):
        if self.writer is None:
            self.writer = self.index.writer(heap_size=50_000_000, num_threads=1)
        return self.writer

    def search(self, tokens: list[str], report_id: int | None) -> list[int]:
        t = self.tantivy
        terms = [(t.Occur.Should, t.Query.term_query(self.schema, "tokens", w)) for w in dict.fromkeys(tokens)]
        if not terms:
            return []
        query = t.Query.boolean_query(terms)
        scope = ("report_id", report_id) if report_id is not None else ("prose", 1)
        query = t.Query.boolean_query([(t.Occur.Must, query), (t.Occur.Must, t.Query.term_query(self.schema, *scope))])
        found = self.searcher.search(query, LIMIT).hits
        return [self.searcher.doc(address)["passage_id"][0] for _score, address in found]

    def add(self, report_id: int, passages: list[tuple]) -> None:
        # The store's rows and the index commit separately: two transactions, not one.
        self.conn.execute("BEGIN IMMEDIATE")
        self.insert_passages(report_id, passages)
        self.conn.execute("COMMIT")
        writer = self._writer()
        for p in passages:
            writer.add_document(self.tantivy.Document(passage_id=p[0], report_id=report_id, tokens=p[4],
                                                      prose=int(p[3] != "table")))
        writer.commit()
        self.index.reload()
        self.searcher = self.index.searcher()

    def remove(self, report_id: int) -> None:
        self.conn.execute("BEGIN IMMEDIATE")
        self.conn.execute("DELETE FROM passages WHERE report_id = ?", (report_id,))
        self.conn.execute("COMMIT")
        writer = self._writer()
        writer.delete_documents_by_term("report_id", report_id)
        writer.commit()
        self.index.reload()
        self.searcher = self.index.searcher()

    def close_writer(self) -> None:
        if self.writer is not None:
            self.writer.wait_merging_threads()
            self.writer = None

    def refresh(self) -> str:
        self.index.reload()
        self.searcher = self.index.searcher()
        return "index.reload() + a new searcher (segments are memory-mapped files)"


CLASSES = {"inhouse": InHouse, "fts5": Fts5, "bm25s": Bm25s, "tantivy": Tantivy}


# ---------------------------------------------------------------- fresh-process phases

def _rss_now_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _peak_mb() -> float:
    """This process's peak RSS (VmHWM), not ru_maxrss.

    On Linux ru_maxrss survives execve: a child started by subprocess (vfork + exec) reports its
    parent's peak if that was higher (a 600 MB parent made a 10 MB child report 611 MB).
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _mix(db: Path, seed: int, count: int) -> list[dict]:
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        rows = conn.execute("SELECT id, body, region, level, year FROM reports ORDER BY id").fetchall()
    rng = random.Random(seed)
    mix = []
    for i in range(count):
        if i % 2:
            mix.append({"text": _UNRESTRICTED[i // 2 % len(_UNRESTRICTED)], "report": None, "shared": []})
        else:
            rid, body, region, level, year = rng.choice(rows)
            place = body if level == "department" else region
            mix.append({"text": _RESTRICTED[i // 2 % len(_RESTRICTED)].format(a=place, y=year), "report": rid,
                        "region": region, "year": year})
    return mix


def child_build(engine: str, db: Path, folder: Path) -> dict:
    started = time.perf_counter()
    from index import tokenizer  # noqa: F401  (the same imports for every engine)

    imported = time.perf_counter()
    e = CLASSES[engine](db, folder)
    e.build()
    built = time.perf_counter()
    size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) if folder.exists() else 0
    return {"import_s": imported - started, "build_s": built - imported, "peak_mb": _peak_mb(),
            "folder_mb": size / 1024 ** 2}


def child_serve(engine: str, db: Path, folder: Path, corpus: Path, size: int, seed: int) -> dict:
    from index import tokenizer

    tokenizer.warm_up()
    base_mb = _rss_now_mb()
    e = CLASSES[engine](db, folder)
    started = time.perf_counter()
    e.open()
    open_s = time.perf_counter() - started
    mix = _mix(db, seed, 200)
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        tokenizer.add_words(n for row in conn.execute("SELECT body, region FROM reports") for n in row)
    timings, firsts = [], []
    for q in mix:
        t, cpu = time.perf_counter(), time.process_time()
        if engine == "inhouse":
            ids = e.search_text(q["text"], q["report"])
        else:
            tokens = tokenizer.tokenize(q["text"])
            if q["report"] is not None:  # as the in-house index does: drop the words the report's place and year give
                shared = set(tokenizer.tokenize(q["region"])) | {str(q["year"])}
                tokens = [w for w in tokens if w not in shared]
            ids = e.search(tokens, q["report"])
            e.texts(ids)
        timings.append({"ms": (time.perf_counter() - t) * 1000, "cpu_ms": (time.process_time() - cpu) * 1000,
                        "restricted": q["report"] is not None})
        firsts.append(ids[:1])
    result = {"open_s": open_s, "rss_jieba_mb": base_mb, "rss_after_queries_mb": _rss_now_mb(),
              "timings": timings, "firsts": firsts}
    # Incremental: the HELD reports kept out of the build, added one at a time; then removed.
    with closing(sqlite3.connect(f"file:{corpus}?mode=ro", uri=True)) as conn:
        held = {rid: conn.execute("SELECT id, section, text, kind, tokens FROM passages WHERE report_id = ? ORDER BY id",
                                  (rid,)).fetchall() for rid in range(size - HELD + 1, size + 1)}
    if engine == "bm25s":
        result["add_ms"] = result["remove_ms"] = None
    else:
        adds = []
        for rid, passages in held.items():
            t = time.perf_counter()
            e.add(rid, passages)
            adds.append((time.perf_counter() - t) * 1000)
        removes = []
        for rid in list(held)[: HELD // 2]:
            t = time.perf_counter()
            e.remove(rid)
            removes.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        e.search(["政务", "公开"], None) if engine != "inhouse" else e.search_text("政务公开", None)
        result["search_after_changes_ms"] = (time.perf_counter() - t) * 1000
        if engine == "tantivy":
            e.close_writer()
        result["add_ms"], result["remove_ms"] = statistics.median(adds), statistics.median(removes)
        # A second process adds back one removed report; how long until this one's search sees it?
        rid = list(held)[0]
        subprocess.run([sys.executable, "-m", "benchmarks.search_engines", "child-add", "--engine", engine,
                        "--db", str(db), "--folder", str(folder), "--corpus", str(corpus), "--report", str(rid)],
                       check=True, cwd=Path(__file__).resolve().parent.parent)
        t = time.perf_counter()
        how = e.refresh()
        seen = e.search_text("政务公开", rid) if engine == "inhouse" else e.search(["政务", "公开"], rid)
        result["visible_ms"] = (time.perf_counter() - t) * 1000
        result["visible"] = bool(seen)
        result["refresh"] = how
    result["peak_mb"] = _peak_mb()
    return result


def child_add(engine: str, db: Path, folder: Path, corpus: Path, report_id: int) -> None:
    e = CLASSES[engine](db, folder)
    e.open()
    with closing(sqlite3.connect(f"file:{corpus}?mode=ro", uri=True)) as conn:
        passages = conn.execute("SELECT id, section, text, kind, tokens FROM passages WHERE report_id = ? ORDER BY id",
                                (report_id,)).fetchall()
    e.add(report_id, passages)
    if engine == "tantivy":
        e.close_writer()


# ---------------------------------------------------------------- driver

def _child(*args: str) -> dict:
    done = subprocess.run([sys.executable, "-m", "benchmarks.search_engines", *args], check=True,
                          stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parent.parent)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _pct(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def run(sizes: list[int], engines: list[str], seed: int) -> list[dict]:
    corpus = corpus_path(seed)
    with closing(sqlite3.connect(f"file:{corpus}?mode=ro", uri=True)) as conn:
        available = conn.execute("SELECT count(*) FROM reports").fetchone()[0]
    results = []
    for size in sizes:
        if size > available:
            print(f"corpus has {available} reports, not {size}: run prepare first", file=sys.stderr)
            continue
        for engine in engines:
            work = OUT_DIR / f"search-{engine}-{size}"
            shutil.rmtree(work, ignore_errors=True)
            work.mkdir(parents=True)
            db = work / "store.db"
            _copy_prefix(corpus, db, size - HELD)
            paths = ["--engine", engine, "--db", str(db), "--folder", str(work / "index")]
            print(f"{engine} at {size}: building…", file=sys.stderr, flush=True)
            build = _child("child-build", *paths)
            db_mb = sum(p.stat().st_size for p in work.glob("store.db*")) / 1024 ** 2
            print(f"{engine} at {size}: built in {build['build_s']:.1f} s, serving…", file=sys.stderr, flush=True)
            serve = _child("child-serve", *paths, "--corpus", str(corpus), "--size", str(size), "--seed", str(seed))
            results.append({"engine": engine, "size": size, "build": build, "serve": serve, "db_mb": db_mb,
                            "load": os.getloadavg()[0]})
            print(json.dumps(summary(results[-1]), ensure_ascii=False), file=sys.stderr, flush=True)
    return results


def summary(r: dict) -> dict:
    s = r["serve"]
    ms = lambda restricted, key="ms": [t[key] for t in s["timings"] if t["restricted"] == restricted]  # noqa: E731
    return {"engine": r["engine"], "size": r["size"], "build_s": round(r["build"]["build_s"], 2),
            "build_peak_mb": round(r["build"]["peak_mb"]), "index_mb": round(r["build"]["folder_mb"] + r["db_mb"]),
            "open_s": round(s["open_s"], 3), "p50_all": round(statistics.median(ms(False)), 1),
            "p95_all": round(_pct(ms(False), 0.95), 1), "p50_one": round(statistics.median(ms(True)), 1),
            "p95_one": round(_pct(ms(True), 0.95), 1),
            "cpu_p50_all": round(statistics.median(ms(False, "cpu_ms")), 1), "cpu_p95_all": round(_pct(ms(False, "cpu_ms"), 0.95), 1),
            "cpu_p50_one": round(statistics.median(ms(True, "cpu_ms")), 1), "cpu_p95_one": round(_pct(ms(True, "cpu_ms"), 0.95), 1),
            "serve_peak_mb": round(s["peak_mb"]),
            "rss_jieba_mb": round(s["rss_jieba_mb"]), "add_ms": s.get("add_ms") and round(s["add_ms"], 1),
            "remove_ms": s.get("remove_ms") and round(s["remove_ms"], 1),
            "visible_ms": s.get("visible_ms") and round(s["visible_ms"], 1), "visible": s.get("visible"),
            "load": round(r["load"], 1)}


def report(results: list[dict], command: str) -> str:
    lines = [f"Command: `{command}`  ", f"Machine: {machine()}; load average during runs "
             f"{min(r['load'] for r in results):.0f}–{max(r['load'] for r in results):.0f} (shared)", "",
             "| reports | engine | build s | build peak MB | index + store MB | open s | all: p50 / p95 ms "
             "| one report: p50 / p95 ms | CPU ms all: p50 / p95 | CPU ms one: p50 / p95 | serve peak MB | add ms | remove ms | 2nd process sees an add | first hit = in-house |",
             "|---:|---|---:|---:|---:|---:|---|---|---|---|---:|---:|---:|---|---:|"]
    inhouse = {r["size"]: r["serve"]["firsts"] for r in results if r["engine"] == "inhouse"}
    for r in results:
        x = summary(r)
        agree = ""
        if r["size"] in inhouse:
            pairs = list(zip(inhouse[r["size"]], r["serve"]["firsts"]))
            agree = f"{sum(a == b for a, b in pairs) / len(pairs):.0%}"
        seen = ("rebuild" if x["visible_ms"] is None else
                f"{x['visible_ms']:.1f} ms" + ("" if x["visible"] else " (not seen)"))
        dash = lambda v: "—" if v is None else f"{v:.1f}"  # noqa: E731
        lines.append(f"| {x['size']} | {x['engine']} | {x['build_s']:.1f} | {x['build_peak_mb']} | {x['index_mb']} | "
                     f"{x['open_s']:.2f} | {x['p50_all']} / {x['p95_all']} | {x['p50_one']} / {x['p95_one']} | "
                     f"{x['cpu_p50_all']} / {x['cpu_p95_all']} | {x['cpu_p50_one']} / {x['cpu_p95_one']} | "
                     f"{x['serve_peak_mb']} | {dash(x['add_ms'])} | {dash(x['remove_ms'])} | {seen} | {agree} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.search_engines", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("prepare", "run", "child-build", "child-serve", "child-add"))
    parser.add_argument("--reports", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--engines", nargs="+", choices=ENGINES, default=list(ENGINES))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    parser.add_argument("--engine", choices=ENGINES)
    parser.add_argument("--db", type=Path)
    parser.add_argument("--folder", type=Path)
    parser.add_argument("--corpus", type=Path)
    parser.add_argument("--size", type=int)
    parser.add_argument("--report", type=int)
    args = parser.parse_args(argv)
    if args.command == "prepare":
        prepare(max(args.reports), args.seed, args.workers)
    elif args.command == "child-build":
        print(json.dumps(child_build(args.engine, args.db, args.folder)))
    elif args.command == "child-serve":
        print(json.dumps(child_serve(args.engine, args.db, args.folder, args.corpus, args.size, args.seed)))
    elif args.command == "child-add":
        child_add(args.engine, args.db, args.folder, args.corpus, args.report)
    else:
        results = run(args.reports, args.engines, args.seed)
        if not results:
            return 1  # run() said why: no size the corpus holds
        if args.json:
            args.json.write_text(json.dumps(results), encoding="utf-8")
        print(report(results, "python -m benchmarks.search_engines " + " ".join(argv or sys.argv[1:])))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
