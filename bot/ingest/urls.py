"""Canonical URLs: one spelling per article, so the same link from two feeds is one story."""

from __future__ import annotations

import re
from enum import StrEnum
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Query parameters that only track where a click came from.
_TRACKING = frozenset(
    {
        "fbclid", "gclid", "dclid", "gbraid", "wbraid", "yclid", "ysclid", "msclkid",
        "mc_cid", "mc_eid", "igshid", "_hsenc", "_hsmi", "mkt_tok", "oly_anon_id",
        "oly_enc_id", "vero_id", "spm", "ref_src", "cmpid", "ncid", "sr_share",
    }
)  # fmt: skip
_TRACKING_PREFIXES = ("utm_", "pk_", "piwik_", "at_")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _is_tracking(name: str) -> bool:
    low = name.lower()
    return low in _TRACKING or low.startswith(_TRACKING_PREFIXES)


def canonical_url(url: str | None) -> str | None:
    """The URL with tracking parameters, fragment and default port dropped, host lower-cased.

    Non-http(s) or unparsable values give None: they cannot identify an article.
    """
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    host = parts.hostname.lower().rstrip(".")
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    query = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)
    ]
    path = parts.path or "/"
    return urlunsplit((scheme, netloc, path, urlencode(query, doseq=True), ""))


def host_of(url: str) -> str:
    """The lower-cased host (with port) a request to ``url`` goes to; the per-host cap key.
    Never the user and password of the URL: this name appears in messages and logs."""
    return urlsplit(url).netloc.rpartition("@")[2].lower()


MAX_FEED_URL = 2048
# user:password@ (or user@) in the authority of any http(s) URL inside free text.
_USERINFO = re.compile(r"(?i)\b(https?://)[^/?#\s@]+@")


class UrlProblem(StrEnum):
    """Why a URL a user typed cannot be a feed, each with its own message."""

    TOO_LONG = "too_long"
    BAD_PORT = "bad_port"
    NOT_HTTP = "not_http"


def feed_url_problem(text: str) -> UrlProblem | None:
    """None for an http(s) URL with a host, a valid port and a sane length."""
    if len(text) > MAX_FEED_URL:
        return UrlProblem.TOO_LONG
    if any(ch.isspace() for ch in text):
        return UrlProblem.NOT_HTTP
    try:
        parts = urlsplit(text)
    except ValueError:
        return UrlProblem.NOT_HTTP
    if parts.scheme.lower() not in _DEFAULT_PORTS or not parts.hostname:
        return UrlProblem.NOT_HTTP
    try:
        port = parts.port  # raises for a port outside 0..65535 or not a number
    except ValueError:
        return UrlProblem.BAD_PORT
    if port == 0:
        return UrlProblem.BAD_PORT
    return None


def mask_credentials(text: str) -> str:
    """``text`` with the user and password of every http(s) URL in it replaced by ***."""
    if "@" not in text:
        return text
    return _USERINFO.sub(r"\1***@", text)
