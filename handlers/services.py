"""The long-lived services every handler uses, kept in one typed object in bot_data."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from telegram.ext import ContextTypes

from bot.engine import Engine
from bot.settings import Settings

if TYPE_CHECKING:
    from handlers.ratelimit import RateLimiter

SERVICES_KEY = "services"


@dataclass
class Services:
    """What post_init opens and post_shutdown closes; one per running bot."""

    settings: Settings
    engine: Engine
    limiter: RateLimiter
    # Loads and removals change the index; one at a time, so two uploads never interleave.
    load_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def is_admin(self, user_id: int | None) -> bool:
        """Tell whether a user may load, remove and query reports."""
        return user_id is not None and user_id in self.settings.admins


def services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    """Return the services of the running bot."""
    return context.bot_data[SERVICES_KEY]
