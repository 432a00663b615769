"""``c5watch events``: JSON Lines items in, ``{"id", "event"}`` out per line (see contracts.md).

Pure like ``classify``: no settings, database or network. Items are placed in the order given,
as the running bot places stories in the order they arrive, and events two windows older than
the newest item are forgotten as the bot forgets them (``bot.events.stream``).
"""

from __future__ import annotations

import json
from typing import Any, TextIO

from bot.events.grouping import EventGrouper
from bot.events.items import item_from_json
from bot.events.stream import StreamPlacer
from bot.matching.classify import answer_lines


def run_events(stdin: TextIO, stdout: TextIO, grouper: EventGrouper | None = None) -> int:
    """Place each input line's item in an event. Returns 1 if any line was refused."""
    placer = StreamPlacer(grouper)

    def answer(obj: Any) -> str:
        item = item_from_json(obj)
        return json.dumps({"id": obj["id"], "event": placer.place(item)}, ensure_ascii=False) + "\n"

    return answer_lines(stdin, stdout, answer)
