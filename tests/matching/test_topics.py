from __future__ import annotations

from pathlib import Path

import pytest

from bot.matching import MatchInput, TopicClassifier, load_topics
from bot.matching.evaluate import DEFAULT_PATH, load_batches, load_labelled, predictions, scores
from bot.matching.topics import DEFAULT_TOPICS_DIR

MIN_F1 = 0.90
MIN_POSITIVES_PER_LANGUAGE = 20


@pytest.fixture(scope="module")
def classifier() -> TopicClassifier:
    return TopicClassifier()


def topics_of(classifier: TopicClassifier, title: str, summary: str = "") -> set[str]:
    return {m.topic for m in classifier.classify(MatchInput(title, summary))}


def test_topics_are_found_in_the_repository() -> None:
    assert Path(__file__).resolve().parents[2] / "seeds" / "topics" == DEFAULT_TOPICS_DIR
    assert list(load_topics()) == ["critical_minerals", "c5plus1"]


def test_seed_article_is_both_topics(classifier: TopicClassifier) -> None:
    seed = (
        "США расширяют влияние на ключевого союзника Китая и России",
        "Казахстан может вступить в американский клуб критически важных минералов. В преддверии "
        "саммита C5+1 в Белом доме Казахстан обладает крупнейшими запасами урана.",
    )
    assert topics_of(classifier, *seed) == {"critical_minerals", "c5plus1"}


@pytest.mark.parametrize(
    ("title", "summary", "expected"),
    [
        (
            "Kazakhstan boosts uranium output",
            "Kazatomprom raised production",
            {"critical_minerals"},
        ),
        ("Китай ограничил экспорт редкоземельных металлов", "", {"critical_minerals"}),
        ("Америка пришла за редкоземами", "", {"critical_minerals"}),
        ("Рост спроса на медь из-за энергоперехода", "", {"critical_minerals"}),
        ("Tokayev meets Rubio at the State Department", "", {"c5plus1"}),
        ("Мирзиёев провёл переговоры с госсекретарём США", "", {"c5plus1"}),
        ("Саммит С5+1 пройдет в Вашингтоне", "", {"c5plus1"}),
        ("Трамп провёл телефонный разговор с Токаевым", "", {"c5plus1"}),
        ("Американо-узбекские переговоры прошли в Ташкенте", "", {"c5plus1"}),
        ("Special envoy Gor visits Bishkek", "", {"c5plus1"}),
        ("Американские военные провели учения с армией Казахстана", "", {"c5plus1"}),
        ("Навоийуран наращивает добычу", "", {"critical_minerals"}),
        ("Цены на германий выросли из-за экспортного контроля", "", {"critical_minerals"}),
        (
            "US and Kazakhstan sign tungsten deal",
            "President Tokayev",
            {"critical_minerals", "c5plus1"},
        ),
        # traps
        ("Iran, P5+1 resume talks on uranium enrichment", "IAEA", set()),
        ("«Шестёрка» и Иран обсудили обогащение урана", "", set()),
        ("Телескоп показал кольца Урана", "Планета Уран и её спутники", set()),
        ("ФК «Урал» обыграл «Спартак»", "Победа Урала в Екатеринбурге", set()),
        ("ЦБ увеличил золотые резервы", "Цены на золото выросли", set()),
        ("Kazakhstan oil output rises", "Gas exports steady", set()),
        ("EU–Central Asia summit opens in Samarkand", "Leaders of five states meet", set()),
        ("Саммит «Китай — Центральная Азия» (C+C5) в Астане", "Си Цзиньпин и Токаев", set()),
        ("Токаев подписал бюджет", "Парламент Казахстана", set()),
        ("Critical condition of patient", "hospital", set()),
        ("Германия и Узбекистан расширят стратегическое партнерство", "Визит министра", set()),
        ("Американский актёр посетил Алматы", "", set()),  # a nationality, not the government
        ("Казахстанские студенты выиграли олимпиаду в США", "", set()),  # the US as a venue
        (
            "American company to invest in Uzbekistan's mines",
            "Its chief executive met President Mirziyoyev in New York",
            set(),
        ),
    ],
)
def test_definitions_and_traps(
    classifier: TopicClassifier, title: str, summary: str, expected: set[str]
) -> None:
    assert topics_of(classifier, title, summary) == expected


@pytest.mark.parametrize(
    ("title", "summary", "expected"),
    [
        # A meeting's stated agenda item or deliverable is its subject, even named once.
        (
            "Leaders gather in Washington",
            "Critical minerals top the agenda.",
            {"critical_minerals"},
        ),
        (
            "Министры провели переговоры в Астане",
            "Стороны уделили основное внимание критически важным минеральным ресурсам.",
            {"critical_minerals"},
        ),
        # Minerals deals that never say "critical".
        ("Kyiv and Washington sign a minerals deal", "", {"critical_minerals"}),
        ("Tokyo seeks rare minerals from Mongolia", "", {"critical_minerals"}),
        (
            "Россия и Таджикистан подписали соглашение о полезных ископаемых",
            "",
            {"critical_minerals"},
        ),
        ("Minerals agreement covers only oil and gas fields", "Crude output", set()),
        ("Минеральная вода подорожала", "Соглашение с поставщиком", set()),
        ("Ministry of Mineral Resources signs a cooperation deal", "Visit to Astana", set()),
        (
            "Министерство промышленности и минеральных ресурсов подписало соглашение",
            "",
            set(),
        ),
        ("Energy metals rally as supply tightens", "", {"critical_minerals"}),
        # Other partners' critical raw materials.
        (
            "Brussels courts Central Asia",
            "The region holds large reserves of critically important raw materials.",
            {"critical_minerals"},
        ),
        # Brands named after a metal, and Germany in a list of countries.
        ("Chevrolet Cobalt tops car sales", "UzAuto Motors sold more sedans", set()),
        ("Продажи «Кобальта» выросли", "Автомобиль Chevrolet остаётся лидером", set()),
        ("Hackers deploy Cobalt Strike beacons", "The malware hit banks", set()),
        ("Cobalt prices jump as Congo halts exports", "", {"critical_minerals"}),
        (
            "Страны закупают уран",
            "Франция, Германия и Китай покупают уран у Казахстана.",
            {"critical_minerals"},
        ),
        # Iran's nuclear talks, named by the capital only.
        ("Talks resume", "Tehran says uranium enrichment will go on during the talks.", set()),
        # «РК» is Kazakhstan in Kazakh outlets, and the region's foreign ministers are named.
        (
            "Визит в Вашингтон",
            "Министр иностранных дел РК провел встречи с сенаторами США.",
            {"c5plus1"},
        ),
        ("Визит в Вашингтон", "Министр иностранных дел РК и посол Кореи в США.", set()),
        ("Kosherbayev meets Rubio in Washington", "", {"c5plus1"}),
        ("Казахстан присоединился к Авраамовым соглашениям", "", {"c5plus1"}),
        # Jackson–Vanik is a US law.
        ("Bill to lift Jackson-Vanik for Uzbekistan advances", "", {"c5plus1"}),
        # A deal the title frames as the two states', though companies signed it.
        (
            "U.S. and Uzbekistan launch a copper joint venture",
            "US-based Acme LLC and the state company JSC Almalyk will build a plant.",
            {"c5plus1"},
        ),
        (
            "Acme LLC and Almalyk launch a copper joint venture",
            "US-based Acme LLC will build a plant in Uzbekistan.",
            set(),
        ),
        # Another power's diplomacy, with the United States or the region's leader as its topic.
        (
            "Путин обсудил с Мирзиёевым переговоры с американцами",
            "Президент России рассказал узбекскому коллеге о встрече с посланником США.",
            set(),
        ),
        (
            "Жапаров приветствовал разговор Трампа и Си Цзиньпина",
            "Президент Кыргызстана высоко оценил телефонные переговоры лидеров США и Китая.",
            set(),
        ),
        (
            "Мирзиёев обсудил с Трампом торговлю",
            "Президент Узбекистана провел телефонный разговор с президентом США.",
            {"c5plus1"},
        ),
        # Names that hold a country's adjective or a metal: a private school, a company.
        (
            "American University opens a campus in Samarkand",
            "A resolution signed by the president of Uzbekistan lets it teach from September.",
            set(),
        ),
        ("Norilsk Nickel sells more palladium", "The miner expects prices to rise.", set()),
        ("Norilsk Nickel cuts nickel output", "", {"critical_minerals"}),
        (
            "Казахстан и ЕС подписали меморандум",
            "Стороны договорились о партнерстве в области сырья и батарей.",
            {"critical_minerals"},
        ),
        # Lithium the drug, and the EU's raw-materials partnerships.
        (
            "Lithium prescriptions fall",
            "Fewer patients with bipolar disorder receive lithium.",
            set(),
        ),
        ("Lithium supply from Chile rises", "Mining output grew.", {"critical_minerals"}),
        (
            "ЕС и Узбекистан подписали меморандум",
            "Стороны заключили партнерство в области сырья и аккумуляторов.",
            {"critical_minerals"},
        ),
        ("Сырьё для текстиля подорожало", "Соглашение о поставках хлопка продлено.", set()),
        # A minerals fund between governments; a country banning its mineral ore exports; the
        # trade form of tungsten.
        (
            "Chile and the US set up a minerals fund",
            "Its board meets in May.",
            {"critical_minerals"},
        ),
        ("Pension fund buys more bonds", "Mineral water sales rose.", set()),
        (
            "Zambia's mineral export ban draws criticism",
            "Trade partners say the ban on ore exports breaks WTO rules.",
            {"critical_minerals"},
        ),
        ("Россия ограничила экспорт минеральных удобрений", "Квоты продлены до мая.", set()),
        (
            "Цены на паравольфрамат аммония выросли",
            "Котировки на Лондонской бирже достигли максимума.",
            {"critical_minerals"},
        ),
        # US government agencies that fund or work in the region.
        (
            "Корпус мира завершил работу в Кыргызстане",
            "Волонтеры покидают страну после 30 лет работы.",
            {"c5plus1"},
        ),
        (
            "Министр провел встречу с главой Финансовой корпорации международного развития США",
            "Вице-премьер Таджикистана обсудил проекты в энергетике.",
            {"c5plus1"},
        ),
        ("Лучший корпус мира представили в Токио", "Смартфон получил новую камеру.", set()),
        # American businessmen are private parties, like an American company.
        (
            "The President of Turkmenistan met with American businessmen",
            "They discussed trade.",
            set(),
        ),
        # Other states' senates and congresses are not the US Congress.
        (
            "Tokayev proposes to abolish the Senate",
            "The president of Kazakhstan wants a parliament of one chamber.",
            set(),
        ),
        (
            "Japarov meets Chairman of the National People's Congress",
            "The president of Kyrgyzstan discussed trade with his Chinese host.",
            set(),
        ),
        (
            "Kazakh foreign minister meets members of the US Congress",
            "The sides discussed trade and investment.",
            {"c5plus1"},
        ),
        # A raw-materials partnership named a few words away from the deal.
        (
            "Kazakhstan and EU approve a roadmap",
            "It implements the memorandum on strategic partnership in the field of sustainable"
            " raw materials, batteries and green hydrogen.",
            {"critical_minerals"},
        ),
        # Manganese, titanium and chromium by their ambiguous nouns, with mining or trade.
        (
            "В Минприроды назвали регионы с крупнейшими запасами марганца",
            "Ведомство обновило данные о ресурсной базе.",
            {"critical_minerals"},
        ),
        (
            "Россия зависит от импорта марганца",
            "Его не хватает металлургам.",
            {"critical_minerals"},
        ),
        ("На Титане нашли запасы метана", "Данные передал зонд NASA.", set()),
        ("Google выпустил обновление браузера Хром", "Производство новых версий ускорится.", set()),
        # Minerals on some countries' critical lists but not in the definitions need framing.
        ("Росгеология нашла месторождение флюорита", "Запасы превышают 5 млн тонн.", set()),
        (
            "Fluorspar joins the list of critical minerals",
            "Supply chains for the mineral are under review.",
            {"critical_minerals"},
        ),
        # Lithium in another adjective; lithium-ion with its supply chain; metals for batteries.
        (
            "В области может появиться литийное производство",
            "Завод будет выпускать катодный материал.",
            {"critical_minerals"},
        ),
        (
            "Казахстан хочет войти в цепочку поставок литий-ионных батарей",
            "Страна ищет инвесторов для новых заводов.",
            {"critical_minerals"},
        ),
        ("Продажи литий-ионных аккумуляторов выросли", "Спрос на ноутбуки растёт.", set()),
        (
            "В Жамбылской области может появиться литийное производство",
            "Завод будет выпускать сырьё для литий-ионных батарей.",
            {"critical_minerals"},
        ),
        (
            "Хватит ли России металлов для выпуска аккумуляторов",
            "Автопром переходит на электромобили.",
            {"critical_minerals"},
        ),
        # Visas and consular services on their own are not diplomacy; talks about them are.
        (
            "Посольство США в Таджикистане открыло запись на визовые собеседования",
            "Граждане Таджикистана смогут подать документы с марта.",
            set(),
        ),
        (
            "US embassy in Kazakhstan cuts visa wait times",
            "Kazakh citizens can book interviews for February.",
            set(),
        ),
        (
            "МИД Узбекистана обсудил с послом США визовый режим",
            "Стороны провели переговоры о сроках выдачи виз.",
            {"c5plus1"},
        ),
        # A chamber of commerce or a business council is business, unless a US government
        # actor takes part.
        (
            "US-Kazakhstan Business Council marks its anniversary in Almaty",
            "The council's members discussed new partnership projects with Kazakh companies.",
            set(),
        ),
        (
            "Президент Таджикистана принял делегацию Американо-таджикской торговой палаты",
            "Стороны обсудили сотрудничество и инвестиции в экономику Таджикистана.",
            set(),
        ),
        (
            "US ambassador addresses US-Uzbekistan Business Council in Tashkent",
            "The ambassador said Washington backs partnership with Uzbekistan.",
            {"c5plus1"},
        ),
        # Buying a listed mineral is trading it; political consultations and a consul's
        # meetings are diplomacy.
        (
            "Airbus сократил закупки титана",
            "Европейский авиапроизводитель ищет других поставщиков.",
            {"critical_minerals"},
        ),
        (
            "В Бишкеке прошли кыргызско-американские политические консультации",
            "Стороны из Кыргызстана и США обсудили повестку на год.",
            {"c5plus1"},
        ),
        (
            "Аким Туркестанской области принял генерального консула США",
            "Генконсул США в Алматы обсудил с акимом планы области, сообщает пресс-служба.",
            {"c5plus1"},
        ),
        # A travel ban is a one-sided act like a visa rule; tennis in the US is sport; a US
        # agency or a state's National Guard working with the region is US government work;
        # highly enriched uranium taken away is nonproliferation, not minerals supply.
        (
            "Kyrgyzstan added to new U.S. travel ban",
            "President Trump signed an order restricting entry for citizens of Kyrgyzstan and "
            "other countries, the White House said.",
            set(),
        ),
        (
            "Kazakhstan's Rybakina reaches US Open quarterfinal",
            "The Kazakh tennis player beat her American rival in New York.",
            set(),
        ),
        (
            "New programme to support trade in Central Asia",
            "USAID has launched a five-year, $20 million trade programme in Kazakhstan, "
            "Kyrgyzstan and Uzbekistan.",
            {"c5plus1"},
        ),
        (
            "Montana National Guard trains Kyrgyz rescuers",
            "Soldiers from Montana spent a week with Kyrgyzstan's emergency ministry.",
            {"c5plus1"},
        ),
        (
            "NNSA removes highly enriched uranium from Kazakh research reactor",
            "The US agency flew the last HEU out of the Almaty institute's reactor.",
            {"c5plus1"},
        ),
        # US sanctions on a bank are a one-sided act; talks about them are diplomacy.
        (
            "US Treasury sanctions Kazakh lender over Russia payments",
            "The bank in Almaty was added to the US sanctions list, the Treasury said.",
            set(),
        ),
        (
            "Kazakh foreign minister discusses US sanctions on lender with US ambassador",
            "The minister and the ambassador held talks in Astana about the bank.",
            {"c5plus1"},
        ),
        # A US university's branch is education; the US military's transit network is US
        # government work; uranium for the IAEA's fuel bank is nonproliferation; Molycorp's
        # Mountain Pass is a rare-earth mine.
        (
            "US university opens campus in Kazakhstan",
            "The American university signed an agreement with Kazakhstan's education ministry.",
            set(),
        ),
        (
            "Uzbekistan slows Northern Distribution Network cargo",
            "Shipments through Uzbekistan to troops in Afghanistan are delayed.",
            {"c5plus1"},
        ),
        (
            "Первая партия урана прибыла в банк МАГАТЭ в Казахстане",
            "Низкообогащённый уран будет храниться на Ульбинском заводе.",
            set(),
        ),
        ("Molycorp restarts Mountain Pass", "Mining resumes in California.", {"critical_minerals"}),
        # Deportations are one-sided acts unless the two governments work on them together;
        # strategic kinds of raw materials and metals for electric cars are minerals news.
        (
            "США депортировали за год 300 граждан Кыргызстана",
            "Иммиграционная служба США опубликовала годовой отчёт о высылке нелегалов.",
            set(),
        ),
        (
            "Узбекистан и США вместе вернули домой нелегальных мигрантов",
            "Депортацию организовали в сотрудничестве с правительством Узбекистана, сообщило "
            "посольство США.",
            {"c5plus1"},
        ),
        (
            "Правительство оценило зависимость от импорта стратегических видов сырья",
            "Доклад посвящён рискам для промышленности.",
            {"critical_minerals"},
        ),
        (
            "Электромобили вызвали нехватку металлов",
            "Автопроизводители ищут поставщиков.",
            {"critical_minerals"},
        ),
        # An ore's adjective names its metal; export restrictions frame a metal only some
        # lists name; a US state's National Guard in Russian is still the US military.
        (
            "Комбинат нарастил добычу ильменитового концентрата",
            "Предприятие работает в Восточном Казахстане.",
            {"critical_minerals"},
        ),
        (
            "Bismuth price jumps after China announces export restrictions",
            "European buyers fear the metal will be scarce.",
            {"critical_minerals"},
        ),
        (
            "Нацгвардия Невады проведёт учения с военными Туркменистана",
            "Учения пройдут летом.",
            {"c5plus1"},
        ),
        # The five states' earlier presidents are the states too; out of office, a name alone
        # is no act of government. A partner state's National Guard however its unit is named,
        # and the US bases of the 2000s.
        (
            "О чём говорили Назарбаев и Трамп",
            "Назарбаев, прибывший в Вашингтон с официальным визитом, встретился с президентом США.",
            {"c5plus1"},
        ),
        (
            "Akayev meets US envoy",
            "The president discussed cooperation with the United States.",
            {"c5plus1"},
        ),
        (
            "Lawsuit against reporters echoes Nazarbayev's old campaigns",
            "Critics say the U.S. justice system is being used to silence them.",
            set(),
        ),
        (
            "Kazakhstan and the Arizona Army National Guard mark 20 years of cooperation",
            "Officers met in Astana.",
            {"c5plus1"},
        ),
        (
            "Kyrgyzstan's parliament votes to close the Manas Air Base",
            "Deputies gave the government six months.",
            {"c5plus1"},
        ),
        # A leader receiving a business council: business, however many US and Central Asian
        # words and diplomatic courtesies come with it.
        (
            "President of Turkmenistan meets the Turkmenistan-USA Business Council",
            "The President stressed the importance of strong relations with the United States "
            "and welcomed the council's members in Ashgabat.",
            set(),
        ),
        # The US government of earlier years, and its troops and bases in the region; the
        # ferroalloys of listed metals.
        (
            "Clinton concludes tour of South and Central Asia",
            "The Secretary of State met regional leaders in four countries.",
            {"c5plus1"},
        ),
        (
            "Rumsfeld arrives in Tashkent",
            "The defense secretary will discuss the base with Uzbek officials.",
            {"c5plus1"},
        ),
        (
            "Goodbye, Uzbekistan",
            "The US Air Force is out of Uzbekistan: a C-17 flew the last troops home.",
            {"c5plus1"},
        ),
        (
            "Завод ферросплавов нарастил выпуск",
            "Производство ферромарганца выросло на 9%, силикомарганца — на 2%.",
            {"critical_minerals"},
        ),
        # Ferroalloys with their plant, market or trade; in passing, in a list of exports,
        # they are not the subject. A deposit of germanium is no deposit of Germany.
        (
            "Завод ферросплавов останавливается",
            "Предприятие с 1 ноября остановит производство.",
            {"critical_minerals"},
        ),
        (
            "New tariffs are mostly symbolic",
            "They touch 4% of the country's exports, such as phosphorus chemicals and ferroalloys.",
            set(),
        ),
        (
            "На месторождении германия идут доразведочные работы",
            "Об этом сообщили в администрации района.",
            {"critical_minerals"},
        ),
        # Litigation in a US court and the US government's yearly reports on a country are
        # one-sided, like a visa rule; US assistance stays in whatever it fights.
        (
            "Astana to appeal US court ruling in Stati dispute",
            "Kazakhstan's Ministry of Justice said the US court decision on the arbitration award "
            "will be challenged.",
            set(),
        ),
        (
            "Доклад Госдепа США о торговле людьми: Кыргызстан остаётся в списке наблюдения",
            "Госдепартамент опубликовал ежегодный доклад.",
            set(),
        ),
        (
            "US assistance to Tajikistan",
            "The US assistance portfolio helps Tajikistan deter threats such as drug "
            "trafficking and human trafficking.",
            {"c5plus1"},
        ),
        # Tourists between the countries are no diplomacy either.
        (
            "Uzbekistan records a 40% increase in U.S. visitors",
            "Data from the statistics agency show the rise over the same period last year.",
            set(),
        ),
        # The Secretary of State's full Russian title, US generals and army engineers at work
        # in the region, «Средняя Азия», and a Central Asian leader's visit to the United States.
        (
            "Гость из-за океана",
            "Ислам Каримов принял помощника государственного секретаря США по делам Южной и "
            "Центральной Азии.",
            {"c5plus1"},
        ),
        (
            "Американский командующий едет в Среднюю Азию",
            "В Узбекистан 3 мая прибывает генерал, командующий транспортным командованием США.",
            {"c5plus1"},
        ),
        (
            "Karimov keeps a low profile",
            "Uzbekistan's President Islam Karimov is keeping a low profile throughout his official "
            "visit to the United States.",
            {"c5plus1"},
        ),
        (
            "Rahmon flies to New York",
            "Tajikistan's President leaves on a visit to the United States for the UN General "
            "Assembly.",
            set(),
        ),
        # A US state's National Guard with the region anywhere in the item; USAID by its full
        # name; a capital by its adjective; an embassy's cultural year, even when the UN
        # General Assembly proclaimed it.
        (
            "Guard and Kazakh officers keep their partnership rolling",
            "The Arizona National Guard hosted members of the Armed Forces of the Republic of "
            "Kazakhstan for a week of exchanges.",
            {"c5plus1"},
        ),
        (
            "New laboratory opens",
            "The lab in Bishkek was built with support from the U.S. Agency for International "
            "Development.",
            {"c5plus1"},
        ),
        (
            "Госдеп США передал бишкекскому госпиталю гуманитарную помощь",
            "Груз доставлен по программе содействия.",
            {"c5plus1"},
        ),
        (
            "Посольство США поддержит Год мира и доверия Туркменистана",
            "Посол подчеркнула, что мероприятия посольства поддержат инициативу, одобренную "
            "Генеральной Ассамблеей ООН.",
            {"c5plus1"},
        ),
        # Making safe the tailings of past uranium mining is no supply of it; a rare-metal
        # deposit is a critical minerals deposit.
        (
            "Таджикистан завершил рекультивацию урановых хвостохранилищ",
            "Работы в Согдийской области финансировали доноры.",
            set(),
        ),
        (
            "Uranium miner cleans up old tailings as it expands production",
            "The company will raise output by 10%.",
            {"critical_minerals"},
        ),
        (
            "В Сибири начнут осваивать редкометалльное месторождение",
            "Инвестор представил проект правительству области.",
            {"critical_minerals"},
        ),
        # The ores and the adjectives of listed minerals name them too.
        (
            "В Казахстане нашли монацитовые пески",
            "Геологи оценивают запасы участка.",
            {"critical_minerals"},
        ),
        (
            "Завод начал выпуск неодимовых магнитов",
            "Мощность — 500 тонн в год.",
            {"critical_minerals"},
        ),
        (
            "Lepidolite project in Portugal gets its permit",
            "Work starts next year.",
            {"critical_minerals"},
        ),
        (
            "Добыча ильменита на Украине выросла",
            "Комбинат отчитался за квартал.",
            {"critical_minerals"},
        ),
        # Germanium by its adjective or a compound, which Germany's forms cannot give.
        (
            "В Подмосковье начали выпуск германиевых линз",
            "Завод наладил серийное производство оптики для тепловизоров.",
            {"critical_minerals"},
        ),
        (
            "Новый завод в Сибири будет выпускать сырьё для оптоволокна",
            "Предприятие начнёт производство высокочистого диоксида германия.",
            {"critical_minerals"},
        ),
        ("Германия увеличила производство автомобилей", "Экспорт машин вырос на 5%.", set()),
        # A natural-resources deal is minerals as a class in other words; a ministry is not.
        (
            "Вашингтон и Киев подписали сделку по природным ресурсам",
            "Документ создаёт совместный инвестиционный фонд.",
            {"critical_minerals"},
        ),
        (
            "Министерство природных ресурсов подписало соглашение с университетом",
            "Стороны будут вместе следить за лесами.",
            set(),
        ),
        (
            "Kazakhstan and Azerbaijan sign natural resources agreement on oil and gas",
            "The pact covers offshore gas fields.",
            set(),
        ),
    ],
)
def test_kinds_named_by_the_definitions(
    classifier: TopicClassifier, title: str, summary: str, expected: set[str]
) -> None:
    assert topics_of(classifier, title, summary) == expected


def test_germany_in_a_list_is_not_germanium(classifier: TopicClassifier) -> None:
    found = classifier.classify(
        MatchInput("Страны закупают уран", "Франция, Германия и Китай покупают уран.")
    )
    assert [m.topic for m in found] == ["critical_minerals"]
    assert "германий" not in found[0].terms


def test_matches_explain_themselves(classifier: TopicClassifier) -> None:
    found = classifier.classify(MatchInput("Казахстан наращивает добычу урана и вольфрама"))
    assert [m.topic for m in found] == ["critical_minerals"]
    assert {"уран", "вольфрам"} <= set(found[0].terms)


def test_f1_per_topic_and_language(classifier: TopicClassifier) -> None:
    rows = load_labelled(DEFAULT_PATH)
    assert len(rows) >= 150, "the labelled fixtures must be present and complete"
    results = scores(rows, predictions(rows, classifier), classifier.topics)
    low = [
        f"{s.topic}/{s.lang}: F1 {s.f1:.3f} (tp {s.tp}, fp {s.fp}, fn {s.fn})"
        for s in results
        if (s.lang == "all" or s.positives >= MIN_POSITIVES_PER_LANGUAGE) and s.f1 < MIN_F1
    ]
    assert not low, low


def test_every_fixture_item_is_in_exactly_one_batch() -> None:
    batches = load_batches()
    folder = DEFAULT_PATH.parent
    for path in sorted(folder.glob("*.jsonl")):
        for row in load_labelled(path):
            owners = [b.name for b in batches if b.file == path.name and b.holds(row["id"])]
            assert len(owners) == 1, f"{path.name} {row['id']}: batches {owners}"
    assert all(b.role in {"tuned", "held-out"} for b in batches)
