"""Every hospital-contact operation, written once: who may do it, then the service.

The pages, the API and any command call these: the rule (`entry.rules.require`, 403,
audited), the contact loaded through `selectors.contact_for` (404 out of scope, audited),
validation in the service (422).
"""

from __future__ import annotations

from datetime import date

from smertespor.accounts.models import User
from smertespor.departments import services
from smertespor.departments.models import HospitalContact
from smertespor.departments.permissions import can_end_contact, can_record_hospital_contacts
from smertespor.departments.selectors import contact_for
from smertespor.entry.rules import require
from smertespor.versions import ExpectedVersion


def record_hospital_contact(
    *,
    user: User,
    cpr: str,
    name: str,
    kind: str,
    reason: str,
    started_on: date | None = None,
) -> HospitalContact | None:
    """The department takes a patient into its care (an admission or an outpatient course).
    None when nothing was opened; the caller answers the same either way."""
    by = require(user, can_record_hospital_contacts, object_type="hospital_contact")
    return services.record_contact(
        by=by, cpr=cpr, name=name, kind=kind, reason=reason, started_on=started_on
    )


def end_hospital_contact(
    *,
    user: User,
    contact_id: object,
    expected_version: ExpectedVersion,
    ended_on: date | None = None,
) -> HospitalContact:
    """The contact is over: the department's care relation to the patient closes."""
    by = require(user, can_record_hospital_contacts, object_type="hospital_contact")
    contact = contact_for(by, contact_id, change=True)
    require(by, can_end_contact(by, contact), object_type="hospital_contact")
    return services.end_contact(
        by=by, contact=contact, ended_on=ended_on, expected_version=expected_version
    )
