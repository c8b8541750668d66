"""Story leads in Telegram: /leads [place] lists the top leads, a button opens one in full.

The list is kept in chat_data under a short key, so a button's callback data carries only that
key and the lead's place in the list (Telegram allows 64 bytes), never names.
"""
from __future__ import annotations

import asyncio
import html
from functools import partial
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.leads import SHOWN, lead_detail, leads_text, named_scope
from handlers.messages import send_html
from handlers.services import services

LEAD_PATTERN = r"^lead:(\d+):(\d+)$"
HELD = "held_leads"
MAX_HELD = 10  # older lists than this answer "expired"
EXPIRED = "这份线索列表已过期，请重新发 /leads。"
PER_ROW = 5


def leads_keyboard(key: int, count: int) -> InlineKeyboardMarkup | None:
    """One numbered button per listed lead, five to a row."""
    if not count:
        return None
    buttons = [InlineKeyboardButton(str(i + 1), callback_data=f"lead:{key}:{i}") for i in range(count)]
    return InlineKeyboardMarkup([buttons[i:i + PER_ROW] for i in range(0, count, PER_ROW)])


def _hold(chat_data: Any, leads: list) -> int:
    held: dict[int, list] = chat_data.setdefault(HELD, {})
    key = max(held, default=0) + 1
    held[key] = leads
    for old in sorted(held)[:-MAX_HELD]:
        del held[old]
    return key


async def on_leads(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List the top story leads of a place (of every report without one): /leads 伊春市."""
    name = " ".join(context.args) or None
    leads = await asyncio.to_thread(partial(services(context).engine.leads, name))
    shown = leads[:SHOWN]
    text = leads_text(leads, scope=named_scope(name))
    if shown:
        text += "\n点下面的编号看出处和理由。"
    key = _hold(context.chat_data, shown)
    await send_html(context.bot, update.effective_chat.id, html.escape(text), reply_markup=leads_keyboard(key, len(shown)))


async def on_lead_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show one lead in full: its claim, why it may matter, and where each number is printed."""
    query = update.callback_query
    key, index = (int(group) for group in context.matches[0].groups())
    held = context.chat_data.get(HELD, {}).get(key)
    if held is None or index >= len(held):
        await query.answer(EXPIRED)
        return
    await query.answer()
    lead = held[index]
    lines = html.escape(lead_detail(lead)).split("\n")
    lines[0] = f"<b>{lines[0]}</b>"
    await send_html(context.bot, update.effective_chat.id, "\n".join(lines))
