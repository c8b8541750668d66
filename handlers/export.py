"""/export for admins: the whole store as an Excel workbook, or /export csv as a zip of CSV files.

The export reads its own read-only connection in a worker thread (one consistent snapshot), so
answers go on meanwhile. Telegram takes documents of at most 50 MB from a bot: a larger export
is not sent, and the reply says to run `reportbot export` on the server instead.
"""
from __future__ import annotations

import asyncio
import tempfile
import zipfile
from datetime import date
from pathlib import Path

from telegram import Update
from telegram.constants import ChatAction, FileSizeLimit
from telegram.ext import ContextTypes

from handlers.services import services
from index.export import Exported, count_rows, export_csv, export_xlsx

REFUSED = "只有管理员可以导出数据库。"
# Measured: 1,000 reports (257,200 cells) make a 25.5 MB workbook in 100 s; Telegram takes 50 MB
# from a bot. Over this many cells the workbook is not even written: CSV (a zip, 6.8 MB for the
# same store) or the command line instead.
XLSX_MAX_CELLS = 450_000
USAGE = "用法：/export 导出 Excel 工作簿；/export csv 导出 CSV 文件（打包为 zip）。"


async def on_export(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send the store as report.xlsx (default) or a zip of CSV files (/export csv)."""
    svc = services(context)
    message = update.effective_message
    if not svc.is_admin(update.effective_user.id):
        await message.reply_text(REFUSED)
        return
    kind = (context.args[0].lower() if context.args else "xlsx").lstrip(".")
    if kind not in ("xlsx", "excel", "csv"):
        await message.reply_text(USAGE)
        return
    cells = await asyncio.to_thread(count_rows, svc.settings.db_path, "cells")
    if kind != "csv" and cells > XLSX_MAX_CELLS:
        await message.reply_text(
            f"库里有 {cells} 个数字，Excel 工作簿会超过 Telegram 的 50 MB 上限：请发 /export csv（压缩的 CSV 文件），"
            "或在服务器上运行 reportbot export --format xlsx 文件名.xlsx。")
        return
    await message.reply_text(f"正在导出 {cells} 个数字……")
    await context.bot.send_chat_action(update.effective_chat.id, ChatAction.UPLOAD_DOCUMENT)
    with tempfile.TemporaryDirectory(prefix="reportbot-export-") as folder:
        stem = f"reportbot-{date.today():%Y%m%d}"
        if kind == "csv":
            path = Path(folder) / f"{stem}-csv.zip"
            done = await asyncio.to_thread(_csv_zip, svc.settings.db_path, Path(folder) / "csv", path)
        else:
            path = Path(folder) / f"{stem}.xlsx"
            done = await asyncio.to_thread(export_xlsx, svc.settings.db_path, path)
        size = path.stat().st_size
        if size > FileSizeLimit.FILESIZE_UPLOAD:
            await message.reply_text(
                f"导出文件有 {size / 1024 / 1024:.0f} MB，超过 Telegram 的 "
                f"{FileSizeLimit.FILESIZE_UPLOAD // 1024 // 1024} MB 上限：请在服务器上运行 "
                f"reportbot export --format {'csv' if kind == 'csv' else 'xlsx'} …")
            return
        with open(path, "rb") as handle:
            await context.bot.send_document(update.effective_chat.id, handle, filename=path.name,
                                            caption=caption(done))


def caption(done: list[Exported]) -> str:
    """Say what the file holds: reports and cells, and how many tables."""
    rows = {e.name: 0 for e in done}
    for exported in done:
        rows[exported.name] += exported.rows
    return (f"{rows.get('reports', 0)} 份报告，{rows.get('cells', 0)} 个数字，共 {len(rows)} 张表；"
            "空白格表示报告没有填（不是 0）。")


def _csv_zip(db_path: Path, folder: Path, out: Path) -> list[Exported]:
    """Export CSV files into folder and pack them into one zip."""
    done = export_csv(db_path, folder)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for exported in done:
            archive.write(folder / exported.target, exported.target)
    return done
