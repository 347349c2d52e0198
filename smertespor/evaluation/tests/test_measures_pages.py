"""The measure pages, CSV files and API: who sees what, and what is hidden from whom."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.measures import shipped_measures
from domain.suppression import Cell, column_total, derivable
from smertespor.audit.models import AuditEvent
from smertespor.evaluation.measures_models import MeasureFigure
from smertespor.evaluation.measures_services import compute_measures
from smertespor.evaluation.measures_tables import show_column
from smertespor.evaluation.tests.measures_region import MAY, build_region

pytestmark = pytest.mark.django_db
M = "?month=2026-05"


@pytest.fixture
def region(practice, other_practice, clinic):
    built = build_region(practice, other_practice, clinic)
    compute_measures(MAY)
    return built


def test_the_planner_sees_the_region_with_small_counts_hidden(region, planner, client_for):
    response = client_for(planner).get(f"/evaluation/measures/{M}")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="region-measures"' in body
    # 3 patients at 50 mg or more in the region: "< 5", and the 75 % is not shown.
    assert "&lt; 5" in body
    assert ">75<" not in body


def test_the_planners_practice_table_and_csv_hide_small_counts(
    region, planner, client_for, practice
):
    http = client_for(planner)
    page = http.get(f"/evaluation/measures/omeq_50/{M}&practice={practice.pk}")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-vega-spec="decile-spec"' in body
    assert "Risikoen for overdosis og skade stiger med dosis" in body  # why, in Danish
    # The region's total (3 of 4) is a small count too.
    total = body[body.index("<tfoot>") : body.index("</tfoot>")]
    assert "&lt; 5" in total
    assert ">3<" not in total
    csv = http.get(f"/evaluation/measures/omeq_50/{M}&format=csv")
    assert csv["Content-Type"].startswith("text/csv")
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "Organisation;Talt med;Grundlag;Tal"
    row = next(line for line in lines if line.startswith(practice.name))
    # Practice A: 2 of 3 patients at 50 mg: "< 5", the rate empty.
    assert row == f"{practice.name};< 5;< 5;"


def test_a_practice_sees_its_own_figures_in_full_and_the_region_hidden(region, gp, client_for):
    response = client_for(gp).get(f"/evaluation/measures/practice/{M}")
    assert response.status_code == 200
    body = response.content.decode()
    assert "66,7" in body  # own: 2 of 3 at 50 mg or more
    csv = client_for(gp).get(f"/evaluation/measures/practice/{M}&format=csv")
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "Mål;Enhed;Praksis;Talt med;Grundlag;Region"
    # Practice in full (66.7 %: 2 of 3), the region hidden (3 of 4: "< 5").
    assert "Opioidpatienter på mindst 50 mg OMEQ;%;66,7;2;3;" in lines


def test_a_practice_sees_only_its_own_patients_behind_a_measure_and_it_is_audited(
    region, gp, client_for
):
    a, b = region["a"], region["b"]
    response = client_for(gp).get(f"/evaluation/measures/practice/omeq_50/patients/{M}")
    assert response.status_code == 200
    body = response.content.decode()
    assert a[0].name in body and a[1].name in body  # 120 and 60 mg
    assert a[2].name not in body  # 20 mg
    assert b[0].name not in body  # the other practice's 50 mg patient
    listed = set(
        AuditEvent.objects.filter(action="listed", object_type="measure_patients").values_list(
            "patient_id", flat=True
        )
    )
    assert listed == {a[0].pk, a[1].pk}


def test_another_practice_sees_its_own_patients_not_ours(region, other_gp, client_for):
    a, b = region["a"], region["b"]
    response = client_for(other_gp).get(f"/evaluation/measures/practice/omeq_50/patients/{M}")
    body = response.content.decode()
    assert b[0].name in body
    assert a[0].name not in body and a[1].name not in body


@pytest.mark.parametrize(
    "url",
    [
        "/evaluation/measures/",
        "/evaluation/measures/omeq_50/",
        "/evaluation/measures/practices/{practice}/",
    ],
)
def test_the_planners_pages_refuse_clinicians(region, url, gp, clinic_doctor, client_for, practice):
    for user in (gp, clinic_doctor):
        response = client_for(user).get(url.format(practice=practice.pk))
        assert response.status_code == 403
        assert region["a"][0].name.encode() not in response.content


@pytest.mark.parametrize(
    "url",
    [
        "/evaluation/measures/practice/",
        "/evaluation/measures/practice/omeq_50/",
        "/evaluation/measures/practice/omeq_50/patients/",
    ],
)
def test_the_practice_pages_refuse_planners_and_clinics(
    region, url, planner, clinic_doctor, client_for
):
    for user in (planner, clinic_doctor):
        response = client_for(user).get(url)
        assert response.status_code == 403
        assert region["a"][0].name.encode() not in response.content


def test_an_unknown_measure_is_not_found(region, planner, client_for):
    assert client_for(planner).get("/evaluation/measures/no_such/").status_code == 404


def test_a_practice_outside_the_region_list_is_not_found(region, planner, client_for, clinic):
    # The clinic is not a GP practice: no drill-down.
    assert (
        client_for(planner).get(f"/evaluation/measures/practices/{clinic.pk}/").status_code == 404
    )


def test_the_pages_say_so_when_nothing_is_computed(planner, gp, client_for):
    empty = "Der er endnu ikke beregnet nogen mål"
    assert empty in client_for(planner).get("/evaluation/measures/").content.decode()
    assert empty in client_for(gp).get("/evaluation/measures/practice/").content.decode()


def test_the_minimum_denominator_is_a_setting(planner, client_for, practice, settings):
    # 8 of 8 patients: no small count, but a basis under the default minimum of 10.
    MeasureFigure.objects.create(
        measure="omeq_50",
        month=MAY,
        level="region",
        region=practice.region,
        numerator=8,
        denominator=8,
        value=100,
        hits=8,
        basis=8,
        definition_version="1",
        computed_at="2026-06-01T00:00:00Z",
    )
    http = client_for(planner)

    def omeq_50():
        body = http.get(f"/api/evaluation/measures/region{M}").json()
        return next(m for m in body["measures"] if m["code"] == "omeq_50")["region"]

    assert omeq_50() == {
        "numerator": "8",
        "denominator": "8",
        "value": None,
        "hidden": "denominator",
    }
    settings.EVALUATION_MIN_DENOMINATOR = 8
    assert omeq_50()["value"] == "100"


# --- the API ----------------------------------------------------------------------------------


def test_the_region_endpoint_is_suppressed(region, planner, client_for):
    body = client_for(planner).get(f"/api/evaluation/measures/region{M}").json()
    assert body["month"] == "2026-05"
    omeq_50 = next(m for m in body["measures"] if m["code"] == "omeq_50")
    assert omeq_50["region"] == {
        "numerator": "< 5",
        "denominator": "< 5",
        "value": None,
        "hidden": "small",
    }


def test_the_practice_endpoint_is_in_full_for_the_own_practice(region, gp, client_for, practice):
    body = client_for(gp).get(f"/api/evaluation/measures/practices/{practice.pk}{M}").json()
    omeq_50 = next(m for m in body["measures"] if m["code"] == "omeq_50")
    assert omeq_50["practice"]["numerator"] == "2"
    assert Decimal(omeq_50["practice"]["value"]).quantize(Decimal("0.01")) == Decimal("66.67")
    assert omeq_50["region"]["value"] is None


def test_the_practice_endpoint_refuses_another_practice_and_other_roles(
    region, other_gp, clinic_doctor, client_for, practice
):
    url = f"/api/evaluation/measures/practices/{practice.pk}"
    response = client_for(other_gp).get(url)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/problem+json")
    assert client_for(clinic_doctor).get(url).status_code == 403


def test_the_region_endpoint_refuses_a_clinic(region, clinic_doctor, client_for):
    response = client_for(clinic_doctor).get("/api/evaluation/measures/region")
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/problem+json")


def test_a_bad_month_is_a_problem(region, planner, client_for):
    assert (
        client_for(planner).get("/api/evaluation/measures/region?month=2026-13").status_code == 422
    )
    assert (
        client_for(planner).get("/api/evaluation/measures/region?month=2020-01").status_code == 404
    )


# --- suppression in a column ------------------------------------------------------------------


def test_a_lone_small_count_in_a_column_gets_a_partner_and_both_rates_are_hidden(region):
    measure = shipped_measures().get("omeq_50")
    assert measure is not None
    rows = [
        MeasureFigure(hits=12, basis=40, value=Decimal(30), organisation_id=1),
        MeasureFigure(hits=3, basis=40, value=Decimal("7.5"), organisation_id=2),
        MeasureFigure(hits=20, basis=40, value=Decimal(50), organisation_id=3),
    ]
    shown = show_column(measure, rows, own_organisation=None, minimum=10)
    assert [s.numerator for s in shown] == ["*", "< 5", "20"]
    assert [s.number for s in shown] == [None, None, Decimal(50)]
    # The own practice's row is shown in full, whatever the column.
    own = show_column(measure, rows, own_organisation=2, minimum=10)
    assert own[1].numerator == "3"
    assert own[1].number == Decimal("7.5")


@given(st.lists(st.tuples(st.integers(0, 30), st.integers(0, 60)), min_size=1, max_size=12))
def test_no_hidden_count_in_a_practice_column_can_be_worked_out(pairs):
    measure = shipped_measures().get("omeq_50")
    assert measure is not None
    rows = [
        MeasureFigure(hits=hits, basis=hits + extra, value=Decimal(1), organisation_id=i + 1)
        for i, (hits, extra) in enumerate(pairs)
    ]
    shown = show_column(measure, rows, own_organisation=None, minimum=10)
    cells = [Cell(None, primary=True) if s.numerator in {"< 5", "*"} else Cell(0) for s in shown]
    counts = [row.hits for row in rows]
    # The region's total is shown beside the column unless it is itself a small count.
    if not column_total(counts).hidden:
        assert derivable(counts, cells) == []
    # A figure is never shown beside a hidden count.
    assert all(s.number is None for s in shown if s.numerator in {"< 5", "*"})
