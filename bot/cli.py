"""`c5watch` command line: parses arguments and settings, then hands off to bot.commands."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import os
import sys
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from bot.config import Settings, load_settings
from bot.errors import C5watchError, ConfigError, UsageError
from bot.logs import setup_logging

Command = Callable[[Settings, argparse.Namespace], Coroutine[Any, Any, int]]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        # One line and exit 2, as the contract asks, instead of argparse's usage dump.
        sys.stderr.write(f"c5watch: {message} (see `c5watch --help`)\n")
        raise SystemExit(2)


def _command(path: str) -> Command:
    """Import a command's module only when it runs: aiogram alone takes seconds to import."""
    module, _, name = path.partition(":")
    func: Command = getattr(importlib.import_module(f"bot.commands.{module}"), name)
    return func


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="c5watch", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("run", help="long polling plus the scheduler, in one process")
    p.add_argument(
        "--role",
        choices=["all", "updates", "worker"],
        default="all",
        help="all (default); updates: only read Telegram updates (run one); "
        "worker: only poll feeds, match and send (run several on PostgreSQL)",
    )
    p.add_argument(
        "--webhook-url",
        metavar="URL",
        help="receive updates by webhook at this public https URL instead of long polling; "
        "served on HTTP_HOST:HTTP_PORT (default port 8080)",
    )
    p.set_defaults(func="run:run")

    p = sub.add_parser(
        "classify", help="JSON Lines in, curated topics and the terms that matched out"
    )
    p.set_defaults(func=None)

    p = sub.add_parser(
        "events", help="JSON Lines items in, the real-world event of each out (pure)"
    )
    p.set_defaults(func=None)

    p = sub.add_parser("db", help="database maintenance")
    dbsub = p.add_subparsers(dest="db_command", required=True, parser_class=_Parser)
    dbsub.add_parser("upgrade", help="bring the schema to the newest migration").set_defaults(
        func="db:upgrade"
    )

    p = sub.add_parser("feeds", help="manage feeds")
    fsub = p.add_subparsers(dest="feeds_command", required=True, parser_class=_Parser)
    fp = fsub.add_parser("add", help="add a feed (or the feed a web page advertises)")
    fp.add_argument("url")
    fp.set_defaults(func="feeds:add")
    fsub.add_parser("list", help="list feeds and their health").set_defaults(func="feeds:list_")
    fp = fsub.add_parser("remove", help="remove a feed by URL or id")
    fp.add_argument("feed", metavar="URL|ID")
    fp.set_defaults(func="feeds:remove")
    fp = fsub.add_parser("import", help="add the feeds listed in an OPML file")
    fp.add_argument("file", metavar="FILE.opml")
    fp.set_defaults(func="feeds:import_")
    fsub.add_parser("export", help="print every feed as OPML 2.0").set_defaults(func="feeds:export")

    p = sub.add_parser("demo", help="offline demo: the seed feeds, their alerts and a digest")
    p.set_defaults(func="demo:demo")

    p = sub.add_parser("digest", help="daily digests")
    dsub = p.add_subparsers(dest="digest_command", required=True, parser_class=_Parser)
    dp = dsub.add_parser("preview", help="print the digest a chat would receive now")
    dp.add_argument("chat_id", metavar="CHAT_ID", type=int)
    dp.add_argument("--html", action="store_true", help="print the HTML as it would be sent")
    dp.set_defaults(func="digest:preview")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _build_parser().parse_args(argv)
    if args.command == "classify":
        # Pure: no settings, database or network, so a broken .env cannot stop it.
        from bot.matching.classify import run_classify

        return run_classify(sys.stdin, sys.stdout)
    if args.command == "events":
        # Pure like classify: no settings, database or network.
        from bot.commands.events import run_events

        return run_events(sys.stdin, sys.stdout)
    command = _command(args.func)
    try:
        settings = load_settings()
        setup_logging(
            settings.log_level,
            secrets=[
                s.get_secret_value() for s in (settings.bot_token, settings.webhook_secret) if s
            ],
            json_lines=settings.log_format == "json",
        )
        return asyncio.run(command(settings, args))
    except (ConfigError, UsageError) as exc:
        sys.stderr.write(f"c5watch: {exc}\n")
        return 2
    except C5watchError as exc:
        sys.stderr.write(f"c5watch: {exc}\n")
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`c5watch feeds list | head`): not an error of ours.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
