"""What the store's tables and columns are called for people: data/datasette/metadata.yml.

One file describes every table and view in Chinese and English. Datasette shows it as it is
(`reportbot datasette`); `reportbot export` takes its sheet names and column headers from it:
a title is "中文 · English", a column description "中文标签：解释 … English".
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from index.lexicon import DATA_DIR

METADATA_PATH = DATA_DIR / "datasette" / "metadata.yml"
DATABASE_KEY = "reports"  # the database's name in the file: Datasette names it after reports.db


@dataclass(frozen=True)
class TableInfo:
    """A table or view as people see it: its names, whether it is internal, its column labels."""

    name: str
    title: str
    description: str
    hidden: bool
    labels: dict[str, str]  # column → Chinese label, e.g. value → 数值

    @property
    def chinese_title(self) -> str:
        """The Chinese part of the title: 表格数字 of "表格数字 · Table cells"."""
        return self.title.split(" · ")[0].strip()


@lru_cache(maxsize=4)
def load_metadata(path: Path = METADATA_PATH) -> dict[str, Any]:
    """The metadata file as a dict (cached; treat it as read-only)."""
    import yaml  # here, not at import: the bot imports this module only to make CSV files safe

    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def metadata_for(database: str, path: Path = METADATA_PATH) -> dict[str, Any]:
    """The metadata with its one database named as Datasette will name this store's file."""
    metadata = dict(load_metadata(path))
    databases = metadata.get("databases", {})
    metadata["databases"] = {database: databases[DATABASE_KEY]} if DATABASE_KEY in databases else {}
    return metadata


def column_label(description: str) -> str:
    """The label of a column description: 数值 of "数值：单位见「单位」列 … The number"."""
    return description.split("：", 1)[0].strip()


def tables(path: Path = METADATA_PATH) -> dict[str, TableInfo]:
    """Every table and view the file describes, in its order."""
    described = load_metadata(path)["databases"][DATABASE_KEY]["tables"]
    return {
        name: TableInfo(name=name, title=entry.get("title", name), description=entry.get("description", ""),
                        hidden=bool(entry.get("hidden")),
                        labels={column: column_label(text) for column, text in (entry.get("columns") or {}).items()})
        for name, entry in described.items()
    }
