"""Alias groups: name variants and transliterations that match as one term.

Each group becomes a canonical term ``~name``. A document token whose normal forms include a
one-word variant gets the canonical term too; a multi-word variant is found as a phrase. A query
word or phrase equal to a variant is looked up by the canonical term, so it matches them all.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources

from bot.matching.normalise import TokenForms, analyse, prepare, raw_tokens

ALIAS_MARK = "~"


def query_keys_of(forms: TokenForms) -> frozenset[str]:
    """Keys a query word is looked up by: its own form if that is a lemma, else all lemmas.

    The form as written is kept beside the lemmas: pymorphy3 reads a surname in the
    nominative as a plural of something else («Токаев» as «токай») while every other case of
    it has the surname as lemma («Токаева», «Токаевым» -> «токаев»). A special token ("US",
    "C5+1") is looked up by its lemma alone: "US" must not become the pronoun "us".
    """
    lemmas, surface = forms.lemmas, forms.surface
    if surface in lemmas:
        return frozenset((surface,))
    return lemmas if forms.special else lemmas | {surface}


@dataclass(frozen=True)
class AliasTable:
    """Single-word variants keyed by normal form, and multi-word variants by first word."""

    words: Mapping[str, str] = field(default_factory=dict)
    phrases: Mapping[str, tuple[tuple[tuple[frozenset[str], ...], str], ...]] = field(
        default_factory=dict
    )
    # Terms that do not count inside a multi-word variant of a group: canonical -> terms.
    masks: Mapping[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def from_groups(cls, groups: Mapping[str, object]) -> AliasTable:
        words: dict[str, str] = {}
        phrases: dict[str, list[tuple[tuple[frozenset[str], ...], str]]] = {}
        for name, variants in groups.items():
            if name.startswith("_") or not isinstance(variants, list):
                continue
            canonical = ALIAS_MARK + name
            for variant in variants:
                forms = [analyse(t) for t in raw_tokens(prepare(variant))]
                if len(forms) == 1:
                    for key in query_keys_of(forms[0]):
                        words[key] = canonical
                elif forms:
                    seq = tuple(query_keys_of(f) for f in forms)
                    for key in seq[0]:
                        phrases.setdefault(key, []).append((seq, canonical))
        table = cls(words, {k: tuple(v) for k, v in phrases.items()})
        masks = groups.get("_masks", {})
        if not isinstance(masks, Mapping):
            raise ValueError("aliases: _masks must map a group to the words it hides")
        hidden = {
            ALIAS_MARK + name: frozenset().union(*(table.keys_of(w) for w in hides))
            for name, hides in masks.items()
            if not name.startswith("_")
        }
        return cls(table.words, table.phrases, hidden)

    def keys_of(self, word: str) -> frozenset[str]:
        """The terms a one-word query ``word`` is looked up by (its group, if it has one)."""
        forms = analyse(prepare(word))
        keys = query_keys_of(forms)
        groups = frozenset(self.words[k] for k in keys | {forms.surface} if k in self.words)
        return groups or keys

    def canonical_of_phrase(self, seq: Sequence[frozenset[str]]) -> str | None:
        """The canonical term of a multi-word variant equal to ``seq``, if any."""
        for key in seq[0] if seq else ():
            for variant, canonical in self.phrases.get(key, ()):
                if len(variant) == len(seq) and all(
                    a & b for a, b in zip(variant, seq, strict=True)
                ):
                    return canonical
        return None


def load_aliases(path: str | None = None) -> AliasTable:
    """Load alias groups from a JSON file (the packaged ``aliases.json`` by default)."""
    if path is None:
        text = resources.files("bot.matching").joinpath("aliases.json").read_text("utf-8")
    else:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    return AliasTable.from_groups(json.loads(text))
