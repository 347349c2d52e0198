"""At region scale the lists read the user's scope through indexes, never the whole region.

A region's worth of rows (300 practices, 20,000 patients, care relations and courses) is
bulk-created and ANALYZEd; then the GP patient list, the GP worklist and the clinic worklist
are rendered as their personas and every query they ran is EXPLAINed. PostgreSQL: no
sequential scan of the patients, no scan of the organisations repeated per row (the clinic
worklist's old plan), index scans on the scope. SQLite (`EXPLAIN QUERY PLAN`): every
patient or organisation row is found by an index (SEARCH), never by a SCAN of its table.

And per page: the same number of queries however many patients the region has, and no query
twice (the section count is the paginator's count).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from smertespor.tracks.worklists import CLINIC_SECTIONS, PRACTICE_SECTIONS
from tests.region_scale import ScaleRegion, add_patients, build_region

pytestmark = pytest.mark.django_db

POSTGRESQL = connection.vendor == "postgresql"
SCOPE_TABLES = ("patients_patient", "patients_carerelation")
NEVER_SCANNED = ("patients_patient", "accounts_organisation")
# Tables a page must never read whole on PostgreSQL: every patient, every course of the region
# (the clinic worklist's counts once joined all courses to the clinic's scope).
WHOLE_REGION = ("patients_patient", "tracks_course")


def _pages(region: ScaleRegion) -> list[tuple[Any, str, dict[str, str]]]:
    gp, doctor = region.gp, region.clinic_doctor
    pages: list[tuple[Any, str, dict[str, str]]] = [
        (gp, "patients:list", {"sort": sort}) for sort in ("name", "-birth_date")
    ]
    pages += [(doctor, "patients:list", {})]
    pages += [
        (gp, "tracks:practice_worklist", {"section": section.key, "sort": sort})
        for section in PRACTICE_SECTIONS
        for sort in (section.default_sort, "name")
    ]
    pages += [
        (doctor, "tracks:clinic_worklist", {"section": section.key, "sort": sort})
        for section in CLINIC_SECTIONS
        for sort in (section.default_sort, "name")
    ]
    return pages


def _render(client_for, user, url: str, params: dict[str, str]) -> list[str]:
    client = client_for(user)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse(url), params)
    assert response.status_code == 200, (url, params)
    return [query["sql"] for query in captured.captured_queries]


def _nodes(plan: dict[str, Any], repeated: bool = False):
    """Each plan node, and whether it runs once per row of another (a nested loop's inner
    side or a correlated subplan)."""
    yield plan, repeated
    for child in plan.get("Plans", []):
        per_row = child.get("Parent Relationship") == "SubPlan" or (
            plan["Node Type"] == "Nested Loop" and child.get("Parent Relationship") == "Inner"
        )
        yield from _nodes(child, repeated or per_row)


def _scope_index_names() -> set[str]:
    with connection.cursor() as cursor:
        return {
            name
            for table in SCOPE_TABLES
            for name, info in connection.introspection.get_constraints(cursor, table).items()
            if info["index"] or info["primary_key"] or info["unique"]
        }


def _postgresql_findings(queries: list[str], scope_indexes: set[str]) -> tuple[list[str], int]:
    problems, index_scans = [], 0
    for sql in queries:
        if not sql.lstrip().upper().startswith("SELECT"):
            continue
        with connection.cursor() as cursor:
            # ANALYZE (these are reads): a scan is "per row" when it actually ran more than
            # once; on a table with no rows (no discharge summary in this region) PostgreSQL
            # may plan an inner scan it then never runs.
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
            plan = cursor.fetchone()[0][0]["Plan"]
        for node, repeated in _nodes(plan):
            relation = node.get("Relation Name")
            if node["Node Type"] == "Seq Scan" and relation in WHOLE_REGION:
                problems.append(f"Seq Scan on {relation}: {sql[:200]}")
            per_row = repeated and node.get("Actual Loops", 0) > 1
            if node["Node Type"] == "Seq Scan" and relation == "accounts_organisation" and per_row:
                problems.append(f"organisations scanned per row: {sql[:200]}")
            if "Index" in node["Node Type"] and node.get("Index Name") in scope_indexes:
                index_scans += 1
    return problems, index_scans


def _sqlite_findings(queries: list[str], scope_indexes: set[str]) -> tuple[list[str], int]:
    # A SCAN of a named table, or of an aliased one (the scope's subqueries: U0, T5, ...).
    scan = re.compile(rf"^SCAN ({'|'.join(NEVER_SCANNED)}|[TU]\d+)\b")
    problems, index_scans = [], 0
    for sql in queries:
        if not sql.lstrip().upper().startswith("SELECT"):
            continue
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
            details = [row[3] for row in cursor.fetchall()]
        problems += [f"{d}: {sql[:200]}" for d in details if scan.match(d)]
        index_scans += sum(
            1 for d in details if d.startswith("SEARCH") and any(i in d for i in scope_indexes)
        )
    return problems, index_scans


def test_the_lists_read_the_scope_through_indexes_at_region_scale(client_for):
    region = build_region(practices=300, patients=20_000)
    scope_indexes = _scope_index_names()
    findings = _postgresql_findings if POSTGRESQL else _sqlite_findings
    problems: list[str] = []
    for user, url, params in _pages(region):
        found, index_scans = findings(_render(client_for, user, url, params), scope_indexes)
        problems += [f"{url} {params}: {problem}" for problem in found]
        assert index_scans > 0, (url, params)  # the scope itself is read through an index
    assert problems == []


def _selects(queries: list[str]) -> list[str]:
    return [sql for sql in queries if sql.lstrip().upper().startswith("SELECT")]


def test_a_page_runs_each_query_once_and_as_many_however_large_the_region(client_for):
    region = build_region(practices=12, patients=600, clinics=3)
    pages = _pages(region)
    before = [_render(client_for, *page) for page in pages]
    add_patients(region, 1_200)
    after = [_render(client_for, *page) for page in pages]
    for page, few, many in zip(pages, before, after, strict=True):
        assert len(many) == len(few), page
        # On SQLite each audit write numbers its row from the highest number (PostgreSQL takes
        # it from a sequence): the audit log's writes, not the page's reads.
        reads = [sql for sql in _selects(many) if '"audit_auditevent"' not in sql]
        twice = [sql[:200] for sql, n in Counter(reads).items() if n > 1]
        assert twice == [], page  # e.g. the section's count, once for the tabs, once paging


def test_the_app_s_postgresql_connections_do_not_jit_compile():
    """`-c jit=off` on every connection (config/settings.py), keeping options of the URL."""
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import config.settings as s; print(s.DATABASES['default']['OPTIONS']['options'])",
        ],
        cwd=Path(__file__).resolve().parents[3],
        env={
            **os.environ,
            "DATABASE_URL": "postgres://app@db.example/smertespor?options=-c%20statement_timeout%3D5000",
        },
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.split() == ["-c", "statement_timeout=5000", "-c", "jit=off"]
    if POSTGRESQL:  # and the test database's own connection says so
        with connection.cursor() as cursor:
            cursor.execute("SHOW jit")
            assert cursor.fetchone()[0] == "off"
