"""Every referral operation, written once: who may do it, then the service that does it.

The pages, the API and any command call these; each loads what it works on through
`referrals.access` / `patients.access` (404 out of scope, audited), refuses with
`entry.rules.require` (403, audited), and leaves validation to the services (422).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from django.core.files.uploadedfile import UploadedFile

from smertespor.accounts.models import User
from smertespor.entry.rules import require
from smertespor.patients.access import patient_for_change
from smertespor.referrals import criteria, services
from smertespor.referrals.access import referral_for
from smertespor.referrals.models import CriteriaVersion, Referral, ReferralCommunication
from smertespor.referrals.permissions import (
    can_book_for,
    can_change_as_referrer,
    can_publish_criteria,
    can_refer,
    can_refer_patient,
    can_triage,
    can_triage_referral,
    can_use_referrals,
    side_of,
)
from smertespor.versions import ExpectedVersion


def _as_referrer(user: User, referral_id: object) -> Referral:
    require(user, can_refer, object_type="referral")
    referral = referral_for(user, referral_id, change=True)
    require(
        user,
        can_change_as_referrer(user, referral),
        object_type="referral",
        object_id=str(referral.pk),
        patient=referral.patient,
    )
    return referral


def _as_triager(user: User, referral_id: object) -> Referral:
    require(user, can_triage, object_type="referral")
    referral = referral_for(user, referral_id, change=True)
    require(
        user,
        can_triage_referral(user, referral),
        object_type="referral",
        object_id=str(referral.pk),
        patient=referral.patient,
    )
    return referral


def draft_referral(
    *,
    user: User,
    patient_id: object,
    recipient_id: object,
    content: Mapping[str, Any],
    criteria: object = None,
    files: Sequence[UploadedFile] = (),
) -> Referral:
    """A GP starts a referral of a patient listed at their practice (saved as a draft)."""
    require(user, can_refer, object_type="referral")
    patient = patient_for_change(user, patient_id, object_type="referral")
    require(
        user,
        can_refer_patient(user, patient),
        object_type="referral",
        object_id=str(patient.pk),
        patient=patient,
    )
    return services.save_referral_draft(
        by=user,
        patient=patient,
        recipient_id=recipient_id,
        content=content,
        criteria=criteria,
        files=files,
    )


def change_referral_draft(
    *,
    user: User,
    referral_id: object,
    recipient_id: object,
    content: Mapping[str, Any],
    expected_version: ExpectedVersion,
    criteria: object = None,
    files: Sequence[UploadedFile] = (),
) -> Referral:
    referral = _as_referrer(user, referral_id)
    require(
        user,
        can_refer_patient(user, referral.patient),
        object_type="referral",
        object_id=str(referral.pk),
        patient=referral.patient,
    )
    return services.save_referral_draft(
        by=user,
        patient=referral.patient,
        referral=referral,
        recipient_id=recipient_id,
        content=content,
        criteria=criteria,
        files=files,
        expected_version=expected_version,
    )


def send_referral(
    *,
    user: User,
    referral_id: object,
    expected_version: ExpectedVersion,
    exception_reason: str = "",
) -> Referral:
    """Send the draft to its recipient (criteria missing only with a written reason)."""
    referral = _as_referrer(user, referral_id)
    require(
        user,
        can_refer_patient(user, referral.patient),
        object_type="referral",
        object_id=str(referral.pk),
        patient=referral.patient,
    )
    return services.send_referral(
        referral=referral,
        by=user,
        exception_reason=exception_reason,
        expected_version=expected_version,
    )


def write_referral_message(
    *,
    user: User,
    referral_id: object,
    body: str,
    expected_version: ExpectedVersion,
    files: Sequence[UploadedFile] = (),
) -> ReferralCommunication:
    """A message in the thread from either side; the GP's answer to a request for
    information is the supplement."""
    require(user, can_use_referrals, object_type="referral")
    referral = referral_for(user, referral_id, change=True)
    require(
        user,
        side_of(user, referral) is not None,
        object_type="referral",
        object_id=str(referral.pk),
        patient=referral.patient,
    )
    return services.write_message(
        referral=referral, by=user, body=body, files=files, expected_version=expected_version
    )


def withdraw_referral(
    *, user: User, referral_id: object, reason: str, expected_version: ExpectedVersion
) -> Referral:
    referral = _as_referrer(user, referral_id)
    return services.withdraw_referral(
        referral=referral, by=user, reason=reason, expected_version=expected_version
    )


def start_triage(*, user: User, referral_id: object, expected_version: ExpectedVersion) -> Referral:
    referral = _as_triager(user, referral_id)
    return services.start_triage(referral=referral, by=user, expected_version=expected_version)


def request_information(
    *, user: User, referral_id: object, question: str, expected_version: ExpectedVersion
) -> Referral:
    referral = _as_triager(user, referral_id)
    return services.request_information(
        referral=referral, by=user, question=question, expected_version=expected_version
    )


def accept_referral(
    *,
    user: User,
    referral_id: object,
    priority: str,
    expected_wait_weeks: int,
    expected_version: ExpectedVersion,
    note: str = "",
) -> Referral:
    referral = _as_triager(user, referral_id)
    return services.accept_referral(
        referral=referral,
        by=user,
        priority=priority,
        expected_wait_weeks=expected_wait_weeks,
        note=note,
        expected_version=expected_version,
    )


def reject_referral(
    *,
    user: User,
    referral_id: object,
    rejection_reason: str,
    advice_to_gp: str,
    expected_version: ExpectedVersion,
) -> Referral:
    referral = _as_triager(user, referral_id)
    return services.reject_referral(
        referral=referral,
        by=user,
        rejection_reason=rejection_reason,
        advice_to_gp=advice_to_gp,
        expected_version=expected_version,
    )


def forward_referral(
    *,
    user: User,
    referral_id: object,
    to_id: object,
    reason: str,
    expected_version: ExpectedVersion,
) -> Referral:
    referral = _as_triager(user, referral_id)
    return services.forward_referral(
        referral=referral, by=user, to_id=to_id, reason=reason, expected_version=expected_version
    )


def book_first_appointment(
    *, user: User, referral_id: object, at: datetime, expected_version: ExpectedVersion
) -> Referral:
    require(user, can_use_referrals, object_type="referral")
    referral = referral_for(user, referral_id, change=True)
    require(
        user,
        can_book_for(user, referral),
        object_type="referral",
        object_id=str(referral.pk),
        patient=referral.patient,
    )
    return services.book_first_appointment(
        referral=referral, by=user, at=at, expected_version=expected_version
    )


def discharge_referral(
    *, user: User, referral_id: object, expected_version: ExpectedVersion, note: str = ""
) -> Referral:
    """For the centres app's discharge summary: the referral is discharged."""
    referral = _as_triager(user, referral_id)
    return services.record_discharge(
        referral=referral, by=user, note=note, expected_version=expected_version
    )


def publish_criteria_version(*, user: User, text: str, note: str = "") -> CriteriaVersion:
    """An administrator publishes a new version of the referral criteria."""
    admin = require(user, can_publish_criteria, object_type="referral_criteria_version")
    return criteria.publish_criteria_version(by=admin, text=text, note=note)
