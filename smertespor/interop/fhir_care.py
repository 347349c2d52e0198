"""FHIR R4 resources for the care around the medication: course plans (CarePlan), the
handover to the hospital track (ServiceRequest) and its triage (Task), appointments, and
advice threads (Communication). Plain functions over records, as `fhir_export`."""

from __future__ import annotations

import datetime

from smertespor.interop import codes
from smertespor.interop.fhir_export import Resource, reference, validated
from smertespor.interop.records import (
    AppointmentRecord,
    CareRecordSet,
    CourseRecord,
    HandoverRecord,
    MessageRecord,
    ReferralRecord,
    ScreeningRecord,
)

_COURSE_STATUS = {
    "completed": "completed",
    "succeeded": "completed",
    "ended": "revoked",
    "moved_to_hospital_track": "completed",
}
# MedCom's draft referral model: the referral a ServiceRequest, the triage a Task.
_HANDOVER_STATUS = {"pending": "active", "accepted": "completed"}
_TRIAGE = {"accepted": "accepted", "returned": "rejected", "withdrawn": "cancelled"}


def course_care_plan(record: CourseRecord, patient_id: str) -> Resource:
    return validated(
        {
            "resourceType": "CarePlan",
            "id": record.id,
            "status": _COURSE_STATUS.get(record.status, "active"),
            "intent": "plan",
            "category": [
                {
                    "coding": [
                        {"system": codes.CARE_PLAN, "code": f"course-{record.track}"},
                    ],
                    "text": record.track_label,
                }
            ],
            "title": record.track_label,
            "description": f"{record.status_label}. Mål: {record.goal_label}",
            "subject": reference("Patient", patient_id),
            "period": {"start": record.start_date.isoformat()},
            "author": reference("Organization", record.organisation_id),
        }
    )


def handover_service_request(record: HandoverRecord, patient_id: str) -> Resource:
    resource: Resource = {
        "resourceType": "ServiceRequest",
        "id": record.id,
        "status": _HANDOVER_STATUS.get(record.decision, "revoked"),
        "intent": "order",
        "category": [
            {
                "coding": [{"system": codes.CARE_PLAN, "code": "handover-hospital-track"}],
                "text": "Overdragelse til hospitalssporet",
            }
        ],
        "code": {"text": "Nedtrapning af opioider i smerteklinikken"},
        "subject": reference("Patient", patient_id),
        "authoredOn": record.proposed_at.isoformat(),
        "requester": reference("Organization", record.requester_id),
        "performer": [reference("Organization", record.performer_id)],
        "basedOn": [reference("CarePlan", record.course_id)],
    }
    if record.reason:
        resource["reasonCode"] = [{"text": record.reason}]
    if record.gp_comment:
        resource["note"] = [{"text": record.gp_comment}]
    return validated(resource)


def triage_task(record: HandoverRecord, patient_id: str) -> Resource | None:
    """The clinic's triage of a handover, once decided (None while it waits)."""
    if record.decision not in _TRIAGE or record.decided_at is None:
        return None
    resource: Resource = {
        "resourceType": "Task",
        "id": f"{record.id}-triage",
        "status": "completed",
        "businessStatus": {"text": record.decision_label},
        "intent": "order",
        "code": {"text": "Visitation"},
        "focus": reference("ServiceRequest", record.id),
        "for": reference("Patient", patient_id),
        "authoredOn": record.decided_at.isoformat(),
        "owner": reference("Organization", record.performer_id),
        "output": [
            {"type": {"text": "Beslutning"}, "valueCode": _TRIAGE[record.decision]},
        ],
    }
    if record.advice:
        resource["note"] = [{"text": record.advice}]
    return validated(resource)


def appointment_resource(
    record: AppointmentRecord, patient_id: str, now: datetime.datetime
) -> Resource:
    ends_at = record.starts_at + datetime.timedelta(minutes=record.duration_minutes)
    participants = [{"actor": reference("Patient", patient_id), "status": "accepted"}]
    if record.clinician_id:
        participants.append(
            {"actor": reference("Practitioner", record.clinician_id), "status": "accepted"}
        )
    resource: Resource = {
        "resourceType": "Appointment",
        "id": record.id,
        "status": "fulfilled" if ends_at < now else "booked",
        "serviceType": [{"text": record.discipline_label}],
        "start": record.starts_at.isoformat(),
        "end": ends_at.isoformat(),
        "minutesDuration": record.duration_minutes,
        "basedOn": [reference("CarePlan", record.course_id)],
        "participant": participants,
    }
    if record.purpose:
        resource["description"] = record.purpose
    return validated(resource)


def communication_resource(record: MessageRecord, patient_id: str) -> Resource:
    resource: Resource = {
        "resourceType": "Communication",
        "id": record.id,
        "status": "completed",
        "category": [{"text": record.kind_label}],
        "subject": reference("Patient", patient_id),
        "topic": {"text": record.topic},
        "sent": record.sent_at.isoformat(),
        "sender": reference("Organization", record.sender_organisation_id),
        "recipient": [reference("Organization", record.recipient_organisation_id)],
        "payload": [{"contentString": record.body}],
        "identifier": [{"system": f"{codes.BASE}/NamingSystem/thread", "value": record.thread_id}],
    }
    if record.in_response_to:
        resource["inResponseTo"] = [reference("Communication", record.in_response_to)]
    return validated(resource)


_REFERRAL_STATUS = {
    "draft": "draft",
    "withdrawn": "revoked",
    "rejected": "revoked",
    "discharged": "completed",
}
# Triage steps as Task outputs (MedCom's draft referral model: accept, reject, forward).
_STEP_OUTPUT = {"accept": "accepted", "reject": "rejected", "forward": "forwarded"}


def referral_resources(record: ReferralRecord, patient_id: str) -> list[Resource]:
    """The referral as a ServiceRequest, each triage step as a Task on it."""
    request: Resource = {
        "resourceType": "ServiceRequest",
        "id": record.id,
        "status": _REFERRAL_STATUS.get(record.status, "active"),
        "intent": "order",
        "priority": "urgent" if record.priority == "urgent" else "routine",
        "category": [
            {
                "coding": [{"system": codes.CARE_PLAN, "code": "pain-centre-referral"}],
                "text": "Henvisning til smertecenter",
            }
        ],
        "code": {"text": "Tværfagligt smertecenter"},
        "subject": reference("Patient", patient_id),
        "authoredOn": record.authored_at.isoformat(),
        "requester": reference("Organization", record.requester_id),
        "performer": [reference("Organization", record.performer_id)],
    }
    if record.diagnosis_code or record.diagnosis_text:
        concept: Resource = {"text": record.diagnosis_text or record.diagnosis_code}
        if record.diagnosis_code:
            concept["coding"] = [{"system": codes.ICD10, "code": record.diagnosis_code}]
        request["reasonCode"] = [concept]
    if record.question:
        request["note"] = [{"text": record.question}]
    resources = [validated(request)]
    for step in record.steps:
        task: Resource = {
            "resourceType": "Task",
            "id": step.id,
            "status": "completed",
            "businessStatus": {"text": step.event_label},
            "intent": "order",
            "code": {"text": step.event},
            "focus": reference("ServiceRequest", record.id),
            "for": reference("Patient", patient_id),
            "authoredOn": step.at.isoformat(),
            "owner": reference("Organization", step.organisation_id),
        }
        if step.event in _STEP_OUTPUT:
            task["output"] = [
                {"type": {"text": "Beslutning"}, "valueCode": _STEP_OUTPUT[step.event]}
            ]
        if step.reason:
            task["note"] = [{"text": step.reason}]
        resources.append(validated(task))
    return resources


def screening_questionnaire_response(record: ScreeningRecord, patient_id: str) -> Resource:
    """A screening's answers (as given, item by item), total, subscale and result. The
    instrument's wording is not repeated: STarT Back's text is Keele University's."""
    items: list[Resource] = [
        {"linkId": number, "answer": [{"valueString": answer}]} for number, answer in record.answers
    ]
    items += [
        {"linkId": "total", "answer": [{"valueInteger": record.total}]},
        {"linkId": "subscale", "answer": [{"valueInteger": record.subscale}]},
        {"linkId": "result", "answer": [{"valueString": record.outcome}]},
    ]
    return validated(
        {
            "resourceType": "QuestionnaireResponse",
            "id": record.id,
            "questionnaire": (
                f"{codes.QUESTIONNAIRE}/{record.instrument}|{record.instrument_version}"
            ),
            "status": "completed",
            "subject": reference("Patient", patient_id),
            "authored": record.recorded_at.isoformat(),
            "item": items,
        }
    )


def care_resources(care: CareRecordSet, patient_id: str, now: datetime.datetime) -> list[Resource]:
    resources = [course_care_plan(c, patient_id) for c in care.courses]
    for handover in care.handovers:
        resources.append(handover_service_request(handover, patient_id))
        task = triage_task(handover, patient_id)
        if task is not None:
            resources.append(task)
    resources += [appointment_resource(a, patient_id, now) for a in care.appointments]
    for referral in care.referrals:
        resources += referral_resources(referral, patient_id)
    resources += [communication_resource(m, patient_id) for m in care.messages]
    resources += [screening_questionnaire_response(s, patient_id) for s in care.screenings]
    return resources
