"""The bot end to end: the real Application and engine, real HTTP to a fake Bot API on 127.0.0.1.

Each test builds the bot from settings whose two URL settings point at the fake server, feeds it
updates as Telegram would, and reads back what the user was sent.
"""
from __future__ import annotations

import asyncio
import html
import io
import re
import time
import zipfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from telegram import Update
from telegram.ext import Application

from bot.engine import Engine
from bot.settings import Settings
from handlers import commands
from handlers.admin import REFUSED
from handlers.app import build_application
from handlers.errors import APOLOGY
from handlers.ratelimit import TOO_FAST
from handlers.services import SERVICES_KEY
from tests.auxil.fake_bot_api import TOKEN, FakeBotApi
from tests.auxil.reports import QINGSHAN, SAMPLE_COUNT, YICHUN_OFFICE_2022
from tests.auxil.updates import (
    ADMIN_ID,
    JOURNALIST_ID,
    callback_query,
    command,
    document_message,
    text_message,
)


@asynccontextmanager
async def running_bot(
    bot_api: FakeBotApi, db_path: Path, **env: str
) -> AsyncIterator[Application]:
    """Build the bot with its URLs pointing at the fake API; start and stop it like run_polling."""
    settings = Settings.from_mapping(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "REPORTBOT_ADMINS": str(ADMIN_ID),
            "REPORTBOT_BOT_API_URL": bot_api.api_url,
            "REPORTBOT_BOT_FILE_URL": bot_api.file_url,
            **env,
        },
        db_path=db_path,
    )
    application = build_application(settings)
    await application.initialize()
    await application.post_init(application)
    try:
        yield application
    finally:
        await application.shutdown()
        await application.post_shutdown(application)


@pytest.fixture
async def app(bot_api: FakeBotApi, db_path: Path) -> AsyncIterator[Application]:
    async with running_bot(bot_api, db_path) as application:
        yield application


async def send(application: Application, update: dict) -> None:
    """Process one update as if polling had fetched it."""
    await application.process_update(Update.de_json(update, application.bot))


def load_into(db_path: Path, tmp_path: Path, name: str, text: str) -> None:
    """Load an extra report into the database before the bot opens it."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    engine = Engine.open(db_path)
    try:
        engine.load(path)
    finally:
        engine.close()


def engine_of(application: Application) -> Engine:
    return application.bot_data[SERVICES_KEY].engine


def report_count(application: Application) -> int:
    return len(engine_of(application).reports())


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("reports/", b"")
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


# Journalists


async def test_question_gets_the_number_and_its_source(
    app: Application, bot_api: FakeBotApi
) -> None:
    await send(app, text_message("伊春市2023年行政处罚决定有多少件？"))
    methods = [c.method for c in bot_api.calls if c.chat_id == JOURNALIST_ID]
    assert methods == ["sendChatAction", "sendMessage"]
    assert bot_api.calls_to("sendChatAction")[0].params["action"] == "typing"
    reply = bot_api.calls_to("sendMessage")[0]
    assert reply.params["parse_mode"] == "HTML"
    assert "88300" in reply.text
    assert "来源：《伊春市2023年政府信息公开工作年度报告》" in reply.text


async def test_follow_up_reuses_the_last_question(app: Application, bot_api: FakeBotApi) -> None:
    await send(app, text_message("伊春市行政处罚多少件"))
    await send(app, text_message("那兴隆县呢？"))
    first, second = bot_api.texts(JOURNALIST_ID)
    assert "88300" in first
    assert "215" in second and "兴隆县" in second


async def test_ambiguous_name_asks_with_buttons(
    bot_api: FakeBotApi, db_path: Path, tmp_path: Path
) -> None:
    load_into(db_path, tmp_path, "yichun-2022.txt", YICHUN_OFFICE_2022)
    async with running_bot(bot_api, db_path) as app:
        await send(app, text_message("伊春市行政处罚多少件"))
        asked = bot_api.calls_to("sendMessage")[-1]
        assert "可能指" in asked.text
        buttons = [row[0] for row in asked.json("reply_markup")["inline_keyboard"]]
        assert [b["text"] for b in buttons] == ["伊春市2023年", "伊春市人民政府办公室2022年"]
        for button in buttons:
            assert len(button["callback_data"].encode()) < 64
            assert re.fullmatch(r"[a-z]+:\d+:\d+", button["callback_data"])  # ids, not names
        await send(app, callback_query(buttons[1]["callback_data"], message_id=1000))
    assert len(bot_api.calls_to("answerCallbackQuery")) == 1
    assert bot_api.calls_to("editMessageReplyMarkup")  # the buttons go away once used
    chosen = bot_api.calls_to("sendMessage")[-1].text
    assert "88300" in chosen and "伊春市人民政府办公室2022年" in chosen


async def test_ranking_comes_with_a_chart(app: Application, bot_api: FakeBotApi) -> None:
    await send(app, text_message("哪个地方的行政处罚最多？"))
    assert "伊春市" in bot_api.calls_to("sendMessage")[0].text
    (photo,) = bot_api.calls_to("sendPhoto")
    name, png = photo.files["photo"]
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and name.endswith(".png")
    assert "行政处罚" in photo.text


async def test_csv_sends_the_last_table(app: Application, bot_api: FakeBotApi) -> None:
    await send(app, command("/csv"))
    assert "先问一个有数字的问题" in bot_api.texts(JOURNALIST_ID)[-1]
    await send(app, text_message("哪个地方的行政处罚最多？"))
    await send(app, command("/csv"))
    (document,) = bot_api.calls_to("sendDocument")
    name, content = document.files["document"]
    assert name.endswith(".csv")
    assert content.startswith(b"\xef\xbb\xbf")  # a BOM, so Excel reads UTF-8
    rows = content.decode("utf-8-sig").splitlines()
    assert rows[0].startswith("地区,年度") and "伊春市,2023" in rows[1] and "88300" in rows[1]


async def test_help_reports_report_and_check(app: Application, bot_api: FakeBotApi) -> None:
    (registered,) = bot_api.calls_to("setMyCommands")
    assert {c["command"] for c in registered.json("commands")} >= {"help", "reports", "report"}
    await send(app, command("/help"))
    examples = engine_of(app).examples()
    assert all(example in bot_api.texts()[-1] for example in examples)
    await send(app, command("/reports"))
    listing = bot_api.texts()[-1]
    assert listing.count("年政府信息公开工作年度报告") == SAMPLE_COUNT
    assert "reply_markup" not in bot_api.calls_to("sendMessage")[-1].params  # one page, no buttons
    await send(app, command("/report 伊春市"))
    assert "88300" in bot_api.texts()[-1]
    await send(app, command("/check 兴隆县"))
    assert "兴隆县" in bot_api.texts()[-1]
    await send(app, command("/report 火星市"))
    assert "火星市" in bot_api.texts()[-1] and APOLOGY not in bot_api.texts()[-1]
    await send(app, command("/report"))
    assert "用法" in bot_api.texts()[-1]


async def test_long_report_list_is_paged(
    app: Application, bot_api: FakeBotApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(commands, "REPORTS_PER_PAGE", 2)
    await send(app, command("/reports"))
    first = bot_api.calls_to("sendMessage")[-1]
    assert "第 1/3 页" in first.text
    (next_button,) = first.json("reply_markup")["inline_keyboard"][0]
    await send(app, callback_query(next_button["callback_data"], message_id=1000))
    (edited,) = bot_api.calls_to("editMessageText")
    assert "第 2/3 页" in edited.text and "3." in edited.text


async def test_report_text_is_shown_literally(
    bot_api: FakeBotApi, db_path: Path, tmp_path: Path
) -> None:
    load_into(db_path, tmp_path, "qingshan.txt", QINGSHAN)
    async with running_bot(bot_api, db_path) as app:
        await send(app, text_message("青山市政务公开存在哪些问题？"))
    reply = bot_api.texts(JOURNALIST_ID)[-1]
    assert "&lt;b&gt;&amp;&lt;/b&gt;" in reply
    assert "<b>&</b>" not in reply


# Admins


async def test_admin_upload_is_answerable_at_once(app: Application, bot_api: FakeBotApi) -> None:
    content = QINGSHAN.encode("utf-8")
    bot_api.add_file("doc-1", content, "documents/file_7.txt")
    await send(app, document_message("doc-1", "青山市2023年报.txt", len(content)))
    assert [c.params["file_id"] for c in bot_api.calls_to("getFile")] == ["doc-1"]
    progress = bot_api.texts(ADMIN_ID)
    assert progress[:2] == ["正在读取…", "正在解析…"]
    assert "已载入：青山市2023年政府信息公开工作年度报告" in progress[-1]
    assert [c.method for c in bot_api.calls if c.chat_id == ADMIN_ID][-2:] == [
        "editMessageText",
        "editMessageText",
    ]
    await send(app, text_message("青山市2023年行政处罚决定有多少件？"))
    assert "88300" in bot_api.texts(JOURNALIST_ID)[-1]
    assert report_count(app) == SAMPLE_COUNT + 1


async def test_non_admin_upload_is_refused(app: Application, bot_api: FakeBotApi) -> None:
    bot_api.add_file("doc-1", QINGSHAN.encode("utf-8"), "documents/file_7.txt")
    await send(app, document_message("doc-1", "青山.txt", 100, user_id=JOURNALIST_ID))
    assert bot_api.texts(JOURNALIST_ID) == [REFUSED]
    assert bot_api.calls_to("getFile") == []
    assert report_count(app) == SAMPLE_COUNT


async def test_broken_file_gets_a_clear_reply(app: Application, bot_api: FakeBotApi) -> None:
    bot_api.add_file("doc-1", b"%PDF-1.4\n1 0 obj garbage", "documents/file_8.pdf")
    await send(app, document_message("doc-1", "年报.pdf", 24))
    summary = bot_api.texts(ADMIN_ID)[-1]
    assert summary.startswith("没有加载：") and "PDF" in summary
    assert report_count(app) == SAMPLE_COUNT


async def test_too_large_file_is_not_downloaded(app: Application, bot_api: FakeBotApi) -> None:
    await send(app, document_message("doc-1", "年报.pdf", 21 * 1024 * 1024))
    assert "文件太大" in bot_api.texts(ADMIN_ID)[-1]
    assert bot_api.calls_to("getFile") == []


async def test_zip_loads_each_report(app: Application, bot_api: FakeBotApi) -> None:
    content = zipped(
        {"reports/青山.txt": QINGSHAN.encode("utf-8"), "reports/坏的.docx": b"PK\x03\x04garbage"}
    )
    bot_api.add_file("zip-1", content, "documents/file_9.zip")
    await send(app, document_message("zip-1", "年报.zip", len(content)))
    summary = bot_api.texts(ADMIN_ID)[-1]
    assert summary.startswith("压缩包里的 2 个文件")
    assert "✅ 青山.txt：青山市2023年政府信息公开工作年度报告" in summary
    assert "❌ 坏的.docx：Word 文件已损坏" in summary
    assert report_count(app) == SAMPLE_COUNT + 1


async def test_scanned_pdf_shows_ocr_progress_then_the_load_line(
    app: Application, bot_api: FakeBotApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A PDF of two page images, read by a fake OCR (the real one is tested in test_ocr.py)."""
    from index.readers import ocr
    from tests.auxil.scans import build_blank_pages_pdf, row_boxes, text_boxes

    pages = iter([
        text_boxes("青山市2023年政府信息公开工作年度报告", "三、收到和处理政府信息公开申请情况"),
        row_boxes(("一、本年新收政府信息公开申请数量", "137", "3", "0", "2", "0", "4", "146"), top=100),
    ])
    monkeypatch.setattr(ocr, "default_recognizer", lambda: lambda image: next(pages))
    content = build_blank_pages_pdf(tmp_path / "scan.pdf", 2).read_bytes()
    bot_api.add_file("scan-1", content, "documents/file_10.pdf")
    await send(app, document_message("scan-1", "青山市2023年报（扫描件）.pdf", len(content)))
    shown = bot_api.texts(ADMIN_ID)
    assert shown[:5] == ["正在读取…", "正在解析…", "正在识别扫描件：第 1/2 页…", "正在识别扫描件：第 2/2 页…",
                         "扫描件识别完毕，正在解析…"]
    assert shown[-1].startswith("已载入：青山市2023年政府信息公开工作年度报告")
    assert "文字识别" in shown[-1]
    assert report_count(app) == SAMPLE_COUNT + 1


async def test_remove_asks_with_a_button_then_says_what_it_removed(app: Application, bot_api: FakeBotApi) -> None:
    await send(app, command("/remove 兴隆县", user_id=JOURNALIST_ID))
    assert bot_api.texts(JOURNALIST_ID) == [REFUSED]
    await send(app, command("/remove 兴隆县2023", user_id=ADMIN_ID))
    asked = bot_api.calls_to("sendMessage")[-1]
    assert "确定删除《兴隆县人民政府2023年政府信息公开工作年度报告》" in asked.text
    confirm, cancel = asked.json("reply_markup")["inline_keyboard"][0]
    assert report_count(app) == SAMPLE_COUNT  # nothing removed before the button
    await send(app, callback_query(confirm["callback_data"], message_id=1000, user_id=JOURNALIST_ID))
    assert report_count(app) == SAMPLE_COUNT  # a journalist's press removes nothing
    await send(app, callback_query(confirm["callback_data"], message_id=1000, user_id=ADMIN_ID))
    assert bot_api.texts(ADMIN_ID)[-1].startswith("已删除：《兴隆县人民政府2023年政府信息公开工作年度报告》（编号 ")
    assert report_count(app) == SAMPLE_COUNT - 1
    await send(app, callback_query(confirm["callback_data"], message_id=1000, user_id=ADMIN_ID))
    assert "已经不在库里" in bot_api.texts(ADMIN_ID)[-1]  # a second press removes nothing else


async def test_remove_with_a_partial_name_lists_candidates_and_removes_nothing(
    app: Application, bot_api: FakeBotApi
) -> None:
    await send(app, command("/remove 伊", user_id=ADMIN_ID))
    listed = bot_api.texts(ADMIN_ID)[-1]
    assert "没有删除任何报告" in listed and "伊春市2023" in listed and "伊川县2023" in listed
    assert "reply_markup" not in bot_api.calls_to("sendMessage")[-1].params
    await send(app, command("/remove 伊春市2023", user_id=ADMIN_ID))
    (_confirm, cancel) = bot_api.calls_to("sendMessage")[-1].json("reply_markup")["inline_keyboard"][0]
    await send(app, callback_query(cancel["callback_data"], message_id=1000, user_id=ADMIN_ID))
    assert bot_api.texts(ADMIN_ID)[-1] == "已取消，没有删除任何报告。"
    assert report_count(app) == SAMPLE_COUNT


async def test_the_running_bot_answers_from_a_report_another_process_loaded(
    app: Application, bot_api: FakeBotApi, db_path: Path, tmp_path: Path
) -> None:
    await send(app, text_message("青山市行政处罚多少件"))
    assert "88300" not in bot_api.texts(JOURNALIST_ID)[-1]
    load_into(db_path, tmp_path, "qingshan.txt", QINGSHAN)  # another engine, as `reportbot load` is
    await send(app, text_message("青山市行政处罚多少件"))
    assert "青山市2023年" in bot_api.texts(JOURNALIST_ID)[-1] and "88300件" in bot_api.texts(JOURNALIST_ID)[-1]
    other = Engine(db_path)
    try:
        other.remove("青山市2023")
    finally:
        other.close()
    await send(app, command("/reports"))
    assert "青山市" not in bot_api.texts(JOURNALIST_ID)[-1]


async def test_sql_refuses_writes_and_non_admins(app: Application, bot_api: FakeBotApi) -> None:
    await send(app, command("/sql DELETE FROM reports", user_id=ADMIN_ID))
    assert "只读" in bot_api.texts(ADMIN_ID)[-1]
    await send(app, command("/sql SELECT count(*) FROM reports", user_id=JOURNALIST_ID))
    assert bot_api.texts(JOURNALIST_ID) == [REFUSED]
    assert report_count(app) == SAMPLE_COUNT
    await send(app, command("/sql SELECT count(*) AS n FROM reports", user_id=ADMIN_ID))
    assert bot_api.texts(ADMIN_ID)[-1] == "<pre>n\n5</pre>"


async def test_long_answers_are_split_and_many_rows_sent_as_csv(
    app: Application, bot_api: FakeBotApi
) -> None:
    query = "/sql SELECT id, text FROM passages ORDER BY length(text) DESC LIMIT 50"
    await send(app, command(query, user_id=ADMIN_ID))
    parts = bot_api.texts(ADMIN_ID)
    assert len(parts) > 1
    for part in parts:
        assert len(part) <= 4096
        assert part.startswith("<pre>") and part.endswith("</pre>") and part.count("<pre>") == 1
    assert sum(part.count("\n") + 1 for part in parts) == 51  # header and 50 rows, none lost
    # One line far over the limit is cut too, but never inside an entity such as &amp;.
    one_long_row = "SELECT group_concat(text, ' & ') AS x FROM passages"
    (value,), = engine_of(app).sql(one_long_row).rows
    await send(app, command(f"/sql {one_long_row}", user_id=ADMIN_ID))
    cut = bot_api.texts(ADMIN_ID)[len(parts) :]
    assert len(cut) > 1 and all(len(part) <= 4096 for part in cut)
    body = "".join(part.removeprefix("<pre>").removesuffix("</pre>") for part in cut)
    assert body == "x\n" + html.escape(value)
    await send(app, command("/sql SELECT id, text FROM passages LIMIT 80", user_id=ADMIN_ID))
    (document,) = bot_api.calls_to("sendDocument")
    assert document.text.startswith("80 行")
    assert document.files["document"][1].decode("utf-8-sig").count("\r\n") == 81


# Robustness


async def test_rate_limit_per_user(bot_api: FakeBotApi, db_path: Path) -> None:
    async with running_bot(bot_api, db_path, REPORTBOT_QUESTIONS_PER_MINUTE="2") as app:
        for _ in range(3):
            await send(app, command("/help"))
        await send(app, command("/help", user_id=ADMIN_ID))
    replies = bot_api.texts(JOURNALIST_ID)
    assert replies[-1] == TOO_FAST and sum(TOO_FAST == r for r in replies) == 1
    assert TOO_FAST not in bot_api.texts(ADMIN_ID)


async def test_a_crash_is_reported_and_the_bot_goes_on(
    app: Application, bot_api: FakeBotApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = engine_of(app)
    ask = engine.ask

    def ask_or_crash(question: str, **kwargs: object) -> object:
        if "崩溃" in question:
            raise RuntimeError("index <broken>")
        return ask(question, **kwargs)

    monkeypatch.setattr(engine, "ask", ask_or_crash)
    await send(app, text_message("崩溃"))
    assert bot_api.texts(JOURNALIST_ID)[-1] == APOLOGY
    await send(app, text_message("崩溃", user_id=ADMIN_ID))
    details = "<code>RuntimeError: index &lt;broken&gt;</code>"  # escaped, as every value
    assert bot_api.texts(ADMIN_ID)[-1] == f"{APOLOGY}\n{details}"
    await send(app, text_message("伊春市2023年行政处罚决定有多少件？"))
    assert "88300" in bot_api.texts(JOURNALIST_ID)[-1]


async def test_a_slow_load_does_not_hold_up_other_chats(
    app: Application, bot_api: FakeBotApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = engine_of(app)
    load = engine.load

    def slow_load(*args: object, **kwargs: object) -> object:
        time.sleep(1.5)  # a long PDF being parsed, in the worker thread
        return load(*args, **kwargs)

    monkeypatch.setattr(engine, "load", slow_load)
    content = QINGSHAN.encode("utf-8")
    bot_api.add_file("doc-1", content, "documents/file_7.txt")
    upload = asyncio.create_task(send(app, document_message("doc-1", "青山.txt", len(content))))
    await bot_api.wait_for_async(lambda: "正在解析…" in bot_api.texts(ADMIN_ID))
    await send(app, text_message("伊春市2023年行政处罚决定有多少件？"))
    assert "88300" in bot_api.texts(JOURNALIST_ID)[-1]
    assert not upload.done()
    await upload
    assert "已载入" in bot_api.texts(ADMIN_ID)[-1]


async def test_real_polling_loop(bot_api: FakeBotApi, db_path: Path) -> None:
    """Application.start and updater.start_polling fetch the update with getUpdates."""
    async with running_bot(bot_api, db_path) as app:
        await app.updater.start_polling(poll_interval=0, timeout=1)
        await app.start()
        try:
            bot_api.add_update(text_message("伊春市2023年行政处罚决定有多少件？"))
            await bot_api.wait_for_async(lambda: "88300" in "".join(bot_api.texts()), 20)
        finally:
            await app.updater.stop()
            await app.stop()
    assert bot_api.calls_to("deleteWebhook")
    assert len(bot_api.calls_to("getUpdates")) >= 1
