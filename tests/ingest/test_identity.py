"""Story identity: reprints join one story, look-alikes do not.

Measures the detector on tests/ingest/fixtures/near_duplicates.json (labelled pairs) and on
every pair of items across the seed snapshots (all distinct stories, except the one reprint
of the seed story, which shares a canonical URL).  Run with ``-s`` to see the figures.
"""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime
from typing import Any

from bot.ingest.identity import StoryText, is_reprint, title_key
from bot.ingest.parse import ParsedEntry, parse_feed
from bot.ingest.text import SUMMARY_MAX, html_to_text
from tests.ingest.conftest import FIXTURES, SNAPSHOTS

NOW = datetime(2025, 12, 1, tzinfo=UTC)


def _story(raw: dict[str, Any]) -> StoryText:
    published = datetime.fromisoformat(raw["published"].replace("Z", "+00:00"))
    return StoryText(raw["title"], html_to_text(raw["summary"], SUMMARY_MAX), published)


def _pairs() -> list[tuple[str, str, StoryText, StoryText]]:
    data = json.loads((FIXTURES / "near_duplicates.json").read_text("utf-8"))
    return [(p["label"], p["note"], _story(p["a"]), _story(p["b"])) for p in data["pairs"]]


def _snapshot_entries() -> list[ParsedEntry]:
    entries: list[ParsedEntry] = []
    for path in sorted(SNAPSHOTS.glob("*.xml")):
        feed = parse_feed(path.read_bytes(), url=path.as_uri(), content_type=None, now=NOW)
        entries.extend(feed.entries)
    return entries


def test_labelled_pairs_have_no_false_merges_and_no_misses() -> None:
    pairs = _pairs()
    false_merges = [n for label, n, a, b in pairs if label == "distinct" and is_reprint(a, b)]
    misses = [n for label, n, a, b in pairs if label == "reprint" and not is_reprint(a, b)]
    distinct = sum(label == "distinct" for label, *_ in pairs)
    print(
        f"\nlabelled pairs: {len(pairs)}; false merges {len(false_merges)}/{distinct}; "
        f"missed reprints {len(misses)}/{len(pairs) - distinct}"
    )
    assert false_merges == []
    assert misses == []


def test_reprint_is_symmetric() -> None:
    for _, note, a, b in _pairs():
        assert is_reprint(a, b) == is_reprint(b, a), note


def test_snapshot_items_are_pairwise_distinct_but_for_the_seed_reprint() -> None:
    entries = _snapshot_entries()
    assert len(entries) > 50
    merged = []
    comparisons = 0
    for a, b in itertools.combinations(entries, 2):
        comparisons += 1
        sa = StoryText(a.title, a.summary, a.published_at)
        sb = StoryText(b.title, b.summary, b.published_at)
        if is_reprint(sa, sb):
            merged.append((a, b))
    print(f"\nsnapshot pairs: {comparisons}; judged reprints: {len(merged)}")
    # The only pair is the seed story, reprinted by two feeds under the same canonical URL.
    assert [(a.canonical_url == b.canonical_url) for a, b in merged] == [True]


def test_title_key_ignores_case_punctuation_and_yo() -> None:
    assert title_key("Объём «урана» вырос!") == title_key("объем урана  вырос")
    assert title_key("Kumtor output up in Q1") != title_key("Kumtor output up in Q2")
