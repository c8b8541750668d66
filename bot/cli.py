"""`reportbot`: the command line, a thin layer over index/ and bot/.

    reportbot [--db PATH] load PATH...       load report files and folders
    reportbot [--db PATH] reports            list loaded reports
    reportbot [--db PATH] check [REPORT]     consistency findings
    reportbot [--db PATH] remove REPORT      remove a report (named exactly: id, or body and year)
    reportbot [--db PATH] sql "SELECT ..."   read-only SQL
    reportbot [--db PATH] cells --json [REPORT]
    reportbot [--db PATH] ask [--json] [QUESTION]
    reportbot [--db PATH] chat               terminal chat, same engine as the bot
    reportbot [--db PATH] serve              run the Telegram bot
    reportbot [--db PATH] leads [REPORT] [--kind K] [--json]   story leads, ranked and sourced
    reportbot [--db PATH] export [--format xlsx|csv] OUT   the store for spreadsheets
    reportbot [--db PATH] datasette [--port N]   browse the store in Datasette
    reportbot [--db PATH] backup PATH        a consistent copy, also while the bot runs
    reportbot [--db PATH] migrate            upgrade an older store's schema

Commands that only read (reports, cells, ask, check, sql) open the store read-only and write
nothing, so they never wait for nor block a load; loads commit report by report.
"""
from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterator, TextIO

from bot.catalog import canonical_bodies
from bot.engine import Engine
from bot.terminal import ChatInput, history_path, one_line, quiet_broken_pipe
from index.archives import unpack_reports
from index.errors import ReportbotError
from index.export import csv_bytes
from index.ingest import report_files
from index.leads import KINDS as LEAD_KINDS
from index.numbers import as_printed
from index.store import (MAX_OUTPUT_BYTES, backup_store, cell_rows, default_db_path, find_report, list_reports,
                         migrate_store, open_store, read_only_query)

SAMPLES_DIR = Path(__file__).resolve().parent.parent / "data" / "samples"


def _print(text: str, out: TextIO) -> None:
    out.write(text + "\n")
    out.flush()


def cmd_load(args: argparse.Namespace, out: TextIO) -> int:
    """Load files, folders and .zip archives; one line per file; exit 1 if any failed."""
    engine = Engine.open(args.db)
    failed = 0
    try:
        with tempfile.TemporaryDirectory(prefix="reportbot-") as unpacked:
            paths, names, failures = _expand_archives([Path(p) for p in args.paths], Path(unpacked))
            for shown, error in failures:
                failed += 1
                _print(f"✗ {one_line(shown)}: {one_line(str(error))}", out)
            for path, outcome in engine.load_many(report_files(paths)):
                shown = one_line(names.get(path, path.name))
                if isinstance(outcome, ReportbotError):
                    failed += 1
                    _print(f"✗ {shown}: {one_line(str(outcome))}", out)
                    continue
                state = "未变化" if outcome.unchanged else ("已替换旧版本" if outcome.replaced else "已载入")
                _print(one_line(f"✓ {shown}: {outcome.body} {outcome.year}年，{outcome.cells}个数字，"
                                f"{len(outcome.findings)}处对不上，{state}；{outcome.reading()}"), out)
    finally:
        engine.close()
    return 1 if failed else 0


# A .zip given to `load` is unpacked as the bot unpacks an upload: at most 50 files, 100 MB.
ZIP_MAX_TOTAL_BYTES = 100 * 1024 * 1024


def _expand_archives(paths: list[Path], into: Path) -> tuple[list[Path], dict[Path, str], list[tuple[str, ReportbotError]]]:
    """Replace each .zip by the files it holds; name those files "archive.zip/member" in output.

    The bot's own unpacking (index/archives.py): bounded count and size, no "../", GBK names.
    """
    expanded: list[Path] = []
    names: dict[Path, str] = {}
    failures: list[tuple[str, ReportbotError]] = []
    for number, path in enumerate(paths):
        if path.suffix.lower() != ".zip" or not path.is_file():
            expanded.append(path)
            continue
        try:
            members = unpack_reports(path, into / str(number), max_total_bytes=ZIP_MAX_TOTAL_BYTES)
        except ReportbotError as error:
            failures.append((path.name, error))
            continue
        for member, unpacked in members:
            expanded.append(unpacked)
            names[unpacked] = f"{path.name}/{member}"
    return expanded, names, failures


def cmd_reports(args: argparse.Namespace, out: TextIO) -> int:
    """List the loaded reports."""
    db = open_store(args.db, read_only=True)
    try:
        reports = list_reports(db)
    finally:
        db.close()
    if args.json:
        # One body, one name across its years and spellings (河北省工信厅 2019 = 河北省工业和信息化厅);
        # printed_body is the name as this report prints it.
        names = canonical_bodies(reports)
        for r in reports:
            _print(json.dumps({"id": r.id, "body_id": r.body_id, "body": names.get(r.body_id or r.body, r.body),
                               "region": r.region, "region_code": r.region_code, "level": r.level, "year": r.year,
                               "title": r.title, "source_name": r.source_name, "printed_body": r.body},
                              ensure_ascii=False), out)
        return 0
    if not reports:
        _print("库里还没有报告。用 reportbot load PATH 载入。", out)
    for r in reports:
        _print(f"{r.id}\t{r.region}\t{r.year}\t{r.cells}个数字\t{r.findings}处对不上\t{r.title}", out)
    return 0


def cmd_check(args: argparse.Namespace, out: TextIO) -> int:
    """Print the consistency findings of one report or all."""
    engine = Engine(args.db, read_only=True)
    try:
        _print(engine.check(args.report).to_text(), out)
    finally:
        engine.close()
    return 0


def cmd_remove(args: argparse.Namespace, out: TextIO) -> int:
    """Remove the one report named exactly; a partial name lists the candidates and removes nothing."""
    engine = Engine(args.db)
    try:
        removed = engine.remove(args.report)
    finally:
        engine.close()
    _print(f"已删除：{removed.title}（编号 {removed.id}，{removed.label}，{removed.cells}个数字）", out)
    return 0


def cmd_sql(args: argparse.Namespace, out: TextIO) -> int:
    """Run a read-only query and print tab-separated rows."""
    result = read_only_query(args.db, args.query, max_rows=args.max_rows, max_bytes=args.max_bytes)
    _print("\t".join(result.columns), out)
    for row in result.rows:
        _print("\t".join(_text(v) for v in row), out)
    if result.truncated:
        _print(f"……{result.limit}。", out)
    return 0


def _text(value: object) -> str:
    """A value as printed by `sql`: counts as integers (88300, not 88300.0), blank as nothing."""
    if value is None:
        return ""
    if isinstance(value, float):
        return str(as_printed(value))
    return str(value)


def cmd_cells(args: argparse.Namespace, out: TextIO) -> int:
    """Print stored cells, one JSON object a line."""
    db = open_store(args.db, read_only=True)
    ids = [find_report(db, args.report).id] if args.report else None
    for cell in cell_rows(db, report_ids=ids):
        record = {"report": cell.report, "region": cell.region, "year": cell.year, "field": cell.field,
                  "applicant": cell.applicant, "value": as_printed(cell.value), "inferred": cell.inferred,
                  "derived": cell.derived, "unit": cell.unit, "label": cell.label, "raw": cell.raw}
        if args.json:
            _print(json.dumps(record, ensure_ascii=False), out)
        else:
            _print(f"{cell.region}\t{cell.year}\t{cell.field}\t{cell.applicant or ''}\t{cell.raw}", out)
    return 0


def _questions(args: argparse.Namespace, stdin: TextIO) -> Iterator[str]:
    """The question given, or each line of standard input as it comes (a long-running loop)."""
    if args.question:
        yield " ".join(args.question)
        return
    for line in iter(stdin.readline, ""):
        if line.strip():
            yield line.strip()


def cmd_ask(args: argparse.Namespace, out: TextIO, stdin: TextIO = sys.stdin) -> int:
    """Answer one question, or one a line from standard input, each from the store as it is then."""
    engine = Engine.open(args.db, read_only=True)
    try:
        for question in _questions(args, stdin):
            answer = engine.ask(question)
            _print(json.dumps(answer.to_json(), ensure_ascii=False) if args.json else answer.to_text() + "\n", out)
    finally:
        engine.close()
    return 0


_CHAT_COMMANDS = ("输入 /help 看能问什么，/reports 看报告列表，/check 看数字对不上的地方，/leads 看值得追问的线索，"
                  "/csv 把上一个表格存成文件，/quit 退出。")


def cmd_chat(args: argparse.Namespace, out: TextIO, stdin: TextIO = sys.stdin) -> int:
    """A terminal chat with the bot's engine; follow-ups work as in Telegram."""
    from bot.leads import leads_text, named_scope

    engine = Engine.open(args.db)
    if not engine.reports():
        _print(f"库里还没有报告，先载入自带的样本报告（{SAMPLES_DIR}）……", out)
        for path in report_files([SAMPLES_DIR]):
            engine.load(path)
    _print("reportbot 终端对话。直接输入问题，例如：", out)
    for example in engine.examples():
        _print(f"  {example}", out)
    _print(_CHAT_COMMANDS, out)
    context = None
    table: Sequence[Sequence[str]] = ()
    try:
        with ChatInput(stdin, out, history=history_path(args.db)) as lines:
            while (line := lines.read("> ")) is not None:
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
                    elif question == "/csv":
                        text = _table_file(table, args.db)
                    elif question == "/leads" or question.startswith("/leads "):
                        name = question[len("/leads"):].strip()
                        leads = engine.leads(name or None)
                        text = leads_text(leads, scope=named_scope(name))
                        text += "\n每条线索的出处：reportbot leads --json。" if leads else ""
                    elif question.startswith("/") and question.split()[0] != "/help":
                        text = f"没有 {question.split()[0]} 这个命令。{_CHAT_COMMANDS}"
                    else:
                        answer = engine.ask(question, context=context)
                        context = answer.intent or context
                        table = answer.table or table
                        text = answer.to_text()
                        if answer.choices:
                            text += "\n" + "\n".join(f"  /report {c.report_id}  {c.label}" for c in answer.choices)
                except ReportbotError as error:
                    text = str(error)
                _print(text + "\n", out)
    finally:
        engine.close()
    return 0


def _table_file(table: Sequence[Sequence[str]], db: Path) -> str:
    """The chat's /csv, as in Telegram: the last answer's whole table (a long ranking's every
    row), written beside the store as a CSV Excel opens."""
    if not table:
        return "还没有可导出的表格：先问一个有数字的问题（例如排名），再输入 /csv。"
    path = Path(db).resolve().with_name(f"reportbot-{datetime.now():%Y%m%d-%H%M%S}.csv")
    path.write_bytes(csv_bytes(list(table)))
    return f"已存为 {path}（{len(table) - 1}行）。"


def cmd_serve(args: argparse.Namespace, out: TextIO) -> int:
    """Run the Telegram bot (long polling, or a webhook when REPORTBOT_WEBHOOK_URL is set)."""
    from bot.settings import Settings
    from handlers.app import run

    run(Settings.from_env(db_path=args.db))
    return 0


def cmd_backup(args: argparse.Namespace, out: TextIO) -> int:
    """Write a consistent copy of the store with SQLite's online backup, also while the bot runs."""
    reports, size = backup_store(args.db, args.path)
    _print(f"已备份到 {args.path}：{reports} 份报告，{size / 1024 / 1024:.1f} MB（单个文件，可直接复制或打开）。", out)
    return 0


def cmd_migrate(args: argparse.Namespace, out: TextIO) -> int:
    """Upgrade the store's schema to this version of the code (loads do it too)."""
    before, after = migrate_store(args.db)
    engine = Engine(args.db)
    try:
        engine.index.load()  # the term ids and counts a new format needs, and the kept index (index/search.py)
    finally:
        engine.close()
    _print(f"数据库格式：{before} → {after}。" if before != after else f"数据库已是最新格式（{after}），没有改动。", out)
    return 0


def cmd_leads(args: argparse.Namespace, out: TextIO) -> int:
    """Print the story leads of a report, a place or every report, ranked (docs/leads.md)."""
    from bot.leads import lead_detail, leads_text, named_scope

    engine = Engine(args.db, read_only=True)
    try:
        leads = engine.leads(args.report, kinds=tuple(args.kind or ()))
    finally:
        engine.close()
    if args.json:
        for lead in leads:
            _print(json.dumps(lead.to_json(), ensure_ascii=False), out)
        return 0
    _print(leads_text(leads, scope=named_scope(args.report), limit=None), out)
    for number, lead in enumerate(leads, start=1):
        _print(f"\n{number}. " + lead_detail(lead), out)
    return 0


def cmd_export(args: argparse.Namespace, out: TextIO) -> int:
    """Write the store for spreadsheets: one .xlsx (a sheet a table) or a folder of CSV files."""
    from index.export import export_csv, export_xlsx

    kind = args.format or ("xlsx" if args.out.suffix.lower() == ".xlsx" else "csv")
    write = export_xlsx if kind == "xlsx" else export_csv
    done = write(args.db, args.out, headers=args.headers)
    rows = {}
    for exported in done:
        rows[exported.name] = rows.get(exported.name, 0) + exported.rows
    where = args.out if kind == "xlsx" else f"{args.out}{'' if str(args.out).endswith('/') else '/'}"
    _print(f"已导出 {len(rows)} 张表到 {one_line(str(where))}：{rows.get('reports', 0)} 份报告，"
           f"{rows.get('cells', 0)} 个数字。", out)
    return 0


def cmd_datasette(args: argparse.Namespace, out: TextIO) -> int:
    """Serve the store in Datasette with its Chinese titles, queries and full-text search."""
    try:
        from bot.browse import serve
    except ImportError as error:
        raise ReportbotError(f"没有安装 Datasette（{error}）：运行 pip install -e \".[datasette]\" 后再试。") from error
    serve(args.db, host=args.host, port=args.port)
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with help text for every command."""
    parser = argparse.ArgumentParser(prog="reportbot", description="政府信息公开工作年度报告问答机器人 (answers about government information-disclosure annual reports)")
    parser.add_argument("--db", type=Path, default=None, help="SQLite 数据库文件，默认 $REPORTBOT_DB 或 data/reports.db (SQLite database; default: $REPORTBOT_DB or data/reports.db)")
    sub = parser.add_subparsers(dest="command", required=True)
    commands: dict[str, tuple[Callable, str]] = {
        "load": (cmd_load, "载入报告文件、文件夹或 zip 压缩包（txt、md、docx、doc、pdf、html） (load report files, folders or .zip archives)"),
        "reports": (cmd_reports, "列出已载入的报告 (list the loaded reports)"),
        "check": (cmd_check, "报告自己的数字对不上的地方（勾稽关系），不给报告则全部 (consistency findings of a report, or all)"),
        "remove": (cmd_remove, "删除一份报告：编号，或机关加年度 (remove a report: by id, or body and year)"),
        "sql": (cmd_sql, "在数据库上运行只读的 SELECT 查询 (run a read-only SELECT on the store)"),
        "cells": (cmd_cells, "输出存储的表格数字 (print stored table cells)"),
        "ask": (cmd_ask, "回答一个问题，不给问题则从标准输入每行读一个 (answer a question, or one a line from standard input)"),
        "chat": (cmd_chat, "在终端里和机器人对话，库是空的时先载入自带样本 (chat in the terminal with the bot's engine)"),
        "serve": (cmd_serve, "运行 Telegram 机器人，需要 TELEGRAM_BOT_TOKEN (run the Telegram bot)"),
        "leads": (cmd_leads, "值得记者追问的线索：自相矛盾、正文与表格不符、同级异常、年度突变、缺失、套话雷同（docs/leads.md） (story leads, ranked and sourced)"),
        "backup": (cmd_backup, "把数据库一致地复制到 PATH，机器人运行时也安全 (write a consistent copy of the store to PATH, safe while the bot runs)"),
        "migrate": (cmd_migrate, "升级旧数据库的格式，只读命令从不升级 (upgrade an older store's schema; read-only commands never do)"),
        "export": (cmd_export, "导出给电子表格：一个 Excel 工作簿（每张表一个工作表）或每张表一个 CSV 文件 "
                               "(export the store as an .xlsx workbook or CSV files)"),
        "datasette": (cmd_datasette, "在浏览器里用 Datasette 浏览数据库：中文标题、常用查询、中文全文搜索；"
                                     "需要 [datasette] 扩展 (browse the store in Datasette)"),
    }
    parsers = {}
    for name, (func, help_text) in commands.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(func=func)
        parsers[name] = p
    parsers["load"].add_argument("paths", nargs="+", help="文件、文件夹或 .zip 压缩包 (files, folders or .zip archives)")
    parsers["check"].add_argument("report", nargs="?", help="报告编号，或机关加年度，如 伊春市2023；不给则全部 (report id, or body and year; all if none)")
    parsers["remove"].add_argument("report", help="报告编号，或完整的机关加年度，如 伊春市2023；名称不完整时只列出候选，不删除 "
                                   "(report id, or body and year exactly; a partial name removes nothing)")
    parsers["sql"].add_argument("query", help="一条 SELECT 语句 (one SELECT statement)")
    parsers["sql"].add_argument("--max-rows", type=int, default=200, help="最多输出多少行，默认 200 (rows to print at most)")
    parsers["sql"].add_argument("--max-bytes", type=int, default=MAX_OUTPUT_BYTES,
                                help=f"最多输出多少字节，默认 {MAX_OUTPUT_BYTES} (bytes of results to print at most)")
    parsers["backup"].add_argument("path", type=Path, help="要写入的副本，不能已经存在 (the copy to write; must not exist yet)")
    parsers["reports"].add_argument("--json", action="store_true",
                                    help="每份报告输出一行 JSON：id、body_id、body、region、region_code、level、year、title、source_name (one JSON object a line)")
    parsers["cells"].add_argument("--json", action="store_true", help="每个数字输出一行 JSON (one JSON object a line)")
    parsers["cells"].add_argument("report", nargs="?", help="只输出这份报告：编号，或机关加年度 (only this report)")
    parsers["ask"].add_argument("--json", action="store_true", help="每个回答输出一行 JSON，见 docs/cli.md (one JSON object a line)")
    parsers["ask"].add_argument("question", nargs="*", help="问题；不给则从标准输入每行读一个 (the question; none = one a line from standard input)")
    parsers["leads"].add_argument("report", nargs="?", help="报告编号、地名或机关（可带年度，如 伊春市2023）；不填为全部报告 (a report, place or body; all if none)")
    parsers["leads"].add_argument("--kind", action="append", choices=LEAD_KINDS,
                                  help="只看这一类（可重复）：" + "、".join(LEAD_KINDS) + " (only this kind; repeatable)")
    parsers["leads"].add_argument("--json", action="store_true",
                                  help="每条线索输出一行 JSON：kind、report、region、body、year、claim、why、score、sources (one JSON object a line)")
    parsers["export"].add_argument("out", type=Path, help="xlsx 文件，或放 CSV 文件的文件夹 (the .xlsx file, or a folder for CSV files)")
    parsers["export"].add_argument("--format", choices=("xlsx", "csv"),
                                   help="xlsx：一个工作簿，每张表一个工作表；csv：每张表一个 UTF-8（带 BOM）文件；"
                                        "默认按 OUT 的扩展名 (default: by OUT's suffix)")
    parsers["export"].add_argument("--headers", choices=("zh", "en"), default="zh",
                                   help="表头用中文标签（zh，默认）或英文列名（en） (Chinese labels or column names)")
    parsers["datasette"].add_argument("--host", default="127.0.0.1",
                                      help="监听地址，默认 127.0.0.1（只有本机能打开） (address to listen on)")
    parsers["datasette"].add_argument("--port", type=int, default=8001, help="端口，默认 8001 (port)")
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
    except sqlite3.Error as error:
        print(f"数据库出错（{error}）：库里已提交的内容不受影响。", file=sys.stderr)
        return 1
    except BrokenPipeError:  # `reportbot cells --json | head`: the reader left
        return quiet_broken_pipe()
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
