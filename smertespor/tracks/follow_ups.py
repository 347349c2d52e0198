"""Follow-up visits: the regimen actually taken, scores, alerts, and the next visit.

The regimen goes through the medication app's services (so the medication list, its history
and the OMEQ chart change with it); the visit's OMEQ is then the list's. Scores and dates are
checked by the domain (`domain.scores`, `domain.follow_up`) before anything is written, and
everything is written in one transaction: a refused visit leaves the list unchanged too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from domain.errors import DomainError
from domain.follow_up import (
    FollowUpScores,
    follow_up_alerts,
    next_follow_up_on,
    validate_follow_up_date,
    validate_next_visit,
)
from domain.scores import Peg
from domain.scores import cows_total as cows_items_total
from domain.scores import sows_total as sows_items_total
from smertespor.accounts.models import User
from smertespor.audit.services import AuditAction
from smertespor.entry.numbers import json_number
from smertespor.medication.selectors import current_lines, is_substitution_treatment
from smertespor.medication.services import (
    add_medication_line,
    change_medication_line,
    end_medication_line,
)
from smertespor.tracks.facts import baseline_peg
from smertespor.tracks.labels import Refusals
from smertespor.tracks.models import Actor, Alert, Course, FollowUp, TimelineEvent
from smertespor.tracks.omeq import recorded_omeq
from smertespor.tracks.permissions import can_record_follow_up, require_actor
from smertespor.tracks.rules import apply_track_rule
from smertespor.tracks.transitions import audit, check_version, claim_version, record_timeline
from smertespor.versions import ExpectedVersion


@dataclass(frozen=True)
class LineChange:
    """A current line's dose as actually taken now."""

    line_id: int
    units_per_dose: Decimal
    doses_per_day: Decimal | None = None
    max_doses_per_day: Decimal | None = None


@dataclass(frozen=True)
class RegimenUpdate:
    """What changed in the regimen since the last visit: doses, stopped lines, new lines
    (`added` holds `medication.services.add_medication_line` arguments)."""

    changes: tuple[LineChange, ...] = ()
    stopped: tuple[int, ...] = ()
    added: tuple[dict[str, Any], ...] = field(default=())

    @property
    def is_empty(self) -> bool:
        return not (self.changes or self.stopped or self.added)


def _withdrawal_total(
    items: Sequence[int] | None, total: int | None, *, scale: str, errors: Refusals
) -> int | None:
    """The SOWS/COWS total, from its items when given (they must agree with a given total)."""
    if not items:
        return total
    try:
        total_of = sows_items_total if scale == "sows" else cows_items_total
        computed = total_of(list(items))
    except DomainError as error:
        errors.add_domain(error)
        return None
    if total is not None and total != computed:
        errors.add(
            ValidationError(
                {
                    f"{scale}_total": _(
                        "The total (%(total)s) is not the sum of the items (%(sum)s)."
                    )
                    % {"total": total, "sum": computed}
                }
            )
        )
    return computed


def apply_regimen(
    course: Course, by: User, regimen: RegimenUpdate, on: date, *, stop_reason: str = ""
) -> list[dict[str, Any]]:
    """Apply the regimen through the medication services (a follow-up visit's, or the
    discharge summary's); what changed, for the record. Call it inside the caller's
    transaction, so a refusal leaves the list as it was."""
    patient = course.patient
    current = {line.pk: line for line in current_lines(patient)}
    done: list[dict[str, Any]] = []
    try:
        for change in regimen.changes:
            line = current.get(change.line_id)
            if line is None:
                raise ValidationError(_("A medication line has changed or ended meanwhile."))
            if change.line_id in regimen.stopped:
                continue
            new: dict[str, Any] = {
                "units_per_dose": change.units_per_dose,
                "doses_per_day": change.doses_per_day,
                "max_doses_per_day": change.max_doses_per_day,
            }
            if any(getattr(line, name) != value for name, value in new.items()):
                change_medication_line(line=line, by=by, **new)
                done.append({"line": line.pk, "product": line.product_id, "changed": "dose"})
        for line_id in regimen.stopped:
            line = current.get(line_id)
            if line is None:
                raise ValidationError(_("A medication line has changed or ended meanwhile."))
            end_medication_line(
                line=line,
                by=by,
                ended_on=on,
                reason=stop_reason or _("Stopped at a follow-up visit."),
            )
            done.append({"line": line.pk, "product": line.product_id, "changed": "stopped"})
        for arguments in regimen.added:
            added = add_medication_line(patient=patient, by=by, **{"start_date": on, **arguments})
            done.append({"line": added.pk, "product": added.product_id, "changed": "added"})
    except ValidationError as error:
        raise ValidationError({"regimen": error.messages}) from None
    return done


def record_follow_up(
    *,
    course: Course,
    by: User,
    expected_version: ExpectedVersion,
    visit_on: date,
    peg: tuple[int, int, int] | None = None,
    nrs: int | None = None,
    sows_total: int | None = None,
    sows_items: Sequence[int] | None = None,
    cows_total: int | None = None,
    cows_items: Sequence[int] | None = None,
    note: str = "",
    next_visit_on: date | None = None,
    omeq_mg_per_day: Decimal | None = None,
    regimen: RegimenUpdate | None = None,
) -> FollowUp:
    """Record a visit on an open course (the practice on the practice track, the clinic on
    the hospital track; COWS at the clinic only) and raise its alerts."""
    if not can_record_follow_up(by, course):
        raise PermissionDenied
    actor = require_actor(by, course, decision=False)
    regimen = regimen or RegimenUpdate()
    check_version(course, expected_version)
    errors = Refusals()
    if not course.is_open:
        errors.add(
            ValidationError(_("This course is closed: visits are recorded on an open course."))
        )
    if (cows_total is not None or cows_items) and actor != Actor.CLINIC:
        errors.add(
            ValidationError({"cows_total": _("COWS is rated by a clinician at the clinic.")})
        )
    today = timezone.localdate()
    try:
        validate_follow_up_date(visit_on, course_start=course.start_date, today=today)
    except DomainError as error:
        errors.add_domain(error)
    if next_visit_on is not None:
        try:
            validate_next_visit(next_visit_on, visit_on=visit_on)
        except DomainError as error:
            errors.add_domain(error)
    sows = _withdrawal_total(sows_items, sows_total, scale="sows", errors=errors)
    cows = _withdrawal_total(cows_items, cows_total, scale="cows", errors=errors)
    scores = None
    try:
        scores = FollowUpScores(
            peg=Peg(*peg) if peg is not None else None, nrs=nrs, sows_total=sows, cows_total=cows
        )
    except DomainError as error:
        errors.add_domain(error)
    errors.raise_any()
    assert scores is not None  # noqa: S101 - refused above otherwise
    with transaction.atomic():
        claim_version(course, expected_version)
        changes = apply_regimen(course, by, regimen, visit_on)
        omeq = recorded_omeq(course.patient, omeq_mg_per_day, field="omeq_mg_per_day")
        on_substitution = any(
            is_substitution_treatment(line) for line in current_lines(course.patient)
        )
        previous = course.follow_ups.order_by("-visit_on", "-pk").first()
        previous_atc = previous.atc_codes if previous else course.baseline_atc_codes
        follow_up = FollowUp.objects.create(
            course=course,
            visit_on=visit_on,
            actor=actor,
            recorded_by=by,
            recorded_at=timezone.now(),
            omeq_mg_per_day=omeq.mg_per_day,
            omeq_source=omeq.source,
            omeq_table=omeq.table,
            peg_pain=peg[0] if peg else None,
            peg_enjoyment=peg[1] if peg else None,
            peg_activity=peg[2] if peg else None,
            nrs=nrs,
            sows_total=sows,
            sows_items=list(sows_items) if sows_items else None,
            cows_total=cows,
            cows_items=list(cows_items) if cows_items else None,
            note=note.strip(),
            next_visit_on=next_visit_on,
            atc_codes=list(omeq.atc_codes),
            medication_changes=changes,
            on_substitution_treatment=on_substitution,
        )
        raised = follow_up_alerts(
            scores=scores,
            baseline_peg=baseline_peg(course),
            previous_atc_codes=previous_atc,
            current_atc_codes=omeq.atc_codes,
        )
        Alert.objects.bulk_create(
            Alert(
                course=course,
                follow_up=follow_up,
                code=alert.code.value,
                params=dict(alert.params),
                raised_on=visit_on,
            )
            for alert in raised
        )
        _update_schedule(course)
        record_timeline(
            course=course,
            kind=TimelineEvent.Kind.FOLLOW_UP,
            actor=actor,
            by=by,
            detail={
                "follow_up": follow_up.pk,
                "visit_on": visit_on.isoformat(),
                "omeq_mg_per_day": json_number(omeq.mg_per_day),
                "alerts": [alert.code.value for alert in raised],
                "medication_changes": len(changes),
                "on_substitution_treatment": on_substitution,
            },
        )
        audit(by=by, action=AuditAction.CREATE, course=course, object_type="follow_up")
    # A visit recorded late, dated on or before a passed deadline, is judged now.
    apply_track_rule(course)
    return follow_up


def _update_schedule(course: Course) -> None:
    """Due date of the next visit (from the latest visit by date), last visit, current OMEQ."""
    latest = course.follow_ups.order_by("-visit_on", "-pk").first()
    if latest is None:
        return
    due = next_follow_up_on(
        course_start=course.start_date,
        interval_days=course.follow_up_interval_days,
        last_visit_on=latest.visit_on,
        last_next_visit_on=latest.next_visit_on,
    )
    Course.objects.filter(pk=course.pk).update(
        next_follow_up_on=due,
        last_visit_on=latest.visit_on,
        current_omeq_mg_per_day=latest.omeq_mg_per_day,
    )
    course.next_follow_up_on = due
    course.last_visit_on = latest.visit_on
    course.current_omeq_mg_per_day = latest.omeq_mg_per_day


def acknowledge_alert(*, alert: Alert, by: User) -> Alert:
    """Someone responsible for the course has seen the alert (twice is the same as once)."""
    course = alert.course
    actor = require_actor(by, course, decision=False)
    with transaction.atomic():
        now = timezone.now()
        updated = Alert.objects.filter(pk=alert.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=now, acknowledged_by=by
        )
        if updated:
            alert.acknowledged_at, alert.acknowledged_by = now, by
            record_timeline(
                course=course,
                kind=TimelineEvent.Kind.ALERT_ACKNOWLEDGED,
                actor=actor,
                by=by,
                detail={"alert": alert.code, "raised_on": alert.raised_on.isoformat()},
            )
            audit(by=by, action=AuditAction.UPDATE, course=course, object_type="alert")
    return alert
