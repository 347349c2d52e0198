"""Reading a region's definition file (TOML) whole: every problem found, each naming where.

The pathway (`domain.pathway`) and the referral criteria (`domain.referral_criteria`) are
files an administrator publishes. A file that does not hold together is refused whole with
every problem found (`DefinitionError.problems`), never the first one only, so the
administrator can fix the file in one go:

    reader = Reader()
    head = reader.table(load_toml(text, MyError), "pathway", "pathway")
    version = reader.text(head, "version", "pathway")
    if reader.problems:
        raise MyError(reader.problems)
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from domain.errors import DomainError

MAX_TEXT = 2000  # a guard against a pasted document in one field, not a clinical limit
MAX_FILE_CHARS = 200_000
MAX_VERSION_CHARS = 40

# English wording of the problems every definition file can have (the apps word them in
# the user's language by code; each file kind adds its own).
COMMON_PROBLEM_TEXT = {
    "not_toml": "the file is not valid TOML",
    "too_long": "the file is too long",
    "missing": "is missing",
    "not_text": "must be a text",
    "empty": "must not be empty",
    "text_too_long": "is too long",
    "not_list": "must be a list",
    "not_table": "must be a table",
    "not_integer": "must be a whole number",
    "duplicate": "is used twice",
    "bad_code": "must be lowercase letters, digits, - and _ (at most 40)",
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a file: where (`stages[2].owner`), a code, and the value found."""

    where: str
    code: str
    value: str = ""

    def message(self, texts: Mapping[str, str]) -> str:
        text = texts.get(self.code, self.code)
        return f"{self.where}: {text}" + (f" ({self.value})" if self.value else "")


class DefinitionError(DomainError):
    """A definition file refused, with every problem found."""

    code = "invalid_definition"
    texts: ClassVar[Mapping[str, str]] = COMMON_PROBLEM_TEXT

    def __init__(self, problems: list[Problem] | tuple[Problem, ...]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(p.message(self.texts) for p in self.problems))


def is_code(value: str) -> bool:
    return 0 < len(value) <= 40 and all(c.islower() or c.isdigit() or c in "-_" for c in value)


def load_toml(text: str, error: type[DefinitionError]) -> dict[str, Any]:
    """The parsed document; `error` with the one problem when it is too long or not TOML."""
    if len(text) > MAX_FILE_CHARS:
        raise error([Problem("file", "too_long", str(len(text)))])
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as decode_error:
        raise error([Problem("file", "not_toml", str(decode_error))]) from decode_error


class Reader:
    """Collects problems while reading a parsed TOML document."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, where: str, code: str, value: object = "") -> None:
        self.problems.append(Problem(where, code, str(value)[:80]))

    def table(self, data: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
        value = data.get(key)
        if value is None:
            self.add(where, "missing")
            return {}
        if not isinstance(value, dict):
            self.add(where, "not_table")
            return {}
        return value

    def tables(self, data: Mapping[str, Any], key: str, where: str = "") -> list[Mapping[str, Any]]:
        value = data.get(key)
        at = f"{where}.{key}" if where else key
        if value is None:
            self.add(at, "missing")
            return []
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.add(at, "not_list")
            return []
        return value

    def entries(
        self, data: Mapping[str, Any], key: str, *, empty: str
    ) -> list[tuple[str, Mapping[str, Any]]]:
        """The tables of the list `key`, each with where it is (`key[0]`); an empty list is
        the problem `empty`."""
        raw = self.tables(data, key)
        if key in data and not raw and isinstance(data.get(key), list):
            self.add(key, empty)
        return [(f"{key}[{i}]", entry) for i, entry in enumerate(raw)]

    def unique(self, seen: set[str], code: str, where: str) -> None:
        """A code used twice in one list is the problem `duplicate` at its second place."""
        if code and code in seen:
            self.add(where, "duplicate", code)
        seen.add(code)

    def text(self, data: Mapping[str, Any], key: str, where: str, *, required: bool = True) -> str:
        value = data.get(key)
        at = f"{where}.{key}" if where else key
        if value is None:
            if required:
                self.add(at, "missing")
            return ""
        if not isinstance(value, str):
            self.add(at, "not_text")
            return ""
        value = value.strip()
        if required and not value:
            self.add(at, "empty")
        if len(value) > MAX_TEXT:
            self.add(at, "text_too_long")
        return value

    def version(self, data: Mapping[str, Any], key: str, where: str) -> str:
        """A file's version: a short text, the one a repeated publication is refused by."""
        value = self.text(data, key, where)
        if len(value) > MAX_VERSION_CHARS:
            self.add(f"{where}.{key}" if where else key, "text_too_long")
        return value

    def code(self, data: Mapping[str, Any], key: str, where: str) -> str:
        value = self.text(data, key, where)
        if value and not is_code(value):
            self.add(f"{where}.{key}", "bad_code", value)
        return value

    def texts(self, data: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
        value = data.get(key, [])
        at = f"{where}.{key}"
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.add(at, "not_list")
            return ()
        for i, item in enumerate(value):
            if not item.strip():
                self.add(f"{at}[{i}]", "empty")
            elif len(item) > MAX_TEXT:
                self.add(f"{at}[{i}]", "text_too_long")
        return tuple(v.strip() for v in value)

    def integer(self, data: Mapping[str, Any], key: str, where: str) -> int | None:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(f"{where}.{key}", "not_integer", value)
            return None
        return value
