"""Lemmatisers: pymorphy3 for Russian, Snowball (Porter2) for English.

Both are created once, lazily, on first use; results are cached per word by the caller.
"""

from __future__ import annotations

import threading
from typing import Any

_lock = threading.Lock()
_morph: Any = None
_tagger: Any = None
_stemmer: Any = None


def _analyzer() -> Any:
    global _morph
    if _morph is None:
        with _lock:
            if _morph is None:
                import pymorphy3

                # Only the set of normal forms is used: plain tuples, and no probability
                # estimate (it orders the parses, never drops one), halve the cost of a word.
                _morph = pymorphy3.MorphAnalyzer(result_type=None, probability_estimator_cls=None)
    return _morph


def russian_best_tag(word: str) -> str:
    """The grammatical tag of the most probable parse of ``word`` ("VERB,perf,tran sing,3per,
    futr,indc"). Lemmas need no ranking (see ``_analyzer``); a reader of one parse does, so
    this uses an analyzer with pymorphy3's probability estimate, created on first use."""
    global _tagger
    if _tagger is None:
        with _lock:
            if _tagger is None:
                import pymorphy3

                _tagger = pymorphy3.MorphAnalyzer()
    return str(_tagger.parse(word)[0].tag)


def _english() -> Any:
    global _stemmer
    if _stemmer is None:
        with _lock:
            if _stemmer is None:
                import snowballstemmer

                _stemmer = snowballstemmer.stemmer("english")
    return _stemmer


def russian_lemmas(word: str) -> frozenset[str]:
    """Every normal form pymorphy3 offers for ``word`` (already case-folded, ё→е).

    Ambiguity is kept: «стали» gives both «стать» and «сталь». Normal forms with ё are
    folded to е so that lemmas compare with folded text.
    """
    parses = _analyzer().parse(word)
    forms = {p[2].replace("ё", "е") for p in parses}  # (word, tag, normal form, ...)
    return frozenset(forms) or frozenset((word,))


def english_stem(word: str) -> str:
    """The Porter2 stem of an English word (already case-folded)."""
    stem: str = _english().stemWord(word)
    return stem


def russian_combining_form(piece: str) -> frozenset[str]:
    """The adjective a compound's first part stands for: «американо-» is «американский»,
    «туркмено-» «туркменский» (stem + the linking -о-). Empty if no such word is known."""
    if len(piece) < 5 or not piece.endswith("о") or piece.endswith("ско"):
        return frozenset()
    adjective = piece[:-1] + "ский"
    return frozenset((adjective,)) if _analyzer().word_is_known(adjective) else frozenset()
