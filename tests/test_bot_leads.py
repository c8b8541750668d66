"""/leads end to end: the real Application and engine, real HTTP to the fake Bot API on 127.0.0.1."""
from __future__ import annotations

import re

from telegram.ext import Application

from tests.auxil.fake_bot_api import FakeBotApi
from tests.auxil.updates import JOURNALIST_ID, callback_query, command, text_message
from tests.test_bot_e2e import app, send  # noqa: F401  (the fixture and the update feeder)


async def test_leads_lists_with_buttons_that_open_each_lead(app: Application, bot_api: FakeBotApi) -> None:  # noqa: F811
    (registered,) = bot_api.calls_to("setMyCommands")
    assert "leads" in {c["command"] for c in registered.json("commands")}
    await send(app, command("/leads"))
    listing = bot_api.calls_to("sendMessage")[-1]
    assert "共有2条线索" in listing.text and "[自相矛盾] 兴隆县2023年报告表三" in listing.text
    buttons = [b for row in listing.json("reply_markup")["inline_keyboard"] for b in row]
    assert [b["text"] for b in buttons] == ["1", "2"]
    assert all(re.fullmatch(r"lead:\d+:\d+", b["callback_data"]) for b in buttons)  # ids, not names
    await send(app, callback_query(buttons[1]["callback_data"], message_id=1000))
    assert len(bot_api.calls_to("answerCallbackQuery")) == 1
    detail = bot_api.texts(JOURNALIST_ID)[-1]
    assert detail.startswith("<b>[自相矛盾]") and "为什么值得看" in detail
    assert "「一、本年新收政府信息公开申请数量」「科研机构」列：2" in detail  # every number with where it is printed


async def test_leads_for_a_place_and_an_unknown_one(app: Application, bot_api: FakeBotApi) -> None:  # noqa: F811
    await send(app, command("/leads 伊春市"))
    reply = bot_api.calls_to("sendMessage")[-1]
    assert "伊春市：没有发现值得关注的线索" in reply.text and "reply_markup" not in reply.params
    await send(app, command("/leads 火星市"))
    assert "没有找到“火星市”的报告" in bot_api.texts(JOURNALIST_ID)[-1]
    await send(app, callback_query("lead:99:0", message_id=1000))
    assert "过期" in bot_api.calls_to("answerCallbackQuery")[-1].params["text"]


async def test_a_question_about_leads_is_answered(app: Application, bot_api: FakeBotApi) -> None:  # noqa: F811
    await send(app, text_message("兴隆县的年报有什么问题？"))
    assert "共有2条线索" in bot_api.texts(JOURNALIST_ID)[-1]
