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


@lru_cache(maxsize=1)
def _english() -> pysbd.Segmenter:
    return pysbd.Segmenter(language="en", clean=False)


def first_sentence(text: str) -> str:
    text = _SPACE.sub(" ", text).strip()[:_READ]
    if not text:
        return ""
    if len(_CYRILLIC.findall(text)) >= len(_LATIN.findall(text)):
        found = next(iter(sentenize(text)), None)
        first = found.text if found is not None else text
    else:
        parts = _english().segment(text)
        first = str(parts[0]) if parts else text
    return first.strip()


def snippet(summary: str, title: str = "", limit: int = SNIPPET_LIMIT) -> str:
    """At most ``limit`` characters (cut at a word, with "…"); "" when the summary only
    repeats the title."""
    sentence = first_sentence(summary)
    if not sentence or _same(sentence, title):
        return ""
    if len(sentence) <= limit:
        return sentence
    cut = sentence[: limit - 1]
    space = cut.rfind(" ")
    if space > limit * 0.6:
        cut = cut[:space]
    return cut.rstrip(" ,;:—-") + "…"


def _same(a: str, b: str) -> bool:
    def norm(s: str) -> str:
        return re.sub(r"\W+", " ", s).strip().casefold()

    return bool(b) and norm(a) == norm(b)
