"""Writes for a session's materials: links, and files judged by their content (the one
check for every upload, ``smertespor/documents.py``). The pages and the API both come here
through the actions."""

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from smertespor.accounts.models import User
from smertespor.documents import document_kind
from smertespor.teaching.materials import MAX_MATERIAL_BYTES, safe_filename
from smertespor.teaching.models import SessionMaterial, TeachingSession
from smertespor.validators import refuse_identifiers


def add_material_link(
    *, by: User, session: TeachingSession, title: str, url: str
) -> SessionMaterial:
    refuse_identifiers({"title": title})
    material = SessionMaterial(
        session=session,
        kind=SessionMaterial.Kind.LINK,
        title=title.strip(),
        url=url.strip(),
        added_by=by,
    )
    if not material.url:
        raise ValidationError({"url": ValidationError(_("Enter the link."), code="required")})
    material.full_clean()
    material.save()
    return material


def add_material_file(
    *, by: User, session: TeachingSession, title: str, upload: UploadedFile
) -> SessionMaterial:
    """A PDF or image, judged by its content, at most MAX_MATERIAL_BYTES."""
    refuse_identifiers({"title": title, "file": upload.name or ""})
    too_big = ValidationError(
        {
            "file": ValidationError(
                _("The file is larger than %(mb)s MB.") % {"mb": MAX_MATERIAL_BYTES // 2**20},
                code="file_too_large",
            )
        }
    )
    if (upload.size or 0) > MAX_MATERIAL_BYTES:
        raise too_big
    content = b"".join(upload.chunks())
    if len(content) > MAX_MATERIAL_BYTES:
        raise too_big
    if not content:
        raise ValidationError({"file": ValidationError(_("The file is empty."), code="empty_file")})
    kind = document_kind(content[:16])
    if kind is None:
        raise ValidationError(
            {
                "file": ValidationError(
                    _("Only PDF files and PNG or JPEG images can be added."), code="file_type"
                )
            }
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


def remove_material(*, material: SessionMaterial) -> None:
    material.delete()
