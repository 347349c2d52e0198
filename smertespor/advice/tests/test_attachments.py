"""Attachments: PDF and images only, by content; size-limited; served only to the parties."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from smertespor.advice.attachments import check_attachments, clean_file_name, detect_content_type
from smertespor.advice.models import AdviceAttachment, AdviceMessage, AdviceRequest
from smertespor.advice.tests.factories import ask
from smertespor.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 20
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20
HTML = b"<html><script>alert(1)</script></html>"
EXE = b"MZ\x90\x00" + b"\x00" * 20


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param(PDF, "application/pdf", id="pdf"),
        pytest.param(PNG, "image/png", id="png"),
        pytest.param(JPEG, "image/jpeg", id="jpeg"),
        pytest.param(HTML, None, id="html"),
        pytest.param(EXE, None, id="windows-executable"),
        pytest.param(b"GIF89a", None, id="gif-is-not-accepted"),
        pytest.param(b"%PDF", None, id="truncated-pdf-signature"),
        pytest.param(b"\x89PNG", None, id="truncated-png-signature"),
        pytest.param(b"", None, id="empty"),
        pytest.param(b" %PDF-1.4", None, id="signature-not-at-the-start"),
    ],
)
def test_the_type_is_read_from_the_first_bytes(content, expected):
    assert detect_content_type(content) == expected


def test_a_file_is_judged_by_its_content_not_its_name(settings):
    [checked] = check_attachments([upload("scan.pdf", PNG, "application/pdf")])
    assert checked.content_type == "image/png"
    with pytest.raises(ValidationError) as error:
        check_attachments([upload("letter.pdf", HTML, "application/pdf")])
    assert "is not a PDF or an image" in error.value.messages[0]


def test_too_large_files_and_too_many_files_are_refused(settings):
    settings.ADVICE_ATTACHMENT_MAX_BYTES = 100
    settings.ADVICE_ATTACHMENT_MAX_FILES = 2
    with pytest.raises(ValidationError) as error:
        check_attachments([upload("big.pdf", PDF + b"x" * 200)])
    assert "too large" in error.value.messages[0]
    with pytest.raises(ValidationError) as error:
        check_attachments([upload("a.pdf", PDF + b"x" * 40), upload("b.pdf", PDF + b"x" * 40)])
    assert "in total" in error.value.messages[0]
    with pytest.raises(ValidationError) as error:
        check_attachments([upload(f"{n}.pdf", PDF) for n in range(3)])
    assert "at most 2 files" in error.value.messages[0]


def test_every_refused_file_is_named():
    with pytest.raises(ValidationError) as error:
        check_attachments([upload("one.exe", EXE), upload("two.pdf", b""), upload("ok.pdf", PDF)])
    assert len(error.value.messages) == 2
    assert "one.exe" in error.value.messages[0]
    assert "two.pdf is empty" in error.value.messages[1]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\gp\\scan.png", "scan.png"),
        ("re<script>port.pdf", "rescriptport.pdf"),
        ("", "attachment"),
        ("a" * 300 + ".pdf", "a" * 196 + ".pdf"),
    ],
)
def test_file_names_are_cleaned(name, expected):
    assert clean_file_name(name) == expected


def test_a_question_with_a_pdf_and_an_image_is_stored_under_media(client_for, gp, clinic, settings):
    response = client_for(gp).post(
        reverse("advice:create"),
        {
            "subject": "With letters",
            "question": "See the attached letter.",
            "category": "other",
            "urgency": "routine",
            "attachments": [upload("letter.pdf", PDF), upload("photo.jpg", JPEG)],
        },
    )
    assert response.status_code == 302
    attachments = AdviceAttachment.objects.order_by("pk")
    assert [a.content_type for a in attachments] == ["application/pdf", "image/jpeg"]
    assert [a.original_name for a in attachments] == ["letter.pdf", "photo.jpg"]
    stored = attachments[0].file.path
    assert stored.startswith(str(settings.MEDIA_ROOT))
    assert "letter" not in stored  # a random name on disk
    with attachments[0].file.open("rb") as handle:
        assert handle.read() == PDF


def test_a_wrong_type_attachment_refuses_the_whole_message(client_for, gp, clinic, settings):
    response = client_for(gp).post(
        reverse("advice:create"),
        {
            "subject": "S",
            "question": "Q",
            "category": "other",
            "urgency": "routine",
            "attachments": [upload("ok.pdf", PDF), upload("evil.pdf", HTML)],
        },
    )
    assert response.status_code == 422
    assert "evil.pdf is not a PDF or an image" in response.content.decode()
    assert not AdviceRequest.objects.exists()
    assert not AdviceMessage.objects.exists()
    assert not AdviceAttachment.objects.exists()


def test_a_body_larger_than_the_limit_is_refused_before_it_is_read(
    client_for, gp, clinic, settings
):
    settings.ADVICE_ATTACHMENT_MAX_BYTES = 10
    advice_request = ask(gp)
    response = client_for(gp).post(
        reverse("advice:reply", args=[advice_request.pk]),
        {"body": "Here", "attachments": [upload("big.pdf", PDF + b"x" * 2_000_000)]},
    )
    assert response.status_code == 422
    assert "too large" in response.content.decode()
    assert advice_request.messages.count() == 1


def test_the_parties_download_an_attachment_and_the_access_is_logged(
    client_for, gp, patient, clinic, clinic_nurse
):
    advice_request = ask(gp, patient=patient, files=[upload("letter.pdf", PDF)])
    attachment = AdviceAttachment.objects.get()
    url = reverse("advice:attachment", args=[attachment.pk])

    response = client_for(clinic_nurse).get(url)

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in response["Content-Disposition"]
    assert "sandbox" in response["Content-Security-Policy"]
    assert AuditEvent.objects.filter(
        patient=patient, object_type="advice_attachment", action="view"
    ).exists()
    assert advice_request.pk


def test_another_practice_cannot_download_an_attachment(client_for, gp, other_gp, patient, clinic):
    ask(gp, patient=patient, files=[upload("letter.pdf", PDF)])
    attachment = AdviceAttachment.objects.get()
    response = client_for(other_gp).get(reverse("advice:attachment", args=[attachment.pk]))
    assert response.status_code == 404
    assert PDF not in response.content


def test_attachments_are_never_served_as_public_media(client, gp, clinic, settings):
    ask(gp, files=[upload("letter.pdf", PDF)])
    attachment = AdviceAttachment.objects.get()
    response = client.get(f"{settings.MEDIA_URL}{attachment.file.name}")
    assert response.status_code == 404


@pytest.fixture(autouse=True)
def _english_messages():
    # These tests read the English source messages; the UI itself is Danish by default.
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("name", "content", "served", "content_type"),
    [
        ("poly.html", PDF, "poly.pdf", "application/pdf"),
        ("scan.pdf", PNG, "scan.png", "image/png"),
        ("photo.JPEG", JPEG, "photo.JPEG", "image/jpeg"),
        ("letter", PDF, "letter.pdf", "application/pdf"),
    ],
)
def test_an_attachment_is_named_and_served_as_what_its_content_is(
    client_for, gp, clinic, clinic_nurse, name, content, served, content_type
):
    # Issue 12: a PDF uploaded as "poly.html" was downloaded as "poly.html".
    ask(gp, files=[upload(name, content, "text/html")])
    attachment = AdviceAttachment.objects.get()
    response = client_for(clinic_nurse).get(reverse("advice:attachment", args=[attachment.pk]))
    assert response["Content-Disposition"] == f'attachment; filename="{served}"'
    assert response["Content-Type"] == content_type
    assert response["X-Content-Type-Options"] == "nosniff"
    assert attachment.original_name == served
    on_disk = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}
    assert attachment.file.name.endswith(on_disk[content_type])


def test_an_attachment_stored_under_the_uploaders_extension_is_served_as_its_type(
    client_for, gp, clinic, clinic_nurse
):
    ask(gp, files=[upload("letter.pdf", PDF)])
    AdviceAttachment.objects.update(original_name="poly.html")  # a row saved before the fix
    attachment = AdviceAttachment.objects.get()
    response = client_for(clinic_nurse).get(reverse("advice:attachment", args=[attachment.pk]))
    assert response["Content-Disposition"] == 'attachment; filename="poly.pdf"'
