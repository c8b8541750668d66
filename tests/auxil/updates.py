"""Small factories for Bot API Update dicts, as Telegram would send them to the bot.

Each returns plain JSON-ready dicts: feed them to FakeBotApi.add_update (which renumbers them)
or to Application.process_update via Update.de_json.
"""
from __future__ import annotations

import itertools
import time
from typing import Any

JOURNALIST_ID = 1001
ADMIN_ID = 4242

_ids = itertools.count(1)


def _user(user_id: int) -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": "记者", "language_code": "zh-hans"}


def _message(user_id: int, **content: Any) -> dict[str, Any]:
    """Return an update with a private-chat message from user_id (the chat id is the user's)."""
    number = next(_ids)
    message = {
        "message_id": number,
        "date": int(time.time()),
        "chat": {"id": user_id, "type": "private", "first_name": "记者"},
        "from": _user(user_id),
        **content,
    }
    return {"update_id": number, "message": message}


def text_message(text: str, *, user_id: int = JOURNALIST_ID) -> dict[str, Any]:
    """Return an update with a plain text message, e.g. a question."""
    return _message(user_id, text=text)


def command(text: str, *, user_id: int = JOURNALIST_ID) -> dict[str, Any]:
    """Return an update with a command such as "/report 伊春市", marked as Telegram marks it."""
    name = text.split(maxsplit=1)[0]
    entity = {"type": "bot_command", "offset": 0, "length": len(name)}
    return _message(user_id, text=text, entities=[entity])


def document_message(
    file_id: str, file_name: str, file_size: int, *, user_id: int = ADMIN_ID
) -> dict[str, Any]:
    """Return an update with a file sent as a document."""
    document = {
        "file_id": file_id,
        "file_unique_id": f"u-{file_id}",
        "file_name": file_name,
        "file_size": file_size,
    }
    return _message(user_id, document=document)


def callback_query(
    data: str, *, message_id: int, user_id: int = JOURNALIST_ID
) -> dict[str, Any]:
    """Return an update with a press on an inline button of the bot's message message_id."""
    number = next(_ids)
    message = {
        "message_id": message_id,
        "date": int(time.time()),
        "chat": {"id": user_id, "type": "private", "first_name": "记者"},
        "text": "…",
    }
    query = {
        "id": str(number),
        "from": _user(user_id),
        "chat_instance": str(user_id),
        "message": message,
        "data": data,
    }
    return {"update_id": number, "callback_query": query}
