"""Benchmark of the matching engine: curated topics plus 100, 1,000 and 10,000 user rules.

Run: ``python benchmarks/bench_match.py [RULE_COUNT ...]`` (under a minute on one core).

Text (>= 5 MB of RU/EN items, title + lede, like a feed stream):

* About 84 % of items are off-topic news. Each has a title and 2-5 sentences built from
  templates about politics, sport, the economy, weather, culture, tech and crime, with slots
  filled from lists of people, places, organisations, companies and teams, plus numbers,
  dates and "filler" phrases. Filler words are drawn with a Zipf-like distribution from the
  word forms of the labelled fixtures' ledes and the seed article in /work/shared/seed
  (commonest first), less every word whose terms a curated topic's rule mentions, so the
  vocabulary is broad (thousands of real RU/EN word forms) and off-topic items do not hit the
  topics by accident.
* About 16 % of items are a labelled fixture (tests/matching/fixtures/labelled.jsonl: on-topic
  items and traps) with its sentences in a new order and an off-topic sentence added. The
  share of items that match a curated topic is measured and printed (expected 5-15 %).

Rules, written as real watchers write them: a proper noun, a company, a mineral, a place, a
two-word AND, a quoted phrase, ``a NEAR/5 b``, ``x -y``, ``prefix*``, ORs of variants,
``title:x``. Words are drawn with a Zipf-like distribution (1 / (rank + 10)) over a large ranked
vocabulary in random order: the slot lists, proper nouns of the fixtures, and 18,000 made-up
names that do not occur in the text, so a few rules are popular and most are rare.

For each rule count the table gives: index build time, memory the index holds (tracemalloc),
warm matching rate in MB/s and items/s on one core (the lemma cache filled by a first pass,
whose rate is printed too), candidate rules evaluated and matches per item, and, in the same
run, the rate of the obvious approach (one compiled regular expression per rule, searched
over title + lede; measured on a sample) and the speed-up over it.
"""

from __future__ import annotations

import gc
import json
import random
import re
import sys
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable
from itertools import accumulate
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.matching import MatchInput, RuleIndex, TopicClassifier  # noqa: E402
from bot.matching.query import (  # noqa: E402
    TOPIC_LIMITS,
    And,
    Near,
    Node,
    Not,
    Or,
    Phrase,
    Word,
    default_normaliser,
)

TARGET_BYTES = 5 * 1024 * 1024
RULE_COUNTS = tuple(int(x) for x in (sys.argv[1:] or ["100", "1000", "10000"]))
REGEX_SAMPLE_BYTES = 60_000  # bytes per 1,000 rules searched by the regex baseline
ON_TOPIC_SHARE = 0.16

# Slot lists: (RU, EN) pairs of names as news writes them.
PEOPLE = (
    "Путин Putin|Трамп Trump|Макрон Macron|Шольц Scholz|Эрдоган Erdogan|Си Xi|Моди Modi|"
    "Лукашенко Lukashenko|Зеленский Zelensky|Мерц Merz|Стармер Starmer|Мелони Meloni|"
    "Набиуллина Nabiullina|Силуанов Siluanov|Лавров Lavrov|Песков Peskov|Собянин Sobyanin|"
    "Маск Musk|Безос Bezos|Гутерриш Guterres|Лагард Lagarde|Пауэлл Powell|Нетаньяху Netanyahu"
)
PLACES = (
    "Москва Moscow|Берлин Berlin|Париж Paris|Лондон London|Пекин Beijing|Токио Tokyo|"
    "Анкара Ankara|Стамбул Istanbul|Дели Delhi|Рим Rome|Мадрид Madrid|Варшава Warsaw|"
    "Минск Minsk|Киев Kyiv|Сочи Sochi|Казань Kazan|Новосибирск Novosibirsk|Дубай Dubai|"
    "Бразилия Brazil|Мексика Mexico|Канада Canada|Австралия Australia|Египет Egypt|Индия India"
)
ORGS = (
    "ООН UN|НАТО NATO|ЕС EU|ФРС Fed|ЦБ ECB|МВФ IMF|ВОЗ WHO|ОПЕК OPEC|ФИФА FIFA|УЕФА UEFA|"
    "Сбербанк Sberbank|Газпром Gazprom|Роснефть Rosneft|Яндекс Yandex|Аэрофлот Aeroflot|"
    "Apple Apple|Google Google|Tesla Tesla|Boeing Boeing|Airbus Airbus|Toyota Toyota|"
    "Samsung Samsung|Nvidia Nvidia|Shell Shell|Siemens Siemens|Volkswagen Volkswagen"
)
TEAMS = (
    "Спартак Spartak|Зенит Zenit|ЦСКА CSKA|Локомотив Lokomotiv|Динамо Dynamo|Реал Real|"
    "Барселона Barcelona|Ливерпуль Liverpool|Бавария Bayern|Ювентус Juventus|Арсенал Arsenal"
)
RU_TEMPLATES = (
    "{P} заявил в {D}, что правительство намерено снизить налоги для малого бизнеса.",
    "В {L} прошли переговоры делегаций, стороны обсудили вопросы безопасности и торговли.",
    "{O} сообщил о росте выручки на {N} процента по итогам квартала.",
    "Курс рубля к доллару снизился на торгах в {D}, аналитики ждут решения по ставке.",
    "Инфляция в годовом выражении замедлилась до {N} процента, сообщил {O}.",
    "{T} обыграл {T2} со счетом {S} в матче чемпионата, забив решающий гол на последних минутах.",
    "Главный тренер клуба {T} подал в отставку после серии неудачных матчей.",
    "Синоптики предупредили жителей {L} о сильном ветре, дожде и гололеде в {D}.",
    "Температура воздуха в {L} поднимется до {N} градусов, осадков не ожидается.",
    "Полиция {L} задержала подозреваемых в мошенничестве на сумму {N} миллионов рублей.",
    "Суд приговорил бывшего чиновника к {S} годам колонии за получение взятки.",
    "В {L} открылась выставка современного искусства, которая продлится до конца месяца.",
    "{O} представил новый смартфон с улучшенной камерой и батареей.",
    "Депутаты приняли во втором чтении законопроект о цифровых платформах.",
    "Цены на бензин на бирже выросли на {N} процента за неделю.",
    "{P} провел телефонный разговор с коллегой, стороны обсудили {F}.",
    "По данным {O}, спрос на жилье в {L} остается высоким, несмотря на {F}.",
    "Эксперты связывают {F} с ростом издержек и ослаблением валюты.",
)
EN_TEMPLATES = (
    "{P} said on {D} that the government would cut taxes for small businesses.",
    "Delegations met in {L} to discuss security and trade, officials said.",
    "{O} reported revenue up {N} percent in the quarter, beating analyst forecasts.",
    "The dollar slipped against the euro on {D} as traders awaited a rate decision.",
    "Annual inflation slowed to {N} percent, according to {O}.",
    "{T} beat {T2} {S} in the league after a late goal from the captain.",
    "The {T} head coach resigned after a run of poor results.",
    "Forecasters warned residents of {L} of strong winds, heavy rain and ice on {D}.",
    "Temperatures in {L} will reach {N} degrees with no rain expected.",
    "Police in {L} arrested suspects in a fraud worth {N} million dollars.",
    "A court sentenced a former official to {S} years in prison for bribery.",
    "A contemporary art exhibition opened in {L} and runs until the end of the month.",
    "{O} unveiled a new phone with a better camera and battery.",
    "Lawmakers passed a bill on digital platforms in a second reading.",
    "Petrol prices rose {N} percent on the exchange this week.",
    "{P} held a phone call with his counterpart to discuss {F}.",
    "Demand for housing in {L} remains strong despite {F}, {O} said.",
    "Analysts link {F} to rising costs and a weaker currency.",
)
DAYS = (
    "понедельник вторник среду четверг пятницу субботу",
    "Monday Tuesday Wednesday Thursday Friday Saturday",
)


def pairs(spec: str, lang: int) -> list[str]:
    return [p.split(" ", 1)[lang] for p in spec.split("|")]


def fixtures() -> list[dict[str, str]]:
    path = ROOT / "tests/matching/fixtures/labelled.jsonl"
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def zipf(rng: random.Random, words: list[str], s: float, q: int = 0) -> Callable[[], str]:
    """Draws ``words[r]`` with probability proportional to 1 / (r + 1 + q) ** s."""
    weights = [1 / (r + 1 + q) ** s for r in range(len(words))]
    cum = list(accumulate(weights))
    return lambda: rng.choices(words, cum_weights=cum)[0]


def filler_vocab(topic_keys: set[str]) -> list[list[str]]:
    """Word forms of real RU/EN text, less the curated topics' anchor terms, commonest first."""
    texts = [f"{r['title']} {r['summary']}" for r in fixtures()]
    texts += [p.read_text("utf-8") for p in sorted(Path("/work/shared/seed").glob("*.txt"))]
    counts = Counter(w for text in texts for w in re.findall(r"[^\W\d_]{2,}", text))
    vocab: list[list[str]] = [[], []]
    for word, _ in counts.most_common():
        if default_normaliser().terms(word) & topic_keys:
            continue
        vocab[0 if re.search("[а-яё]", word, re.I) else 1].append(word)
    return vocab


def off_topic(rng: random.Random, lang: int, filler: Callable[[], str]) -> MatchInput:
    templates = RU_TEMPLATES if lang == 0 else EN_TEMPLATES
    sentences = []
    for _ in range(rng.randint(3, 6)):
        slots = {
            "P": rng.choice(pairs(PEOPLE, lang)),
            "L": rng.choice(pairs(PLACES, lang)),
            "O": rng.choice(pairs(ORGS, lang)),
            "T": rng.choice(pairs(TEAMS, lang)),
            "T2": rng.choice(pairs(TEAMS, lang)),
            "D": rng.choice(DAYS[lang].split()),
            "N": f"{rng.randint(1, 99)},{rng.randint(0, 9)}"
            if lang == 0
            else str(rng.randint(1, 99)),
            "S": f"{rng.randint(0, 5)}:{rng.randint(0, 5)}",
            "F": " ".join(filler() for _ in range(rng.randint(2, 5))),
        }
        sentence = rng.choice(templates).format(**slots)
        tail = " ".join(filler() for _ in range(rng.randint(3, 9)))
        sentences.append(f"{sentence[:-1]}, {tail}.")
    title = sentences[0].split(",")[0][:90]
    return MatchInput(title, " ".join(sentences[1:]), ("ru", "en")[lang])


def on_topic(rng: random.Random, row: dict[str, str], filler: Callable[[], str]) -> MatchInput:
    parts = re.split(r"(?<=[.!?])\s+", row["summary"] or "")
    rng.shuffle(parts)
    lang = 0 if row["lang"] == "ru" else 1
    extra = off_topic(rng, lang, filler).summary.split(". ")[0] + "."
    return MatchInput(row["title"], " ".join([*parts, extra]), row["lang"])


def corpus(rng: random.Random, topic_keys: set[str]) -> tuple[list[MatchInput], list[str]]:
    vocab = filler_vocab(topic_keys)
    fillers = [zipf(rng, words, 0.9) for words in vocab]
    rows = fixtures()
    items: list[MatchInput] = []
    size = 0
    while size < TARGET_BYTES:
        lang = rng.randrange(2)
        if rng.random() < ON_TOPIC_SHARE:
            item = on_topic(rng, rng.choice(rows), fillers[lang])
        else:
            item = off_topic(rng, lang, fillers[lang])
        items.append(item)
        size += len(item.title.encode()) + len(item.summary.encode())
    return items, vocab[0] + vocab[1]


def rule_vocab(rng: random.Random, filler: list[str]) -> list[str]:
    """Words users watch, in a random Zipf rank: named things, proper nouns, made-up names."""
    named = [
        w for spec in (PEOPLE, PLACES, ORGS, TEAMS) for lang in (0, 1) for w in pairs(spec, lang)
    ]
    named += ["уран", "литий", "никель", "медь", "золото", "lithium", "nickel", "copper", "gold"]
    lower = {w for w in filler if w.islower()}
    proper = [w for w in filler if len(w) >= 5 and w[0].isupper() and w.lower() not in lower]
    made: set[str] = set()
    for syllables in ("ка ро ми на тер лов ско вин гель дор", "ba ro ki na ter lo sko vin gel dor"):
        parts = syllables.split()
        made |= {"".join(rng.choices(parts, k=rng.randint(2, 4))).capitalize() for _ in range(9000)}
    ranked = named + proper + sorted(made)
    rng.shuffle(ranked)
    return ranked


def user_rules(rng: random.Random, words: list[str], n: int) -> list[str]:
    w = zipf(rng, words, 1.0, 10)
    shapes: list[Callable[[], str]] = [
        lambda: w(),
        lambda: w(),
        lambda: f"{w()} {w()}",
        lambda: f'"{w()} {w()}"',
        lambda: f"{w()} OR {w()} OR {w()}",
        lambda: f"{w()} NEAR/5 {w()}",
        lambda: f"{w()} -{w()}",
        lambda: f"{w()[:5]}*",
        lambda: f"title:{w()}",
        lambda: f"({w()} OR {w()}) {w()}",
    ]
    return [rng.choice(shapes)() for _ in range(n)]


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


def _keys(node: Node) -> set[str]:
    """Every term a rule mentions (so filler text can avoid the curated topics)."""
    if isinstance(node, Word):
        return set(node.keys)
    if isinstance(node, Phrase):
        return set().union(*node.seq)
    if isinstance(node, And | Or):
        return set().union(*(_keys(c) for c in node.children))
    if isinstance(node, Not):
        return _keys(node.child)
    if isinstance(node, Near):
        return _keys(node.left) | _keys(node.right)
    return set()


def main() -> int:
    rng = random.Random(5)
    t0 = time.perf_counter()
    classifier = TopicClassifier()
    topic_keys = {
        key
        for topic in classifier.index.topics.values()
        for rule in topic.rules + topic.exclusions
        for key in _keys(rule.query.root)
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
    words = rule_vocab(rng, vocab)
    header = (
        f"{'rules':>7} {'build s':>8} {'index MB':>9} {'MB/s':>6} {'items/s':>8} {'cand/item':>9}"
        f" {'match/item':>10} {'regex MB/s':>10} {'speed-up':>8}"
    )
    print(header)
    for n in RULE_COUNTS:
        rules = user_rules(rng, words, n)
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
        gc.collect()
        start = time.perf_counter()
        results = index.match_many(items)
        elapsed = time.perf_counter() - start
        hits = sum(len(r.rules) + len(r.topics) for r in results)
        regex, _ = regex_rate(rules, items)
        rate = nbytes / elapsed / 1e6
        print(
            f"{n:>7} {build_s:>8.3f} {mem:>9.1f} {rate:>6.1f} {len(items) / elapsed:>8.0f}"
            f" {cands:>9.1f} {hits / len(items):>10.2f} {regex:>10.3f} {rate / regex:>7.0f}x"
        )
    print(f"total {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
