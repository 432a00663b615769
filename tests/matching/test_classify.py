from __future__ import annotations

import io
import json

from bot.matching.classify import output_line, run_classify
from bot.matching.types import TopicMatch


def run(text: str) -> tuple[int, list[dict[str, object]]]:
    out = io.StringIO()
    status = run_classify(io.StringIO(text), out)
    return status, [json.loads(line) for line in out.getvalue().splitlines()]


def test_lines_in_lines_out_with_ids_echoed() -> None:
    lines = [
        {"id": 7, "title": "Казахстан наращивает добычу урана", "summary": "и вольфрама"},
        {"id": "b", "title": "Саммит C5+1 в Вашингтоне", "summary": "", "lang": "ru"},
        {"id": [1, 2], "title": "Weather today", "summary": "sunny", "url": "http://x"},
    ]
    status, out = run("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n")
    assert status == 0
    assert [o["id"] for o in out] == [7, "b", [1, 2]]
    assert out[0]["topics"] == ["critical_minerals"]
    why = out[0]["why"]
    assert isinstance(why, dict) and "уран" in why["critical_minerals"]
    assert out[1]["topics"] == ["c5plus1"]
    assert out[2] == {"id": [1, 2], "topics": [], "why": {}}


def test_both_topics_in_contract_order() -> None:
    item = {
        "id": 1,
        "title": "US, Kazakhstan sign tungsten agreement at C5+1 summit",
        "summary": "critical minerals",
    }
    status, out = run(json.dumps(item))
    assert status == 0
    assert out[0]["topics"] == ["critical_minerals", "c5plus1"]
    assert set(out[0]["why"]) == {"critical_minerals", "c5plus1"}  # type: ignore[arg-type]


def test_bad_lines_are_reported_and_the_rest_processed() -> None:
    text = "\n".join(
        [
            '{"id": 1, "title": "уран", "summary": ""}',
            "",
            "not json",
            '{"title": "no id"}',
            '{"id": 2, "title": 5}',
            "[1, 2]",
            '{"id": 3, "title": "литий", "summary": "добыча"}',
        ]
    )
    status, out = run(text)
    assert status == 1
    assert out[0]["id"] == 1
    assert [o.get("line") for o in out[1:5]] == [3, 4, 5, 6]
    assert all("error" in o for o in out[1:5])
    assert out[5]["id"] == 3 and out[5]["topics"] == ["critical_minerals"]


def test_output_lines_are_the_bytes_json_dumps_gives() -> None:
    ids: list[object] = [
        'a"b\\c\n\u2028',
        "уран",
        7,
        -1.5,
        10**20,
        None,
        True,
        [1, "x"],
        {"k": "v"},
    ]
    matches = (
        TopicMatch("critical_minerals", ('"U3O8"', "уран", "a\tb", "\u0001"), 1.0),
        TopicMatch("c5plus1", ("С5+1",), 2.0),
    )
    for ident in ids:
        for found in ((), matches[:1], matches):
            want = {
                "id": ident,
                "topics": [m.topic for m in found],
                "why": {m.topic: list(m.terms) for m in found},
            }
            assert output_line(ident, found) == json.dumps(want, ensure_ascii=False) + "\n"
