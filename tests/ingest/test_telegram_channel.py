"""Reading a public channel's web preview: one item per text post, named by its t.me link."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.ingest.errors import FeedParseError
from bot.ingest.telegram_channel import MAX_POSTS, parse_channel, post_title
from tests.fakes.telegram_preview import Post, make_missing_channel_page, make_preview

NOW = datetime(2025, 11, 6, 18, 0, tzinfo=UTC)
AT = datetime(2025, 11, 6, 9, 12, 44, tzinfo=UTC)

POSTS = [
    Post(1, service=True, html="Channel created"),
    Post(
        2,
        "🇺🇿🇺🇸 <b>Президент Шавкат Мирзиёев принял делегацию США.</b><br/><br/>Обсуждены "
        'поставки <a href="https://t.me/mfa_test?q=%23C5">#C5</a> критически важных минералов '
        "&amp; вольфрама.",
        at=AT,
    ),
    Post(3, photo=True),  # a photo without a caption
    Post(4, "Statement on the C5+1 summit in Washington. Full text on the website.", edited=True),
    Post(5, "Министр встретился с послом Казахстана", forwarded_from="kazmfa", at=AT),
    Post(6, "Подробнее — в ответе выше", reply_to="Старый пост о Туркменистане"),
    Post(7, "Фото дня: Самарканд", photo=True, at=NOW + timedelta(days=2)),
]


def test_text_posts_become_items_with_their_t_me_links() -> None:
    body = make_preview("mfa_test", POSTS, title="МИД <Тест>")
    parsed = parse_channel(body, name="mfa_test", content_type="text/html", now=NOW)
    assert parsed.title == "МИД <Тест>"
    assert parsed.site_url == "https://t.me/mfa_test"
    by_id = {e.url.rsplit("/", 1)[1]: e for e in parsed.entries if e.url}
    assert sorted(by_id) == ["2", "4", "5", "6", "7"]  # service and media-only posts skipped
    first = by_id["2"]
    assert first.url == first.guid == first.canonical_url == "https://t.me/mfa_test/2"
    assert first.title == "🇺🇿🇺🇸 Президент Шавкат Мирзиёев принял делегацию США."
    assert "критически важных минералов & вольфрама" in first.summary
    assert first.published_at == AT
    assert by_id["4"].title == "Statement on the C5+1 summit in Washington."
    # A forwarded post is the forwarding channel's post.
    assert by_id["5"].url == "https://t.me/mfa_test/5"
    # A reply's own text, not the quoted one.
    assert "Туркменистан" not in by_id["6"].summary
    assert by_id["7"].published_at == NOW  # a date in the future is clamped


def test_an_edited_post_keeps_its_id() -> None:
    before = make_preview("mfa_test", [Post(9, "Visit of the delegation")])
    after = make_preview("mfa_test", [Post(9, "Visit of the US delegation (updated)", edited=True)])
    [a] = parse_channel(before, name="mfa_test", content_type=None, now=NOW).entries
    [b] = parse_channel(after, name="mfa_test", content_type=None, now=NOW).entries
    assert a.guid == b.guid == "https://t.me/mfa_test/9" and a.title != b.title


def test_a_name_with_no_public_preview_is_a_clear_error() -> None:
    with pytest.raises(FeedParseError, match="@ghost_channel has no public preview"):
        parse_channel(make_missing_channel_page("ghost_channel"), name="ghost_channel",
                      content_type="text/html", now=NOW)  # fmt: skip
    empty = make_preview("quiet_channel", [])
    assert parse_channel(empty, name="quiet_channel", content_type=None, now=NOW).entries == ()


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("Short line\nSecond line", "Short line"),
        ("First sentence. Second sentence.", "First sentence."),
        (
            "США и Казахстан подписали меморандум! Подробности позже",
            "США и Казахстан подписали меморандум!",
        ),
        ("x" * 300, "x" * 119 + "…"),
    ],
)
def test_a_title_is_the_first_line_or_sentence(text: str, title: str) -> None:
    assert post_title(text) == title


def _flood(posts: int) -> bytes:
    """Bare posts, about the fetcher's 10 MB cap for 100,000 of them."""
    body = "".join(
        f'<div class="tgme_widget_message" data-post="flood/{i}">'
        f'<div class="tgme_widget_message_text">U {i}</div></div>'
        for i in range(1, posts + 1)
    )
    return f'<html><body><section class="tgme_channel_history">{body}'.encode()


def test_a_hostile_preview_is_bounded() -> None:
    many = _flood(100_000)
    huge = make_preview("flood", [Post(1, "уран " * 1_000_000)])
    broken = make_preview("flood", [Post(1, "<b><i>unclosed <div><span>Вольфрам"), Post(2, "ok")])
    broken = broken.replace(b"</section>", b"").replace(b'data-post="flood/2"', b'data-post="x/<>"')
    flood = parse_channel(many, name="flood", content_type=None, now=NOW)
    assert len(flood.entries) == MAX_POSTS
    assert flood.entries[-1].url == "https://t.me/flood/100000"  # the newest are kept
    [big] = parse_channel(huge, name="flood", content_type=None, now=NOW).entries
    assert len(big.summary) <= 2000 and len(big.title) <= 120
    [partial] = parse_channel(broken, name="flood", content_type=None, now=NOW).entries
    assert "Вольфрам" in partial.summary
