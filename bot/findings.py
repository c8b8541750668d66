"""Answer "do the numbers add up?": the consistency findings stored for the named reports."""
from __future__ import annotations

import sqlite_utils

from bot.answer import Answer
from bot.catalog import Catalog
from bot.selection import select_reports
from bot.understand import Intent
from index.store import report_findings


def answer_check(intent: Intent, db: sqlite_utils.Database, catalog: Catalog) -> Answer:
    """List each named report's findings (every report's when none is named)."""
    selection = select_reports(intent, catalog)
    if not selection.reports:
        return Answer(intent.question, intent.route, " ".join(selection.missing), intent=intent)
    lines: list[str] = []
    table = [("报告", "规则", "说明")]
    for report in selection.reports:
        findings = report_findings(db, report.id)
        name = f"{report.label}报告"
        if not findings:
            lines.append(f"{name}：表格里的数字都对得上，没有发现不一致。")
            continue
        lines.append(f"{name}有{len(findings)}处数字对不上（报告印的数字原样保存，未作修改）：")
        for i, (rule, message, _fields) in enumerate(findings, 1):
            lines.append(f"{i}. {message}")
            table.append((report.title, rule, message))
        lines.append(f"来源：《{report.title}》的勾稽关系检查。")
    lines.extend(selection.missing)
    return Answer(intent.question, intent.route, "\n".join(lines), intent=intent, table=tuple(table) if len(table) > 1 else ())
