"""A public Telegram channel's web preview (``t.me/s/NAME``) read as a feed.

The preview is an HTML page of the channel's latest posts, readable without an account. Each
post is a ``div.tgme_widget_message`` whose ``data-post`` is ``NAME/ID``; its text is in
``div.tgme_widget_message_text`` and its time in ``a.tgme_widget_message_date > time``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import lxml.html
from lxml import etree

from bot.ingest.charset import decode_body
from bot.ingest.errors import FeedParseError
from bot.ingest.parse import ParsedEntry, ParsedFeed
from bot.ingest.text import SUMMARY_MAX, TITLE_MAX, clip, html_to_text

# A post title is its first line or sentence, cut to about this many characters.
POST_TITLE_MAX = 120
# A real preview holds about 20 posts; a hostile page may hold any number. Keep the newest.
MAX_POSTS = 200
CHANNEL_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{3,31}")

_POST = "tgme_widget_message"
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[\"«“(A-ZА-ЯЁ0-9])")
_CLASS_XPATH = "contains(concat(' ', normalize-space(@class), ' '), ' {} ')"


def channel_link(name: str, post_id: int) -> str:
    """The public address of one post, whatever server the preview was read from."""
    return f"https://t.me/{name}/{post_id}"


def parse_channel(body: bytes, *, name: str, content_type: str | None, now: datetime) -> ParsedFeed:
    """The text posts of a preview page, oldest first; FeedParseError if it is no preview."""
    text, encoding = decode_body(body, content_type)
    try:
        doc = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError):
        raise FeedParseError(_preview_url(name), "not a Telegram channel preview page") from None
    posts = _find(doc, _POST)
    if not posts and not _find(doc, "tgme_channel_history"):
        raise FeedParseError(
            _preview_url(name),
            f"@{name} has no public preview: the channel does not exist or is not public",
        )
    entries: dict[str, ParsedEntry] = {}
    for post in posts[-MAX_POSTS:]:
        entry = _entry(post, name, now)
        if entry is not None:
            entries[entry.guid] = entry  # an edited post keeps its id: one entry
    title_el = _find(doc, "tgme_channel_info_header_title")
    title = html_to_text(title_el[0].text_content(), TITLE_MAX) if title_el else ""
    return ParsedFeed(
        title=title or f"@{name}",
        site_url=f"https://t.me/{name}",
        lang=None,
        entries=tuple(entries.values()),
        encoding=encoding,
        warning=None,
    )


def _find(root: lxml.html.HtmlElement, css_class: str) -> list[lxml.html.HtmlElement]:
    found: list[lxml.html.HtmlElement] = root.xpath(f"//*[{_CLASS_XPATH.format(css_class)}]")
    return found


def _entry(post: lxml.html.HtmlElement, name: str, now: datetime) -> ParsedEntry | None:
    classes = (post.get("class") or "").split()
    if "service_message" in classes:
        return None
    post_id = _post_id(post.get("data-post") or "")
    if post_id is None:
        return None
    text = _post_text(post)
    if not text:
        return None  # media only: nothing to match or to show
    link = channel_link(name, post_id)
    return ParsedEntry(
        guid=link,
        url=link,
        canonical_url=link,
        title=post_title(text),
        summary=clip(text, SUMMARY_MAX),
        published_at=_post_time(post, now),
    )


def _post_id(data_post: str) -> int | None:
    # "NAME/ID"; a forwarded post still carries the forwarding channel's name and its own id.
    _, _, tail = data_post.rpartition("/")
    return int(tail) if tail.isdigit() and len(tail) <= 12 else None


def _post_text(post: lxml.html.HtmlElement) -> str:
    """The post's own text: not the quoted text of the post it replies to."""
    for el in post.xpath(f".//div[{_CLASS_XPATH.format('tgme_widget_message_text')}]"):
        quoted = el.xpath(f"ancestor::*[{_CLASS_XPATH.format('tgme_widget_message_reply')}]")
        if quoted:
            continue
        for br in el.iter("br"):
            br.tail = "\n" + (br.tail or "")
        raw = str(el.text_content())[: SUMMARY_MAX * 4]
        lines = [" ".join(line.split()) for line in raw.splitlines()]
        return "\n".join(line for line in lines if line).strip()
    return ""


def post_title(text: str) -> str:
    """The first line, else the first sentence, of a post, cut to about 120 characters."""
    first = text.split("\n", 1)[0].strip()
    sentence = _SENTENCE_END.split(first, maxsplit=1)[0]
    return clip(sentence or first, POST_TITLE_MAX)


def _post_time(post: lxml.html.HtmlElement, now: datetime) -> datetime:
    for el in post.xpath(f".//a[{_CLASS_XPATH.format('tgme_widget_message_date')}]//time"):
        value = (el.get("datetime") or "").strip()
        try:
            stamp = datetime.fromisoformat(value)
        except ValueError:
            continue
        if stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=UTC)
        return min(stamp.astimezone(UTC), now)
    return now


def _preview_url(name: str) -> str:
    return f"https://t.me/s/{name}"
