"""Admins' actions: load a report file (or a .zip of them), /sql SELECT … (/remove: handlers/removal.py).

Anyone not listed in REPORTBOT_ADMINS gets one refusal line and nothing changes. Loads and
removals hold the load lock, one at a time; parsing runs in a worker thread, so other chats
keep getting answers while a PDF is read.
"""
from __future__ import annotations

import asyncio
import html
import tempfile
from concurrent.futures import Future
from functools import partial
from pathlib import Path

from telegram import Document, Message, Update
from telegram.constants import FileSizeLimit
from telegram.ext import ContextTypes

from bot.engine import LoadOutcome
from index.archives import unpack_reports
from handlers.messages import send_html, split_html
from handlers.services import Services, services
from index.errors import ReportbotError
from index.export import csv_bytes
from index.store import QueryResult

REFUSED = "只有管理员可以加载、删除报告或查询数据库。"
ZIP_MAX_TOTAL_BYTES = 100 * 1024 * 1024
SQL_MAX_ROWS = 1000
SQL_TIMEOUT_S = 5.0
SQL_TEXT_ROWS = 50  # more rows than this come as a CSV file


async def on_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Load the file an admin sent, editing one progress message until the summary."""
    svc = services(context)
    message = update.effective_message
    if await _refused(update, svc) or await _too_large(message, svc):
        return
    progress = await message.reply_text("正在读取…")
    summary = await _download_and_load(svc, message.document, progress)
    svc.engine.find_leads_in_background()  # the next "有什么值得关注的" need not wait for them
    await _finish(context, progress, summary)


async def _too_large(message: Message, svc: Services) -> bool:
    """Refuse a file over our limit or Telegram's 20 MB bot download limit, before fetching it."""
    limit = min(svc.settings.max_upload_bytes, FileSizeLimit.FILESIZE_DOWNLOAD)
    if (message.document.file_size or 0) <= limit:
        return False
    await message.reply_text(f"文件太大：最多 {limit / 1024 / 1024:.0f} MB，请压缩或拆分后再发。")
    return True


async def _download_and_load(svc: Services, document: Document, progress: Message) -> str:
    """Fetch the file, then load it (a .zip file by file); return the summary as HTML."""
    name = document.file_name or "report"
    with tempfile.TemporaryDirectory(prefix="reportbot-") as folder:
        suffix = Path(name).suffix
        # Only the suffix of the user's name is used on disk, and only a plausible one: an
        # over-long or broken name is then refused with a message by the load (check_source).
        path = Path(folder) / f"upload{suffix if len(suffix) <= 16 and suffix.isprintable() else ''}"
        await (await document.get_file()).download_to_drive(path)
        await progress.edit_text("正在解析…")
        try:
            async with svc.load_lock:
                if name.lower().endswith(".zip"):
                    return await _load_archive(svc, path, Path(folder) / "unpacked", progress)
                return html.escape((await _load(svc, path, name, progress)).summary())
        except ReportbotError as error:
            return f"没有加载：{html.escape(str(error))}"


async def _load_archive(svc: Services, archive: Path, into: Path, progress: Message) -> str:
    """Load each file of a .zip in turn; return one summary line per file."""
    unpack = partial(unpack_reports, archive, into, max_total_bytes=ZIP_MAX_TOTAL_BYTES)
    members = await asyncio.to_thread(unpack)
    lines = [f"压缩包里的 {len(members)} 个文件："]
    for number, (name, path) in enumerate(members, start=1):
        await progress.edit_text(f"正在解析 {number}/{len(members)}：{html.escape(name)}…")
        try:
            outcome = await _load(svc, path, name, progress)
            lines.append(f"✅ {html.escape(name)}：{html.escape(_brief(outcome))}")
        except ReportbotError as error:
            lines.append(f"❌ {html.escape(name)}：{html.escape(str(error))}")
    return "\n".join(lines)


async def _load(svc: Services, path: Path, name: str, progress: Message) -> LoadOutcome:
    """Parse and store one file in a worker thread; ReportbotError says why it failed.

    A scanned PDF is read by OCR, seconds a page: ``progress`` shows the page being read."""
    loop = asyncio.get_running_loop()
    in_order = asyncio.Lock()  # FIFO: the edits land in the order the pages finish
    edits: list[Future] = []

    async def edit(text: str) -> None:
        async with in_order:
            await progress.edit_text(text)

    def on_page(done: int, total: int) -> None:  # called in the worker thread
        text = f"正在识别扫描件：第 {done + 1}/{total} 页…" if done < total else "扫描件识别完毕，正在解析…"
        edits.append(asyncio.run_coroutine_threadsafe(edit(text), loop))

    load = partial(
        svc.engine.load, path, original_name=name, max_bytes=svc.settings.max_upload_bytes, on_page=on_page
    )
    try:
        return await asyncio.to_thread(load)
    finally:  # no late progress edit may overwrite the summary
        await asyncio.gather(*(asyncio.wrap_future(e) for e in edits), return_exceptions=True)


def _brief(outcome: LoadOutcome) -> str:
    """Summarise a load in one line, for the list of a zip's files."""
    text = f"{outcome.title}，{outcome.cells} 项数据"
    if outcome.findings:
        text += f"，{len(outcome.findings)} 处数字不自洽"
    if outcome.replaced:
        text += f"，替换了《{outcome.replaced}》"
    if outcome.unchanged:
        text += "（与之前加载的文件相同）"
    return text


async def _finish(context: ContextTypes.DEFAULT_TYPE, progress: Message, text: str) -> None:
    """Put the summary in the progress message, continuing in new messages if long."""
    first, *rest = split_html(text)
    await progress.edit_text(first)
    for chunk in rest:
        await context.bot.send_message(progress.chat_id, chunk)


async def on_sql(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Run a read-only query: /sql SELECT …; many rows come back as a CSV file."""
    svc = services(context)
    if await _refused(update, svc):
        return
    query = "".join(update.effective_message.text.split(maxsplit=1)[1:])
    if not query:
        await update.effective_message.reply_text("用法：/sql SELECT …（只读，最多 1000 行）")
        return
    run = partial(svc.engine.sql, query, max_rows=SQL_MAX_ROWS, timeout_s=SQL_TIMEOUT_S)
    result = await asyncio.to_thread(run)
    chat_id = update.effective_chat.id
    if len(result.rows) > SQL_TEXT_ROWS:
        table = csv_bytes([result.columns, *result.rows])
        caption = f"{len(result.rows)} 行{_truncated(result)}"
        await context.bot.send_document(chat_id, table, filename="query.csv", caption=caption)
    else:
        await send_html(context.bot, chat_id, _monospace(result))


def _monospace(result: QueryResult) -> str:
    """Show a small result as a monospace table."""
    if not result.rows:
        return "（没有结果）"
    lines = [" | ".join(result.columns)]
    lines += (" | ".join("" if v is None else str(v) for v in row) for row in result.rows)
    body = html.escape("\n".join(lines))
    return f"<pre>{body}</pre>{_truncated(result)}"


def _truncated(result: QueryResult) -> str:
    return f"\n（{result.limit or f'只显示前 {SQL_MAX_ROWS} 行'}）" if result.truncated else ""


async def _refused(update: Update, svc: Services) -> bool:
    """Refuse a non-admin with one line; return True when refused."""
    if svc.is_admin(update.effective_user.id):
        return False
    await update.effective_message.reply_text(REFUSED)
    return True
