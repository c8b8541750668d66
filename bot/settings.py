"""The bot's settings, read once from the environment (and a .env file) and checked.

Every problem is reported as a SettingsError naming the variable and what to put in it, so
`reportbot serve` stops with one line an operator can act on instead of a traceback.
"""
from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from dotenv import dotenv_values

from index.errors import ReportbotError

DEFAULT_DB_PATH = Path("data/reports.db")
DEFAULT_BOT_API_URL = "https://api.telegram.org/bot"
DEFAULT_BOT_FILE_URL = "https://api.telegram.org/file/bot"
DEFAULT_MAX_UPLOAD_MB = 20.0
DEFAULT_QUESTIONS_PER_MINUTE = 20
DEFAULT_WEBHOOK_LISTEN = "127.0.0.1"
DEFAULT_WEBHOOK_PORT = 8443


class SettingsError(ReportbotError):
    """A setting is missing or malformed; the message names the variable to fix."""


@dataclass(frozen=True)
class Settings:
    """What the bot needs to run; the token is appended to both API URLs, as PTB does."""

    token: str
    db_path: Path = DEFAULT_DB_PATH
    admins: frozenset[int] = frozenset()
    max_upload_bytes: int = int(DEFAULT_MAX_UPLOAD_MB * 1024 * 1024)
    questions_per_minute: int = DEFAULT_QUESTIONS_PER_MINUTE
    bot_api_url: str = DEFAULT_BOT_API_URL
    bot_file_url: str = DEFAULT_BOT_FILE_URL
    webhook_url: str | None = None
    webhook_listen: str = DEFAULT_WEBHOOK_LISTEN
    webhook_port: int = DEFAULT_WEBHOOK_PORT

    @classmethod
    def from_env(cls, *, db_path: Path | None = None, env_file: Path | None = None) -> Settings:
        """Read the settings; real environment variables win over the .env file.

        Args:
            db_path: the `--db` option, which wins over REPORTBOT_DB.
            env_file: a .env file to read; by default `.env` in the working directory, if any.
        """
        env_file = env_file if env_file is not None else Path(".env")
        file_values = dotenv_values(env_file) if env_file.is_file() else {}
        env = {**{k: v for k, v in file_values.items() if v is not None}, **os.environ}
        return cls.from_mapping(env, db_path=db_path)

    @classmethod
    def from_mapping(cls, env: Mapping[str, str], *, db_path: Path | None = None) -> Settings:
        """Build and check the settings from a mapping of variable names to values."""
        token = env.get("TELEGRAM_BOT_TOKEN", "").strip()
        if not token:
            raise SettingsError(
                "未设置 TELEGRAM_BOT_TOKEN：请把 BotFather 给的令牌写进环境变量或 .env 文件。"
            )
        return cls(
            token=token,
            db_path=db_path or Path(env.get("REPORTBOT_DB") or DEFAULT_DB_PATH),
            admins=_admin_ids(env.get("REPORTBOT_ADMINS", "")),
            max_upload_bytes=int(
                _positive(env, "REPORTBOT_MAX_UPLOAD_MB", DEFAULT_MAX_UPLOAD_MB) * 1024 * 1024
            ),
            questions_per_minute=math.ceil(
                _positive(env, "REPORTBOT_QUESTIONS_PER_MINUTE", DEFAULT_QUESTIONS_PER_MINUTE)
            ),
            bot_api_url=_url(env, "REPORTBOT_BOT_API_URL") or DEFAULT_BOT_API_URL,
            bot_file_url=_url(env, "REPORTBOT_BOT_FILE_URL") or DEFAULT_BOT_FILE_URL,
            webhook_url=_url(env, "REPORTBOT_WEBHOOK_URL"),
            webhook_listen=env.get("REPORTBOT_WEBHOOK_LISTEN") or DEFAULT_WEBHOOK_LISTEN,
            webhook_port=_port(env.get("REPORTBOT_WEBHOOK_PORT")),
        )


def _admin_ids(text: str) -> frozenset[int]:
    """Parse "123, 456" into user ids."""
    ids = [part.strip() for part in text.split(",") if part.strip()]
    bad = [part for part in ids if not part.lstrip("-").isdigit()]
    if bad:
        raise SettingsError(
            f"REPORTBOT_ADMINS 应是用逗号分隔的 Telegram 用户数字 id，不认识：{', '.join(bad)}"
        )
    return frozenset(int(part) for part in ids)


def _positive(env: Mapping[str, str], name: str, default: float) -> float:
    """Read a positive number, or the default when the variable is unset or empty."""
    text = env.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise SettingsError(f"{name} 应是正数，现在是：{text}")
    return value


def _url(env: Mapping[str, str], name: str) -> str | None:
    """Read an http(s) URL, or None when the variable is unset or empty."""
    text = env.get(name, "").strip()
    if not text:
        return None
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SettingsError(f"{name} 应是 http:// 或 https:// 开头的网址，现在是：{text}")
    return text


def _port(text: str | None) -> int:
    """Read the webhook port: 1–65535, 8443 by default."""
    if not text or not text.strip():
        return DEFAULT_WEBHOOK_PORT
    if not text.strip().isdigit() or not 0 < int(text) < 65536:
        raise SettingsError(f"REPORTBOT_WEBHOOK_PORT 应是 1–65535 之间的端口号，现在是：{text}")
    return int(text)
