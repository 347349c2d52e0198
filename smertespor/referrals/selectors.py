"""Reads of referrals: the lists, the worklist, a patient's referrals, the thread, the
recipients a GP can choose, the figures planners see, and what the centres app asks.

Callers load the patient through `patients.access` first where one is named; lists carry
`.patient_visible` so a name is shown only to a reader who may see the patient.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Case, Count, Exists, Max, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone

from domain.referral_criteria import CriteriaSet, criteria_set
from domain.referral_states import OPEN_STATUSES, TRIAGE_STATUSES
from smertespor.accounts.models import Organisation, Requester, User
from smertespor.patients.models import Patient
from smertespor.patients.page_reads import has_records, read_once
from smertespor.referrals.access import scoped_referrals, with_patient_visibility
from smertespor.referrals.models import (
    CriteriaVersion,
    Referral,
    ReferralAttachment,
    ReferralCommunication,
    Status,
    TriageTask,
)
from smertespor.referrals.permissions import (
    RECIPIENT_KINDS,
    is_recipient_staff,
    is_referring_practice_staff,
)

REFERRAL_FILTERS = ("open", "triage", "awaiting_information", "accepted", "closed", "drafts", "all")


def referral_recipients(user: Requester) -> QuerySet[Organisation]:
    """The pain centres and pain clinics of the user's region, by name."""
    if not isinstance(user, User) or user.organisation is None:
        return Organisation.objects.none()
    return Organisation.objects.filter(
        kind__in=RECIPIENT_KINDS, region_id=user.organisation.region_id
    ).order_by("kind", "name")


def referrals_for(user: Requester, *, show: str = "open") -> QuerySet[Referral]:
    """The practice's referrals, or the centre's worklist (triage first, oldest first)."""
    referrals = with_patient_visibility(user, scoped_referrals(user)).select_related(
        "patient", "practice", "recipient", "referred_by"
    )
    if show == "open":
        referrals = referrals.filter(status__in=[*sorted(OPEN_STATUSES), Status.DRAFT])
    elif show == "triage":
        referrals = referrals.filter(status__in=sorted(TRIAGE_STATUSES))
    elif show == "awaiting_information":
        referrals = referrals.filter(status=Status.AWAITING_INFORMATION)
    elif show == "accepted":
        referrals = referrals.filter(status__in=[Status.ACCEPTED, Status.APPOINTMENT_BOOKED])
    elif show == "closed":
        referrals = referrals.filter(
            status__in=[Status.REJECTED, Status.DISCHARGED, Status.WITHDRAWN]
        )
    elif show == "drafts":
        referrals = referrals.filter(status=Status.DRAFT)
    if is_recipient_staff(user):
        return referrals.order_by("sent_at", "pk")
    return referrals.order_by("-created_at", "-pk")


def referrals_of_patient(user: Requester, patient: Patient) -> QuerySet[Referral]:
    """The patient's referrals that `user` takes part in (newest first)."""
    return (
        scoped_referrals(user)
        .filter(patient=patient)
        .select_related("recipient", "practice", "referred_by")
        .order_by("-created_at", "-pk")
    )


def referrals_shown(user: Requester, patient: Patient) -> list[Referral]:
    """`referrals_of_patient`, newest first, read once for the patient page (its timeline and
    its referral panel both show them: `patients.page_reads`)."""
    return read_once(
        patient,
        ("referrals.referrals", getattr(user, "pk", None)),
        lambda: (
            list(referrals_of_patient(user, patient)) if has_records(patient, "referrals") else []
        ),
    )


def thread_of(referral: Referral) -> list[ReferralCommunication]:
    return list(
        referral.communications.select_related("author")
        .prefetch_related("attachments")
        .order_by("created_at", "pk")
    )


def tasks_of(referral: Referral) -> list[TriageTask]:
    return list(
        referral.tasks.select_related("by", "organisation", "forwarded_to").order_by("at", "pk")
    )


def referral_attachments(referral: Referral) -> QuerySet[ReferralAttachment]:
    """The files sent with the referral itself (not with a message)."""
    return referral.attachments.filter(communication__isnull=True).order_by("uploaded_at", "pk")


def accepted_referral_to_centre(patient: Patient, centre: Organisation) -> Referral | None:
    """The patient's referral the centre accepted and has not discharged (for the centres
    app: the course it runs answers this referral). The caller loaded the patient."""
    referral = (
        Referral.objects.filter(
            patient=patient,
            recipient=centre,
            status__in=[Status.ACCEPTED, Status.APPOINTMENT_BOOKED],
        )
        .select_related("recipient", "practice", "referred_by")
        .order_by("-sent_at", "-pk")
        .first()
    )
    if referral is not None:
        referral.patient = patient
    return referral


# How long a decision or a discharge stays on the GP's home page.
NEWS_DAYS = 14
_NEWS_EVENTS = ("accept", "reject", "book_first_appointment", "discharge", "forward")


def practice_news(user: Requester, *, days: int = NEWS_DAYS) -> QuerySet[Referral]:
    """The practice's referrals that need the GP now: waiting for their supplement, or
    accepted, given a first appointment, rejected, forwarded or discharged in the last
    `days` days: those waiting for the GP first, then newest step first. Each has
    `.last_step_at` and `.patient_visible`; the caller logs the patients it shows."""
    if not is_referring_practice_staff(user) or is_recipient_staff(user):
        return Referral.objects.none()
    since = timezone.now() - timedelta(days=days)
    news = TriageTask.objects.filter(
        referral_id=OuterRef("pk"), at__gte=since, event__in=_NEWS_EVENTS
    )
    return (
        with_patient_visibility(user, scoped_referrals(user))
        .filter(
            Q(status=Status.AWAITING_INFORMATION)
            | Q(
                Exists(news),
                status__in=[
                    Status.ACCEPTED,
                    Status.APPOINTMENT_BOOKED,
                    Status.REJECTED,
                    Status.RECEIVED,
                    Status.DISCHARGED,
                ],
            )
        )
        .annotate(
            last_step_at=Max("tasks__at"),
            # What the GP must answer comes before what they may like to know.
            waits_for_gp=Case(
                When(status=Status.AWAITING_INFORMATION, then=Value(0)), default=Value(1)
            ),
        )
        .select_related("patient", "recipient")
        .order_by("waits_for_gp", "-last_step_at", "-pk")
    )


def referrals_needing_practice(
    user: Requester, *, days: int = NEWS_DAYS, limit: int = 10
) -> list[Referral]:
    """The first `limit` of `practice_news`."""
    return list(practice_news(user, days=days)[:limit])


@dataclass(frozen=True)
class ReferralCounts:
    """Counts only, no patient: for planners and the centres' own figures."""

    by_status: tuple[tuple[str, str, int], ...]
    by_recipient: tuple[tuple[str, int], ...]
    flagged: int
    total_sent: int


def referral_counts(*, recipient_id: int | None = None) -> ReferralCounts:
    referrals = Referral.objects.exclude(status=Status.DRAFT)
    if recipient_id is not None:
        referrals = referrals.filter(recipient_id=recipient_id)
    status_rows = dict(
        referrals.order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    recipient_rows = (
        referrals.order_by()
        .values_list("recipient__name")
        .annotate(n=Count("pk"))
        .values_list("recipient__name", "n")
    )
    return ReferralCounts(
        by_status=tuple(
            (value, str(label), status_rows.get(value, 0))
            for value, label in Status.choices
            if value != Status.DRAFT
        ),
        by_recipient=tuple(sorted((str(name), n) for name, n in recipient_rows)),
        flagged=referrals.exclude(criteria_missing=[]).count(),
        total_sent=referrals.count(),
    )


def referral_counts_for(user: Requester) -> ReferralCounts:
    """Planners: the region's; a centre's staff: their own centre's."""
    if is_recipient_staff(user) and isinstance(user, User):
        return referral_counts(recipient_id=user.organisation_id)
    return referral_counts()


# --- the criteria's versions ---------------------------------------------------------------


def criteria_versions() -> QuerySet[CriteriaVersion]:
    """Every published version of the referral criteria, newest first."""
    return CriteriaVersion.objects.select_related("published_by")


def current_criteria_version() -> CriteriaVersion | None:
    """The version referrals are judged on: the newest published."""
    return criteria_versions().first()


def current_criteria() -> CriteriaSet:
    """The criteria a draft is shown and judged on (the shipped file until one is stored)."""
    stored = current_criteria_version()
    return stored.definition if stored is not None else criteria_set()


def criteria_of(referral: Referral) -> CriteriaSet:
    """The criteria a referral was judged on when sent; a draft's are the current ones."""
    if not referral.is_draft and referral.criteria_definition is not None:
        return referral.criteria_definition.definition
    return current_criteria()


def referrals_of_any_patient() -> QuerySet[Referral]:
    """Every referral, for `patients.page_reads.has_records` (which narrows them to one patient)."""
    return Referral.objects.all()
