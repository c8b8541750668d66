"""The error handler: log first, then tell the user one short line.

An error a user can act on (ReportbotError: a name not found, a write in /sql) is shown as its
own message. Anything else is a bug: its traceback goes to the log, the user gets an apology,
and an admin also sees what went wrong. PTB keeps running either way, so one broken update
never stops the bot.
"""
from __future__ import annotations

import html
import logging

from telegram import Update
from telegram.ext import ContextTypes

from handlers.services import SERVICES_KEY
from index.errors import ReportbotError

log = logging.getLogger(__name__)

APOLOGY = "抱歉，处理这条消息时出错了，请稍后再试。"


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the error, then reply with its message, or an apology (and details for admins)."""
    error = context.error
    if isinstance(error, ReportbotError):
        log.info("user error: %s", error)
        text = html.escape(str(error))
    else:
        log.error("update failed: %r", update, exc_info=error)
        text = APOLOGY
        if _from_admin(update, context):
            detail = f"{type(error).__name__}: {error}"[:500]
            text += f"\n<code>{html.escape(detail)}</code>"
    if isinstance(update, Update) and update.effective_chat:
        await context.bot.send_message(update.effective_chat.id, text)


def _from_admin(update: object, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """Tell whether the update came from an admin (False before the services are up)."""
    svc = context.bot_data.get(SERVICES_KEY)
    user = update.effective_user if isinstance(update, Update) else None
    return svc is not None and user is not None and svc.is_admin(user.id)
