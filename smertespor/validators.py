"""Field validators shared by every app's models, so forms and the API refuse alike."""

from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from domain.deidentification import FindingKind, blocking_identifiers


def no_nul_bytes(value: str) -> None:
    # PostgreSQL cannot store NUL in text; SQLite would. Refuse it the same way on both.
    if "\x00" in value:
        raise ValidationError(_("The text contains a NUL character."), code="null_characters")


def identifier_refusals(
    texts: Mapping[str, str], *, patient_names: Iterable[str] = ()
) -> dict[str, ValidationError]:
    """For each field whose text carries a CPR number or the patient's name, the refusal.

    For free text shown outside the patient's record (knowledge-base articles, advice
    subjects, teaching sessions): these are hard errors, never warnings (issue 12). The
    detection is `domain.deidentification`; dates and other names are not refused here.
    """
    patient_names = [name for name in patient_names if name]
    refusals: dict[str, ValidationError] = {}
    for field, text in texts.items():
        found = blocking_identifiers(text or "", patient_names=patient_names)
        if not found:
            continue
        first = found[0]
        if first.kind == FindingKind.CPR:
            refusals[field] = ValidationError(
                gettext(
                    "The text contains a CPR number. Remove it: this text is shown outside "
                    "the patient's record."
                ),
                code="cpr_number",
            )
        else:
            refusals[field] = ValidationError(
                gettext(
                    "The text contains the patient's name (“%(name)s”). Remove it: this text "
                    "is shown outside the patient's record."
                )
                % {"name": first.text},
                code="patient_name",
            )
    return refusals


def refuse_identifiers(texts: Mapping[str, str], *, patient_names: Iterable[str] = ()) -> None:
    """Raise a ValidationError by field if any text carries a CPR number or the patient's
    name (see `identifier_refusals`)."""
    refusals = identifier_refusals(texts, patient_names=patient_names)
    if refusals:
        raise ValidationError(refusals)
