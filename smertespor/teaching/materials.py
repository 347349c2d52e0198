"""What a teaching material file may be: a PDF or an image, judged by its first bytes (never
by the name or the type the browser claims), and no larger than MAX_MATERIAL_BYTES."""

from pathlib import PurePath

from django.core.exceptions import SuspiciousFileOperation
from django.utils.text import get_valid_filename

from smertespor.documents import DocumentKind, document_kind

MAX_MATERIAL_BYTES = 10 * 1024 * 1024

# One check for every upload in Smertespor (smertespor/documents.py).
sniff_file_kind = document_kind


def safe_filename(name: str, kind: DocumentKind) -> str:
    """A plain file name ending in the extension the content proved, e.g. ``slides.pdf``."""
    try:
        stem = get_valid_filename(PurePath(name.replace("\\", "/")).stem)[:100]
    except SuspiciousFileOperation:  # nothing usable left, e.g. ".." or ""
        stem = "material"
    return f"{stem}{kind.extension}"
