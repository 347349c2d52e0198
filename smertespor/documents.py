"""Which uploaded documents Smertespor accepts: PDF, PNG and JPEG, recognised by their first
bytes (never by the name or the type the browser claims). MedCom's correspondence message
allows PDF and images only; advice attachments and teaching materials both follow it."""

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
