"""Errors a user can hit while loading a report, each with a message a person can act on."""


class ReportbotError(Exception):
    """Base of every error whose message is shown to the user as is."""


class UnreadableFileError(ReportbotError):
    """The file cannot be read as a document (empty, binary, damaged, wrong format, too large)."""


class NotAReportError(ReportbotError):
    """The file was read but does not look like a government information-disclosure annual report."""


class ReportNotFoundError(ReportbotError):
    """No stored report matches the name or id the user gave."""


class ReadOnlyQueryError(ReportbotError):
    """A query given to the read-only SQL command would write, or is not a single SELECT."""


class StoreError(ReportbotError):
    """The database cannot be used as asked: missing, older or newer than the code, busy or full."""


class AmbiguousReportError(ReportNotFoundError):
    """A name given for removal matches several reports, or none exactly: nothing was removed."""

    def __init__(self, message: str, candidates: tuple = ()) -> None:
        super().__init__(message)
        self.candidates = candidates
