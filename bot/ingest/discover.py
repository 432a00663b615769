"""`feeds add` of a web page: find the feed it advertises."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin

import lxml.html
from lxml import etree

from bot.ingest.charset import decode_body

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml")


@dataclass(frozen=True, slots=True)
class DiscoveredFeed:
    url: str
    title: str | None


def discover_feed(body: bytes, *, page_url: str, content_type: str | None) -> DiscoveredFeed | None:
    """The first ``<link rel="alternate">`` of a feed type in the page, resolved; else None."""
    text, _ = decode_body(body, content_type)
    try:
        doc = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError):
        return None
    base = page_url
    for el in doc.iter("base"):
        if el.get("href"):
            base = urljoin(page_url, el.get("href"))
            break
    for link in doc.iter("link"):
        rels = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").split(";")[0].strip().lower()
        href = (link.get("href") or "").strip()
        if "alternate" in rels and kind in FEED_TYPES and href:
            url = urljoin(base, href)
            if url.startswith(("http://", "https://")):
                return DiscoveredFeed(url=url, title=(link.get("title") or "").strip() or None)
    return None
