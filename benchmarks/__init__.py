"""Benchmarks: synthetic reports (synthetic.py), load speed (ingest.py), answer latency (ask.py).

Results go to sections of docs/benchmarks.md; other sections of that file are left as they are.
"""
from __future__ import annotations

import os
import platform
import re
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
