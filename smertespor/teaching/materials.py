"""What a teaching material file may be: a PDF or an image, judged by its first bytes (never
by the name or the type the browser claims), and no larger than MAX_MATERIAL_BYTES."""

from dataclasses import dataclass
from pathlib import PurePath

from django.core.exceptions import SuspiciousFileOperation
from django.utils.text import get_valid_filename

MAX_MATERIAL_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class FileKind:
    content_type: str
    extension: str


_SIGNATURES: tuple[tuple[bytes, FileKind], ...] = (
    (b"%PDF-", FileKind("application/pdf", ".pdf")),
    (b"\x89PNG\r\n\x1a\n", FileKind("image/png", ".png")),
    (b"\xff\xd8\xff", FileKind("image/jpeg", ".jpg")),
)


def sniff_file_kind(head: bytes) -> FileKind | None:
    """The kind of file these leading bytes start, or None if it is not one we accept."""
    for signature, kind in _SIGNATURES:
        if head.startswith(signature):
            return kind
    return None


def safe_filename(name: str, kind: FileKind) -> str:
    """A plain file name ending in the extension the content proved, e.g. ``slides.pdf``."""
    try:
        stem = get_valid_filename(PurePath(name.replace("\\", "/")).stem)[:100]
    except SuspiciousFileOperation:  # nothing usable left, e.g. ".." or ""
        stem = "material"
    return f"{stem}{kind.extension}"
