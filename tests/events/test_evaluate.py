from __future__ import annotations

import json
from pathlib import Path

from bot.events.evaluate import load_sets, render, score, set_table


def _row(item_id: str, event: str, lang: str) -> dict[str, str]:
    return {"id": item_id, "event": event, "lang": lang, "title": item_id}


def test_pairs_are_counted_by_label_and_by_key() -> None:
    rows = [_row("a", "x", "en"), _row("b", "x", "ru"), _row("c", "x", "en"), _row("d", "y", "en")]
    keys = ["k1", "k1", "k2", "k2"]  # a-b right, c-d wrong, a-c and b-c missed
    overall, same, cross = score(rows, keys)
    assert (overall.tp, overall.fp, overall.fn) == (1, 1, 2)
    assert overall.precision == 0.5
    assert overall.recall == 1 / 3
    assert (cross.tp, cross.fp, cross.fn) == (1, 0, 1)
    assert (same.tp, same.fp, same.fn) == (0, 1, 1)
    assert "precision" in render(rows, [overall, same, cross])


def test_every_labelled_set_is_in_the_manifest_with_its_first_seen_figure() -> None:
    folder = Path(__file__).parent / "fixtures"
    sets = load_sets(folder / "sets.json")
    assert {s.file for s in sets} == {p.name for p in folder.glob("*.jsonl")}
    blind = [s for s in sets if s.name.startswith("blind")]
    assert blind and all(s.first_seen is not None for s in blind)
    assert {s.role for s in sets} <= {"tuned", "held-out"}


def test_the_set_table_shows_first_seen_beside_today(tmp_path: Path) -> None:
    rows = [
        {
            "id": "a",
            "event": "x",
            "lang": "en",
            "title": "Tungsten deal signed",
            "summary": "",
            "published": "2025-11-06",
        },
        {
            "id": "b",
            "event": "y",
            "lang": "en",
            "title": "Gold price record",
            "summary": "",
            "published": "2025-11-07",
        },
    ]
    (tmp_path / "s.jsonl").write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    manifest = {
        "sets": [
            {
                "name": "s",
                "file": "s.jsonl",
                "first_seen": {"precision": 0.5, "recall": 0.25},
                "role": "held-out",
            }
        ]
    }
    (tmp_path / "sets.json").write_text(json.dumps(manifest), encoding="utf-8")
    table = set_table(load_sets(tmp_path / "sets.json"), tmp_path)
    assert "0.500 / 0.250" in table.splitlines()[1]
    assert "held-out" in table
