from __future__ import annotations

from bot.events.evaluate import render, score


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
