"""Careless or hostile input gets a clear answer, never "something went wrong": callback data
out of range, odd digits, rules that grow under normalisation, URLs with credentials, bad
ports or no end."""

from __future__ import annotations

import pytest

from storage.repositories.feeds import FeedFailure, FeedRepository
from tests.handlers.conftest import ADMIN_ID, BotDriver

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def subscribed(driver: BotDriver) -> int:
    chat = driver.new_chat()
    await driver.say(chat, "/start", language_code="en")
    return chat


@pytest.mark.parametrize(
    "data",
    [
        "kr1:99999999999999999999",
        "kr1:-5",
        "kw1:s:99999999999999999999",
        "tz1:99",
        "tz1:-1",
        "dg1:100000",
    ],
)
async def test_out_of_range_callback_data_is_an_old_button(driver: BotDriver, data: str) -> None:
    chat = await subscribed(driver)
    reply = await driver.say(chat, "/keywords", language_code="en")
    answer = await driver.press(chat, reply.message_id, data, language_code="en")
    assert "out of date" in answer["text"]
    assert all("went wrong" not in m.plain_text for m in driver.tg.messages_to(chat))


@pytest.mark.parametrize("arg", ["²", "٣", "１"])
async def test_remove_with_a_digit_int_refuses_asks_for_the_number(
    driver: BotDriver, arg: str
) -> None:
    chat = await subscribed(driver)
    reply = await driver.say(chat, f"/keywords remove {arg}", language_code="en")
    assert "/keywords remove 2" in reply.plain_text
    assert "went wrong" not in reply.plain_text


async def test_term_limit_is_counted_after_normalisation(driver: BotDriver) -> None:
    chat = await subscribed(driver)
    # Each U+FDFA is one character but four words once NFKC-normalised, as matching sees it.
    for rule in ("\ufdfa" * 16, "уран " + "\ufdfa " * 6):
        reply = await driver.say(chat, f"/keywords add {rule}", language_code="en")
        assert "Save" not in str(driver.buttons(chat, reply.message_id))
        assert "went wrong" not in reply.plain_text


async def test_feed_credentials_are_masked_in_replies_and_in_feeds(driver: BotDriver) -> None:
    url = "https://reader:hunter2secret@news.example.kz/rss"
    added = await driver.say(ADMIN_ID, f"/addfeed {url}", language_code="en")
    assert "hunter2secret" not in added.text and "reader" not in added.text
    assert "news.example.kz/rss" in added.plain_text
    [feed] = [f for f in await FeedRepository(driver.sessions).list() if f.url == url]
    await FeedRepository(driver.sessions).record_failure(
        FeedFailure(feed.id, driver.clock.now, f"GET {url} failed: 401", driver.clock.now)
    )
    listing = await driver.say(ADMIN_ID, "/feeds", language_code="en")
    assert "hunter2secret" not in listing.text
    assert "news.example.kz" in listing.plain_text


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://news.example.kz:99999/rss", "port"),
        ("https://news.example.kz:0/rss", "port"),
        ("https://news.example.kz/" + "a" * 3000, "too long"),
        ("ftp://news.example.kz/rss", "not an http(s) URL"),
    ],
)
async def test_bad_ports_and_over_long_urls_are_named_as_such(
    driver: BotDriver, url: str, expected: str
) -> None:
    reply = await driver.say(ADMIN_ID, f"/addfeed {url}", language_code="en")
    assert expected in reply.plain_text
    assert all(f.url != url for f in await FeedRepository(driver.sessions).list())
