"""The small part of OData v3 query syntax the ingest sends: building `$filter`/`$select`, and
evaluating them over recorded rows.

The evaluator lets the bundled snapshot (and the test replay server) answer the very query
strings sent to CBS, so snapshot and live answers go through one code path. It understands
`eq`, `ne`, `and`, `or`, `not`, parentheses and `substringof`/`startswith`/`endswith`;
anything else is an ODataQueryError rather than a silently unfiltered answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

Row = Mapping[str, Any]
Predicate = Callable[[Row], bool]

TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:[^']|'')*')|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<punct>[(),]))"
)
FUNCTIONS = ("substringof", "startswith", "endswith")


class ODataQueryError(ValueError):
    """A $filter or $select this module does not understand."""


def quote(value: str) -> str:
    """An OData string literal."""
    return "'" + value.replace("'", "''") + "'"


def build_filter(
    equal_to: Mapping[str, str], any_of: Mapping[str, Sequence[str]], contains: Mapping[str, str]
) -> str:
    """`$filter` text: `eq` per fixed field, an `or` per list, `substringof` per contains."""
    clauses = [f"({field} eq {quote(value)})" for field, value in equal_to.items()]
    for field, values in any_of.items():
        clauses.append("(" + " or ".join(f"{field} eq {quote(value)}" for value in values) + ")")
    clauses.extend(f"substringof({quote(text)},{field})" for field, text in contains.items())
    return " and ".join(clauses)


def _tokenise(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    stripped = text.rstrip()
    while position < len(stripped):
        match = TOKEN.match(stripped, position)
        if match is None:
            raise ODataQueryError(f"cannot read $filter {text!r} at position {position}")
        kind = match.lastgroup or ""
        value = match.group(kind)
        if kind == "string":
            value = value[1:-1].replace("''", "'")
        tokens.append((kind, value))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokenise(text)
        self.position = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self, kind: str, value: str | None = None) -> str:
        token = self.peek()
        if token is None or token[0] != kind or (value is not None and token[1] != value):
            raise ODataQueryError(
                f"unsupported $filter {self.text!r}: "
                f"expected {value or kind} at token {self.position}"
            )
        self.position += 1
        return token[1]

    def is_word(self, word: str) -> bool:
        token = self.peek()
        return token is not None and token[0] == "name" and token[1].lower() == word

    def parse(self) -> Predicate:
        predicate = self.or_expression()
        if self.peek() is not None:
            raise ODataQueryError(f"unsupported $filter {self.text!r}: unexpected {self.peek()}")
        return predicate

    def or_expression(self) -> Predicate:
        parts = [self.and_expression()]
        while self.is_word("or"):
            self.position += 1
            parts.append(self.and_expression())
        return parts[0] if len(parts) == 1 else (lambda row: any(p(row) for p in parts))

    def and_expression(self) -> Predicate:
        parts = [self.unary()]
        while self.is_word("and"):
            self.position += 1
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else (lambda row: all(p(row) for p in parts))

    def unary(self) -> Predicate:
        if self.is_word("not"):
            self.position += 1
            inner = self.unary()
            return lambda row: not inner(row)
        token = self.peek()
        if token == ("punct", "("):
            self.position += 1
            inner = self.or_expression()
            self.take("punct", ")")
            return inner
        if token is not None and token[0] == "name" and token[1].lower() in FUNCTIONS:
            return self.function()
        return self.comparison()

    def function(self) -> Predicate:
        name = self.take("name").lower()
        self.take("punct", "(")
        if name == "substringof":
            needle = self.take("string")
            self.take("punct", ",")
            field = self.take("name")
        else:
            field = self.take("name")
            self.take("punct", ",")
            needle = self.take("string")
        self.take("punct", ")")
        if name == "substringof":
            return lambda row: needle in _text(row, field)
        if name == "startswith":
            return lambda row: _text(row, field).startswith(needle)
        return lambda row: _text(row, field).endswith(needle)

    def comparison(self) -> Predicate:
        field = self.take("name")
        operator = self.take("name").lower()
        value = self.take("string")
        if operator == "eq":
            return lambda row: _text(row, field) == value.strip()
        if operator == "ne":
            return lambda row: _text(row, field) != value.strip()
        raise ODataQueryError(f"unsupported $filter {self.text!r}: operator {operator!r}")


def _text(row: Row, field: str) -> str:
    if field not in row:
        raise ODataQueryError(f"$filter names {field!r}, which the rows do not have")
    # CBS pads dimension keys with spaces; compare without them.
    return str(row[field] if row[field] is not None else "").strip()


def compile_filter(text: str | None) -> Predicate:
    """A predicate over a row for an OData `$filter` (empty: every row)."""
    if not text or not text.strip():
        return lambda row: True
    return _Parser(text).parse()


def parse_select(text: str | None) -> list[str] | None:
    if not text or not text.strip():
        return None
    return [field.strip() for field in text.split(",") if field.strip()]


def apply_query(
    rows: Iterable[Row], filter_text: str | None = None, select_text: str | None = None
) -> list[dict[str, Any]]:
    """The rows an OData server answers for this $filter and $select, in their recorded order."""
    predicate = compile_filter(filter_text)
    fields = parse_select(select_text)
    result = []
    for row in rows:
        if not predicate(row):
            continue
        if fields is None:
            result.append(dict(row))
        else:
            missing = [field for field in fields if field not in row]
            if missing:
                raise ODataQueryError(
                    f"$select names {', '.join(missing)}, which the rows do not have"
                )
            result.append({field: row[field] for field in fields})
    return result
