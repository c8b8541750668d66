"""Shared fixtures: the five bundled samples in a database, an engine over it, a fake Bot API."""
from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from bot.engine import Engine
from tests.auxil.fake_bot_api import FakeBotApi
from tests.auxil.reports import SAMPLES_DIR


@pytest.fixture(scope="session")
def samples_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Load the five samples once per session; tests use copies (see db_path)."""
    path = tmp_path_factory.mktemp("samples") / "reports.db"
    engine = Engine.open(path)
    try:
        for sample in sorted(SAMPLES_DIR.glob("*.txt")):
            engine.load(sample)
    finally:
        engine.close()
    return path


@pytest.fixture
def db_path(samples_db: Path, tmp_path: Path) -> Path:
    """A private copy of the samples database, which the test may change."""
    copy = tmp_path / "reports.db"
    with closing(sqlite3.connect(samples_db)) as source, closing(sqlite3.connect(copy)) as target:
        source.backup(target)
    return copy


@pytest.fixture
def engine(db_path: Path) -> Iterator[Engine]:
    """An open engine over a private copy of the samples."""
    opened = Engine.open(db_path)
    yield opened
    opened.close()


@pytest.fixture
def bot_api() -> Iterator[FakeBotApi]:
    """A fake Telegram Bot API on 127.0.0.1 for the bot under test to talk to."""
    with FakeBotApi() as fake:
        yield fake
