"""The one kind of failure a user can fix, with the exit code the command line returns for it.

Every stage raises a subclass (a build that cannot go on, a release that is
refused, a comparison that cannot be made…) with a one-line message saying
what is wrong and what to do; `cli.main` prints it, and the validation report
when there is one, and exits with the class's code. A traceback is left for
what is not the user's mistake.
"""

from __future__ import annotations


class UserError(Exception):
    """A mistake the user can fix; the message is one line: what is wrong — what to do."""

    exit_code = 1
    command = ""  # the word printed after "error:", e.g. "init", so the line says which step refused

    def __init__(self, message: str, report=None):
        super().__init__(message)
        self.report = report  # a validation report to print above the line, if the failure has one


class BuildError(UserError):
    """The build cannot go on; the message is one line for the user, `report` the validation that stopped it."""
