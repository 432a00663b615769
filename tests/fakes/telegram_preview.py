# ruff: noqa: E501 -- the markup is kept in t.me's own long lines, to read like the real page
"""Telegram channel web previews (``t.me/s/NAME``) in the markup t.me serves, for the feed server.

    page = make_preview("mfa_test", [Post(101, "Meeting in Astana.<br>Details follow.")])

A post is a ``tgme_widget_message`` with ``data-post="NAME/ID"`` inside a
``tgme_widget_message_wrap``; the channel's header sits in ``tgme_channel_info``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape

__all__ = ["Post", "make_missing_channel_page", "make_preview"]


@dataclass(frozen=True)
class Post:
    """One post; ``html`` is its text as t.me renders it (``<br/>``, links, ``<b>``)."""

    id: int
    html: str = ""
    at: datetime = datetime(2025, 11, 6, 9, 0, tzinfo=UTC)
    photo: bool = False
    service: bool = False
    edited: bool = False
    forwarded_from: str | None = None
    reply_to: str | None = None  # the quoted text of the post this one answers


def _post(name: str, title: str, post: Post) -> str:
    classes = "tgme_widget_message text_not_supported_wrap js-widget_message"
    if post.service:
        classes = "tgme_widget_message service_message js-widget_message"
    parts = [
        '<div class="tgme_widget_message_wrap js-widget_message_wrap">',
        f'<div class="{classes}" data-post="{name}/{post.id}" data-view="eyJjIjotMTAwMSwicCI6MX0">',
        f'<div class="tgme_widget_message_user"><a href="https://t.me/{name}">'
        '<i class="tgme_widget_message_user_photo bgcolor2" style="background-color:#2c8cb1"'
        f' data-content="{escape(title[:1])}"></i></a></div>',
        '<div class="tgme_widget_message_bubble"><i class="tgme_widget_message_bubble_tail">'
        '<svg class="bubble_icon" width="9px" height="20px" viewBox="0 0 9 20"></svg></i>',
        '<div class="tgme_widget_message_author accent_color"><a class="tgme_widget_message_owner_name"'
        f' href="https://t.me/{name}"><span dir="auto">{escape(title)}</span></a></div>',
    ]
    if post.forwarded_from:
        parts.append(
            '<div class="tgme_widget_message_forwarded_from accent_color">Forwarded from '
            f'<a class="tgme_widget_message_forwarded_from_name" href="https://t.me/{post.forwarded_from}/7">'
            f'<span dir="auto">{escape(post.forwarded_from)}</span></a></div>'
        )
    if post.reply_to:
        parts.append(
            f'<a class="tgme_widget_message_reply" href="https://t.me/{name}/{post.id - 1}">'
            '<div class="tgme_widget_message_author accent_color"><span class="tgme_widget_message_author_name">'
            f'{escape(title)}</span></div><div class="tgme_widget_message_text js-message_reply_text"'
            f' dir="auto">{post.reply_to}</div></a>'
        )
    if post.photo:
        parts.append(
            f'<a class="tgme_widget_message_photo_wrap 5208577342_456239017 blured" href="https://t.me/{name}/{post.id}"'
            " style=\"width:800px;background-image:url('https://cdn4.cdn-telegram.org/file/x.jpg')\">"
            '<div class="tgme_widget_message_photo" style="padding-top:56.25%"></div></a>'
        )
    if post.html:
        parts.append(
            f'<div class="tgme_widget_message_text js-message_text" dir="auto">{post.html}</div>'
        )
    edited = '<span class="tgme_widget_message_edited">edited</span> ' if post.edited else ""
    parts += [
        '<div class="tgme_widget_message_footer compact js-message_footer">',
        '<div class="tgme_widget_message_info short js-message_info">',
        '<span class="tgme_widget_message_views">4.1K</span><span class="copyonly"> views</span>',
        f'<span class="tgme_widget_message_meta">{edited}<a class="tgme_widget_message_date"'
        f' href="https://t.me/{name}/{post.id}"><time datetime="{post.at.isoformat()}"'
        f' class="time">{post.at:%H:%M}</time></a></span>',
        "</div></div></div></div></div>",
    ]
    return "".join(parts)


def make_preview(name: str, posts: Iterable[Post], *, title: str | None = None) -> bytes:
    """The preview page of channel ``name`` with ``posts`` (oldest first, as t.me shows them)."""
    title = title or name
    body = "\n".join(_post(name, title, p) for p in posts)
    page = f"""<!DOCTYPE html>
<html>
  <head>
    <meta charset="utf-8">
    <title>{escape(title)} – Telegram</title>
    <meta name="viewport" content="width=device-width, initial-scale=1.0, minimum-scale=1.0">
    <meta property="og:title" content="{escape(title)}">
    <meta property="og:site_name" content="Telegram">
    <link rel="canonical" href="https://t.me/s/{name}">
    <link href="//telegram.org/css/widget-frame.css?72" rel="stylesheet">
  </head>
  <body class="widget_frame_base tgme_webpreview_body emoji_image nodesktop">
    <header class="tgme_header search_collapsed">
      <div class="tgme_header_search"><form class="tgme_header_search_form" action="/s/{name}" method="get">
        <input class="tgme_header_search_form_input js-header_search" name="q" placeholder="Search"></form></div>
      <div class="tgme_header_info"><a class="tgme_header_link" href="https://t.me/{name}">
        <div class="tgme_header_title"><span dir="auto">{escape(title)}</span></div></a></div>
    </header>
    <main class="tgme_main">
      <div class="tgme_container">
        <section class="tgme_channel_history js-message_history">
          {body}
        </section>
      </div>
    </main>
    <div class="tgme_channel_info">
      <div class="tgme_channel_info_header">
        <i class="tgme_page_photo_image bgcolor2" data-content="{escape(title[:1])}"></i>
        <div class="tgme_channel_info_header_title"><span dir="auto">{escape(title)}</span></div>
        <div class="tgme_channel_info_header_username"><a href="https://t.me/{name}">@{name}</a></div>
      </div>
      <div class="tgme_channel_info_counters">
        <div class="tgme_channel_info_counter"><span class="counter_value">25.3K</span> <span class="counter_type">subscribers</span></div>
      </div>
    </div>
  </body>
</html>
"""
    return page.encode("utf-8")


def make_missing_channel_page(name: str) -> bytes:
    """What ``t.me/NAME`` shows for a name with no public channel: a contact card, no posts."""
    return f"""<!DOCTYPE html>
<html>
  <head><meta charset="utf-8"><title>Telegram: Contact @{name}</title>
    <meta property="og:title" content="Telegram: Contact @{name}"></head>
  <body>
    <div class="tgme_page_wrap"><div class="tgme_head_wrap"><div class="tgme_head">
      <a href="//telegram.org/" class="tgme_head_brand"></a></div></div>
      <div class="tgme_body_wrap"><div class="tgme_page">
        <div class="tgme_page_icon"></div>
        <div class="tgme_page_additional">If you have <strong>Telegram</strong>, you can contact
          <a class="tgme_username_link" href="tg://resolve?domain={name}">@{name}</a> right away.</div>
      </div></div>
    </div>
  </body>
</html>
""".encode()
