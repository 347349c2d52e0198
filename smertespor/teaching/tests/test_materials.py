"""Materials: PDF and images judged by content, size-limited; links to articles."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from smertespor.teaching import materials
from smertespor.teaching.material_services import add_material_file, add_material_link
from smertespor.teaching.models import SessionMaterial

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _upload(client, session, name, content, title="Slides"):
    return client.post(
        reverse("teaching:material_add", args=[session.pk]),
        {"kind": "file", "file-title": title, "file-file": SimpleUploadedFile(name, content)},
    )


def test_the_clinic_uploads_a_pdf_and_a_gp_downloads_it(
    client_for, clinic_nurse, gp, upcoming_session
):
    response = _upload(client_for(clinic_nurse), upcoming_session, "slides.pdf", PDF)
    assert response.status_code == 302
    material = SessionMaterial.objects.get()
    assert (material.content_type, material.filename, material.size) == (
        "application/pdf",
        "slides.pdf",
        len(PDF),
    )
    download = client_for(gp).get(reverse("teaching:material", args=[material.pk]))
    assert download.status_code == 200
    assert download.content == PDF
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == 'attachment; filename="slides.pdf"'


def test_the_file_type_comes_from_the_content_not_the_name(clinic_nurse, upcoming_session):
    material = add_material_file(
        by=clinic_nurse,
        session=upcoming_session,
        title="",
        upload=SimpleUploadedFile("scan.pdf", PNG, content_type="application/pdf"),
    )
    assert (material.content_type, material.filename, material.title) == (
        "image/png",
        "scan.png",
        "scan.png",
    )


@pytest.mark.parametrize(
    ("name", "content"),
    [
        pytest.param("slides.pdf", b"<html><script>alert(1)</script>", id="html-named-pdf"),
        pytest.param("notes.pdf", b"MZ\x90\x00 an executable", id="executable"),
        pytest.param("slides.pdf", b"", id="empty"),
        pytest.param("image.svg", b"<svg onload=alert(1)>", id="svg"),
    ],
)
def test_a_file_that_is_not_a_pdf_or_image_is_refused(
    client_for, clinic_nurse, upcoming_session, name, content
):
    response = _upload(client_for(clinic_nurse), upcoming_session, name, content)
    assert response.status_code == 200
    errors = response.context["file_form"].errors
    assert "file" in errors
    assert not SessionMaterial.objects.exists()


def test_a_file_above_the_limit_is_refused(clinic_nurse, upcoming_session, monkeypatch):
    monkeypatch.setattr("smertespor.teaching.material_services.MAX_MATERIAL_BYTES", 100)
    with pytest.raises(ValidationError) as refused:
        add_material_file(
            by=clinic_nurse,
            session=upcoming_session,
            title="For stor",
            upload=SimpleUploadedFile("big.pdf", PDF + b"x" * 200),
        )
    assert "file" in refused.value.message_dict
    assert not SessionMaterial.objects.exists()


def test_the_clinic_adds_a_link_to_an_article(client_for, clinic_nurse, gp, upcoming_session):
    response = client_for(clinic_nurse).post(
        reverse("teaching:material_add", args=[upcoming_session.pk]),
        {"kind": "link", "link-title": "Vejledning", "link-url": "https://www.sst.dk/vejledning"},
    )
    assert response.status_code == 302
    body = client_for(gp).get(reverse("teaching:detail", args=[upcoming_session.pk])).content
    assert b"https://www.sst.dk/vejledning" in body


def test_a_link_must_be_a_web_address(clinic_nurse, upcoming_session):
    with pytest.raises(ValidationError):
        add_material_link(
            by=clinic_nurse, session=upcoming_session, title="x", url="javascript:alert(1)"
        )
    assert not SessionMaterial.objects.exists()


def test_a_gp_cannot_add_or_remove_materials(client_for, gp, clinic_nurse, upcoming_session):
    assert _upload(client_for(gp), upcoming_session, "a.pdf", PDF).status_code == 403
    material = add_material_link(
        by=clinic_nurse, session=upcoming_session, title="x", url="https://example.org"
    )
    url = reverse("teaching:material_delete", args=[material.pk])
    assert client_for(gp).post(url).status_code == 403
    assert client_for(clinic_nurse).post(url).status_code == 302
    assert not SessionMaterial.objects.exists()


@pytest.mark.parametrize(
    ("name", "expected"),
    [("../../etc/passwd", "passwd.pdf"), ("..", "material.pdf"), ("Møde 1.PDF", "Møde_1.pdf")],
)
def test_file_names_are_made_safe(name, expected):
    assert materials.safe_filename(name, materials.sniff_file_kind(PDF)) == expected
