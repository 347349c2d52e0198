"""Reads of advice: the practice's and the clinic's lists, a patient's requests, the figures
for planners, and the knowledge base. Lists show a patient's name only where the reader may
see the patient (`patients.access.visible_patients`); each list view is logged once."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from statistics import median
from typing import Any, TypeVar

from django.db.models import Case, Count, Model, Q, QuerySet, Value, When
from django.db.models.fields import BooleanField
from django.http import Http404
from django.utils import timezone

from smertespor.accounts.models import Requester, User
from smertespor.advice.access import scoped_requests, with_patient_visibility
from smertespor.advice.categories import CATEGORY_VALUES, category_label
from smertespor.advice.models import (
    OPEN_STATUSES,
    WITH_CLINIC,
    AdviceMessage,
    AdviceRequest,
    Article,
    Channel,
    Outcome,
    Status,
    Urgency,
)
from smertespor.advice.permissions import (
    ANSWERING_ROLES,
    can_read_articles,
    is_advice_clinician,
)
from smertespor.advice.sources import SOURCE_KINDS, SOURCE_LABELS
from smertespor.audit.services import AuditAction, record_event
from smertespor.patients.models import Patient
from smertespor.patients.page_reads import has_records, read_once

REQUEST_SORTS = {
    "due": ("due_on", "-urgency", "asked_at"),
    "-asked": ("-asked_at", "-pk"),
    "asked": ("asked_at", "pk"),
    "activity": ("-last_activity_at", "-pk"),
    "status": ("status", "-asked_at"),
}
REQUEST_FILTERS = ("open", "mine", "unassigned", "overdue", "answered", "closed", "all")
ARTICLE_SORTS = {"newest": ("-published_at", "-pk"), "title": ("title", "pk")}
M = TypeVar("M", bound=Model)


def annotate_overdue(requests: QuerySet[M], today: date | None = None) -> QuerySet[M]:
    today = today or timezone.localdate()
    return requests.annotate(
        is_overdue=Case(
            When(status__in=WITH_CLINIC, due_on__lt=today, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def by_source(requests: QuerySet[M], source: str, field: str = "practice") -> QuerySet[M]:
    """Only the requests from one kind of asking organisation (`advice.sources`: general
    practice or hospital department); any other value keeps them all."""
    kind = SOURCE_KINDS.get(source)
    return requests if kind is None else requests.filter(**{f"{field}__kind": kind})


def advice_requests_for(
    user: Requester,
    *,
    show: str = "open",
    sort: str = "due",
    source: str = "",
    query_log: bool = True,
) -> QuerySet[AdviceRequest]:
    """The requests in `user`'s list: the practice's (or department's) own, or the clinic's
    worklist; `source` keeps those from general practice or from hospital departments."""
    today = timezone.localdate()
    requests = annotate_overdue(by_source(scoped_requests(user), source), today)
    if show == "open":
        requests = requests.filter(status__in=OPEN_STATUSES)
    elif show == "mine":
        requests = requests.filter(assigned_to_id=user.pk, status__in=OPEN_STATUSES)
    elif show == "unassigned":
        requests = requests.filter(assigned_to__isnull=True, status__in=OPEN_STATUSES)
    elif show == "overdue":
        requests = requests.filter(status__in=WITH_CLINIC, due_on__lt=today)
    elif show == "answered":
        requests = requests.filter(status__in=[Status.ANSWERED, Status.AWAITING_GP])
    elif show == "closed":
        requests = requests.filter(status=Status.CLOSED)
    if query_log:
        record_event(
            user=user,
            action=AuditAction.SEARCH,
            object_type="advice_request",
            detail={"show": show, "sort": sort, **({"source": source} if source else {})},
        )
    requests = with_patient_visibility(user, requests).select_related(
        "practice", "clinic", "asked_by", "assigned_to", "patient"
    )
    return requests.order_by(*REQUEST_SORTS.get(sort, REQUEST_SORTS["due"]))


def advice_requests_of_patient(user: Requester, patient: Patient) -> QuerySet[AdviceRequest]:
    """The patient's requests that `user` takes part in (the caller loaded the patient
    through `patients.access`, which logged the view)."""
    return annotate_overdue(scoped_requests(user).filter(patient=patient)).select_related(
        "practice", "clinic", "asked_by", "assigned_to"
    )


def advice_requests_shown(user: Requester, patient: Patient) -> list[AdviceRequest]:
    """`advice_requests_of_patient`, newest first, read once for the patient page (its
    timeline and its advice panel both show them: `patients.page_reads`)."""
    return read_once(
        patient,
        ("advice.requests", getattr(user, "pk", None)),
        lambda: (
            list(advice_requests_of_patient(user, patient).order_by("-asked_at", "-pk"))
            if has_records(patient, "advice_requests")
            else []
        ),
    )


def thread_of(advice_request: AdviceRequest) -> list[AdviceMessage]:
    return list(
        advice_request.messages.select_related("author")
        .prefetch_related("attachments")
        .order_by("created_at", "pk")
    )


def colleagues_for_assignment(advice_request: AdviceRequest) -> QuerySet[User]:
    return User.objects.filter(
        organisation_id=advice_request.clinic_id, role__in=ANSWERING_ROLES, is_active=True
    ).order_by("first_name", "last_name", "username")


@dataclass(frozen=True)
class AdviceCounts:
    """Aggregates only: no patient, practice user or text can be identified from them."""

    total: int
    by_status: list[tuple[str, str, int]]
    by_category: list[tuple[str, str, int]]
    by_outcome: list[tuple[str, str, int]]
    by_channel: list[tuple[str, str, int]]
    by_urgency: list[tuple[str, str, int]]
    # From general practice and from hospital departments (`advice.sources`).
    by_source: list[tuple[str, str, int]]
    overdue: int
    answered: int
    median_response_working_days: float | None
    within_target: int
    closed: int
    advice_sufficient: int
    articles_published: int

    @property
    def advice_sufficient_share(self) -> int | None:
        return round(100 * self.advice_sufficient / self.closed) if self.closed else None

    @property
    def within_target_share(self) -> int | None:
        return round(100 * self.within_target / self.answered) if self.answered else None


def _grouped(
    requests: QuerySet[AdviceRequest], field: str, labels: Iterable[tuple[str, Any]]
) -> list[tuple[str, str, int]]:
    counts = {row[field]: row["n"] for row in requests.values(field).annotate(n=Count("pk"))}
    return [(value, str(label), counts.get(value, 0)) for value, label in labels]


def advice_counts_for(user: Requester, *, source: str = "") -> AdviceCounts:
    """The figures `user` sees: a clinic's clinicians their own clinic's, planners and
    administrators all of them; `source` keeps those from general practice or from
    hospital departments. The pages and the API check `can_see_advice_counts` first."""
    if is_advice_clinician(user) and isinstance(user, User):
        return advice_counts(clinic_id=user.organisation_id, source=source)
    return advice_counts(source=source)


def _by_source_rows(requests: QuerySet[AdviceRequest]) -> list[tuple[str, str, int]]:
    counts = {
        row["practice__kind"]: row["n"]
        for row in requests.order_by().values("practice__kind").annotate(n=Count("pk"))
    }
    return [
        (source, str(SOURCE_LABELS[source]), counts.get(kind, 0))
        for source, kind in SOURCE_KINDS.items()
    ]


def advice_counts(*, clinic_id: int | None = None, source: str = "") -> AdviceCounts:
    """The figures for one clinic (or all), from one source (or all): volume, outcomes,
    response times."""
    requests = AdviceRequest.objects.all()
    if clinic_id is not None:
        requests = requests.filter(clinic_id=clinic_id)
    by_source_rows = _by_source_rows(requests)
    requests = by_source(requests, source)
    today = timezone.localdate()
    answered = [
        (days, replied, due)
        for days, replied, due in requests.filter(first_response_at__isnull=False).values_list(
            "response_working_days", "first_response_at", "due_on"
        )
        # A reply always carries its response time (a database constraint says so).
        if days is not None and replied is not None
    ]
    within = sum(1 for _days, replied, due in answered if timezone.localdate(replied) <= due)
    categories = [(value, category_label(value)) for value in sorted(CATEGORY_VALUES)]
    closed = requests.filter(status=Status.CLOSED)
    return AdviceCounts(
        total=requests.count(),
        by_status=_grouped(requests, "status", Status.choices),
        by_category=_grouped(requests, "category", categories),
        by_outcome=_grouped(closed, "outcome", Outcome.choices),
        by_channel=_grouped(requests, "channel", Channel.choices),
        by_urgency=_grouped(requests, "urgency", Urgency.choices),
        by_source=by_source_rows,
        overdue=requests.filter(status__in=WITH_CLINIC, due_on__lt=today).count(),
        answered=len(answered),
        median_response_working_days=(
            float(median(days for days, _replied, _due in answered)) if answered else None
        ),
        within_target=within,
        closed=closed.count(),
        advice_sufficient=closed.filter(outcome=Outcome.ADVICE_SUFFICIENT).count(),
        articles_published=Article.objects.filter(status=Article.Status.PUBLISHED).count(),
    )


def articles_for(
    user: Requester, *, query: str = "", category: str = "", sort: str = "newest", status: str = ""
) -> QuerySet[Article]:
    """Published articles for every clinician; the clinic's drafts for its own clinicians."""
    if not can_read_articles(user):
        return Article.objects.none()
    visible = Q(status=Article.Status.PUBLISHED)
    if is_advice_clinician(user) and isinstance(user, User):
        visible |= Q(clinic_id=user.organisation_id)
    articles = Article.objects.filter(visible)
    if status in Article.Status.values:
        articles = articles.filter(status=status)
    if category in CATEGORY_VALUES:
        articles = articles.filter(category=category)
    for word in query.split()[:10]:
        articles = articles.filter(Q(title__icontains=word) | Q(body__icontains=word))
    articles = articles.select_related("created_by", "approved_by", "submitted_by")
    return articles.order_by(*ARTICLE_SORTS.get(sort, ARTICLE_SORTS["newest"]))


def article_for(user: Requester, article_id: object) -> Article:
    """One article `user` may read, or 404."""
    try:
        pk = int(str(article_id))
    except ValueError:
        raise Http404 from None
    article = articles_for(user).filter(pk=pk).select_related("source_request", "clinic").first()
    if article is None:
        raise Http404
    return article


# Added for teaching:


def advice_topics_per_practice(
    practice_ids: Iterable[int], *, since: datetime
) -> dict[int, Counter[str]]:
    """The advice requests each practice asked since ``since``, counted by category (a
    teaching topic): aggregates only. A practice that asked nothing has an empty Counter."""
    ids = list(practice_ids)
    counts: dict[int, Counter[str]] = {pid: Counter() for pid in ids}
    rows = (
        AdviceRequest.objects.filter(practice_id__in=ids, asked_at__gte=since)
        .order_by()
        .values("practice_id", "category")
        .annotate(n=Count("pk"))
        .values_list("practice_id", "category", "n")
    )
    for practice_id, category, n in rows:
        counts[practice_id][category] = n
    return counts


# Added for the patient's timeline (patients.timeline):
def answers_of_patient(user: Requester, patient: Patient) -> QuerySet[AdviceMessage]:
    """The clinic's answers in the patient's requests that `user` takes part in."""
    return (
        AdviceMessage.objects.filter(
            request__in=scoped_requests(user).filter(patient=patient),
            side=AdviceMessage.Side.CLINIC,
            kind=AdviceMessage.Kind.ANSWER,
        )
        .select_related("request")
        .order_by("-created_at", "-pk")
    )


# Added for the home page ("I dag"): not logged here, the home page logs its one search.
def advice_due_by(user: Requester, today: date) -> QuerySet[AdviceRequest]:
    """The clinic's requests still owing a reply that are due by `today` (overdue first)."""
    requests = scoped_requests(user).filter(status__in=WITH_CLINIC, due_on__lte=today)
    if isinstance(user, User):
        requests = requests.filter(clinic_id=user.organisation_id)
    return (
        annotate_overdue(with_patient_visibility(user, requests), today)
        .select_related("patient", "practice")
        .order_by("due_on", "-urgency", "asked_at", "pk")
    )


def advice_answered(user: Requester) -> QuerySet[AdviceRequest]:
    """The practice's requests the clinic has answered (or asked back on) and the practice has
    not closed yet, newest activity first."""
    requests = scoped_requests(user).filter(status__in=[Status.ANSWERED, Status.AWAITING_GP])
    if isinstance(user, User):
        requests = requests.filter(practice_id=user.organisation_id)
    return (
        with_patient_visibility(user, requests)
        .select_related("patient", "clinic")
        .order_by("-last_activity_at", "-pk")
    )


def advice_requests_of_any_patient() -> QuerySet[AdviceRequest]:
    """Every advice request (`patients.page_reads.has_records` asks for one patient's)."""
    return AdviceRequest.objects.all()
