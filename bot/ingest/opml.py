"""OPML 2.0: read a subscription list, write ours."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime

from lxml import etree

from bot.ingest.errors import FeedParseError


@dataclass(frozen=True, slots=True)
class OpmlFeed:
    url: str
    title: str | None = None
    site_url: str | None = None
    # The outline's type: "rss" for feeds; ours also writes "channel" and "page".
    kind: str | None = None


def parse_opml(data: bytes, *, source: str = "OPML file") -> list[OpmlFeed]:
    """Every outline with an ``xmlUrl``, in document order (nested folders flattened).

    The parser resolves no entities and loads nothing from the network.
    """
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=False
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise FeedParseError(source, f"not valid OPML: {str(exc).splitlines()[0][:200]}") from None
    if root.tag != "opml":
        raise FeedParseError(source, f"not OPML: root element is <{root.tag}>")
    feeds: list[OpmlFeed] = []
    seen: set[str] = set()
    for outline in root.iter("outline"):
        url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
        if not url or url in seen:
            continue
        seen.add(url)
        title = outline.get("title") or outline.get("text")
        feeds.append(
            OpmlFeed(
                url=url,
                title=title or None,
                site_url=outline.get("htmlUrl"),
                kind=(outline.get("type") or "").strip().lower() or None,
            )
        )
    return feeds


def export_opml(feeds: Iterable[OpmlFeed], *, now: datetime, title: str = "c5watch feeds") -> str:
    """An OPML 2.0 document listing ``feeds`` as outlines (type rss, channel or page)."""
    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = title
    etree.SubElement(head, "dateCreated").text = format_datetime(now, usegmt=True)
    body = etree.SubElement(root, "body")
    for feed in feeds:
        kind = feed.kind if feed.kind in ("channel", "page") else "rss"
        attrs = {"type": kind, "text": feed.title or feed.url, "xmlUrl": feed.url}
        if feed.title:
            attrs["title"] = feed.title
        if feed.site_url:
            attrs["htmlUrl"] = feed.site_url
        etree.SubElement(body, "outline", attrs)
    xml: bytes = etree.tostring(root, pretty_print=True, xml_declaration=True, encoding="UTF-8")
    return xml.decode("utf-8")
