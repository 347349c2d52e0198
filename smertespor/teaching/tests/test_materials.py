"""Materials: PDF and images judged by content, size-limited; links to articles."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from smertespor.documents import DocumentKind
from smertespor.teaching import materials
from smertespor.teaching.material_services import add_material_file, add_material_link
from smertespor.teaching.models import SessionMaterial

PDF_KIND = DocumentKind("application/pdf", ".pdf", b"%PDF-")
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
    assert response.status_code == 422
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
    assert materials.safe_filename(name, PDF_KIND) == expected


# --- the same operations through the API -----------------------------------------------------

PROBLEM = "application/problem+json"


def _api_upload(client, session, name, content, **fields):
    return client.post(
        f"/api/teaching/sessions/{session.pk}/materials/files",
        {"file": SimpleUploadedFile(name, content), **fields},
    )


def test_the_clinic_uploads_a_file_through_the_api_and_a_gp_lists_and_downloads_it(
    client_for, clinic_nurse, gp, upcoming_session
):
    response = _api_upload(client_for(clinic_nurse), upcoming_session, "slides.pdf", PDF)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["title"], body["filename"], body["size"]) == (
        "file",
        "slides.pdf",
        "slides.pdf",
        len(PDF),
    )
    assert body["url"] is None
    listed = client_for(gp).get(f"/api/teaching/sessions/{upcoming_session.pk}/materials")
    assert [item["id"] for item in listed.json()] == [body["id"]]
    download = client_for(gp).get(listed.json()[0]["download_url"])
    assert download.content == PDF


@pytest.mark.parametrize(
    ("name", "content"),
    [
        pytest.param("slides.pdf", b"<html><script>alert(1)</script>", id="html-named-pdf"),
        pytest.param("image.svg", b"<svg onload=alert(1)>", id="svg"),
        pytest.param("slides.pdf", b"", id="empty"),
    ],
)
def test_the_api_judges_a_file_by_its_content_as_the_page_does(
    client_for, clinic_nurse, upcoming_session, name, content
):
    response = _api_upload(client_for(clinic_nurse), upcoming_session, name, content)
    assert response.status_code == 422
    assert response["Content-Type"] == PROBLEM
    assert [error["field"] for error in response.json()["errors"]] == ["file"]
    assert not SessionMaterial.objects.exists()


def test_an_upload_without_a_file_is_422(client_for, clinic_nurse, upcoming_session):
    response = client_for(clinic_nurse).post(
        f"/api/teaching/sessions/{upcoming_session.pk}/materials/files", {"title": "Tom"}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "file"


def test_the_clinic_adds_and_removes_a_link_through_the_api(
    client_for, clinic_nurse, upcoming_session
):
    client = client_for(clinic_nurse)
    added = client.post(
        f"/api/teaching/sessions/{upcoming_session.pk}/materials/links",
        {"title": "Vejledning", "url": "https://www.sst.dk/vejledning"},
        content_type="application/json",
    )
    assert added.status_code == 201
    assert (added.json()["kind"], added.json()["download_url"]) == ("link", None)
    removed = client.delete(f"/api/teaching/materials/{added.json()['id']}")
    assert (removed.status_code, removed.json()) == (200, [])
    assert not SessionMaterial.objects.exists()
    assert client.delete(f"/api/teaching/materials/{added.json()['id']}").status_code == 404


def test_a_script_link_is_422_through_the_api(client_for, clinic_nurse, upcoming_session):
    response = client_for(clinic_nurse).post(
        f"/api/teaching/sessions/{upcoming_session.pk}/materials/links",
        {"title": "x", "url": "javascript:alert(1)"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "url"


def test_a_gp_cannot_add_or_remove_materials_through_the_api(
    client_for, gp, clinic_nurse, upcoming_session
):
    refused = _api_upload(client_for(gp), upcoming_session, "a.pdf", PDF)
    assert refused.status_code == 403
    assert refused["Content-Type"] == PROBLEM
    assert not SessionMaterial.objects.exists()
    material = add_material_link(
        by=clinic_nurse, session=upcoming_session, title="x", url="https://example.org"
    )
    response = client_for(gp).delete(f"/api/teaching/materials/{material.pk}")
    assert response.status_code == 403
    assert response.json()["status"] == 403
    assert clinic_nurse.last_name.encode() not in response.content
    assert SessionMaterial.objects.filter(pk=material.pk).exists()


def test_a_planner_cannot_list_materials(client_for, planner, upcoming_session):
    response = client_for(planner).get(f"/api/teaching/sessions/{upcoming_session.pk}/materials")
    assert response.status_code == 403
