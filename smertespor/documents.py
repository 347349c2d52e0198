"""Which uploaded documents Smertespor accepts: PDF, PNG and JPEG, recognised by their first
bytes (never by the name or the type the browser claims), and named and served as what they
are. MedCom's correspondence message allows PDF and images only; advice attachments and
teaching materials both follow it."""

from dataclasses import dataclass


@dataclass(frozen=True)
class DocumentKind:
    content_type: str
    extension: str
    signature: bytes  # at offset 0


# JPEG: the SOI marker plus the first byte of the next marker.
ACCEPTED_KINDS: tuple[DocumentKind, ...] = (
    DocumentKind("application/pdf", ".pdf", b"%PDF-"),
    DocumentKind("image/png", ".png", b"\x89PNG\r\n\x1a\n"),
    DocumentKind("image/jpeg", ".jpg", b"\xff\xd8\xff"),
)
SIGNATURE_BYTES = max(len(kind.signature) for kind in ACCEPTED_KINDS)


def document_kind(head: bytes) -> DocumentKind | None:
    """The accepted kind whose signature ``head`` starts with, or None."""
    for kind in ACCEPTED_KINDS:
        if head.startswith(kind.signature):
            return kind
    return None


def kind_for(content_type: str) -> DocumentKind | None:
    """The accepted kind of a detected (stored) content type, or None."""
    return next((kind for kind in ACCEPTED_KINDS if kind.content_type == content_type), None)


def named_for_content(name: str, kind: DocumentKind, max_length: int = 200) -> str:
    """``name`` ending in the extension its content proved: a PDF uploaded as "poly.html" is
    stored and served as "poly.pdf" (issue 12), so no browser or desktop opens it as HTML."""
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem:
        stem = name
    elif (
        f".{extension.lower()}" in _EXTENSIONS.get(kind.extension, {kind.extension})
        and len(name) <= max_length
    ):
        return name
    return _shortened(stem, kind, max_length)


_EXTENSIONS = {".jpg": {".jpg", ".jpeg"}}


def _shortened(stem: str, kind: DocumentKind, max_length: int) -> str:
    return f"{stem[: max_length - len(kind.extension)]}{kind.extension}"
