"""The discharge summary's medication: the medication list at discharge, changed in the same
step (with its history), so OMEQ at discharge is the dose the patient really takes.

The finding (issue 11): the clinic wrote the new regimen in the summary's free text while the
list, and so "OMEQ at discharge", stayed as before discharge.
"""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from smertespor.audit.models import AuditEvent
from smertespor.medication.models import CatalogueProduct, MedicationLine, OmeqSnapshot
from smertespor.medication.services import add_medication_line
from smertespor.tracks.follow_ups import LineChange, RegimenUpdate, record_follow_up
from smertespor.tracks.hospital_services import (
    accept_handover,
    activate_plan,
    add_team_member,
    assess_needs,
    complete_course,
)
from smertespor.tracks.models import Course, DischargeSummary, TimelineEvent
from smertespor.tracks.omeq import list_omeq
from smertespor.tracks.services import hand_over_early
from tests.factories import ClinicFactory, UserFactory

pytestmark = pytest.mark.django_db

LONG_AGO = timezone.localdate() - timedelta(days=200)


@pytest.fixture(autouse=True)
def _english_messages():
    # These tests read the English source messages; the UI itself is Danish by default.
    with translation.override("en"):
        yield


def _fresh(course):
    return Course.objects.get(pk=course.pk)


def _line(patient, by, product_id, strength, per_day="2", units="1"):
    return add_medication_line(
        patient=patient,
        by=by,
        product_id=product_id,
        strength=Decimal(strength),
        units_per_dose=Decimal(units),
        doses_per_day=Decimal(per_day),
        start_date=LONG_AGO,
    )


@pytest.fixture
def morphine(gp, patient):
    """Morphine depot 30 mg twice a day: 60 mg OMEQ (CDC 2022: oral morphine factor 1)."""
    return _line(patient, gp, "morphine-depot-tablet", "30")


def _planned_course(gp, clinic_doctor, patient, clinic, **visit):
    """A hospital-track course with its plan in effect (the clinic took the patient over)."""
    from smertespor.tracks.services import enrol_in_practice_track

    course = enrol_in_practice_track(
        patient=patient,
        by=gp,
        start_date=timezone.localdate() - timedelta(days=20),
        clinic_id=clinic.pk,
        baseline_peg=(6, 6, 6),
        baseline_nrs=6,
        goal_kind="stop",
        follow_up_interval_days=28,
        baseline_omeq_mg_per_day=visit.get("omeq_mg_per_day"),
    )
    record_follow_up(
        course=course,
        by=gp,
        expected_version=course.version,
        visit_on=timezone.localdate() - timedelta(days=5),
        peg=(7, 7, 7),
        nrs=7,
        **visit,
    )
    course = _fresh(course)
    hand_over_early(
        course=course, by=gp, expected_version=course.version, reason="Withdrawal at every step"
    )
    course = _fresh(course)
    hospital = accept_handover(course=course, by=clinic_doctor, expected_version=course.version)
    assess_needs(
        course=hospital,
        by=clinic_doctor,
        expected_version=hospital.version,
        disciplines=["doctor"],
        interventions=["supervised_taper"],
    )
    add_team_member(
        course=hospital, by=clinic_doctor, user_id=clinic_doctor.pk, discipline="doctor"
    )
    hospital = _fresh(hospital)
    activate_plan(
        course=hospital, by=clinic_doctor, expected_version=hospital.version, plan_note="Taper"
    )
    return _fresh(hospital)


@pytest.fixture
def planned(gp, clinic_doctor, patient, clinic, morphine):
    return _planned_course(gp, clinic_doctor, patient, clinic)


def _complete(course, by, **arguments):
    arguments.setdefault("summary", "Tapered with a CBT group")
    arguments.setdefault("recommendations", "Go on with 10 mg less every 4 weeks")
    return complete_course(course=course, by=by, expected_version=course.version, **arguments)


def _once_daily(line):
    return LineChange(line.pk, units_per_dose=Decimal(1), doses_per_day=Decimal(1))


def _unchanged(patient):
    """What must stay as it was when a discharge is refused."""
    return (
        list(MedicationLine.objects.filter(patient=patient).values().order_by("pk")),
        MedicationLine.history.filter(patient_id=patient.pk).count(),
        OmeqSnapshot.objects.filter(patient=patient).count(),
    )


# The finding, reproduced: a new regimen at discharge changes the list and the OMEQ with it.


def test_omeq_at_discharge_is_the_dose_after_the_regimen_changed_at_discharge(
    planned, clinic_doctor, patient, morphine
):
    assert list_omeq(patient).mg_per_day == Decimal(60)
    discharge = _complete(
        planned,
        clinic_doctor,
        medication_at_discharge="Morphine depot 30 mg once a day",
        regimen=RegimenUpdate(changes=(_once_daily(morphine),)),
    )
    morphine.refresh_from_db()
    assert morphine.doses_per_day == Decimal(1)
    assert discharge.omeq_at_discharge_mg_per_day == Decimal(30)
    assert discharge.omeq_at_discharge_mg_per_day == list_omeq(patient).mg_per_day
    assert _fresh(planned).status == "completed"


def test_the_change_is_on_the_list_with_its_history_and_audit(
    planned, clinic_doctor, gp, patient, morphine
):
    tramadol = _line(patient, gp, "tramadol-depot-tablet", "100", per_day="1")
    course = _fresh(planned)
    added = {
        "product_id": "oxycodone-capsule",
        "strength": Decimal(5),
        "units_per_dose": Decimal(1),
        "prn": True,
        "max_doses_per_day": Decimal(2),
    }
    discharge = _complete(
        course,
        clinic_doctor,
        regimen=RegimenUpdate(
            changes=(_once_daily(morphine),), stopped=(tramadol.pk,), added=(added,)
        ),
    )
    tramadol.refresh_from_db()
    assert tramadol.ended_on == timezone.localdate()
    assert tramadol.end_reason == "Stopped at discharge from the pain clinic."
    new = MedicationLine.objects.get(patient=patient, product_id="oxycodone-capsule")
    assert new.start_date == timezone.localdate()
    history = MedicationLine.history.filter(history_user=clinic_doctor)
    assert {(h.id, h.history_type) for h in history} == {
        (morphine.pk, "~"),
        (tramadol.pk, "~"),
        (new.pk, "+"),
    }
    assert (
        AuditEvent.objects.filter(
            user=clinic_doctor, object_type="medication_line", patient=patient
        ).count()
        == 3
    )
    assert AuditEvent.objects.filter(
        user=clinic_doctor, object_type="discharge_summary", patient=patient, action="create"
    ).exists()
    assert {c["changed"] for c in discharge.medication_changes} == {"dose", "stopped", "added"}
    event = TimelineEvent.objects.get(course=course, kind="discharge_summary")
    assert event.detail["medication_changes"] == 3


def test_omeq_at_discharge_is_the_new_list_s_omeq_with_its_table_and_working(
    planned, clinic_doctor, patient, morphine
):
    discharge = _complete(
        planned, clinic_doctor, regimen=RegimenUpdate(changes=(_once_daily(morphine),))
    )
    now = list_omeq(patient)
    snapshot = discharge.omeq_snapshot
    assert discharge.omeq_at_discharge_mg_per_day == now.mg_per_day == Decimal(30)
    assert discharge.omeq_source == "medication_list"
    assert discharge.omeq_table == now.table == f"{snapshot.table_id} {snapshot.table_version}"
    assert snapshot == OmeqSnapshot.objects.filter(patient=patient).latest("pk")
    assert snapshot.max_mg_per_day == Decimal(30)
    assert snapshot.recorded_by == clinic_doctor
    medication = discharge.medication
    assert medication["table"]["id"] == snapshot.table_id
    assert medication["table"]["version"] == snapshot.table_version
    assert medication["max_mg_per_day"] == "30"
    [row] = medication["lines"]
    assert row["line"] == morphine.pk
    assert row["doses_per_day"] == "1"
    assert (row["daily_dose"], row["factor"], row["contribution_mg_per_day"]) == ("30", "1", "30")


def test_an_unchanged_list_gives_its_own_omeq(planned, clinic_doctor, patient):
    discharge = _complete(planned, clinic_doctor)
    assert discharge.omeq_at_discharge_mg_per_day == Decimal(60)
    assert discharge.medication_changes == []


def test_a_line_stopped_at_discharge_leaves_the_patient_on_no_opioid(
    planned, clinic_doctor, morphine
):
    discharge = _complete(planned, clinic_doctor, regimen=RegimenUpdate(stopped=(morphine.pk,)))
    assert discharge.omeq_at_discharge_mg_per_day == 0
    assert discharge.medication["lines"] == []


@pytest.mark.parametrize(
    ("regimen", "omeq"),
    [
        pytest.param(
            lambda m, other: RegimenUpdate(stopped=(other.pk + 1000,)), None, id="unknown-line"
        ),
        pytest.param(
            lambda m, other: RegimenUpdate(
                changes=(LineChange(other.pk, units_per_dose=Decimal(1), doses_per_day=Decimal(1)),)
            ),
            None,
            id="another-patient-s-line",
        ),
        pytest.param(
            # Morphine depot tablets are not scored (products.csv: "Swallow whole").
            lambda m, other: RegimenUpdate(
                changes=(LineChange(m.pk, units_per_dose=Decimal("0.5"), doses_per_day=Decimal(2)),)
            ),
            None,
            id="half-an-unscored-tablet",
        ),
        pytest.param(
            lambda m, other: RegimenUpdate(
                stopped=(m.pk,),
                added=(
                    {
                        "product_id": "morphine-depot-tablet",
                        "strength": Decimal(35),
                        "units_per_dose": Decimal(1),
                        "doses_per_day": Decimal(1),
                    },
                ),
            ),
            None,
            id="a-strength-not-marketed",
        ),
        pytest.param(
            lambda m, other: RegimenUpdate(changes=(_once_daily(m),)),
            Decimal(60),
            id="an-omeq-the-new-list-contradicts",
        ),
    ],
)
def test_bad_medication_refuses_the_whole_discharge_and_changes_nothing(
    planned, clinic_doctor, patient, other_patient, other_gp, morphine, regimen, omeq
):
    other = _line(other_patient, other_gp, "morphine-depot-tablet", "10")
    before, version = _unchanged(patient), planned.version
    with pytest.raises(ValidationError):
        _complete(
            planned,
            clinic_doctor,
            regimen=regimen(morphine, other),
            omeq_mg_per_day=omeq,
        )
    assert _unchanged(patient) == before
    assert _fresh(planned).status == "plan_active"
    assert _fresh(planned).version == version
    assert not DischargeSummary.objects.exists()
    assert not TimelineEvent.objects.filter(kind__in=["complete", "discharge_summary"]).exists()


def test_a_list_the_table_cannot_convert_needs_the_omeq_entered(gp, clinic_doctor, patient, clinic):
    # A product an administrator added, of a substance no conversion table has.
    CatalogueProduct.objects.create(
        product_id="pentazocine-tablet",
        name="Pentazocin tablet",
        atc="N02AD01",
        category="opioid",
        form="tablet",
        route="oral",
        release="immediate",
        unit="mg",
        strengths="50",
        substance="pentazocine",
    )
    _line(patient, gp, "pentazocine-tablet", "50", per_day="3")
    assert list_omeq(patient).mg_per_day is None
    course = _planned_course(gp, clinic_doctor, patient, clinic, omeq_mg_per_day=Decimal(15))
    with pytest.raises(ValidationError) as refused:
        _complete(course, clinic_doctor)
    assert "omeq_mg_per_day" in refused.value.message_dict
    assert not DischargeSummary.objects.exists()
    discharge = _complete(_fresh(course), clinic_doctor, omeq_mg_per_day=Decimal(15))
    assert discharge.omeq_at_discharge_mg_per_day == Decimal(15)
    assert discharge.omeq_source == "entered"
    assert discharge.medication["is_computable"] is False
    [row] = discharge.medication["lines"]
    assert row["problems"]


def test_without_a_medication_list_the_omeq_is_entered(gp, clinic_doctor, patient, clinic):
    course = _planned_course(gp, clinic_doctor, patient, clinic, omeq_mg_per_day=Decimal(40))
    discharge = _complete(course, clinic_doctor, omeq_mg_per_day=Decimal(20))
    assert discharge.omeq_at_discharge_mg_per_day == Decimal(20)
    assert discharge.omeq_source == "entered"
    assert discharge.omeq_snapshot is None
    assert not OmeqSnapshot.objects.filter(patient=patient).exists()


# The page: prefilled from the list, changes it on submit, shows the lines with the working.


def _complete_url(course):
    return reverse("tracks:course_complete", args=[course.patient_id, course.pk])


def test_the_page_is_prefilled_with_each_current_line_of_the_list(
    planned, clinic_doctor, gp, patient, morphine, client_for
):
    tramadol = _line(patient, gp, "tramadol-depot-tablet", "100", per_day="1")
    response = client_for(clinic_doctor).get(_complete_url(planned))
    assert response.status_code == 200
    forms = {f.line.pk: f for f in response.context["line_forms"]}
    assert set(forms) == {morphine.pk, tramadol.pk}
    assert forms[morphine.pk]["doses_per_day"].value() == "2"
    assert forms[tramadol.pk]["doses_per_day"].value() == "1"
    page = response.content.decode()
    assert page.count('data-testid="discharge-line"') == 2
    assert f'name="line-{morphine.pk}-units_per_dose"' in page
    assert 'name="new-add"' in page
    assert 'data-testid="omeq-from-list"' in page


def test_the_page_keeps_a_line_as_prefilled_without_changing_it(
    planned, clinic_doctor, patient, morphine, client_for
):
    page = client_for(clinic_doctor).get(_complete_url(planned))
    prefilled = {
        f"line-{morphine.pk}-{name}": page.context["line_forms"][0][name].value() or ""
        for name in ("units_per_dose", "doses_per_day")
    }
    history = MedicationLine.history.filter(patient_id=patient.pk).count()
    response = client_for(clinic_doctor).post(
        _complete_url(planned),
        {"version": planned.version, "summary": "S", "recommendations": "R", **prefilled},
    )
    assert response.status_code == 302
    assert MedicationLine.history.filter(patient_id=patient.pk).count() == history
    discharge = DischargeSummary.objects.get()
    assert discharge.medication_changes == []
    assert discharge.omeq_at_discharge_mg_per_day == Decimal(60)


def test_the_page_changes_the_list_and_the_summary_shows_the_lines_and_their_working(
    planned, clinic_doctor, gp, patient, morphine, client_for
):
    prefix = f"line-{morphine.pk}"
    response = client_for(clinic_doctor).post(
        _complete_url(planned),
        {
            "version": planned.version,
            "summary": "Tapered",
            "recommendations": "Keep going",
            "medication_at_discharge": "Take it in the morning",
            f"{prefix}-units_per_dose": "1",
            f"{prefix}-doses_per_day": "1",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    morphine.refresh_from_db()
    assert morphine.doses_per_day == 1
    assert DischargeSummary.objects.get().omeq_at_discharge_mg_per_day == Decimal(30)
    url = reverse("tracks:course_detail", args=[patient.pk, planned.pk])
    page = client_for(gp).get(url).content.decode()
    assert 'data-testid="discharge-medication"' in page
    assert "Morfin depottablet 30 mg" in page
    assert 'data-testid="discharge-omeq"' in page
    assert "Take it in the morning" in page


def test_the_page_refuses_a_bad_dose_and_changes_nothing(
    planned, clinic_doctor, patient, morphine, client_for
):
    before = _unchanged(patient)
    prefix = f"line-{morphine.pk}"
    response = client_for(clinic_doctor).post(
        _complete_url(planned),
        {
            "version": planned.version,
            "summary": "Tapered",
            "recommendations": "Keep going",
            f"{prefix}-units_per_dose": "0.5",
            f"{prefix}-doses_per_day": "2",
        },
    )
    assert response.status_code == 422
    assert _unchanged(patient) == before
    assert _fresh(planned).status == "plan_active"


# The API twin: the same action with the same regimen changes.


def _post(client, url, body):
    """Send `body` as JSON; its `version`, if any, goes in `If-Match` (the course's ETag)."""
    body = dict(body)
    headers = {"If-Match": f'"{body.pop("version")}"'} if "version" in body else {}
    return client.post(url, json.dumps(body), content_type="application/json", headers=headers)


def _api_url(course):
    return f"/api/tracks/patients/{course.patient_id}/courses/{course.pk}/discharge-summary"


def test_the_api_takes_the_same_regimen_changes(planned, clinic_doctor, morphine, client_for):
    response = _post(
        client_for(clinic_doctor),
        _api_url(planned),
        {
            "version": planned.version,
            "summary": "Tapered",
            "recommendations": "Keep going",
            "regimen": {
                "changes": [{"line_id": morphine.pk, "units_per_dose": "1", "doses_per_day": 1}]
            },
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["omeq_at_discharge_mg_per_day"] == "30"
    assert body["omeq_source"] == "medication_list"
    assert body["omeq_table"]
    assert [line["contribution_mg_per_day"] for line in body["medication"]["lines"]] == ["30"]
    assert body["medication_changes"] == [
        {"line": morphine.pk, "product": "morphine-depot-tablet", "changed": "dose"}
    ]
    morphine.refresh_from_db()
    assert morphine.doses_per_day == 1


def test_the_api_refuses_an_unknown_line_with_a_problem_and_changes_nothing(
    planned, clinic_doctor, patient, morphine, client_for
):
    before = _unchanged(patient)
    response = _post(
        client_for(clinic_doctor),
        _api_url(planned),
        {
            "version": planned.version,
            "summary": "Tapered",
            "recommendations": "Keep going",
            "regimen": {"stopped": [morphine.pk + 1000]},
        },
    )
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert [e["field"] for e in response.json()["errors"]] == ["regimen"]
    assert _unchanged(patient) == before
    assert _fresh(planned).status == "plan_active"


# Who may: only the clinic's doctor running the course; others learn nothing about the patient.


def _assert_refused_without_patient_data(response, patient, statuses):
    assert response.status_code in statuses
    body = response.content.decode()
    assert patient.name not in body
    assert patient.cpr[:6] not in body


def test_the_wrong_role_is_refused_without_patient_data_and_nothing_changes(
    planned, clinic_nurse, gp, patient, morphine, client_for
):
    other_clinic_doctor = UserFactory(role="clinic_doctor", organisation=ClinicFactory())
    before = _unchanged(patient)
    form = {
        "version": planned.version,
        "summary": "S",
        "recommendations": "R",
        f"line-{morphine.pk}-units_per_dose": "1",
        f"line-{morphine.pk}-doses_per_day": "1",
    }
    api = {
        "version": planned.version,
        "summary": "S",
        "recommendations": "R",
        "regimen": {"stopped": [morphine.pk]},
    }
    for user, statuses in ((clinic_nurse, {403}), (gp, {403}), (other_clinic_doctor, {404})):
        client = client_for(user)
        _assert_refused_without_patient_data(client.get(_complete_url(planned)), patient, statuses)
        _assert_refused_without_patient_data(
            client.post(_complete_url(planned), form), patient, statuses
        )
        _assert_refused_without_patient_data(
            _post(client, _api_url(planned), api), patient, statuses
        )
    assert _unchanged(patient) == before
    assert _fresh(planned).status == "plan_active"


def test_the_discharge_summary_on_the_course_page_links_the_medication_list(
    planned, clinic_doctor, gp, patient, client_for
):
    _complete(planned, clinic_doctor)

    page = client_for(gp).get(reverse("tracks:course_detail", args=[patient.pk, planned.pk]))

    text = page.content.decode()
    summary = text[text.index('data-testid="discharge-summary"') :]
    assert f'href="{reverse("medication:patient", args=[patient.pk])}"' in summary


# The GP hears of the discharge summary in the app and by e-mail, which names no patient.


def test_the_gp_is_told_of_the_discharge_summary_by_a_neutral_e_mail(
    planned, clinic_doctor, gp, patient, mailoutbox, django_capture_on_commit_callbacks, settings
):
    from smertespor.notifications.models import Notification

    settings.DEFAULT_FROM_EMAIL = "smertespor@region.example"
    gp.email = "gp@example.org"
    gp.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        _complete(planned, clinic_doctor)
    notification = Notification.objects.get(recipient=gp, kind="tracks_discharge_summary")
    assert notification.url == reverse("tracks:course_detail", args=[patient.pk, planned.pk])
    [mail] = mailoutbox
    assert mail.to == ["gp@example.org"]
    assert mail.from_email == "smertespor@region.example"
    assert notification.url in mail.body
    for secret in (patient.name, patient.cpr, patient.cpr_formatted):
        assert secret not in mail.body and secret not in mail.subject
