"""Whether a headline announces something ahead ("will visit", «посетит») or reports it done,
and whether it asks a question ("who will mine the tungsten?"), as explainers do.

An announcement and the happening it announces are reported apart: an invitation to a summit
a week ahead is not the summit. Only the title is read: a lede often mixes both.
"""

from __future__ import annotations

import re
from functools import lru_cache

from bot.matching._morph import russian_best_tag
from bot.matching.normalise import fold, raw_tokens

_ENGLISH_AHEAD = re.compile(
    r"\b(?:will|to be held|upcoming|(?:plans?|set|expected|due|going)\s+to|may be held)\b",
    re.IGNORECASE,
)
# "Xi to attend ...", but not "Trump invites leaders to attend ...": the invitation is done.
_ENGLISH_TO_DO = re.compile(
    r"\bto\s+(?:host|visit|attend|meet|hold|sign|travel|launch|join|chair|head|open)\b",
    re.IGNORECASE,
)
_INVITES = re.compile(r"\binvit", re.IGNORECASE)
# Words that announce without being future verbs.
_RUSSIAN_AHEAD = frozenset(
    {
        "будет",
        "будут",
        "намерен",
        "намерена",
        "намерены",
        "планирует",
        "планируют",
        "предстоящий",
        "предстоящем",
        "предстоящего",
        "готовится",
        "собирается",
    }
)
_CYRILLIC = re.compile("[а-я]")
# «Саммит может состояться 19 декабря»: a modal and an infinitive, the English "may be held".
_RUSSIAN_MAY = re.compile(r"\bмо(?:жет|гут)\s+(?:состояться|пройти|начаться)\b", re.IGNORECASE)


@lru_cache(maxsize=50_000)
def _future_verb(word: str) -> bool:
    tag = set(russian_best_tag(word).replace(" ", ",").split(","))
    return "VERB" in tag and "futr" in tag


def announces(title: str) -> bool:
    """Whether ``title`` announces a happening still ahead. A question does not: "who will
    mine the tungsten?" explains a deal done."""
    if asks(title):
        return False
    if _ENGLISH_AHEAD.search(title):
        return True
    if _ENGLISH_TO_DO.search(title) and not _INVITES.search(title):
        return True
    if _RUSSIAN_MAY.search(title):
        return True
    for raw in raw_tokens(title):
        word = fold(raw)
        if not _CYRILLIC.match(word):
            continue
        if word in _RUSSIAN_AHEAD or _future_verb(word):
            return True
    return False


# A question opening the title or a clause of it: "What we know about the deal", «Америка вместо
# Китая: кто будет разрабатывать вольфрам». An explainer's future tense announces nothing.
_QUESTION = re.compile(
    r"(?:^|[:—–-]\s*)(?:кто|что|как|какие|какой|какая|почему|зачем|сколько|чем|где|"
    r"what|who|how|why|which|where)\b|\?",
    re.IGNORECASE,
)


def asks(title: str) -> bool:
    """Whether ``title`` asks a question (an explainer's headline)."""
    return _QUESTION.search(title) is not None
