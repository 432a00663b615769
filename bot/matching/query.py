"""The rule language: limits, AST and a recursive-descent parser.

    query   := or_expr
    or_expr := and_expr ("OR" and_expr)*
    and_expr:= unary ("AND"? unary)*          space means AND
    unary   := ("-" | "NOT") unary | near
    near    := primary ("NEAR" ["/" N] primary)*
    primary := ["title:"] ( "(" or_expr ")" | '"phrase"' | word | prefix* )

Words match every inflected form; a quoted phrase matches its words in order, each in any
form. Operators are upper case (OR/ИЛИ, NOT/НЕ, AND, NEAR); no raw regular expressions.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, replace

from bot.matching._lexer import Tok, lex
from bot.matching.aliases import ALIAS_MARK
from bot.matching.document import Normaliser
from bot.matching.errors import RuleSyntaxError
from bot.matching.normalise import fold, prepare, raw_tokens


@dataclass(frozen=True)
class QueryLimits:
    """Bounds that keep every user rule cheap to parse, index and evaluate."""

    max_length: int = 300
    max_terms: int = 20
    max_depth: int = 5
    max_rules_per_chat: int = 50
    max_near: int = 20
    min_prefix: int = 3


TOPIC_LIMITS = QueryLimits(max_length=20_000, max_terms=1_000, max_depth=10)


@dataclass(frozen=True)
class Word:
    text: str
    keys: frozenset[str]
    title: bool = False


@dataclass(frozen=True)
class Words:
    """Plain words under one OR merged into one set test (made by the index, not the parser);
    ``texts`` maps each key to the word as written."""

    keys: frozenset[str]
    texts: tuple[tuple[str, str], ...]
    title: bool = False


@dataclass(frozen=True)
class Phrase:
    text: str
    seq: tuple[frozenset[str], ...]
    title: bool = False


@dataclass(frozen=True)
class Prefix:
    text: str
    prefix: str
    title: bool = False


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    child: Node


@dataclass(frozen=True)
class Near:
    left: Node
    right: Node
    distance: int


Atom = Word | Phrase | Prefix
Node = Word | Words | Phrase | Prefix | And | Or | Not | Near


@dataclass(frozen=True)
class Query:
    """A parsed rule: its source text and its syntax tree."""

    text: str
    root: Node


_default: Normaliser | None = None
_default_lock = threading.Lock()


def default_normaliser() -> Normaliser:
    """The process-wide normaliser (and its cache), created on first use."""
    global _default
    if _default is None:
        with _default_lock:
            if _default is None:
                _default = Normaliser()
    return _default


def parse_query(
    text: str, limits: QueryLimits | None = None, normaliser: Normaliser | None = None
) -> Query:
    """Parse a rule or raise ``RuleSyntaxError`` pointing at the offending position."""
    limits = limits or QueryLimits()
    if len(text) > limits.max_length:
        raise RuleSyntaxError("too_long", limits.max_length, limit=limits.max_length)
    if not text.strip():
        raise RuleSyntaxError("empty", 0)
    parser = _Parser(lex(text), limits, normaliser or default_normaliser())
    root = parser.parse()
    if not _has_positive(root):
        raise RuleSyntaxError("no_positive", 0)
    return Query(text, root)


def _has_positive(node: Node) -> bool:
    if isinstance(node, Not):
        return False
    if isinstance(node, And):
        return any(_has_positive(c) for c in node.children)
    if isinstance(node, Or):
        return all(_has_positive(c) for c in node.children)
    return True


_UNARY_START = {"MINUS", "NOT", "LPAREN", "PHRASE", "WORD", "FIELD"}


class _Parser:
    def __init__(self, toks: list[Tok], limits: QueryLimits, norm: Normaliser) -> None:
        self.toks = toks
        self.i = 0
        self.limits = limits
        self.norm = norm
        self.depth = 0
        self.atoms = 0

    def peek(self) -> Tok:
        return self.toks[self.i]

    def take(self) -> Tok:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def parse(self) -> Node:
        node = self.or_expr()
        tok = self.peek()
        if tok.kind != "END":
            raise RuleSyntaxError("unexpected", tok.pos, found=tok.shown())
        return node

    def or_expr(self) -> Node:
        children = [self.and_expr()]
        while self.peek().kind == "OR":
            self.take()
            children.append(self.and_expr())
        return children[0] if len(children) == 1 else Or(tuple(children))

    def and_expr(self) -> Node:
        children = [self.unary()]
        while True:
            kind = self.peek().kind
            if kind == "AND":
                self.take()
                children.append(self.unary())
            elif kind in _UNARY_START:
                children.append(self.unary())
            else:
                break
        return children[0] if len(children) == 1 else And(tuple(children))

    def unary(self) -> Node:
        if self.peek().kind in ("MINUS", "NOT"):
            self.take()
            return Not(self.unary())
        return self.near()

    def near(self) -> Node:
        start = self.peek().pos
        node = self.primary()
        while self.peek().kind == "NEAR":
            tok = self.take()
            if tok.value is None or not 1 <= int(tok.value) <= self.limits.max_near:
                raise RuleSyntaxError("bad_near", tok.pos, limit=self.limits.max_near)
            right_pos = self.peek().pos
            right = self.primary()
            for operand, pos in ((node, start), (right, right_pos)):
                if not _near_operand(operand):
                    raise RuleSyntaxError("near_operand", pos)
            node = Near(node, right, int(tok.value))
        return node

    def primary(self) -> Node:
        tok = self.take()
        if tok.kind == "FIELD":
            if tok.value != "title":
                raise RuleSyntaxError("unknown_field", tok.pos, field=f'"{tok.value}:"')
            return _in_title(self.primary())
        if tok.kind == "LPAREN":
            self.depth += 1
            if self.depth > self.limits.max_depth:
                raise RuleSyntaxError("too_deep", tok.pos, limit=self.limits.max_depth)
            node = self.or_expr()
            close = self.take()
            if close.kind != "RPAREN":
                raise RuleSyntaxError("expected_rparen", close.pos, found=close.shown())
            self.depth -= 1
            return node
        if tok.kind == "PHRASE":
            return self.atom(tok, phrase=True)
        if tok.kind == "WORD":
            return self.atom(tok, phrase=False)
        raise RuleSyntaxError("expected_term", tok.pos, found=tok.shown())

    def atom(self, tok: Tok, phrase: bool) -> Node:
        self.atoms += 1
        if self.atoms > self.limits.max_terms:
            raise RuleSyntaxError("too_many_terms", tok.pos, limit=self.limits.max_terms)
        text = str(tok.value)
        if not phrase and "*" in text:
            return self.prefix(tok, text)
        if text.startswith(ALIAS_MARK):
            if text not in self.norm.alias_groups:
                raise RuleSyntaxError("unknown_alias", tok.pos, text=f'"{text}"')
            return Word(text, frozenset((text,)))
        raws = raw_tokens(prepare(text))
        if not raws:
            code = "empty_phrase" if phrase and not text.strip() else "no_word"
            raise RuleSyntaxError(code, tok.pos, text=f'"{text}"')
        keyed = [self.norm.query_keys(raw) for raw in raws]
        if len(keyed) == 1:
            return Word(text, keyed[0][1])
        seq = tuple(keys for _, keys in keyed)
        canonical = self.norm.aliases.canonical_of_phrase(seq)
        if canonical is not None:
            return Word(text, frozenset((canonical,)))
        return Phrase(text, seq)

    def prefix(self, tok: Tok, text: str) -> Node:
        base = text[:-1]
        raws = raw_tokens(prepare(base))
        if not text.endswith("*") or "*" in base or len(raws) != 1 or raws[0] != base:
            raise RuleSyntaxError("bad_star", tok.pos)
        folded = fold(raws[0])
        if len(folded) < self.limits.min_prefix or not re.search(r"[^\W\d_]", folded):
            raise RuleSyntaxError("short_prefix", tok.pos, limit=self.limits.min_prefix)
        return Prefix(text, folded)


def _near_operand(node: Node) -> bool:
    if isinstance(node, Word | Phrase | Prefix | Near):
        return True
    return isinstance(node, Or) and all(_near_operand(c) for c in node.children)


def _in_title(node: Node) -> Node:
    if isinstance(node, Word | Phrase | Prefix):
        return replace(node, title=True)
    if isinstance(node, And):
        return And(tuple(_in_title(c) for c in node.children))
    if isinstance(node, Or):
        return Or(tuple(_in_title(c) for c in node.children))
    if isinstance(node, Not):
        return Not(_in_title(node.child))
    if isinstance(node, Near):
        return Near(_in_title(node.left), _in_title(node.right), node.distance)
    return replace(node, title=True)
