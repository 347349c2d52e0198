"""A synthetic region's dispensing extract, vectorised with numpy and deterministic by seed.

The mix, per 1.3 million people a year (docs/screening.md): about 90,000 opioid users, of
whom about 37 % are chronic refillers (refills every days' supply x 0.7-1.3, so some stockpile
and some pause; most become long-term users) and the rest sporadic (1-3 small packs); a third
of the chronic users also redeem a benzodiazepine, z-drug or gabapentinoid on a schedule, and
4 % of everyone now and then; 8 % of chronic users collect from three practices. Every
other row (about nine in ten, ~10 rows per person-year in all) is a drug screening ignores.
About one practice per 2,900 people. Numbers are invented; nothing here is real data.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa

from domain.screening import DISPENSING_COLUMNS, product_register

ROWS_PER_PERSON_YEAR = 10
OPIOID_USER_SHARE = 90_000 / 1_300_000
CHRONIC_SHARE = 0.42
PEOPLE_PER_PRACTICE = 2_900
FIRST_DAY = datetime.date(2025, 1, 1)
_MAX_REFILLS = 40
# Background drugs (never screened): statins, ACE inhibitors, PPIs, SSRIs, antibiotics...
_BACKGROUND_ATC = (
    "C10AA05", "C09AA05", "A02BC01", "N06AB04", "J01CE02", "C07AB02", "A10BA02",
    "R03AC02", "H03AA01", "B01AC06", "M01AE01", "N02BE01", "C03CA01", "J01CA04",
)  # fmt: skip
# Chronic users' products, by catalogue id, and how often each is chosen.
_CHRONIC_PRODUCTS = {
    "tramadol-depot-tablet": 0.22,
    "oxycodone-depot-tablet": 0.2,
    "morphine-depot-tablet": 0.12,
    "codeine-paracetamol-tablet": 0.12,
    "oxycodone-capsule": 0.1,
    "tramadol-capsule": 0.1,
    "fentanyl-patch": 0.06,
    "buprenorphine-patch-7-day": 0.05,
    "tapentadol-depot-tablet": 0.03,
}
_SPORADIC_PRODUCTS = {
    "tramadol-capsule": 0.4,
    "codeine-paracetamol-tablet": 0.3,
    "oxycodone-capsule": 0.2,
    "morphine-tablet": 0.1,
}
_CO_PRODUCTS = {
    "zopiclone-tablet": 0.3,
    "diazepam-tablet": 0.2,
    "oxazepam-tablet": 0.15,
    "pregabalin-capsule": 0.2,
    "gabapentin-capsule": 0.15,
}


def pseudonym(key: bytes, cpr: str) -> str:
    """The extract's person id: HMAC-SHA256 of the 10-digit CPR under the region's key, hex."""
    return hmac.new(key, cpr.encode("ascii"), hashlib.sha256).hexdigest()


def practice_numbers(count: int) -> list[str]:
    """Synthetic 6-digit provider numbers, one per practice."""
    return [f"{100000 + 17 * i:06d}" for i in range(count)]


def generate_dispensings(
    *,
    people: int,
    years: int = 1,
    seed: int = 1,
    key: bytes = b"synthetic",
    practices: int = 0,
    first_day: datetime.date = FIRST_DAY,
    person_offset: int = 0,
) -> pa.Table:
    """The extract as an Arrow table with `DISPENSING_COLUMNS`; people are numbered from
    `person_offset` (so chunks of one region get distinct pseudonyms)."""
    if people < 1 or years < 1:
        raise ValueError("people and years must be at least 1")
    rng = np.random.default_rng(seed)
    days = 365 * years
    n_practices = practices or max(3, round(people / PEOPLE_PER_PRACTICE))
    providers = practice_numbers(n_practices)
    home = rng.integers(0, n_practices, people)
    register = product_register()

    parts: list[dict[str, np.ndarray]] = []
    users = rng.permutation(people)[: max(1, round(people * OPIOID_USER_SHARE))]
    n_chronic = round(len(users) * CHRONIC_SHARE)
    chronic, sporadic = users[:n_chronic], users[n_chronic:]
    parts.append(_refills(rng, chronic, register, _CHRONIC_PRODUCTS, days, home, n_practices))
    co_users = chronic[rng.random(len(chronic)) < 1 / 3]
    parts.append(_refills(rng, co_users, register, _CO_PRODUCTS, days, home, n_practices))
    parts.append(_sporadic(rng, sporadic, register, _SPORADIC_PRODUCTS, days, home, (1, 4)))
    occasional = rng.permutation(people)[: round(people * 0.04)]
    parts.append(_sporadic(rng, occasional, register, _CO_PRODUCTS, days, home, (1, 5)))
    relevant = sum(len(part["person"]) for part in parts)
    background = people * years * ROWS_PER_PERSON_YEAR - relevant
    parts.append(_background(rng, people, days, home, n_practices, background))

    columns = {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}
    ids = pa.array(
        [pseudonym(key, f"{i:010d}") for i in range(person_offset, person_offset + people)],
        pa.string(),
    )
    first = np.datetime64(first_day.isoformat(), "D")
    arrays: dict[str, Any] = {
        "person_id": ids.take(pa.array(columns["person"])),
        "dispensed_on": pa.array(first + columns["day"].astype("timedelta64[D]"), pa.date32()),
        "atc": pa.array(columns["atc"], pa.string()),
        "product_number": pa.array(columns["product_number"], pa.string()),
        "strength": pa.array(columns["strength"].astype("float64"), pa.float64()),
        "pack_size": pa.array(columns["pack_size"].astype("int32"), pa.int32()),
        "packs": pa.array(columns["packs"].astype("int16"), pa.int16()),
        "provider_number": pa.array(providers, pa.string()).take(pa.array(columns["practice"])),
    }
    return pa.table([arrays[name] for name in DISPENSING_COLUMNS], names=list(DISPENSING_COLUMNS))


def _choose_products(
    rng: np.random.Generator,
    count: int,
    register: Sequence[dict[str, Any]],
    weights: dict[str, float],
) -> dict[str, np.ndarray]:
    rows = [row for row in register if row["product_id"] in weights]
    p = np.array(
        [
            weights[row["product_id"]]
            / sum(1 for r in rows if r["product_id"] == row["product_id"])
            for row in rows
        ]
    )
    picked = rng.choice(len(rows), size=count, p=p / p.sum())
    return {
        "atc": np.array([row["atc"] for row in rows])[picked],
        "product_number": np.array([row["product_number"] for row in rows])[picked],
        "strength": np.array([float(row["strength"]) for row in rows])[picked],
        "is_patch": np.array([row["days_den"] == 24 for row in rows])[picked],
        "patch_days": np.array(
            [row["days_num"] / 24 if row["days_den"] == 24 else 1 for row in rows]
        )[picked],
    }


def _refills(
    rng: np.random.Generator,
    people: np.ndarray,
    register: Sequence[dict[str, Any]],
    weights: dict[str, float],
    days: int,
    home: np.ndarray,
    n_practices: int,
) -> dict[str, np.ndarray]:
    """Regular refills: one product per person, refilled about when the last pack runs out."""
    n = len(people)
    product = _choose_products(rng, n, register, weights)
    pack = np.where(product["is_patch"], rng.choice([4, 5, 10], n), rng.choice([56, 98, 100], n))
    packs = rng.choice([1, 1, 1, 2], n)
    supply = np.where(product["is_patch"], pack * packs * product["patch_days"], pack * packs / 2)
    start = rng.integers(-120, days - 30, n)
    intervals = supply[:, None] * rng.uniform(0.7, 1.3, (n, _MAX_REFILLS))
    offsets = np.concatenate([np.zeros((n, 1)), np.cumsum(intervals, axis=1)[:, :-1]], axis=1)
    when = start[:, None] + offsets.astype(np.int64)
    # Chronic users stop some time: after 2 to 40 refills.
    stops = rng.integers(2, _MAX_REFILLS + 1, n)
    keep = (when >= 0) & (when < days) & (np.arange(_MAX_REFILLS)[None, :] < stops[:, None])
    person_index, refill_index = np.nonzero(keep)
    shoppers = rng.random(n) < 0.08  # collect from three practices
    others = rng.integers(0, n_practices, (n, 2))
    choice = rng.integers(0, 3, len(person_index))
    practice = home[people[person_index]]
    is_shopping = shoppers[person_index] & (choice > 0)
    practice = np.where(is_shopping, others[person_index, np.clip(choice - 1, 0, 1)], practice)
    return {
        "person": people[person_index],
        "day": when[person_index, refill_index],
        "atc": product["atc"][person_index],
        "product_number": product["product_number"][person_index],
        "strength": product["strength"][person_index],
        "pack_size": pack[person_index],
        "packs": packs[person_index],
        "practice": practice,
    }


def _sporadic(
    rng: np.random.Generator,
    people: np.ndarray,
    register: Sequence[dict[str, Any]],
    weights: dict[str, float],
    days: int,
    home: np.ndarray,
    per_person: tuple[int, int],
) -> dict[str, np.ndarray]:
    """A few small packs now and then."""
    counts = rng.integers(per_person[0], per_person[1], len(people))
    who = np.repeat(people, counts)
    product = _choose_products(rng, len(who), register, weights)
    return {
        "person": who,
        "day": rng.integers(0, days, len(who)),
        "atc": product["atc"],
        "product_number": product["product_number"],
        "strength": product["strength"],
        "pack_size": rng.choice([10, 20, 30], len(who)),
        "packs": np.ones(len(who), dtype=np.int64),
        "practice": home[who],
    }


def _background(
    rng: np.random.Generator, people: int, days: int, home: np.ndarray, n_practices: int, rows: int
) -> dict[str, np.ndarray]:
    """Every other drug: most of the extract, never screened."""
    rows = max(rows, 0)
    # Some people redeem far more than others (a gamma-weighted choice of person).
    weight = rng.gamma(0.6, 1.0, people)
    who = rng.choice(people, size=rows, p=weight / weight.sum())
    atc = np.array(_BACKGROUND_ATC)[rng.integers(0, len(_BACKGROUND_ATC), rows)]
    numbers = np.array([f"{n:06d}" for n in range(100000, 900000, 7)])
    number = numbers[rng.integers(0, len(numbers), rows)]
    return {
        "person": who,
        "day": rng.integers(0, days, rows),
        "atc": atc,
        "product_number": number,
        "strength": rng.choice([5.0, 10.0, 20.0, 40.0, 500.0], rows),
        "pack_size": rng.choice([28, 30, 98, 100], rows),
        "packs": rng.integers(1, 3, rows),
        "practice": np.where(
            rng.random(rows) < 0.95, home[who], rng.integers(0, n_practices, rows)
        ),
    }


CHUNK_PEOPLE = 1_300_000


def write_dispensings(
    path: str, *, people: int, years: int = 1, seed: int = 1, key: bytes = b"synthetic"
) -> int:
    """Write the extract as Parquet in chunks of at most `CHUNK_PEOPLE` people (a national
    extract does not fit in memory at once); returns the number of rows."""
    import pyarrow.parquet as pq

    practices = max(3, round(people / PEOPLE_PER_PRACTICE))
    rows = 0
    writer: pq.ParquetWriter | None = None
    try:
        for chunk, offset in enumerate(range(0, people, CHUNK_PEOPLE)):
            table = generate_dispensings(
                people=min(CHUNK_PEOPLE, people - offset),
                years=years,
                seed=seed * 1000 + chunk,
                key=key,
                practices=practices,
                person_offset=offset,
            )
            if writer is None:
                writer = pq.ParquetWriter(path, table.schema)
            writer.write_table(table)
            rows += table.num_rows
    finally:
        if writer is not None:
            writer.close()
    return rows
