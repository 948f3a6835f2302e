"""blockstore's exceptions: one class per error code, each also a familiar builtin.

Every exception carries ``.code`` (the lowercase code name shared with C++ and C) and
``.message``. Catch :class:`Error` for all of them.
"""


class Error(Exception):
    """Base of every blockstore error."""

    code = "unknown"

    def __init__(self, message="", code=None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class InvalidArgument(Error, ValueError):
    """The request is malformed; nothing was changed."""

    code = "invalid_argument"


class NotFound(Error, LookupError):
    """No such resource is visible to the caller."""

    code = "not_found"


class AlreadyExists(Error):
    """A resource with that name or id exists."""

    code = "already_exists"


class FailedPrecondition(Error):
    """The resource is in a status that forbids the operation."""

    code = "failed_precondition"


class Aborted(Error):
    """Lost a race with a concurrent change; re-read and retry."""

    code = "aborted"


class ResourceExhausted(Error):
    """Over quota, or no backend can hold the volume."""

    code = "resource_exhausted"


class Unavailable(Error):
    """Transient: retry later (or the engine is closed)."""

    code = "unavailable"


class DeadlineExceeded(Error, TimeoutError):
    """A wait ran out of time; the operation may still complete."""

    code = "deadline_exceeded"


class Cancelled(Error):
    code = "cancelled"


class DataLoss(Error):
    """Stored data is missing or corrupt."""

    code = "data_loss"


class Unimplemented(Error, NotImplementedError):
    code = "unimplemented"


class Internal(Error):
    code = "internal"


class PermissionDenied(Error, PermissionError):
    """The caller's role does not allow the operation."""

    code = "permission_denied"


_BY_CODE = {
    cls.code: cls
    for cls in (InvalidArgument, NotFound, AlreadyExists, FailedPrecondition, Aborted,
                ResourceExhausted, Unavailable, DeadlineExceeded, Cancelled, DataLoss,
                Unimplemented, Internal, PermissionDenied)
}


def _from_code(code, message):
    """Builds the exception for a code name (used by the extension module)."""
    return _BY_CODE.get(code, Error)(message, code)
