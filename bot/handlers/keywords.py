"""/keywords: list, add (checked, previewed, saved by a button) and remove keyword rules."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, ForceReply, InlineKeyboardMarkup, Message

from bot.callbacks import KeywordAction, KeywordDraftAction, KeywordPrompt, KeywordRemove
from bot.clock import Clock
from bot.handlers._common import show
from bot.handlers._rules import LIMITS, RuleRefused, check_rule, preview
from bot.i18n import Markup, Translator, cut
from bot.keyboards import draft_keyboard, keywords_keyboard
from storage.repositories.chats import ChatSettings
from storage.repositories.rules import RuleInfo, RuleRepository, SaveStatus
from storage.repositories.search import StorySearchRepository

GUARDED = {"admin": True, "subscribed": True}
SHOWN_RULE = 60  # characters of a rule shown in the list (50 rules must fit one message)
SHOWN_TITLE = 150
DRAFT_TTL = timedelta(days=1)
ADD_RE = re.compile(r"(?:add|добавить)(?:\s+(?P<arg>.*))?", re.S | re.I)
REMOVE_RE = re.compile(r"(?:remove|delete|del|удалить)(?:\s+(?P<arg>.*))?", re.S | re.I)


class KeywordInput(StatesGroup):
    rule = State()


def _subcommand(pattern: re.Pattern[str]) -> Any:
    def check(message: Message, command: CommandObject) -> dict[str, str] | bool:
        found = pattern.fullmatch((command.args or "").strip())
        return {"arg": (found["arg"] or "").strip()} if found else False

    return check


def list_view(tr: Translator, rules: list[RuleInfo]) -> tuple[Markup, InlineKeyboardMarkup]:
    keyboard = keywords_keyboard(tr, [r.id for r in rules])
    if not rules:
        return tr("kw.empty", usage=tr("kw.usage")), keyboard
    lines = Markup(
        "\n".join(tr("kw.line", n=n, rule=cut(r.query, SHOWN_RULE)) for n, r in enumerate(rules, 1))
    )
    return tr("kw.list", count=len(rules), limit=LIMITS.max_rules_per_chat, lines=lines), keyboard


async def keywords_list(
    message: Message,
    command: CommandObject,
    chat_settings: ChatSettings,
    rules: RuleRepository,
    tr: Translator,
) -> None:
    if command.args and command.args.strip():
        sub = cut(command.args.strip().split()[0], 30)
        await message.answer(tr("kw.unknown_sub", sub=sub))
        return
    text, keyboard = list_view(tr, await rules.list(chat_settings.id))
    await message.answer(text, reply_markup=keyboard)


async def add_rule(
    message: Message,
    raw: str,
    chat_settings: ChatSettings,
    rules: RuleRepository,
    stories: StorySearchRepository,
    tr: Translator,
    clock: Clock,
) -> None:
    """Check the rule, then show its preview with Save and Cancel (a draft holds the rule)."""
    if not raw.strip():
        await message.answer(tr("kw.usage"))
        return
    try:
        rule = check_rule(raw, tr)
    except RuleRefused as refused:
        await message.answer(refused.text)
        return
    existing = await rules.list(chat_settings.id)
    same = [n for n, r in enumerate(existing, 1) if r.query == rule]
    if same:
        await message.answer(tr("kw.duplicate", n=same[0]))
        return
    if len(existing) >= LIMITS.max_rules_per_chat:
        await message.answer(tr("kw.limit", limit=LIMITS.max_rules_per_chat))
        return
    now = clock()
    found = await preview(rule, stories, now)
    draft_id = await rules.create_draft(chat_settings.id, rule, now=now, keep_after=now - DRAFT_TTL)
    examples = Markup("")
    if found.examples:
        lines = "\n".join(
            tr("kw.preview_line", title=cut(s.title, SHOWN_TITLE)) for s in found.examples
        )
        examples = tr("kw.preview_examples", lines=Markup(lines))
    if found.capped:
        examples = Markup(examples + tr("kw.preview_capped", scanned=found.scanned))
    text = tr(
        "kw.preview", rule=rule, count=found.matched, scanned=found.scanned, examples=examples
    )
    await message.answer(text, reply_markup=draft_keyboard(tr, draft_id))


async def keywords_add(
    message: Message,
    arg: str,
    chat_settings: ChatSettings,
    rules: RuleRepository,
    stories: StorySearchRepository,
    tr: Translator,
    clock: Clock,
) -> None:
    await add_rule(message, arg, chat_settings, rules, stories, tr, clock)


async def keywords_remove(
    message: Message,
    arg: str,
    chat_settings: ChatSettings,
    rules: RuleRepository,
    tr: Translator,
) -> None:
    # str.isdigit() also takes "²" and other digits int() refuses.
    if not arg.isascii() or not arg.isdigit() or len(arg) > 6:
        await message.answer(tr("kw.remove_usage"))
        return
    number = int(arg)
    removed = await rules.remove_number(chat_settings.id, number)
    if removed is None:
        await message.answer(tr("kw.remove_missing", n=number))
        return
    await message.answer(tr("kw.removed", n=number, rule=cut(removed.query, SHOWN_RULE)))


async def draft_action(
    callback: CallbackQuery,
    callback_data: KeywordDraftAction,
    chat_settings: ChatSettings,
    rules: RuleRepository,
    tr: Translator,
    clock: Clock,
) -> None:
    draft_id = callback_data.draft_id
    if callback_data.action == KeywordAction.CANCEL:
        await rules.discard_draft(chat_settings.id, draft_id)
        await show(callback, tr("kw.cancelled"))
        await callback.answer()
        return
    outcome = await rules.save_draft(
        chat_settings.id, draft_id, now=clock(), max_rules=LIMITS.max_rules_per_chat
    )
    if outcome.status == SaveStatus.SAVED and outcome.rule is not None:
        text = tr("kw.saved", n=outcome.number, rule=outcome.rule.query)
    elif outcome.status == SaveStatus.DUPLICATE:
        text = tr("kw.duplicate", n=outcome.number)
    elif outcome.status == SaveStatus.LIMIT:
        text = tr("kw.limit", limit=LIMITS.max_rules_per_chat)
    else:
        # Pressed again after it was saved (or long after): the message already says what
        # happened, so it is left as it is.
        await callback.answer(tr.label("kw.draft_used"), show_alert=True)
        return
    await show(callback, text)
    await callback.answer()


async def remove_button(
    callback: CallbackQuery,
    callback_data: KeywordRemove,
    chat_settings: ChatSettings,
    rules: RuleRepository,
    tr: Translator,
) -> None:
    removed = await rules.remove(chat_settings.id, callback_data.rule_id)
    if removed is None:
        await callback.answer(tr.label("callback.stale"))
        return
    text, keyboard = list_view(tr, await rules.list(chat_settings.id))
    await show(callback, text, keyboard)
    await callback.answer(tr.label("kw.removed_short"))


async def prompt_button(callback: CallbackQuery, state: FSMContext, tr: Translator) -> None:
    await state.set_state(KeywordInput.rule)
    if isinstance(callback.message, Message):
        placeholder = tr.label("kw.placeholder")
        await callback.message.answer(
            tr("kw.prompt"),
            reply_markup=ForceReply(selective=True, input_field_placeholder=placeholder),
        )
    await callback.answer()


async def prompted_rule(
    message: Message,
    state: FSMContext,
    chat_settings: ChatSettings,
    rules: RuleRepository,
    stories: StorySearchRepository,
    tr: Translator,
    clock: Clock,
) -> None:
    await state.clear()
    await add_rule(message, message.text or "", chat_settings, rules, stories, tr, clock)


async def cancel_prompt(message: Message, state: FSMContext, tr: Translator) -> None:
    await state.clear()
    await message.answer(tr("kw.prompt_cancelled"))


def make_router() -> Router:
    router = Router(name=__name__)
    keywords = Command("keywords")
    router.message.register(keywords_add, keywords, _subcommand(ADD_RE), flags=GUARDED)
    router.message.register(keywords_remove, keywords, _subcommand(REMOVE_RE), flags=GUARDED)
    router.message.register(keywords_list, keywords, flags={"subscribed": True})
    router.message.register(cancel_prompt, Command("cancel"), KeywordInput.rule)
    router.message.register(
        prompted_rule, KeywordInput.rule, F.text, ~F.text.startswith("/"), flags=GUARDED
    )
    router.callback_query.register(draft_action, KeywordDraftAction.filter(), flags=GUARDED)
    router.callback_query.register(remove_button, KeywordRemove.filter(), flags=GUARDED)
    router.callback_query.register(prompt_button, KeywordPrompt.filter(), flags=GUARDED)
    return router
