"""Settings come from the environment and a .env file, and bad values stop with a clear line."""
from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import DEFAULT_BOT_API_URL, DEFAULT_BOT_FILE_URL, Settings, SettingsError
from index.errors import ReportbotError

VARIABLES = (
    "TELEGRAM_BOT_TOKEN",
    "REPORTBOT_ADMINS",
    "REPORTBOT_DB",
    "REPORTBOT_MAX_UPLOAD_MB",
    "REPORTBOT_QUESTIONS_PER_MINUTE",
    "REPORTBOT_BOT_API_URL",
    "REPORTBOT_BOT_FILE_URL",
    "REPORTBOT_WEBHOOK_URL",
    "REPORTBOT_WEBHOOK_LISTEN",
    "REPORTBOT_WEBHOOK_PORT",
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Run each test without the developer's settings or .env file."""
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def test_defaults_with_only_a_token() -> None:
    settings = Settings.from_mapping({"TELEGRAM_BOT_TOKEN": "1:abc"})
    assert settings.token == "1:abc"
    assert settings.admins == frozenset()
    assert settings.db_path == Path("data/reports.db")
    assert settings.max_upload_bytes == 20 * 1024 * 1024
    assert settings.questions_per_minute == 20
    assert settings.bot_api_url == DEFAULT_BOT_API_URL == "https://api.telegram.org/bot"
    assert settings.bot_file_url == DEFAULT_BOT_FILE_URL == "https://api.telegram.org/file/bot"
    assert settings.webhook_url is None


def test_every_variable_is_read() -> None:
    settings = Settings.from_mapping(
        {
            "TELEGRAM_BOT_TOKEN": " 1:abc ",
            "REPORTBOT_ADMINS": "42, 7,",
            "REPORTBOT_DB": "/srv/reports.db",
            "REPORTBOT_MAX_UPLOAD_MB": "5",
            "REPORTBOT_QUESTIONS_PER_MINUTE": "3",
            "REPORTBOT_BOT_API_URL": "http://127.0.0.1:8081/bot",
            "REPORTBOT_BOT_FILE_URL": "http://127.0.0.1:8081/file/bot",
            "REPORTBOT_WEBHOOK_URL": "https://bot.example.org/telegram",
            "REPORTBOT_WEBHOOK_LISTEN": "0.0.0.0",
            "REPORTBOT_WEBHOOK_PORT": "8080",
        }
    )
    assert settings.token == "1:abc"
    assert settings.admins == frozenset({42, 7})
    assert settings.db_path == Path("/srv/reports.db")
    assert settings.max_upload_bytes == 5 * 1024 * 1024
    assert settings.questions_per_minute == 3
    assert settings.bot_api_url == "http://127.0.0.1:8081/bot"
    assert settings.bot_file_url == "http://127.0.0.1:8081/file/bot"
    assert settings.webhook_url == "https://bot.example.org/telegram"
    assert (settings.webhook_listen, settings.webhook_port) == ("0.0.0.0", 8080)


def test_db_option_wins_over_the_environment() -> None:
    env = {"TELEGRAM_BOT_TOKEN": "1:abc", "REPORTBOT_DB": "env.db"}
    assert Settings.from_mapping(env, db_path=Path("option.db")).db_path == Path("option.db")


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("TELEGRAM_BOT_TOKEN", "", "TELEGRAM_BOT_TOKEN"),
        ("REPORTBOT_ADMINS", "42,alice", "alice"),
        ("REPORTBOT_MAX_UPLOAD_MB", "-1", "REPORTBOT_MAX_UPLOAD_MB"),
        ("REPORTBOT_MAX_UPLOAD_MB", "lots", "REPORTBOT_MAX_UPLOAD_MB"),
        ("REPORTBOT_QUESTIONS_PER_MINUTE", "0", "REPORTBOT_QUESTIONS_PER_MINUTE"),
        ("REPORTBOT_BOT_API_URL", "api.telegram.org/bot", "REPORTBOT_BOT_API_URL"),
        ("REPORTBOT_WEBHOOK_URL", "ftp://example.org", "REPORTBOT_WEBHOOK_URL"),
        ("REPORTBOT_WEBHOOK_PORT", "99999", "REPORTBOT_WEBHOOK_PORT"),
    ],
)
def test_bad_values_name_the_variable(name: str, value: str, words: str) -> None:
    env = {"TELEGRAM_BOT_TOKEN": "1:abc", name: value}
    with pytest.raises(SettingsError, match=words) as raised:
        Settings.from_mapping(env)
    assert isinstance(raised.value, ReportbotError)  # the CLI prints it without a traceback


def test_missing_token_from_env() -> None:
    with pytest.raises(SettingsError, match="TELEGRAM_BOT_TOKEN"):
        Settings.from_env()


def test_dotenv_file_is_read_and_environment_wins(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / ".env").write_text(
        "TELEGRAM_BOT_TOKEN=from-file\nREPORTBOT_ADMINS=1,2\nREPORTBOT_DB=file.db\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("REPORTBOT_DB", "env.db")
    settings = Settings.from_env()
    assert settings.token == "from-file"
    assert settings.admins == frozenset({1, 2})
    assert settings.db_path == Path("env.db")


def test_explicit_env_file(tmp_path: Path) -> None:
    env_file = tmp_path / "bot.env"
    env_file.write_text("TELEGRAM_BOT_TOKEN=explicit\n", encoding="utf-8")
    settings = Settings.from_env(env_file=env_file, db_path=Path("x.db"))
    assert (settings.token, settings.db_path) == ("explicit", Path("x.db"))
