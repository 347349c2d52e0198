"""The referral reports to the patient's low back pain pathway: when the pain centre (or
pain clinic) accepts, books the first appointment or discharges, its stage of the pathway
starts, gets its plan or ends, so the GP, who coordinates, sees who has the patient now.

Called inside the referral step's transaction (a refusal undoes both). Nothing happens
when the patient is not enrolled, or when the enrolment's pathway version has no stage
the recipient owns (`pathways.services.record_stage_transition`).
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from smertespor.accounts.models import User
from smertespor.pathways.models import Part
from smertespor.pathways.selectors import current_enrolment, open_part
from smertespor.pathways.services import record_stage_transition
from smertespor.referrals.models import Referral


def report_to_pathway(referral: Referral, *, by: User, event: str, text: str) -> Part | None:
    """Report the recipient's stage of the patient's pathway.

    `event`: "start" (accepted: the stage starts, or gets the text as its plan if it is
    under way), "plan" (first appointment: likewise), "end" (discharged: the stage ends,
    started first if it was not) or "close" (rejected, forwarded or withdrawn: ends the
    stage only if it is under way)."""
    enrolment = current_enrolment(referral.patient)
    if enrolment is None:
        return None
    recipient = referral.recipient
    stages = enrolment.pathway.definition.stages_owned_by(recipient.kind)
    if not stages:
        return None
    stage = stages[0].code
    part = open_part(enrolment, stage, recipient)
    under_way = part is not None and part.status == Part.Status.ACTIVE
    if event in ("start", "plan"):
        event = "plan" if under_way else "start"
    elif event == "close":
        if not under_way:
            return None
        event = "end"
    elif event == "end" and not under_way:
        record_stage_transition(
            by=by,
            stage=stage,
            organisation=recipient,
            event="start",
            on=timezone.localdate(),
            text=_("Referral #%(number)s accepted.") % {"number": referral.pk},
            enrolment=enrolment,
        )
    return record_stage_transition(
        by=by,
        stage=stage,
        organisation=recipient,
        event=event,
        on=timezone.localdate(),
        text=text,
        enrolment=enrolment,
        expected_version=None,
    )


def accepted_text(referral: Referral) -> str:
    return _(
        "%(recipient)s accepted referral #%(number)s; expected waiting time %(weeks)s weeks."
    ) % {
        "recipient": referral.recipient.name,
        "number": referral.pk,
        "weeks": referral.expected_wait_weeks,
    }


def appointment_text(referral: Referral) -> str:
    at = referral.first_appointment_at
    when = date_format(timezone.localtime(at), "SHORT_DATETIME_FORMAT") if at else ""
    return _("First appointment at %(recipient)s: %(when)s.") % {
        "recipient": referral.recipient.name,
        "when": when,
    }


def discharged_text(referral: Referral) -> str:
    return _("%(recipient)s has discharged the patient (referral #%(number)s).") % {
        "recipient": referral.recipient.name,
        "number": referral.pk,
    }
