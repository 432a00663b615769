"""The snippet under an alert's title: the first sentence of the story's summary.

Sentence boundaries come from rule-based segmenters made for the job (razdel for Russian,
pysbd for English), which know "U.S.", "Nov. 6", «г. Астана» and «Д. Трамп». The snippet is
plain text; the composer escapes it.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pysbd
from razdel import sentenize

SNIPPET_LIMIT = 200
# Enough text for a first sentence; segmenting a whole long summary would be wasted work.
_READ = 1_000
_CYRILLIC = re.compile(r"[А-Яа-яЁё]")
_LATIN = re.compile(r"[A-Za-z]")
_SPACE = re.compile(r"\s+")
# A bare link (a channel post ends with one) would run on the sentence before it.
_LINK = re.compile(r"\bhttps?://\S+")


@lru_cache(maxsize=1)
def _english() -> pysbd.Segmenter:
    return pysbd.Segmenter(language="en", clean=False)


def sentences(text: str) -> list[str]:
    """The sentences of the start of ``text``."""
    text = _SPACE.sub(" ", _LINK.sub(" ", text)).strip()[:_READ]
    if not text:
        return []
    if len(_CYRILLIC.findall(text)) >= len(_LATIN.findall(text)):
        found = [s.text.strip() for s in sentenize(text)]
    else:
        found = [str(s).strip() for s in _english().segment(text)]
    return [s for s in found if s] or [text]


def first_sentence(text: str) -> str:
    found = sentences(text)
    return found[0] if found else ""


def snippet(summary: str, title: str = "", limit: int = SNIPPET_LIMIT) -> str:
    """The summary's first sentence that does not repeat the title, at most ``limit``
    characters (cut at a word, with "…"); "" when the summary only repeats the title. A
    channel post's text starts with its bold headline, which the title already shows."""
    summary = _without_title(summary, title)
    sentence = next((s for s in sentences(summary) if not _same(s, title)), "")
    if not sentence:
        return ""
    if len(sentence) <= limit:
        return sentence
    cut = sentence[: limit - 1]
    space = cut.rfind(" ")
    if space > limit * 0.6:
        cut = cut[:space]
    return cut.rstrip(" ,;:—-") + "…"


def _norm(s: str) -> str:
    return re.sub(r"\W+", " ", s).strip().casefold()


def _same(a: str, b: str) -> bool:
    return bool(b) and _norm(a) == _norm(b)


def _without_title(summary: str, title: str) -> str:
    """The summary less a leading copy of the title (with no full stop between them, the
    segmenter would read the two as one sentence)."""
    summary = _SPACE.sub(" ", summary).strip()
    title = _SPACE.sub(" ", title).strip()
    if title and summary[: len(title)].casefold() == title.casefold():
        rest = summary[len(title) :]
        if not rest[:1].isalnum():  # the title ends there, not inside a longer word
            return rest.lstrip(" .:;—–-")
    return summary
