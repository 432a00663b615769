"""The database schema: one class per table.

Unique constraints do the de-duplication work (one item per feed and guid,
one delivery per chat and story, one digest per chat and local day), so two
processes racing on the same work collide in the database, not in memory.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from storage.types import UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
    }


class DeliveryMode(StrEnum):
    INSTANT = "instant"
    DIGEST = "digest"
    BOTH = "both"


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    CANCELLED = "cancelled"


class DigestStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    EMPTY = "empty"
    CANCELLED = "cancelled"


class Feed(Base):
    __tablename__ = "feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2048), unique=True)
    title: Mapped[str | None] = mapped_column(String(512))
    site_url: Mapped[str | None] = mapped_column(String(2048))
    added_at: Mapped[datetime]
    # Conditional-GET validators from the last 200 response.
    etag: Mapped[str | None] = mapped_column(String(512))
    last_modified: Mapped[str | None] = mapped_column(String(128))
    # Scheduling: the feed is due once next_poll_at has passed and no lease is live.
    next_poll_at: Mapped[datetime] = mapped_column(index=True)
    lease_until: Mapped[datetime | None]
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    # The due time a claim took over (its next_poll_at before the claim moved it), and how
    # many seconds after its due time the last fetch began: delay measured, not guessed.
    claimed_due_at: Mapped[datetime | None]
    lateness_seconds: Mapped[float | None]
    # Health, shown by `feeds list` and /feeds.
    error_count: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    last_error_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    last_warning: Mapped[str | None] = mapped_column(String(500))
    # False until the first successful fetch: what that fetch finds is backlog.
    backlog_done: Mapped[bool] = mapped_column(Boolean, default=False)
    # What the URL is: an RSS/Atom "feed", a Telegram "channel" preview, or a feedless "page".
    kind: Mapped[str] = mapped_column(String(16), default="feed", server_default="feed")
    # Added from Telegram by a chat user: every fetch refuses internal addresses.
    guarded: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Story(Base):
    """One news story, however many feeds and URLs carry it."""

    __tablename__ = "stories"

    id: Mapped[int] = mapped_column(primary_key=True)
    canonical_url: Mapped[str | None] = mapped_column(String(2048), unique=True)
    title: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text, default="")
    lang: Mapped[str | None] = mapped_column(String(8))
    # Normalised-title key and text fingerprint used to recognise reprints.
    title_key: Mapped[str] = mapped_column(String(64), index=True)
    fingerprint: Mapped[int] = mapped_column(BigInteger, default=0)
    published_at: Mapped[datetime] = mapped_column(index=True)
    first_seen_at: Mapped[datetime] = mapped_column(index=True)
    is_backlog: Mapped[bool] = mapped_column(Boolean, default=False)
    # Matching claims stories: null until matched against every chat's rules.
    matched_at: Mapped[datetime | None] = mapped_column(index=True)
    match_lease_until: Mapped[datetime | None]
    # Bumped each time an item from another feed joins the story (a reprint): alerts already
    # sent that show an older revision are edited to list the new source.
    sources_rev: Mapped[int] = mapped_column(default=0)
    sources_changed_at: Mapped[datetime | None] = mapped_column(index=True)
    # The real-world event the story reports (bot.events); null until grouping has placed it,
    # and matching waits for it. A later story of the same event bumps sources_rev above.
    event_key: Mapped[str | None] = mapped_column(String(64), index=True)
    # " term term … ": every matching term of title and summary (lemmas, alias groups), set
    # when the event is; /search reads it to skip stories its query cannot match.
    search_terms: Mapped[str | None] = mapped_column(Text)


class Item(Base):
    """One entry of one feed; several items may share a story (reprints)."""

    __tablename__ = "items"
    __table_args__ = (UniqueConstraint("feed_id", "guid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    feed_id: Mapped[int] = mapped_column(ForeignKey("feeds.id", ondelete="CASCADE"))
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"), index=True)
    guid: Mapped[str] = mapped_column(String(1024))
    url: Mapped[str | None] = mapped_column(String(2048))
    canonical_url: Mapped[str | None] = mapped_column(String(2048), index=True)
    title: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime]
    fetched_at: Mapped[datetime] = mapped_column(index=True)


class Chat(Base):
    __tablename__ = "chats"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    type: Mapped[str] = mapped_column(String(16), default="private")
    title: Mapped[str | None] = mapped_column(String(256))
    language: Mapped[str] = mapped_column(String(8), default="en")
    timezone: Mapped[str] = mapped_column(String(64))
    mode: Mapped[str] = mapped_column(String(16), default=DeliveryMode.INSTANT.value)
    digest_minute: Mapped[int] = mapped_column(Integer, default=9 * 60)
    digest_empty_note: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    last_alert_at: Mapped[datetime | None]
    # Set by /stop, cleared by /start: the bot blocked and unblocked, or removed and added
    # back, leaves a stopped chat stopped.
    stopped_at: Mapped[datetime | None]
    # In a private chat: the channel its settings commands now apply to (/channel).
    managing_chat_id: Mapped[int | None] = mapped_column(BigInteger)


class TopicSubscription(Base):
    __tablename__ = "topic_subscriptions"

    chat_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("chats.id", ondelete="CASCADE"), primary_key=True
    )
    topic: Mapped[str] = mapped_column(String(64), primary_key=True)


class KeywordRule(Base):
    __tablename__ = "keyword_rules"
    # Ids are never reused (SQLite would reuse the highest): a button on an old message
    # carries a rule id and must not reach a rule added later.
    __table_args__ = (UniqueConstraint("chat_id", "query"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("chats.id", ondelete="CASCADE"), index=True
    )
    query: Mapped[str] = mapped_column(String(1024))
    created_at: Mapped[datetime]


class KeywordDraft(Base):
    """A checked rule waiting for its "Save" button (callback data holds only the id)."""

    __tablename__ = "keyword_drafts"
    # Ids travel on buttons: never hand out a deleted draft's id again.
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("chats.id", ondelete="CASCADE"))
    query: Mapped[str] = mapped_column(String(1024))
    created_at: Mapped[datetime]


class Match(Base):
    """A story that matched a chat's topics or keyword rules, with why."""

    __tablename__ = "matches"
    __table_args__ = (UniqueConstraint("chat_id", "story_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("chats.id", ondelete="CASCADE"), index=True
    )
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"))
    # {"topics": ["critical_minerals"], "rules": [3], "terms": {"critical_minerals": ["уран"]}}
    why: Mapped[dict[str, Any]]
    score: Mapped[float] = mapped_column(default=0.0)
    matched_at: Mapped[datetime] = mapped_column(index=True)
    digest_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("digest_runs.id", ondelete="SET NULL"), index=True
    )


class Delivery(Base):
    """The outbox: one row per chat and story, claimed before it is sent."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("chat_id", "story_id"),
        # An event reaches a chat once, whichever process matches its later reports.
        UniqueConstraint("chat_id", "event_key"),
        Index("ix_deliveries_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("chats.id", ondelete="CASCADE"), index=True
    )
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=DeliveryStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    lease_until: Mapped[datetime | None]
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    # The story's sources_rev the message shows (set when claimed for a send or an edit);
    # a sent row's lease_until/lease_owner are the editor's claim. See docs/delivery.md.
    sources_rev: Mapped[int] = mapped_column(default=0)
    edited_at: Mapped[datetime | None]
    event_key: Mapped[str | None] = mapped_column(String(64))
    # Set by the 🔕 button or when the message can no longer be edited: later coverage of
    # the event is dropped for this chat.
    muted_at: Mapped[datetime | None]


class DigestRun(Base):
    """One digest per chat and local day; the unique key makes it so across restarts."""

    __tablename__ = "digest_runs"
    __table_args__ = (UniqueConstraint("chat_id", "local_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("chats.id", ondelete="CASCADE"), index=True
    )
    local_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default=DigestStatus.PENDING.value)
    lease_until: Mapped[datetime | None]
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    parts_sent: Mapped[int] = mapped_column(default=0)
    stories_count: Mapped[int] = mapped_column(default=0)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class RateLimit(Base):
    """Shared send budget (GCRA): ``tat`` is the theoretical arrival time of the next send.

    Every process that sends reserves its slots here, so the global Telegram limit
    holds however many worker processes run.
    """

    __tablename__ = "rate_limits"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    tat: Mapped[float] = mapped_column(default=0.0)


class EventGrouping(Base):
    """The one row that serialises event assignment across processes.

    Whoever holds its row lock places stories; ``version`` moves on with every batch, so a
    process whose in-memory grouper saw another version rebuilds it from stored stories.
    """

    __tablename__ = "event_grouping"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(default=0)
    owner: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime | None]


class Search(Base):
    """A /search query, kept so its ◀ ▶ buttons carry only an id and a page."""

    __tablename__ = "searches"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("chats.id", ondelete="CASCADE"))
    query: Mapped[str] = mapped_column(String(1024))
    created_at: Mapped[datetime] = mapped_column(index=True)
