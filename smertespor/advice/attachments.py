"""Attachments: PDF and images only, recognised by their first bytes (never by their name),
and size-limited (MedCom's correspondence message allows PDF and images, 50 MB in total).

`ADVICE_ATTACHMENT_MAX_BYTES` bounds the files of one message together,
`ADVICE_ATTACHMENT_MAX_FILES` their number.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from smertespor.documents import SIGNATURE_BYTES, document_kind, named_for_content
from smertespor.entry.numbers import size_for_people as filesizeformat

HEADER_BYTES = SIGNATURE_BYTES
NAME_MAX_LENGTH = 200


@dataclass(frozen=True)
class CheckedFile:
    upload: Any  # Django's UploadedFile
    name: str
    content_type: str
    size: int
    sha256: str


def detect_content_type(header: bytes) -> str | None:
    """The allowed type whose signature `header` starts with, or None."""
    kind = document_kind(header)
    return kind.content_type if kind else None


def clean_file_name(name: str) -> str:
    """The last path component, without control characters, at most 200 characters."""
    base = os.path.basename((name or "").replace("\\", "/"))
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '<>:"|?*')
    base = base.strip(" .") or "attachment"
    if len(base) > NAME_MAX_LENGTH:
        stem, dot, extension = base.rpartition(".")
        keep = NAME_MAX_LENGTH - len(extension) - 1
        base = f"{stem[:keep]}.{extension}" if dot and 0 < len(extension) < 10 else base[:200]
    return base


def _read_header_and_hash(upload: Any) -> tuple[bytes, str]:
    digest = hashlib.sha256()
    header = b""
    upload.seek(0)
    for chunk in upload.chunks():
        if len(header) < HEADER_BYTES:
            header += chunk[: HEADER_BYTES - len(header)]
        digest.update(chunk)
    upload.seek(0)
    return header, digest.hexdigest()


def check_attachments(uploads: Sequence[Any]) -> list[CheckedFile]:
    """Every upload checked, or one ValidationError naming every refused file."""
    max_files: int = settings.ADVICE_ATTACHMENT_MAX_FILES
    max_bytes: int = settings.ADVICE_ATTACHMENT_MAX_BYTES
    if len(uploads) > max_files:
        raise ValidationError(
            _("Attach at most %(count)s files to one message.") % {"count": max_files},
            code="too_many_files",
        )
    errors: list[ValidationError] = []
    checked: list[CheckedFile] = []
    for upload in uploads:
        name = clean_file_name(getattr(upload, "name", ""))
        size = int(getattr(upload, "size", 0) or 0)
        if size == 0:
            errors.append(
                ValidationError(_("%(name)s is empty.") % {"name": name}, code="empty_file")
            )
            continue
        if size > max_bytes:
            errors.append(
                ValidationError(
                    _("%(name)s is too large (%(size)s); the limit is %(limit)s.")
                    % {
                        "name": name,
                        "size": filesizeformat(size),
                        "limit": filesizeformat(max_bytes),
                    },
                    code="file_too_large",
                )
            )
            continue
        header, sha256 = _read_header_and_hash(upload)
        kind = document_kind(header)
        if kind is None:
            errors.append(
                ValidationError(
                    _("%(name)s is not a PDF or an image (PNG or JPEG), whatever its name says.")
                    % {"name": name},
                    code="file_type",
                )
            )
            continue
        name = named_for_content(name, kind, NAME_MAX_LENGTH)
        checked.append(CheckedFile(upload, name, kind.content_type, size, sha256))
    total = sum(item.size for item in checked)
    if not errors and total > max_bytes:
        errors.append(
            ValidationError(
                _("The files are %(size)s together; the limit is %(limit)s in total.")
                % {"size": filesizeformat(total), "limit": filesizeformat(max_bytes)},
                code="files_too_large",
            )
        )
    if errors:
        raise ValidationError(errors)
    return checked
