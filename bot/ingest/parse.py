"""Feed bytes to normalised entries.  feedparser only parses; it never fetches."""

from __future__ import annotations

import calendar
import hashlib
import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import feedparser

from bot.ingest.charset import utf8_document
from bot.ingest.errors import FeedParseError, NotAFeedError
from bot.ingest.text import SUMMARY_MAX, TITLE_MAX, html_to_text
from bot.ingest.urls import canonical_url

GUID_MAX = 1024
URL_MAX = 2048
_HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html)[\s>]", re.I | re.S)
_CHAR_REF = re.compile(rb"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));")


@dataclass(frozen=True, slots=True)
class ParsedEntry:
    guid: str
    url: str | None
    canonical_url: str | None
    title: str
    summary: str
    published_at: datetime


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    title: str | None
    site_url: str | None
    lang: str | None
    entries: tuple[ParsedEntry, ...]
    encoding: str
    # A short note when feedparser flagged the document (bozo) but it still had entries.
    warning: str | None


def looks_like_html(body: bytes, content_type: str | None) -> bool:
    ctype = (content_type or "").split(";")[0].strip().lower()
    return ctype in ("text/html", "application/xhtml+xml") or bool(_HTML_START.match(body[:2048]))


def parse_feed(body: bytes, *, url: str, content_type: str | None, now: datetime) -> ParsedFeed:
    """Parse and normalise; raise FeedParseError when the body is not a usable feed."""
    data, encoding, stripped = utf8_document(body, content_type)
    data = _CHAR_REF.sub(_valid_char_ref, data)
    headers = {"content-type": "application/xml; charset=utf-8", "content-location": url}
    result: Any = feedparser.parse(io.BytesIO(data), response_headers=headers)
    entries = result.get("entries") or []
    bozo = result.get("bozo")
    if not entries and (bozo or not result.get("version")):
        if looks_like_html(body, content_type):
            raise NotAFeedError(url, "not a feed: the URL serves an HTML page")
        reason = _short(result.get("bozo_exception")) if bozo else "no RSS/Atom root element"
        raise FeedParseError(url, f"not a readable feed: {reason}")
    warning = None
    if stripped:
        warning = "entity declarations in the doctype were ignored"
    elif bozo:
        warning = f"malformed feed, read anyway: {_short(result.get('bozo_exception'))}"
    meta = result.get("feed") or {}
    feed_title = html_to_text(meta.get("title"), TITLE_MAX) or None
    lang = (meta.get("language") or "").strip()[:8].lower() or None
    parsed, skipped = _entries(entries, now)
    if skipped and warning is None:
        warning = f"{skipped} unreadable item(s) skipped"
    return ParsedFeed(
        title=feed_title,
        site_url=_bounded(meta.get("link")),
        lang=lang,
        entries=_unique(parsed),
        encoding=encoding,
        warning=warning,
    )


def _entry(raw: Any, now: datetime) -> ParsedEntry:
    title = html_to_text(raw.get("title"), TITLE_MAX)
    summary_html = raw.get("summary") or ""
    if not summary_html and raw.get("content"):
        summary_html = raw["content"][0].get("value") or ""
    summary = html_to_text(summary_html, SUMMARY_MAX)
    link = _bounded(raw.get("link"))
    published = entry_date(raw, now)
    guid = (raw.get("id") or "").strip() or link
    if not guid:
        seed = f"{title}\n{published.isoformat()}\n{summary[:200]}"
        guid = "sha1:" + hashlib.sha1(seed.encode("utf-8")).hexdigest()
    return ParsedEntry(
        guid=guid[:GUID_MAX],
        url=link,
        canonical_url=_bounded(canonical_url(link)),
        title=title or summary[:120] or "(untitled)",
        summary=summary,
        published_at=published,
    )


def _entries(raw_entries: list[Any], now: datetime) -> tuple[tuple[ParsedEntry, ...], int]:
    """Each entry normalised on its own: one that cannot be read is skipped, not the feed."""
    parsed: list[ParsedEntry] = []
    skipped = 0
    for raw in raw_entries:
        try:
            parsed.append(_entry(raw, now))
        except (ValueError, TypeError, AttributeError, KeyError, IndexError, OverflowError):
            skipped += 1
    return tuple(parsed), skipped


def _valid_char_ref(found: re.Match[bytes]) -> bytes:
    """A character reference XML allows stays; one to a surrogate, NUL or another control
    character (feedparser would raise on a surrogate and fail the whole feed) is dropped."""
    hex_digits, decimal = found.group(1), found.group(2)
    code = int(hex_digits, 16) if hex_digits else int(decimal)
    allowed = code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0x10FFFF
    return found.group(0) if allowed and code not in (0xFFFE, 0xFFFF) else b""


def entry_date(raw: Any, now: datetime) -> datetime:
    """Published (else updated) time in UTC; missing means ``now``, the future is clamped."""
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = raw.get(key)
        if value:
            try:
                stamp = datetime.fromtimestamp(calendar.timegm(value), UTC)
            except (OverflowError, ValueError, OSError):
                continue
            return min(stamp, now)
    return now


def _unique(entries: tuple[ParsedEntry, ...]) -> tuple[ParsedEntry, ...]:
    seen: set[str] = set()
    out = []
    for e in entries:
        if e.guid not in seen:
            seen.add(e.guid)
            out.append(e)
    return tuple(out)


def _bounded(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip() or len(value) > URL_MAX:
        return None
    return value.strip()


def _short(exc: Any) -> str:
    text = str(exc or "unknown error").splitlines()[0] if exc else "unknown error"
    return text[:200]
