"""Inline button presses: choosing the report an ambiguous name meant, paging /reports."""
from __future__ import annotations

import asyncio
from functools import partial

from telegram import Update
from telegram.ext import ContextTypes

from handlers.commands import reports_page
from handlers.keyboards import pages_keyboard
from handlers.memory import held_choice
from handlers.messages import answer_in_thread
from handlers.services import services

EXPIRED = "这个选择已过期，请重新提问。"


async def on_choose(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the held question again for the report the user picked."""
    query = update.callback_query
    key, report_id = (int(group) for group in context.matches[0].groups())
    intent = held_choice(context.chat_data, key)
    if intent is None:
        await query.answer(EXPIRED)
        return
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=None)
    choose = partial(services(context).engine.choose, intent, report_id)
    await answer_in_thread(update, context, choose)


async def on_page(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show another page of the loaded reports in the same message."""
    query = update.callback_query
    reports = await asyncio.to_thread(services(context).engine.reports)
    text, page, pages = reports_page(reports, int(context.matches[0][1]))
    await query.answer()
    await query.edit_message_text(text, reply_markup=pages_keyboard(page, pages))
