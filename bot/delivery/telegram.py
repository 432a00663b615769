"""TelegramGateway: the one place where a send or an edit meets Telegram and its errors
become outcomes.

Errors are told apart by aiogram's exception classes, never by status codes or text, except
for Telegram's "can't parse entities" and, for edits, "message is not modified" and "message to
edit not found" / "message can't be edited", which have no class of their own.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramRetryAfter,
)
from aiogram.types import InlineKeyboardMarkup, LinkPreviewOptions

from bot.delivery.pacing import SendPacer

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Delivered:
    message_id: int
    as_plain_text: bool = False


@dataclass(frozen=True, slots=True)
class RetryLater:
    """429: Telegram said when to come back."""

    after: float
    error: str


@dataclass(frozen=True, slots=True)
class ChatBlocked:
    error: str


@dataclass(frozen=True, slots=True)
class ChatMigrated:
    new_chat_id: int


@dataclass(frozen=True, slots=True)
class Transient:
    """Network trouble or a server error: try again after a back-off."""

    error: str


@dataclass(frozen=True, slots=True)
class Refused:
    """Telegram refused this message for a reason sending it again will not fix."""

    error: str


@dataclass(frozen=True, slots=True)
class Edited:
    as_plain_text: bool = False


@dataclass(frozen=True, slots=True)
class Unchanged:
    """The message already reads so ("message is not modified")."""


@dataclass(frozen=True, slots=True)
class Gone:
    """The message cannot be edited any more (deleted, too old, not ours)."""

    error: str


SendOutcome = Delivered | RetryLater | ChatBlocked | ChatMigrated | Transient | Refused
Failure = RetryLater | ChatBlocked | ChatMigrated | Transient | Refused
EditOutcome = Edited | Unchanged | Gone | Failure

# Called after every send attempt with the outcome's kind and the call's duration (metrics).
SendObserver = Callable[[str, float], None]

OUTCOME_KINDS: dict[type, str] = {
    Delivered: "sent",
    RetryLater: "retry_after",
    ChatBlocked: "forbidden",
    ChatMigrated: "migrated",
    Transient: "error",
    Refused: "bad_request",
    Edited: "edited",
    Unchanged: "edit_unchanged",
    Gone: "edit_gone",
}


def _is_parse_error(exc: TelegramBadRequest) -> bool:
    return "can't parse entities" in exc.message.lower()


# Telegram's refusals of an edit that have no exception class of their own either.
_NOT_MODIFIED = "message is not modified"
_GONE = ("message to edit not found", "message can't be edited")


class TelegramGateway:
    def __init__(self, bot: Bot, pacer: SendPacer, observe: SendObserver | None = None) -> None:
        self.bot = bot
        self.pacer = pacer
        self._observe = observe

    async def send(
        self,
        chat_id: int,
        html: str,
        plain: str,
        *,
        is_group: bool,
        preview: bool = False,
        markup: InlineKeyboardMarkup | None = None,
    ) -> SendOutcome:
        """Send an HTML message; a message Telegram cannot parse goes again as plain text."""
        outcome = await self._send(
            chat_id, html, is_group=is_group, preview=preview, html=True, markup=markup
        )
        if isinstance(outcome, Refused) and outcome.error == "parse":
            log.warning("chat %s: Telegram refused the HTML, sent as plain text", chat_id)
            outcome = await self._send(
                chat_id, plain, is_group=is_group, preview=preview, html=False, markup=markup
            )
            if isinstance(outcome, Delivered):
                outcome = Delivered(outcome.message_id, as_plain_text=True)
        return outcome

    async def _send(
        self,
        chat_id: int,
        text: str,
        *,
        is_group: bool,
        preview: bool,
        html: bool,
        markup: InlineKeyboardMarkup | None,
    ) -> SendOutcome:
        started = time.monotonic()
        outcome = await self._call(
            chat_id, text, is_group=is_group, preview=preview, html=html, markup=markup
        )
        if self._observe is not None:
            self._observe(OUTCOME_KINDS[type(outcome)], time.monotonic() - started)
        return outcome

    async def _call(
        self,
        chat_id: int,
        text: str,
        *,
        is_group: bool,
        preview: bool,
        html: bool,
        markup: InlineKeyboardMarkup | None,
    ) -> SendOutcome:
        try:
            async with self.pacer.slot(chat_id, is_group=is_group):
                message = await self.bot.send_message(
                    chat_id,
                    text,
                    parse_mode="HTML" if html else None,
                    link_preview_options=LinkPreviewOptions(is_disabled=not preview),
                    reply_markup=markup,
                )
        except TelegramAPIError as exc:
            return self._failure(chat_id, exc, html=html)
        return Delivered(message.message_id)

    async def edit(
        self,
        chat_id: int,
        message_id: int,
        html: str,
        plain: str,
        *,
        is_group: bool,
        preview: bool = False,
        markup: InlineKeyboardMarkup | None = None,
    ) -> EditOutcome:
        """Replace a sent message's text (and its buttons: ``markup`` keeps them); paced like
        a send (Telegram counts edits too). HTML Telegram cannot parse goes as plain text."""
        outcome = await self._edit(
            chat_id, message_id, html, is_group, preview, html=True, markup=markup
        )
        if isinstance(outcome, Refused) and outcome.error == "parse":
            log.warning("chat %s: Telegram refused the edited HTML, edited as plain text", chat_id)
            outcome = await self._edit(
                chat_id, message_id, plain, is_group, preview, html=False, markup=markup
            )
            if isinstance(outcome, Edited):
                outcome = Edited(as_plain_text=True)
        return outcome

    async def _edit(
        self,
        chat_id: int,
        message_id: int,
        text: str,
        is_group: bool,
        preview: bool,
        *,
        html: bool,
        markup: InlineKeyboardMarkup | None,
    ) -> EditOutcome:
        started = time.monotonic()
        outcome = await self._call_edit(
            chat_id, message_id, text, is_group, preview, html=html, markup=markup
        )
        if self._observe is not None:
            self._observe(OUTCOME_KINDS[type(outcome)], time.monotonic() - started)
        return outcome

    async def _call_edit(
        self,
        chat_id: int,
        message_id: int,
        text: str,
        is_group: bool,
        preview: bool,
        *,
        html: bool,
        markup: InlineKeyboardMarkup | None,
    ) -> EditOutcome:
        try:
            async with self.pacer.slot(chat_id, is_group=is_group):
                await self.bot.edit_message_text(
                    text=text,
                    chat_id=chat_id,
                    message_id=message_id,
                    parse_mode="HTML" if html else None,
                    link_preview_options=LinkPreviewOptions(is_disabled=not preview),
                    reply_markup=markup,
                )
        except TelegramBadRequest as exc:
            reason = exc.message.lower()
            if _NOT_MODIFIED in reason:
                return Unchanged()
            if any(gone in reason for gone in _GONE):
                return Gone(exc.message)
            return self._failure(chat_id, exc, html=html)
        except TelegramAPIError as exc:
            return self._failure(chat_id, exc, html=html)
        return Edited()

    def _failure(self, chat_id: int, exc: TelegramAPIError, *, html: bool) -> Failure:
        """What a refused send or edit means, by the exception's class."""
        if isinstance(exc, TelegramRetryAfter):
            self.pacer.hold(chat_id, exc.retry_after)
            return RetryLater(float(exc.retry_after), exc.message)
        if isinstance(exc, TelegramMigrateToChat):
            return ChatMigrated(exc.migrate_to_chat_id)
        if isinstance(exc, TelegramForbiddenError):
            return ChatBlocked(exc.message)
        if isinstance(exc, TelegramBadRequest):
            if html and _is_parse_error(exc):
                log.warning("chat %s: %s", chat_id, exc.message)
                return Refused("parse")
            return Refused(exc.message)
        # TelegramNetworkError, TelegramServerError or anything unknown: try again later.
        return Transient(f"{type(exc).__name__}: {exc.message}")
