"""Sending what the bot says: HTML split under Telegram's limit, answers with keyboards and charts.

Telegram refuses a message over 4096 characters, and refuses HTML whose tags do not close. So a
long text is cut at line ends (a line longer than a message at tag/entity boundaries), every
tag open at a cut is closed there and opened again at the start of the next message.
"""
from __future__ import annotations

import asyncio
import html
import re
from collections.abc import Callable

from telegram import Bot, InlineKeyboardMarkup, Update
from telegram.constants import ChatAction, MessageLimit
from telegram.ext import ContextTypes

from bot.answer import Answer
from bot.charts import render_chart
from handlers.keyboards import choices_keyboard
from handlers.memory import hold_choice, remember

# A tag, an entity, or one character: the pieces a message may be cut between.
_ATOM = re.compile(r"<[^>]*>|&#?\w+;|.", re.DOTALL)
_TAG_NAME = re.compile(r"</?\s*([\w-]+)")

Stack = tuple[tuple[str, str], ...]  # the (name, opening tag) of the tags open at a point


def split_html(text: str, limit: int = MessageLimit.MAX_TEXT_LENGTH) -> list[str]:
    """Cut Telegram HTML into messages of at most `limit` characters, each well-formed."""
    chunks: list[str] = []
    stack: Stack = ()
    head, body = "", ""
    for piece in _pieces(text, limit // 2):
        after = _open_after(stack, piece)
        if body and len(head + body + piece + _closers(after)) > limit:
            chunks.append(head + body.rstrip("\n") + _closers(stack))
            head, body = "".join(tag for _, tag in stack), ""
        body += piece
        stack = after
    chunks.append(head + body.rstrip("\n") + _closers(stack))
    return [chunk for chunk in chunks if _visible(chunk).strip()]


def _pieces(text: str, size: int) -> list[str]:
    """Split text into lines (keeping their newline), cutting lines longer than size."""
    pieces: list[str] = []
    for line in re.split(r"(?<=\n)", text):
        current = ""
        for atom in _ATOM.findall(line):
            if len(current) + len(atom) > size and current:
                pieces.append(current)
                current = ""
            current += atom
        if current:
            pieces.append(current)
    return pieces


def _open_after(stack: Stack, piece: str) -> Stack:
    """Return the tags still open after piece, given those open before it."""
    tags = list(stack)
    for atom in _ATOM.findall(piece):
        name = _TAG_NAME.match(atom) if atom.startswith("<") else None
        if name is None:
            continue
        if atom.startswith("</"):
            index = max((i for i, (n, _) in enumerate(tags) if n == name[1]), default=None)
            if index is not None:
                del tags[index]
        elif not atom.endswith("/>"):
            tags.append((name[1], atom))
    return tuple(tags)


def _closers(stack: Stack) -> str:
    return "".join(f"</{name}>" for name, _ in reversed(stack))


def _visible(chunk: str) -> str:
    return re.sub(r"<[^>]*>", "", chunk)


async def send_html(
    bot: Bot, chat_id: int, text: str, *, reply_markup: InlineKeyboardMarkup | None = None
) -> None:
    """Send HTML as one or more messages; the keyboard goes on the last one."""
    chunks = split_html(text)
    for number, chunk in enumerate(chunks, start=1):
        markup = reply_markup if number == len(chunks) else None
        await bot.send_message(chat_id, chunk, reply_markup=markup)


async def send_answer(update: Update, context: ContextTypes.DEFAULT_TYPE, answer: Answer) -> None:
    """Send an answer with a keyboard when its name is ambiguous and its chart as a photo."""
    chat_id = update.effective_chat.id
    remember(context.chat_data, answer)
    keyboard = None
    if answer.choices:
        keyboard = choices_keyboard(answer.choices, hold_choice(context.chat_data, answer.intent))
    await send_html(context.bot, chat_id, answer.to_html(), reply_markup=keyboard)
    if answer.chart is not None:
        png = await asyncio.to_thread(render_chart, answer.chart)
        caption = html.escape(answer.chart.title)
        await context.bot.send_photo(chat_id, png, caption=caption, filename="chart.png")


async def answer_in_thread(
    update: Update, context: ContextTypes.DEFAULT_TYPE, work: Callable[[], Answer]
) -> None:
    """Show "typing…", compute the answer off the event loop, then send it."""
    await context.bot.send_chat_action(update.effective_chat.id, ChatAction.TYPING)
    answer = await asyncio.to_thread(work)
    await send_answer(update, context, answer)
