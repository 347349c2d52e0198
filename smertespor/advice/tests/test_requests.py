"""Advice requests: asking, who sees what, the conversation, response time and close-out."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from smertespor.accounts.models import Role
from smertespor.advice.models import AdviceMessage, AdviceRequest, Status
from smertespor.advice.services import flag_overdue_requests, reply_to_advice_request
from smertespor.advice.tests.factories import answered, ask
from smertespor.audit.models import AuditEvent
from smertespor.medication.models import MedicationLine
from smertespor.notifications.models import Notification
from smertespor.patients.models import CareRelation
from tests.factories import ClinicFactory, UserFactory

pytestmark = pytest.mark.django_db
CPH = ZoneInfo("Europe/Copenhagen")


def version_of(advice_request):
    """The request's version as it is now, as the page's hidden field would carry it."""
    return {"version": AdviceRequest.objects.get(pk=advice_request.pk).version}


def at(year, month, day, hour, minute):
    return dt.datetime(year, month, day, hour, minute, tzinfo=CPH)


def body_of(response):
    return response.content.decode()


# --- asking ---------------------------------------------------------------------------------


def test_a_gp_asks_a_general_question_without_patient_data(client_for, gp, clinic, clinic_nurse):
    response = client_for(gp).post(
        reverse("advice:create"),
        {
            "subject": "Gabapentinoids with opioids",
            "question": "When is the combination acceptable?",
            "category": "alternatives",
            "urgency": "routine",
        },
    )
    advice_request = AdviceRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("advice:detail", args=[advice_request.pk])
    assert advice_request.patient is None
    assert advice_request.snapshot == {}
    assert advice_request.clinic == clinic
    assert advice_request.status == Status.NEW
    assert Notification.objects.filter(recipient=clinic_nurse, kind="advice_new_request").exists()


def test_asking_about_a_patient_freezes_medication_and_omeq_and_opens_the_care_relation(
    client_for, gp, patient, clinic, clinic_nurse
):
    MedicationLine.objects.create(
        patient=patient,
        product_id="morphine-depot-tablet",
        strength=30,
        units_per_dose=1,
        doses_per_day=2,
        start_date="2024-01-01",
    )
    assert (
        client_for(clinic_nurse).get(reverse("patients:detail", args=[patient.pk])).status_code
        == 404
    )

    response = client_for(gp).post(
        reverse("advice:create_for_patient", args=[patient.pk]),
        {
            "subject": "Taper plan",
            "question": "How fast?",
            "category": "taper_strategy",
            "urgency": "urgent",
        },
    )

    assert response.status_code == 302
    advice_request = AdviceRequest.objects.get()
    assert advice_request.patient == patient
    medication = advice_request.snapshot["medication"]
    assert medication["omeq"]["scheduled_mg_per_day"] == "60"
    assert medication["lines"][0]["omeq_mg_per_day"] == "60"
    assert CareRelation.objects.filter(
        patient=patient, organisation=clinic, reason="advice_request", closed_at=None
    ).exists()
    assert AuditEvent.objects.filter(
        patient=patient, action="create", object_type="advice_request"
    ).exists()
    # The clinic now sees the patient and the request, with the snapshot.
    detail = client_for(clinic_nurse).get(reverse("advice:detail", args=[advice_request.pk]))
    assert detail.status_code == 200
    assert patient.name in body_of(detail)
    assert medication["lines"][0]["product"] in body_of(detail)
    # Later changes to the medication list do not change what was asked about.
    MedicationLine.objects.filter(patient=patient).update(doses_per_day=3)
    advice_request.refresh_from_db()
    assert advice_request.snapshot["medication"]["omeq"]["scheduled_mg_per_day"] == "60"


def test_the_ask_form_shows_the_snapshot_that_will_be_sent(client_for, gp, patient, clinic):
    response = client_for(gp).get(reverse("advice:create_for_patient", args=[patient.pk]))
    assert response.status_code == 200
    assert 'data-testid="snapshot"' in body_of(response)
    assert AuditEvent.objects.filter(patient=patient, object_type="advice_request_form").exists()


def test_a_gp_cannot_ask_about_another_practices_patient(client_for, gp, other_patient, clinic):
    response = client_for(gp).post(
        reverse("advice:create_for_patient", args=[other_patient.pk]),
        {"subject": "x", "question": "y", "category": "other", "urgency": "routine"},
    )
    assert response.status_code == 404
    assert other_patient.name not in body_of(response)
    assert not AdviceRequest.objects.exists()
    assert not CareRelation.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("question", "", "This field is required"),
        ("question", "   ", "This field is required"),
        ("question", "x" * 10_001, "at most 10000 characters"),
        ("subject", "x" * 201, "at most 200 characters"),
        ("category", "astrology", "Select a valid choice"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_saved(
    client_for, gp, clinic, field, value, message
):
    data = {"subject": "S", "question": "Q", "category": "other", "urgency": "routine"}
    data[field] = value
    with pytest.MonkeyPatch.context():
        response = client_for(gp).post(reverse("advice:create"), data)
    assert response.status_code == 422
    assert message in body_of(response)
    assert not AdviceRequest.objects.exists()
    assert not Notification.objects.exists()


def test_a_secretary_cannot_ask_for_advice(client_for, practice, clinic):
    secretary = UserFactory(role=Role.SECRETARY, organisation=practice)
    assert client_for(secretary).get(reverse("advice:create")).status_code == 403


# --- who sees what --------------------------------------------------------------------------


def test_a_gp_sees_only_their_own_practices_requests(
    client_for, gp, other_gp, practice_nurse, clinic
):
    own = ask(gp, subject="Our question")
    theirs = ask(other_gp, subject="Their question")

    listing = body_of(client_for(gp).get(reverse("advice:list")))
    assert "Our question" in listing
    assert "Their question" not in listing
    # The practice nurse shares the practice's requests.
    assert (
        client_for(practice_nurse).get(reverse("advice:detail", args=[own.pk])).status_code == 200
    )
    refused = client_for(gp).get(reverse("advice:detail", args=[theirs.pk]))
    assert refused.status_code == 404
    assert "Their question" not in body_of(refused)
    assert AuditEvent.objects.filter(
        action="refused", object_type="advice_request", object_id=str(theirs.pk)
    ).exists()


def test_a_practice_user_reading_another_practices_patient_request_sees_nothing(
    client_for, gp, other_gp, patient, clinic
):
    advice_request = ask(gp, patient=patient, subject="Oxycodone after knee surgery")
    response = client_for(other_gp).get(reverse("advice:detail", args=[advice_request.pk]))
    assert response.status_code == 404
    assert patient.name not in body_of(response)
    assert "Oxycodone after knee surgery" not in body_of(response)
    assert AuditEvent.objects.filter(
        action="refused", patient=patient, object_type="advice_request"
    ).exists()


def test_the_clinic_sees_only_requests_sent_to_it(client_for, gp, clinic, clinic_nurse):
    other_clinic = ClinicFactory.create()
    ours = ask(gp, subject="To our clinic", clinic=clinic)
    theirs = ask(gp, subject="To the other clinic", clinic=other_clinic)
    listing = body_of(client_for(clinic_nurse).get(reverse("advice:list")))
    assert "To our clinic" in listing
    assert "To the other clinic" not in listing
    assert client_for(clinic_nurse).get(reverse("advice:detail", args=[ours.pk])).status_code == 200
    assert (
        client_for(clinic_nurse).get(reverse("advice:detail", args=[theirs.pk])).status_code == 404
    )


def test_planners_see_only_counts(client_for, planner, gp, clinic, clinic_nurse):
    advice_request = answered(gp, clinic_nurse, subject="Secret subject")
    client = client_for(planner)
    assert client.get(reverse("advice:list")).status_code == 403
    assert client.get(reverse("advice:detail", args=[advice_request.pk])).status_code == 403
    figures = client.get(reverse("advice:counts"))
    assert figures.status_code == 200
    assert "Secret subject" not in body_of(figures)
    assert 'data-testid="count-total">1<' in body_of(figures)
    assert 'data-testid="count-answered">1<' in body_of(figures)


def test_the_patient_page_lists_the_patients_requests_and_offers_to_ask(
    client_for, gp, patient, clinic
):
    ask(gp, patient=patient, subject="Earlier question")
    page = body_of(client_for(gp).get(reverse("patients:detail", args=[patient.pk])))
    assert "Earlier question" in page
    assert reverse("advice:create_for_patient", args=[patient.pk]) in page
    tab = body_of(client_for(gp).get(reverse("advice:patient_requests", args=[patient.pk])))
    assert "Earlier question" in tab


# --- conversation ---------------------------------------------------------------------------


def test_the_conversation_moves_through_its_statuses_over_several_rounds(
    client_for, gp, clinic, clinic_nurse, clinic_doctor
):
    advice_request = ask(gp)
    clinic_client, gp_client = client_for(clinic_nurse), client_for(gp)

    clinic_client.post(
        reverse("advice:reply", args=[advice_request.pk]),
        {"body": "What dose now?", "kind": "clarification", **version_of(advice_request)},
    )
    advice_request.refresh_from_db()
    assert advice_request.status == Status.AWAITING_GP
    assert advice_request.assigned_to == clinic_nurse
    assert advice_request.first_response_at is not None

    gp_client.post(
        reverse("advice:reply", args=[advice_request.pk]),
        {"body": "60 mg/day", **version_of(advice_request)},
    )
    advice_request.refresh_from_db()
    assert advice_request.status == Status.ASSIGNED

    clinic_client.post(
        reverse("advice:assign", args=[advice_request.pk]),
        {"assigned_to": clinic_doctor.pk, **version_of(advice_request)},
    )
    advice_request.refresh_from_db()
    assert advice_request.assigned_to == clinic_doctor
    assert Notification.objects.filter(recipient=clinic_doctor, kind="advice_assigned").exists()

    client_for(clinic_doctor).post(
        reverse("advice:reply", args=[advice_request.pk]),
        {"body": "Reduce by 10 % a month.", "kind": "answer", **version_of(advice_request)},
    )
    advice_request.refresh_from_db()
    assert advice_request.status == Status.ANSWERED
    assert Notification.objects.filter(recipient=gp, kind="advice_answered").count() == 2
    assert list(advice_request.messages.values_list("kind", flat=True)) == [
        "question",
        "clarification",
        "question",
        "answer",
    ]


def test_telephone_advice_on_a_request_is_recorded_in_the_thread(client_for, gp, clinic_nurse):
    advice_request = ask(gp)
    client_for(clinic_nurse).post(
        reverse("advice:reply", args=[advice_request.pk]),
        {
            "body": "Agreed on the phone: pause the taper.",
            "kind": "answer",
            "by_telephone": "on",
            **version_of(advice_request),
        },
    )
    message = advice_request.messages.get(side="clinic")
    assert message.channel == "telephone"


def test_the_clinic_records_telephone_advice_so_all_advice_is_counted(
    client_for, gp, practice, clinic_nurse
):
    response = client_for(clinic_nurse).post(
        reverse("advice:telephone"),
        {
            "practice": practice.pk,
            "asked_by": gp.pk,
            "subject": "Phone call about tramadol",
            "category": "switching",
            "urgency": "routine",
            "question": "Can tramadol be swapped for morphine?",
            "advice": "Yes, with the conversion from the table.",
        },
    )
    assert response.status_code == 302
    advice_request = AdviceRequest.objects.get()
    assert advice_request.channel == "telephone"
    assert advice_request.status == Status.ANSWERED
    assert advice_request.response_working_days == 0
    assert advice_request.messages.count() == 2
    assert Notification.objects.filter(recipient=gp, kind="advice_answered").exists()
    # The GP closes it like any other.
    assert client_for(gp).get(reverse("advice:close", args=[advice_request.pk])).status_code == 200


def test_telephone_advice_refuses_a_caller_from_another_practice(
    client_for, other_gp, practice, clinic_nurse
):
    response = client_for(clinic_nurse).post(
        reverse("advice:telephone"),
        {
            "practice": practice.pk,
            "asked_by": other_gp.pk,
            "subject": "S",
            "category": "other",
            "urgency": "routine",
            "question": "Q",
            "advice": "A",
        },
    )
    assert response.status_code == 422
    assert "another practice" in body_of(response)
    assert not AdviceRequest.objects.exists()


def test_script_in_a_message_is_shown_as_text(client_for, gp, clinic_nurse):
    advice_request = ask(gp, subject="<b>bold</b>", question='<script>alert("x")</script>')
    body = body_of(client_for(clinic_nurse).get(reverse("advice:detail", args=[advice_request.pk])))
    assert '<script>alert("x")</script>' not in body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body
    assert "<b>bold</b>" not in body
    assert "&lt;b&gt;bold&lt;/b&gt;" in body


@pytest.mark.parametrize("text", ["", "  \n ", "x" * 10_001])
def test_an_empty_or_over_long_reply_is_refused_and_nothing_saved(
    client_for, gp, clinic_nurse, text
):
    advice_request = ask(gp)
    response = client_for(clinic_nurse).post(
        reverse("advice:reply", args=[advice_request.pk]), {"body": text, "kind": "answer"}
    )
    assert response.status_code == 422
    assert 'role="alert"' in body_of(response)
    assert advice_request.messages.count() == 1
    advice_request.refresh_from_db()
    assert advice_request.status == Status.NEW


def test_replying_to_a_closed_request_is_refused(client_for, gp, clinic_nurse):
    advice_request = answered(gp, clinic_nurse)
    client_for(gp).post(
        reverse("advice:close", args=[advice_request.pk]),
        {"outcome": "advice_sufficient", **version_of(advice_request)},
    )
    response = client_for(clinic_nurse).post(
        reverse("advice:reply", args=[advice_request.pk]),
        {"body": "One more thing", **version_of(advice_request)},
    )
    assert response.status_code == 422
    assert "This request is closed" in body_of(response)
    assert not advice_request.messages.filter(body="One more thing").exists()


def test_the_other_side_cannot_assign_or_close(client_for, gp, clinic_nurse):
    advice_request = answered(gp, clinic_nurse)
    assert (
        client_for(gp).post(reverse("advice:assign", args=[advice_request.pk]), {}).status_code
        == 403
    )
    response = client_for(clinic_nurse).post(
        reverse("advice:close", args=[advice_request.pk]), {"outcome": "advice_sufficient"}
    )
    assert response.status_code == 403
    advice_request.refresh_from_db()
    assert not advice_request.is_closed


# --- close-out ------------------------------------------------------------------------------


def test_the_gp_closes_with_the_close_out_answer(client_for, gp, clinic_nurse):
    advice_request = answered(gp, clinic_nurse)
    response = client_for(gp).post(
        reverse("advice:close", args=[advice_request.pk]),
        {
            "outcome": "referred_elsewhere",
            "outcome_note": "To the spine centre",
            **version_of(advice_request),
        },
    )
    assert response.status_code == 302
    advice_request.refresh_from_db()
    assert advice_request.status == Status.CLOSED
    assert advice_request.outcome == "referred_elsewhere"
    assert advice_request.closed_by == gp


def test_closing_needs_the_close_out_answer(client_for, gp, clinic_nurse):
    advice_request = answered(gp, clinic_nurse)
    response = client_for(gp).post(reverse("advice:close", args=[advice_request.pk]), {})
    assert response.status_code == 422
    assert "This field is required" in body_of(response)
    advice_request.refresh_from_db()
    assert not advice_request.is_closed


def test_a_request_the_clinic_has_not_answered_cannot_be_closed_out(client_for, gp, clinic):
    advice_request = ask(gp)
    response = client_for(gp).post(
        reverse("advice:close", args=[advice_request.pk]),
        {"outcome": "advice_sufficient", **version_of(advice_request)},
    )
    assert response.status_code == 422
    assert "has not replied yet" in body_of(response)
    advice_request.refresh_from_db()
    assert not advice_request.is_closed


# --- response time --------------------------------------------------------------------------


def test_a_friday_question_is_due_on_wednesday_and_the_reply_time_is_measured(gp, clinic_nurse):
    with time_machine.travel(at(2025, 3, 7, 15, 0), tick=False):
        advice_request = ask(gp)
    assert advice_request.due_on == dt.date(2025, 3, 12)
    with time_machine.travel(at(2025, 3, 10, 9, 0), tick=False):
        reply_to_advice_request(advice_request=advice_request, by=clinic_nurse, body="Advice")
    advice_request.refresh_from_db()
    assert advice_request.response_working_days == 1


def test_easter_does_not_count_against_the_clinic(gp, clinic_nurse):
    with time_machine.travel(at(2025, 4, 16, 10, 0), tick=False):
        advice_request = ask(gp)
    assert advice_request.due_on == dt.date(2025, 4, 24)
    with time_machine.travel(at(2025, 4, 22, 10, 0), tick=False):
        reply_to_advice_request(advice_request=advice_request, by=clinic_nurse, body="Advice")
    advice_request.refresh_from_db()
    assert advice_request.response_working_days == 1


def test_an_urgent_question_before_christmas_is_due_after_it(gp, clinic):
    with time_machine.travel(at(2024, 12, 24, 10, 0), tick=False):
        advice_request = ask(gp, urgency="urgent")
    assert advice_request.due_on == dt.date(2024, 12, 27)


def test_regions_can_close_on_christmas_eve_too(gp, clinic, settings):
    settings.ADVICE_HOLIDAY_CATEGORIES = ["public", "optional"]
    with time_machine.travel(at(2024, 12, 23, 10, 0), tick=False):
        advice_request = ask(gp, urgency="urgent")
    assert advice_request.due_on == dt.date(2024, 12, 27)


def test_a_follow_up_after_an_answer_gives_the_clinic_a_new_target(gp, clinic_nurse):
    with time_machine.travel(at(2025, 3, 3, 9, 0), tick=False):
        advice_request = answered(gp, clinic_nurse)
    with time_machine.travel(at(2025, 3, 13, 9, 0), tick=False):
        reply_to_advice_request(advice_request=advice_request, by=gp, body="Still no better")
    advice_request.refresh_from_db()
    assert advice_request.status == Status.ASSIGNED
    assert advice_request.due_on == dt.date(2025, 3, 18)
    assert advice_request.response_working_days == 0  # the first reply's time stays


def test_the_clinics_worklist_flags_overdue_requests(client_for, gp, clinic_nurse):
    with time_machine.travel(at(2025, 3, 3, 9, 0), tick=False):
        late = ask(gp, subject="Late one")
    with time_machine.travel(at(2025, 3, 7, 9, 0), tick=False):
        ask(gp, subject="Fresh one")
        listing = body_of(client_for(clinic_nurse).get(reverse("advice:list")))
        overdue = body_of(client_for(clinic_nurse).get(reverse("advice:list") + "?show=overdue"))
    row = listing.split(f'data-testid="advice-row-{late.pk}"')[1].split("</tr>")[0]
    assert 'data-testid="overdue"' in row
    assert listing.count('data-testid="overdue"') == 1
    assert "Late one" in overdue
    assert "Fresh one" not in overdue


def test_flag_overdue_advice_notifies_once_per_due_date(gp, clinic_nurse, clinic_doctor):
    with time_machine.travel(at(2025, 3, 3, 9, 0), tick=False):
        advice_request = ask(gp)
        answered(gp, clinic_nurse)  # answered: never overdue
    with time_machine.travel(at(2025, 3, 7, 9, 0), tick=False):
        call_command("flag_overdue_advice")
        call_command("flag_overdue_advice")
        assert flag_overdue_requests() == 0
    overdue = Notification.objects.filter(kind="advice_overdue")
    assert {n.recipient for n in overdue} == {clinic_nurse, clinic_doctor}
    assert overdue.count() == 2
    assert all(str(advice_request.pk) in notification.message for notification in overdue)


def test_the_measured_response_time_is_shown_on_the_request(client_for, gp, clinic_nurse):
    with time_machine.travel(at(2025, 3, 7, 9, 0), tick=False):
        advice_request = ask(gp)
    with time_machine.travel(at(2025, 3, 11, 9, 0), tick=False):
        reply_to_advice_request(advice_request=advice_request, by=clinic_nurse, body="Advice")
    body = body_of(client_for(gp).get(reverse("advice:detail", args=[advice_request.pk])))
    cell = body.split('data-testid="response-time">')[1].split("</dd>")[0]
    assert "2 working days" in cell


def test_notifications_name_no_patient(gp, patient, clinic_nurse):
    # A subject with the patient's name is refused (test_deidentification_blocks.py).
    ask(gp, patient=patient, subject="Oxycodone after knee surgery")
    assert Notification.objects.exists()
    for notification in Notification.objects.all():
        assert patient.name not in notification.message
        assert "Birthe" not in notification.message


def test_messages_keep_their_authors_side(gp, clinic_nurse):
    advice_request = answered(gp, clinic_nurse)
    sides = dict(advice_request.messages.values_list("kind", "side"))
    assert sides == {"question": AdviceMessage.Side.PRACTICE, "answer": AdviceMessage.Side.CLINIC}


def test_an_overdue_request_is_flagged_on_its_own_page_too(client_for, gp, clinic_nurse):
    with time_machine.travel(at(2025, 3, 3, 9, 0), tick=False):
        advice_request = ask(gp)
    with time_machine.travel(at(2025, 3, 7, 9, 0), tick=False):
        body = body_of(
            client_for(clinic_nurse).get(reverse("advice:detail", args=[advice_request.pk]))
        )
    assert 'data-testid="overdue"' in body


# --- one rule for asking about a patient --------------------------------------------------


def test_a_practice_treating_a_patient_listed_elsewhere_sees_them_but_does_not_ask(
    client_for, other_gp, other_practice, patient, clinic
):
    CareRelation.objects.create(
        patient=patient, organisation=other_practice, reason="course", opened_at=timezone.now()
    )
    client = client_for(other_gp)
    page = body_of(client.get(reverse("patients:detail", args=[patient.pk])))
    tab = body_of(client.get(reverse("advice:patient_requests", args=[patient.pk])))
    ask_url = reverse("advice:create_for_patient", args=[patient.pk])
    assert patient.name in page
    assert ask_url not in page
    assert ask_url not in tab
    refused = client.get(ask_url)
    assert refused.status_code == 403
    assert AuditEvent.objects.filter(
        action="refused", patient=patient, object_type="advice_request"
    ).exists()


def test_a_refused_article_submission_answers_422_with_its_reason(
    client_for, gp, patient, clinic_nurse
):
    from smertespor.advice.tests.factories import draft_article

    article = draft_article(answered(gp, clinic_nurse, patient=patient), clinic_nurse)
    article.body = f"Seen 12.03.2024 with Dr. {gp.last_name}."
    article.save()
    response = client_for(clinic_nurse).post(
        reverse("advice:article_submit", args=[article.pk]), {"version": article.version}
    )
    assert response.status_code == 422
    assert "confirm that none of them identifies a patient" in body_of(response)


def test_a_clinician_takes_a_request_by_assigning_it_to_nobody_else(client_for, gp, clinic_nurse):
    advice_request = ask(gp)
    response = client_for(clinic_nurse).post(
        reverse("advice:assign", args=[advice_request.pk]), version_of(advice_request)
    )
    assert response.status_code == 302
    advice_request.refresh_from_db()
    assert advice_request.assigned_to == clinic_nurse
    assert advice_request.status == Status.ASSIGNED
