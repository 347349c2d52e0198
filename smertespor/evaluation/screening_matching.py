"""Matching the extract's pseudonyms to Smertespor's patients (docs/screening.md).

The region pseudonymises the CPR number before the extract leaves it: person id =
HMAC-SHA256(key, the 10 CPR digits), written as 64 lower-case hex characters, with the key in
the setting `SCREENING_PSEUDONYM_KEY` (hex). Smertespor computes the same pseudonym for the
patients listed at a practice and looks those up among the findings; no CPR number is ever
stored beside a finding, and nobody can turn a pseudonym back into a CPR number without the key.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied

from domain.dispensing_synthetic import pseudonym
from smertespor.accounts.models import Organisation
from smertespor.patients.models import Patient


def matching_enabled() -> bool:
    """False in production until the region's key is set: nobody is matched then."""
    return bool(settings.SCREENING_PSEUDONYM_KEY)


def pseudonym_key() -> bytes:
    if not matching_enabled():
        raise PermissionDenied("SCREENING_PSEUDONYM_KEY is not set: no matching.")
    return bytes.fromhex(settings.SCREENING_PSEUDONYM_KEY)


def pseudonym_for(cpr: str) -> str:
    return pseudonym(pseudonym_key(), cpr)


def listed_patients_by_pseudonym(practice: Organisation) -> dict[str, Patient]:
    """The practice's listed patients, keyed by their pseudonym (none without the key)."""
    if not matching_enabled():
        return {}
    key = pseudonym_key()
    patients = Patient.objects.filter(listed_practice=practice).only(
        "id", "cpr", "name", "birth_date", "listed_practice_id"
    )
    return {pseudonym(key, patient.cpr): patient for patient in patients}
