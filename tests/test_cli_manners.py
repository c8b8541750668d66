"""The command line as a newsroom meets it: help in Chinese, a chat that helps and remembers,
a quiet end in a pipe, a .zip loads, one line per file, exports and Datasette."""
from __future__ import annotations

import csv
import io
import json
import os
import re
import select
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

from bot.cli import build_parser, main
from bot.terminal import ChatInput, history_path, one_line
from tests.auxil.reports import SAMPLES_DIR

CJK = re.compile(r"[\u4e00-\u9fff]")
REPORTBOT = [sys.executable, "-m", "bot.cli"]


def commands() -> dict:
    parser = build_parser()
    return parser._subparsers._group_actions[0].choices  # noqa: SLF001 - argparse keeps them there


# -- help in Chinese, English beside it


def test_every_command_and_option_has_chinese_help_with_english_beside_it() -> None:
    parser = build_parser()
    for action in parser._actions:  # noqa: SLF001
        if action.dest not in ("help", "command"):
            assert CJK.search(action.help or ""), action.dest
    for name, sub in commands().items():
        assert CJK.search(sub.description or ""), f"{name}: no Chinese description"
        assert re.search(r"\([A-Za-z][^()]*\)$", sub.description), f"{name}: no English beside the Chinese"
        for action in sub._actions:  # noqa: SLF001
            if action.dest != "help":
                assert CJK.search(action.help or ""), f"{name} {action.dest}: no Chinese help"
                assert re.search(r"\([A-Za-z][^()]*\)", action.help), f"{name} {action.dest}: no English"
    assert {"export", "datasette"} <= set(commands())


# -- one line per file, whatever the file is called


@pytest.mark.parametrize(("name", "shown"), [
    ("yichun-2023.txt", "yichun-2023.txt"),
    ("a\nb.txt", "a\\nb.txt"),
    ("c\r\t.txt", "c\\r\\t.txt"),
    ("\x1b[31mred.txt", "\\x1b[31mred.txt"),
    ("rtl\u202etxt.exe", "rtl\\u202etxt.exe"),
    ("伊春市　2023.txt", "伊春市　2023.txt"),
])
def test_one_line(name: str, shown: str) -> None:
    assert one_line(name) == shown and "\n" not in one_line(name)


def test_load_prints_one_line_per_file_whatever_its_name(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SAMPLES_DIR / "seda-2023.txt", folder / "色达\n2023.txt")
    (folder / "bad\r\nname.txt").write_bytes(b"")
    assert main(["--db", str(tmp_path / "r.db"), "load", str(folder)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2, lines  # loaded or refused, each file is one line
    assert any(re.match(r"[✓✗] 色达\\n2023\.txt: ", line) for line in lines), lines
    assert any(line.startswith("✗ bad\\r\\nname.txt: ") for line in lines), lines


# -- a .zip loads, as README says


def zipped(path: Path, files: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return path


def test_load_takes_a_zip(tmp_path: Path, capsys) -> None:
    archive = zipped(tmp_path / "reports.zip", {
        "年报/yichun-2023.txt": (SAMPLES_DIR / "yichun-2023.txt").read_bytes(),
        "seda-2023.txt": (SAMPLES_DIR / "seda-2023.txt").read_bytes(),
        "__MACOSX/._seda-2023.txt": b"\x00",
        "empty.txt": b"",
    })
    db = tmp_path / "r.db"
    assert main(["--db", str(db), "load", str(archive), str(SAMPLES_DIR / "xinglong-2023.txt")]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 4, lines
    assert any(line.startswith("✓ reports.zip/yichun-2023.txt: 伊春市 2023年") for line in lines)
    assert any(line.startswith("✓ reports.zip/seda-2023.txt: 色达县") for line in lines)
    assert any(line.startswith("✗ reports.zip/empty.txt: ") for line in lines)
    assert any(line.startswith("✓ xinglong-2023.txt") for line in lines)
    assert main(["--db", str(db), "reports"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 3


def test_a_damaged_zip_is_one_line_and_the_rest_loads(tmp_path: Path, capsys) -> None:
    damaged = tmp_path / "damaged.zip"
    damaged.write_bytes(b"PK\x03\x04 not really a zip")
    assert main(["--db", str(tmp_path / "r.db"), "load", str(damaged), str(SAMPLES_DIR / "seda-2023.txt")]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and lines[0].startswith("✗ damaged.zip: ") and lines[1].startswith("✓ seda-2023.txt")


# -- a closed pipe ends quietly


@pytest.mark.parametrize("command", [
    ["cells", "--json"],
    ["sql", "SELECT * FROM cells", "--max-rows", "100000"],
])
def test_a_closed_pipe_ends_quietly(samples_db: Path, command: list[str]) -> None:
    """`reportbot cells --json | head -n 1`: one line out, nothing on standard error."""
    writer = subprocess.Popen([*REPORTBOT, "--db", str(samples_db), *command], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, cwd=Path(__file__).parent.parent)
    first = writer.stdout.readline()
    writer.stdout.close()  # what head does after its line
    _, err = writer.communicate(timeout=120)
    assert first.strip()
    assert err.decode() == "", err.decode()
    assert writer.returncode in (0, 1)


def test_a_closed_pipe_through_the_shell(samples_db: Path) -> None:
    script = f"{' '.join(map(str, REPORTBOT))} --db {samples_db} cells --json | head -n 2"
    result = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=120,
                            cwd=Path(__file__).parent.parent)
    assert len(result.stdout.splitlines()) == 2 and result.stderr == ""


# -- the chat helps


def test_chat_answers_greetings_and_help_with_examples_from_the_reports(db_path: Path) -> None:
    from bot.cli import cmd_chat

    screen = io.StringIO()
    args = build_parser().parse_args(["--db", str(db_path), "chat"])
    assert cmd_chat(args, screen, stdin=io.StringIO("你好\n帮助\n/help\n")) == 0
    out = screen.getvalue()
    assert "没有找到" not in out
    assert "输入 /help 看能问什么" in out
    examples = re.findall(r"• (.+)", out)
    assert len(examples) >= 3 * 4, out  # three helps, each with examples
    names = ("伊川县", "伊春市", "兴隆县", "色达县", "辉县市")
    assert all(any(n in e for n in names) or "哪个地方" in e for e in examples)


def test_chat_csv_saves_the_last_table_beside_the_store(db_path: Path) -> None:
    """A ranking says 发送 /csv for its whole table: the chat writes it, as Telegram sends it."""
    from bot.cli import cmd_chat

    screen = io.StringIO()
    args = build_parser().parse_args(["--db", str(db_path), "chat"])
    assert cmd_chat(args, screen, stdin=io.StringIO("/csv\n哪个地方公开率最高\n/csv\n")) == 0
    out = screen.getvalue()
    assert "还没有可导出的表格" in out
    saved = Path(re.search(r"已存为 (\S+)（(\d+)行）", out).group(1))
    assert saved.parent == db_path.parent
    rows = list(csv.reader(io.StringIO(saved.read_bytes().decode("utf-8-sig"))))
    assert rows[0][:4] == ["地区", "年度", "指标", "数值"] and len(rows) == 6  # the header and five reports
    assert {row[0] for row in rows[1:]} == {"伊川县", "伊春市", "兴隆县", "色达县", "辉县市"}
    assert rows[1][3] == "100.0" and rows[1][4] == "%"  # a rate as the answer says it, not a fraction


def test_history_goes_home_or_beside_the_database(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("REPORTBOT_HISTORY", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert history_path(tmp_path / "r.db") == tmp_path / ".reportbot_history"
    monkeypatch.setenv("HOME", str(tmp_path / "missing"))
    assert history_path(tmp_path / "r.db") == tmp_path / "r.db.history"
    monkeypatch.setenv("REPORTBOT_HISTORY", str(tmp_path / "h"))
    assert history_path(tmp_path / "r.db") == tmp_path / "h"


def test_piped_chat_input_is_read_line_by_line() -> None:
    lines = ChatInput(io.StringIO("一\r\n二\n"), io.StringIO(), history=None)
    with lines:
        assert [lines.read(), lines.read(), lines.read()] == ["一", "二", None]


def test_chat_at_a_terminal_edits_lines_and_keeps_history(db_path: Path, tmp_path: Path) -> None:
    """A real pseudo-terminal: ↑ recalls the last question, and the history survives the session."""
    pytest.importorskip("readline")
    master, slave = os.openpty()
    env = {**os.environ, "HOME": str(tmp_path), "TERM": "xterm", "REPORTBOT_HISTORY": ""}
    chat = subprocess.Popen([*REPORTBOT, "--db", str(db_path), "chat"], stdin=slave, stdout=slave, stderr=slave,
                            env=env, cwd=Path(__file__).parent.parent, start_new_session=True)
    os.close(slave)
    screen = b""

    def until(done, timeout: float = 90) -> None:
        nonlocal screen
        deadline = time.monotonic() + timeout
        while not done(screen):
            assert time.monotonic() < deadline, screen.decode(errors="replace")[-2000:]
            if select.select([master], [], [], 1)[0]:
                screen += os.read(master, 65536)

    try:
        until(lambda text: b"/quit" in text)
        os.write(master, "伊春市2023年行政处罚多少件？\r".encode())
        until(lambda text: text.count(b"88300") >= 1)
        answered = screen.count(b"88300")
        os.write(master, b"\x1b[A\r")  # up arrow, enter: the same question again
        until(lambda text: text.count(b"88300") > answered)
        os.write(master, b"/quit\r")
        assert chat.wait(timeout=60) == 0
    finally:
        if chat.poll() is None:
            chat.kill()
        os.close(master)
    history = (tmp_path / ".reportbot_history").read_text(encoding="utf-8")
    assert "伊春市2023年行政处罚多少件？" in history or "\\344" in history  # readline may escape non-ASCII


# -- export and datasette from the command line


def test_export_commands(db_path: Path, tmp_path: Path, capsys) -> None:
    from openpyxl import load_workbook

    assert main(["--db", str(db_path), "export", "--format", "xlsx", str(tmp_path / "out.xlsx")]) == 0
    said = capsys.readouterr().out
    assert said.startswith("已导出") and "5 份报告" in said
    book = load_workbook(tmp_path / "out.xlsx", read_only=True)
    assert "表格数字" in book.sheetnames
    assert main(["--db", str(db_path), "export", "--format", "csv", str(tmp_path / "csv")]) == 0
    assert (tmp_path / "csv" / "cells.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert main(["--db", str(tmp_path / "missing.db"), "export", str(tmp_path / "x.xlsx")]) == 1
    assert "找不到数据库" in capsys.readouterr().err


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_datasette_command_serves_the_store(db_path: Path) -> None:
    pytest.importorskip("datasette")
    port = free_port()
    server = subprocess.Popen([*REPORTBOT, "--db", str(db_path), "datasette", "--port", str(port)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=Path(__file__).parent.parent)
    try:
        deadline = time.monotonic() + 90
        page = None
        while page is None:
            assert server.poll() is None, server.stderr.read().decode()
            assert time.monotonic() < deadline, "Datasette did not start"
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/reports/cells", timeout=5) as response:
                    page = response.read().decode()
            except OSError:
                time.sleep(0.5)
        assert "表格数字 · Table cells" in page
        search = f"http://127.0.0.1:{port}/reports/passages.json?_search=" + urllib.request.quote("存在问题")
        with urllib.request.urlopen(search, timeout=30) as response:
            assert json.loads(response.read())["rows"], "存在问题 found nothing"
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_every_command_is_in_the_cli_docs() -> None:
    """As sqlite-utils does: a command nobody documented is a test failure."""
    text = (Path(__file__).resolve().parent.parent / "docs" / "cli.md").read_text(encoding="utf-8")
    missing = [name for name in commands() if f"`{name}" not in text]
    assert missing == []


def test_chat_lists_leads_and_says_which_commands_there_are(db_path: Path) -> None:
    """/leads as in Telegram (兴隆县's two contradictions on the samples); an unknown command is named."""
    from bot.cli import cmd_chat

    screen = io.StringIO()
    args = build_parser().parse_args(["--db", str(db_path), "chat"])
    assert cmd_chat(args, screen, stdin=io.StringIO("/leads\n/leads 兴隆县\n/leads 北京市\n/lead\n")) == 0
    out = screen.getvalue()
    assert "所有报告：共有2条线索" in out and "兴隆县：共有2条线索" in out
    assert "没有找到“北京市”的报告" in out
    assert "没有 /lead 这个命令。" in out and "/leads 看值得追问的线索" in out
