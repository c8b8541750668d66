"""`reportbot`: the command line, a thin layer over index/ and bot/.

    reportbot [--db PATH] load PATH...       load report files and folders
    reportbot [--db PATH] reports            list loaded reports
    reportbot [--db PATH] check [REPORT]     consistency findings
    reportbot [--db PATH] remove REPORT      remove a report
    reportbot [--db PATH] sql "SELECT ..."   read-only SQL
    reportbot [--db PATH] cells --json [REPORT]
    reportbot [--db PATH] ask [--json] [QUESTION]
    reportbot [--db PATH] chat               terminal chat, same engine as the bot
    reportbot [--db PATH] serve              run the Telegram bot
    reportbot [--db PATH] leads [REPORT] [--kind K] [--json]   story leads, ranked and sourced
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Callable, TextIO

from bot.answer import json_number
from bot.engine import Engine
from index.errors import ReportbotError
from index.ingest import report_files
from index.leads import KINDS as LEAD_KINDS
from index.store import cell_rows, default_db_path, find_report, list_reports, open_store

SAMPLES_DIR = Path(__file__).resolve().parent.parent / "data" / "samples"


def _print(text: str, out: TextIO) -> None:
    out.write(text + "\n")
    out.flush()


def cmd_load(args: argparse.Namespace, out: TextIO) -> int:
    """Load files and folders; one line per file; exit 1 if any failed."""
    engine = Engine.open(args.db)
    failed = 0
    try:
        for path, outcome in engine.load_many(report_files([Path(p) for p in args.paths])):
            if isinstance(outcome, ReportbotError):
                failed += 1
                _print(f"✗ {path.name}: {outcome}", out)
                continue
            state = "未变化" if outcome.unchanged else ("已替换旧版本" if outcome.replaced else "已载入")
            _print(f"✓ {path.name}: {outcome.body} {outcome.year}年，{outcome.cells}个数字，"
                   f"{len(outcome.findings)}处对不上，{state}；{outcome.reading()}", out)
    finally:
        engine.close()
    return 1 if failed else 0


def cmd_reports(args: argparse.Namespace, out: TextIO) -> int:
    """List the loaded reports."""
    db = open_store(args.db)
    reports = list_reports(db)
    if args.json:
        for r in reports:
            _print(json.dumps({"id": r.id, "body_id": r.body_id, "body": r.body, "region": r.region,
                               "region_code": r.region_code, "level": r.level, "year": r.year, "title": r.title,
                               "source_name": r.source_name}, ensure_ascii=False), out)
        return 0
    if not reports:
        _print("库里还没有报告。用 reportbot load PATH 载入。", out)
    for r in reports:
        _print(f"{r.id}\t{r.region}\t{r.year}\t{r.cells}个数字\t{r.findings}处对不上\t{r.title}", out)
    return 0


def cmd_check(args: argparse.Namespace, out: TextIO) -> int:
    """Print the consistency findings of one report or all."""
    engine = Engine(args.db)
    try:
        _print(engine.check(args.report).to_text(), out)
    finally:
        engine.close()
    return 0


def cmd_remove(args: argparse.Namespace, out: TextIO) -> int:
    """Remove one report."""
    engine = Engine(args.db)
    try:
        _print(f"已删除：{engine.remove(args.report)}", out)
    finally:
        engine.close()
    return 0


def cmd_sql(args: argparse.Namespace, out: TextIO) -> int:
    """Run a read-only query and print tab-separated rows."""
    engine = Engine(args.db)
    try:
        result = engine.sql(args.query, max_rows=args.max_rows)
    finally:
        engine.close()
    _print("\t".join(result.columns), out)
    for row in result.rows:
        _print("\t".join("" if v is None else str(v) for v in row), out)
    if result.truncated:
        _print(f"……只显示前{args.max_rows}行。", out)
    return 0


def cmd_cells(args: argparse.Namespace, out: TextIO) -> int:
    """Print stored cells, one JSON object a line."""
    db = open_store(args.db)
    ids = [find_report(db, args.report).id] if args.report else None
    for cell in cell_rows(db, report_ids=ids):
        record = {"report": cell.report, "region": cell.region, "year": cell.year, "field": cell.field,
                  "applicant": cell.applicant, "value": json_number(cell.value), "inferred": cell.inferred,
                  "derived": cell.derived, "unit": cell.unit, "label": cell.label, "raw": cell.raw}
        if args.json:
            _print(json.dumps(record, ensure_ascii=False), out)
        else:
            _print(f"{cell.region}\t{cell.year}\t{cell.field}\t{cell.applicant or ''}\t{cell.raw}", out)
    return 0


def _questions(args: argparse.Namespace, stdin: TextIO) -> list[str]:
    if args.question:
        return [" ".join(args.question)]
    return [line.strip() for line in stdin if line.strip()]


def cmd_ask(args: argparse.Namespace, out: TextIO, stdin: TextIO = sys.stdin) -> int:
    """Answer one question, or one a line from standard input."""
    engine = Engine.open(args.db)
    try:
        for question in _questions(args, stdin):
            answer = engine.ask(question)
            _print(json.dumps(answer.to_json(), ensure_ascii=False) if args.json else answer.to_text() + "\n", out)
    finally:
        engine.close()
    return 0


def cmd_chat(args: argparse.Namespace, out: TextIO, stdin: TextIO = sys.stdin) -> int:
    """A terminal chat with the bot's engine; follow-ups work as in Telegram."""
    engine = Engine.open(args.db)
    if not engine.reports():
        _print(f"库里还没有报告，先载入自带的样本报告（{SAMPLES_DIR}）……", out)
        for path in report_files([SAMPLES_DIR]):
            engine.load(path)
    _print("reportbot 终端对话。直接输入问题，例如：", out)
    for example in engine.examples():
        _print(f"  {example}", out)
    _print("输入 /reports 看报告列表，/check 看数字对不上的地方，/quit 退出。", out)
    context = None
    try:
        while True:
            if stdin.isatty():
                out.write("> ")
                out.flush()
            line = stdin.readline()
            if not line:
                break
            question = line.strip()
            if not question:
                continue
            if question in ("/quit", "/exit", "退出"):
                break
            try:
                if question == "/reports":
                    text = "\n".join(f"{r.id}. {r.title}（{r.cells}个数字，{r.findings}处对不上）" for r in engine.reports())
                elif question.startswith("/check"):
                    text = engine.check(question[len("/check"):].strip() or None).to_text()
                elif question.startswith("/report "):
                    text = engine.report_card(question[len("/report "):]).to_text()
                else:
                    answer = engine.ask(question, context=context)
                    context = answer.intent or context
                    text = answer.to_text()
                    if answer.choices:
                        text += "\n" + "\n".join(f"  /report {c.report_id}  {c.label}" for c in answer.choices)
            except ReportbotError as error:
                text = str(error)
            _print(text + "\n", out)
    finally:
        engine.close()
    return 0


def cmd_serve(args: argparse.Namespace, out: TextIO) -> int:
    """Run the Telegram bot (long polling, or a webhook when REPORTBOT_WEBHOOK_URL is set)."""
    from bot.settings import Settings
    from handlers.app import run

    run(Settings.from_env(db_path=args.db))
    return 0


def cmd_leads(args: argparse.Namespace, out: TextIO) -> int:
    """Print the story leads of a report, a place or every report, ranked (docs/leads.md)."""
    from bot.leads import lead_detail, leads_text

    engine = Engine(args.db)
    try:
        leads = engine.leads(args.report, kinds=tuple(args.kind or ()))
    finally:
        engine.close()
    if args.json:
        for lead in leads:
            _print(json.dumps(lead.to_json(), ensure_ascii=False), out)
        return 0
    _print(leads_text(leads, scope=f"{args.report}：" if args.report else "所有报告：", limit=None), out)
    for number, lead in enumerate(leads, start=1):
        _print(f"\n{number}. " + lead_detail(lead), out)
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with help text for every command."""
    parser = argparse.ArgumentParser(prog="reportbot", description="政府信息公开工作年度报告问答机器人")
    parser.add_argument("--db", type=Path, default=None, help="SQLite database (default: $REPORTBOT_DB or data/reports.db)")
    sub = parser.add_subparsers(dest="command", required=True)
    commands: dict[str, tuple[Callable, str]] = {
        "load": (cmd_load, "load report files or folders (txt, md, docx, doc, pdf, html)"),
        "reports": (cmd_reports, "list the loaded reports"),
        "check": (cmd_check, "show the consistency findings of a report (or all)"),
        "remove": (cmd_remove, "remove a report (by id, or body and year)"),
        "sql": (cmd_sql, "run a read-only SELECT on the store"),
        "cells": (cmd_cells, "print stored table cells"),
        "ask": (cmd_ask, "answer a question (or one a line from standard input)"),
        "chat": (cmd_chat, "chat in the terminal with the bot's engine (loads the samples into an empty store)"),
        "serve": (cmd_serve, "run the Telegram bot (TELEGRAM_BOT_TOKEN)"),
        "leads": (cmd_leads, "值得记者追问的线索：自相矛盾、正文与表格不符、同级异常、年度突变、缺失、套话雷同（docs/leads.md）"),
    }
    parsers = {}
    for name, (func, help_text) in commands.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(func=func)
        parsers[name] = p
    parsers["load"].add_argument("paths", nargs="+", help="files or folders")
    parsers["check"].add_argument("report", nargs="?", help="report id, or body and year (e.g. 伊春市2023)")
    parsers["remove"].add_argument("report", help="report id, or body and year (e.g. 伊春市2023)")
    parsers["sql"].add_argument("query", help="one SELECT statement")
    parsers["sql"].add_argument("--max-rows", type=int, default=200, help="rows to print at most (default 200)")
    parsers["reports"].add_argument("--json", action="store_true",
                                    help="每份报告输出一行 JSON：id、body_id、body、region、region_code、level、year、title、source_name")
    parsers["cells"].add_argument("--json", action="store_true", help="one JSON object a line")
    parsers["cells"].add_argument("report", nargs="?", help="only this report")
    parsers["ask"].add_argument("--json", action="store_true", help="one JSON object a line (see docs/cli.md)")
    parsers["ask"].add_argument("question", nargs="*", help="the question; none = read one a line from stdin")
    parsers["leads"].add_argument("report", nargs="?", help="报告编号、地名或机关（可带年度，如 伊春市2023）；不填为全部报告")
    parsers["leads"].add_argument("--kind", action="append", choices=LEAD_KINDS,
                                  help="只看这一类（可重复）：" + "、".join(LEAD_KINDS))
    parsers["leads"].add_argument("--json", action="store_true",
                                  help="每条线索输出一行 JSON：kind、report、region、body、year、claim、why、score、sources")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `reportbot` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    args.db = args.db or default_db_path()
    try:
        return args.func(args, sys.stdout)
    except ReportbotError as error:
        print(str(error), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
