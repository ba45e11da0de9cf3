"""The one error the rules raise: bad rules or bad report input, said in one line.

`RuleError` is a `ValueError` (a caller may treat it as one) and a `device.errors.BadInput`
(the command lines already turn that into one line on stderr and exit status 2).
"""

from __future__ import annotations

from device.errors import BadInput


class RuleError(BadInput, ValueError):
    """A shift, calendar, assignment, month, time zone or report range that cannot be used.

    The message is English, one line, and names the thing at fault (a shift's name, a date).
    """

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(str(message).split()))
