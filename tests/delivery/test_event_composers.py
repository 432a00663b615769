"""The alert's snippet and the digest by event (pure composers)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.delivery import AlertComposer, DigestComposer
from bot.delivery.compose import COVERAGE_SHOWN
from bot.delivery.digest import group_events
from bot.delivery.snippet import SNIPPET_LIMIT, snippet
from storage.repositories.deliveries import PendingAlert
from storage.repositories.digests import DigestEntry
from storage.repositories.matches import SourceRef, StoryView
from tests.delivery.conftest import assert_valid_html

T = datetime(2025, 11, 6, 12, 0, tzinfo=UTC)
WHY = {"topics": ["critical_minerals"], "terms": {"critical_minerals": ["tungsten"]}}


def test_snippet_is_the_first_sentence_in_either_language() -> None:
    en = "The U.S. and Kazakhstan signed a tungsten deal on Nov. 6 in Washington. More later."
    assert snippet(en) == "The U.S. and Kazakhstan signed a tungsten deal on Nov. 6 in Washington."
    ru = "Президент Д. Трамп встретился с К.-Ж. Токаевым в г. Вашингтон. Подробности позже."
    assert snippet(ru) == "Президент Д. Трамп встретился с К.-Ж. Токаевым в г. Вашингтон."
    assert snippet("") == "" and snippet("Same title", "Same title!") == ""


def test_a_post_that_opens_with_its_headline_shows_the_sentence_after_it() -> None:
    # A channel post: bold headline, then the text, whose first sentence repeats it.
    title = "Дональд Трамп пригласил лидеров Центральной Азии в Вашингтон на саммит «С5+1»"
    post = f"{title} {title}. Уточняется, что приглашены лидеры пяти стран. https://24.kg/a/1/"
    assert snippet(post, title) == "Уточняется, что приглашены лидеры пяти стран."
    # Not a headline of its own: a title that is only the start of the first word.
    assert snippet("Tungstenite ore found. More.", "Tungsten") == "Tungstenite ore found."


def test_snippet_is_bounded_and_escaped_in_the_alert() -> None:
    long = "Tungsten " + "and <b>more</b> & more " * 30 + "end. Next sentence."
    text = snippet(long)
    assert len(text) <= SNIPPET_LIMIT and text.endswith("…")
    story = StoryView(1, "Title", "https://x.example/1", T, (SourceRef("A", None),), long, "e1")
    html = AlertComposer().block(PendingAlert(1, 0, story, WHY, 1.0), timezone="UTC", language="en")
    assert "&lt;b&gt;more&lt;/b&gt; &amp; more" in html and "<b>more</b>" not in html
    assert_valid_html([html])


def test_coverage_lists_at_most_eight_outlets_as_links() -> None:
    refs = tuple(SourceRef(f"Outlet {n}", f"https://o{n}.example/a") for n in range(11))
    story = StoryView(1, "Title", None, T, (), "", "e1")
    html = AlertComposer().block(
        PendingAlert(1, 0, story, WHY, 1.0, refs), timezone="UTC", language="en"
    )
    [line] = [line for line in html.splitlines() if line.startswith("+11: ")]
    assert line.count("<a href=") == COVERAGE_SHOWN and line.endswith(" …")


def _entry(
    story_id: int, event: str, outlets: list[str], hours: float, title: str = ""
) -> DigestEntry:
    sources = tuple(
        SourceRef(name, f"https://{name.lower()}.example/{story_id}") for name in outlets
    )
    when = T + timedelta(hours=hours)
    story = StoryView(story_id, title or f"Story {story_id}", None, when, sources, "", event)
    return DigestEntry(story, WHY, 1.0, when)


def test_digest_groups_by_event_and_ranks_by_distinct_outlets_then_recency() -> None:
    entries = [
        _entry(1, "deal", ["Reuters"], 1, "Cove Capital deal"),
        _entry(2, "deal", ["Kursiv", "Kazinform"], 2, "Cove Capital deal, reprinted"),
        _entry(3, "deal", ["Reuters"], 3),  # the same outlet again counts once
        _entry(4, "summit", ["AP", "TASS"], 5, "Summit"),
        _entry(5, "older", ["AP", "TASS"], 0, "Older"),
        _entry(6, "lone", ["Blog"], 9, "Lone"),
    ]
    events = group_events(entries)
    assert [e.key for e in events] == ["deal", "summit", "older", "lone"]
    assert [len(e.outlets) for e in events] == [3, 2, 2, 1]
    assert events[0].best.story.id == 2  # the story most outlets carried
    [text] = DigestComposer().compose(
        entries, timezone="UTC", language="en", local_date=date(2025, 11, 6)
    )
    assert "· 4 events" in text
    assert text.count("Cove Capital deal") == 1
    deal = next(line for line in text.splitlines() if "Kazinform" in line)
    assert deal.count("<a href=") == 3  # up to 3 links, one per outlet
    assert text.index("Cove Capital deal") < text.index("Summit") < text.index("Older")
    assert_valid_html([text])
