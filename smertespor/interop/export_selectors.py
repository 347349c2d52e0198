"""Reads a patient's record into the plain records the FHIR mappings take (the one seam
between the models and `fhir_export`). The caller has loaded the patient through
`patients.access.patient_for`, which checked the scope and wrote the audit row."""

from __future__ import annotations

from django.db.models import Q

from domain.catalogue import Catalogue, CatalogueError
from smertespor.accounts.models import Organisation, User
from smertespor.advice.models import AdviceMessage
from smertespor.interop.records import (
    AppointmentRecord,
    CareRecordSet,
    CourseRecord,
    HandoverRecord,
    MedicationRecord,
    MessageRecord,
    OmeqRecord,
    OrganisationRecord,
    PatientRecord,
    PatientRecordSet,
    PractitionerRecord,
    ReferralRecord,
    ReferralStepRecord,
    ScoresRecord,
    ScreeningRecord,
    TaperPlanRecord,
    TaperStepRecord,
)
from smertespor.medication.models import MedicationLine, OmeqSnapshot
from smertespor.medication.selectors import current_catalogue
from smertespor.pathways.models import Screening
from smertespor.patients.models import CareRelation, Patient
from smertespor.referrals.models import Referral, ReferralCommunication
from smertespor.tapering.models import TaperPlan
from smertespor.tracks.models import Appointment, Course, FollowUp, Handover


def organisation_record(organisation: Organisation) -> OrganisationRecord:
    return OrganisationRecord(
        id=str(organisation.pk),
        name=organisation.name,
        kind=organisation.kind,
        kind_label=str(organisation.get_kind_display()),
        sor_code=organisation.sor_code or "",
        provider_number=organisation.provider_number or "",
        address=organisation.address,
        phone=organisation.phone,
    )


def patient_record(patient: Patient) -> PatientRecord:
    return PatientRecord(
        id=str(patient.pk),
        cpr=patient.cpr,
        name=patient.name,
        birth_date=patient.birth_date,
        sex=patient.sex,
        practice_id=str(patient.listed_practice_id),
        address=patient.address,
        phone=patient.phone,
        email=patient.email,
    )


def medication_record(line: MedicationLine, catalogue: Catalogue) -> MedicationRecord:
    try:
        product = catalogue.by_id(line.product_id)
    except CatalogueError:
        product = None
    return MedicationRecord(
        id=f"medicationline-{line.pk}",
        product_id=line.product_id,
        product_name=product.name if product else line.product_id,
        atc=product.atc if product else "",
        substance=product.substance if product else "",
        unit=product.unit if product else "",
        is_measured_in_ml=product.is_measured_in_ml if product else False,
        strength=line.strength,
        units_per_dose=line.units_per_dose,
        doses_per_day=line.doses_per_day,
        prn=line.prn,
        max_doses_per_day=line.max_doses_per_day,
        indication=line.indication,
        indication_label=str(line.get_indication_display()),
        start_date=line.start_date,
        ended_on=line.ended_on,
        end_reason=line.end_reason,
        note=line.note,
        source=line.source,
    )


def _omeq_record(snapshot: OmeqSnapshot) -> OmeqRecord:
    return OmeqRecord(
        id=f"omeq-{snapshot.pk}",
        recorded_at=snapshot.recorded_at,
        table_id=snapshot.table_id,
        table_version=snapshot.table_version,
        is_computable=snapshot.is_computable,
        scheduled_mg_per_day=snapshot.scheduled_mg_per_day,
        max_mg_per_day=snapshot.max_mg_per_day,
    )


def _baseline_scores(course: Course) -> ScoresRecord:
    return ScoresRecord(
        id=f"course-{course.pk}-baseline",
        on=course.start_date,
        peg_pain=course.baseline_peg_pain,
        peg_enjoyment=course.baseline_peg_enjoyment,
        peg_activity=course.baseline_peg_activity,
        nrs=course.baseline_nrs,
    )


def _follow_up_scores(visit: FollowUp) -> ScoresRecord:
    return ScoresRecord(
        id=f"followup-{visit.pk}",
        on=visit.visit_on,
        peg_pain=visit.peg_pain,
        peg_enjoyment=visit.peg_enjoyment,
        peg_activity=visit.peg_activity,
        nrs=visit.nrs,
        sows_total=visit.sows_total,
        sows_items=tuple(int(i) for i in visit.sows_items or ()),
        cows_total=visit.cows_total,
        cows_items=tuple(int(i) for i in visit.cows_items or ()),
    )


def _taper_plan_record(plan: TaperPlan) -> TaperPlanRecord:
    return TaperPlanRecord(
        id=f"taperplan-{plan.pk}",
        status=plan.status,
        start_date=plan.start_date,
        last_change_date=plan.last_change_date,
        table_id=plan.table_id,
        table_version=plan.table_version,
        baseline_omeq_mg_per_day=plan.baseline_omeq_mg_per_day,
        final_omeq_mg_per_day=plan.final_omeq_mg_per_day,
        practice_id=str(plan.practice_id),
        steps=tuple(
            TaperStepRecord(
                number=step.number,
                kind=step.kind,
                kind_label=str(step.get_kind_display()),
                start_date=step.start_date,
                end_date=step.end_date,
                omeq_mg_per_day=step.omeq_mg_per_day,
                percent_of_start=step.percent_of_start,
            )
            for step in plan.steps.order_by("number")
        ),
    )


def _referrals(
    patient: Patient, org_ids: set[int]
) -> tuple[tuple[ReferralRecord, ...], list[MessageRecord]]:
    """The patient's pain-centre referrals with their triage steps and dialogue."""
    records = []
    messages: list[MessageRecord] = []
    for referral in Referral.objects.filter(patient=patient).order_by("created_at", "pk"):
        org_ids |= {referral.practice_id, referral.recipient_id}
        steps = []
        for task in referral.tasks.order_by("at", "pk"):
            org_ids.add(task.organisation_id)
            steps.append(
                ReferralStepRecord(
                    id=f"referraltask-{task.pk}",
                    event=task.event,
                    event_label=str(task.get_event_display()),
                    at=task.at,
                    organisation_id=str(task.organisation_id),
                    reason=task.reason,
                )
            )
        records.append(
            ReferralRecord(
                id=f"referral-{referral.pk}",
                status=referral.status,
                priority=referral.priority,
                requester_id=str(referral.practice_id),
                performer_id=str(referral.recipient_id),
                authored_at=referral.sent_at or referral.created_at,
                diagnosis_code=referral.diagnosis_code,
                diagnosis_text=referral.diagnosis_text,
                question=referral.question,
                steps=tuple(steps),
            )
        )
        previous = None
        for message in ReferralCommunication.objects.filter(referral=referral).order_by(
            "created_at", "pk"
        ):
            from_practice = message.side == "practice"
            sender, recipient = (
                (referral.practice_id, referral.recipient_id)
                if from_practice
                else (referral.recipient_id, referral.practice_id)
            )
            messages.append(
                MessageRecord(
                    id=f"referralmessage-{message.pk}",
                    thread_id=f"referral-{referral.pk}",
                    topic="Henvisning til smertecenter",
                    sent_at=message.created_at,
                    sender_organisation_id=str(sender),
                    recipient_organisation_id=str(recipient),
                    kind_label=str(message.get_kind_display()),
                    body=message.body,
                    in_response_to=previous,
                )
            )
            previous = f"referralmessage-{message.pk}"
    return tuple(records), messages


def _care(patient: Patient, courses: list[Course]) -> tuple[CareRecordSet, set[int], set[int]]:
    """The care records, and the organisations and users they refer to."""
    org_ids: set[int] = set()
    user_ids: set[int] = set()
    course_records = []
    for course in courses:
        org_ids.add(course.responsible_organisation_id)
        course_records.append(
            CourseRecord(
                id=f"course-{course.pk}",
                track=course.track,
                track_label=str(course.get_track_display()),
                status=course.status,
                status_label=str(course.get_status_display()),
                start_date=course.start_date,
                organisation_id=str(course.responsible_organisation_id),
                goal_label=str(course.get_goal_kind_display()),
            )
        )
    handovers = []
    for handover in Handover.objects.filter(course__in=courses).select_related("course"):
        org_ids |= {handover.course.responsible_organisation_id, handover.clinic_id}
        handovers.append(
            HandoverRecord(
                id=f"handover-{handover.pk}",
                course_id=f"course-{handover.course_id}",
                requester_id=str(handover.course.responsible_organisation_id),
                performer_id=str(handover.clinic_id),
                proposed_at=handover.proposed_at,
                reason=handover.reason,
                gp_comment=handover.gp_comment,
                decision=handover.decision,
                decision_label=str(handover.get_decision_display()),
                decided_at=handover.decided_at,
                advice=handover.advice,
            )
        )
    appointments = []
    for appointment in Appointment.objects.filter(course__in=courses).order_by("starts_at", "pk"):
        if appointment.clinician_id:
            user_ids.add(appointment.clinician_id)
        appointments.append(
            AppointmentRecord(
                id=f"appointment-{appointment.pk}",
                course_id=f"course-{appointment.course_id}",
                starts_at=appointment.starts_at,
                duration_minutes=appointment.duration_minutes,
                discipline_label=str(appointment.get_discipline_display()),
                purpose=appointment.purpose,
                clinician_id=str(appointment.clinician_id) if appointment.clinician_id else None,
            )
        )
    messages = []
    previous: dict[int, str] = {}
    for message in (
        AdviceMessage.objects.filter(request__patient=patient)
        .select_related("request")
        .order_by("request_id", "created_at", "pk")
    ):
        request = message.request
        org_ids |= {request.practice_id, request.clinic_id}
        from_practice = message.side == AdviceMessage.Side.PRACTICE
        sender, recipient = (
            (request.practice_id, request.clinic_id)
            if from_practice
            else (request.clinic_id, request.practice_id)
        )
        messages.append(
            MessageRecord(
                id=f"advicemessage-{message.pk}",
                thread_id=f"advice-{request.pk}",
                topic=request.subject,
                sent_at=message.created_at,
                sender_organisation_id=str(sender),
                recipient_organisation_id=str(recipient),
                kind_label=str(message.get_kind_display()),
                body=message.body,
                in_response_to=previous.get(request.pk),
            )
        )
        previous[request.pk] = f"advicemessage-{message.pk}"
    referrals, referral_messages = _referrals(patient, org_ids)
    messages += referral_messages
    screenings = tuple(
        ScreeningRecord(
            id=f"screening-{screening.pk}",
            instrument=screening.instrument,
            instrument_version=screening.instrument_version,
            answers=tuple((str(k), str(v)) for k, v in sorted(screening.answers.items())),
            total=screening.total,
            subscale=screening.subscale,
            outcome=screening.outcome,
            recorded_at=screening.recorded_at,
        )
        for screening in Screening.objects.filter(enrolment__patient=patient).order_by(
            "recorded_at", "pk"
        )
    )
    care = CareRecordSet(
        screenings=screenings,
        referrals=referrals,
        courses=tuple(course_records),
        handovers=tuple(handovers),
        appointments=tuple(appointments),
        messages=tuple(messages),
    )
    return care, org_ids, user_ids


def patient_record_set(patient: Patient) -> PatientRecordSet:
    """One patient's record as it leaves Smertespor (`GET .../$everything`)."""
    catalogue = current_catalogue()
    lines = list(patient.medication_lines.order_by("start_date", "pk"))
    plans = list(TaperPlan.objects.filter(patient=patient).order_by("created_at", "pk"))
    courses = list(Course.objects.filter(patient=patient).order_by("start_date", "pk"))
    visits = list(FollowUp.objects.filter(course__in=courses).order_by("visit_on", "pk"))
    care, care_org_ids, care_user_ids = _care(patient, courses)
    author_ids = {line.created_by_id for line in lines} | {plan.created_by_id for plan in plans}
    author_ids |= care_user_ids
    practitioners = list(User.objects.filter(pk__in=author_ids - {None}).order_by("pk"))
    relation_orgs = CareRelation.objects.filter(patient=patient).values("organisation_id")
    organisations = Organisation.objects.filter(
        Q(pk=patient.listed_practice_id)
        | Q(pk__in=relation_orgs)
        | Q(pk__in=[plan.practice_id for plan in plans])
        | Q(pk__in=[user.organisation_id for user in practitioners if user.organisation_id])
        | Q(pk__in=care_org_ids)
    ).order_by("pk")
    scores = [_baseline_scores(course) for course in courses]
    scores += [_follow_up_scores(visit) for visit in visits]
    return PatientRecordSet(
        patient=patient_record(patient),
        organisations=tuple(organisation_record(o) for o in organisations),
        practitioners=tuple(
            PractitionerRecord(
                id=str(user.pk),
                name=str(user),
                role=user.role,
                role_label=str(user.get_role_display()),
                organisation_id=str(user.organisation_id) if user.organisation_id else None,
            )
            for user in practitioners
        ),
        medication=tuple(medication_record(line, catalogue) for line in lines),
        omeq=tuple(_omeq_record(s) for s in patient.omeq_snapshots.order_by("recorded_at", "pk")),
        scores=tuple(scores),
        taper_plans=tuple(_taper_plan_record(plan) for plan in plans),
        care=care,
    )
