"""Benchmarks: synthetic reports (synthetic.py), load speed (ingest.py), answer latency (ask.py).

Results go to sections of docs/benchmarks.md; other sections of that file are left as they are.
"""
from __future__ import annotations

import os
import platform
import re
import threading
from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
OUT_DIR = Path(__file__).resolve().parent / "out"  # cached databases; git-ignored


def machine() -> str:
    """One line on where a benchmark ran: cores, memory, CPU, Python and SQLite versions."""
    import sqlite3

    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f", {int(line.split()[1]) / 1024 ** 2:.0f} GB"
    except OSError:
        pass
    cpu = platform.processor() or platform.machine()
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return (f"{os.cpu_count()} cores{memory} ({cpu}), Python {platform.python_version()}, "
            f"SQLite {sqlite3.sqlite_version}, {platform.system()}")


def write_section(heading: str, text: str, path: Path = DOCS) -> None:
    """Put ``## heading`` with text into the document, replacing that section if it is there.

    The old section's ``###`` subsections (notes written by hand, such as the analysis of a run)
    are kept after the new text.
    """
    document = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    section = f"## {heading}\n\n{text.strip()}\n"
    pattern = re.compile(rf"^## {re.escape(heading)}\n.*?(?=^## |\Z)", re.M | re.S)
    old = pattern.search(document)
    if old:
        notes = re.findall(r"^### .*?(?=^### |\Z)", old.group(0), re.M | re.S)
        section += "".join("\n" + note.rstrip() + "\n" for note in notes)
        document = pattern.sub(lambda _: section + "\n", document, count=1).rstrip() + "\n"
    else:
        document = document.rstrip() + "\n\n" + section
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(document, encoding="utf-8")


class TreeMemory:
    """The peak memory of this process and its children together, sampled: PSS, so that pages a
    forked worker shares with its parent (jieba's dictionary) are counted once, not per process.

    Use as a context manager around a load; ``peak_mb`` is the largest sample.
    """

    def __init__(self, every_s: float = 0.2) -> None:
        self.peak_mb = 0.0
        self._every_s = every_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> "TreeMemory":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()

    def _watch(self) -> None:
        while not self._stop.wait(self._every_s):
            self._sample()

    def _sample(self) -> None:
        pids = [os.getpid(), *_descendants(os.getpid())]
        self.peak_mb = max(self.peak_mb, sum(_pss_kb(pid) for pid in pids) / 1024)


def _descendants(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            children = [int(c) for c in task.read_text().split()]
        except OSError:
            continue
        for child in children:
            found += [child, *_descendants(child)]
    return found


def _pss_kb(pid: int) -> int:
    """A process's proportional set size in kB (0 once it has exited)."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0
