"""AlertComposer and DigestComposer: escaping, combining, ranking and splitting (pure)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.delivery import AlertComposer, DigestComposer, digest_date_due
from bot.delivery._text import to_plain
from storage.repositories.deliveries import PendingAlert
from storage.repositories.digests import DigestEntry
from storage.repositories.matches import SourceRef, StoryView
from tests.delivery.conftest import T0, assert_valid_html

WHY = {"topics": ["critical_minerals"], "topic_scores": {"critical_minerals": 2.0}, "rules": [],
       "terms": {"critical_minerals": ["уран", "<tungsten & co>"]}}  # fmt: skip


def story(n: int, title: str = "", sources: int = 1, age_h: float = 0) -> StoryView:
    refs = tuple(
        SourceRef(f"Feed <{k}> & Co", f"https://f{k}.example/{n}?a=1&b=2") for k in range(sources)
    )
    return StoryView(n, title or f"Story {n} <b>bold</b> & \"quoted\"", f"https://x.example/{n}?q=1&r=<2>",
                     T0 - timedelta(hours=age_h), refs)  # fmt: skip


def test_alert_escapes_feed_text_and_shows_everything() -> None:
    alert = PendingAlert(1, 0, story(1, sources=2), WHY, 2.0)
    [msg] = AlertComposer().compose([alert], timezone="Asia/Almaty", language="en")
    assert_valid_html([msg.html])
    plain = to_plain(msg.html)
    assert 'Story 1 <b>bold</b> & "quoted"' in plain
    assert "Feed <0> & Co" in plain and "Feed <1> & Co" in plain  # both sources of a reprint
    assert "06.11.2025 17:00" in plain  # 12:00 UTC in Almaty (UTC+5)
    assert "#critical_minerals" in plain and "<tungsten & co>" in plain
    assert msg.delivery_ids == (1,)


def test_many_alerts_share_messages_under_the_limit() -> None:
    alerts = [PendingAlert(i, 0, story(i, title="Т" * 390), WHY, 1.0) for i in range(1, 41)]
    messages = AlertComposer().compose(alerts, timezone="Europe/Berlin", language="ru")
    assert 1 < len(messages) < 40
    assert_valid_html([m.html for m in messages])
    assert sorted(i for m in messages for i in m.delivery_ids) == list(range(1, 41))
    assert all(len(m.plain) <= 4096 for m in messages)


def entry(n: int, *, topics: list[str], sources: int = 1, age_h: float = 0, score: float = 1.0
          ) -> DigestEntry:  # fmt: skip
    why = {"topics": topics, "topic_scores": dict.fromkeys(topics, score), "rules": [],
           "terms": {t: ["term"] for t in topics}}  # fmt: skip
    if not topics:
        why = {"topics": [], "topic_scores": {}, "rules": [7], "terms": {"rules": ["kw"]}}
    return DigestEntry(story(n, sources=sources, age_h=age_h), why, score, T0)


def test_digest_groups_by_topic_ranks_and_lists_each_story_once() -> None:
    entries = [
        entry(1, topics=["c5plus1"], age_h=5),
        entry(2, topics=["critical_minerals", "c5plus1"], sources=3, age_h=9),
        entry(3, topics=["critical_minerals"], age_h=1),
        entry(4, topics=[]),
        entry(3, topics=["critical_minerals"], age_h=1),
    ]
    [text] = DigestComposer().compose(entries, timezone="UTC", language="en", local_date=T0.date())
    assert_valid_html([text])
    plain = to_plain(text)
    assert plain.count("Story 3 ") == 1 and plain.count("Story 2 ") == 1
    minerals, c5, keywords = (
        plain.index(h) for h in ("Critical minerals", "C5+1", "Your keywords")
    )
    assert minerals < plain.index("Story 2 ") < plain.index("Story 3 ") < c5  # 3 sources first
    assert c5 < plain.index("Story 1 ") < keywords < plain.index("Story 4 ")


def test_digest_splits_at_story_boundaries_under_4096() -> None:
    entries = [entry(n, topics=["critical_minerals"], age_h=n) for n in range(1, 201)]
    parts = DigestComposer().compose(entries, timezone="UTC", language="ru", local_date=T0.date())
    assert len(parts) > 1
    assert_valid_html(parts)
    joined = "\n".join(to_plain(p) for p in parts)
    for n in range(1, 201):  # every story whole, exactly once
        assert joined.count(f"Story {n} <b>bold</b>") == 1
    assert parts[1].startswith("<b>Критически важные минералы</b> (продолж.)")


def test_digest_time_follows_the_local_clock_across_dst() -> None:
    ny = "America/New_York"  # DST ends 2 Nov 2025: 09:00 is 13:00 UTC before, 14:00 after
    assert digest_date_due(datetime(2025, 11, 1, 12, 59, tzinfo=UTC), ny, 540) is None
    assert digest_date_due(datetime(2025, 11, 1, 13, 0, tzinfo=UTC), ny, 540) == date(2025, 11, 1)
    assert digest_date_due(datetime(2025, 11, 3, 13, 30, tzinfo=UTC), ny, 540) is None
    assert digest_date_due(datetime(2025, 11, 3, 14, 0, tzinfo=UTC), ny, 540) == date(2025, 11, 3)
    # 02:30 does not exist on 9 Mar 2025 in New York: the digest goes at 03:30 EDT (07:30 UTC)
    assert digest_date_due(datetime(2025, 3, 9, 7, 29, tzinfo=UTC), ny, 150) is None
    assert digest_date_due(datetime(2025, 3, 9, 7, 30, tzinfo=UTC), ny, 150) == date(2025, 3, 9)
