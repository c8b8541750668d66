"""The journalists' commands: /start and /help, /reports, /report NAME, /check NAME, /csv."""
from __future__ import annotations

import asyncio
import html
from collections.abc import Sequence
from functools import partial

from telegram import BotCommand, Update
from telegram.ext import ContextTypes

from bot.engine import ReportSummary
from handlers.keyboards import pages_keyboard
from handlers.memory import last_table
from handlers.messages import answer_in_thread, send_html
from index.export import csv_bytes
from handlers.services import services

COMMANDS = (
    BotCommand("help", "能回答什么，附示例问题"),
    BotCommand("reports", "已加载的报告"),
    BotCommand("report", "一份报告的要点，如 /report 伊春市"),
    BotCommand("check", "检查报告表格的数字是否自洽"),
    BotCommand("leads", "值得追问的线索，如 /leads 伊春市"),
    BotCommand("csv", "把上一个回答的表格导出为 CSV"),
)
REPORTS_PER_PAGE = 15

HELP = """我能回答各地《政府信息公开工作年度报告》里的问题，给出准确的数字和出处。
直接发问题即可，例如：
{examples}
可以接着追问，例如「那色达县呢？」「2022年呢？」「自然人呢？」。

"""

ADMIN_HELP = """
管理员：直接发送报告文件（txt、md、docx、pdf、html、doc，或打包成 zip）即可加载；
/remove 编号或机关+年度（如 /remove 伊春市2023）删除报告，按按钮确认后才删除
/sql SELECT … 只读查询数据库
/export 导出整个数据库为 Excel 工作簿（/export csv 导出 CSV 文件）"""


async def on_help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Say what the bot answers, with example questions from the loaded reports."""
    svc = services(context)
    examples = await asyncio.to_thread(svc.engine.examples)
    text = HELP.format(examples="\n".join(f"• {html.escape(e)}" for e in examples))
    text += "\n".join(f"/{c.command} {html.escape(c.description)}" for c in COMMANDS[1:])
    if svc.is_admin(update.effective_user.id):
        text += ADMIN_HELP
    await send_html(context.bot, update.effective_chat.id, text)


async def on_reports(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List the loaded reports, a page at a time with buttons when there are many."""
    reports = await asyncio.to_thread(services(context).engine.reports)
    text, page, pages = reports_page(reports, 0)
    await send_html(
        context.bot, update.effective_chat.id, text, reply_markup=pages_keyboard(page, pages)
    )


def reports_page(reports: Sequence[ReportSummary], page: int) -> tuple[str, int, int]:
    """Return one page of the report list as HTML, with the page shown and the page count."""
    if not reports:
        return "还没有加载任何报告。", 0, 1
    pages = -(-len(reports) // REPORTS_PER_PAGE)
    page = min(max(page, 0), pages - 1)
    first = page * REPORTS_PER_PAGE
    lines = [f"已加载 {len(reports)} 份报告（第 {page + 1}/{pages} 页）："]
    for number, report in enumerate(reports[first : first + REPORTS_PER_PAGE], start=first + 1):
        checks = f" · {report.findings} 处数字不自洽" if report.findings else ""
        lines.append(
            f"{number}. <b>{html.escape(report.title)}</b>\n"
            f"    {html.escape(report.body)} · {report.year} 年 · {report.cells} 项数据{checks}"
        )
    return "\n".join(lines), page, pages


async def on_report(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show a report's headline figures and findings: /report 伊春市."""
    name = " ".join(context.args)
    if not name:
        await update.effective_message.reply_text("用法：/report 报告名称，例如 /report 伊春市")
        return
    await answer_in_thread(update, context, partial(services(context).engine.report_card, name))


async def on_check(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List where a report's tables do not add up: /check 伊春市, or every report with /check."""
    name = " ".join(context.args) or None
    await answer_in_thread(update, context, partial(services(context).engine.check, name))


async def on_csv(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send the last answer's table as a CSV file."""
    table = last_table(context.chat_data)
    if not table:
        await update.effective_message.reply_text("还没有可导出的表格：先问一个有数字的问题，再发 /csv。")
        return
    await context.bot.send_document(
        update.effective_chat.id, csv_bytes(table), filename="reportbot.csv"
    )


async def on_unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Point a mistyped command to /help."""
    await update.effective_message.reply_text("不认识这个命令，发 /help 看看能做什么。")
