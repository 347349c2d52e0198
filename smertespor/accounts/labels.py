"""Wording of the task permissions a role change request may grant."""

from django.utils.translation import gettext_lazy as _

PERMISSION_LABELS = {
    "medication.sign_off_conversion_table": _("Sign off conversion tables"),
}


def permission_labels(codes: list[str]) -> list[str]:
    return [str(PERMISSION_LABELS.get(code, code)) for code in codes]
