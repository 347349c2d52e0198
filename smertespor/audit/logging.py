"""CPR numbers never reach a log: every log record is masked as it is made."""

import logging
import re
from typing import Any

# DDMMYY-SSSS or DDMMYYSSSS not inside a longer run of digits.
CPR_PATTERN = re.compile(r"(?<!\d)(\d{6})-?\d{4}(?!\d)")


def mask_cpr(text: str) -> str:
    return CPR_PATTERN.sub(r"\1-****", text)


def install_cpr_masking() -> None:
    factory = logging.getLogRecordFactory()
    if getattr(factory, "masks_cpr", False):
        return

    def masking_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        record.msg = mask_cpr(str(record.getMessage()))
        record.args = None
        return record

    masking_factory.masks_cpr = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(masking_factory)
