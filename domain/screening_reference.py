"""The screening pipeline of `domain.screening` written twice more, as baselines that must give
identical output (checked by `result_checksum`): vectorised pandas (`screen_with_pandas`) and a
plain per-person Python loop (`screen_with_loop`). Neither is used by the application; the
tests and `benchmarks/screening.py` compare them with the DuckDB pipeline.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd  # type: ignore[import-untyped]

from domain.omeq.tables import ConversionTable
from domain.screening import (
    DISPENSING_COLUMNS,
    OMEQ_SCALE,
    OPIOID,
    STRENGTH_SCALE,
    ScreeningResult,
    ScreeningSettings,
    Source,
    normalise_eras,
    normalise_persons,
    reference_frame,
)

_ORDER = ["person_id", "substance", "day", "supply", "omeq", "provider_number"]


def _read(source: Source, product_numbers: list[str]) -> tuple[pd.DataFrame, int]:
    if isinstance(source, pd.DataFrame):
        return source, len(source)
    path = str(source)
    if path.endswith(".parquet"):
        import pyarrow.parquet as pq

        rows = pq.ParquetFile(path).metadata.num_rows
        frame = pd.read_parquet(path, filters=[("product_number", "in", product_numbers)])
        return frame, rows
    frame = pd.read_csv(path, dtype={"product_number": str, "provider_number": str})
    frame["dispensed_on"] = pd.to_datetime(frame["dispensed_on"])
    return frame, len(frame)


def screen_with_pandas(
    source: Source, table: ConversionTable, settings: ScreeningSettings | None = None
) -> ScreeningResult:
    settings = settings or ScreeningSettings()
    reference = reference_frame(table, settings)
    raw, rows_read = _read(source, reference["product_number"].tolist())
    d = raw[list(DISPENSING_COLUMNS)].merge(reference, on="product_number", how="inner")
    units = d["pack_size"].astype("int64") * d["packs"].astype("int64")
    day = pd.to_datetime(d["dispensed_on"]).to_numpy().astype("datetime64[D]").astype("int64")
    d["day"] = day
    d["supply"] = (units * d["days_num"] + d["days_den"] - 1) // d["days_den"]
    strength = np.round(d["strength"].astype("float64") * STRENGTH_SCALE).astype("int64")
    d["omeq"] = (
        pd.Series(strength * units, index=d.index).astype("Int64")
        * d["factor_scaled"]
        * d["omeq_hours"]
    )
    d = d.sort_values(_ORDER, kind="stable", na_position="first").reset_index(drop=True)
    keys = [d["person_id"], d["substance"]]
    s_cum = d.groupby(keys, sort=False)["supply"].cumsum()
    if settings.carry_over:
        lead = d["day"] - (s_cum - d["supply"])
        span_end = s_cum + lead.groupby(keys, sort=False).cummax()
    else:
        span_end = d["day"] + d["supply"]
    d["span_end"] = span_end
    d["span_start"] = span_end - d["supply"]
    prev_end = d.groupby(keys, sort=False)["span_end"].cummax().groupby(keys, sort=False).shift(1)
    is_new = prev_end.isna() | (d["span_start"] - prev_end > settings.grace_days)
    d["era_no"] = is_new.astype("int64").groupby(keys, sort=False).cumsum()

    grouped = d.groupby(["person_id", "substance", "era_no"], sort=False)
    eras = grouped.agg(
        drug_class=("drug_class", "first"),
        era_start=("span_start", "min"),
        era_end=("span_end", "max"),
        dispensings=("day", "size"),
        omeq_sum=("omeq", "sum"),
        omeq_count=("omeq", "count"),
        is_short_acting=("is_short_acting", "all"),
    ).reset_index()
    eras["era_days"] = eras["era_end"] - eras["era_start"]
    complete = eras["omeq_count"] == eras["dispensings"]
    eras["omeq_total"] = eras["omeq_sum"].astype("Int64").where(complete, pd.NA)
    is_opioid = eras["drug_class"] == OPIOID
    daily = (eras["omeq_total"] * 100) // (eras["era_days"] * OMEQ_SCALE)
    eras["daily_omeq_centi"] = daily.where(is_opioid, pd.NA)

    opioid = eras[is_opioid]
    per_person = opioid.groupby("person_id").agg(
        opioid_eras=("era_days", "size"),
        longest_era_days=("era_days", "max"),
        max_daily_omeq_centi=("daily_omeq_centi", "max"),
    )
    scheduled = (
        opioid["is_short_acting"]
        & (opioid["era_days"] >= settings.schedule_days)
        & (opioid["dispensings"] >= settings.schedule_min_dispensings)
    )
    per_person["has_scheduled_short_acting"] = scheduled.groupby(opioid["person_id"]).any()

    co = eras.loc[~is_opioid, ["person_id", "era_start", "era_end"]]
    pairs = opioid[["person_id", "era_start", "era_end"]].merge(co, on="person_id")
    shared = np.minimum(pairs["era_end_x"], pairs["era_end_y"]) - np.maximum(
        pairs["era_start_x"], pairs["era_start_y"]
    )
    overlapping = set(pairs.loc[shared >= settings.min_overlap_days, "person_id"])

    opioid_rows = d[d["drug_class"] == OPIOID]
    n_practices = opioid_rows.groupby("person_id")["provider_number"].nunique()
    latest = opioid_rows.sort_values(
        ["person_id", "day", "provider_number"], ascending=[True, False, True], kind="stable"
    ).drop_duplicates("person_id")
    per_person["provider_number"] = latest.set_index("person_id")["provider_number"]
    per_person["is_long_term"] = per_person["longest_era_days"] > settings.long_term_days
    per_person["is_high_dose"] = (
        per_person["max_daily_omeq_centi"] >= settings.high_dose_centi
    ).fillna(False)
    per_person["has_comedication"] = per_person.index.isin(overlapping)
    per_person["has_several_prescribers"] = n_practices >= settings.several_prescribers
    persons = per_person.reset_index()
    return ScreeningResult(
        eras=normalise_eras(eras),
        persons=normalise_persons(persons),
        rows_read=rows_read,
        rows_screened=len(d),
        table=f"{table.id} {table.version}",
    )


_LOOP_COLUMNS = tuple(name for name in DISPENSING_COLUMNS if name != "atc")  # the loop's use


def screen_with_loop(
    source: Source, table: ConversionTable, settings: ScreeningSettings | None = None
) -> ScreeningResult:
    """One person at a time, one dispensing at a time: the obvious program."""
    settings = settings or ScreeningSettings()
    reference = {
        row["product_number"]: row for row in reference_frame(table, settings).to_dict("records")
    }
    # The columns as plain Python lists, walked row by row: every row is looked at in Python
    # (as a program reading the file line by line would), but a row of another drug costs one
    # dictionary look-up, not a dict of eight boxed values (pandas' to_dict("records") made the
    # loop spend ~80 % of its time boxing rows it then skipped, flattering the ratio to DuckDB).
    if isinstance(source, pd.DataFrame):
        columns = [source[name].tolist() for name in _LOOP_COLUMNS]
        rows_read = len(source)
    else:
        import pyarrow.parquet as pq

        data = pq.read_table(Path(source), columns=list(_LOOP_COLUMNS))
        columns = [data.column(name).to_pylist() for name in _LOOP_COLUMNS]
        rows_read = data.num_rows
    by_person: dict[str, list[dict[str, Any]]] = defaultdict(list)
    epoch = datetime.date(1970, 1, 1)
    for person_id, dispensed_on, product_number, strength, pack_size, packs, practice in zip(
        *columns, strict=True
    ):
        ref = reference.get(product_number)
        if ref is None:
            continue
        if isinstance(dispensed_on, datetime.datetime):  # pandas' Timestamp is one
            dispensed_on = dispensed_on.date()
        units = int(pack_size) * int(packs)
        factor = ref["factor_scaled"]
        by_person[person_id].append(
            {
                "day": (dispensed_on - epoch).days,
                "supply": (units * ref["days_num"] + ref["days_den"] - 1) // ref["days_den"],
                "omeq": None
                if factor is pd.NA or factor is None
                else round(float(strength) * STRENGTH_SCALE)
                * units
                * int(factor)
                * ref["omeq_hours"],
                "provider_number": practice,
                "substance": ref["substance"],
                "drug_class": ref["drug_class"],
                "is_short_acting": bool(ref["is_short_acting"]),
            }
        )
    era_rows: list[dict[str, Any]] = []
    person_rows: list[dict[str, Any]] = []
    for person_id, rows in by_person.items():
        eras = _person_eras(person_id, rows, settings)
        era_rows += eras
        person = _person_flags(person_id, rows, eras, settings)
        if person:
            person_rows.append(person)
    eras_frame = pd.DataFrame(era_rows, columns=list(_ERA_KEYS))
    persons = pd.DataFrame(person_rows, columns=list(_PERSON_KEYS))
    return ScreeningResult(
        eras=normalise_eras(eras_frame),
        persons=normalise_persons(persons),
        rows_read=rows_read,
        rows_screened=sum(len(rows) for rows in by_person.values()),
        table=f"{table.id} {table.version}",
    )


_ERA_KEYS = (
    "person_id",
    "substance",
    "drug_class",
    "era_start",
    "era_end",
    "era_days",
    "dispensings",
    "omeq_total",
    "daily_omeq_centi",
    "is_short_acting",
)
_PERSON_KEYS = (
    "person_id",
    "provider_number",
    "opioid_eras",
    "longest_era_days",
    "max_daily_omeq_centi",
    "is_long_term",
    "is_high_dose",
    "has_comedication",
    "has_several_prescribers",
    "has_scheduled_short_acting",
)


def _person_eras(
    person_id: str, rows: list[dict[str, Any]], settings: ScreeningSettings
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    substances = sorted({row["substance"] for row in rows})
    for substance in substances:
        mine = [row for row in rows if row["substance"] == substance]
        mine.sort(
            key=lambda r: (
                r["day"],
                r["supply"],
                -1 if r["omeq"] is None else r["omeq"],
                r["provider_number"],
            )
        )
        era: dict[str, Any] | None = None
        supply_end: int | None = None
        for row in mine:
            start = row["day"]
            if settings.carry_over and supply_end is not None:
                start = max(start, supply_end)  # stockpiled units are used up first
            end = start + row["supply"]
            if era is None or start - era["era_end"] > settings.grace_days:
                era = {
                    "person_id": person_id,
                    "substance": substance,
                    "drug_class": row["drug_class"],
                    "era_start": start,
                    "era_end": end,
                    "dispensings": 0,
                    "omeq_total": 0,
                    "is_short_acting": True,
                }
                out.append(era)
            era["era_end"] = max(era["era_end"], end)
            era["dispensings"] += 1
            if row["omeq"] is None or era["omeq_total"] is None:
                era["omeq_total"] = None
            else:
                era["omeq_total"] += row["omeq"]
            era["is_short_acting"] = era["is_short_acting"] and row["is_short_acting"]
            supply_end = end if supply_end is None else max(supply_end, end)
    for era in out:
        era["era_days"] = era["era_end"] - era["era_start"]
        total = era["omeq_total"]
        is_opioid = era["drug_class"] == OPIOID
        era["daily_omeq_centi"] = (
            total * 100 // (era["era_days"] * OMEQ_SCALE)
            if is_opioid and total is not None
            else None
        )
    return out


def _person_flags(
    person_id: str,
    rows: list[dict[str, Any]],
    eras: list[dict[str, Any]],
    settings: ScreeningSettings,
) -> dict[str, Any] | None:
    opioid = [era for era in eras if era["drug_class"] == OPIOID]
    if not opioid:
        return None
    co = [era for era in eras if era["drug_class"] != OPIOID]
    opioid_rows = [row for row in rows if row["drug_class"] == OPIOID]
    latest = min(opioid_rows, key=lambda r: (-r["day"], r["provider_number"]))
    doses = [era["daily_omeq_centi"] for era in opioid if era["daily_omeq_centi"] is not None]
    top = max(doses) if doses else None
    longest = max(era["era_days"] for era in opioid)
    return {
        "person_id": person_id,
        "provider_number": latest["provider_number"],
        "opioid_eras": len(opioid),
        "longest_era_days": longest,
        "max_daily_omeq_centi": top,
        "is_long_term": longest > settings.long_term_days,
        "is_high_dose": top is not None and top >= settings.high_dose_centi,
        "has_comedication": any(
            min(o["era_end"], c["era_end"]) - max(o["era_start"], c["era_start"])
            >= settings.min_overlap_days
            for o in opioid
            for c in co
        ),
        "has_several_prescribers": len({r["provider_number"] for r in opioid_rows})
        >= settings.several_prescribers,
        "has_scheduled_short_acting": any(
            era["is_short_acting"]
            and era["era_days"] >= settings.schedule_days
            and era["dispensings"] >= settings.schedule_min_dispensings
            for era in opioid
        ),
    }
