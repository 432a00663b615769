"""`c5watch events` as outside checks run it: a subprocess, JSON Lines in and out."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from bot.events._features import KeyExtractor
from bot.events.evaluate import predict
from bot.events.grouping import EventGrouper


def _run(lines: list[str]) -> tuple[int, list[dict[str, Any]]]:
    done = subprocess.run(
        [sys.executable, "-m", "bot", "events"],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return done.returncode, [json.loads(line) for line in done.stdout.splitlines()]


def test_each_item_gets_its_event_in_order_as_the_grouper_gives_it(
    labelled: list[dict[str, Any]], extractor: KeyExtractor
) -> None:
    rows = [r for r in labelled if "2025-11-01" <= r["published"] <= "2025-11-10"]
    fields = ("id", "title", "summary", "published", "lang", "url", "source")
    status, out = _run([json.dumps({k: r[k] for k in fields}, ensure_ascii=False) for r in rows])
    assert status == 0
    assert [o["id"] for o in out] == [r["id"] for r in rows]
    assert [o["event"] for o in out] == predict(rows, EventGrouper(extractor=extractor))


def test_bad_lines_are_reported_by_number_and_the_rest_still_placed() -> None:
    good = {"id": 7, "title": "Tungsten deal", "summary": "", "published": "2025-11-06T10:00Z"}
    status, out = _run(
        [
            json.dumps(good),
            "not json",
            "",
            json.dumps({"id": "x", "title": "No date"}),
            json.dumps({"id": "y", "title": "Bad date", "published": "yesterday"}),
            json.dumps({**good, "id": "8", "published": "2025-11-06"}),
        ]
    )
    assert status == 1
    assert out[0]["id"] == 7  # echoed back as given
    assert out[1]["line"] == 2 and "error" in out[1]
    assert out[2] == {"line": 4, "error": "missing field 'published'"}
    assert out[3]["line"] == 5 and "ISO 8601" in out[3]["error"]
    assert out[4]["id"] == "8"
    assert out[4]["event"] == out[0]["event"], "the same report on the same day is one event"
