"""English catalogue. Values are HTML templates; ``{name}`` fields are filled escaped."""

from __future__ import annotations

MESSAGES: dict[str, str] = {
    # --- command menu (plain text, at most 256 characters) ---
    "cmd.start": "Subscribe this chat and turn alerts on",
    "cmd.topics": "Choose topics",
    "cmd.keywords": "Your keyword rules: list, add, remove",
    "cmd.mode": "Instant alerts, daily digest or both",
    "cmd.digest": "Daily digest time (HH:MM)",
    "cmd.timezone": "Time zone for the digest",
    "cmd.lang": "Language: Russian or English",
    "cmd.status": "What this chat receives",
    "cmd.help": "How to use the bot",
    "cmd.stop": "Pause all alerts (settings kept)",
    "cmd.forget": "Delete this chat's data",
    "cmd.channel": "Send alerts to a channel you run",
    "cmd.feeds": "Admin: feed health",
    "cmd.addfeed": "Admin: add a feed URL",
    "cmd.stats": "Admin: statistics",
    # --- topics ---
    "topic.critical_minerals": "Critical minerals",
    "topic.c5plus1": "C5+1",
    "topic.critical_minerals.about": "uranium, rare earths, lithium, tungsten and other "
    "critical raw materials: deposits, deals, export rules, supply chains",
    "topic.c5plus1.about": "diplomacy between the United States and the five Central Asian "
    "states: summits, ministers' meetings, agreements",
    # --- start / stop / forget ---
    "start.new": "✅ <b>Subscribed.</b> I watch Russian and English news about:\n"
    "{topics}\n\n"
    "New stories reach this chat as soon as I see them.\n\n"
    "<b>Next steps</b>\n"
    "/topics — choose topics\n"
    "/keywords add <i>words</i> — watch your own words, e.g. "
    "<code>/keywords add lithium OR graphite</code>\n"
    "/mode — instant alerts or a daily digest\n"
    "/help — everything else",
    "start.back": "✅ <b>Alerts are on again</b>, with the settings you had.\n\n{status}",
    "start.active": "✅ <b>Alerts are on.</b>\n\n{status}",
    "start.topic_line": "• <b>{name}</b> — {about}",
    "start.group_added": "Hello! I'm c5watch: alerts about critical minerals and C5+1 "
    "diplomacy. An administrator of this group can send /start to subscribe it.",
    "start.back_paused": "I'm back in this chat. Alerts stay paused, as /stop left them; "
    "an administrator can send /start to turn them back on.",
    "channel.usage": "To send alerts to a channel: make me an administrator there who may "
    "post, then send <code>/channel @name</code> (or its t.me link, or its id). Your commands "
    "here then set the channel up; <code>/channel off</code> brings them back to this chat.",
    "channel.current": "Your commands here set up the channel <b>{name}</b>. "
    "<code>/channel off</code> brings them back to this chat.",
    "channel.off": "Your commands apply to this chat again. The channel keeps its alerts.",
    "channel.not_found": "I can't find the channel {name}. Check the name, and that I am "
    "an administrator there.",
    "channel.not_a_channel": "{name} is not a channel. For a group, add me to it and send "
    "/start there.",
    "channel.not_your_channel": "Only an administrator of {name} can link it.",
    "channel.bot_not_admin": "Make me an administrator of {name} who may post messages, "
    "then send the command again.",
    "channel.linked": "📣 <b>{name}</b> is linked: alerts go there. Your commands here now "
    "set it up (/topics, /keywords, /mode, /digest); <code>/channel off</code> brings them "
    "back to this chat.\n\n{status}",
    "channel.added": "You added me to the channel {name}. To send alerts there, send "
    "<code>/channel {id}</code> here.",
    "stop.done": "⏸ Alerts are paused. Your topics, keywords and settings are kept; "
    "/start turns alerts back on.",
    "stop.already": "Alerts are already paused. /start turns them back on.",
    "forget.ask": "Delete everything this bot keeps about this chat: topics, keyword rules, "
    "settings and pending alerts? This cannot be undone.",
    "forget.done": "🗑 Done: this chat's data is deleted. /start subscribes it again.",
    "forget.cancelled": "Nothing deleted.",
    "forget.nothing": "I keep no data about this chat.",
    "btn.forget_confirm": "🗑 Yes, delete",
    "btn.cancel": "✖️ Cancel",
    "not_subscribed": "This chat is not subscribed yet. Send /start first.",
    # --- topics menu ---
    "topics.menu": "<b>Topics</b> — tap to turn one on or off.\n{state}",
    "topics.state_some": "This chat receives: {names}.",
    "topics.state_none": "No topics on: this chat gets only matches of its /keywords.",
    "btn.topic_on": "✅ {name}",
    "btn.topic_off": "▫️ {name}",
    "topics.toggled_on": "{name}: on",
    "topics.toggled_off": "{name}: off",
    # --- keywords ---
    "kw.list": "<b>Your keyword rules</b> ({count} of {limit}):\n{lines}\n\n"
    "Remove one: /keywords remove <i>N</i> or the 🗑 buttons.",
    "kw.line": "{n}. <code>{rule}</code>",
    "kw.empty": "No keyword rules yet.\n\n{usage}",
    "kw.usage": "<b>Add a rule:</b> <code>/keywords add lithium OR литий</code>\n"
    'Words match every form (уран → урана); <code>"exact phrase"</code>; '
    "<code>prefix*</code>; a space means AND; <code>OR</code>; <code>-word</code> excludes; "
    "(parentheses); <code>title:word</code>; <code>a NEAR/5 b</code>.",
    "kw.prompt": "Send the rule as your next message, e.g. <code>uranium OR уран</code>. "
    "/cancel stops.",
    "kw.placeholder": "lithium OR литий",
    "kw.prompt_cancelled": "Cancelled.",
    "kw.remove_usage": "Write the rule's number from /keywords: <code>/keywords remove 2</code>",
    "kw.remove_missing": "There is no rule number {n}. /keywords shows the numbers.",
    "kw.removed": "🗑 Removed rule {n}: <code>{rule}</code>",
    "kw.removed_short": "Removed",
    "kw.unknown_sub": "I don't know <code>{sub}</code>. Use /keywords, "
    "/keywords add <i>rule</i> or /keywords remove <i>N</i>.",
    "kw.too_long": "The rule is too long: {length} characters, at most {limit}. Nothing was saved.",
    "kw.control": "The rule contains control or invisible characters. Type it as plain text "
    "on one line. Nothing was saved.",
    "kw.syntax": "❌ The rule was not accepted: {message}\n› {marked}\n\n"
    "Nothing was saved. /keywords shows the syntax.",
    "kw.limit": "You already have {limit} rules, the most a chat may have. "
    "Remove one first: /keywords remove <i>N</i>",
    "kw.duplicate": "You already have this rule (number {n}).",
    "kw.preview": "<b>Rule:</b> <code>{rule}</code>\n"
    "In the last 7 days it would have matched <b>{count}</b> of {scanned} stories.{examples}",
    "kw.preview_examples": "\n\nFor example:\n{lines}",
    "kw.preview_line": "• {title}",
    "kw.preview_capped": "\n(Only the newest {scanned} stories were checked.)",
    "btn.save": "✅ Save",
    "kw.saved": "✅ Saved as rule {n}: <code>{rule}</code>\nNew stories that match it will reach "
    "this chat.",
    "kw.cancelled": "Cancelled; nothing saved.",
    "kw.draft_used": "This preview was already saved or is out of date; /keywords lists "
    "your rules.",
    "kw.draft_gone": "This preview is out of date. Send /keywords add <i>rule</i> again.",
    "btn.add_rule": "➕ Add a rule",
    "btn.remove_rule": "🗑 {n}",
    # --- mode ---
    "mode.instant": "instant alerts",
    "mode.digest": "daily digest",
    "mode.both": "instant alerts and a daily digest",
    "btn.mode.instant": "⚡ Instant",
    "btn.mode.digest": "🗞 Digest",
    "btn.mode.both": "⚡+🗞 Both",
    "mode.menu": "Delivery mode: <b>{mode}</b>. Choose:",
    "mode.set": "Delivery mode: <b>{mode}</b>.",
    "mode.digest_note": "\nThe digest comes daily at {time} ({zone}); /digest changes the time.",
    "mode.bad": "I don't know the mode <code>{value}</code>. "
    "Use /mode instant, /mode digest or /mode both.",
    # --- digest time ---
    "digest.menu": "The daily digest comes at <b>{time}</b> ({zone}). "
    "Pick a time or send /digest <i>HH:MM</i>, e.g. <code>/digest 08:30</code>.",
    "digest.set": "Digest time: <b>{time}</b> ({zone}).",
    "digest.mode_note": "\nYour mode is {mode}: /mode digest or /mode both to receive it.",
    "digest.bad": "<code>{value}</code> is not a time of day. Use 24-hour HH:MM from "
    "00:00 to 23:59, e.g. <code>/digest 08:30</code>. Nothing was changed.",
    # --- time zone ---
    "tz.menu": "Time zone: <b>{zone}</b> (now {time} there). "
    "Pick one or send /timezone <i>Area/City</i>, e.g. <code>/timezone Asia/Almaty</code>.",
    "tz.set": "Time zone: <b>{zone}</b> (now {time} there).",
    "tz.bad": "I don't know the time zone <code>{value}</code>. Use an Area/City name, e.g. "
    "<code>Asia/Almaty</code>, <code>Europe/Moscow</code> or <code>UTC</code>. "
    "Nothing was changed.",
    # --- language ---
    "btn.lang.ru": "🇷🇺 Русский",
    "btn.lang.en": "🇬🇧 English",
    "lang.menu": "Language: <b>English</b>. Choose:",
    "lang.set": "Language: <b>English</b>.",
    "lang.bad": "I speak <code>ru</code> and <code>en</code>: /lang ru or /lang en.",
    # --- status ---
    "status.text": "<b>Status</b>: {state}\n"
    "Topics: {topics}\n"
    "Keyword rules: {rules}\n"
    "Mode: {mode}\n"
    "Next digest: {digest}\n"
    "Time zone: {zone}\n"
    "Last alert: {last}",
    "status.on": "✅ alerts on",
    "status.paused": "⏸ paused (/start resumes)",
    "status.none": "none",
    "status.never": "none yet",
    "status.no_digest": "off (instant mode)",
    # --- help ---
    "help.text": "<b>c5watch</b> sends news about critical minerals and C5+1 diplomacy "
    "from Russian and English sources.\n\n"
    "/start — subscribe and turn alerts on\n"
    "/topics — choose topics\n"
    "/keywords — your own rules: /keywords add <i>rule</i>, /keywords remove <i>N</i>\n"
    "/search <i>query</i> — search the last 30 days, one line per event\n"
    "/mode — instant alerts, daily digest or both\n"
    "/digest <i>HH:MM</i> — digest time\n"
    "/timezone <i>Area/City</i> — time zone\n"
    "/lang ru|en — language\n"
    "/status — what this chat receives\n"
    "/stop — pause alerts; /forget — delete this chat's data\n\n"
    "{usage}",
    "help.group": "\n\nIn groups only administrators change settings.",
    "help.admin": "\n\n<b>Admin:</b> /feeds — feed health, /addfeed <i>URL</i>, /stats",
    # --- groups ---
    "group.admins_only": "Only this group's administrators can change its settings.",
    # --- fallback / errors ---
    "fallback.command": "I don't know the command <code>{command}</code>. /help lists "
    "what I can do.",
    "fallback.text": "I answer commands. /help lists them; to watch words, use "
    "<code>/keywords add your words</code>.",
    "callback.stale": "This button is out of date.",
    "throttle.slow_down": "🐢 That's a lot of messages at once. I'll skip some until you slow "
    "down: about one command every two seconds is fine.",
    "throttle.slow_down_short": "Too many presses at once; wait a few seconds.",
    "error.internal": "Something went wrong on my side; please try again in a minute.",
    # --- admin ---
    "admin.feeds": "<b>Feeds</b> ({count}):\n{lines}",
    "admin.feeds_none": "No feeds yet. /addfeed <i>URL</i> adds one.",
    "admin.feed_ok": "✅ {id}. {name} — last fetched {when}",
    "admin.feed_new": "🕓 {id}. {name} — not fetched yet",
    "admin.feed_failing": "⚠️ {id}. {name} — {errors} failures, last: {error}",
    "admin.addfeed_usage": "Send the feed's address: <code>/addfeed https://example.org/rss</code>",
    "admin.addfeed_bad": (
        "<code>{url}</code> is not an http(s) URL or a public Telegram channel "
        "(<code>@name</code>, <code>https://t.me/name</code>)."
    ),
    "admin.addfeed_refused": "Not added: {reason}",
    "admin.addfeed_note": "Note: {note}",
    "admin.addfeed_too_long": "That URL is too long: {length} characters, at most {limit}.",
    "admin.addfeed_bad_port": "<code>{url}</code> has a port outside 1–65535.",
    "admin.addfeed_exists": "This feed is already added.",
    "admin.addfeed_done": "Added feed {id}: {url}\nThe first fetch is due now.",
    "admin.stats": "<b>Statistics</b>\n"
    "Chats: {chats} ({active} active, {blocked} blocked, {groups} groups)\n"
    "Feeds: {feeds} ({failing} failing)\n"
    "Outbox: {pending} pending, {retrying} retrying; send errors: {errors}\n\n"
    "<b>Per day (UTC)</b> — stories / matches / sent\n{days}",
    "admin.stats_day": "{day}: {stories} / {matches} / {sent}",
    # --- events and search ---
    "cmd.search": "Search the last 30 days of news",
    "alert.muted": "🔕 This alert will not be updated any more.",
    "alert.muted_already": "Updates of this alert are already off.",
    "search.usage": "<b>Search the last 30 days:</b> <code>/search tungsten OR вольфрам</code>\n"
    "Same language as keyword rules: <code>\"exact phrase\"</code>, <code>prefix*</code>, "
    "<code>-word</code>, <code>OR</code>, <code>title:word</code>, <code>a NEAR/5 b</code>.",
    "search.syntax": "❌ The query was not accepted: {message}\n› {marked}\n\n"
    "/search with no query shows the syntax.",
    "search.none": "Nothing in the last 30 days matches <code>{query}</code>.",
    "search.header": "🔎 <code>{query}</code>: {count} events, newest first "
    "(page {page} of {pages})",
    "search.event": "{n}. {title}\n   {when}",
    "search.more": "{n}. {title}\n   {when} · +{more} more reports of this event",
}
