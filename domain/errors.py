"""The domain core's exceptions: every refusal carries a reason a clinician can read."""


class DomainError(Exception):
    """Base class for input the domain core refuses (never guessed, never dropped)."""

    code: str = "domain_error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
