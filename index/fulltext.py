"""SQLite full-text search (FTS5) over the passages, for people who open the store in Datasette.

FTS5's own tokenizers cannot cut Chinese into words (unicode61 takes 政务公开存在问题 as one
token, trigram misses every two-character word), so the index is built on `passages.tokens`,
the jieba tokens stored at load (space-separated), and a query is cut by the same tokenizer
before it is matched: 存在问题 → "存在" "问题", every token required.

The table is external-content (`content="passages"`): it stores no text of its own. It is made
on demand (`reportbot datasette` calls `ensure_fulltext`), and triggers keep it in step with
every later load and removal, also by another process. The bot's own search (index/search.py,
BM25) does not use it.
"""
from __future__ import annotations

import sqlite3

from index.tokenizer import tokenize

FTS_TABLE = "passages_fts"

_CREATE = (
    # content="passages" in double quotes: how Datasette finds a table's full-text index.
    f'CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(tokens, content="passages", content_rowid="id")',
    # The external-content pattern of the FTS5 documentation (§4.4.3): an UPDATE is a delete
    # of the old row's tokens followed by an insert of the new ones.
    f"""CREATE TRIGGER passages_fts_insert AFTER INSERT ON passages BEGIN
        INSERT INTO {FTS_TABLE} (rowid, tokens) VALUES (new.id, new.tokens);
    END""",
    f"""CREATE TRIGGER passages_fts_delete AFTER DELETE ON passages BEGIN
        INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rowid, tokens) VALUES ('delete', old.id, old.tokens);
    END""",
    f"""CREATE TRIGGER passages_fts_update AFTER UPDATE ON passages BEGIN
        INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rowid, tokens) VALUES ('delete', old.id, old.tokens);
        INSERT INTO {FTS_TABLE} (rowid, tokens) VALUES (new.id, new.tokens);
    END""",
)
_TRIGGERS = ("passages_fts_insert", "passages_fts_delete", "passages_fts_update")


def ensure_fulltext(conn: sqlite3.Connection) -> bool:
    """Create the full-text index and its triggers if missing, rebuild it if out of step.

    Returns True when it (re)built the index. One write transaction; a store already in step
    is only read. (A migration that rebuilds `passages` drops the triggers: they come back here.)
    """
    if _in_step(conn):
        return False
    conn.execute("BEGIN IMMEDIATE")
    try:
        names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        if FTS_TABLE not in names:
            conn.execute(_CREATE[0])
        for name, statement in zip(_TRIGGERS, _CREATE[1:]):
            if name not in names:
                conn.execute(statement)
        conn.execute(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}) VALUES ('rebuild')")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return True


def _in_step(conn: sqlite3.Connection) -> bool:
    """Tell whether the index and all its triggers exist and index as many passages as there are."""
    names = {row[0] for row in conn.execute(
        "SELECT name FROM sqlite_master WHERE name = ? OR name IN (?, ?, ?)", (FTS_TABLE, *_TRIGGERS))}
    if names != {FTS_TABLE, *_TRIGGERS}:
        return False
    indexed = conn.execute(f"SELECT count(*) FROM {FTS_TABLE}_docsize").fetchone()[0]
    return indexed == conn.execute("SELECT count(*) FROM passages").fetchone()[0]


def match_query(text: str) -> str:
    """An FTS5 query for what a person typed: each token quoted, all required.

    政务公开存在哪些问题 → "政务" "公开" "政务公开" "存在" "问题"; FTS5 syntax typed by the
    person (OR, NEAR, *, quotes) is searched as text, never run. Nothing to search for gives
    '""', which matches nothing.
    """
    tokens = list(dict.fromkeys(tokenize(text)))
    if not tokens:
        return '""'
    return " ".join('"' + token.replace('"', '""') + '"' for token in tokens)
