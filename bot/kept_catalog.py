"""The catalog kept beside the store (``<store>-catalog``), so a start reads it instead of building it.

At 50,000 reports, reading every report and working out every body's names took 1.3–1.5 s of
each start; reading them back from this file takes about 0.4 s (docs/benchmarks.md, Start-up).
The file is a cache, used only while its stamp matches:

- the store's count of changes to the reports table (``store_state``, bumped by triggers on
  every insert, update and delete, whoever makes them), and
- a digest of what building depends on: this format, the code that groups and names bodies, the
  StoredReport fields and the lexicon. A new release or a changed lexicon never reads an old file.

The stamp is the file's first line, so a stale file costs one line to reject. The file is written
aside and renamed, so a reader sees the old file or the new one, never half of one. It holds the
reports (as the store lists them), the bodies and their names' index (bot/catalog.py NameIndex),
nothing else; it is read back with an unpickler that refuses every class but reports and bodies,
so a file that is not ours cannot run code.
"""
from __future__ import annotations

import hashlib
import os
import pickle
from dataclasses import fields, is_dataclass
from functools import lru_cache
from pathlib import Path

from bot import catalog as catalog_module
from bot.catalog import Body, Catalog, NameIndex
from index import lexicon as lexicon_module
from index.lexicon import Lexicon
from index.store import StoredReport

_MAGIC = b"reportbot-catalog 2 "
_ALLOWED = {("bot.catalog", "Body"): Body, ("index.store", "StoredReport"): StoredReport}


def kept_path(db_path: Path) -> Path:
    """Where a store's catalog is kept: beside it, named after it."""
    return db_path.with_name(db_path.name + "-catalog")


def stamp(report_changes: int, lexicon: Lexicon) -> bytes:
    """What a kept catalog must match: the store's count of report changes and the code's digest."""
    return f"{report_changes} {_code_digest(lexicon)}".encode()


@lru_cache(maxsize=4)
def _code_digest(lexicon: Lexicon) -> str:
    """The digest of what building a catalog depends on; the same for a process's whole life, so
    made once (a writer stamps at open and again at close)."""
    digest = hashlib.sha256()
    for module in (catalog_module, lexicon_module):
        digest.update(Path(module.__file__).read_bytes())
    digest.update(repr([f.name for f in fields(StoredReport)]).encode())
    digest.update(_canonical(lexicon).encode())
    return digest.hexdigest()


def _canonical(value: object) -> str:
    """A text of the value that is the same in every process: repr() lists a set's members in
    an order that changes with each process's string hashing."""
    if isinstance(value, (set, frozenset)):
        return "{" + ",".join(sorted(_canonical(v) for v in value)) + "}"
    if isinstance(value, dict):
        return "{" + ",".join(sorted(f"{_canonical(k)}:{_canonical(v)}" for k, v in value.items())) + "}"
    if isinstance(value, (tuple, list)):
        return "(" + ",".join(_canonical(v) for v in value) + ")"
    if is_dataclass(value) and not isinstance(value, type):
        return type(value).__name__ + _canonical({f.name: getattr(value, f.name) for f in fields(value)})
    return repr(value)


class _OnlyCatalogClasses(pickle.Unpickler):
    """An unpickler that builds reports and bodies and refuses any other class or function."""

    def find_class(self, module: str, name: str) -> type:
        try:
            return _ALLOWED[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(f"{module}.{name} is not part of a kept catalog") from None


def read(db_path: Path, expected: bytes, lexicon: Lexicon) -> tuple[list[StoredReport], Catalog] | None:
    """The kept reports and catalog, when the file's stamp is the expected one; else None."""
    try:
        with kept_path(db_path).open("rb") as handle:
            if handle.readline() != _MAGIC + expected + b"\n":
                return None
            reports, bodies, names, named, longest = _OnlyCatalogClasses(handle).load()
    except (OSError, EOFError, ValueError, TypeError, AttributeError, pickle.UnpicklingError):
        return None  # none, unreadable or not ours: the caller builds the catalog
    if not (isinstance(reports, list) and isinstance(bodies, tuple) and isinstance(names, list)
            and isinstance(named, list) and len(names) == len(named) and isinstance(longest, int)):
        return None
    return reports, Catalog.of_bodies(bodies, lexicon, NameIndex(names, named, longest))


def holds(db_path: Path, expected: bytes) -> bool:
    """Whether the kept catalog is the one for this stamp (reads its first line only)."""
    try:
        with kept_path(db_path).open("rb") as handle:
            return handle.readline() == _MAGIC + expected + b"\n"
    except OSError:
        return False


def write(db_path: Path, expected: bytes, reports: list[StoredReport], catalog: Catalog) -> bool:
    """Keep the reports and catalog under this stamp; False when the folder is not writable."""
    target = kept_path(db_path)
    partial = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    try:
        with partial.open("wb") as handle:
            handle.write(_MAGIC + expected + b"\n")
            names = catalog.names
            pickle.dump((reports, catalog.bodies, names.names, names.bodies, names.longest), handle, protocol=5)
        os.replace(partial, target)
        return True
    except OSError:
        partial.unlink(missing_ok=True)
        return False
