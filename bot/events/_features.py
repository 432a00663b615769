"""What an item is about, as weighted keys that Russian and English reports share.

A key is either an alias group of ``bot.matching`` (``~kazakhstan``, ``~tokayev``), or a
consonant skeleton of a word's transliterated normal form: «Караганда» and "Karaganda" both
give ``krgnd``, «саммит» and "summit" give ``smt``, «Трамп» and "Trump" ``trmp``. A key's
weight is the rarity of the word in its language, so names and minerals count and "said" or
«заявил» do not.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from anyascii import anyascii
from wordfreq import zipf_frequency

from bot.events._tense import announces
from bot.matching.aliases import ALIAS_MARK, AliasTable
from bot.matching.document import Document, Normaliser
from bot.matching.normalise import analyse, fold, prepare, raw_tokens

_CYRILLIC = re.compile("[а-яё]")
_LATIN = re.compile("[a-z]")
_VOWELS = re.compile("[aeiouy]")
# Spellings that transliteration and English write differently for one sound.
_SOUNDS = (
    ("shch", "sh"),
    ("dzh", "j"),
    ("zh", "j"),
    ("kh", "h"),
    ("ph", "f"),
    ("ck", "k"),
    ("c", "k"),
    ("q", "k"),
    ("w", "v"),
    ("x", "ks"),
    ("ts", "s"),
    ("z", "s"),
)
_SKELETON_LENGTH = 5
# Words at least this common (Zipf scale: 6 is once per million words... 7 "the") carry no
# weight; a word absent from the frequency lists is a name, as rare as they come.
_COMMON_ZIPF = 5.0
_MAX_WEIGHT = 4.0
TITLE_BOOST = 1.5
MIN_ALIAS_WEIGHT = 0.2
NUMBER_WEIGHT = 2.0
# The least weight of a capitalised word inside a sentence, however common the word.
PROPER_WEIGHT = 1.0
# A capitalised title word at least this rare counts as a name.
NAME_WEIGHT = 1.5


@dataclass(frozen=True, slots=True)
class ItemKeys:
    """An item's keys with their weights (title occurrences boosted), and the names in its
    title: alias groups and rare capitalised words, the who and where of the report."""

    weights: Mapping[str, float]
    names: frozenset[str] = frozenset()
    ahead: bool = False  # the title announces a happening still to come
    # Keys a report in the other language can share: alias groups, figures, capitalised words.
    bridge: frozenset[str] = frozenset()
    cyrillic: bool = False  # written in Russian (its title mostly Cyrillic)
    # Keys of whoever the title quotes ("Trump: ...", «Токаев подтвердил ...»): two statements
    # by different people on one subject are two happenings.
    speaker: frozenset[str] = frozenset()

    def bridge_norm(self) -> float:
        return sum(self.weights[k] ** 2 for k in self.bridge if k in self.weights) ** 0.5 or 1.0

    @property
    def norm(self) -> float:
        return sum(w * w for w in self.weights.values()) ** 0.5 or 1.0


def skeleton(word: str) -> str:
    """Consonant skeleton of a Latin word: first letter, then consonants, repeats collapsed."""
    s = "".join(ch for ch in word if "a" <= ch <= "z")
    if not s:
        return ""
    for written, sound in _SOUNDS:
        s = s.replace(written, sound)
    body = _VOWELS.sub("", s[1:])
    out = [s[0]]
    for ch in body:
        if ch != out[-1]:
            out.append(ch)
    return "".join(out[:_SKELETON_LENGTH])


def _rarity(word: str, lang: str) -> float:
    zipf = float(zipf_frequency(word, lang))
    return min(_MAX_WEIGHT, max(0.0, _COMMON_ZIPF - zipf))


@lru_cache(maxsize=200_000)
def token_key(raw: str) -> tuple[str, float] | None:
    """(key, weight) of one raw non-alias token (weight 0 for a common word), or None for a
    word too short or a number."""
    if raw.isdigit():
        return None
    forms = analyse(raw)
    word = forms.surface
    if len(word) < 3:
        return None
    if _CYRILLIC.search(word):
        lemma = min(forms.lemmas) if forms.lemmas else word
        weight = min(_rarity(word, "ru"), _rarity(lemma, "ru"))
        latin = anyascii(lemma).lower()
    else:
        weight = _rarity(word, "en")
        latin = word[:-1] if len(word) > 4 and word.endswith("s") else word
    key = skeleton(latin)
    # A short name ("Cove", «Ков») has too few consonants to stand for itself as a skeleton.
    return (key if len(key) >= 3 else "=" + latin, weight)


def _alias_weights(groups: Mapping[str, object]) -> dict[str, float]:
    """Each group's weight: the mean rarity of its variants, each in its own language."""
    weights: dict[str, float] = {}
    for name, variants in groups.items():
        if name.startswith("_") or not isinstance(variants, list) or not variants:
            continue
        rarities = [
            _rarity(v.lower(), "ru" if _CYRILLIC.search(v.lower()) else "en") for v in variants
        ]
        weights[ALIAS_MARK + name] = max(MIN_ALIAS_WEIGHT, sum(rarities) / len(rarities))
    return weights


def _phrase_words(groups: Mapping[str, object]) -> dict[str, frozenset[str]]:
    """For each group, the keys of the words of its many-word variants."""
    found: dict[str, frozenset[str]] = {}
    for name, variants in groups.items():
        if name.startswith("_") or not isinstance(variants, list):
            continue
        keys = {
            k[0]
            for v in variants
            if len(v.split()) > 1
            for raw in raw_tokens(prepare(v))
            if (k := token_key(raw)) is not None
        }
        if keys:
            found[ALIAS_MARK + name] = frozenset(keys)
    return found


@lru_cache(maxsize=1)
def _entities() -> dict[str, Any]:
    """``entities.json``, read once per process (the grouper and every extractor use it)."""
    loaded: dict[str, Any] = json.loads(
        resources.files("bot.events").joinpath("entities.json").read_text("utf-8")
    )
    return loaded


def entity_roles() -> tuple[frozenset[str], frozenset[str]]:
    """The alias groups ``entities.json`` lists as broad (countries, regions) and as named
    (people, places, companies, bodies), as keys."""
    extra = _entities()
    broad = frozenset(ALIAS_MARK + name for name in extra["_broad"])
    named = frozenset(ALIAS_MARK + name for name in extra["_named"])
    return broad, named


def _groups_with_events() -> dict[str, object]:
    """Matching's alias groups, plus the event-only groups and variants (a group named in
    both gets the variants of both, and the masks of both)."""
    base = resources.files("bot.matching").joinpath("aliases.json").read_text("utf-8")
    groups: dict[str, object] = json.loads(base)
    for name, variants in _entities().items():
        known = groups.get(name)
        if isinstance(known, list) and isinstance(variants, list):
            groups[name] = known + [v for v in variants if v not in known]
        elif isinstance(known, dict) and isinstance(variants, dict):
            groups[name] = {**known, **variants}
        else:
            groups[name] = variants
    return groups


class KeyExtractor:
    """Turns an item's title and summary into ``ItemKeys`` (cached per token)."""

    def __init__(self) -> None:
        groups = _groups_with_events()
        self._norm = Normaliser(AliasTable.from_groups(groups))
        self._alias_weights = _alias_weights(groups)
        self._phrase_words = _phrase_words(groups)

    def keys(self, title: str, summary: str) -> ItemKeys:
        doc = Document(self._norm, title, summary)
        weights: dict[str, float] = {}
        names: set[str] = set()
        bridge: set[str] = set()
        for key in doc.terms:
            if key.startswith(ALIAS_MARK):
                in_title = key in doc.title_terms
                weight = self._alias_weights.get(key, MIN_ALIAS_WEIGHT)
                weights[key] = weight * (TITLE_BOOST if in_title else 1.0)
                bridge.add(key)
                if in_title:
                    names.add(key)
        # The words of a many-word name already counted as its group ("Abraham Accords",
        # «соглашения Авраама») are no names of their own: each language would keep its own
        # ("Accords", «Авраама») and the two titles would seem to name different things.
        inside = frozenset().union(*(self._phrase_words.get(key, frozenset()) for key in weights))
        in_summary = _proper_words(summary)
        in_headline = _proper_words(title)
        proper = in_summary | in_headline
        # In a title written in title case every word is capitalised: there a word is a name
        # only if the lede capitalises it too.
        title_case = not in_headline and _title_case(title)
        for text, boost in ((summary, 1.0), (title, TITLE_BOOST)):
            for raw in raw_tokens(prepare(text)):
                if any(t.startswith(ALIAS_MARK) for t in self._norm.terms(raw)):
                    continue
                found = token_key(raw)
                if found is None:
                    continue
                key, weight = found
                if raw in proper:  # "Trump" is common in English, and still a name
                    weight = max(weight, PROPER_WEIGHT)
                if weight <= 0.0:
                    continue
                weights[key] = max(weights.get(key, 0.0), weight * boost)
                if raw[:1].isupper():
                    bridge.add(key)
                named = _is_name(raw, found[1]) and (not title_case or raw in in_summary)
                if boost > 1.0 and named and key not in inside:
                    names.add(key)
        for figure in _NUMBER.findall(title + "\n" + summary):
            figure_key = number_key(figure)
            if figure_key is not None:
                weights[figure_key] = NUMBER_WEIGHT
                bridge.add(figure_key)
        lowered = title.lower()
        cyrillic = len(_CYRILLIC.findall(lowered)) > len(_LATIN.findall(lowered))
        speaker = self._speaker(title)
        # A quoted statement is done when it is reported, whatever tense it speaks in
        # («Токаев: атомные станции создадут новый класс инженеров»).
        return ItemKeys(
            weights,
            frozenset(names),
            announces(title) and not speaker,
            frozenset(bridge),
            cyrillic,
            speaker,
        )

    def _speaker(self, title: str) -> frozenset[str]:
        """The keys of the words before a colon or a verb of saying that opens the title."""
        words = speaker_words(title)
        if " ".join(words).casefold() in _OUTLETS:
            # "Reuters: ..." names the source of a report, not someone making a statement.
            return frozenset()
        found: set[str] = set()
        for raw in words:
            terms = [t for t in self._norm.terms(raw) if t.startswith(ALIAS_MARK)]
            if terms:
                found.update(terms)
                continue
            key = token_key(raw)
            # Famous names are common words ("Trump", «Путин»): capitalised is enough, but a
            # role ("Expert:", «Глава МИД») quotes nobody in particular.
            if key is not None and raw[:1].isupper() and fold(raw) not in _ROLES:
                found.add(key[0])
        return frozenset(found)


_CAPITALISED = re.compile(r"(?<![.!?:«\"“]\s)(?<=\s)[A-ZА-ЯЁ][\w-]+")


def _proper_words(text: str) -> set[str]:
    """Capitalised words not at the start of a sentence: names, in sentence-case text. In a
    title written in title case ("Trump Discussed Cooperation") nearly every word would be one:
    such a title gives none."""
    found = set(_CAPITALISED.findall(text))
    words = len(text.split())
    return set() if words > 3 and len(found) * 2 > words else found


def _title_case(text: str) -> bool:
    words = [w for w in text.split() if w[:1].isalpha()]
    return len(words) > 3 and sum(w[:1].isupper() for w in words) * 2 > len(words)


def _is_name(raw: str, weight: float) -> bool:
    """A capitalised word rare in its language: likely who or where."""
    return raw[:1].isupper() and weight >= NAME_WEIGHT


_NUMBER = re.compile(r"(?<![\w.,])(?:\d{1,3}(?:[\u00a0\u202f]\d{3})+|\d+(?:[.,]\d+)*)(?![\w.,]*\d)")
# "4,000" and "4 000" (with a no-break or thin space) are four thousand in either language.
_THOUSANDS = re.compile(r"\d{1,3}(?:[,\u00a0\u202f]\d{3})+(?:\.\d+)?")


def number_key(figure: str) -> str | None:
    """A figure ("38", "4,2" and "4.2" alike; "4,000", "4 000" and "4000" alike) as a key;
    years and single digits say little."""
    if _THOUSANDS.fullmatch(figure):
        figure = re.sub(r"[,\u00a0\u202f]", "", figure)
    figure = figure.replace(",", ".")
    if len(figure) < 2 or (len(figure) == 4 and figure[:2] in ("19", "20")):
        return None
    return "#" + figure


# How far into a title its speaker may stand: "Trump:", «Глава МИД Израиля Саар заявил».
_SPEAKER_WORDS = 5
_COLON_WORDS = 3
_SPEAKER_COLON = re.compile(r"^([^:«\"]{2,60}?):\s")
_SAYING = frozenset(
    {
        "заявил",
        "заявила",
        "заявили",
        "назвал",
        "назвала",
        "подтвердил",
        "подтвердила",
        "рассказал",
        "рассказала",
        "рассказали",
        "оценил",
        "оценила",
        "ответил",
        "ответила",
        "призвал",
        "призвала",
        "поздравил",
        "поздравила",
        "пообещал",
        "пообещала",
        "приветствует",
        "приветствовал",
        "says",
        "said",
        "say",
        "confirms",
        "confirmed",
        "calls",
        "called",
        "urges",
        "urged",
        "welcomes",
        "welcomed",
        "congratulates",
        "congratulated",
        "praises",
        "praised",
        "opposes",
        "warns",
        "warned",
        "tells",
        "told",
    }
)

# News outlets that open a headline to say whose report it is («Reuters: Трамп ввёл пошлины»).
_OUTLETS = frozenset(
    {
        "reuters",
        "bloomberg",
        "ft",
        "financial times",
        "ap",
        "afp",
        "axios",
        "cnn",
        "cnbc",
        "bbc",
        "wsj",
        "wall street journal",
        "nyt",
        "new york times",
        "washington post",
        "politico",
        "the economist",
        "economist",
        "nikkei",
        "guardian",
        "the guardian",
        "global times",
        "xinhua",
        "синьхуа",
        "тасс",
        "tass",
        "риа новости",
        "ria novosti",
        "интерфакс",
        "interfax",
        "коммерсант",
        "kommersant",
        "ведомости",
        "vedomosti",
        "рбк",
        "rbc",
        "известия",
        "kazinform",
        "казинформ",
        "euronews",
        "dw",
    }
)

_ROLES = frozenset(
    {
        "эксперт",
        "экспертов",
        "эксперты",
        "аналитик",
        "политолог",
        "источник",
        "источники",
        "сми",
        "глава",
        "президент",
        "премьер",
        "министр",
        "посол",
        "мид",
        "expert",
        "experts",
        "analyst",
        "analysts",
        "source",
        "sources",
        "media",
        "head",
        "chief",
        "president",
        "minister",
        "ambassador",
        "official",
        "officials",
        "report",
    }
)


def speaker_words(title: str) -> list[str]:
    """The raw words naming whom a title quotes, or none."""
    found = _SPEAKER_COLON.match(title)
    if found is not None:
        # "Trump:", "Sergio Gor:"; not a clause ("US sends an envoy: Gor arrives").
        before = raw_tokens(prepare(found.group(1)))
        if len(before) <= _COLON_WORDS and all(raw[:1].isupper() for raw in before):
            return before
    words = raw_tokens(prepare(title))
    for i, raw in enumerate(words[: _SPEAKER_WORDS + 1]):
        if raw.lower() in _SAYING:
            return words[:i]
    return []
