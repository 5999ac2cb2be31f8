"""Keep secrets that travel in query strings (Mailchimp's webhook `?key=…`) out of the logs.

- RedactSecretsFilter: a logging filter on our handlers (Django's request and server logs).
- RedactingGunicornLogger: gunicorn's access log with the same redaction in every field, for
  access-log formats that include the query string (%(r)s, %(q)s, the Referer). The format in
  gunicorn.conf.py logs the path without the query string in the first place.
"""

from __future__ import annotations

import logging
import re

from gunicorn.glogging import Logger as GunicornLogger

# key=…, secret=…, token=… in a query string (also URL-encoded "key%3D…").
SECRET_PARAM = re.compile(r"(?i)(?<![\w-])((?:key|secret|token)(?:=|%3D))[^&;\s\"'<>]*")
REDACTED = "[redacted]"


def redact(text: str) -> str:
    return SECRET_PARAM.sub(lambda m: m.group(1) + REDACTED, text)


class RedactSecretsFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is logged as it is
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


class RedactingGunicornLogger(GunicornLogger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {
            name: redact(value) if isinstance(value, str) else value
            for name, value in atoms.items()
        }
