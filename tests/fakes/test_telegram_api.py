"""The fake Bot API, driven by a real aiogram Bot over HTTP."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiogram import Bot, Dispatcher, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.filters import Command
from aiogram.types import (
    BotCommand,
    BotCommandScopeAllPrivateChats,
    ChatMemberAdministrator,
    ChatMemberMember,
    ChatMemberOwner,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)

from tests.fakes.telegram_api import FakeTelegramServer, RateLimits


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def stranger_bot(tg: FakeTelegramServer, token: str) -> Bot:
    session = AiohttpSession(api=TelegramAPIServer.from_base(tg.base_url))
    return Bot(token, session=session)


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer(rate_limits=None) as server:
        yield server


@pytest.fixture
async def bot(tg: FakeTelegramServer) -> AsyncIterator[Bot]:
    bot = tg.make_bot()
    yield bot
    await bot.session.close()


async def test_send_message_is_recorded_with_entities(tg: FakeTelegramServer, bot: Bot) -> None:
    first = await bot.send_message(42, "<b>Казахстан</b> &amp; США 😀 <i>ok</i>")
    second = await bot.send_message(42, "again")
    other = await bot.send_message(-100500, "group")

    assert (first.message_id, second.message_id, other.message_id) == (1, 2, 1)
    assert first.text == "Казахстан & США 😀 ok"
    assert first.entities is not None
    assert [(e.type, e.offset, e.length) for e in first.entities] == [
        ("bold", 0, 9),
        ("italic", 19, 2),  # the emoji counts as two UTF-16 code units
    ]
    assert tg.texts(42) == ["<b>Казахстан</b> &amp; США 😀 <i>ok</i>", "again"]
    assert tg.sent[0].parse_mode == "HTML"
    assert [c.method for c in tg.calls] == ["sendMessage"] * 3


@pytest.mark.parametrize(
    ("text", "description"),
    [
        ("hello <foo>x</foo>", 'Unsupported start tag "foo" at byte offset 6'),
        ("price < 100", 'Unsupported start tag "" at byte offset 6'),
        ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("R&D", 'Unescaped "&" at byte offset 1'),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
    ],
)
async def test_bad_html_is_a_bad_request(bot: Bot, text: str, description: str) -> None:
    with pytest.raises(TelegramBadRequest) as caught:
        await bot.send_message(42, text)
    assert caught.value.message == f"Bad Request: can't parse entities: {description}"


async def test_supported_html_is_accepted(bot: Bot) -> None:
    text = (
        '<a href="https://example.com/?a=1&amp;b=2">link</a> <s>s</s> <u>u</u> <code>c</code> '
        '<pre><code class="language-python">x = 1</code></pre> <tg-spoiler>sp</tg-spoiler> '
        '<span class="tg-spoiler">sp</span> <blockquote expandable>q</blockquote> &#128512;'
    )
    message = await bot.send_message(42, text)
    assert message.entities is not None
    types = {e.type: e for e in message.entities}
    assert types["text_link"].url == "https://example.com/?a=1&b=2"
    assert types["pre"].language == "python"
    assert "expandable_blockquote" in types
    assert message.text is not None and message.text.endswith("😀")


async def test_length_is_counted_after_entity_parsing(bot: Bot) -> None:
    await bot.send_message(42, "&lt;" * 4096)
    await bot.send_message(42, "<b>" + "x" * 4096 + "</b>")
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(42, "x" * 4097)


@pytest.mark.parametrize("text", ["", "   ", "<b></b>"])
async def test_empty_text_is_rejected(bot: Bot, text: str) -> None:
    with pytest.raises(TelegramBadRequest, match="Bad Request: message text is empty"):
        await bot.send_message(42, text)


async def test_rate_limits_answer_429_until_the_window_slides() -> None:
    clock = FakeClock()
    async with FakeTelegramServer(rate_limits=RateLimits(), clock=clock) as tg:
        bot = tg.make_bot()
        try:
            await bot.send_message(42, "one")
            with pytest.raises(TelegramRetryAfter) as caught:
                await bot.send_message(42, "two")
            assert caught.value.retry_after == 1
            clock.now += 1.0
            await bot.send_message(42, "two")

            for _ in range(20):
                await bot.send_message(-100, "group")
            with pytest.raises(TelegramRetryAfter) as caught:
                await bot.send_message(-100, "group")
            assert caught.value.retry_after == 60

            clock.now += 60.0
            for chat_id in range(1, 31):
                await bot.send_message(chat_id, "burst")
            with pytest.raises(TelegramRetryAfter):
                await bot.send_message(31, "burst")
            assert tg.rate_limited_total == 3
            assert tg.rate_limited[31] == 1
        finally:
            await bot.session.close()


async def test_blocked_chat_is_forbidden(tg: FakeTelegramServer, bot: Bot) -> None:
    tg.block(42)
    with pytest.raises(TelegramForbiddenError) as caught:
        await bot.send_message(42, "hi")
    assert caught.value.message == "Forbidden: bot was blocked by the user"
    tg.unblock(42)
    await bot.send_message(42, "hi")


async def test_migrated_group_points_to_the_supergroup(tg: FakeTelegramServer, bot: Bot) -> None:
    tg.migrate(-500, -1001234)
    with pytest.raises(TelegramMigrateToChat) as caught:
        await bot.send_message(-500, "hi")
    assert caught.value.migrate_to_chat_id == -1001234
    assert tg.sent == []


async def test_fail_next_and_wrong_token(tg: FakeTelegramServer, bot: Bot) -> None:
    tg.fail_next("sendMessage", 502, "Bad Gateway", count=2)
    for _ in range(2):
        with pytest.raises(TelegramServerError):
            await bot.send_message(42, "hi")
    await bot.send_message(42, "hi")

    stranger = stranger_bot(tg, "999:wrong")
    try:
        with pytest.raises(TelegramUnauthorizedError):
            await stranger.get_me()
    finally:
        await stranger.session.close()


async def test_json_and_urlencoded_bodies_and_unknown_methods(tg: FakeTelegramServer) -> None:
    url = f"{tg.base_url}/bot{tg.token}"
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{url}/sendMessage", json={"chat_id": 7, "text": "j"}) as resp:
            assert (await resp.json())["result"]["text"] == "j"
        async with http.post(f"{url}/sendMessage", data={"chat_id": "7", "text": "f"}) as resp:
            assert (await resp.json())["result"]["message_id"] == 2
        async with http.post(f"{url}/sendSticker", json={}) as resp:
            assert resp.status == 404
            assert await resp.json() == {
                "ok": False,
                "error_code": 404,
                "description": "Not Found",
            }


async def test_long_polling_delivers_and_confirms_updates(tg: FakeTelegramServer, bot: Bot) -> None:
    started = time.monotonic()
    poll = asyncio.create_task(bot.get_updates(timeout=5, allowed_updates=["message"]))
    await asyncio.sleep(0.05)
    tg.inject_message(42, "/start", language_code="en")
    [update] = await poll
    assert time.monotonic() - started < 2
    assert update.message is not None and update.message.text == "/start"
    assert update.message.from_user is not None
    assert update.message.from_user.language_code == "en"
    assert tg.allowed_updates == ["message"]

    again = await bot.get_updates(timeout=0)
    assert [u.update_id for u in again] == [update.update_id]  # not confirmed yet
    assert await bot.get_updates(offset=update.update_id + 1, timeout=0) == []
    assert tg.pending_updates == 0


async def test_injected_updates_parse_as_aiogram_types(tg: FakeTelegramServer, bot: Bot) -> None:
    sent = await bot.send_message(42, "pick", reply_markup=_keyboard("kw1:del:5"))
    tg.inject_callback(42, sent.message_id, "kw1:del:5")
    tg.inject_my_chat_member(-100777, old_status="left", new_status="administrator")
    tg.inject_update(
        {"edited_message": {"message_id": 9, "date": 0, "chat": {"id": 1, "type": "private"}}}
    )
    updates = await bot.get_updates(timeout=0, allowed_updates=["callback_query", "my_chat_member"])
    assert [u.event_type for u in updates] == ["callback_query", "my_chat_member"]
    query = updates[0].callback_query
    assert query is not None and query.data == "kw1:del:5"
    assert await bot.answer_callback_query(query.id, text="done")
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query(query.id)
    assert tg.callback_answers[query.id]["text"] == "done"
    member = updates[1].my_chat_member
    assert member is not None and isinstance(member.new_chat_member, ChatMemberAdministrator)


def _keyboard(data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="x", callback_data=data)]]
    )


async def test_edits_update_the_stored_message(tg: FakeTelegramServer, bot: Bot) -> None:
    sent = await bot.send_message(42, "old", reply_markup=_keyboard("a"))
    edited = await bot.edit_message_text(text="<b>new</b>", chat_id=42, message_id=sent.message_id)
    assert isinstance(edited, Message) and edited.text == "new"
    assert tg.message(42, sent.message_id)["text"] == "new"
    assert [m.method for m in tg.sent] == ["sendMessage", "editMessageText"]
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text(text="<b>new</b>", chat_id=42, message_id=sent.message_id)
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text(text="x", chat_id=42, message_id=99)
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(42, "x", reply_markup=_keyboard("x" * 65))


async def test_commands_and_chat_members(tg: FakeTelegramServer, bot: Bot) -> None:
    await bot.set_my_commands(
        [BotCommand(command="start", description="Начать")], language_code="ru"
    )
    await bot.set_my_commands(
        [BotCommand(command="help", description="Help")], scope=BotCommandScopeAllPrivateChats()
    )
    assert tg.commands_for("ru") == [{"command": "start", "description": "Начать"}]
    assert tg.commands_for(scope="all_private_chats") == [
        {"command": "help", "description": "Help"}
    ]
    assert [c.command for c in await bot.get_my_commands(language_code="ru")] == ["start"]
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="Bad-Name", description="x")])

    tg.set_chat_member(-100, 5, "creator")
    tg.set_chat_member(-100, 6, "administrator")
    assert isinstance(await bot.get_chat_member(-100, 5), ChatMemberOwner)
    assert isinstance(await bot.get_chat_member(-100, 6), ChatMemberAdministrator)
    assert isinstance(await bot.get_chat_member(-100, 7), ChatMemberMember)
    assert await bot.send_chat_action(42, "typing")
    tg.inject_message(42, "queued")
    assert await bot.delete_webhook(drop_pending_updates=True)
    assert tg.pending_updates == 0


async def test_reset_forgets_state_but_keeps_serving(tg: FakeTelegramServer, bot: Bot) -> None:
    tg.block(42)
    tg.inject_message(43, "hi")
    await bot.send_message(43, "one")
    tg.reset()
    assert (tg.sent, tg.calls, tg.pending_updates) == ([], [], 0)
    assert (await bot.send_message(42, "ok")).message_id == 1


async def test_webhook_and_second_poller_conflict(tg: FakeTelegramServer, bot: Bot) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.05)
    second = asyncio.create_task(bot.get_updates(timeout=5))
    with pytest.raises(TelegramConflictError, match="terminated by other getUpdates"):
        await first
    tg.inject_message(1, "hi")
    assert len(await second) == 1
    await bot.set_webhook("https://example.com/hook")
    with pytest.raises(TelegramConflictError, match="webhook is active"):
        await bot.get_updates()


async def test_dispatcher_answers_start_end_to_end(tg: FakeTelegramServer, bot: Bot) -> None:
    router = Router(name="start")

    @router.message(Command("start"))
    async def start(message: Message) -> None:
        assert message.from_user is not None
        await message.answer(f"Привет, <b>{message.from_user.first_name}</b>!")

    dp = Dispatcher()
    dp.include_router(router)
    polling = asyncio.create_task(
        dp.start_polling(bot, polling_timeout=1, handle_signals=False, close_bot_session=False)
    )
    try:
        tg.inject_message(42, "/start", from_user={"id": 42, "is_bot": False, "first_name": "Ana"})
        [reply] = await tg.wait_for_messages(42, 1, timeout=5)
        assert reply.text == "Привет, <b>Ana</b>!"
        assert reply.plain_text == "Привет, Ana!"
        assert tg.allowed_updates == ["message"]  # resolved from the registered handlers
    finally:
        await dp.stop_polling()
        await polling


def test_thread_mode_serves_a_bot_in_another_loop() -> None:
    with FakeTelegramServer(rate_limits=None) as tg:

        async def main() -> None:
            bot = tg.make_bot()
            try:
                poll = asyncio.create_task(bot.get_updates(timeout=5))
                await asyncio.sleep(0.05)
                tg.inject_message(42, "/start")  # from a thread other than the server's
                assert len(await poll) == 1
                await bot.send_message(42, "pong")
            finally:
                await bot.session.close()

        asyncio.run(main())
        assert [m.text for m in tg.wait_for_messages_sync(42, 1)] == ["pong"]
    assert not tg.running
