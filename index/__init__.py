"""Ingestion: read report files, parse them, check their sums, store and index them."""
import sys

# sqlite_utils imports pandas whenever it is installed (cnloc needs it), only to map
# pandas.Timestamp columns to TEXT, which the store never inserts. That import cost ~0.3 CPU s
# of every start (sqlite_utils 0.48-0.50 CPU s with it, 0.19 without; docs/benchmarks.md).
# Hidden while sqlite_utils imports; pandas stays importable for the code that needs it.
if "sqlite_utils" not in sys.modules and "pandas" not in sys.modules:
    sys.modules["pandas"] = None  # type: ignore[assignment]  # makes `import pandas` fail
    try:
        import sqlite_utils  # noqa: F401
    finally:
        del sys.modules["pandas"]
