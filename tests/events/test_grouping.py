from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import feedparser

from bot.events._features import KeyExtractor
from bot.events.grouping import FOLLOW_UP, EventGrouper, EventItem, event_key, horizon
from bot.events.items import item_from_json

SNAPSHOTS = Path(__file__).resolve().parents[2] / "seeds/snapshots"

JOINT_VENTURE = "2025-11 Cove Capital-Tau-Ken Samruk tungsten joint venture"
SUMMIT = "2025-11 C5+1 summit at the White House"


def _days(rows: list[dict[str, Any]], first: str, last: str) -> list[dict[str, Any]]:
    return [r for r in rows if first <= r["published"] <= last]


def _place_all(rows: list[dict[str, Any]], grouper: EventGrouper) -> dict[str, str]:
    return {r["id"]: grouper.place(item_from_json(r)) for r in rows}


def test_joint_venture_reports_in_both_languages_are_one_event_apart_from_the_summit(
    labelled: list[dict[str, Any]], extractor: KeyExtractor
) -> None:
    week = _days(labelled, "2025-11-01", "2025-11-10")
    keys = _place_all(week, EventGrouper(extractor=extractor))
    venture = [r for r in week if r["event"] == JOINT_VENTURE]
    assert {r["lang"] for r in venture} == {"en", "ru"}
    assert len({keys[r["id"]] for r in venture}) == 1, "one alert for the joint venture"
    summit = {keys[r["id"]] for r in week if r["event"] == SUMMIT}
    assert keys[venture[0]["id"]] not in summit, "a deal signed at a summit is its own event"


def test_russian_and_english_names_of_one_thing_meet(extractor: KeyExtractor) -> None:
    russian = extractor.keys(
        "Вольфрам в Карагандинской области", "Казахстан и Cove Capital создают СП"
    )
    english = extractor.keys("Tungsten in Karaganda", "Kazakhstan and Cove Capital form a venture")
    shared = russian.weights.keys() & english.weights.keys()
    assert {"~tungsten", "~karaganda", "~kazakhstan", "~cove_capital"} <= shared


def test_the_same_items_in_the_same_order_give_the_same_keys(
    labelled: list[dict[str, Any]], extractor: KeyExtractor
) -> None:
    rows = _days(labelled, "2025-10-01", "2025-11-30")
    first = _place_all(rows, EventGrouper(extractor=extractor))
    second = _place_all(rows, EventGrouper(extractor=KeyExtractor()))
    assert first == second


def test_an_event_key_comes_from_its_first_report(
    labelled: list[dict[str, Any]], extractor: KeyExtractor
) -> None:
    venture = [r for r in labelled if r["event"] == JOINT_VENTURE]
    keys = _place_all(venture, EventGrouper(extractor=extractor))
    assert set(keys.values()) == {event_key(venture[0]["id"])}
    assert len(event_key(venture[0]["id"])) <= 16


def test_restored_events_take_later_reports(
    labelled: list[dict[str, Any]], extractor: KeyExtractor
) -> None:
    week = _days(labelled, "2025-11-01", "2025-11-10")
    cut = next(i for i, r in enumerate(week) if r["id"] == "both-ru-009")
    before, after = week[:cut], week[cut:]
    running = EventGrouper(extractor=extractor)
    placed = _place_all(before, running)

    restarted = EventGrouper(extractor=extractor)
    for row in before:
        restarted.restore(item_from_json(row), placed[row["id"]])
    later = item_from_json(after[0])
    assert restarted.place(later) == running.place(later) == placed["both-en-002"]


def test_expired_events_take_no_more_reports(
    labelled: list[dict[str, Any]], extractor: KeyExtractor
) -> None:
    venture = [item_from_json(r) for r in labelled if r["event"] == JOINT_VENTURE]
    grouper = EventGrouper(extractor=extractor)
    first = grouper.place(venture[0])
    assert len(grouper) == 1
    grouper.expire(venture[0].published + timedelta(seconds=1))
    assert len(grouper) == 0
    assert grouper.place(venture[1]) != first


def test_the_same_report_days_after_the_window_is_later_coverage_of_the_event(
    labelled: list[dict[str, Any]], extractor: KeyExtractor
) -> None:
    # The reports of the deal done, not the previews of the day ("Cove Capital will mine").
    venture = [item_from_json(r) for r in labelled if r["event"] == JOINT_VENTURE][2:5]
    grouper = EventGrouper(window=timedelta(hours=72), extractor=extractor)
    first = grouper.place(venture[0])
    assert grouper.place(venture[1]) == first
    late = replace(venture[2], id="late", published=venture[1].published + timedelta(days=10))
    assert grouper.place(late) == first


def test_a_late_report_of_a_new_happening_is_a_new_event(
    labelled: list[dict[str, Any]], extractor: KeyExtractor
) -> None:
    venture = [item_from_json(r) for r in labelled if r["event"] == JOINT_VENTURE][2:5]
    grouper = EventGrouper(window=timedelta(hours=72), extractor=extractor)
    first = grouper.place(venture[0])
    assert grouper.place(venture[1]) == first
    signed = replace(
        venture[2],
        id="signed",
        title="Cove Capital and Tau-Ken Samruk sign the tungsten joint venture's charter",
        published=venture[1].published + timedelta(days=10),
    )
    assert grouper.place(signed) != first


def test_a_report_after_the_follow_up_horizon_is_a_new_event(
    labelled: list[dict[str, Any]], extractor: KeyExtractor
) -> None:
    venture = [item_from_json(r) for r in labelled if r["event"] == JOINT_VENTURE]
    grouper = EventGrouper(window=timedelta(hours=72), extractor=extractor)
    first = grouper.place(venture[0])
    late = replace(venture[1], id="late", published=venture[0].published + timedelta(days=45))
    assert grouper.place(late) != first


def test_an_explainer_and_an_expert_comment_weeks_later_join_the_deal(
    labelled: list[dict[str, Any]], extractor: KeyExtractor
) -> None:
    month = _days(labelled, "2025-11-01", "2025-11-30")
    keys = _place_all(month, EventGrouper(extractor=extractor))
    venture = {keys[r["id"]] for r in month if r["event"] == JOINT_VENTURE}
    assert {r["published"] for r in month if r["event"] == JOINT_VENTURE} >= {
        "2025-11-13",
        "2025-11-26",
    }
    assert len(venture) == 1


def test_events_are_kept_long_enough_for_follow_ups() -> None:
    assert horizon(timedelta(hours=72)) == FOLLOW_UP
    assert horizon(timedelta(days=20)) == timedelta(days=40)


def test_an_announcement_weeks_ahead_is_not_the_happening(
    labelled: list[dict[str, Any]], extractor: KeyExtractor
) -> None:
    rows = _days(labelled, "2025-10-20", "2025-11-10")
    keys = _place_all(rows, EventGrouper(extractor=extractor))
    invitation = {keys[r["id"]] for r in rows if r["event"].startswith("2025-10 Trump invites")}
    summit = {keys[r["id"]] for r in rows if r["event"] == SUMMIT}
    assert len(invitation) == 1
    assert not invitation & summit


def _snapshot_items() -> list[list[EventItem]]:
    """The demo's feed snapshots, one list of items per feed, as the feeds give them."""
    feeds = []
    for path in sorted(SNAPSHOTS.glob("*.xml")):
        entries = feedparser.parse(path.read_bytes()).entries
        feeds.append(
            [
                EventItem(
                    id=e.link,
                    title=e.title,
                    summary=e.get("summary", ""),
                    published=datetime(*e.published_parsed[:6], tzinfo=UTC),
                )
                for e in entries
            ]
        )
    return feeds


def test_the_demo_feeds_give_one_event_for_the_joint_venture_in_any_order(
    extractor: KeyExtractor,
) -> None:
    """Reports of 6, 7 and 9 November, the expert's comment of 13 November and the explainer
    of 26 November: one alert, whether the feeds are read one by one (newest entry first, as
    the demo reads them) or all by date."""
    feeds = _snapshot_items()
    feed_by_feed = [item for feed in feeds for item in feed]
    by_date = sorted(feed_by_feed, key=lambda item: item.published)
    for order in (feed_by_feed, by_date):
        grouper = EventGrouper(extractor=extractor)
        keys = {item.id: grouper.place(item) for item in order}
        venture = [
            item
            for item in order
            if "cove" in (item.title + item.summary).lower()
            and item.published.day in (6, 7, 9, 13, 26)
        ]
        assert {item.published.day for item in venture} == {6, 7, 9, 13, 26}
        assert len({keys[item.id] for item in venture}) == 1


def test_an_arrival_and_a_meeting_the_next_day_are_two_events(
    labelled: list[dict[str, Any]], extractor: KeyExtractor
) -> None:
    week = _days(labelled, "2025-11-01", "2025-11-10")
    keys = _place_all(week, EventGrouper(extractor=extractor))
    arrived, met_senators = keys["ho-ru-026"], keys["ho-ru-027"]
    assert arrived != met_senators


def test_a_late_report_sharing_only_countries_in_its_title_is_a_new_event(
    extractor: KeyExtractor,
) -> None:
    summary = (
        "Лидеры Казахстана, Кыргызстана, Таджикистана, Туркменистана и Узбекистана обсудили "
        "сотрудничество в Ашхабаде."
    )
    grouper = EventGrouper(extractor=extractor)
    day = datetime(2025, 11, 7, tzinfo=UTC)
    first = grouper.place(
        EventItem("a", "Какие сделки заключили лидеры Центральной Азии", summary, day)
    )
    tour = EventItem(
        "b", "Ван И едет в турне по странам Центральной Азии", summary, day + timedelta(days=10)
    )
    assert grouper.place(tour) != first


def test_a_quoted_statement_is_done_whatever_tense_it_speaks_in(extractor: KeyExtractor) -> None:
    quoted = extractor.keys("Токаев: атомные станции создадут новый класс инженеров", "")
    announced = extractor.keys("Токаев посетит Вашингтон", "")
    assert not quoted.ahead
    assert announced.ahead


def _one_event(
    extractor: KeyExtractor, first: tuple[str, str], second: tuple[str, str], after: timedelta
) -> bool:
    """Whether the second report (title, lede), placed ``after`` the first, joins its event."""
    grouper = EventGrouper(extractor=extractor)
    day = datetime(2025, 11, 6, 9, tzinfo=UTC)
    key = grouper.place(EventItem("a", *first, day))
    return grouper.place(EventItem("b", *second, day + after)) == key


def test_a_departure_to_a_summit_is_not_the_summit(extractor: KeyExtractor) -> None:
    summit = (
        "Саммит С5+1 прошёл в Белом доме",
        "Президенты пяти стран Центральной Азии и Дональд Трамп обсудили сотрудничество.",
    )
    departed = (
        "Президент Таджикистана вылетел в Вашингтон на саммит С5+1",
        "Эмомали Рахмон примет участие в саммите Центральная Азия – США в Белом доме.",
    )
    assert not _one_event(extractor, summit, departed, timedelta(hours=-20))


def test_a_country_in_one_title_and_its_leader_in_the_other_can_be_one_visit(
    extractor: KeyExtractor,
) -> None:
    leaders = (
        "Путин и Токаев провели переговоры в Астане",
        "Владимир Путин и Касым-Жомарт Токаев в Астане обсудили поставки газа через "
        "Акмолинскую область и строительство угольных ТЭЦ в Кокшетау.",
    )
    countries = (
        "Россия и Казахстан провели переговоры в Астане",
        "Стороны договорились о поставках газа в Кокшетау через Акмолинскую область.",
    )
    assert _one_event(extractor, leaders, countries, timedelta(hours=3))


def test_countries_in_one_title_and_what_happened_in_the_other_are_two_stories(
    extractor: KeyExtractor,
) -> None:
    influence = (
        "США расширяют влияние на ключевого союзника Китая и России",
        "Казахстан может вступить в американский клуб критически важных минералов.",
    )
    output = (
        "Казахстан увеличил добычу урана и вольфрама",
        "Экспорт критически важных минералов Казахстана вырос на треть.",
    )
    assert not _one_event(extractor, influence, output, timedelta(minutes=10))


def test_figures_with_thousands_separators_meet_across_languages(
    extractor: KeyExtractor,
) -> None:
    english = extractor.keys("Gold tops $4,000 an ounce", "")
    russian = extractor.keys("Золото превысило $4000 за унцию", "")
    spaced = extractor.keys("Золото дороже 4\u00a0000 долларов", "")
    decimal = extractor.keys("Сделка на 1,1 млрд долларов", "The deal is worth $1.1 billion.")
    assert "#4000" in english.weights
    assert "#4000" in russian.weights
    assert "#4000" in spaced.weights
    assert "#1.1" in decimal.weights and "#1.100" not in decimal.weights


def test_an_outlet_opening_a_title_is_no_speaker(extractor: KeyExtractor) -> None:
    assert not extractor.keys("Reuters: Трамп ввел пошлины в 50% на медь", "").speaker
    assert extractor.keys("Трамп: пошлины на медь составят 50%", "").speaker


def test_talks_and_a_meeting_are_one_kind_of_happening(extractor: KeyExtractor) -> None:
    lede = (
        "Владимир Путин и Шавкат Мирзиёев в резиденции Куксарой обсудили строительство "
        "атомной станции в Джизакской области."
    )
    met = ("Путин и Мирзиёев провели встречу в Куксарое", lede)
    talks = ("Путин и Мирзиёев начали переговоры в Ташкенте", lede)
    assert _one_event(extractor, met, talks, timedelta(hours=2))


def test_an_acquisition_completed_or_approved_weeks_later_is_a_new_event(
    extractor: KeyExtractor,
) -> None:
    agreed = (
        "Altynken Metals agrees to buy 60% of the Zhetysu copper project",
        "Altynken Metals will pay $120 million for a 60% stake in the Zhetysu copper project "
        "in Kazakhstan's Almaty region.",
    )
    completed = (
        "Altynken Metals completes acquisition of Zhetysu copper project",
        "Altynken Metals has closed the purchase of a 60% stake in the Zhetysu copper project "
        "in the Almaty region of Kazakhstan.",
    )
    approved = (
        "Правительство одобрило сделку Altynken Metals по проекту Жетысу",
        "Кабинет министров Казахстана одобрил продажу 60% медного проекта Zhetysu компании "
        "Altynken Metals.",
    )
    assert not _one_event(extractor, agreed, completed, timedelta(days=9))
    assert not _one_event(extractor, agreed, approved, timedelta(days=20))


def test_a_tariff_imposed_weeks_after_it_was_announced_is_a_new_event(
    extractor: KeyExtractor,
) -> None:
    announced = (
        "US to put 40% tariff on imported antimony from September 1",
        "The president said the United States would charge a 40% tariff on antimony imports "
        "to protect domestic smelters.",
    )
    imposed = (
        "Trump orders 40% tariff on antimony imports",
        "The president signed a proclamation imposing a 40% tariff on antimony imports.",
    )
    assert not _one_event(extractor, announced, imposed, timedelta(days=21))


def test_partners_and_officials_spelt_apart_by_transliteration_meet_across_languages(
    extractor: KeyExtractor,
) -> None:
    # «Корея» transliterates as "koreya", «Турция» as "turtsiya", «Лавров» lemmatises to a
    # laurel: only an alias group makes them meet their English names.
    english = extractor.keys(
        "Korea and Turkey back Lavrov's plan at SCO meeting",
        "Xi Jinping and the World Bank welcomed it.",
    )
    russian = extractor.keys(
        "Корея и Турция поддержали план Лаврова на встрече ШОС",
        "Си Цзиньпин и Всемирный банк его приветствовали.",
    )
    shared = english.weights.keys() & russian.weights.keys()
    assert {"~korea", "~turkey", "~lavrov", "~sco", "~xi_jinping", "~world_bank"} <= shared


def test_a_summit_postponed_is_one_event_in_both_languages(extractor: KeyExtractor) -> None:
    english = (
        "Korea-Central Asia summit postponed to next year",
        "The first Korea-Central Asia summit will be held next year instead of this December.",
    )
    russian = (
        "Саммит «Центральная Азия – Корея» перенесли на следующий год",
        "Первый саммит Кореи и стран Центральной Азии пройдёт в следующем году, а не в декабре.",
    )
    assert _one_event(extractor, english, russian, timedelta(hours=5))


def test_a_report_of_the_trip_a_day_after_the_arrival_is_not_the_arrival(
    extractor: KeyExtractor,
) -> None:
    arrived = (
        "Путин прилетел в Ташкент с государственным визитом",
        "Самолёт президента России Владимира Путина приземлился в аэропорту Ташкента, его "
        "встретил Шавкат Мирзиёев.",
    )
    same_evening = (
        "Путин прибыл в Ташкент",
        "Владимир Путин прибыл в Узбекистан с государственным визитом, в аэропорту его "
        "встретил Шавкат Мирзиёев.",
    )
    next_day = (
        "Как прошёл государственный визит Путина в Ташкент",
        "Владимир Путин и Шавкат Мирзиёев в Ташкенте обсудили торговлю и атомную станцию.",
    )
    assert _one_event(extractor, arrived, same_evening, timedelta(hours=3))
    assert not _one_event(extractor, arrived, next_day, timedelta(hours=26))


def test_price_records_on_two_days_are_two_events(extractor: KeyExtractor) -> None:
    monday = (
        "Цена меди обновила исторический рекорд",
        "Фьючерсы на медь на Лондонской бирже металлов впервые превысили 11 000 долларов.",
    )
    tuesday = (
        "Медь снова побила рекорд на Лондонской бирже металлов",
        "Цена меди на LME поднялась выше 11 200 долларов за тонну.",
    )
    assert not _one_event(extractor, monday, tuesday, timedelta(hours=24))


def test_a_price_crossing_a_mark_weeks_after_a_record_is_a_new_event(
    extractor: KeyExtractor,
) -> None:
    # A price passing a round mark is a moment like a record, not later coverage of the last one.
    record = (
        "Цена на золото обновила исторический рекорд",
        "Фьючерсы на золото на бирже Comex превысили 3600 долларов за унцию.",
    )
    mark = (
        "Стоимость золота пробила отметку в 3900 долларов",
        "Фьючерсы на золото на бирже Comex поднялись выше 3900 долларов за унцию.",
    )
    assert not _one_event(extractor, record, mark, timedelta(days=28))


def test_a_ban_the_reports_of_a_disaster_never_mention_is_a_new_happening(
    extractor: KeyExtractor,
) -> None:
    disaster = (
        "At least 20 killed in Kazakhstan coal mine blast",
        "An explosion at the Lenina mine in the Karaganda region owned by Qarmet killed at "
        "least 20 miners, the emergencies ministry said.",
    )
    answer = (
        "Kazakhstan suspends Qarmet's licence after mine blast",
        "The government suspended the licence of Qarmet, owner of the Lenina mine in the "
        "Karaganda region, after the explosion that killed 20 miners.",
    )
    rewrite = (
        "Death toll in Kazakhstan mine blast rises to 25",
        "Rescuers found more miners killed by the explosion at Qarmet's Lenina mine in the "
        "Karaganda region.",
    )
    assert not _one_event(extractor, disaster, answer, timedelta(hours=4))
    assert _one_event(extractor, disaster, rewrite, timedelta(hours=4))


def test_the_words_of_a_many_word_name_are_no_names_of_their_own(
    extractor: KeyExtractor,
) -> None:
    english = (
        "Kazakhstan to join Abraham Accords",
        "Kazakhstan will join the Abraham Accords, the agreements between Israel and Arab and "
        "Muslim-majority states, President Tokayev said on Thursday.",
    )
    russian = (
        "Казахстан присоединится к соглашениям Авраама",
        "Казахстан присоединится к соглашениям Авраама между Израилем и арабскими странами, "
        "заявил в четверг президент Токаев.",
    )
    assert _one_event(extractor, english, russian, timedelta(hours=3))
    assert "~abraham_accords" in extractor.keys(*english).names
    assert not {"akrd", "avrm"} & (extractor.keys(*english).names | extractor.keys(*russian).names)


def test_every_broad_or_named_entity_is_an_alias_group() -> None:
    from bot.events._features import _groups_with_events, entity_roles

    broad, named = entity_roles()
    groups = {"~" + name for name in _groups_with_events() if not name.startswith("_")}
    assert broad and named and not broad & named
    assert (broad | named) <= groups, sorted((broad | named) - groups)


def test_the_un_of_un_atomic_watchdog_is_the_iaea(extractor: KeyExtractor) -> None:
    english = extractor.keys("UN atomic watchdog passes resolution on Iran", "")
    russian = extractor.keys("МАГАТЭ приняло резолюцию по Ирану", "")
    assert english.names == russian.names == {"~iaea", "~iran", "~resolution"}
    assert "~un" in extractor.keys("UN chief hails border treaty", "").names


def test_the_five_countries_listed_in_two_ledes_are_no_tie(extractor: KeyExtractor) -> None:
    # The summit announced on its eve and the Secretary of State receiving the foreign
    # ministers that night: both ledes list the five states, which tells nothing of what
    # happened. A country is no rare key, and a close rewrite needs more than the countries.
    grouper = EventGrouper(extractor=extractor)
    eve = datetime(2025, 11, 5, 18, 30, tzinfo=UTC)
    summit = grouper.place(
        EventItem(
            "a",
            "President Trump to Host Central Asian Leaders in Washington for High-Level Summit",
            "U.S. President Donald Trump will host the leaders of Kazakhstan, Kyrgyzstan, "
            "Uzbekistan, Tajikistan, and Turkmenistan in Washington on Thursday.",
            eve,
        )
    )
    ministers = EventItem(
        "b",
        "Госсекретарь США принял глав внешнеполитических ведомств стран Центральной Азии",
        "Марко Рубио провёл встречу с министрами иностранных дел Казахстана, Киргизии, "
        "Таджикистана, Туркмении и Узбекистана.",
        eve + timedelta(hours=9),
    )
    assert grouper.place(ministers) != summit
    rewrite = EventItem(
        "c",
        "Trump to host Central Asian leaders in Washington for a high-level summit",
        "President Donald Trump will host the leaders of Kazakhstan, Kyrgyzstan, Uzbekistan, "
        "Tajikistan and Turkmenistan in Washington on Thursday.",
        eve + timedelta(hours=10),
    )
    assert grouper.place(rewrite) == summit
