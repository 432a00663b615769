"""Which story an item belongs to: pure functions, no storage.

An item joins an existing story when it has the same canonical URL, or when
it is a reprint: the same normalised title (``title_key``) AND essentially the
same text.  "Same text" is measured on word 3-shingles of the summary:
containment |A∩B| / min(|A|,|B|) >= 0.75 (containment rather than Jaccard, so a
reprint that cuts the text short still matches), or 64-bit SimHash within
Hamming distance 3.  When either text is too short to judge (under 8 words),
a long title (6+ words) published within 72 hours of the other is enough.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

CONTAINMENT_MIN = 0.75
SHORT_TEXT_WORDS = 8
SHORT_TITLE_WORDS = 6
SHORT_TEXT_WINDOW = timedelta(hours=72)
# Reprints older than this are not looked for.
REPRINT_WINDOW = timedelta(days=14)

_WORD = re.compile(r"\w+", re.UNICODE)
# Latin look-alikes folded to Cyrillic inside Cyrillic words is overkill here; ё/е is not.
_FOLD = str.maketrans({"ё": "е", "Ё": "Е"})


@dataclass(frozen=True, slots=True)
class StoryText:
    """What identity compares: the normalised title and the text of a story or item."""

    title: str
    summary: str
    published_at: datetime


class _Comparable(Protocol):
    @property
    def title(self) -> str: ...
    @property
    def summary(self) -> str: ...
    @property
    def published_at(self) -> datetime: ...


def words(text: str) -> list[str]:
    norm = unicodedata.normalize("NFKC", text).translate(_FOLD).casefold()
    return _WORD.findall(norm)


def title_key(title: str) -> str:
    """A 40-hex key of the title's words (case, punctuation, ё/е and spacing ignored)."""
    return hashlib.sha1(" ".join(words(title)).encode("utf-8")).hexdigest()


def shingles(text: str, size: int = 3) -> frozenset[str]:
    w = words(text)
    if len(w) < size:
        return frozenset([" ".join(w)]) if w else frozenset()
    return frozenset(" ".join(w[i : i + size]) for i in range(len(w) - size + 1))


def text_fingerprint(text: str) -> int:
    """A signed 63-bit hash of the text's normalised words: equal means the same text."""
    digest = hashlib.blake2b(" ".join(words(text)).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1


def containment(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def is_reprint(a: StoryText, b: StoryText) -> bool:
    """Same normalised title and essentially the same text."""
    if title_key(a.title) != title_key(b.title):
        return False
    wa, wb = words(a.summary), words(b.summary)
    if len(wa) < SHORT_TEXT_WORDS or len(wb) < SHORT_TEXT_WORDS:
        return (
            len(words(a.title)) >= SHORT_TITLE_WORDS
            and abs(a.published_at - b.published_at) <= SHORT_TEXT_WINDOW
        )
    if wa == wb:
        return True
    return containment(shingles(a.summary), shingles(b.summary)) >= CONTAINMENT_MIN


def find_reprint_of(item: StoryText, candidates: Iterable[tuple[int, StoryText]]) -> int | None:
    """The id of the first candidate story ``item`` is a reprint of, else None."""
    for story_id, story in candidates:
        if is_reprint(item, story):
            return story_id
    return None


def same_story(item: _Comparable, story: _Comparable) -> bool:
    """The predicate the item repository applies to candidate stories."""
    return is_reprint(
        StoryText(item.title, item.summary, item.published_at),
        StoryText(story.title, story.summary, story.published_at),
    )
