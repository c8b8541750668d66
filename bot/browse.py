"""The store in Datasette: titled in Chinese and English, with a search that reads Chinese.

`reportbot datasette` serves the store with data/datasette/metadata.yml and this module as a
Datasette plugin (also registered as the `datasette` entry point, so plain `datasette reports.db
-m data/datasette/metadata.yml` gets it too when reportbot is installed). The plugin:

- builds the full-text index over the passages' jieba tokens (index/fulltext.py) at start-up;
- adds the SQL function `reportbot_match(text)` that turns words into an FTS5 query
  (the 全文搜索 canned query uses it);
- makes the table search box cut Chinese into words too: Datasette quotes what is typed as one
  phrase, and FTS5 cannot segment 存在问题 itself. Text without Chinese is quoted as Datasette does.

Datasette is an optional extra (`pip install -e ".[datasette]"`); nothing else imports this module.
"""
from __future__ import annotations

import logging
import re
import sqlite3
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from datasette import hookimpl
from datasette.utils import escape_fts

from index import tokenizer
from index.errors import ReportbotError
from index.fulltext import ensure_fulltext, match_query
from index.metadata import metadata_for
from index.store import open_store

if TYPE_CHECKING:
    from datasette.app import Datasette

log = logging.getLogger(__name__)

PLUGIN_NAME = "reportbot"
# Datasette's default of 1 s is short for a GROUP BY over every cell of a large store. Suggested
# facets run a query per column on every table page: 4.5 s on `cells` at 1,000 reports, 1.0 s
# without (docs/datasette.md); the facets worth having are named in the metadata.
SETTINGS = {"sql_time_limit_ms": 10_000, "facet_time_limit_ms": 500, "default_page_size": 50,
            "suggest_facets": False}
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_names_added: set[str] = set()  # store files whose place names jieba has been taught
_stores: set[str] = set()  # names of the databases served that are reportbot stores


def search_query(text: str | None) -> str:
    """What the table search box matches: Chinese cut into words, anything else as Datasette does."""
    text = text or ""
    return match_query(text) if _CJK.search(text) else escape_fts(text)


def prepare(db_path: Path) -> bool:
    """Bring the store's schema up to date and its full-text index in step; True if it was rebuilt."""
    open_store(db_path).close()  # migrates an older store, as any writer does
    conn = sqlite3.connect(str(db_path), timeout=30, isolation_level=None)
    try:
        return ensure_fulltext(conn)
    finally:
        conn.close()


def build_datasette(db_path: Path, *, settings: dict[str, Any] | None = None) -> Datasette:
    """A Datasette over the store with our metadata and plugin (the store is opened read-only)."""
    # Imported here: Datasette imports this module as a plugin while datasette.app is loading.
    from datasette.app import Datasette

    register_plugin()
    return Datasette([str(db_path)], metadata=metadata_for(Path(db_path).stem),
                     settings={**SETTINGS, **(settings or {})})


def serve(db_path: Path, *, host: str = "127.0.0.1", port: int = 8001) -> None:
    """Prepare the store and serve it until interrupted."""
    import uvicorn  # a Datasette dependency

    if not Path(db_path).is_file():
        raise ReportbotError(f"找不到数据库 {db_path}：先用 reportbot --db {db_path} load 文件或文件夹 载入报告。")
    try:
        if prepare(db_path):
            print(f"已建立全文索引（{db_path}）。", file=sys.stderr)
    except sqlite3.OperationalError as error:  # a read-only file: browse it without text search
        print(f"没能建立全文索引（{error}）：表格照常可看，全文搜索不可用。", file=sys.stderr)
    ds = build_datasette(db_path)
    print(f"Datasette：http://{host}:{port}/  （Ctrl+C 停止）", file=sys.stderr)
    uvicorn.run(ds.app(), host=host, port=port, log_level="warning")


def register_plugin() -> None:
    """Register this module with Datasette's plugin manager, once (the entry point may have)."""
    from datasette.plugins import pm

    if pm.get_plugin(PLUGIN_NAME) is None and not pm.is_registered(sys.modules[__name__]):
        pm.register(sys.modules[__name__], name=PLUGIN_NAME)


# -- Datasette hooks


@hookimpl(trylast=True)  # after Datasette's own prepare_connection, so our escape_fts is the one kept
def prepare_connection(conn: sqlite3.Connection, database: str) -> None:
    """Register reportbot_match and a Chinese-aware escape_fts; teach jieba the store's place names."""
    conn.create_function("reportbot_match", 1, lambda text: match_query(text or ""), deterministic=True)
    conn.create_function("escape_fts", 1, search_query, deterministic=True)
    try:
        names = conn.execute("SELECT DISTINCT body, region FROM reports").fetchall()
    except sqlite3.Error:  # not a reportbot store
        return
    key = next((row[2] for row in conn.execute("PRAGMA database_list") if row[1] == "main"), "") or database
    if key not in _names_added:
        tokenizer.add_words(name for row in names for name in row if name)
        _names_added.add(key)
    _stores.add(database)


@hookimpl
def render_cell(value: object, database: str) -> str | None:
    """Show a whole number as one (88300, not 88300.0), whatever the column's type stored."""
    if database in _stores and isinstance(value, float) and value.is_integer():
        return str(int(value))
    return None


@hookimpl
def startup(datasette: Datasette) -> None:
    """Build the full-text index of every reportbot store served, where the file can be written."""
    for name, database in datasette.databases.items():
        if not database.path or not _is_store(database.path):
            continue
        try:
            conn = sqlite3.connect(database.path, timeout=30, isolation_level=None)
            try:
                ensure_fulltext(conn)
            finally:
                conn.close()
        except sqlite3.Error as error:
            log.warning("reportbot: no full-text index for %s (%s)", name, error)


def _is_store(path: str) -> bool:
    """Tell whether a database file holds reportbot's passages table."""
    try:
        conn = sqlite3.connect(f"file:{quote(str(Path(path).resolve()))}?mode=ro", uri=True)
        try:
            columns = {row[1] for row in conn.execute("PRAGMA table_info(passages)")}
        finally:
            conn.close()
    except sqlite3.Error:
        return False
    return "tokens" in columns
