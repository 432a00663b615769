"""The benchmark's text and rules: word lists, templates and generators.

Text (>= 5 MB of RU/EN items, title + lede, like a feed stream):

* About 84 % of items are off-topic news. Each has a title and 2-5 sentences built from
  templates about politics, sport, the economy, weather, culture, tech and crime, with slots
  filled from lists of people, places, organisations, companies and teams, plus numbers,
  dates and "filler" phrases. Filler words are drawn with a Zipf-like distribution from the
  word forms of the labelled fixtures' titles and ledes (commonest first), less every word
  whose terms a curated topic's rule mentions, so the vocabulary is broad (thousands of real
  RU/EN word forms) and off-topic items do not hit the topics by accident.
* About 16 % of items are a labelled fixture (tests/matching/fixtures/labelled.jsonl: on-topic
  items and traps) with its sentences in a new order and an off-topic sentence added. The
  share of items that match a curated topic is measured and printed (expected 5-15 %).

Rules, written as real watchers write them: a proper noun, a company, a mineral, a place, a
two-word AND, a quoted phrase, ``a NEAR/5 b``, ``x -y``, ``prefix*``, ORs of variants,
``title:x``. Words are drawn with a Zipf-like distribution (1 / (rank + 10)) over a large ranked
vocabulary in random order: the slot lists, proper nouns of the fixtures, and 18,000 made-up
names that do not occur in the text, so a few rules are popular and most are rare.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections import Counter
from collections.abc import Callable
from itertools import accumulate
from pathlib import Path

from bot.matching import MatchInput
from bot.matching.query import And, Near, Node, Not, Or, Phrase, Word, default_normaliser

ROOT = Path(__file__).resolve().parents[1]
TARGET_BYTES = 5 * 1024 * 1024
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


def rule_vocab(filler: list[str]) -> list[str]:
    """Words users watch, in a random Zipf rank: named things, proper nouns, made-up names.

    A word's rank comes from a hash of the word alone, so a change to the curated topics
    (which takes a few words out of the filler) leaves the other words' ranks, and so the
    generated rules, as they were: figures stay comparable from one version to the next.
    """
    named = [
        w for spec in (PEOPLE, PLACES, ORGS, TEAMS) for lang in (0, 1) for w in pairs(spec, lang)
    ]
    named += ["уран", "литий", "никель", "медь", "золото", "lithium", "nickel", "copper", "gold"]
    lower = {w for w in filler if w.islower()}
    proper = [w for w in filler if len(w) >= 5 and w[0].isupper() and w.lower() not in lower]
    rng = random.Random(7)
    made: set[str] = set()
    for syllables in ("ка ро ми на тер лов ско вин гель дор", "ba ro ki na ter lo sko vin gel dor"):
        parts = syllables.split()
        made |= {"".join(rng.choices(parts, k=rng.randint(2, 4))).capitalize() for _ in range(9000)}
    return sorted({*named, *proper, *made}, key=lambda w: hashlib.blake2b(w.encode()).digest())


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


def rule_keys(node: Node) -> set[str]:
    """Every term a rule mentions (so filler text can avoid the curated topics)."""
    if isinstance(node, Word):
        return set(node.keys)
    if isinstance(node, Phrase):
        return set().union(*node.seq)
    if isinstance(node, And | Or):
        return set().union(*(rule_keys(c) for c in node.children))
    if isinstance(node, Not):
        return rule_keys(node.child)
    if isinstance(node, Near):
        return rule_keys(node.left) | rule_keys(node.right)
    return set()
