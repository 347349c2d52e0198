"""One JSON object per log line, for production log collectors (LOG_FORMAT=json).

CPR numbers are already masked when the record is made (smertespor.audit.logging), so this
formatter only shapes what is there.
"""

import json
import logging
from datetime import UTC, datetime

_FIELDS = ("request_id", "status_code", "method", "path")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for field in _FIELDS:
            value = getattr(record, field, None)
            if value is not None:
                entry[field] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
