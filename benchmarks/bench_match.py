"""Benchmark of the matching engine: curated topics plus 100, 1,000 and 10,000 user rules.

Generates >= 5 MB of Russian and English news-like items from the seed article and the
labelled fixtures, then reports, for each rule count: index build time, memory of the index,
MB/s and items/s of matching (one core), and the speed-up over one compiled regex per rule
(measured on a smaller sample). Run: ``python benchmarks/bench_match.py``.
"""

from __future__ import annotations

import gc
import json
import random
import re
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.matching import MatchInput, RuleIndex, TopicClassifier  # noqa: E402
from bot.matching.query import TOPIC_LIMITS  # noqa: E402

TARGET_BYTES = 5 * 1024 * 1024
RULE_COUNTS = (100, 1_000, 10_000)
REGEX_SAMPLE_ITEMS = 150


def source_texts() -> list[str]:
    texts: list[str] = []
    for path in sorted(Path("/work/shared/seed").glob("*.txt")) + sorted(
        (ROOT / "seeds").glob("**/*.txt")
    ):
        texts.append(path.read_text("utf-8"))
    labelled = ROOT / "tests/matching/fixtures/labelled.jsonl"
    if labelled.exists():
        for line in labelled.read_text("utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                texts.append(f"{row['title']}. {row.get('summary') or ''}")
    return texts


def corpus(rng: random.Random) -> tuple[list[MatchInput], list[str]]:
    """News-like items: real sentences shuffled, with words swapped from the vocabulary."""
    sentences = [
        s.strip()
        for t in source_texts()
        for s in re.split(r"(?<=[.!?])\s+", t)
        if len(s.strip()) > 30
    ]
    vocab = sorted({w for s in sentences for w in re.findall(r"\w{4,}", s)})
    items: list[MatchInput] = []
    size = 0
    while size < TARGET_BYTES:
        picked = rng.sample(sentences, 3)
        words = " ".join(picked).split()
        for _ in range(len(words) // 8):  # vary the text so it is not the same items again
            words[rng.randrange(len(words))] = rng.choice(vocab)
        title = " ".join(rng.choice(sentences).split()[:10])
        item = MatchInput(title, " ".join(words))
        items.append(item)
        size += len(title.encode()) + len(item.summary.encode())
    return items, vocab


def user_rules(rng: random.Random, vocab: list[str], n: int) -> list[str]:
    stems = [v[:5] for v in vocab if len(v) >= 5 and v[:5].isalpha()]

    # Users watch specific names and things: most rule words are not in every item. Half the
    # words come from the corpus, half are plausible words it does not contain.
    outside = [v[::-1] + "ин" if v.isalpha() else v + "x" for v in vocab]

    def w() -> str:
        return rng.choice(vocab) if rng.random() < 0.5 else rng.choice(outside)

    shapes = [
        lambda: w(),
        lambda: f"{w()} {w()}",
        lambda: f"{w()} OR {w()} OR {w()}",
        lambda: f'"{w()} {w()}"',
        lambda: f"{rng.choice(stems)}*",
        lambda: f"{w()} -{w()}",
        lambda: f"({w()} OR {w()}) {w()}",
        lambda: f"{w()} NEAR/5 {w()}",
        lambda: f"title:{w()}",
    ]
    return [rng.choice(shapes)() for _ in range(n)]


def build(rules: list[str], classifier: TopicClassifier) -> RuleIndex:
    index = RuleIndex(TOPIC_LIMITS)
    for topic in classifier.index.topics.values():
        index.add_topic(topic)
    for i, rule in enumerate(rules):
        index.add(i, rule)
    return index


def regex_for(rule: str) -> list[re.Pattern[str]]:
    """The obvious approach: each word of the rule as a case-insensitive prefix regex."""
    words = [w for w in re.findall(r"\w+", rule) if w not in {"OR", "NEAR", "title"}]
    return [re.compile(r"\b" + re.escape(words[0]) + r"\w*", re.IGNORECASE)] + [
        re.compile(r"\b" + re.escape(x) + r"\w*", re.IGNORECASE) for x in words[1:2]
    ]


def regex_rate(rules: list[str], items: list[MatchInput]) -> float:
    compiled = [regex_for(r) for r in rules]
    nbytes = sum(len(i.title.encode()) + len(i.summary.encode()) for i in items)
    start = time.perf_counter()
    for item in items:
        text = f"{item.title}\n{item.summary}"
        for pats in compiled:
            if pats[0].search(text):
                for p in pats[1:]:
                    p.search(text)
    return nbytes / (time.perf_counter() - start) / 1e6


def main() -> int:
    rng = random.Random(5)
    t0 = time.perf_counter()
    items, vocab = corpus(rng)
    nbytes = sum(len(i.title.encode()) + len(i.summary.encode()) for i in items)
    print(f"corpus: {len(items)} items, {nbytes / 1e6:.2f} MB, vocabulary {len(vocab)} words")
    classifier = TopicClassifier()
    cold = time.perf_counter()
    build([], classifier).match_many(items[: len(items) // 5])
    cold = time.perf_counter() - cold
    print(f"cold pass over 20% (fills the lemma cache): {nbytes / 5 / cold / 1e6:.1f} MB/s")
    header = (
        f"{'rules':>7} {'build s':>8} {'index MB':>9} {'MB/s':>7} {'items/s':>8}"
        f" {'matches':>8} {'regex MB/s':>10} {'speed-up':>8}"
    )
    print(header)
    for n in RULE_COUNTS:
        rules = user_rules(rng, vocab, n)
        gc.collect()
        start = time.perf_counter()
        index = build(rules, classifier)
        build_s = time.perf_counter() - start
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        kept = build(rules, classifier)
        mem = (tracemalloc.get_traced_memory()[0] - before) / 1e6
        tracemalloc.stop()
        del kept
        start = time.perf_counter()
        results = index.match_many(items)
        elapsed = time.perf_counter() - start
        hits = sum(len(r.rules) + len(r.topics) for r in results)
        sample = items[: max(20, REGEX_SAMPLE_ITEMS * 1000 // n)]
        regex = regex_rate(rules, sample)
        rate = nbytes / elapsed / 1e6
        print(
            f"{n:>7} {build_s:>8.3f} {mem:>9.1f} {rate:>7.1f} {len(items) / elapsed:>8.0f}"
            f" {hits:>8} {regex:>10.2f} {rate / regex:>7.0f}x"
        )
    print(f"total {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
