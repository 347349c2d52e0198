"""The care around the medication leaves with the record: course plans, the handover to
the hospital track and its triage, appointments and advice messages."""

import datetime

from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle

from smertespor.interop import fhir_care
from smertespor.interop.records import MessageRecord
from smertespor.tracks.models import Appointment, Handover
from smertespor.tracks.tests.factories import CourseFactory, FollowUpFactory, HandoverFactory


def by_type(bundle):
    found: dict[str, list[dict]] = {}
    for entry in bundle["entry"]:
        found.setdefault(entry["resource"]["resourceType"], []).append(entry["resource"])
    return found


def test_course_handover_triage_visits_and_appointments_are_exported(
    client_for, gp, clinic, clinic_doctor, demo_record, everything_url
):
    course = CourseFactory.create(patient=demo_record, clinic=clinic)
    FollowUpFactory(
        course=course,
        recorded_by=gp,
        peg_pain=4,
        peg_enjoyment=5,
        peg_activity=6,
        nrs=4,
        sows_total=12,
        sows_items=[1, 2, 3],
    )
    HandoverFactory(
        course=course,
        clinic=clinic,
        decision=Handover.Decision.ACCEPTED,
        decided_at=timezone.now(),
        decided_by=clinic_doctor,
        advice="Velkommen",
    )
    Appointment.objects.create(
        course=course, organisation=clinic, starts_at=timezone.now() + datetime.timedelta(7),
        duration_minutes=45, discipline="physiotherapist", clinician=clinic_doctor,
        purpose="Første samtale", created_by=clinic_doctor, created_at=timezone.now(),
    )  # fmt: skip
    bundle = client_for(gp).get(everything_url(demo_record.pk)).json()
    Bundle.model_validate(bundle)
    found = by_type(bundle)
    course_plans = [p for p in found["CarePlan"] if p["id"].startswith("course-")]
    assert [p["category"][0]["coding"][0]["code"] for p in course_plans] == ["course-practice"]
    [request] = found["ServiceRequest"]
    assert request["performer"] == [{"reference": f"Organization/{clinic.pk}"}]
    [task] = found["Task"]
    assert task["focus"] == {"reference": f"ServiceRequest/{request['id']}"}
    assert task["output"][0]["valueCode"] == "accepted"
    [appointment] = found["Appointment"]
    assert appointment["status"] == "booked" and appointment["minutesDuration"] == 45
    [sows] = found["QuestionnaireResponse"]
    assert sows["item"][-1] == {"linkId": "total", "answer": [{"valueInteger": 12}]}
    referenced = {r["reference"] for e in bundle["entry"] for r in _references(e["resource"])}
    present = {f"{e['resource']['resourceType']}/{e['resource']['id']}" for e in bundle["entry"]}
    assert referenced <= present  # no reference points outside the Bundle


def _references(node):
    if isinstance(node, dict):
        if set(node) == {"reference"}:
            yield node
        for value in node.values():
            yield from _references(value)
    elif isinstance(node, list):
        for value in node:
            yield from _references(value)


def test_an_advice_message_is_a_communication_in_its_thread():
    record = MessageRecord(
        id="advicemessage-2", thread_id="advice-1", topic="Nedtrapning",
        sent_at=datetime.datetime(2026, 3, 1, 9, tzinfo=datetime.UTC),
        sender_organisation_id="5", recipient_organisation_id="3", kind_label="Råd",
        body="Reducer med 10 % hver 4. uge.", in_response_to="advicemessage-1",
    )  # fmt: skip
    resource = fhir_care.communication_resource(record, "p1")
    assert resource["inResponseTo"] == [{"reference": "Communication/advicemessage-1"}]
    assert resource["payload"] == [{"contentString": "Reducer med 10 % hver 4. uge."}]
    assert resource["sender"] == {"reference": "Organization/5"}


def test_a_pain_centre_referral_leaves_as_a_service_request_with_its_triage_and_dialogue(
    client_for, gp, demo_record, everything_url, settings, tmp_path
):
    from smertespor.accounts.models import Organisation
    from smertespor.referrals.models import ReferralCommunication
    from smertespor.referrals.tests.factories import sent
    from tests.factories import OrganisationFactory

    settings.MEDIA_ROOT = tmp_path / "media"
    centre = OrganisationFactory.create(kind=Organisation.Kind.PAIN_CENTRE, provider_number="")
    referral = sent(gp, demo_record, centre)
    ReferralCommunication.objects.create(
        referral=referral, author=gp, side="practice", kind="message",
        body="Patienten er motiveret.", created_at=timezone.now(),
    )  # fmt: skip
    bundle = client_for(gp).get(everything_url(demo_record.pk)).json()
    Bundle.model_validate(bundle)
    found = by_type(bundle)
    [request] = [r for r in found["ServiceRequest"] if r["id"] == f"referral-{referral.pk}"]
    assert request["reasonCode"][0]["coding"][0]["code"] == "DM545"
    assert request["performer"] == [{"reference": f"Organization/{centre.pk}"}]
    tasks = [
        t for t in found["Task"] if t["focus"]["reference"] == f"ServiceRequest/{request['id']}"
    ]
    assert [t["code"]["text"] for t in tasks] == ["send"]
    [message] = [c for c in found["Communication"] if c["id"].startswith("referralmessage-")]
    assert message["payload"] == [{"contentString": "Patienten er motiveret."}]


def test_a_start_back_screening_is_a_questionnaire_response_with_its_scores():
    from smertespor.interop.records import ScreeningRecord

    record = ScreeningRecord(
        id="screening-1", instrument="startback", instrument_version="da-2011",
        answers=(("1", "agree"), ("9", "very_much")), total=6, subscale=4, outcome="high",
        recorded_at=datetime.datetime(2026, 3, 1, 9, tzinfo=datetime.UTC),
    )  # fmt: skip
    resource = fhir_care.screening_questionnaire_response(record, "p1")
    assert resource["questionnaire"].endswith("/Questionnaire/startback|da-2011")
    answers = {item["linkId"]: item["answer"][0] for item in resource["item"]}
    assert answers["subscale"] == {"valueInteger": 4}
    assert answers["result"] == {"valueString": "high"}
    assert answers["9"] == {"valueString": "very_much"}
