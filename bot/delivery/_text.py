"""HTML helpers for the messages the bot composes: escaping, measuring, rendering as text.

Telegram counts a message's length after entity parsing, in UTF-16 code units; the plain
rendering here (tags dropped, links written out) is never shorter than that, so measuring it
keeps every message under the limit whichever way it is finally sent.
"""

from __future__ import annotations

import html
import re
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MAX_MESSAGE = 4096

_LINK = re.compile(r'<a href="([^"]*)">(.*?)</a>', re.S)
_TAG = re.compile(r"<[^>]+>")


def quote(text: str) -> str:
    """Escape outside text for Telegram HTML (``<``, ``>``, ``&``)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def quote_attr(text: str) -> str:
    return quote(text).replace('"', "&quot;")


def link(url: str | None, text: str) -> str:
    """``<a>`` for http(s) URLs only; anything else is shown as plain (escaped) text."""
    if url and url.startswith(("http://", "https://")):
        return f'<a href="{quote_attr(url)}">{quote(text)}</a>'
    return quote(text)


def to_plain(markup: str) -> str:
    """The text a reader sees, links written as ``text (url)``."""

    def _link(m: re.Match[str]) -> str:
        url, label = html.unescape(m.group(1)), _TAG.sub("", m.group(2))
        return f"{label} ({url})" if url else label

    return html.unescape(_TAG.sub("", _LINK.sub(_link, markup)))


_TITLE_LINK = re.compile(r'<b><a href="([^"]*)">(.*?)</a></b>', re.S)


def to_terminal(markup: str) -> str:
    """Readable text for a terminal: a bold link's URL on its own line, other links by name."""

    def _title(m: re.Match[str]) -> str:
        return f"{m.group(2)}\n   {m.group(1)}"

    return html.unescape(_TAG.sub("", _TITLE_LINK.sub(_title, markup)))


def length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def zone(name: str, fallback: str = "UTC") -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(fallback)


def local_time(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%d.%m.%Y %H:%M")


def topic_tag(topic: str) -> str:
    return "#" + re.sub(r"\W", "_", topic)
