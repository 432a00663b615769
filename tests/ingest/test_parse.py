"""Parsing feed bytes: character sets, malformed feeds, entity tricks, dates, clean text."""

from __future__ import annotations

import resource
from datetime import UTC, datetime, timedelta

import pytest

from bot.ingest.errors import FeedParseError, NotAFeedError
from bot.ingest.parse import parse_feed
from tests.ingest.conftest import SNAPSHOTS

NOW = datetime(2025, 11, 6, 18, 0, tzinfo=UTC)
TITLE = "Казахстан увеличит добычу урана"
URL = "https://feeds.example.kz/rss"


def rss(encoding: str, *, prolog: str | None = None, items: str | None = None) -> bytes:
    declared = prolog if prolog is not None else encoding
    head = f'<?xml version="1.0" encoding="{declared}"?>\n' if declared else ""
    body = items or (
        f"<item><title>{TITLE}</title><link>https://example.kz/1</link>"
        "<description>Вольфрам и уран: новости недели</description>"
        "<pubDate>Thu, 06 Nov 2025 10:00:00 +0500</pubDate></item>"
    )
    doc = f'{head}<rss version="2.0"><channel><title>Лента</title>{body}</channel></rss>'
    return doc.encode(encoding)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (rss("utf-8"), "application/rss+xml; charset=utf-8"),
        (b"\xef\xbb\xbf" + rss("utf-8"), "application/rss+xml"),
        (rss("utf-8", prolog=""), "text/xml"),
        (rss("windows-1251"), "application/rss+xml; charset=windows-1251"),
        (rss("windows-1251"), "application/rss+xml"),
        (rss("koi8-r"), "text/xml; charset=koi8-r"),
        (rss("koi8-r"), None),
        # The prolog contradicts the header: the server's default charset is wrong.
        (rss("windows-1251"), "text/xml; charset=utf-8"),
        (rss("koi8-r"), "text/xml; charset=iso-8859-1"),
        (rss("utf-8"), "text/xml; charset=windows-1251"),
        # No prolog charset, only the header says it.
        (rss("windows-1251", prolog=""), "text/xml; charset=windows-1251"),
        (rss("utf-16"), "application/xml"),
    ],
    ids=[
        "utf8", "utf8-bom", "utf8-no-prolog", "cp1251", "cp1251-prolog-only", "koi8r",
        "koi8r-prolog-only", "cp1251-header-says-utf8", "koi8r-header-says-latin1",
        "utf8-header-says-cp1251", "cp1251-header-only", "utf16-bom",
    ],
)  # fmt: skip
def test_charsets(body: bytes, content_type: str | None) -> None:
    feed = parse_feed(body, url=URL, content_type=content_type, now=NOW)
    assert [e.title for e in feed.entries] == [TITLE]
    assert feed.entries[0].summary == "Вольфрам и уран: новости недели"
    assert feed.title == "Лента"


def test_dates_are_utc_missing_is_now_future_is_clamped() -> None:
    items = (
        "<item><guid>urn:a</guid><title>Zone</title>"
        "<pubDate>Thu, 06 Nov 2025 10:00:00 +0500</pubDate></item>"
        "<item><guid>urn:b</guid><title>Missing</title></item>"
        "<item><guid>urn:c</guid><title>Future</title>"
        "<pubDate>Fri, 01 Jan 2100 00:00:00 GMT</pubDate></item>"
    )
    feed = parse_feed(rss("utf-8", items=items), url=URL, content_type=None, now=NOW)
    dates = {e.guid: e.published_at for e in feed.entries}
    assert dates["urn:a"] == datetime(2025, 11, 6, 5, 0, tzinfo=UTC)
    assert dates["urn:b"] == NOW
    assert dates["urn:c"] == NOW


def test_ids_fall_back_to_link_then_a_hash() -> None:
    items = (
        "<item><title>One</title><link>https://example.kz/1?utm_source=rss</link></item>"
        "<item><title>Two</title></item>"
        "<item><title>Two</title></item>"
    )
    feed = parse_feed(rss("utf-8", items=items), url=URL, content_type=None, now=NOW)
    assert feed.entries[0].guid == "https://example.kz/1?utm_source=rss"
    assert feed.entries[0].canonical_url == "https://example.kz/1"
    assert feed.entries[1].guid.startswith("sha1:")
    assert len(feed.entries) == 2  # the identical third entry is the same item


def test_html_in_titles_and_summaries_becomes_clean_bounded_text() -> None:
    long = "уран " * 2000
    items = (
        "<item><guid>x</guid><title>&lt;b&gt;Уран&lt;/b&gt; &amp;amp; вольфрам</title>"
        f"<description><![CDATA[<p>Первый</p><script>evil()</script><p>{long}</p>]]></description>"
        "</item>"
    )
    entry = parse_feed(rss("utf-8", items=items), url=URL, content_type=None, now=NOW).entries[0]
    assert entry.title == "Уран & вольфрам"
    assert entry.summary.startswith("Первый уран уран")
    assert "evil" not in entry.summary
    assert len(entry.summary) <= 2000


def test_bozo_feed_with_entries_is_read_with_a_warning() -> None:
    items = "<item><guid>1</guid><title>Уран &nbsp; news</title></item><item><guid>2</guid><title>B"
    feed = parse_feed(rss("utf-8", items=items), url=URL, content_type=None, now=NOW)
    assert feed.entries
    assert feed.warning and feed.warning.startswith("malformed feed, read anyway")


@pytest.mark.parametrize(
    "body",
    [b"", b"plain text, no markup", b"<rss><channel><title>x</title></channel>", b"\x00\xff" * 50],
)
def test_not_xml_is_an_error(body: bytes) -> None:
    with pytest.raises(FeedParseError):
        parse_feed(body, url=URL, content_type="text/plain", now=NOW)


def test_html_page_is_not_a_feed() -> None:
    page = b"<!doctype html><html><head><title>News</title></head><body>hi</body></html>"
    with pytest.raises(NotAFeedError) as err:
        parse_feed(page, url=URL, content_type="text/html", now=NOW)
    assert err.value.url == URL


def test_entity_expansion_does_not_blow_up_memory() -> None:
    lol = '<!ENTITY lol0 "lollollollollollollollollollol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    )
    body = (
        f'<?xml version="1.0"?><!DOCTYPE rss [{lol}]><rss version="2.0"><channel><title>t</title>'
        "<item><guid>1</guid><title>&lol9;</title></item></channel></rss>"
    ).encode()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    try:
        feed = parse_feed(body, url=URL, content_type="application/xml", now=NOW)
    except FeedParseError:
        pass
    else:
        assert all(len(e.title) < 1000 for e in feed.entries)
        assert feed.warning is not None
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 50


@pytest.mark.parametrize("path", sorted(SNAPSHOTS.glob("*.xml")), ids=lambda p: p.name)
def test_seed_snapshots_parse_cleanly(path: object) -> None:
    from pathlib import Path

    assert isinstance(path, Path)
    feed = parse_feed(path.read_bytes(), url=path.as_uri(), content_type=None, now=NOW)
    assert len(feed.entries) >= 10
    assert feed.warning is None
    assert all(e.title and e.published_at <= NOW + timedelta(0) for e in feed.entries)


def _two_items(bad_title: str, bad_summary: str = "ok") -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>L</title>'
        f"<item><title>{bad_title}</title><link>https://e.kz/1</link>"
        f"<description>{bad_summary}</description></item>"
        "<item><title>Казахстан нарастил добычу урана</title><link>https://e.kz/2</link>"
        "</item></channel></rss>"
    ).encode()


@pytest.mark.parametrize(
    "bad_title",
    ["Уран &#xD800; и литий", "Уран &#55296; и литий", "Уран &#xDFFF;&#0; и литий", "&#x110000;"],
)
def test_a_character_reference_to_a_surrogate_costs_nothing_but_itself(bad_title: str) -> None:
    feed = parse_feed(_two_items(bad_title), url=URL, content_type="application/rss+xml", now=NOW)
    titles = [e.title for e in feed.entries]
    assert "Казахстан нарастил добычу урана" in titles
    assert len(titles) == 2
    for title in titles:
        title.encode("utf-8")  # no lone surrogate left to break the database or Telegram


def test_bidi_zero_width_and_nul_never_reach_item_text() -> None:
    title = "Evil\u202etxt.exe \u200bур\u2066ан\u2069 &#0;x\u00ady"
    summary = "a&#0;b \u200e\ufeffc &#x202E;d \u200dok"
    feed = parse_feed(
        _two_items(title, summary), url=URL, content_type="application/rss+xml", now=NOW
    )
    first = feed.entries[0]
    assert first.title == "Eviltxt.exe уран xy"
    assert first.summary == "ab c d \u200dok"  # the joiner shapes emoji: kept
