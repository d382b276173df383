"""What a form or an address names an object or a revision by: ASCII digits, no more.

int() also reads "١", "１", "+1" and "01"; a posted id or revision is refused unless it
is written as the admin writes it.
"""

import re


def is_id(text):
    """Whether a posted value can be a row's id or a revision: ASCII digits, no more
    than the database's integers hold."""
    return re.fullmatch(r"[0-9]{1,18}", text) is not None


def posted_revision(raw):
    """The revision number a form posted (the one its page showed), or None when it is
    not one: ASCII digits only, which int() alone would not insist on."""
    return int(raw) if raw and re.fullmatch(r"[0-9]{1,9}", raw) else None


def is_canonical_id(text):
    """Whether text is an id or a number as an address writes it: ASCII digits with no
    sign and no leading zero. int() also reads "١", "１", "+1" and "01" as 1; an address
    that spells an id so is another address, and names no object."""
    return isinstance(text, str) and re.fullmatch(r"0|[1-9][0-9]{0,17}", text) is not None
