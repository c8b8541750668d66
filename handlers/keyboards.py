"""Inline keyboards and the callback data their buttons carry (ids only: at most 64 bytes)."""
from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.answer import Choice

CHOOSE_PATTERN = r"^choose:(\d+):(\d+)$"
PAGE_PATTERN = r"^reports:(\d+)$"


def choices_keyboard(choices: Sequence[Choice], key: int) -> InlineKeyboardMarkup:
    """One button per report an ambiguous name may mean, one per row."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(choice.label, callback_data=f"choose:{key}:{choice.report_id}")]
         for choice in choices]
    )


def pages_keyboard(page: int, pages: int) -> InlineKeyboardMarkup | None:
    """Previous/next buttons for a paged list; None when it fits on one page."""
    if pages <= 1:
        return None
    buttons = []
    if page > 0:
        buttons.append(InlineKeyboardButton("« 上一页", callback_data=f"reports:{page - 1}"))
    if page < pages - 1:
        buttons.append(InlineKeyboardButton("下一页 »", callback_data=f"reports:{page + 1}"))
    return InlineKeyboardMarkup([buttons])
