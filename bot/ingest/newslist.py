"""A feedless web page read as a feed: its list of news, found by its shape.

A news list is many links with headline-length text that sit at the same place in the page's
structure (the same chain of tags and classes), such as ``ul.news > li > a`` or
``div.card > h3 > a``. The largest such group is the list; each link's card (its nearest
ancestor holding no other link of the group) gives a date when the page shows one.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin

import lxml.html
from lxml import etree

from bot.ingest.charset import decode_body
from bot.ingest.errors import FeedParseError
from bot.ingest.parse import GUID_MAX, URL_MAX, ParsedEntry, ParsedFeed
from bot.ingest.text import SUMMARY_MAX, TITLE_MAX, clip, html_to_text
from bot.ingest.urls import canonical_url

# A page that yields fewer items than this is refused: it is not a list of news.
MIN_ITEMS = 3
MAX_ITEMS = 100
MAX_LINKS = 20_000
HEADLINE_MIN_CHARS = 20
HEADLINE_MIN_WORDS = 3

_DROP = ("script", "style", "noscript", "template", "svg", "nav", "footer", "select", "form")
_MONTHS = {
    **dict.fromkeys(("январ", "jan"), 1), **dict.fromkeys(("феврал", "feb"), 2),
    **dict.fromkeys(("март", "мар", "mar"), 3), **dict.fromkeys(("апрел", "apr"), 4),
    **dict.fromkeys(("ма", "may"), 5), **dict.fromkeys(("июн", "jun"), 6),
    **dict.fromkeys(("июл", "jul"), 7), **dict.fromkeys(("август", "aug"), 8),
    **dict.fromkeys(("сентябр", "sep"), 9), **dict.fromkeys(("октябр", "oct"), 10),
    **dict.fromkeys(("ноябр", "nov"), 11), **dict.fromkeys(("декабр", "dec"), 12),
}  # fmt: skip
_TIME = r"(?:,?\s*(?:в\s+|at\s+)?(\d{1,2}):(\d{2}))?"
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}))?")
_DOTTED = re.compile(r"\b(\d{1,2})[./](\d{1,2})[./](\d{4})\b" + _TIME)
_DAY_MONTH = re.compile(r"\b(\d{1,2})\s+([A-Za-zА-Яа-яЁё]{3,9})\.?,?\s+(\d{4})" + _TIME)
_MONTH_DAY = re.compile(r"\b([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})" + _TIME)


@dataclass(frozen=True, slots=True)
class _Link:
    element: lxml.html.HtmlElement
    url: str
    text: str


def parse_news_list(
    body: bytes, *, page_url: str, content_type: str | None, now: datetime
) -> ParsedFeed:
    """The page's news list as entries, in page order; FeedParseError if it has fewer than 3."""
    text, encoding = decode_body(body, content_type)
    try:
        doc = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError):
        raise FeedParseError(page_url, "not a readable web page") from None
    for el in list(doc.iter(*_DROP)):
        el.drop_tree()
    links = _headline_links(doc, _base(doc, page_url), page_url)
    group = _largest_group(links)
    entries: dict[str, ParsedEntry] = {}
    for link, card in zip(group, _cards(group), strict=True):
        entry = _entry(link, card, now)
        entries.setdefault(entry.guid, entry)
        if len(entries) == MAX_ITEMS:
            break
    if len(entries) < MIN_ITEMS:
        raise FeedParseError(
            page_url,
            f"the page shows no list of news "
            f"({len(entries)} headline links found, at least {MIN_ITEMS} needed)",
        )
    title = doc.find(".//title")
    return ParsedFeed(
        title=html_to_text(title.text_content(), TITLE_MAX) or None if title is not None else None,
        site_url=page_url,
        lang=(doc.get("lang") or "").strip()[:2].lower() or None,
        entries=tuple(entries.values()),
        encoding=encoding,
        warning=None,
    )


def _base(doc: lxml.html.HtmlElement, page_url: str) -> str:
    for el in doc.iter("base"):
        href = str(el.get("href") or "")
        if href:
            return urljoin(page_url, href)
    return page_url


def _headline_links(doc: lxml.html.HtmlElement, base: str, page_url: str) -> list[_Link]:
    page = canonical_url(page_url)
    found = []
    for n, a in enumerate(doc.iter("a")):
        if n == MAX_LINKS:
            break
        href = (a.get("href") or "").strip()
        if not href or href.startswith("#") or len(href) > URL_MAX:
            continue
        url = urljoin(base, href)
        if not url.startswith(("http://", "https://")) or canonical_url(url) == page:
            continue
        text = " ".join(str(a.text_content())[: TITLE_MAX * 2].split())
        if len(text) >= HEADLINE_MIN_CHARS and len(text.split()) >= HEADLINE_MIN_WORDS:
            found.append(_Link(a, url, text))
    return found


def _shape(el: lxml.html.HtmlElement) -> tuple[str, ...]:
    """Tag and classes of ``el`` and its ancestors: equal for every link of one list."""
    path = []
    node: lxml.html.HtmlElement | None = el
    while node is not None and node.tag not in ("body", "html"):
        path.append(f"{node.tag}.{'.'.join(sorted((node.get('class') or '').split()))}")
        node = node.getparent()
    return tuple(path)


def _largest_group(links: list[_Link]) -> list[_Link]:
    groups: dict[tuple[str, ...], list[_Link]] = defaultdict(list)
    for link in links:
        groups[_shape(link.element)].append(link)
    if not groups:
        return []
    # Most links wins; among equals, the longer headlines (menus have short labels).
    return max(
        groups.values(), key=lambda g: (len({x.url for x in g}), sum(len(x.text) for x in g))
    )


def _cards(group: list[_Link]) -> list[lxml.html.HtmlElement]:
    """Each link's card: its largest ancestor that holds no other link of the list."""
    shared: Counter[lxml.html.HtmlElement] = Counter()
    for link in group:
        shared.update(link.element.iterancestors())
    cards = []
    for link in group:
        card = link.element
        for ancestor in link.element.iterancestors():
            if shared[ancestor] > 1:
                break
            card = ancestor
        cards.append(card)
    return cards


def _entry(link: _Link, card: lxml.html.HtmlElement, now: datetime) -> ParsedEntry:
    card_text = " ".join(str(card.text_content())[: SUMMARY_MAX * 4].split())
    summary = card_text.replace(link.text, " ", 1)
    url = link.url
    return ParsedEntry(
        guid=(canonical_url(url) or url)[:GUID_MAX],
        url=url,
        canonical_url=canonical_url(url),
        title=clip(link.text, TITLE_MAX),
        summary=clip(" ".join(summary.split()), SUMMARY_MAX),
        published_at=min(_card_date(card, card_text) or now, now),
    )


def _card_date(card: lxml.html.HtmlElement, text: str) -> datetime | None:
    for el in card.iter("time"):
        value = (el.get("datetime") or "").strip()
        try:
            stamp = datetime.fromisoformat(value)
        except ValueError:
            continue
        return stamp.astimezone(UTC) if stamp.tzinfo else stamp.replace(tzinfo=UTC)
    return text_date(text)


def text_date(text: str) -> datetime | None:
    """The first date written in ``text`` (ISO, 05.11.2025, 5 ноября 2025, Nov 5, 2025), UTC."""
    if m := _ISO.search(text):
        return _make(m[1], m[2], m[3], m[4], m[5])
    if m := _DOTTED.search(text):
        return _make(m[3], m[2], m[1], m[4], m[5])
    if (m := _DAY_MONTH.search(text)) and (month := _month(m[2])):
        return _make(m[3], str(month), m[1], m[4], m[5])
    if (m := _MONTH_DAY.search(text)) and (month := _month(m[1])):
        return _make(m[3], str(month), m[2], m[4], m[5])
    return None


def _month(word: str) -> int | None:
    low = word.lower()
    for stem in sorted(_MONTHS, key=len, reverse=True):
        if low.startswith(stem) and (len(stem) > 2 or low in ("мая", "май")):
            return _MONTHS[stem]
    return None


def _make(year: str, month: str, day: str, hour: str | None, minute: str | None) -> datetime | None:
    try:
        return datetime(
            int(year), int(month), int(day), int(hour or 0), int(minute or 0), tzinfo=UTC
        )
    except ValueError:
        return None
