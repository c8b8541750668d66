"""Any text message is a question, answered as a follow-up of the chat's last answer if one."""
from __future__ import annotations

from functools import partial

from telegram import Update
from telegram.ext import ContextTypes

from handlers.memory import last_intent
from handlers.messages import answer_in_thread
from handlers.services import services


async def on_question(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer a question, e.g. "伊春市2023年行政处罚决定有多少件？" or then "那兴隆县呢？"."""
    engine = services(context).engine
    ask = partial(engine.ask, update.message.text, context=last_intent(context.chat_data))
    await answer_in_thread(update, context, ask)
