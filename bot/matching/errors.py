"""Errors of the rule language, with messages in Russian and English.

Each error has a stable ``code`` and ``params`` so the bot may translate it from its own
catalogue; ``message(lang)`` gives the built-in text ("ru" or anything else for English).
"""

from __future__ import annotations

from typing import Any

from bot.errors import C5watchError

_MESSAGES: dict[str, tuple[str, str]] = {
    # code: (English, Russian)
    "empty": ("The rule is empty.", "Правило пустое."),
    "too_long": (
        "The rule is too long: at most {limit} characters.",
        "Правило слишком длинное: не больше {limit} символов.",
    ),
    "too_many_terms": (
        "Too many words: at most {limit} per rule.",
        "Слишком много слов: не больше {limit} в одном правиле.",
    ),
    "too_deep": (
        "Too many nested parentheses: at most {limit} levels.",
        "Слишком глубокая вложенность скобок: не больше {limit} уровней.",
    ),
    "too_many_rules": (
        "Too many rules: at most {limit} per chat.",
        "Слишком много правил: не больше {limit} на чат.",
    ),
    "expected_term": (
        'Expected a word, a "phrase" or "(" but found {found}.',
        "Ожидалось слово, «фраза» в кавычках или «(», а встретилось: {found}.",
    ),
    "expected_rparen": (
        'Expected ")" to close the "(" but found {found}.',
        "Ожидалась «)», закрывающая скобку, а встретилось: {found}.",
    ),
    "unexpected": ("Unexpected {found}.", "Здесь не ожидалось: {found}."),
    "unclosed_quote": ('The quote " is not closed.', 'Кавычка " не закрыта.'),
    "empty_phrase": ("The phrase in quotes is empty.", "Фраза в кавычках пустая."),
    "bad_near": (
        "NEAR needs a distance from 1 to {limit}, as in: a NEAR/5 b.",
        "После NEAR нужно расстояние от 1 до {limit}, например: a NEAR/5 b.",
    ),
    "near_operand": (
        "NEAR joins words, phrases or prefixes, not excluded words.",
        "NEAR соединяет слова, фразы или начала слов, но не исключённые слова.",
    ),
    "short_prefix": (
        "A prefix before * needs at least {limit} letters.",
        "Перед * нужно не меньше {limit} букв.",
    ),
    "bad_star": (
        "* may only end a single word, as in: литиев*.",
        "* ставится только в конце одного слова, например: литиев*.",
    ),
    "unknown_field": (
        "Unknown field {field}; only title: is supported.",
        "Неизвестное поле {field}; поддерживается только title:.",
    ),
    "no_positive": (
        "The rule needs at least one word that is not excluded.",
        "В правиле нужно хотя бы одно слово без исключения (минуса).",
    ),
    "unknown_alias": (
        "{text} is not a known alias group.",
        "{text} — неизвестная группа синонимов.",
    ),
    "no_word": (
        "{text} has no letters or digits to search for.",
        "В {text} нет букв или цифр для поиска.",
    ),
}

_END = ("the end of the rule", "конец правила")


class RuleSyntaxError(C5watchError, ValueError):
    """A rule was refused. ``position`` is the 0-based character offset it points at."""

    def __init__(self, code: str, position: int, **params: Any) -> None:
        self.code = code
        self.position = position
        self.params = params
        super().__init__(self.message("en"))

    def message(self, lang: str | None = "en") -> str:
        """The message in Russian (``lang`` starting with "ru") or English, with the place."""
        ru = bool(lang) and str(lang).lower().startswith("ru")
        template = _MESSAGES[self.code][1 if ru else 0]
        params = dict(self.params)
        if params.get("found") is None:
            params["found"] = _END[1 if ru else 0]
        text = template.format(**params)
        where = "позиция" if ru else "position"
        return f"{text} ({where} {self.position + 1})"


class RuleLimitError(RuleSyntaxError):
    """A chat already has as many rules as the limits allow."""
