"""All the wiring of the Telegram bot in one place: build_application() and run().

The engine (store, search index, jieba) is opened in post_init, before the first update, and
closed in post_shutdown; it lives in one Services object in bot_data. Updates are handled
concurrently and every engine call runs in a worker thread, so a slow PDF never freezes
other chats; AIORateLimiter keeps the bot under Telegram's flood limits and retries RetryAfter.
"""
from __future__ import annotations

import asyncio
import logging
import secrets
import threading
from functools import partial
from urllib.parse import urlsplit

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    Defaults,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.engine import Engine
from bot.settings import Settings
from handlers import admin, callbacks, commands, export, leads, questions, removal
from handlers.errors import on_error
from handlers.keyboards import CHOOSE_PATTERN, PAGE_PATTERN
from handlers.ratelimit import RateLimiter, limit_rate
from handlers.services import SERVICES_KEY, Services

ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]
RETRIES_AFTER_FLOOD = 3


def build_application(settings: Settings) -> Application:
    """Build the bot: settings, services' lifecycle, handlers and the error handler."""
    application = (
        ApplicationBuilder()
        .token(settings.token)
        .base_url(settings.bot_api_url)
        .base_file_url(settings.bot_file_url)
        .defaults(Defaults(parse_mode=ParseMode.HTML))
        .rate_limiter(AIORateLimiter(max_retries=RETRIES_AFTER_FLOOD))
        .concurrent_updates(True)
        .post_init(partial(_open_services, settings))
        .post_shutdown(_close_services)
        .build()
    )
    application.add_handler(TypeHandler(Update, limit_rate), group=-1)
    application.add_handlers(
        [
            CommandHandler(["start", "help"], commands.on_help),
            CommandHandler("reports", commands.on_reports),
            CommandHandler("report", commands.on_report),
            CommandHandler("check", commands.on_check),
            CommandHandler("leads", leads.on_leads),
            CommandHandler("csv", commands.on_csv),
            CommandHandler("remove", removal.on_remove),
            CommandHandler("sql", admin.on_sql),
            CommandHandler("export", export.on_export),
            MessageHandler(filters.COMMAND, commands.on_unknown_command),
            MessageHandler(filters.Document.ALL, admin.on_document),
            MessageHandler(filters.TEXT, questions.on_question),
            CallbackQueryHandler(callbacks.on_choose, pattern=CHOOSE_PATTERN),
            CallbackQueryHandler(callbacks.on_page, pattern=PAGE_PATTERN),
            CallbackQueryHandler(leads.on_lead_button, pattern=leads.LEAD_PATTERN),
            CallbackQueryHandler(removal.on_remove_button, pattern=removal.REMOVE_PATTERN),
        ]
    )
    application.add_error_handler(on_error)
    return application


async def _open_services(settings: Settings, application: Application) -> None:
    """Open the engine (warming jieba and the index) and register the commands."""
    engine = await asyncio.to_thread(Engine.open, settings.db_path)
    application.bot_data[SERVICES_KEY] = Services(
        settings=settings, engine=engine, limiter=RateLimiter(settings.questions_per_minute)
    )
    await application.bot.set_my_commands(commands.COMMANDS)
    # What only some questions need, loaded while the bot waits for its first: a thread, not a
    # task the application awaits, so start-up is not delayed by it.
    threading.Thread(target=engine.warm_up_rest, name="warm-up", daemon=True).start()


async def _close_services(application: Application) -> None:
    """Close the engine, so the store is left clean."""
    svc: Services | None = application.bot_data.pop(SERVICES_KEY, None)
    if svc is not None:
        await asyncio.to_thread(svc.engine.close)


def run(settings: Settings) -> None:
    """Run the bot until stopped: by webhook when REPORTBOT_WEBHOOK_URL is set, else polling."""
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s", level="INFO")
    # httpx logs every request URL at INFO, and those URLs contain the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    application = build_application(settings)
    if settings.webhook_url:
        application.run_webhook(
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            url_path=urlsplit(settings.webhook_url).path.lstrip("/"),
            webhook_url=settings.webhook_url,
            # A fresh secret each run: Telegram echoes it, so forged updates are refused.
            secret_token=secrets.token_urlsafe(32),
            allowed_updates=ALLOWED_UPDATES,
        )
    else:
        application.run_polling(allowed_updates=ALLOWED_UPDATES)
