"""The address guard: inside addresses are refused before a connection, and after redirects."""

from __future__ import annotations

import ipaddress
import re

import pytest

from bot.config import load_settings
from bot.errors import ConfigError
from bot.ingest.errors import FeedFetchError
from bot.ingest.fetch import Fetcher
from bot.ingest.netguard import (
    AddressGuard,
    BlockedAddressError,
    address_class,
    literal_address,
    parse_networks,
)
from tests.fakes.dns import StaticResolver
from tests.fakes.feed_server import FeedServer, make_rss

RSS = make_rss([{"title": "Uranium deal", "link": "https://news.example/1"}])


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("fd12:3456::1", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("224.0.0.251", "multicast"),
        ("ff02::1", "multicast"),
        ("240.0.0.1", "reserved"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("100.64.0.1", "non-public"),  # shared address space (carrier NAT)
        ("::ffff:127.0.0.1", "loopback"),
        ("2002:a00:1::", "private"),  # 6to4 of 10.0.0.1
        ("8.8.8.8", None),
        ("2a00:1450:4001:80b::200e", None),
    ],
)
def test_each_inside_address_class_is_named(address: str, expected: str | None) -> None:
    assert address_class(ipaddress.ip_address(address)) == expected


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("2130706433", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("[::1]", "::1"),
        ("169.254.169.254", "169.254.169.254"),
        ("news.example", None),
    ],
)
def test_hosts_written_as_numbers_are_read_as_the_system_would(
    host: str, address: str | None
) -> None:
    found = literal_address(host)
    assert (str(found) if found else None) == address


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/rss",
        "http://2130706433/rss",
        "http://0x7f000001/rss",
        "http://[::1]:8080/rss",
        "http://[::ffff:169.254.169.254]/latest/meta-data/",
        "http://169.254.169.254/latest/meta-data/",
        "http://metadata.example/latest/",
        "http://intranet.example/rss",
        "http://dual.example/rss",
        "ftp://news.example/rss",
        "file:///etc/passwd",
    ],
)
async def test_check_url_refuses_inside_hosts_and_other_schemes(url: str) -> None:
    dns = StaticResolver(
        {
            "metadata.example": ["169.254.169.254"],
            "intranet.example": ["192.168.10.4"],
            # One public and one private answer: the connection could take either.
            "dual.example": ["93.184.215.14", "10.0.0.7"],
        }
    )
    with pytest.raises(BlockedAddressError):
        await AddressGuard(dns).check_url(url)


async def test_public_names_pass_and_the_allow_list_widens_the_guard() -> None:
    dns = StaticResolver({"news.example": ["93.184.215.14"], "wiki.corp": ["10.20.0.4"]})
    await AddressGuard(dns).check_url("https://news.example/rss")
    with pytest.raises(BlockedAddressError, match=r"wiki\.corp \(10\.20\.0\.4\) is a private"):
        await AddressGuard(dns).check_url("https://wiki.corp/rss")
    await AddressGuard(dns, allow=parse_networks("10.20.0.0/16")).check_url("https://wiki.corp/")
    with pytest.raises(ValueError, match="not an IP network"):
        parse_networks("10.0.0.0/8, intranet")


def _guarded(guard: AddressGuard) -> Fetcher:
    return Fetcher(concurrency=2, per_host=2, timeout=2.0, max_bytes=1 << 20, guard=guard)


async def test_a_guarded_fetch_of_a_loopback_server_sends_nothing(feeds: FeedServer) -> None:
    url = feeds.add("/rss.xml", RSS)
    async with _guarded(AddressGuard(StaticResolver())) as fetcher:
        with pytest.raises(BlockedAddressError, match=r"127\.0\.0\.1 is a loopback address"):
            await fetcher.fetch(url)
    assert feeds.hits("/rss.xml") == 0


async def test_redirects_and_changed_dns_are_checked_on_every_fetch(feeds: FeedServer) -> None:
    port = feeds.base_url.rsplit(":", 1)[1]
    dns = StaticResolver({"feeds.example": ["127.0.0.1"], "metadata.example": ["169.254.169.254"]})
    # The test server is on loopback, so this guard lets loopback through and nothing else.
    guard = AddressGuard(dns, allow=parse_networks("127.0.0.0/8"))
    feeds.add("/rss.xml", RSS)
    feeds.redirect("/to-literal", "http://169.254.169.254/latest/meta-data/", status=302)
    feeds.redirect("/to-name", f"http://metadata.example:{port}/latest/", status=301)
    feeds.redirect("/to-file", "file:///etc/passwd", status=302)
    named = f"http://feeds.example:{port}"
    async with _guarded(guard) as fetcher:
        got = await fetcher.fetch(f"{named}/rss.xml")
        assert got.status == 200 and b"Uranium deal" in got.body
        for path, why in [
            ("/to-literal", r"169\.254\.169\.254 is a link-local"),
            ("/to-name", r"metadata\.example \(169\.254\.169\.254\) is a link-local"),
            ("/to-file", "non-http|only http"),
        ]:
            with pytest.raises(FeedFetchError, match=why):
                await fetcher.fetch(f"{named}{path}")
            assert feeds.hits(path) == 1  # the redirect was read, its target never asked
        dns.table["feeds.example"] = ["10.0.0.9"]  # the name moved inside
        with pytest.raises(BlockedAddressError, match=r"10\.0\.0\.9"):
            await fetcher.fetch(f"{named}/rss.xml")
    assert feeds.hits("/rss.xml") == 1


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("addfeed_allow_networks", "10.0.0.0/8, intranet", "ADDFEED_ALLOW_NETWORKS: not an IP"),
        ("telegram_web_url", "t.me", "TELEGRAM_WEB_URL: must be an http(s) URL"),
    ],
)
def test_bad_source_settings_are_refused_in_one_line(name: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_settings(**{name: value})
