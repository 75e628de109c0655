"""One exception class per error name of the C API (crm.h CRM_E_*, stable names and codes)."""


class Error(Exception):
    """A failed call: the error of the response envelope."""

    code = 0
    name = "error"

    def __init__(self, message, field=None, code=None, name=None):
        super().__init__(message)
        self.message = message
        self.field = field
        if code is not None:
            self.code = code
        if name is not None:
            self.name = name

    def __str__(self):
        where = f" ({self.field})" if self.field else ""
        return f"{self.name}{where}: {self.message}"


class InvalidArgument(Error, ValueError):
    code, name = -1, "invalid_argument"


class NotFound(Error, LookupError):
    code, name = -2, "not_found"


class PermissionDenied(Error, PermissionError):
    code, name = -3, "permission_denied"


class Conflict(Error):
    code, name = -4, "conflict"


class DatabaseError(Error):
    code, name = -5, "database"


class Unavailable(Error):
    code, name = -6, "unavailable"


class Unsupported(Error):
    code, name = -7, "unsupported"


class InternalError(Error):
    code, name = -8, "internal"


class NoMemory(Error, MemoryError):
    code, name = -9, "no_memory"


class InvalidHandle(Error):
    code, name = -10, "invalid_handle"


class AbiMismatch(Error):
    code, name = -11, "abi_mismatch"


class LibraryNotFound(OSError):
    """libcrm could not be loaded; the message names every place that was tried."""


ERRORS = (InvalidArgument, NotFound, PermissionDenied, Conflict, DatabaseError, Unavailable,
          Unsupported, InternalError, NoMemory, InvalidHandle, AbiMismatch)
BY_NAME = {cls.name: cls for cls in ERRORS}
BY_CODE = {cls.code: cls for cls in ERRORS}


def from_envelope(status, error):
    """The exception for an error envelope's "error" member (or for a bare status)."""
    error = error or {}
    code = error.get("code", status)
    name = error.get("name")
    cls = BY_NAME.get(name) or BY_CODE.get(code) or Error
    return cls(error.get("message", f"status {status}"), error.get("field"), code=code,
               name=name or cls.name)
