"""Letters as message Bundles shaped like MedCom's, without a database."""

import datetime
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle

from smertespor.interop import codes
from smertespor.interop.medcom import (
    MAX_ATTACHMENT_BYTES,
    Attachment,
    Letter,
    MessageRefused,
    acknowledgement_message,
    care_communication_message,
    referral_message,
)
from smertespor.interop.records import OrganisationRecord, PatientRecord

PRACTICE = OrganisationRecord(
    id="3", name="Lægerne i Testby", kind="gp_practice", kind_label="Almen praksis",
    sor_code="123456789012", provider_number="012345",
)  # fmt: skip
CLINIC = OrganisationRecord(
    id="5", name="Smerteklinikken", kind="pain_clinic", kind_label="Smerteklinik",
    sor_code="987654321098",
)  # fmt: skip
PATIENT = PatientRecord(
    id="p1", cpr="0101701234", name="Birthe Testesen",
    birth_date=datetime.date(1970, 1, 1), sex="female", practice_id="3",
)  # fmt: skip
SENT = datetime.datetime(2026, 3, 2, 10, tzinfo=datetime.UTC)


def letter(**changes: Any) -> Letter:
    values: dict[str, Any] = {
        "id": "handover-1",
        "event": "handover-letter",
        "category": "carecoordination",
        "title": "Overdragelse til hospitalssporet",
        "text": "Patienten overdrages efter 3 måneder uden effekt.",
        "sent_at": SENT,
        "sender": PRACTICE,
        "receiver": CLINIC,
        "patient": PATIENT,
    }
    values.update(changes)
    return Letter(**values)


def resources(bundle):
    return {e["resource"]["resourceType"]: e["resource"] for e in bundle["entry"]}


def test_a_handover_letter_is_a_message_from_the_practice_to_the_clinic_by_sor_code():
    bundle = care_communication_message(letter())
    Bundle.model_validate(bundle)
    assert bundle["type"] == "message"
    assert bundle["entry"][0]["resource"]["resourceType"] == "MessageHeader"
    found = resources(bundle)
    header = found["MessageHeader"]
    assert header["sender"] == {"reference": "Organization/3"}
    assert header["destination"][0]["endpoint"].endswith(":987654321098")
    assert header["focus"] == [{"reference": "Communication/handover-1"}]
    assert found["Communication"]["category"][0]["coding"][0]["code"] == "carecoordination"
    assert "priority" not in found["Communication"]


def test_priority_is_refused_unless_the_category_is_regarding_referral():
    with pytest.raises(MessageRefused) as refused:
        care_communication_message(letter(priority="asap"))
    assert refused.value.code == "priority_not_allowed"
    bundle = care_communication_message(letter(category="regarding-referral", priority="asap"))
    assert resources(bundle)["Communication"]["priority"] == "asap"


def test_only_pdf_and_images_may_be_attached():
    word = Attachment("notat.docx", "application/msword", b"x")
    with pytest.raises(MessageRefused) as refused:
        care_communication_message(letter(attachments=(word,)))
    assert refused.value.code == "attachment_type"
    pdf = Attachment("epikrise.pdf", "application/pdf", b"%PDF-1.4")
    bundle = care_communication_message(letter(attachments=(pdf,)))
    attachment = resources(bundle)["Communication"]["payload"][1]["contentAttachment"]
    assert (attachment["contentType"], attachment["size"]) == ("application/pdf", 8)


def test_attachments_over_50_mb_in_all_are_refused():
    half = Attachment("a.pdf", "application/pdf", b"x" * (MAX_ATTACHMENT_BYTES // 2 + 1))
    with pytest.raises(MessageRefused) as refused:
        care_communication_message(letter(attachments=(half, half)))
    assert refused.value.code == "attachments_too_large"


def test_an_organisation_without_a_sor_code_cannot_be_addressed():
    no_sor = OrganisationRecord(id="9", name="Uden SOR", kind="pain_clinic", kind_label="x")
    with pytest.raises(MessageRefused) as refused:
        care_communication_message(letter(receiver=no_sor))
    assert refused.value.code == "sor_missing"


def test_a_referral_is_a_service_request_message_with_its_diagnosis():
    bundle = referral_message(
        letter(id="referral-1", event="referral", category="regarding-referral",
               sender=PRACTICE, receiver=CLINIC, priority="routine"),
        reason_code="M54.5", reason_text="Lændesmerter",
    )  # fmt: skip
    Bundle.model_validate(bundle)
    request = resources(bundle)["ServiceRequest"]
    assert request["reasonCode"][0]["coding"][0] == {"system": codes.ICD10, "code": "M54.5"}
    assert request["priority"] == "routine"


def test_a_supplement_request_answers_the_referral_in_its_thread():
    bundle = care_communication_message(
        letter(id="supplement-1", event="supplement-request", category="regarding-referral",
               sender=CLINIC, receiver=PRACTICE, based_on_referral="referral-1")
    )  # fmt: skip
    assert resources(bundle)["Communication"]["basedOn"] == [
        {"reference": "ServiceRequest/referral-1"}
    ]


@pytest.mark.parametrize(("accepted", "code"), [(True, "ok"), (False, "fatal-error")])
def test_the_acknowledgement_answers_the_messages_header_from_the_receiver(accepted, code):
    message = care_communication_message(letter())
    ack = acknowledgement_message(message, accepted=accepted, at=SENT, detail="Modtaget")
    Bundle.model_validate(ack)
    header = ack["entry"][0]["resource"]
    assert header["response"]["identifier"] == "handover-1-header"
    assert header["response"]["code"] == code
    assert header["sender"] == {"reference": "Organization/5"}
    assert header["destination"][0]["receiver"] == {"reference": "Organization/3"}
