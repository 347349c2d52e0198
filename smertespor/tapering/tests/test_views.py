"""The pages: the GP's path from the list to an active plan, bad input next to its field
(nothing saved, never a 500), and who may see and change what."""

from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from domain.catalogue import Catalogue, Product
from smertespor.audit.models import AuditEvent
from smertespor.medication.selectors import current_catalogue
from smertespor.tapering.models import TaperPlan
from smertespor.tapering.services import create_taper_plan
from smertespor.tapering.tests.conftest import add_line, form_data

pytestmark = pytest.mark.django_db


def _english(client):
    client.post(reverse("set_language"), {"language": "en"})
    return client


def test_the_gp_goes_from_the_medication_list_to_an_active_plan(
    client_for, gp, patient, morphine_list, url
):
    http = client_for(gp)
    medication = http.get(reverse("medication:patient", args=[patient.pk])).content.decode()
    assert url("plan_create", patient) in medication
    page = http.get(url("plan_create", patient))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'value="10"' in body and 'value="28"' in body  # the defaults: 10 % every 28 days
    assert "taper-steps" in body  # the default plan is previewed straight away
    response = http.post(url("plan_create", patient), form_data(submit="activate"))
    plan = TaperPlan.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("plan_detail", patient, plan)
    assert plan.status == "active"
    detail = http.get(response["Location"]).content.decode()
    assert "<svg" in detail and url("plan_handout", patient, plan) in detail


def test_the_live_preview_renders_the_plan_and_saves_nothing(
    client_for, gp, patient, morphine_list, url
):
    response = client_for(gp).post(
        url("plan_preview", patient), form_data(step_percent="20"), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "taper-steps" in body and 'hx-swap-oob="true"' in body
    assert TaperPlan.objects.count() == 0


@pytest.mark.parametrize(
    ("changes", "field", "text"),
    [
        ({"step_percent": "0"}, "step_percent", "above 0 % and at most 50 %"),
        ({"step_percent": "60"}, "step_percent", "above 0 % and at most 50 %"),
        ({"interval_days": "0"}, "interval_days", "at least 1 day"),
        ({"start_date": "2025-12-01"}, "start_date", "too far in the past"),
        (
            {"target_kind": "omeq", "target_omeq_mg_per_day": "150"},
            "target_omeq_mg_per_day",
            "is not below the current 100 mg OMEQ/day",
        ),
        (
            {"target_kind": "omeq", "target_omeq_mg_per_day": "3"},
            "target_omeq_mg_per_day",
            "the smallest marketed strength is 10 mg",
        ),
        (
            {
                "target_kind": "dose",
                "target_product_id": "morphine-depot-tablet",
                "target_daily_amount": "90",
            },
            "target_daily_amount",
            "is not below the current 60 mg",
        ),
        ({"pause_step": "40", "pause_extra_days": "7"}, "pause_step", "touches no step"),
        ({"pause_step": "2"}, "pause_extra_days", "at least 1 extra day"),
        (
            {"pause_first_day": "2026-04-01", "pause_last_day": "2026-03-01"},
            "pause_last_day",
            "cannot end before it begins",
        ),
        ({"target_kind": "omeq"}, "target_omeq_mg_per_day", "Give a target of 0 or more"),
        ({"target_kind": "dose", "target_daily_amount": "20"}, "target_product_id", "the product"),
        ({"slow_down_below_percent": "100"}, "slow_down_below_percent", "below 100 %"),
        ({"reduce_first": "morphine-tablet", "step_percent": "0"}, "step_percent", "above 0 %"),
    ],
)
def test_bad_input_is_explained_next_to_its_field_and_nothing_is_saved(
    client_for, gp, patient, morphine_list, url, changes, field, text
):
    http = _english(client_for(gp))
    response = http.post(url("plan_create", patient), form_data(submit="activate", **changes))
    assert response.status_code == 422  # refused, as the API answers it
    errors = response.context["form"].errors
    assert field in errors, errors
    assert text in " ".join(errors[field]), errors[field]
    assert TaperPlan.objects.count() == 0
    preview = http.post(url("plan_preview", patient), form_data(**changes), HTTP_HX_REQUEST="true")
    assert preview.status_code == 422
    assert f'id="errors-{field}"' in preview.content.decode()
    assert text in " ".join(preview.context["form"].errors[field])


def test_a_strength_no_longer_marketed_is_named_with_the_marketed_ones(
    client_for, gp, patient, url
):
    add_line(patient, "morphine-depot-tablet", "5")  # Contalgin 5 mg was withdrawn
    http = _english(client_for(gp))
    body = http.post(url("plan_create", patient), form_data(submit="draft")).content.decode()
    assert "is not marketed as 5 mg" in body
    assert "10 / 30 / 60 / 100 / 200 mg" in body
    assert TaperPlan.objects.count() == 0


def test_a_product_with_no_marketed_strengths_is_refused_by_name(client_for, gp, patient, url):
    add_line(patient, "morphine-depot-tablet", "30")
    shipped = current_catalogue()
    depot = shipped.by_id("morphine-depot-tablet")
    bare = Product(**{**depot.__dict__, "strengths": ()})
    others = tuple(p for p in shipped if p.id != depot.id)
    catalogue = Catalogue(shipped.info, (*others, bare))
    http = _english(client_for(gp))
    with mock.patch("smertespor.tapering.services.current_catalogue", return_value=catalogue):
        body = http.post(url("plan_create", patient), form_data(submit="draft")).content.decode()
    assert "has no marketed strengths" in body
    assert TaperPlan.objects.count() == 0


def test_an_empty_list_says_there_is_nothing_to_taper(client_for, gp, patient, url):
    http = _english(client_for(gp))
    response = http.get(url("plan_create", patient))
    assert response.status_code == 200
    assert "no opioid to taper" in response.content.decode()


def test_a_line_taken_one_and_a_half_times_a_day_asks_for_the_times(client_for, gp, patient, url):
    line = add_line(patient, "morphine-depot-tablet", "30", per_day="1.5")
    http = _english(client_for(gp))
    body = http.get(url("plan_create", patient)).content.decode()
    assert "has no dose at any time of day" in body
    data = form_data(
        submit="draft", **{f"line_{line.pk}_morning": "1", f"line_{line.pk}_evening": "0.5"}
    )
    assert http.post(url("plan_create", patient), data).status_code == 422  # not splittable
    data[f"line_{line.pk}_evening"] = "1"
    assert http.post(url("plan_create", patient), data).status_code == 302


def test_status_changes_go_through_the_page(client_for, gp, patient, morphine_list, url, pace):
    plan = create_taper_plan(patient=patient, by=gp, pace=pace())
    http = client_for(gp)
    http.post(url("plan_status", patient, plan), {"action": "activate", "version": 1})
    plan.refresh_from_db()
    assert plan.status == "active"
    refused = _english(http).post(
        url("plan_status", patient, plan), {"action": "abandon", "version": 2}
    )
    assert refused.status_code == 422
    assert "Give a reason." in refused.content.decode()
    plan.refresh_from_db()
    assert plan.status == "active"  # refused: no reason
    http.post(
        url("plan_status", patient, plan),
        {"action": "abandon", "reason": "Moved away", "version": 2},
    )
    plan.refresh_from_db()
    assert plan.status == "abandoned"


def test_the_adjustment_page_makes_a_new_active_version(
    client_for, gp, patient, morphine_list, url, pace
):
    plan = create_taper_plan(patient=patient, by=gp, pace=pace(), activate=True)
    http = client_for(gp)
    assert http.get(url("plan_adjust", patient, plan)).status_code == 200
    version = plan.version
    refused = http.post(
        url("plan_adjust", patient, plan), form_data(step_percent="5", version=version)
    )
    assert refused.status_code == 422 and "reason" in refused.context["form"].errors
    data = form_data(step_percent="5", reason="Slower, please", version=version)
    response = http.post(url("plan_adjust", patient, plan), data)
    assert response.status_code == 302
    new = TaperPlan.objects.get(status="active")
    assert new.previous_plan == plan
    assert http.get(url("plan_detail", patient, plan)).status_code == 200


@pytest.mark.parametrize(
    "name", ["plan_handout", "plan_handout_pdf", "plan_summary", "plan_calendar"]
)
def test_every_export_is_audited_as_an_export(
    client_for, gp, patient, morphine_list, url, pace, name
):
    plan = create_taper_plan(patient=patient, by=gp, pace=pace(), activate=True)
    response = client_for(gp).get(url(name, patient, plan))
    assert response.status_code == 200
    assert AuditEvent.objects.filter(action="export", patient=patient, user=gp).count() == 1


@pytest.mark.parametrize(
    "name",
    [
        "patient_plans",
        "plan_create",
        "plan_detail",
        "plan_handout",
        "plan_handout_pdf",
        "plan_calendar",
        "plan_adjust",
    ],
)
def test_a_gp_of_another_practice_finds_nothing(
    client_for, gp, other_gp, patient, morphine_list, url, pace, name
):
    plan = create_taper_plan(patient=patient, by=gp, pace=pace(), activate=True)
    needs_plan = name not in {"patient_plans", "plan_create"}
    response = client_for(other_gp).get(url(name, patient, plan if needs_plan else None))
    assert response.status_code == 404
    assert patient.name.encode() not in response.content
    assert patient.cpr[:6].encode() not in response.content


@pytest.mark.parametrize("persona", ["planner", "practice_nurse", "clinic_nurse"])
def test_roles_that_may_not_make_plans_are_refused_without_patient_data(
    request, client_for, gp, patient, morphine_list, url, pace, persona
):
    plan = create_taper_plan(patient=patient, by=gp, pace=pace())
    http = client_for(request.getfixturevalue(persona))
    for response in (
        http.get(url("plan_create", patient)),
        http.post(url("plan_status", patient, plan), {"action": "activate"}),
        http.post(url("plan_preview", patient), form_data()),
        http.post(url("plan_adjust", patient, plan), form_data(reason="Slower")),
    ):
        assert response.status_code == 403
        assert patient.name.encode() not in response.content
        assert patient.cpr[:6].encode() not in response.content
    plan.refresh_from_db()
    assert plan.status == "draft"


def test_a_plan_of_another_patient_is_not_found_through_this_patient(
    client_for, gp, patient, morphine_list, url, pace, practice
):
    from tests.factories import PatientFactory

    neighbour = PatientFactory.create(listed_practice=practice)
    add_line(neighbour, "morphine-depot-tablet", "30")
    plan = create_taper_plan(patient=neighbour, by=gp, pace=pace())
    assert client_for(gp).get(url("plan_detail", patient, plan)).status_code == 404


def test_the_patient_page_shows_the_plan_in_force_with_its_chart(
    client_for, gp, patient, morphine_list, url, pace
):
    plan = create_taper_plan(patient=patient, by=gp, pace=pace(), activate=True)
    body = client_for(gp).get(reverse("patients:detail", args=[patient.pk])).content.decode()
    assert url("plan_detail", patient, plan) in body
    assert 'class="planned"' in body


def _rows_for(patient):
    return list(
        AuditEvent.objects.filter(patient=patient)
        .exclude(action="listed")
        .values_list("action", "object_type")
    )


@pytest.mark.parametrize(
    ("method", "data"),
    [("get", None), ("post", {"submit": "preview"})],
    ids=["the form page", "the form posted for a new preview"],
)
def test_one_look_at_the_plan_form_writes_one_audit_row(
    client_for, gp, patient, morphine_list, url, method, data
):
    http = client_for(gp)
    before = len(_rows_for(patient))
    if method == "get":
        response = http.get(url("plan_create", patient))
    else:
        response = http.post(url("plan_create", patient), form_data(**data))
    assert response.status_code == 200
    assert "taper-steps" in response.content.decode()  # the preview was shown
    assert len(_rows_for(patient)) - before == 1


def test_the_live_preview_writes_one_audit_row(client_for, gp, patient, morphine_list, url):
    before = len(_rows_for(patient))
    http = client_for(gp)
    with CaptureQueriesContext(connection) as captured:
        http.post(url("plan_preview", patient), form_data(), HTTP_HX_REQUEST="true")
    assert len(_rows_for(patient)) - before == 1
    # ... and reads the patient once (the preview uses the view's instance).
    patient_reads = [q for q in captured.captured_queries if 'FROM "patients_patient"' in q["sql"]]
    assert len(patient_reads) == 1


def test_a_preview_of_a_form_with_errors_still_logs_the_read(
    client_for, gp, patient, morphine_list, url
):
    """The partial shows the patient's medication lines next to the errors: a read."""
    before = len(_rows_for(patient))
    response = client_for(gp).post(
        url("plan_preview", patient), form_data(step_percent="0"), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 422
    assert len(_rows_for(patient)) - before == 1


def test_with_a_plan_in_force_the_pages_offer_adjust_not_a_new_plan(
    client_for, gp, patient, morphine_list, url, pace
):
    plan = create_taper_plan(patient=patient, by=gp, pace=pace(), activate=True)
    http = client_for(gp)
    adjust = url("plan_adjust", patient, plan)
    medication = http.get(reverse("medication:patient", args=[patient.pk])).content.decode()
    assert adjust in medication
    assert url("plan_create", patient) not in medication
    plans = http.get(url("patient_plans", patient)).content.decode()
    assert adjust in plans
    assert url("plan_create", patient) not in plans


def test_the_new_plan_form_explains_the_plan_in_force_and_links_adjust(
    client_for, gp, patient, morphine_list, url, pace
):
    plan = create_taper_plan(patient=patient, by=gp, pace=pace(), activate=True)
    http = client_for(gp)
    page = http.get(url("plan_create", patient))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Patienten har allerede en nedtrapningsplan i kraft" in body
    assert url("plan_adjust", patient, plan) in body
    assert 'id="plan-form"' not in body  # no form that could only fail on save
    refused = http.post(url("plan_create", patient), form_data(submit="activate"))
    assert refused.status_code == 422
    assert list(TaperPlan.objects.values_list("pk", flat=True)) == [plan.pk]
