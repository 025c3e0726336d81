"""The log format: one JSON object per line, so a log shipper needs no parsing rules.

Fields passed with `extra=` become top-level keys (the request log's `status`, `duration_ms`,
`correlationId`, ...); a traceback goes in `traceback`, inside the same line.
"""

import datetime
import logging

import orjson

# Attributes every LogRecord has; anything else on a record came from `extra=`.
_RECORD_ATTRIBUTES = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update((key, value) for key, value in vars(record).items() if key not in _RECORD_ATTRIBUTES)
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        # default=str: Django attaches objects such as the request; their str() is method and path.
        return orjson.dumps(entry, default=str).decode()
