"""Deciding a feed body's character set and handing feedparser plain UTF-8.

Order: a byte-order mark; bytes that are valid UTF-8 (a strong signal, since
windows-1251 or koi8-r Cyrillic is almost never valid UTF-8); the XML prolog's
``encoding``; the HTTP ``charset``; windows-1251 with replacement.  The prolog
beats the header because feeds are files written with their prolog, while
servers often add a default charset that is wrong.
"""

from __future__ import annotations

import codecs
import re

_PROLOG = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)[\"'][^>]*\?>")
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._:-]+)", re.IGNORECASE)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# A doctype with an internal subset: the only place entity-expansion tricks live.
_DOCTYPE_SUBSET = re.compile(r"<!DOCTYPE[^\[>]*\[.*?\]\s*>", re.DOTALL | re.IGNORECASE)
_ENTITY_DECL = re.compile(r"<!ENTITY", re.IGNORECASE)


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def header_charset(content_type: str | None) -> str | None:
    match = _HEADER_CHARSET.search(content_type or "")
    return _codec(match.group(1)) if match else None


def decode_body(body: bytes, content_type: str | None) -> tuple[str, str]:
    """``(text, encoding used)`` for a feed body, per the order in the module docstring."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(name, errors="replace"), name
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    match = _PROLOG.match(body[:512])
    declared = _codec(match.group(1).decode()) if match else None
    for candidate in (declared, header_charset(content_type)):
        if candidate and candidate not in ("utf-8", "utf-16", "utf-32"):
            try:
                return body.decode(candidate), candidate
            except UnicodeDecodeError:
                continue
    return body.decode("windows-1251", errors="replace"), "windows-1251"


def utf8_document(body: bytes, content_type: str | None) -> tuple[bytes, str, bool]:
    """The body re-encoded as UTF-8 with a matching prolog, the source encoding, and whether an
    entity-declaring doctype was removed (so "billion laughs" cannot expand)."""
    text, encoding = decode_body(body, content_type)
    stripped = False
    head = text[:65536]
    if _ENTITY_DECL.search(head):
        cleaned = _DOCTYPE_SUBSET.sub("", head, count=1)
        cleaned = re.sub(r"<!ENTITY[^>]*>", "", cleaned, flags=re.IGNORECASE)
        stripped = cleaned != head
        text = cleaned + text[65536:]
    text = re.sub(r"^\s*<\?xml[^>]*\?>", '<?xml version="1.0" encoding="utf-8"?>', text, count=1)
    return text.encode("utf-8"), encoding, stripped
