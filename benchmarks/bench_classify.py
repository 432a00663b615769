"""Benchmark of ``c5watch classify`` end to end: JSON Lines in, JSON Lines out, one pass.

Run: ``python benchmarks/bench_classify.py [--baseline DIR] [--rounds N] [--stages]``.

Each measurement is a fresh process (cold lemma and chunk caches, as a new run of the command
has), which builds the classifier, reads the whole input, then times one pass of
``run_classify`` over it: JSON parsing, topics and their explanations, JSON out. The rate is
MB of title + summary text per second: of the best pass, of the median one (wall clock), and
of the best pass in CPU time of the process (``CPU``: less affected when other processes share
the cores, as on a busy host). Two inputs, both with fresh ids:

* ``real sentences``: every item is new, recombined from the sentences of the labelled
  fixtures (a real title, then one to four real sentences of the same language drawn from any
  item), so no document repeats while the words are those of real RU/EN news. Most of them
  are on a topic, so it is the costly case (every topic is explained).
* ``stream``: the ``bench_match`` corpus (about 16 % on-topic items, the rest off-topic news
  written from templates and real word forms), closer to what a feed stream looks like.

``--baseline DIR`` runs the same inputs through another checkout of the project (for example
the code before a change, exported outside the repository with ``git archive``, with its own
``.venv`` made by ``make install`` there), alternating with this one, so that the ratio is
measured on the same host at the same time. The two outputs are compared byte for byte
(equal only when both use the same rule files).

``--stages`` says where one cold pass of this checkout spends its time instead: reading JSON,
building each item's document (tokens, lemmas, terms, alias phrases), finding the topics'
phrases in it, deciding and explaining the topics, writing JSON.

``--floor`` measures what any matching is added to: the same cold pass doing only what every
item needs before a rule can be asked (JSON in, NFKC, whitespace chunks, the terms of each
chunk, lemmatising each word met for the first time) and writing an empty answer, then a
second, warm pass. The time spent lemmatising new words is given apart.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._match_corpus import corpus, rule_keys  # noqa: E402

TARGET_BYTES = 5_000_000
_SENTENCE_END = re.compile(r"(?<=[.!?…»\"”])\s+(?=[«\"“A-ZА-ЯЁ])")
SHORT = 40  # a piece shorter than this ("The U. S.") stays with the next one

# Run in a child process: ROOT on the path, the input read, one timed pass.
_CHILD = """
import io, json, sys, time
sys.path.insert(0, sys.argv[1])
start = time.perf_counter()
from bot.matching.classifier import TopicClassifier
from bot.matching.classify import run_classify
classifier = TopicClassifier()
ready = time.perf_counter()
text = open(sys.argv[2], encoding="utf-8").read()
out = io.StringIO()
begin, cpu = time.perf_counter(), time.process_time()
status = run_classify(io.StringIO(text), out, classifier)
seconds, cpu = time.perf_counter() - begin, time.process_time() - cpu
open(sys.argv[3], "w", encoding="utf-8").write(out.getvalue())
print(json.dumps({"seconds": seconds, "cpu": cpu, "setup": ready - start, "status": status}))
"""


# ``--stages``: the same cold pass, item by item as ``run_classify`` goes, with the time of
# each step added up (the timers themselves cost a few per cent).
_STAGES = """
import io, json, sys, time
sys.path.insert(0, sys.argv[1])
from time import perf_counter as now
from bot.matching._flat import View
from bot.matching.classifier import TopicClassifier
from bot.matching.classify import _item, output_line
classifier = TopicClassifier()
index, phrases = classifier.index, classifier.phrases
lines = open(sys.argv[2], encoding="utf-8").read().splitlines()
spent = dict.fromkeys(("JSON in", "document", "phrases", "topics", "JSON out"), 0.0)
cpu = time.process_time()
for line in lines:
    a = now(); obj = json.loads(line); item = _item(obj)
    b = now(); doc = index.document(item)
    c = now(); view = View(doc, phrases)
    d = now(); found = classifier.matches(view)
    e = now(); output_line(obj["id"], found)
    f = now()
    for name, seconds in zip(spent, (b - a, c - b, d - c, e - d, f - e)):
        spent[name] += seconds
spent["total CPU"] = time.process_time() - cpu
print(json.dumps(spent))
"""


# ``--floor``: JSON in, the terms of each item's chunks (new words lemmatised), JSON out; no
# alias phrases, positions, phrases or topics. Then the same again with every cache warm.
_FLOOR = """
import io, json, sys, time
sys.path.insert(0, sys.argv[1])
from time import process_time
from bot.matching.classifier import TopicClassifier
from bot.matching.classify import _item, output_line
from bot.matching.document import split_chunks
from bot.matching.normalise import prepare
index = TopicClassifier().index
norm = index.normaliser
lemmatise, spent = norm._compute, [0.0]
def timed(raw):
    start = process_time()
    try:
        return lemmatise(raw)
    finally:
        spent[0] += process_time() - start
norm._compute = timed
lines = open(sys.argv[2], encoding="utf-8").read().splitlines()
def one_pass():
    vocabulary, out = index.vocabulary(), io.StringIO()
    cpu = process_time()
    for line in lines:
        obj = json.loads(line)
        item = _item(obj)
        title, summary = split_chunks(prepare(item.title)), split_chunks(prepare(item.summary))
        norm.chunk_terms(title, summary, vocabulary)
        out.write(output_line(obj["id"], ()))
    return process_time() - cpu
cold = one_pass()
lemmas = spent[0]
print(json.dumps({"cold": cold, "lemmas": lemmas, "words": len(norm._cache), "warm": one_pass()}))
"""


def sentences(text: str) -> list[str]:
    pieces = _SENTENCE_END.split(text.strip()) if text.strip() else []
    out: list[str] = []
    carry = ""
    for piece in pieces:
        piece = f"{carry} {piece}" if carry else piece
        if len(piece) < SHORT:
            carry = piece
            continue
        out.append(piece)
        carry = ""
    if carry:
        out.append(carry)
    return out


def real_sentences(rng: random.Random) -> list[dict[str, str]]:
    """New items recombined from the labelled fixtures' titles and sentences."""
    titles: dict[str, list[str]] = {"ru": [], "en": []}
    pool: dict[str, list[str]] = {"ru": [], "en": []}
    for path in sorted((ROOT / "tests/matching/fixtures").glob("*.jsonl")):
        for line in path.read_text("utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                lang = "ru" if row["lang"] == "ru" else "en"
                titles[lang].append(row["title"])
                pool[lang] += sentences(row.get("summary") or "")
    items: list[dict[str, str]] = []
    size = 0
    while size < TARGET_BYTES:
        lang = rng.choice(("ru", "en"))
        title = rng.choice(titles[lang])
        summary = " ".join(rng.choice(pool[lang]) for _ in range(rng.randint(1, 4)))
        items.append({"title": title, "summary": summary, "lang": lang})
        size += len(title.encode()) + len(summary.encode())
    return items


def stream(rng: random.Random) -> list[dict[str, str]]:
    from bot.matching import TopicClassifier

    topics = TopicClassifier().index.topics.values()
    keys = {k for t in topics for r in t.rules + t.exclusions for k in rule_keys(r.query.root)}
    items, _ = corpus(rng, keys)
    return [{"title": i.title, "summary": i.summary, "lang": i.lang or ""} for i in items]


def write_input(items: list[dict[str, str]], path: Path, tag: str) -> int:
    """Write the items with fresh ids; returns the bytes of title + summary text."""
    with path.open("w", encoding="utf-8") as fh:
        for n, item in enumerate(items):
            fh.write(json.dumps({"id": f"{tag}-{n}", **item}, ensure_ascii=False) + "\n")
    return sum(len(i["title"].encode()) + len(i["summary"].encode()) for i in items)


def _child(root: Path, script: str, *args: Path) -> dict[str, float]:
    """Run ``script`` in a fresh process, with the checkout's own ``.venv`` if it has one (so a
    baseline runs with the dependencies it pinned); its last line of output is JSON figures."""
    own = root / ".venv" / "bin" / "python"
    python = str(own) if own.exists() else sys.executable
    done = subprocess.run(
        [python, "-c", script, str(root), *map(str, args)],
        check=True,
        capture_output=True,
        text=True,
    )
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def one_pass(root: Path, source: Path, output: Path) -> dict[str, float]:
    """One cold pass over ``source`` in a fresh process, its output written to ``output``."""
    return _child(root, _CHILD, source, output)


def stages(root: Path, source: Path) -> dict[str, float]:
    """Seconds of each step of one cold pass over ``source``, in a fresh process."""
    return _child(root, _STAGES, source)


def floor(root: Path, source: Path) -> dict[str, float]:
    """CPU seconds of the floor's cold and warm passes over ``source``, in a fresh process."""
    return _child(root, _FLOOR, source)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, help="another checkout to compare with")
    parser.add_argument("--rounds", type=int, default=3, help="fresh processes per row")
    parser.add_argument(
        "--stages", action="store_true", help="where one cold pass of this checkout spends time"
    )
    parser.add_argument(
        "--floor", action="store_true", help="the same pass without matching, cold and warm"
    )
    args = parser.parse_args()
    roots = {"this": ROOT}
    if args.baseline is not None:
        roots["baseline"] = args.baseline.resolve()
    inputs = {
        "real sentences": real_sentences(random.Random(11)),
        "stream": stream(random.Random(5)),
    }
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if args.stages:
            for name, items in inputs.items():
                source = folder / "in.jsonl"
                nbytes = write_input(items, source, name.split()[0])
                runs = [stages(ROOT, source) for _ in range(args.rounds)]
                best = min(runs, key=lambda r: r["total CPU"])
                shares = ", ".join(f"{k} {v:.3f} s" for k, v in best.items())
                print(f"{name} ({nbytes / 1e6:.2f} MB, best of {args.rounds}): {shares}")
            return 0
        if args.floor:
            for name, items in inputs.items():
                source = folder / "in.jsonl"
                nbytes = write_input(items, source, name.split()[0])
                runs = [floor(ROOT, source) for _ in range(args.rounds)]
                best = min(runs, key=lambda r: r["cold"])
                warm = min(r["warm"] for r in runs)
                print(
                    f"{name} ({nbytes / 1e6:.2f} MB, best of {args.rounds}): cold"
                    f" {best['cold']:.3f} s CPU ({nbytes / best['cold'] / 1e6:.1f} MB/s), of which"
                    f" lemmatising {best['words']:.0f} new words {best['lemmas']:.3f} s;"
                    f" warm {warm:.3f} s ({nbytes / warm / 1e6:.1f} MB/s)"
                )
            return 0
        print(
            f"{'input':<15} {'code':<9} {'items':>6} {'MB':>5} {'MB/s':>6}"
            f" {'median':>6} {'CPU':>6} {'setup s':>7} {'same output':>11}"
        )
        for name, items in inputs.items():
            source = folder / "in.jsonl"
            nbytes = write_input(items, source, name.split()[0])
            runs: dict[str, list[dict[str, float]]] = {code: [] for code in roots}
            for _ in range(args.rounds):
                for code, root in roots.items():
                    runs[code].append(one_pass(root, source, folder / f"{code}.jsonl"))
            outputs = {code: (folder / f"{code}.jsonl").read_bytes() for code in roots}
            same = "-" if len(roots) == 1 else ("yes" if len(set(outputs.values())) == 1 else "NO")
            rates: dict[str, float] = {}
            for code, found in runs.items():
                seconds = [r["seconds"] for r in found]
                rates[code] = nbytes / statistics.median(seconds) / 1e6
                cpu = nbytes / min(r["cpu"] for r in found) / 1e6
                print(
                    f"{name:<15} {code:<9} {len(items):>6} {nbytes / 1e6:>5.2f}"
                    f" {nbytes / min(seconds) / 1e6:>6.2f} {rates[code]:>6.2f} {cpu:>6.2f}"
                    f" {statistics.median(r['setup'] for r in found):>7.2f} {same:>11}"
                )
            if "baseline" in rates:
                ratio = rates["this"] / rates["baseline"]
                print(f"{name:<15} speed-up (medians, same run): {ratio:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
