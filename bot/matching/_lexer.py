"""Splits a rule into tokens for the parser, each with its character position."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.matching.errors import RuleSyntaxError

_QUOTES = {'"': '"', "«": "»", "“": '”"', "„": '“"'}
_STOP = set(" \t\r\n()") | set(_QUOTES) | {"»", "”"}
_OPERATORS = {"OR": "OR", "ИЛИ": "OR", "AND": "AND", "NOT": "NOT", "НЕ": "NOT"}
_FIELD = re.compile(r"([^\W\d_]+):(.*)", re.DOTALL)
_NEAR = re.compile(r"NEAR(?:/(\d{1,4})?)?")


@dataclass(frozen=True, slots=True)
class Tok:
    kind: str  # LPAREN RPAREN PHRASE WORD FIELD OR AND NOT MINUS NEAR END
    pos: int
    value: str | None = None

    def shown(self) -> str | None:
        """How the token is quoted in an error message (None at the end of the rule)."""
        if self.kind == "END":
            return None
        if self.kind == "PHRASE":
            return f'"{self.value}"'
        if self.kind == "FIELD":
            return f'"{self.value}:"'
        return f'"{self.value}"' if self.value is not None else f'"{self.kind}"'


def lex(text: str) -> list[Tok]:
    toks: list[Tok] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch in "()":
            toks.append(Tok("LPAREN" if ch == "(" else "RPAREN", i, ch))
            i += 1
        elif ch in _QUOTES:
            end = min((text.find(c, i + 1) for c in _QUOTES[ch] if c in text[i + 1 :]), default=-1)
            if end < 0:
                raise RuleSyntaxError("unclosed_quote", i)
            toks.append(Tok("PHRASE", i, text[i + 1 : end]))
            i = end + 1
        elif ch in "»”":
            raise RuleSyntaxError("unexpected", i, found=f'"{ch}"')
        elif ch == "-" and i + 1 < n and not text[i + 1].isspace() and text[i + 1] != "-":
            toks.append(Tok("MINUS", i, "-"))
            i += 1
        else:
            j = i
            while j < n and text[j] not in _STOP:
                j += 1
            toks.extend(_lexeme(text[i:j], i))
            i = j
    toks.append(Tok("END", n))
    return toks


def _lexeme(word: str, pos: int) -> list[Tok]:
    if word in _OPERATORS:
        return [Tok(_OPERATORS[word], pos, word)]
    near = _NEAR.fullmatch(word)
    if near:
        if "/" not in word:
            return [Tok("NEAR", pos, "5")]
        return [Tok("NEAR", pos, near.group(1))]
    field = _FIELD.fullmatch(word)
    if field:
        name, rest = field.groups()
        toks = [Tok("FIELD", pos, name.casefold())]
        if rest:
            toks.extend(_lexeme(rest, pos + len(name) + 1))
        return toks
    if word.startswith("NEAR/"):
        return [Tok("NEAR", pos, None)]
    return [Tok("WORD", pos, word)]
