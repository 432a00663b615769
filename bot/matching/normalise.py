"""Text normalisation shared by documents and queries.

Text is NFKC-normalised and split into raw tokens by one regular expression; each distinct raw
token is then normalised once and cached: case folding, ё→е, Latin/Cyrillic look-alike folding in
mixed-script tokens, lemmas (pymorphy3 for Russian, Snowball for English) and aliases.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from itertools import compress, count

from bot.matching._morph import english_stem, russian_combining_form, russian_lemmas

# Special tokens are tried before plain words, so "C5+1", "С 5+1", "C+C5", "U.S." stay whole.
_US = r"U\.\s?S\.(?:\s?A\.)?|(?<!\w)(?-i:US)\$"
_PLUS_FORMAT = r"(?<![\w+])(?:[CcСс]\s(?=\d)|[^\W\d_])?\d{1,2}\s?\+\s?\d{1,2}(?![\w+])"
_C_PLUS_C = r"(?<![\w+])[^\W\d_]\s?\+\s?[^\W\d_]\d{1,2}(?![\w+])"
_WORD = r"\w+(?:['’‐‑-]\w+)*"
TOKEN_RE = re.compile(f"{_US}|{_PLUS_FORMAT}|{_C_PLUS_C}|{_WORD}", re.IGNORECASE)
_WORD_RE = re.compile(_WORD)
_SPACE_RE = re.compile(r"(\s+)")

_CYR = frozenset("абвгдежзийклмнопрстуфхцчшщъыьэюяіїєґўј")
_CYR_RE = re.compile("[" + "".join(sorted(_CYR)) + "]")
_LATIN_RE = re.compile("[a-z]")
_CYR_TO_LAT = str.maketrans("авекмнорстухіјѕ", "abekmhopctyxijs")
_LAT_TO_CYR = str.maketrans("abekmhopctyxi", "авекмнорстухі")
_LAT_LOOKALIKE = frozenset("abekmhopctyxi")
_CYR_LOOKALIKE = frozenset("авекмнорстухіјѕ")
_HYPHENS = str.maketrans({"‐": "-", "‑": "-", "’": "'"})
_PIECES_RE = re.compile(r"[-'‐‑’]")


def prepare(text: str) -> str:
    """Unicode NFKC; done once per text before tokenising."""
    return unicodedata.normalize("NFKC", text)


def special(text: str) -> bool:
    """Whether a text may hold special tokens: they need a '+', "U.S" or "US$"."""
    return "+" in text or "U.S" in text or "u.s" in text or "US$" in text


def raw_tokens(text: str) -> list[str]:
    """Raw tokens of an already prepared text, in order (text with no special token takes
    the plain word pattern, which is twice as fast)."""
    return TOKEN_RE.findall(text) if special(text) else _WORD_RE.findall(text)


_HOT_RE = re.compile(r"\+|[Uu]\.|US\$")
# Every place a special token may hold whitespace (each "\s?" of its patterns): none in a text
# means each of its special tokens lies inside one chunk.
_SPANNING_RE = re.compile(r"[CcСс]\s\d|\w\s\+|\+\s\w|[Uu]\.\s[Ss]\.|[Ss]\.\s[Aa]\.")
# Patterns that start with a literal, which the regular expression engine scans for far
# faster than for ``_SPANNING_RE``'s character classes.
_DOT_SPACE_RE = re.compile(r"\.(?=\s[SsAa]\.)")
_PLUS_RE = re.compile(r"\+")


def _spanning(text: str) -> bool:
    """Whether a special token of ``text`` may hold whitespace: ``_SPANNING_RE`` finds a
    place near a '+' (a "C 5" is at most five characters before its '+'), or "U. S. A." has
    whitespace after a dot."""
    for m in _PLUS_RE.finditer(text):
        at = m.start()
        if _SPANNING_RE.search(text, max(0, at - 5), at + 3) is not None:
            return True
    for m in _DOT_SPACE_RE.finditer(text):
        at = m.start()
        before, after = text[at - 1 : at], text[at + 2]
        if (before in ("U", "u") and after in "Ss") or (before in ("S", "s") and after in "Aa"):
            return True
    return False


def segments(text: str) -> list[str]:
    """A special text's whitespace chunks, those a special token may span joined into one
    segment marked by a leading space (a chunk never has one): ``TOKEN_RE`` over a marked
    segment, the plain word pattern over a chunk, give in order the tokens of the whole text.

    A special token spans only single whitespace characters, at most two chunks before the
    chunk with its '+' ("C 5 +1") and one after ("5+ 1"); "U. S. A." has "U." or "S." in
    each. So a chunk stands alone unless a single whitespace character links it to a
    hot chunk (``_HOT_RE``: a '+', "U." in either case, "US$") at most two chunks away, and
    each hot chunk is marked. Most special texts
    ("C5+1", "U.S.") have no whitespace where a special token could span it; their hot
    chunks are marked one by one.
    """
    if not _spanning(text):
        chunks = text.split()
        # Hot chunks are few: found by one search of the text, not one per chunk. A match
        # holds no whitespace, so it lies in the chunk the words before it end in (or start).
        hot = set()
        for m in _HOT_RE.finditer(text):
            at = m.start()
            hot.add(len(text[:at].split()) - (at > 0 and not text[at - 1].isspace()))
        for i in hot:
            chunks[i] = " " + chunks[i]
        return chunks
    parts = _SPACE_RE.split(text.strip())
    if not parts[0]:
        return []
    chunks = parts[::2]
    heat = list(compress(count(), map(_HOT_RE.search, chunks)))
    if not heat:
        return chunks
    last = len(chunks) - 1
    linked = sorted(
        {
            b
            for h in heat
            for b in range(max(0, h - 2), min(last, h + 2))
            if len(parts[2 * b + 1]) == 1
        }
    )
    groups: list[tuple[int, int]] = []  # chunk ranges (first, last) joined by linked spaces
    for b in linked:
        if groups and groups[-1][1] == b:
            groups[-1] = (groups[-1][0], b + 1)
        else:
            groups.append((b, b + 1))
    grouped = {i for first, end in groups for i in range(first, end + 1)}
    groups += [(h, h) for h in heat if h not in grouped]
    found: list[str] = []
    done = 0
    for first, end in sorted(groups):
        found += chunks[done:first]
        found.append(" " + "".join(parts[2 * first : 2 * end + 1]))
        done = end + 1
    found += chunks[done:]
    return found


def fold(token: str) -> str:
    """Case-fold, ё→е, unify hyphens, and fold look-alike letters of mixed-script tokens.

    A token with digits or a '+' (C5+1, С5+1) goes to Latin; a word mixing scripts goes to
    the script of most of its letters, when its other letters all have look-alikes.
    """
    s = token.casefold().replace("ё", "е").translate(_HYPHENS)
    # Most tokens are in one script with no digit: the regular expressions find that in C.
    if s.isascii() or _CYR_RE.search(s) is None:
        return s
    has_digit = any(map(str.isdigit, s))
    if not has_digit and "+" not in s and _LATIN_RE.search(s) is None:
        return s
    cyr = sum(1 for ch in s if ch in _CYR)
    lat = sum(1 for ch in s if "a" <= ch <= "z")
    cyr_letters = {ch for ch in s if ch in _CYR}
    if (has_digit or "+" in s or lat >= cyr) and cyr_letters <= _CYR_LOOKALIKE:
        return s.translate(_CYR_TO_LAT)
    lat_letters = {ch for ch in s if "a" <= ch <= "z"}
    if lat_letters <= _LAT_LOOKALIKE:
        return s.translate(_LAT_TO_CYR)
    return s


def _word_lemmas(word: str) -> frozenset[str]:
    if _CYR_RE.search(word):
        return russian_lemmas(word)
    if _LATIN_RE.search(word):
        return frozenset((english_stem(word),))
    return frozenset((word,))


@dataclass(frozen=True, slots=True)
class TokenForms:
    """What one raw token normalises to.

    ``surface`` is the folded token; ``lemmas`` the normal forms of the token as a whole;
    ``parts`` the normal forms of the parts of a hyphenated word (empty otherwise).
    """

    surface: str
    lemmas: frozenset[str]
    parts: frozenset[str]
    special: bool = False


def analyse(raw: str) -> TokenForms:
    """Normalise one raw token (uncached; see ``Normaliser`` for the cached path)."""
    if raw[-1:] == "$":  # "US$": the currency, not the country
        return TokenForms("us$", frozenset(("usd",)), frozenset(), special=True)
    if raw == "US" or (raw[:1] in "Uu" and "." in raw):
        return TokenForms("us", frozenset(("u.s.",)), frozenset(), special=True)
    s = fold(raw)
    if "+" in s:
        s = "".join(s.split())
        return TokenForms(s, frozenset((s,)), frozenset(), special=True)
    if "-" in s or "'" in s:
        # Each part is a token of its own: "US-Kazakhstan" holds the country "US".
        pieces = [analyse(p) for p in _PIECES_RE.split(raw) if p]
        parts = frozenset().union(*(p.lemmas for p in pieces))
        parts |= frozenset().union(*(russian_combining_form(p.surface) for p in pieces[:-1]))
        return TokenForms(s, _word_lemmas(s), parts)
    return TokenForms(s, _word_lemmas(s), frozenset())
