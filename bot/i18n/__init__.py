"""Catalogues for Russian and English, and the translator handlers get.

Translate first, then format: a catalogue value is an HTML template and every value filled
into it is escaped with ``html_decoration.quote`` unless it is :class:`Markup` (HTML this code
built itself, from already escaped parts). Control characters are dropped on the way in.
"""

from __future__ import annotations

import unicodedata
from typing import Final, Literal

from aiogram.utils.text_decorations import html_decoration

from bot.i18n import en, ru

Lang = Literal["ru", "en"]
LANGUAGES: Final[tuple[Lang, ...]] = ("ru", "en")
CATALOGUES: Final[dict[Lang, dict[str, str]]] = {"ru": ru.MESSAGES, "en": en.MESSAGES}


class Markup(str):
    """HTML that is safe as it stands: the translator fills it in unescaped."""

    __slots__ = ()


def pick_language(code: str | None) -> Lang:
    """Russian for a ``language_code`` starting with ru, English otherwise."""
    return "ru" if code and code.lower().startswith("ru") else "en"


def as_lang(value: str | None) -> Lang:
    return "ru" if value == "ru" else "en"


def clean(text: str) -> str:
    """Outside text made printable: control and format characters dropped, tabs to spaces."""
    out = []
    for char in text:
        if char in "\n":
            out.append(char)
        elif char in "\t\r":
            out.append(" ")
        elif unicodedata.category(char) not in ("Cc", "Cf", "Cs", "Co"):
            out.append(char)
    return "".join(out)


def cut(text: str, limit: int) -> str:
    """At most ``limit`` characters, with an ellipsis when something was cut."""
    return text if len(text) <= limit else text[: max(0, limit - 1)].rstrip() + "…"


def quote(value: object) -> Markup:
    """Any outside value as safe HTML text."""
    if isinstance(value, Markup):
        return value
    return Markup(html_decoration.quote(clean(str(value))))


class Translator:
    """``tr("key", name=value)`` gives the catalogue text with every value escaped."""

    def __init__(self, lang: Lang) -> None:
        self.lang: Lang = lang
        self._messages = CATALOGUES[lang]

    def __call__(self, key: str, /, **params: object) -> Markup:
        template = self._messages[key]
        if not params:
            return Markup(template)
        return Markup(template.format(**{name: quote(v) for name, v in params.items()}))

    def label(self, key: str, /, **params: object) -> str:
        """Plain text, not HTML (button labels, command descriptions, callback answers)."""
        template = self._messages[key]
        return template.format(**{name: clean(str(v)) for name, v in params.items()})


TRANSLATORS: Final[dict[Lang, Translator]] = {lang: Translator(lang) for lang in LANGUAGES}


def translator(lang: str | None) -> Translator:
    return TRANSLATORS[as_lang(lang)]


__all__ = [
    "CATALOGUES",
    "LANGUAGES",
    "Lang",
    "Markup",
    "Translator",
    "as_lang",
    "clean",
    "cut",
    "pick_language",
    "quote",
    "translator",
]
