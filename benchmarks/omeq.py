"""OMEQ benchmark: 32,000 synthetic regimens, and the patient list with and without OMEQ.

    .venv/bin/python benchmarks/omeq.py

Sets up Django itself on a throwaway SQLite database in a temporary folder (migrated, with
the demo region loaded). Every figure is printed against a baseline measured in the same run:

1. Regimens per second (1-4 lines each, the region's estimated opioid population of 32,000)
   for the domain's `compute_omeq` and for the app's `evaluate` (which adds the translated
   warning texts), against a bare Decimal sum of dose x factor with no checks or warnings.
2. The patient list page (the demo GP's first page) with an OMEQ column against the same
   page without it: queries and median time. The OMEQ variant is the list template with the
   lines proposed for it (`page.object_list|with_latest_omeq` and one cell); it is written
   to the temporary folder, so the benchmark works whether or not the template has them yet.
"""

from __future__ import annotations

import random
import re
import statistics
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

from _harness import ROOT, setup_django, timed

REGIMENS = 32_000
PAGE_RUNS = 40
SEED = 1082


def benchmark_regimens() -> None:
    from domain.omeq import DoseBandedRule, LinearRule, RegimenLine, Route, compute_omeq
    from smertespor.medication.calculation import Entry, evaluate, omeq_thresholds
    from smertespor.medication.regimens import regimen_line
    from smertespor.medication.selectors import current_catalogue
    from smertespor.medication.table_selectors import active_table_version, domain_table

    version = active_table_version()
    table = domain_table(version)
    thresholds = omeq_thresholds()
    products = [
        p
        for p in current_catalogue().opioids()
        if not p.is_substitution
        and isinstance(table.rule_for(p.substance, Route(p.route)), LinearRule | DoseBandedRule)
    ]
    rng = random.Random(SEED)  # synthetic data, the same every run
    regimens = []
    for _ in range(REGIMENS):
        lines = []
        for _line in range(rng.randint(1, 4)):
            product = rng.choice(products)
            is_patch = product.route == "transdermal"
            prn = not is_patch and rng.random() < 0.2
            lines.append(
                regimen_line(
                    product,
                    strength=rng.choice(product.strengths).amount,
                    units_per_dose=Decimal(rng.choice((1, 1, 2))),
                    doses_per_day=None if is_patch or prn else Decimal(rng.randint(1, 4)),
                    prn=prn,
                    max_doses_per_day=Decimal(rng.randint(2, 4)) if prn else None,
                    indication="pain",
                )
            )
        regimens.append(lines)
    line_count = sum(len(r) for r in regimens)

    def bare_factor(line: RegimenLine) -> Decimal:
        rule = table.rule_for(line.substance_key, line.route)
        if isinstance(rule, LinearRule):
            return rule.factor
        if isinstance(rule, DoseBandedRule):
            return rule.bands[0].factor
        raise ValueError(f"{line.substance} has no factor")  # the products were chosen to have one

    def bare_sum() -> None:
        for lines in regimens:
            sum(
                (
                    line.dose
                    * (line.max_doses_per_day or line.doses_per_day or 1)
                    * bare_factor(line)
                    for line in lines
                ),
                Decimal(0),
            )

    def domain() -> None:
        for lines in regimens:
            compute_omeq(lines, table, thresholds=thresholds)

    entries = [[Entry(line.label, line) for line in lines] for lines in regimens]

    def app() -> None:
        for regimen_entries in entries:
            evaluate(regimen_entries, version, table, thresholds=thresholds)

    baseline = timed(bare_sum)
    domain_time = timed(domain)
    app_time = timed(app)
    print(f"Regimens: {REGIMENS:,} ({line_count:,} lines) under {table.id} {table.version}")
    print(f"  baseline, bare Decimal sum of dose x factor:  {REGIMENS / baseline:>10,.0f} /s")
    print(
        f"  compute_omeq (checks, bands, warnings):       {REGIMENS / domain_time:>10,.0f} /s"
        f"  ({domain_time / baseline:.1f}x the baseline's time)"
    )
    print(
        f"  app evaluate (+ translated warning texts):    {REGIMENS / app_time:>10,.0f} /s"
        f"  ({app_time / baseline:.1f}x the baseline's time)"
    )
    print(f"  all {REGIMENS:,} regimens through compute_omeq take {domain_time:.2f} s")


# The patient list's OMEQ column, as proposed for smertespor/patients/templates/patients/list.html.
_LINES = [
    ("{% load i18n %}", "{% load i18n medication %}"),
    (
        "{% for patient in page.object_list %}",
        "{% for patient in page.object_list|with_latest_omeq %}",
    ),
    (
        '<th scope="col">{% translate "Listed practice" %}</th>',
        '<th scope="col">{% translate "Listed practice" %}</th>\n'
        '      <th scope="col">{% translate "OMEQ mg/day" %}</th>',
    ),
    (
        "<td>{{ patient.listed_practice.name }}</td>",
        "<td>{{ patient.listed_practice.name }}</td>\n"
        '      <td>{% include "medication/_omeq_cell.html" with omeq=patient.latest_omeq %}</td>',
    ),
]


def _list_variants(text: str) -> tuple[str, str]:
    """The list template without and with the OMEQ column."""
    if "with_latest_omeq" in text:
        without = text
        for plain, with_omeq in reversed(_LINES):
            without = without.replace(with_omeq, plain)
        without = re.sub(r"\s*<(th|td)[^>]*>[^\n]*(OMEQ mg/day|_omeq_cell)[^\n]*</\1>", "", without)
        return without, text
    with_omeq = text
    for plain, added in _LINES:
        if plain not in with_omeq:
            raise SystemExit(f"The patient list template has changed; cannot find: {plain}")
        with_omeq = with_omeq.replace(plain, added, 1)
    return text, with_omeq


def benchmark_patient_list(folder: Path) -> None:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    from smertespor.accounts.models import User

    source = ROOT / "smertespor" / "patients" / "templates" / "patients" / "list.html"
    variants = dict(zip(("without", "with"), _list_variants(source.read_text()), strict=True))
    client = Client()
    client.force_login(
        User.objects.get(username="demo-gp"),
        backend="django.contrib.auth.backends.ModelBackend",
    )
    results = {}
    for name, template in variants.items():
        templates_dir = folder / f"templates-{name}" / "patients"
        templates_dir.mkdir(parents=True)
        (templates_dir / "list.html").write_text(template)
        engine: dict[str, Any] = {**settings.TEMPLATES[0]}
        engine["DIRS"] = [templates_dir.parent, *engine["DIRS"]]
        with override_settings(TEMPLATES=[engine, *settings.TEMPLATES[1:]]):
            client.get("/patients/")  # warm up: template compilation, the catalogue
            with CaptureQueriesContext(connection) as queries:
                response = client.get("/patients/")
            query_count = len(queries)  # read now: the next request clears the query log
            if response.status_code != 200:
                raise SystemExit(f"The patient list answered {response.status_code}")
            body = response.content.decode()
            times = []
            for _ in range(PAGE_RUNS):
                times.append(timed(lambda: client.get("/patients/")))
        results[name] = (query_count, statistics.median(times), body)
    queries_without, time_without, _body = results["without"]
    queries_with, time_with, body_with = results["with"]
    shown = body_with.count('class="omeq-cell"')
    print("Patient list page (demo GP, first page):")
    print(f"  without OMEQ: {queries_without} queries, median {time_without * 1000:.1f} ms")
    print(
        f"  with OMEQ:    {queries_with} queries, median {time_with * 1000:.1f} ms"
        f"  ({shown} patients' OMEQ shown)"
    )
    print(
        f"  ratio with/without: {queries_with / queries_without:.2f}x queries "
        f"(+{queries_with - queries_without}), {time_with / time_without:.2f}x time"
    )


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="smertespor-omeq-benchmark-") as name:
        folder = Path(name)
        setup_django(folder, load_demo=True)
        benchmark_regimens()
        benchmark_patient_list(folder)


if __name__ == "__main__":
    main()
