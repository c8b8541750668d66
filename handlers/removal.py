"""Removing a report from Telegram: /remove NAME asks with a button, the button removes.

Only a report named exactly (its id, or body and year: /remove 伊春市2023) is offered; a partial
name lists the candidates and removes nothing. The button carries the report's id, so what is
removed is what was shown, and the reply says what it removed.
"""
from __future__ import annotations

import asyncio
import html
from functools import partial

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from handlers.services import services
from index.errors import ReportbotError
from index.store import StoredReport

REFUSED = "只有管理员可以加载、删除报告或查询数据库。"
REMOVE_PATTERN = r"^remove:(\d+|cancel)$"
CANCELLED = "已取消，没有删除任何报告。"


def describe(report: StoredReport) -> str:
    """One line naming a report fully: title, id, body, year, how many numbers."""
    return f"《{report.title}》（编号 {report.id}，{report.name}{report.year}年，{report.cells} 个数字）"


def confirm_keyboard(report_id: int) -> InlineKeyboardMarkup:
    """Two buttons: remove this report, or cancel."""
    return InlineKeyboardMarkup([[InlineKeyboardButton("确认删除", callback_data=f"remove:{report_id}"),
                                  InlineKeyboardButton("取消", callback_data="remove:cancel")]])


async def on_remove(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Ask to confirm the removal of the report named exactly: /remove 伊春市2023."""
    svc = services(context)
    message = update.effective_message
    if not svc.is_admin(update.effective_user.id):
        await message.reply_text(REFUSED)
        return
    name = " ".join(context.args)
    if not name:
        await message.reply_text("用法：/remove 报告编号，或机关+年度，例如 /remove 伊春市2023（见 /reports）")
        return
    try:
        report = await asyncio.to_thread(svc.engine.resolve, name)
    except ReportbotError as error:  # a partial or unknown name: the candidates, nothing removed
        await message.reply_text(html.escape(str(error)))
        return
    await message.reply_text(f"确定删除{html.escape(describe(report))}吗？", reply_markup=confirm_keyboard(report.id))


async def on_remove_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Remove the report the pressed button names, and say what was removed."""
    svc = services(context)
    query = update.callback_query
    if not svc.is_admin(query.from_user.id):
        await query.answer(REFUSED, show_alert=True)
        return
    await query.answer()
    choice = context.matches[0][1]
    if choice == "cancel":
        await query.edit_message_text(CANCELLED)
        return
    try:
        async with svc.load_lock:
            removed = await asyncio.to_thread(partial(svc.engine.remove_id, int(choice)))
    except ReportbotError as error:
        await query.edit_message_text(html.escape(str(error)))
        return
    svc.engine.find_leads_in_background()
    await query.edit_message_text(f"已删除：{html.escape(describe(removed))}")
