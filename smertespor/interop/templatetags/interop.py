"""The "download as a FHIR message" link on the pages that show a letter: shown only to the
users the download endpoint serves (`can_export_records`), so nobody gets a link that 403s."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from smertespor.accounts.models import Requester
from smertespor.interop.permissions import can_export_records

register = template.Library()

# kind -> (API url name, the url's keyword for the letter's id)
_MESSAGE_URLS = {
    "handover": ("api:fhir_handover_message", "handover_id"),
    "discharge": ("api:fhir_discharge_message", "summary_id"),
    "centre_discharge": ("api:fhir_centre_discharge_message", "summary_id"),
    "referral": ("api:fhir_referral_message", "referral_id"),
}


@register.filter
def may_export(user: Requester) -> bool:
    return can_export_records(user)


@register.simple_tag
def fhir_message_link(user: Requester, kind: str, patient_id: object, letter_id: int) -> str:
    if not can_export_records(user):
        return ""
    name, keyword = _MESSAGE_URLS[kind]
    url = reverse(name, kwargs={"patient_id": patient_id, keyword: letter_id})
    return format_html(
        '<a href="{}" download data-testid="fhir-message-link">{}</a>',
        url,
        _("Download as a FHIR message"),
    )
