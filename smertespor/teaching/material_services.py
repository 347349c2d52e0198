"""Writes for a session's materials: links, and files judged by their content."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from smertespor.teaching.materials import MAX_MATERIAL_BYTES, safe_filename, sniff_file_kind
from smertespor.teaching.models import SessionMaterial, TeachingSession
from smertespor.teaching.permissions import can_manage_session, ensure


def add_material_link(
    *, by: Any, session: TeachingSession, title: str, url: str
) -> SessionMaterial:
    ensure(can_manage_session(by, session))
    material = SessionMaterial(
        session=session,
        kind=SessionMaterial.Kind.LINK,
        title=title.strip(),
        url=url.strip(),
        added_by=by,
    )
    if not material.url:
        raise ValidationError({"url": _("Enter the link.")}, code="required")
    material.full_clean()
    material.save()
    return material


def add_material_file(
    *, by: Any, session: TeachingSession, title: str, upload: UploadedFile
) -> SessionMaterial:
    """A PDF or image, judged by its content, at most MAX_MATERIAL_BYTES."""
    ensure(can_manage_session(by, session))
    too_big = ValidationError(
        {"file": _("The file is larger than %(mb)s MB.") % {"mb": MAX_MATERIAL_BYTES // 2**20}},
        code="file_too_large",
    )
    if (upload.size or 0) > MAX_MATERIAL_BYTES:
        raise too_big
    content = b"".join(upload.chunks())
    if len(content) > MAX_MATERIAL_BYTES:
        raise too_big
    if not content:
        raise ValidationError({"file": _("The file is empty.")}, code="empty_file")
    kind = sniff_file_kind(content[:16])
    if kind is None:
        raise ValidationError(
            {"file": _("Only PDF files and PNG or JPEG images can be added.")},
            code="file_type",
        )
    filename = safe_filename(upload.name or "", kind)
    material = SessionMaterial(
        session=session,
        kind=SessionMaterial.Kind.FILE,
        title=title.strip() or filename,
        filename=filename,
        content_type=kind.content_type,
        size=len(content),
        content=content,
        added_by=by,
    )
    material.full_clean()
    material.save()
    return material


def remove_material(*, by: Any, material: SessionMaterial) -> None:
    ensure(can_manage_session(by, material.session))
    material.delete()
