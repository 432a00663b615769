"""Telegram's ``parse_mode=HTML``: the tag subset, its error wordings and the entities it yields.

Mirrors the Bot API's parser closely enough for tests: supported tags and attributes, the
``can't parse entities`` messages with UTF-8 byte offsets, decoding of ``&lt; &gt; &amp; &quot;``
and numeric references, and entity offsets/lengths in UTF-16 code units.

One deliberate difference: Telegram keeps a bare ``&`` that starts no known entity as a literal
character; with ``strict_ampersand=True`` (the fake's default) it is an error instead, because
unescaped feed text is a bug in the sender even when Telegram lets it through.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SIMPLE_TAGS: dict[str, str] = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
}
SUPPORTED_TAGS = frozenset({*SIMPLE_TAGS, "a", "span", "blockquote", "tg-emoji"})
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


class EntityParseError(ValueError):
    """Invalid Telegram HTML; ``str(exc)`` is what follows "can't parse entities: "."""


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit Telegram uses for entities and text limits."""
    return len(text.encode("utf-16-le")) // 2


@dataclass
class _OpenTag:
    tag: str
    byte_offset: int
    start: int
    entity: dict[str, Any] | None
    merged_into_pre: bool = False
    extra: dict[str, str] = field(default_factory=dict)


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _decode_entity(text: str, i: int) -> tuple[str, int] | None:
    """Decode the character reference starting at ``text[i] == '&'``: (character, length)."""
    end = text.find(";", i + 1, i + 12)
    if end < 0:
        return None
    name = text[i + 1 : end]
    if name in NAMED_ENTITIES:
        return NAMED_ENTITIES[name], end - i + 1
    if name.startswith("#"):
        digits = name[1:]
        try:
            code = int(digits[1:], 16) if digits[:1] in ("x", "X") else int(digits, 10)
        except ValueError:
            return None
        if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF:
            return chr(code), end - i + 1
    return None


def _decode_attribute(raw: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(raw):
        if raw[i] == "&" and (decoded := _decode_entity(raw, i)) is not None:
            out.append(decoded[0])
            i += decoded[1]
        else:
            out.append(raw[i])
            i += 1
    return "".join(out)


class _Parser:
    def __init__(self, text: str, strict_ampersand: bool) -> None:
        self.text = text
        self.strict_ampersand = strict_ampersand
        self.out: list[str] = []
        self.pos16 = 0
        self.stack: list[_OpenTag] = []
        self.entities: list[dict[str, Any]] = []

    def emit(self, chunk: str) -> None:
        self.out.append(chunk)
        self.pos16 += utf16_len(chunk)

    def fail(self, message: str) -> EntityParseError:
        return EntityParseError(message)

    def run(self) -> tuple[str, list[dict[str, Any]]]:
        text, i, n = self.text, 0, len(self.text)
        while i < n:
            c = text[i]
            if c == "&":
                decoded = _decode_entity(text, i)
                if decoded is None:
                    if self.strict_ampersand:
                        offset = _byte_offset(text, i)
                        raise self.fail(f'Unescaped "&" at byte offset {offset}')
                    self.emit("&")
                    i += 1
                else:
                    self.emit(decoded[0])
                    i += decoded[1]
            elif c != "<":
                j = i + 1
                while j < n and text[j] not in "<&":
                    j += 1
                self.emit(text[i:j])
                i = j
            elif i + 1 < n and text[i + 1] == "/":
                i = self.end_tag(i)
            else:
                i = self.start_tag(i)
        if self.stack:
            raise self.fail(
                f'Can\'t find end tag corresponding to start tag "{self.stack[-1].tag}"'
            )
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.out), self.entities

    def end_tag(self, i: int) -> int:
        text, begin = self.text, _byte_offset(self.text, i)
        if not self.stack:
            raise self.fail(f"Unexpected end tag at byte offset {begin}")
        close = text.find(">", i + 2)
        if close < 0:
            raise self.fail(f"Unclosed end tag at byte offset {begin}")
        name = text[i + 2 : close].strip().lower()
        top = self.stack[-1]
        if name != top.tag:
            raise self.fail(
                f'Unmatched end tag at byte offset {begin}, expected "</{top.tag}>", '
                f'found "</{name}>"'
            )
        self.stack.pop()
        length = self.pos16 - top.start
        if top.merged_into_pre:
            pre = self.stack[-1].entity
            if pre is not None:
                pre["language"] = top.extra["language"]
        elif top.entity is not None and length > 0:
            top.entity.update(offset=top.start, length=length)
            self.entities.append(top.entity)
        return close + 1

    def start_tag(self, i: int) -> int:
        text, n = self.text, len(self.text)
        begin = _byte_offset(text, i)
        j = i + 1
        while j < n and not text[j].isspace() and text[j] != ">":
            j += 1
        if j >= n:
            raise self.fail(f"Unclosed start tag at byte offset {begin}")
        tag = text[i + 1 : j].lower()
        if tag not in SUPPORTED_TAGS:
            raise self.fail(f'Unsupported start tag "{tag}" at byte offset {begin}')
        attrs, j = self.attributes(tag, j, begin)
        self.open(tag, attrs, begin)
        return j

    def attributes(self, tag: str, j: int, begin: int) -> tuple[dict[str, str], int]:
        text, n = self.text, len(self.text)
        attrs: dict[str, str] = {}
        while True:
            while j < n and text[j].isspace():
                j += 1
            if j >= n:
                raise self.fail(f"Unclosed start tag at byte offset {begin}")
            if text[j] == ">":
                return attrs, j + 1
            start = j
            while j < n and not text[j].isspace() and text[j] not in "=>":
                j += 1
            name = text[start:j].lower()
            if not name:
                raise self.fail(f'Empty attribute name in the tag "{tag}" at byte offset {begin}')
            while j < n and text[j].isspace():
                j += 1
            if j >= n:
                raise self.fail(f"Unclosed start tag at byte offset {begin}")
            if text[j] != "=":
                if tag == "blockquote" and name == "expandable":
                    attrs[name] = ""
                    continue
                raise self.fail(
                    f'Expected equal sign in declaration of an attribute of the tag "{tag}" '
                    f"at byte offset {begin}"
                )
            j += 1
            while j < n and text[j].isspace():
                j += 1
            if j >= n:
                raise self.fail(f"Unclosed start tag at byte offset {begin}")
            if text[j] in "\"'":
                close = text.find(text[j], j + 1)
                if close < 0:
                    raise self.fail(f"Unclosed start tag at byte offset {begin}")
                raw, j = text[j + 1 : close], close + 1
            else:
                start = j
                while j < n and not text[j].isspace() and text[j] != ">":
                    j += 1
                raw = text[start:j]
            attrs[name] = _decode_attribute(raw)

    def open(self, tag: str, attrs: dict[str, str], begin: int) -> None:
        entity: dict[str, Any] | None
        opened = _OpenTag(tag=tag, byte_offset=begin, start=self.pos16, entity=None)
        if tag == "a":
            href = attrs.get("href", "")
            if href.startswith("tg://user?id=") and href[13:].isdigit():
                entity = {"type": "text_mention", "user": _mention_user(int(href[13:]))}
            else:
                entity = {"type": "text_link", "url": href} if href else None
        elif tag == "span":
            if attrs.get("class") != "tg-spoiler":
                raise self.fail(f'Tag "span" must have class "tg-spoiler" at byte offset {begin}')
            entity = {"type": "spoiler"}
        elif tag == "tg-emoji":
            if not attrs.get("emoji-id", "").isdigit():
                raise self.fail(
                    f'Tag "tg-emoji" must have attribute "emoji-id" at byte offset {begin}'
                )
            entity = {"type": "custom_emoji", "custom_emoji_id": attrs["emoji-id"]}
        elif tag == "blockquote":
            entity = {"type": "expandable_blockquote" if "expandable" in attrs else "blockquote"}
        else:
            entity = {"type": SIMPLE_TAGS[tag]}
            language = attrs.get("class", "")
            if tag == "code" and language.startswith("language-") and len(language) > 9:
                top = self.stack[-1] if self.stack else None
                if top is not None and top.tag == "pre" and top.start == self.pos16:
                    opened.merged_into_pre = True
                    opened.extra["language"] = language[9:]
        opened.entity = entity
        self.stack.append(opened)


def _mention_user(user_id: int) -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": f"User {user_id}"}


def parse_html(text: str, *, strict_ampersand: bool = True) -> tuple[str, list[dict[str, Any]]]:
    """Return the visible text and its entities, or raise :class:`EntityParseError`."""
    return _Parser(text, strict_ampersand).run()
