"""The reference sources, recorded: urllib's urlopen answers from tests/compounds/recorded/.

Lookups in tests never reach the network: each answer is queued by the test, and a
request with none queued fails the test with the address it tried.
"""

import email.message
import io
import urllib.error
import urllib.response
from pathlib import Path

RECORDED = Path(__file__).parent / "compounds" / "recorded"


def recorded(name):
    """The bytes of one recorded answer."""
    return (RECORDED / name).read_bytes()


class RecordedSources:
    def __init__(self):
        self.answers = []
        self.requests = []

    def answer(self, body, status=200, content_type="application/json", headers=None):
        """Queue an answer: a recorded file's name, or the bytes themselves, with any
        headers beside its Content-Type (such as Retry-After)."""
        if isinstance(body, str):
            body = recorded(body)
        self.answers.append((body, status, content_type, headers or {}))

    def fail(self, error):
        """Queue a failure urlopen raises, such as TimeoutError()."""
        self.answers.append(error)

    def urlopen(self, request, timeout=None):
        self.requests.append((request, timeout))
        if not self.answers:
            raise AssertionError(f"A lookup reached for the network: {request.full_url}")
        answer = self.answers.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        body, status, content_type, more = answer
        headers = email.message.Message()
        headers["Content-Type"] = content_type
        for name, value in more.items():
            headers[name] = value
        if status >= 400:
            raise urllib.error.HTTPError(
                request.full_url, status, "recorded error", headers, io.BytesIO(body)
            )
        return urllib.response.addinfourl(io.BytesIO(body), headers, request.full_url, status)

    @property
    def last_request(self):
        return self.requests[-1][0]


class RecordedClock:
    """The evidence watch's clock in tests: sleeping moves time on at once and is noted,
    so a test sees every wait the client keeps without waiting."""

    def __init__(self, now=None):
        import datetime

        self.time = 1000.0
        self.slept = []
        self.start = now or datetime.datetime(2026, 12, 5, 3, 0, tzinfo=datetime.UTC)

    def monotonic(self):
        return self.time

    def sleep(self, seconds):
        self.slept.append(round(seconds, 3))
        self.time += seconds

    def now(self):
        import datetime

        return self.start + datetime.timedelta(seconds=self.time - 1000.0)
