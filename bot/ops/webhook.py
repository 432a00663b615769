"""Webhook mode: Telegram POSTs updates; a request without our secret token is refused."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlsplit

from aiogram import Bot, Dispatcher
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web


def webhook_path(webhook_url: str) -> str:
    return urlsplit(webhook_url).path or "/"


def new_secret() -> str:
    # Telegram allows 1-256 characters from A-Z, a-z, 0-9, _ and -.
    return secrets.token_urlsafe(32)


def mount_webhook(
    app: web.Application,
    dispatcher: Dispatcher,
    bot: Bot,
    *,
    webhook_url: str,
    secret: str,
    **data: Any,
) -> None:
    """Route POSTs on the webhook URL's path to the dispatcher, checking the secret header."""
    if not secret:
        raise ValueError("a webhook needs a secret token")
    handler = SimpleRequestHandler(dispatcher, bot, secret_token=secret, **data)
    handler.register(app, path=webhook_path(webhook_url))
