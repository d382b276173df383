"""What an import says is wrong with a file, and where: the issues an editor reads."""

import re
from dataclasses import dataclass

# Past this many, issues are counted but not listed.
MAX_ISSUES = 1000


# The C0 and C1 control characters, DEL and lone surrogates: quoted back from a file,
# they are shown as escapes.
UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def _escape(match):
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


@dataclass
class Issue:
    """One reason the file cannot be imported, with where it is in the file."""

    file: str
    row: str
    field: str
    message: str
    object: str = ""

    def __post_init__(self):
        # A control character from the file (in a key, a slug, a value quoted back) is
        # shown as an escape: printed as it is, it would drive the editor's terminal.
        for name in ("file", "row", "field", "message", "object"):
            setattr(self, name, UNPRINTABLE.sub(_escape, str(getattr(self, name))))

    def __str__(self):
        where = ", ".join(part for part in (self.file, self.row) if part)
        if self.object:
            where += f" ({self.object})"
        if self.field:
            where += f", field “{self.field}”"
        return f"{where}: {self.message}"


class Refused(Exception):
    """The file cannot be read at all: wrong format, encoding, size."""

    def __init__(self, issues):
        self.issues = issues if isinstance(issues, list) else [issues]
        super().__init__("; ".join(str(issue) for issue in self.issues))


class Failed(Exception):
    """The import was rolled back: nothing changed. Carries the issues that stopped it."""

    def __init__(self, issues):
        self.issues = issues
        super().__init__("; ".join(str(issue) for issue in issues))
