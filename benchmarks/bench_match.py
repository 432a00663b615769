"""Benchmark of the matching engine: curated topics plus 100, 1,000 and 10,000 user rules.

Run: ``python benchmarks/bench_match.py [RULE_COUNT ...]`` (about a minute on one core).

For each rule count the table gives: index build time, memory the index holds (tracemalloc),
warm matching rate in MB/s and items/s on one core (the lemma cache filled by a first pass,
whose rate is printed too), candidate rules evaluated and matches per item, and, in the same
run, the rate of the obvious approach (one compiled regular expression per rule, searched
over title + lede; measured on a sample) and the speed-up over it.

Rates are of the best of ``REPEATS`` warm passes, as ``timeit`` advises: on a shared machine
the slower passes measure other processes (the median is printed beside it).
"""

from __future__ import annotations

import gc
import random
import re
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._match_corpus import corpus, rule_keys, rule_vocab, user_rules  # noqa: E402
from bot.matching import MatchInput, RuleIndex, TopicClassifier  # noqa: E402
from bot.matching.query import TOPIC_LIMITS  # noqa: E402

RULE_COUNTS = tuple(int(x) for x in (sys.argv[1:] or ["100", "1000", "10000"]))
REGEX_SAMPLE_BYTES = 60_000  # bytes per 1,000 rules searched by the regex baseline
REPEATS = 5  # warm matching passes per row


def timed(index: RuleIndex, items: list[MatchInput]) -> tuple[float, float]:
    """(best, median) seconds of ``REPEATS`` warm passes of ``match_many`` over ``items``."""
    runs = []
    for _ in range(REPEATS):
        gc.collect()
        start = time.perf_counter()
        index.match_many(items)
        runs.append(time.perf_counter() - start)
    return min(runs), statistics.median(runs)


def build(rules: list[str], classifier: TopicClassifier) -> RuleIndex:
    index = RuleIndex(TOPIC_LIMITS)
    for topic in classifier.index.topics.values():
        index.add_topic(topic)
    index.add_many(enumerate(rules))
    return index


def _word_re(word: str) -> str:
    stem = word.casefold()[: max(4, len(word) - 2)].rstrip("*")
    return r"\b" + re.escape(stem) + r"\w*"


def regex_for(rule: str) -> tuple[re.Pattern[str], bool]:
    """The obvious approach: the rule as one regex (stems as prefixes, AND as lookaheads)."""
    title = rule.startswith("title:")
    rule = rule.removeprefix("title:")
    if m := re.fullmatch(r'"(\S+) (\S+)"', rule):
        pattern = _word_re(m[1]) + r"\W+" + _word_re(m[2])
    elif m := re.fullmatch(r"(\S+) NEAR/(\d+) (\S+)", rule):
        a, n, b = _word_re(m[1]), m[2], _word_re(m[3])
        pattern = f"{a}(?:\\W+\\w+){{0,{n}}}\\W+{b}|{b}(?:\\W+\\w+){{0,{n}}}\\W+{a}"
    elif " OR " in rule and "(" not in rule:
        pattern = "|".join(_word_re(x) for x in rule.split(" OR "))
    else:
        looks = []
        for part in re.findall(r"\([^)]*\)|\S+", rule):
            if part.startswith("-"):
                looks.append(f"(?![\\s\\S]*{_word_re(part[1:])})")
            else:
                alt = "|".join(_word_re(x) for x in part.strip("()").split(" OR "))
                looks.append(f"(?=[\\s\\S]*(?:{alt}))")
        pattern = "^" + "".join(looks)
    return re.compile(pattern, re.IGNORECASE), title


def regex_rate(rules: list[str], items: list[MatchInput]) -> tuple[float, int]:
    compiled = [regex_for(r) for r in rules]
    sample: list[MatchInput] = []
    budget = max(20_000, REGEX_SAMPLE_BYTES * 1000 // len(rules))
    nbytes = 0
    for item in items:
        if nbytes >= budget:
            break
        sample.append(item)
        nbytes += len(item.title.encode()) + len(item.summary.encode())
    hits = 0
    start = time.perf_counter()
    for item in sample:
        text = f"{item.title}\n{item.summary}"
        for pattern, title in compiled:
            if pattern.search(item.title if title else text):
                hits += 1
    return nbytes / (time.perf_counter() - start) / 1e6, hits


def main() -> int:
    rng = random.Random(5)
    t0 = time.perf_counter()
    classifier = TopicClassifier()
    topic_keys = {
        key
        for topic in classifier.index.topics.values()
        for rule in topic.rules + topic.exclusions
        for key in rule_keys(rule.query.root)
    }
    items, vocab = corpus(rng, topic_keys)
    nbytes = sum(len(i.title.encode()) + len(i.summary.encode()) for i in items)
    start = time.perf_counter()
    topical = sum(1 for item in items if classifier.classify(item))
    cold = time.perf_counter() - start
    print(
        f"corpus: {len(items)} items, {nbytes / 1e6:.2f} MB, filler vocabulary {len(vocab)} words;"
        f" {topical / len(items):.1%} of items match a curated topic"
    )
    print(f"cold pass, topics only (fills the lemma cache): {nbytes / cold / 1e6:.1f} MB/s")
    base, _ = timed(classifier.index, items)
    print(
        f"base cost (a document's terms and the curated topics, no user rule):"
        f" {nbytes / base / 1e6:.1f} MB/s; 'base %' below is its share of each row's time,"
        f" the rest is the cost of the user rules (best of {REPEATS} passes)"
    )
    words = rule_vocab(vocab)
    header = (
        f"{'rules':>7} {'build s':>8} {'index MB':>9} {'MB/s':>6} {'median':>6} {'items/s':>8}"
        f" {'cand/item':>9}"
        f" {'match/item':>10} {'base %':>6} {'regex MB/s':>10} {'speed-up':>8}"
    )
    print(header)
    for n in RULE_COUNTS:
        rules = user_rules(random.Random(n), words, n)  # the same rules whatever the row order
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
        sample = items[:: max(1, len(items) // 500)]
        cands = sum(len(index.candidates(index.document(i))) for i in sample) / len(sample)
        elapsed, median = timed(index, items)
        results = index.match_many(items)
        hits = sum(len(r.rules) + len(r.topics) for r in results)
        regex, _ = regex_rate(rules, items)
        rate = nbytes / elapsed / 1e6
        print(
            f"{n:>7} {build_s:>8.3f} {mem:>9.1f} {rate:>6.1f} {nbytes / median / 1e6:>6.1f}"
            f" {len(items) / elapsed:>8.0f}"
            f" {cands:>9.1f} {hits / len(items):>10.2f} {min(1.0, base / elapsed):>6.0%}"
            f" {regex:>10.3f} {rate / regex:>7.0f}x"
        )
    print(f"total {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
