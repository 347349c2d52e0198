"""`<id:name>` in a page's URL: a database id of 1 to 18 digits, or no match (404).

Django's `<int:>` takes any number of digits, and a 30-digit id made the query overflow
(SQLite: "Python int too large"; PostgreSQL: out of range) and answer 500. Every id the
database hands out is below 2^63 - 1, which has 19 digits, so 18 digits reach every row
for ever in practice and never overflow.
"""

from __future__ import annotations

MAX_ID_DIGITS = 18


class IdConverter:
    regex = rf"[0-9]{{1,{MAX_ID_DIGITS}}}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int | str) -> str:
        return str(value)
