"""Русский каталог. Значения — HTML-шаблоны; поля ``{name}`` подставляются экранированными."""

from __future__ import annotations

MESSAGES: dict[str, str] = {
    # --- меню команд ---
    "cmd.start": "Подписать чат и включить оповещения",
    "cmd.topics": "Выбрать темы",
    "cmd.keywords": "Ваши правила по ключевым словам",
    "cmd.mode": "Сразу, ежедневная сводка или оба",
    "cmd.digest": "Время ежедневной сводки (ЧЧ:ММ)",
    "cmd.timezone": "Часовой пояс для сводки",
    "cmd.lang": "Язык: русский или английский",
    "cmd.status": "Что получает этот чат",
    "cmd.help": "Как пользоваться ботом",
    "cmd.stop": "Приостановить оповещения (настройки сохранятся)",
    "cmd.forget": "Удалить данные этого чата",
    "cmd.channel": "Оповещения в ваш канал",
    "cmd.feeds": "Админ: состояние лент",
    "cmd.addfeed": "Админ: добавить ленту",
    "cmd.stats": "Админ: статистика",
    # --- темы ---
    "topic.critical_minerals": "Критически важные минералы",
    "topic.c5plus1": "C5+1",
    "topic.critical_minerals.about": "уран, редкоземельные металлы, литий, вольфрам и другое "
    "критическое сырьё: месторождения, сделки, правила экспорта, цепочки поставок",
    "topic.c5plus1.about": "дипломатия США и пяти государств Центральной Азии: саммиты, "
    "встречи министров, соглашения",
    # --- start / stop / forget ---
    "start.new": "✅ <b>Подписка оформлена.</b> Я слежу за русскими и английскими новостями:\n"
    "{topics}\n\n"
    "Новые материалы приходят в этот чат сразу, как я их нахожу.\n\n"
    "<b>Что дальше</b>\n"
    "/topics — выбрать темы\n"
    "/keywords add <i>слова</i> — следить за своими словами, например "
    "<code>/keywords add литий OR lithium</code>\n"
    "/mode — сразу или ежедневной сводкой\n"
    "/help — всё остальное",
    "start.back": "✅ <b>Оповещения снова включены</b>, с прежними настройками.\n\n{status}",
    "start.active": "✅ <b>Оповещения включены.</b>\n\n{status}",
    "start.topic_line": "• <b>{name}</b> — {about}",
    "start.group_added": "Здравствуйте! Я c5watch: оповещения о критически важных минералах и "
    "дипломатии C5+1. Администратор группы может отправить /start, чтобы подписать её.",
    "start.back_paused": "Я снова в этом чате. Оповещения остаются приостановленными, как "
    "их оставила команда /stop; администратор может отправить /start, чтобы включить их.",
    "channel.usage": "Чтобы получать оповещения в канале: сделайте меня администратором с "
    "правом публикации, затем отправьте <code>/channel @имя</code> (или ссылку t.me, или id "
    "канала). После этого ваши команды здесь настраивают канал; <code>/channel off</code> "
    "вернёт их этому чату.",
    "channel.current": "Ваши команды здесь настраивают канал <b>{name}</b>. "
    "<code>/channel off</code> вернёт их этому чату.",
    "channel.off": "Команды снова относятся к этому чату. Канал продолжит получать оповещения.",
    "channel.not_found": "Не нахожу канал {name}. Проверьте имя и то, что я в нём администратор.",
    "channel.not_a_channel": "{name} — не канал. Группу подпишите так: добавьте меня в неё "
    "и отправьте там /start.",
    "channel.not_your_channel": "Подключить {name} может только его администратор.",
    "channel.bot_not_admin": "Сделайте меня администратором {name} с правом публикации "
    "сообщений и повторите команду.",
    "channel.linked": "📣 Канал <b>{name}</b> подключён: оповещения будут приходить туда. "
    "Ваши команды здесь теперь настраивают его (/topics, /keywords, /mode, /digest); "
    "<code>/channel off</code> вернёт их этому чату.\n\n{status}",
    "channel.added": "Вы добавили меня в канал {name}. Чтобы получать туда оповещения, "
    "отправьте здесь <code>/channel {id}</code>.",
    "stop.done": "⏸ Оповещения приостановлены. Темы, правила и настройки сохранены; "
    "/start снова включит оповещения.",
    "stop.already": "Оповещения уже приостановлены. /start снова включит их.",
    "forget.ask": "Удалить всё, что бот хранит об этом чате: темы, правила, настройки и "
    "неотправленные оповещения? Отменить это будет нельзя.",
    "forget.done": "🗑 Готово: данные этого чата удалены. /start снова подпишет его.",
    "forget.cancelled": "Ничего не удалено.",
    "forget.nothing": "Я не храню данных об этом чате.",
    "btn.forget_confirm": "🗑 Да, удалить",
    "btn.cancel": "✖️ Отмена",
    "not_subscribed": "Этот чат ещё не подписан. Сначала отправьте /start.",
    # --- меню тем ---
    "topics.menu": "<b>Темы</b> — нажмите, чтобы включить или выключить.\n{state}",
    "topics.state_some": "Чат получает: {names}.",
    "topics.state_none": "Ни одна тема не включена: приходят только совпадения с /keywords.",
    "btn.topic_on": "✅ {name}",
    "btn.topic_off": "▫️ {name}",
    "topics.toggled_on": "{name}: включено",
    "topics.toggled_off": "{name}: выключено",
    # --- ключевые слова ---
    "kw.list": "<b>Ваши правила</b> ({count} из {limit}):\n{lines}\n\n"
    "Удалить: /keywords remove <i>N</i> или кнопки 🗑.",
    "kw.line": "{n}. <code>{rule}</code>",
    "kw.empty": "Правил пока нет.\n\n{usage}",
    "kw.usage": "<b>Добавить правило:</b> <code>/keywords add литий OR lithium</code>\n"
    'Слова находятся в любой форме (уран → урана); <code>"точная фраза"</code>; '
    "<code>начало*</code>; пробел означает И; <code>OR</code> — ИЛИ; <code>-слово</code> "
    "исключает; (скобки); <code>title:слово</code> — в заголовке; <code>a NEAR/5 b</code>.",
    "kw.prompt": "Отправьте правило следующим сообщением, например <code>уран OR uranium</code>. "
    "/cancel — отмена.",
    "kw.placeholder": "литий OR lithium",
    "kw.prompt_cancelled": "Отменено.",
    "kw.remove_usage": "Укажите номер правила из /keywords: <code>/keywords remove 2</code>",
    "kw.remove_missing": "Правила с номером {n} нет. Номера показывает /keywords.",
    "kw.removed": "🗑 Правило {n} удалено: <code>{rule}</code>",
    "kw.removed_short": "Удалено",
    "kw.unknown_sub": "Не понимаю <code>{sub}</code>. Используйте /keywords, "
    "/keywords add <i>правило</i> или /keywords remove <i>N</i>.",
    "kw.too_long": "Правило слишком длинное: {length} символов, можно не больше {limit}. "
    "Ничего не сохранено.",
    "kw.control": "В правиле есть управляющие или невидимые символы. Напишите его обычным "
    "текстом в одну строку. Ничего не сохранено.",
    "kw.syntax": "❌ Правило не принято: {message}\n› {marked}\n\n"
    "Ничего не сохранено. Синтаксис — в /keywords.",
    "kw.limit": "У вас уже {limit} правил — это предел для чата. "
    "Сначала удалите одно: /keywords remove <i>N</i>",
    "kw.duplicate": "Такое правило уже есть (номер {n}).",
    "kw.preview": "<b>Правило:</b> <code>{rule}</code>\n"
    "За последние 7 дней оно нашло бы <b>{count}</b> из {scanned} материалов.{examples}",
    "kw.preview_examples": "\n\nНапример:\n{lines}",
    "kw.preview_line": "• {title}",
    "kw.preview_capped": "\n(Проверены только {scanned} самых новых материалов.)",
    "btn.save": "✅ Сохранить",
    "kw.saved": "✅ Сохранено как правило {n}: <code>{rule}</code>\nНовые подходящие материалы "
    "будут приходить в этот чат.",
    "kw.cancelled": "Отменено, ничего не сохранено.",
    "kw.draft_used": "Это правило уже сохранено или устарело; /keywords покажет ваши правила.",
    "kw.draft_gone": "Этот предпросмотр устарел. Отправьте /keywords add <i>правило</i> ещё раз.",
    "btn.add_rule": "➕ Добавить правило",
    "btn.remove_rule": "🗑 {n}",
    # --- режим ---
    "mode.instant": "сразу",
    "mode.digest": "ежедневная сводка",
    "mode.both": "сразу и ежедневная сводка",
    "btn.mode.instant": "⚡ Сразу",
    "btn.mode.digest": "🗞 Сводка",
    "btn.mode.both": "⚡+🗞 Оба",
    "mode.menu": "Режим доставки: <b>{mode}</b>. Выберите:",
    "mode.set": "Режим доставки: <b>{mode}</b>.",
    "mode.digest_note": "\nСводка приходит ежедневно в {time} ({zone}); время меняет /digest.",
    "mode.bad": "Не знаю режима <code>{value}</code>. "
    "Используйте /mode instant, /mode digest или /mode both.",
    # --- время сводки ---
    "digest.menu": "Ежедневная сводка приходит в <b>{time}</b> ({zone}). "
    "Выберите время или отправьте /digest <i>ЧЧ:ММ</i>, например <code>/digest 08:30</code>.",
    "digest.set": "Время сводки: <b>{time}</b> ({zone}).",
    "digest.mode_note": "\nСейчас режим «{mode}»: /mode digest или /mode both, чтобы её получать.",
    "digest.bad": "<code>{value}</code> — это не время суток. Укажите ЧЧ:ММ в 24-часовом "
    "формате, от 00:00 до 23:59, например <code>/digest 08:30</code>. Ничего не изменено.",
    # --- часовой пояс ---
    "tz.menu": "Часовой пояс: <b>{zone}</b> (там сейчас {time}). Выберите или отправьте "
    "/timezone <i>Регион/Город</i>, например <code>/timezone Asia/Almaty</code>.",
    "tz.set": "Часовой пояс: <b>{zone}</b> (там сейчас {time}).",
    "tz.bad": "Не знаю часового пояса <code>{value}</code>. Укажите Регион/Город, например "
    "<code>Asia/Almaty</code>, <code>Europe/Moscow</code> или <code>UTC</code>. "
    "Ничего не изменено.",
    # --- язык ---
    "btn.lang.ru": "🇷🇺 Русский",
    "btn.lang.en": "🇬🇧 English",
    "lang.menu": "Язык: <b>русский</b>. Выберите:",
    "lang.set": "Язык: <b>русский</b>.",
    "lang.bad": "Я говорю на <code>ru</code> и <code>en</code>: /lang ru или /lang en.",
    # --- статус ---
    "status.text": "<b>Состояние</b>: {state}\n"
    "Темы: {topics}\n"
    "Правила: {rules}\n"
    "Режим: {mode}\n"
    "Следующая сводка: {digest}\n"
    "Часовой пояс: {zone}\n"
    "Последнее оповещение: {last}",
    "status.on": "✅ оповещения включены",
    "status.paused": "⏸ приостановлено (/start включит)",
    "status.none": "нет",
    "status.never": "пока не было",
    "status.no_digest": "выключена (режим «сразу»)",
    # --- помощь ---
    "help.text": "<b>c5watch</b> присылает новости о критически важных минералах и дипломатии "
    "C5+1 из русских и английских источников.\n\n"
    "/start — подписаться и включить оповещения\n"
    "/topics — выбрать темы\n"
    "/keywords — свои правила: /keywords add <i>правило</i>, /keywords remove <i>N</i>\n"
    "/search <i>запрос</i> — поиск за 30 дней, по строке на событие\n"
    "/mode — сразу, ежедневная сводка или оба\n"
    "/digest <i>ЧЧ:ММ</i> — время сводки\n"
    "/timezone <i>Регион/Город</i> — часовой пояс\n"
    "/lang ru|en — язык\n"
    "/status — что получает этот чат\n"
    "/stop — приостановить; /forget — удалить данные чата\n\n"
    "{usage}",
    "help.group": "\n\nВ группах настройки меняют только администраторы.",
    "help.admin": "\n\n<b>Админ:</b> /feeds — состояние лент, /addfeed <i>URL</i>, /stats",
    # --- группы ---
    "group.admins_only": "Настройки группы могут менять только её администраторы.",
    # --- прочее ---
    "fallback.command": "Не знаю команды <code>{command}</code>. Список команд — в /help.",
    "fallback.text": "Я отвечаю на команды, их список — в /help. Чтобы следить за словами: "
    "<code>/keywords add ваши слова</code>.",
    "callback.stale": "Эта кнопка устарела.",
    "throttle.slow_down": "🐢 Слишком много сообщений сразу. Часть я пропущу, пока вы не "
    "сбавите темп: одна команда в две секунды — в самый раз.",
    "throttle.slow_down_short": "Слишком много нажатий сразу; подождите несколько секунд.",
    "error.internal": "У меня что-то пошло не так; попробуйте ещё раз через минуту.",
    # --- админ ---
    "admin.feeds": "<b>Ленты</b> ({count}):\n{lines}",
    "admin.feeds_none": "Лент пока нет. /addfeed <i>URL</i> добавит ленту.",
    "admin.feed_ok": "✅ {id}. {name} — загружена {when}",
    "admin.feed_new": "🕓 {id}. {name} — ещё не загружалась",
    "admin.feed_failing": "⚠️ {id}. {name} — ошибок подряд: {errors}, последняя: {error}",
    "admin.addfeed_usage": "Укажите адрес ленты: <code>/addfeed https://example.org/rss</code>",
    "admin.addfeed_bad": (
        "<code>{url}</code> — не адрес http(s) и не публичный канал Telegram "
        "(<code>@name</code>, <code>https://t.me/name</code>)."
    ),
    "admin.addfeed_refused": "Не добавлено: {reason}",
    "admin.addfeed_note": "Примечание: {note}",
    "admin.addfeed_too_long": "Слишком длинный адрес: {length} символов, допустимо не "
    "больше {limit}.",
    "admin.addfeed_bad_port": "У адреса <code>{url}</code> порт вне диапазона 1–65535.",
    "admin.addfeed_exists": "Эта лента уже добавлена.",
    "admin.addfeed_done": "Лента {id} добавлена: {url}\nПервая загрузка — сейчас.",
    "admin.stats": "<b>Статистика</b>\n"
    "Чаты: {chats} (активных {active}, заблокировали {blocked}, групп {groups})\n"
    "Ленты: {feeds} (с ошибками {failing})\n"
    "Очередь: ждут {pending}, повторяются {retrying}; ошибок отправки: {errors}\n\n"
    "<b>По дням (UTC)</b> — материалы / совпадения / отправлено\n{days}",
    "admin.stats_day": "{day}: {stories} / {matches} / {sent}",
    # --- events and search ---
    "cmd.search": "Поиск по новостям за 30 дней",
    "alert.muted": "🔕 Это оповещение больше не будет обновляться.",
    "alert.muted_already": "Обновления этого оповещения уже выключены.",
    "search.usage": "<b>Поиск за 30 дней:</b> <code>/search вольфрам OR tungsten</code>\n"
    "Тот же язык, что и у ключевых слов: <code>\"точная фраза\"</code>, <code>префикс*</code>, "
    "<code>-слово</code>, <code>OR</code>, <code>title:слово</code>, <code>a NEAR/5 b</code>.",
    "search.syntax": "❌ Запрос не принят: {message}\n› {marked}\n\n"
    "/search без запроса покажет синтаксис.",
    "search.none": "За 30 дней ничего не найдено по запросу <code>{query}</code>.",
    "search.header": "🔎 <code>{query}</code>: событий — {count}, сначала новые "
    "(страница {page} из {pages})",
    "search.event": "{n}. {title}\n   {when}",
    "search.more": "{n}. {title}\n   {when} · ещё материалов об этом событии: {more}",
}
