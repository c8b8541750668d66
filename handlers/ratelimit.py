"""Per-user rate limiting: a small token bucket per user id, checked before any handler runs.

Answering costs CPU for everyone sharing the bot; one user pasting a hundred questions should
wait, not slow every other journalist down. (Flood control towards Telegram is separate: PTB's
AIORateLimiter, set up in handlers/app.py.)
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from telegram import Update
from telegram.ext import ApplicationHandlerStop, ContextTypes

from handlers.services import services

TOO_FAST = "您提问太快了，请稍等一分钟再问。"


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """Allow each user `per_minute` updates a minute, in bursts of up to `per_minute`."""

    def __init__(self, per_minute: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._capacity = float(per_minute)
        self._refill_per_s = per_minute / 60.0
        self._clock = clock
        self._buckets: dict[int, _Bucket] = {}

    def allow(self, user_id: int) -> bool:
        """Take one token from the user's bucket; False when it is empty."""
        now = self._clock()
        bucket = self._buckets.setdefault(user_id, _Bucket(self._capacity, now))
        elapsed = now - bucket.updated
        bucket.tokens = min(self._capacity, bucket.tokens + elapsed * self._refill_per_s)
        bucket.updated = now
        if bucket.tokens < 1:
            return False
        bucket.tokens -= 1
        return True


async def limit_rate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stop an update from a user over their limit, with a polite line saying why."""
    user = update.effective_user
    if user is None or services(context).limiter.allow(user.id):
        return
    if update.callback_query:
        await update.callback_query.answer(TOO_FAST)
    elif update.effective_chat:
        await context.bot.send_message(update.effective_chat.id, TOO_FAST)
    raise ApplicationHandlerStop
