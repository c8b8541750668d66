"""What the bot remembers per chat (in chat_data): the last answer and pending choices.

The last answer's intent turns "那色达县呢？" into a follow-up; its table is what /csv sends.
An ambiguous question's intent waits here under a short key, so a button's callback data
carries only that key and a report id (Telegram allows 64 bytes), never names.
"""
from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from bot.answer import Answer

LAST_INTENT = "last_intent"
LAST_TABLE = "last_table"
PENDING = "pending_choices"
MAX_PENDING = 20  # older keyboards than this answer "expired"

ChatData = MutableMapping[Any, Any]


def remember(chat_data: ChatData, answer: Answer) -> None:
    """Keep the answer's intent and table for follow-ups and /csv."""
    if answer.intent is not None:
        chat_data[LAST_INTENT] = answer.intent
    if answer.table:
        chat_data[LAST_TABLE] = answer.table


def last_intent(chat_data: ChatData) -> Any:
    """Return the intent of the chat's last answer, or None."""
    return chat_data.get(LAST_INTENT)


def last_table(chat_data: ChatData) -> tuple[tuple[str, ...], ...]:
    """Return the table of the chat's last answer that had one, or ()."""
    return chat_data.get(LAST_TABLE, ())


def hold_choice(chat_data: ChatData, intent: Any) -> int:
    """Keep an ambiguous question's intent until a button is pressed; return its key."""
    pending: dict[int, Any] = chat_data.setdefault(PENDING, {})
    key = max(pending, default=0) + 1
    pending[key] = intent
    for old in sorted(pending)[:-MAX_PENDING]:
        del pending[old]
    return key


def held_choice(chat_data: ChatData, key: int) -> Any:
    """Return the intent held under key, or None when it has expired."""
    return chat_data.get(PENDING, {}).get(key)
