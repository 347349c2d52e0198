"""The only way to load patient data. It applies the role rules and writes the audit row.

GP practice staff see patients listed at their practice; anyone else clinical sees patients
with an open care relation to their organisation (and so do practice staff for patients
they treat but who are listed elsewhere); planners and administrators see none. A patient
out of scope is indistinguishable from one that does not exist: 404, no patient data.
"""

import uuid
from typing import Any

from django.db.models import BooleanField, Exists, Expression, F, OuterRef, Q, QuerySet, Subquery
from django.http import Http404, HttpRequest

from smertespor.accounts.models import Requester, User
from smertespor.accounts.permissions import can_see_patient_data, is_practice_staff
from smertespor.audit.services import AuditAction, record_event
from smertespor.patients.models import CareRelation, Patient, RegistrationRequest


class PatientNotFound(Http404):
    pass


def scope_patient_ids(user: Requester) -> QuerySet[Any] | None:
    """The ids of the patients ``user`` may see, as one subquery (None: no patient at all).

    Practice staff: the practice's listed patients UNION the patients with an open care
    relation to the practice; anyone else clinical: the open care relations only. Each branch
    is one index range (`patient_practice_name`, `carerel_open_org_patient`), so the cost
    follows the size of the user's scope, not of the region: filter with
    ``<patient field>__in=scope_patient_ids(user)`` (see `in_scope`), never with an OR of an
    EXISTS and a column, which no index can answer and makes the database read every patient.
    """
    organisation_id = user.organisation_id if isinstance(user, User) else None
    if organisation_id is None or not can_see_patient_data(user):
        return None
    related = (
        CareRelation.objects.filter(organisation_id=organisation_id, closed_at__isnull=True)
        .order_by()
        .values("patient_id")
    )
    if not is_practice_staff(user):
        return related
    listed = Patient.objects.filter(listed_practice_id=organisation_id).order_by().values("pk")
    return listed.union(related, all=True)


def in_scope(user: Requester, patient_field: str = "pk") -> Q:
    """A filter: the row's patient (``patient_field``) is one ``user`` may see."""
    ids = scope_patient_ids(user)
    return Q(pk__in=[]) if ids is None else Q(**{f"{patient_field}__in": ids})


class _ExistsRowByRow(Exists):
    """EXISTS that PostgreSQL checks row by row. ``OFFSET 0`` keeps the planner from pulling
    the subquery up into a join (it cannot do that with a subquery that has an OFFSET), so it
    stays a look-up in the subquery's index for each row that reaches it."""

    template = "EXISTS(%(subquery)s OFFSET 0)"


def in_scope_row_by_row(user: Requester, patient_field: str) -> Q:
    """A filter like `in_scope`, checked for each row by one index look-up.

    For rows already narrowed by their own index to the user's organisation (the clinic's
    pending handovers, its appointments this week) when the scope is a hospital's: a
    clinic's open care relations grow with the region, and `in_scope` lets PostgreSQL join
    every course to all of them (a hash join over the whole course table) before it meets
    the few rows the page counts. Row by row, the cost follows the rows, not the region.
    Practice staff (whose scope also holds their listed patients) get `in_scope`.
    """
    if (
        not isinstance(user, User)
        or user.organisation_id is None
        or not can_see_patient_data(user)
        or is_practice_staff(user)
    ):
        return in_scope(user, patient_field)
    open_relation = CareRelation.objects.filter(
        organisation_id=user.organisation_id,
        closed_at__isnull=True,
        patient_id=OuterRef(patient_field),
    )
    return Q(_ExistsRowByRow(open_relation))


class AmongIds(Expression):
    """A condition: ``field`` is one of the ids a subquery returns.

    On PostgreSQL ``field = ANY(ARRAY(<ids>))``: the ids are read once (through their own
    indexes) and then looked up in ``field``'s index, whatever the planner guesses about how
    many there are. ``field IN (<ids>)`` lets it guess (it cannot count the rows of a UNION)
    and, guessing a couple of hundred, read the whole patient table instead. Elsewhere
    (SQLite) plain ``IN``.
    """

    conditional = True
    output_field = BooleanField()

    def __init__(self, field: str, ids: QuerySet[Any]) -> None:
        super().__init__()
        self.lhs: Any = F(field)
        self.ids: Any = Subquery(ids)

    def get_source_expressions(self) -> list[Any]:
        return [self.lhs, self.ids]

    def set_source_expressions(self, exprs: Any) -> None:
        self.lhs, self.ids = exprs

    def _parts(self, compiler: Any) -> tuple[str, str, tuple[Any, ...]]:
        field_sql, field_params = compiler.compile(self.lhs)
        ids_sql, ids_params = compiler.compile(self.ids)
        return field_sql, ids_sql, (*field_params, *ids_params)

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, Any]:
        field_sql, ids_sql, params = self._parts(compiler)
        return f"{field_sql} IN {ids_sql}", params

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, Any]:
        field_sql, ids_sql, params = self._parts(compiler)
        return f"{field_sql} = ANY(ARRAY{ids_sql})", params


def visible_patients(user: Requester) -> QuerySet[Patient]:
    """The patients ``user`` may see. Not audited: callers log the search or view they do.

    For lists: the scope's ids are read once, then looked up by primary key. To check one
    patient, or to filter another table by its patient, use `in_scope`.
    """
    ids = scope_patient_ids(user)
    if ids is None:
        return Patient.objects.none()
    return Patient.objects.filter(AmongIds("pk", ids))


def _scoped_patient(
    user: Requester, patient_id: object, *, action: str, object_type: str
) -> Patient:
    try:
        pk = patient_id if isinstance(patient_id, uuid.UUID) else uuid.UUID(str(patient_id))
    except ValueError:
        pk = None
    # One patient: `in_scope` checks just that id in each branch's index (visible_patients
    # would first read the whole scope into its id array). The listed practice comes in the
    # same query: the patient header of every patient page names it.
    patient = (
        Patient.objects.filter(in_scope(user), pk=pk).select_related("listed_practice").first()
        if pk
        else None
    )
    if patient is None:
        # Refused attempts name the patient (if one exists) so the record's access log shows them.
        target = Patient.objects.filter(pk=pk).only("pk").first() if pk else None
        record_event(
            user=user,
            action=AuditAction.REFUSED,
            object_type=object_type,
            object_id=str(patient_id)[:64],
            patient=target,
            detail={"attempted": str(action)},
        )
        raise PatientNotFound
    return patient


def patient_for(
    user: Requester,
    patient_id: object,
    *,
    action: str = AuditAction.VIEW,
    object_type: str = "patient",
    detail: dict[str, Any] | None = None,
) -> Patient:
    """Load one patient for ``user``, logging the access (or the refused attempt)."""
    patient = _scoped_patient(user, patient_id, action=action, object_type=object_type)
    record_event(
        user=user,
        action=action,
        object_type=object_type,
        object_id=str(patient.pk),
        patient=patient,
        detail=detail,
    )
    return patient


def patient_for_change(
    user: Requester, patient_id: object, *, object_type: str = "patient"
) -> Patient:
    """Load a patient that a service is about to change.

    A refused attempt is logged here; the change itself is logged by the service (with what
    changed), so one submitted change writes one row.
    """
    return _scoped_patient(user, patient_id, action=AuditAction.UPDATE, object_type=object_type)


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def patient_for_request(
    request: HttpRequest,
    patient_id: object,
    *,
    object_type: str = "patient",
    detail: dict[str, Any] | None = None,
) -> Patient:
    """The patient of a view that shows a page on GET and changes the record on POST.

    A GET is a view (audited here); a POST is a change, audited by the service with what
    changed, so one submitted change writes one row.
    """
    if request.method in SAFE_METHODS:
        return patient_for(request.user, patient_id, object_type=object_type, detail=detail)
    return patient_for_change(request.user, patient_id, object_type=object_type)


# --- registration requests -------------------------------------------------------------------


def can_decide_registrations(user: Requester) -> bool:
    """The staff of a GP practice decide the registration requests for the patients listed
    there: they read those patients anyway. Clinics (who see a patient only through a care
    relation), planners and administrators (who see no patient) do not."""
    return isinstance(user, User) and user.is_active and is_practice_staff(user)


def decidable_requests(user: Requester) -> QuerySet[RegistrationRequest]:
    """The registration requests ``user`` may see and decide: those for the patients listed
    at their practice (pending or decided). None for anyone else."""
    if not can_decide_registrations(user) or not isinstance(user, User):
        return RegistrationRequest.objects.none()
    return RegistrationRequest.objects.filter(
        patient__listed_practice_id=user.organisation_id
    ).exclude(practice_id=user.organisation_id)


class RegistrationRequestNotFound(Http404):
    pass


def registration_request_for(user: Requester, request_id: object) -> RegistrationRequest:
    """One request ``user`` may decide; out of scope (or no such request) is 404, and the
    refused attempt is logged against the request's patient when there is one."""
    try:
        pk = int(str(request_id))
    except ValueError:
        pk = None
    found = (
        decidable_requests(user)
        .select_related("patient", "practice", "requested_by")
        .filter(pk=pk)
        .first()
        if pk is not None
        else None
    )
    if found is None:
        target = (
            RegistrationRequest.objects.filter(pk=pk).only("patient_id").first() if pk else None
        )
        record_event(
            user=user,
            action=AuditAction.REFUSED,
            object_type="registration_request",
            object_id=str(request_id)[:64],
            patient=target.patient if target is not None else None,
            detail={"attempted": AuditAction.UPDATE},
        )
        raise RegistrationRequestNotFound
    return found
