"""HTML to clean, bounded plain text, with lxml."""

from __future__ import annotations

import re
import unicodedata

import lxml.html
from lxml import etree

TITLE_MAX = 500
SUMMARY_MAX = 2000

_SPACE = re.compile(r"\s+")
# Joiners shape scripts and emoji; every other format control (bidi overrides and isolates,
# zero-width space, word joiner, BOM, soft hyphen) only hides or reorders text.
_KEPT_FORMAT = frozenset("\u200c\u200d")
_REMOVED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})
_DROP = ("script", "style", "noscript", "template", "iframe", "object", "svg", "head")
_BLOCK = (
    *("p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td"),
    *("th", "table", "blockquote", "section", "article", "header", "footer", "figure"),
    *("figcaption", "pre", "hr", "dd", "dt"),
)


def html_to_text(value: str | None, limit: int) -> str:
    """Tags stripped (scripts and styles with their content), entities unescaped, whitespace
    collapsed, cut to ``limit`` characters at a word boundary when possible."""
    if not value:
        return ""
    if "<" in value or "&" in value:
        value = _strip_html(value)
    return clip(_SPACE.sub(" ", clean_text(value)).strip(), limit)


def clean_text(value: str) -> str:
    """Feed text without what users must never receive: lone surrogates, NULs and other
    control characters (whitespace becomes a space), bidi and zero-width controls."""
    if value.isascii() and value.isprintable():
        return value
    return "".join(
        " " if ch.isspace() else ch
        for ch in value
        if ch.isspace() or ch in _KEPT_FORMAT or unicodedata.category(ch) not in _REMOVED_CATEGORIES
    )


def clip(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit * 0.8:
        cut = cut[:space]
    return cut.rstrip() + "…"


def _strip_html(value: str) -> str:
    try:
        root = lxml.html.fragment_fromstring(value, create_parent="div")
    except (etree.ParserError, ValueError):
        return value
    for el in list(root.iter(*_DROP)):
        el.drop_tree()
    for el in root.iter(*_BLOCK):
        el.tail = " " + (el.tail or "")
    return str(root.text_content())
