"""Canonical URLs and HTML-to-text."""

from __future__ import annotations

import pytest

from bot.ingest.text import SUMMARY_MAX, html_to_text
from bot.ingest.urls import canonical_url


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            "HTTPS://Charter97.ORG:443/ru/news/1/?utm_source=x&utm_medium=rss&id=5#comments",
            "https://charter97.org/ru/news/1/?id=5",
        ),
        ("http://example.com:80", "http://example.com/"),
        ("http://example.com:8080/a?fbclid=1&gclid=2&yclid=3&mc_cid=4&b=2", "http://example.com:8080/a?b=2"),
        ("https://example.com/a?q=%D1%83%D1%80%D0%B0%D0%BD", "https://example.com/a?q=%D1%83%D1%80%D0%B0%D0%BD"),
        ("ftp://example.com/a", None),
        ("not a url", None),
        ("", None),
        (None, None),
        ("http://[::1]:99999/", None),
    ],
)  # fmt: skip
def test_canonical_url(raw: str | None, expected: str | None) -> None:
    assert canonical_url(raw) == expected


def test_html_to_text_strips_scripts_and_tags_and_unescapes() -> None:
    html = (
        "<div><p>Казахстан &amp; <b>США</b></p><script>alert('x')</script>"
        "<style>p{}</style><p>подписали&nbsp;соглашение &laquo;о вольфраме&raquo;</p></div>"
    )
    assert html_to_text(html, 500) == "Казахстан & США подписали соглашение «о вольфраме»"


def test_html_to_text_bounds_and_collapses() -> None:
    text = html_to_text("<p>" + "уран   " * 1000 + "</p>", SUMMARY_MAX)
    assert len(text) <= SUMMARY_MAX
    assert text.endswith("…")
    assert "  " not in text


def test_plain_text_with_angle_brackets_survives() -> None:
    assert html_to_text("Output < 5% & prices > $80", 100) == "Output < 5% & prices > $80"


def test_host_of_never_carries_the_urls_credentials() -> None:
    from bot.ingest.urls import host_of

    assert host_of("https://reader:hunter2@News.Example.kz:8443/rss") == "news.example.kz:8443"
    assert host_of("https://news.example.kz/rss") == "news.example.kz"
