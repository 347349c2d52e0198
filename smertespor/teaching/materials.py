"""What a teaching material file may be: a PDF or an image, judged by its first bytes
(``smertespor/documents.py``, the one check for every upload), no larger than
MAX_MATERIAL_BYTES, under a safe file name."""

from pathlib import PurePath

from django.core.exceptions import SuspiciousFileOperation
from django.utils.text import get_valid_filename

from smertespor.documents import DocumentKind

MAX_MATERIAL_BYTES = 10 * 1024 * 1024


def safe_filename(name: str, kind: DocumentKind) -> str:
    """A plain file name ending in the extension the content proved, e.g. ``slides.pdf``."""
    try:
        stem = get_valid_filename(PurePath(name.replace("\\", "/")).stem)[:100]
    except SuspiciousFileOperation:  # nothing usable left, e.g. ".." or ""
        stem = "material"
    return f"{stem}{kind.extension}"
