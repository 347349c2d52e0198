"""OMEQ benchmark: 32,000 synthetic regimens, and the patient list with and without OMEQ.

    .venv/bin/python benchmarks/omeq.py [--patients 8000]

Sets up Django itself on a throwaway database (SQLite in a temporary folder, or PostgreSQL
when DATABASE_URL points at it; see _harness.py), migrated, with the demo region loaded, or
with --patients a region of that size from the region generator. Every side is timed
interleaved (A B, B A, … for 7 rounds after a warm-up; _timing.py) and printed as median and
spread, with the ratio of the medians:

1. Regimens per second (1-4 lines each, the region's estimated opioid population of 32,000)
   for the domain's `compute_omeq` and for the app's `evaluate` (which adds the translated
   warning texts), against a bare Decimal sum of dose x factor with no checks or warnings.
   The baseline must give the same maximum OMEQ as `compute_omeq`: the script checks every
   regimen first and times only those where it does (the others need the dose bands).
2. The patient list page (a GP's first page) with an OMEQ column against the same page
   without it: queries and time. The OMEQ variant is the list template with the lines
   proposed for it (`page.object_list|with_latest_omeq` and one cell); it is written to the
   temporary folder, so the benchmark works whether or not the template has them yet. Both
   pages must list the same patients (checked).
"""

from __future__ import annotations

import random
import re
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

from _harness import ROOT, arguments, make_region, setup_django
from _timing import interleaved, ratio

REGIMENS = 32_000
PAGE_ROUNDS = 15
SEED = 1082


def benchmark_regimens() -> None:
    from domain.errors import DomainError
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

    def bare_factor(line: RegimenLine) -> Decimal:
        rule = table.rule_for(line.substance_key, line.route)
        if isinstance(rule, LinearRule):
            return rule.factor
        if isinstance(rule, DoseBandedRule):
            return rule.bands[0].factor
        raise ValueError(f"{line.substance} has no factor")  # the products were chosen to have one

    def bare(lines: list[RegimenLine]) -> Decimal:
        return sum(
            (
                line.dose * (line.max_doses_per_day or line.doses_per_day or 1) * bare_factor(line)
                for line in lines
            ),
            Decimal(0),
        )

    # Like with like: only the regimens where the bare sum gives compute_omeq's maximum.
    agreeing = []
    for lines in regimens:
        try:
            result = compute_omeq(lines, table, thresholds=thresholds)
        except DomainError:
            continue
        if result.max_mg_per_day == bare(lines):
            agreeing.append(lines)
    if len(agreeing) < REGIMENS // 2:
        raise SystemExit(f"The bare sum agrees with compute_omeq on only {len(agreeing):,}.")
    line_count = sum(len(r) for r in agreeing)
    entries = [[Entry(line.label, line) for line in lines] for lines in agreeing]

    def bare_sum() -> None:
        for lines in agreeing:
            bare(lines)

    def domain() -> None:
        for lines in agreeing:
            compute_omeq(lines, table, thresholds=thresholds)

    def app() -> None:
        for regimen_entries in entries:
            evaluate(regimen_entries, version, table, thresholds=thresholds)

    timings = interleaved({"bare": bare_sum, "domain": domain, "app": app})
    base, domain_time, app_time = timings["bare"], timings["domain"], timings["app"]
    count = len(agreeing)
    print(
        f"Regimens: {count:,} of {REGIMENS:,} synthetic ({line_count:,} lines) under "
        f"{table.id} {table.version}: those where the baseline's OMEQ equals compute_omeq's"
    )
    print(f"  baseline, bare Decimal sum of dose x factor: {count / base.median:>10,.0f} /s")
    print(f"    {base.ms()} for all {count:,}")
    print(f"  compute_omeq (checks, bands, warnings):      {count / domain_time.median:>10,.0f} /s")
    print(f"    {domain_time.ms()}; {ratio(domain_time, base)} the baseline's time")
    print(f"  app evaluate (+ translated warning texts):   {count / app_time.median:>10,.0f} /s")
    print(f"    {app_time.ms()}; {ratio(app_time, base)} the baseline's time")


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
        "      <td>{% omeq_cell patient.latest_omeq %}</td>",
    ),
]


def _list_variants(text: str) -> tuple[str, str]:
    """The list template without and with the OMEQ column."""
    if "with_latest_omeq" in text:
        without = text
        for plain, with_omeq in reversed(_LINES):
            without = without.replace(with_omeq, plain)
        without = re.sub(r"\s*<(th|td)[^>]*>[^\n]*(OMEQ mg/day|omeq_cell)[^\n]*</\1>", "", without)
        return without, text
    with_omeq = text
    for plain, added in _LINES:
        if plain not in with_omeq:
            raise SystemExit(f"The patient list template has changed; cannot find: {plain}")
        with_omeq = with_omeq.replace(plain, added, 1)
    return text, with_omeq


def benchmark_patient_list(folder: Path, username: str) -> None:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    from smertespor.accounts.models import User

    source = ROOT / "smertespor" / "patients" / "templates" / "patients" / "list.html"
    variants = dict(zip(("without", "with"), _list_variants(source.read_text()), strict=True))
    client = Client()
    client.force_login(
        User.objects.get(username=username),
        backend="smertespor.accounts.backends.UserBackend",
    )
    engines = {}
    for name, template in variants.items():
        templates_dir = folder / f"templates-{name}" / "patients"
        templates_dir.mkdir(parents=True)
        (templates_dir / "list.html").write_text(template)
        engine: dict[str, Any] = {**settings.TEMPLATES[0]}
        engine["DIRS"] = [templates_dir.parent, *engine["DIRS"]]
        engines[name] = [engine, *settings.TEMPLATES[1:]]
    queries, bodies = {}, {}
    for name, templates in engines.items():
        with override_settings(TEMPLATES=templates):
            client.get("/patients/")  # warm up: template compilation, the catalogue
            with CaptureQueriesContext(connection) as captured:
                response = client.get("/patients/")
            queries[name] = len(captured)  # read now: the next request clears the query log
            if response.status_code != 200:
                raise SystemExit(f"The patient list answered {response.status_code}")
            bodies[name] = response.content.decode()
    listed = {
        name: re.findall(r'href="/patients/([0-9a-f-]{36})/"', b) for name, b in bodies.items()
    }
    if not listed["with"] or listed["with"] != listed["without"]:
        raise SystemExit("The pages with and without OMEQ list different patients.")

    def page(name: str) -> Any:
        def get() -> None:
            with override_settings(TEMPLATES=engines[name]):
                client.get("/patients/")

        return get

    timings = interleaved({n: page(n) for n in engines}, rounds=PAGE_ROUNDS)
    shown = bodies["with"].count('class="omeq-cell"')
    print(f"Patient list page ({username}, first page: {len(listed['with'])} patients):")
    print(f"  without OMEQ: {queries['without']} queries, {timings['without'].ms()}")
    print(
        f"  with OMEQ:    {queries['with']} queries, {timings['with'].ms()}"
        f"  ({shown} patients' OMEQ shown)"
    )
    print(
        f"  ratio with/without: {queries['with'] / queries['without']:.2f}x queries "
        f"(+{queries['with'] - queries['without']}), "
        f"{ratio(timings['with'], timings['without'])} time"
    )


def main() -> None:
    options = arguments(__doc__.splitlines()[0], patients=0)
    with tempfile.TemporaryDirectory(prefix="smertespor-omeq-benchmark-") as name:
        folder = Path(name)
        setup_django(folder, load_demo=not options.patients, name="omeq")
        if options.patients:
            make_region(options.patients)
        benchmark_regimens()
        benchmark_patient_list(folder, "region-gp-001-1" if options.patients else "demo-gp")


if __name__ == "__main__":
    main()
