"""A fake Telegram Bot API server speaking real HTTP, for tests that drive a real aiogram Bot.

    async with FakeTelegramServer(rate_limits=None) as tg:
        bot = tg.make_bot()  # or Bot(tg.token, session=AiohttpSession(
                             #     api=TelegramAPIServer.from_base(tg.base_url)))
        tg.inject_message(42, "/start")
        ...  # run the dispatcher
        [reply] = await tg.wait_for_messages(42, 1)
        await bot.session.close()

It enforces what a careless bot trips over in production: Telegram's HTML subset, the 4096
character limit, rate limits answered with 429 and ``retry_after``, blocked users (403) and
groups upgraded to supergroups (400 with ``migrate_to_chat_id``), each with Telegram's error
shape, so aiogram raises the same exception classes it raises against the real service.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections.abc import Callable
from typing import Any

from aiogram import Bot
from aiohttp import web

from tests.fakes import _telegram_records
from tests.fakes._server import BackgroundServer
from tests.fakes._telegram_methods import ApiError, TelegramState, decode_params
from tests.fakes._telegram_records import FastCloseSession, TelegramRecords, make_bot
from tests.fakes._telegram_state import (
    JSON,
    ApiCall,
    RateLimits,
    SentMessage,
    bot_command_entities,
    chat_json,
    chat_member_json,
    default_chat_type,
    user_json,
)

__all__ = [
    "DEFAULT_TOKEN",
    "ApiCall",
    "FakeTelegramServer",
    "FastCloseSession",
    "RateLimits",
    "SentMessage",
    "make_bot",
]

DEFAULT_TOKEN = "123456789:AAFakeTokenForC5watchTests_0123456789"
DEFAULT_USER_ID = 1001
# What Telegram sends when allowed_updates was never set or was set to [].
DEFAULT_UPDATE_TYPES_EXCLUDED = frozenset(
    {"chat_member", "message_reaction", "message_reaction_count"}
)
CONFLICT_POLLING = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance "
    "is running"
)
CONFLICT_WEBHOOK = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete "
    "the webhook first"
)


def _update_type(update: JSON) -> str:
    return next((key for key in update if key != "update_id"), "")


class FakeTelegramServer(BackgroundServer, TelegramState, TelegramRecords):
    """The Bot API at ``{base_url}/bot{token}/{method}``; see the module docstring."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_username: str = "c5watch_test_bot",
        bot_first_name: str = "c5watch",
        rate_limits: RateLimits | None = RateLimits(),  # noqa: B008 (frozen, shared on purpose)
        clock: Callable[[], float] = time.monotonic,
        strict_ampersand: bool = True,
    ) -> None:
        BackgroundServer.__init__(self)
        self._state_config: dict[str, Any] = {
            "bot_username": bot_username,
            "bot_first_name": bot_first_name,
            "rate_limits": rate_limits,
            "clock": clock,
            "strict_ampersand": strict_ampersand,
        }
        TelegramState.__init__(self, token, **self._state_config)
        self.updates: list[JSON] = []
        self._update_ids = itertools.count(1)
        self._callback_seq = itertools.count(1)
        self._wakeup: asyncio.Event | None = None
        self._poll_generation = 0
        self._closing = False
        self._methods: dict[str, Callable[[JSON], Any]] = {
            "getme": self.get_me,
            "sendmessage": self.send_message,
            "editmessagetext": self.edit_message_text,
            "answercallbackquery": self.answer_callback_query,
            "setmycommands": self.set_my_commands,
            "getmycommands": self.get_my_commands,
            "deletemycommands": self.delete_my_commands,
            "getchatmember": self.get_chat_member,
            "getchat": self.get_chat,
            "sendchataction": self.send_chat_action,
            "setwebhook": self.set_webhook,
            "deletewebhook": self.delete_webhook,
            "getwebhookinfo": self.get_webhook_info,
        }

    def make_bot(self, parse_mode: str | None = "HTML") -> Bot:
        """A real aiogram Bot pointed at this server (close ``bot.session`` when done)."""
        return _telegram_records.make_bot(self.base_url, self.token, parse_mode)

    def reset(self) -> None:
        """Forget records, chat state, queued updates; keep token, limits and clock."""
        TelegramState.__init__(self, self.token, **self._state_config)
        self.updates = []
        self._wake()

    # --- HTTP ------------------------------------------------------------------------------
    def _make_app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_route("*", "/{tail:.*}", self._not_found)
        return app

    async def _on_close(self) -> None:
        self._closing = True
        self._wake()

    @staticmethod
    async def _not_found(request: web.Request) -> web.Response:
        return web.json_response(ApiError(404, "Not Found").body(), status=404)

    @staticmethod
    async def _read_params(request: web.Request) -> dict[str, Any]:
        raw: dict[str, Any] = dict(request.query)
        if request.method != "POST" or not request.can_read_body:
            return raw
        if request.content_type == "application/json":
            body = await request.json()
            if isinstance(body, dict):
                raw.update(body)
        else:  # application/x-www-form-urlencoded or multipart/form-data
            form = await request.post()
            raw.update({key: value for key, value in form.items()})
        return raw

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(ApiError(401, "Unauthorized").body(), status=401)
        method_name = request.match_info["method"]
        params = decode_params(await self._read_params(request))
        self.calls.append(ApiCall(method=method_name, params=params, time=self.clock()))
        try:
            if (failure := self.take_failure(method_name)) is not None:
                raise failure
            if method_name.lower() == "getupdates":
                result: Any = await self._get_updates(params)
            elif (method := self._methods.get(method_name.lower())) is not None:
                result = method(params)
            else:
                raise ApiError(404, "Not Found")
        except ApiError as exc:
            return web.json_response(exc.body(), status=exc.status)
        return web.json_response({"ok": True, "result": result})

    # --- updates and long polling ----------------------------------------------------------
    def _wake(self) -> None:
        def wake() -> None:
            if self._wakeup is not None:
                self._wakeup.set()
            self._wakeup = None

        self._call_in_loop(wake)

    def _deliverable(self, offset: int, limit: int) -> list[JSON]:
        asked = self.allowed_updates or []
        ready = [
            u
            for u in self.updates
            if u["update_id"] >= offset
            and (
                _update_type(u) in asked
                if asked
                else _update_type(u) not in DEFAULT_UPDATE_TYPES_EXCLUDED
            )
        ]
        return ready[:limit]

    async def _get_updates(self, params: JSON) -> list[JSON]:
        if self.webhook_url:
            raise ApiError(409, CONFLICT_WEBHOOK)
        offset, limit = int(params.get("offset") or 0), int(params.get("limit") or 100)
        timeout = max(0, int(params.get("timeout") or 0))
        if (allowed := params.get("allowed_updates")) is not None:
            self.allowed_updates = list(allowed)
        with self._lock:  # tests may inject from another thread (thread mode)
            if offset > 0:
                self.updates[:] = [u for u in self.updates if u["update_id"] >= offset]
            elif offset < 0:
                del self.updates[:offset]
                offset = 0
        self._poll_generation += 1
        generation = self._poll_generation
        self._wake()  # an earlier poller still waiting is told it was terminated
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            ready = self._deliverable(offset, max(1, min(limit, 100)))
            if ready or self._closing or loop.time() >= deadline:
                return ready
            if self._wakeup is None:
                self._wakeup = asyncio.Event()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), deadline - loop.time())
            if generation != self._poll_generation:
                raise ApiError(409, CONFLICT_POLLING)

    def delete_webhook(self, params: JSON) -> bool:
        self.webhook_url = ""
        if params.get("drop_pending_updates"):
            with self._lock:
                self.updates.clear()
        return True

    # --- test API: injecting what users do -------------------------------------------------
    def inject_update(self, update: JSON) -> JSON:
        """Queue a raw Update (``update_id`` is assigned when missing); returns it."""
        update = dict(update)
        update.setdefault("update_id", next(self._update_ids))
        with self._lock:
            self.updates.append(update)
        self._wake()
        return update

    def _sender(
        self,
        chat_id: int,
        chat_type: str | None,
        from_user: int | JSON | None,
        language_code: str | None,
        title: str | None,
    ) -> tuple[JSON, JSON]:
        chat_type = chat_type or default_chat_type(chat_id)
        if isinstance(from_user, dict):
            user = from_user
        else:
            user_id = (
                from_user
                if from_user is not None
                else (chat_id if chat_type == "private" else DEFAULT_USER_ID)
            )
            user = user_json(user_id, language_code=language_code)
        chat = self.chats.setdefault(chat_id, chat_json(chat_id, chat_type, title))
        self.users[user["id"]] = user
        return chat, user

    def inject_message(
        self,
        chat_id: int,
        text: str,
        *,
        from_user: int | JSON | None = None,
        language_code: str | None = "ru",
        chat_type: str | None = None,
        title: str | None = None,
    ) -> JSON:
        """A user writes ``text`` in ``chat_id`` (private if positive unless ``chat_type``)."""
        chat, user = self._sender(chat_id, chat_type, from_user, language_code, title)
        message: JSON = {
            "message_id": self.next_message_id(chat_id),
            "from": user,
            "chat": chat,
            "date": int(time.time()),
            "text": text,
        }
        if entities := bot_command_entities(text):
            message["entities"] = entities
        self.messages[(chat_id, message["message_id"])] = message
        return self.inject_update({"message": message})

    def inject_callback(
        self,
        chat_id: int,
        message_id: int,
        data: str,
        *,
        from_user: int | JSON | None = None,
        language_code: str | None = "ru",
        chat_type: str | None = None,
    ) -> JSON:
        """A user presses an inline button; the query id is ``update["callback_query"]["id"]``."""
        chat, user = self._sender(chat_id, chat_type, from_user, language_code, None)
        message = self.messages.get((chat_id, message_id)) or {
            "message_id": message_id,
            "chat": chat,
            "date": int(time.time()),
            "text": "",
        }
        query_id = str(next(self._callback_seq))
        self._callback_ids.add(query_id)
        query = {
            "id": query_id,
            "from": user,
            "message": message,
            "chat_instance": str(abs(chat_id)),
            "data": data,
        }
        return self.inject_update({"callback_query": query})

    def inject_my_chat_member(
        self,
        chat_id: int,
        *,
        old_status: str = "member",
        new_status: str = "kicked",
        from_user: int | JSON | None = None,
        chat_type: str | None = None,
        title: str | None = None,
        language_code: str | None = "ru",
    ) -> JSON:
        """The bot's own membership changes (blocked/unblocked, added to/removed from a group)."""
        chat, user = self._sender(chat_id, chat_type, from_user, language_code, title)
        change = {
            "chat": chat,
            "from": user,
            "date": int(time.time()),
            "old_chat_member": chat_member_json(self.bot_user, old_status),
            "new_chat_member": chat_member_json(self.bot_user, new_status),
        }
        return self.inject_update({"my_chat_member": change})
