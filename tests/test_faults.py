"""Faults: kill -9 during a load, a loader killed under its workers, a full disk, a lying zip.

Each must leave the store consistent (integrity_check, every report whole, the search index
matching the passages) and say what happened: every report a killed load printed as loaded is
stored (and at most one more: the one committed as it was killed); a full disk or a lying file
gets a message and changes nothing.
The kills use a test-only hook (index/faults.py): REPORTBOT_FAULT_AT=point sends SIGKILL there.
"""
from __future__ import annotations

import io
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
import zlib
from contextlib import closing
from pathlib import Path

import pytest

from benchmarks.synthetic import Synthetic, generate
from bot.cli import main
from bot.engine import Engine
from index.archives import unpack_reports
from index.errors import StoreError, UnreadableFileError
from index.faults import ENV
from index.readers import read_bytes

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_REPORTS = 5


def reportbot(db: Path, *args: str, fault: str | None = None) -> subprocess.Popen:
    """Start `reportbot` on the store, with a fault point armed if given."""
    env = {key: value for key, value in os.environ.items() if key != ENV}
    if fault:
        env[ENV] = fault
    return subprocess.Popen([sys.executable, "-m", "bot.cli", "--db", str(db), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)


def consistent(db: Path) -> set[tuple[str, int]]:
    """Check the store is whole; return the (body, year) of its reports."""
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'reports'").fetchone():
            return set()
        assert conn.execute(
            "SELECT COUNT(*) FROM reports r WHERE r.cell_count != (SELECT COUNT(*) FROM cells c"
            " WHERE c.report_id = r.id AND c.derived = 0)"
            " OR r.finding_count != (SELECT COUNT(*) FROM findings f WHERE f.report_id = r.id)").fetchone() == (0,)
        assert conn.execute("SELECT COUNT(*) FROM reports r WHERE NOT EXISTS"
                            " (SELECT 1 FROM passages p WHERE p.report_id = r.id)").fetchone() == (0,)
        passages = conn.execute("SELECT COUNT(*) FROM passages").fetchone()[0]
        terms = ("passage_terms", "table_row_terms")  # prose, table rows
        indexed = sum(conn.execute(f"SELECT COUNT(*) FROM {t} JOIN passages p ON p.id = {t}.passage_id"
                                   f" AND p.report_id = {t}.report_id").fetchone()[0] for t in terms)
        assert sum(conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in terms) == indexed == passages
        return set(conn.execute("SELECT body, year FROM reports").fetchall())


def penalty_question(report: Synthetic) -> tuple[str, int]:
    return f"{report.body}{report.year}年行政处罚多少件？", int(report.values[("penalty.decisions", None)])


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> list[Synthetic]:
    return generate(tmp_path_factory.mktemp("faults"), 3, seed=21, broken_share=0)


# (fault point, start from the samples?, how many of the three new reports a killed load leaves)
KILLS = [
    ("migrate.applied", False, 0),  # a fresh store, inside its first migration
    ("save.begun", True, 0),  # inside the first report's transaction
    ("save.indexed", True, 0),  # everything written, not yet committed
    ("save.committed@2", True, 2),  # between the second and the third report
    ("snapshot.saving", True, 3),  # all committed; keeping the search index at close
]


def test_kill_9_anywhere_in_a_load_leaves_a_consistent_store(samples_db: Path, made: list[Synthetic],
                                                            tmp_path: Path) -> None:
    before = consistent(samples_db)
    files = [str(report.path) for report in made]
    runs = []
    for point, with_samples, _left in KILLS:
        db = tmp_path / point / "reports.db"
        db.parent.mkdir()
        if with_samples:  # the store and the search index kept beside it
            shutil.copy(samples_db, db)
            shutil.copy(f"{samples_db}-search", f"{db}-search")
        runs.append((db, reportbot(db, "load", *files, fault=point)))  # all at once: two cores
    for (point, with_samples, left), (db, process) in zip(KILLS, runs):
        out, _err = process.communicate(timeout=180)
        assert process.returncode == -signal.SIGKILL, (point, out, _err)
        stored = consistent(db)
        new = stored - before
        assert stored >= (before if with_samples else set()), point
        assert new == {(r.body, r.year) for r in made[:left]}, point
        # Every report the killed load printed as loaded is stored; at most the one it was
        # saving when killed is stored without its line (killed between commit and print).
        printed = sum(line.startswith("✓") for line in out.splitlines())
        assert printed <= left <= printed + 1, (point, out)
    # Every store takes the same load again and answers from it.
    for (point, _with_samples, _left), (db, _process) in zip(KILLS, runs):
        engine = Engine.open(db)
        try:
            outcomes = [outcome for _path, outcome in engine.load_many([r.path for r in made])]
            assert not [o for o in outcomes if isinstance(o, Exception)], point
            for report in made:
                question, value = penalty_question(report)
                assert [v.value for v in engine.ask(question).values] == [value], (point, question)
            hits = engine.index.search(f"{made[0].region}政务公开", report_ids=[outcomes[0].report_id])
            assert hits, point
        finally:
            engine.close()
        assert consistent(db) >= {(r.body, r.year) for r in made}


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.add(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_workers_die_with_a_loader_killed_by_kill_9(tmp_path: Path) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    for number in range(16):  # a batch: prepared in worker processes
        (folder / f"{number:02}.txt").write_text("报告", encoding="utf-8")
    loader = reportbot(tmp_path / "reports.db", "load", str(folder), fault="prepare.started:hang")
    deadline = time.monotonic() + 60
    workers: set[int] = set()
    while len(workers) < 2 and time.monotonic() < deadline:
        workers = {pid for pid in _children(loader.pid) if _alive(pid)}
        time.sleep(0.1)
    assert workers, "no worker processes started"
    time.sleep(0.5)  # let them reach the hanging fault point
    loader.send_signal(signal.SIGKILL)
    loader.communicate(timeout=30)
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in workers if _alive(pid)], "workers outlived their loader"


def test_a_full_disk_refuses_the_load_says_so_and_changes_nothing(db_path: Path, made: list[Synthetic]) -> None:
    before = consistent(db_path)
    engine = Engine.open(db_path)
    try:
        pages = engine.db.execute("PRAGMA page_count").fetchone()[0]
        engine.db.execute(f"PRAGMA max_page_count = {pages}")  # SQLite's own "disk full"
        with pytest.raises(StoreError, match="磁盘已满"):
            engine.load(made[0].path)
        failed = [outcome for _path, outcome in engine.load_many([made[1].path])]
        assert isinstance(failed[0], StoreError) and "磁盘已满" in str(failed[0])
        assert consistent(db_path) == before
        assert [v.value for v in engine.ask("伊春市行政处罚多少件").values] == [88300]  # still answers
        engine.db.execute("PRAGMA max_page_count = 1073741823")  # space again
        engine.load(made[0].path)
        question, value = penalty_question(made[0])
        assert [v.value for v in engine.ask(question).values] == [value]
    finally:
        engine.close()
    assert consistent(db_path) == before | {(made[0].body, made[0].year)}


def test_a_disk_filling_up_in_a_batch_keeps_exactly_the_reports_said_loaded(db_path: Path, tmp_path: Path) -> None:
    """A long load commits a few reports at a time (Engine.load_many): when the disk fills up part
    of the way, every report said loaded is stored whole and answered, every other says the disk is full."""
    many = generate(tmp_path / "many", 20, seed=22, broken_share=0)  # 16 or more: prepared by workers
    before = consistent(db_path)
    engine = Engine.open(db_path)
    try:
        pages = engine.db.execute("PRAGMA page_count").fetchone()[0]
        engine.db.execute(f"PRAGMA max_page_count = {pages + 80}")  # room for a few reports
        outcomes = [outcome for _path, outcome in engine.load_many([r.path for r in many])]
        loaded = {(o.body, o.year): r for r, o in zip(many, outcomes) if not isinstance(o, Exception)}
        failed = [o for o in outcomes if isinstance(o, Exception)]
        assert loaded and failed and all(isinstance(o, StoreError) and "磁盘已满" in str(o) for o in failed)
        for (body, year), report in loaded.items():
            value = report.values[("penalty.decisions", None)]
            assert [v.value for v in engine.ask(f"{body}{year}年行政处罚多少件？").values] == [value], body
        assert len(engine.catalog.bodies) == len({body for body, _ in before | set(loaded)})
    finally:
        engine.close()
    assert consistent(db_path) == before | set(loaded)


def test_the_cli_says_the_disk_is_full(db_path: Path, made: list[Synthetic], monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    import bot.engine

    real_open = bot.engine.open_store

    def full_store(*args, **kwargs):
        db = real_open(*args, **kwargs)
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        db.execute(f"PRAGMA max_page_count = {pages}")
        return db

    before = consistent(db_path)
    monkeypatch.setattr(bot.engine, "open_store", full_store)
    assert main(["--db", str(db_path), "load", str(made[2].path)]) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"✗ {made[2].path.name}: 磁盘已满") and "Traceback" not in out
    assert consistent(db_path) == before


def lying_zip(members: dict[str, bytes], liar: str, real_size: int, declared: int = 1000) -> bytes:
    """A zip whose member ``liar`` inflates to ``real_size`` bytes while both its headers say ``declared``."""
    compressor = zlib.compressobj(1, zlib.DEFLATED, -15)
    chunk = b"<w:t>x</w:t>" * 87_000  # ~1 MB of XML-like text
    pieces, crc = [], 0
    for _ in range(real_size // len(chunk)):
        pieces.append(compressor.compress(chunk))
        crc = zlib.crc32(chunk, crc)
    pieces.append(compressor.flush())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
        archive.writestr(zipfile.ZipInfo(liar), b"".join(pieces))  # stored as is: a raw deflate stream
    data = bytearray(buffer.getvalue())
    central = data.find(b"PK\x01\x02")
    while data[central + 46: central + 46 + len(liar)] != liar.encode():
        central = data.find(b"PK\x01\x02", central + 4)
    local = int.from_bytes(data[central + 42: central + 46], "little")
    # Mark it deflated, with the real data's CRC and a declared size far below the real one.
    for header, method in ((local, 8), (central, 10)):
        data[header + method: header + method + 2] = (8).to_bytes(2, "little")
        data[header + method + 6: header + method + 10] = crc.to_bytes(4, "little")
        data[header + method + 14: header + method + 18] = declared.to_bytes(4, "little")
    return bytes(data)


WORD_PARTS = {"[Content_Types].xml": b"<Types/>", "_rels/.rels": b"<Relationships/>"}


def peak_memory_mb(code: str) -> tuple[float, str]:
    """Run code in a fresh Python; return how far it raised the peak resident memory (MB) and what it printed.

    Measured from after the imports, so what other modules load at import does not count.
    """
    script = ("import resource\nfrom index.readers import read_bytes\nimport index.archives\n"
              "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n" + code +
              "\nprint((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024)")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    *said, peak = result.stdout.strip().splitlines()
    return float(peak), "\n".join(said)


def test_a_docx_whose_headers_lie_is_refused_within_a_bounded_memory(tmp_path: Path, db_path: Path) -> None:
    data = lying_zip(WORD_PARTS, "word/document.xml", real_size=400 * 1024 * 1024)
    assert len(data) < 5 * 1024 * 1024  # a small upload
    with pytest.raises(UnreadableFileError, match="Word 文件"):
        read_bytes(data, "报告.docx")
    path = tmp_path / "lying.docx"
    path.write_bytes(data)
    peak, said = peak_memory_mb(
        "from pathlib import Path\nfrom index.readers import read_bytes\nfrom index.errors import UnreadableFileError\n"
        f"try:\n    read_bytes(Path({str(path)!r}).read_bytes(), 'x.docx')\n"
        "except UnreadableFileError as error:\n    print(error)")
    assert "Word 文件" in said and peak < 300, (said, peak)  # 400 MB inflated by a naive reader
    before = consistent(db_path)
    engine = Engine(db_path)
    try:
        with pytest.raises(UnreadableFileError):
            engine.load(path)
    finally:
        engine.close()
    assert consistent(db_path) == before


def test_a_zip_whose_headers_lie_stops_at_the_cap(tmp_path: Path) -> None:
    data = lying_zip({"a.txt": "报告".encode()}, "b.txt", real_size=400 * 1024 * 1024)
    archive = tmp_path / "upload.zip"
    archive.write_bytes(data)
    with pytest.raises(UnreadableFileError, match="“b.txt”与压缩包记录的大小或校验值不符"):
        unpack_reports(archive, tmp_path / "out", max_total_bytes=100 * 1024 * 1024)
    assert sum(f.stat().st_size for f in (tmp_path / "out").rglob("*") if f.is_file()) <= 100 * 1024 * 1024
    peak, said = peak_memory_mb(
        "from pathlib import Path\nfrom index.archives import unpack_reports\n"
        "from index.errors import UnreadableFileError\n"
        f"try:\n    unpack_reports(Path({str(archive)!r}), Path({str(tmp_path / 'again')!r}), max_total_bytes=10**8)\n"
        "except UnreadableFileError as error:\n    print(error)")
    assert "不符" in said and peak < 300, (said, peak)
