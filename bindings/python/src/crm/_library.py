"""Finding and loading libcrm, the ctypes declarations of crm.h, and its log callback."""

import atexit
import ctypes
import logging
import os
import threading
import weakref
from ctypes import (CFUNCTYPE, POINTER, Structure, byref, c_char_p, c_int32, c_size_t, c_uint32,
                    c_void_p)

from .errors import LibraryNotFound

ABI_VERSION = 1
SONAME = f"libcrm.so.{ABI_VERSION}"
ENVIRONMENT_VARIABLE = "CRM_LIBRARY"

# crm.h's CRM_LOG_* levels and the logging levels they become (TRACE below DEBUG).
TRACE = 5
logging.addLevelName(TRACE, "TRACE")
_TO_LOGGING = {0: TRACE, 1: logging.DEBUG, 2: logging.INFO, 3: logging.WARNING,
               4: logging.ERROR, 5: logging.CRITICAL}
_CRM_LOG_OFF = 6  # CRM_LOG_CRITICAL + 1: nothing

LOGGER = logging.getLogger("crm")


class ClientHandle(Structure):
    """Opaque crm_client."""


class SessionHandle(Structure):
    """Opaque crm_session."""


ClientP = POINTER(ClientHandle)
SessionP = POINTER(SessionHandle)
LogFn = CFUNCTYPE(None, c_int32, c_char_p, c_void_p)
# crm_log_record_fn: level, logger, client, message, user_data.
LogRecordFn = CFUNCTYPE(None, c_int32, c_char_p, c_void_p, c_char_p, c_void_p)

# Strings the library hands over are received as c_void_p (c_char_p would copy and lose the
# pointer, leaking the string), copied, then freed with crm_string_free.
_DECLARATIONS = {
    "crm_version_string": ([], c_char_p),  # static strings: converting them is fine
    "crm_version_number": ([], c_uint32),
    "crm_abi_version": ([], c_uint32),
    "crm_status_string": ([c_int32], c_char_p),
    "crm_string_free": ([c_void_p], None),
    "crm_log_callback_set": ([LogFn, c_int32, c_void_p], c_int32),
    "crm_client_create": ([c_char_p, POINTER(ClientP), POINTER(c_void_p)], c_int32),
    "crm_client_destroy": ([ClientP], None),
    "crm_session_open": ([ClientP, c_char_p, POINTER(SessionP)], c_int32),
    "crm_session_close": ([SessionP], None),
    "crm_call": ([SessionP, c_char_p, c_size_t, POINTER(c_void_p), POINTER(c_size_t)], c_int32),
}


def _logging_level_to_crm(level):
    """The lowest CRM_LOG_* level whose records the given logging level lets through."""
    for crm_level in sorted(_TO_LOGGING):
        if _TO_LOGGING[crm_level] >= level:
            return crm_level
    return _CRM_LOG_OFF


class Library:
    """A loaded libcrm: its functions, and its (process-wide) log callback into `logging`."""

    def __init__(self, cdll, path):
        self.path = path
        self._cdll = cdll
        for name, (argtypes, restype) in _DECLARATIONS.items():
            function = getattr(cdll, name)
            function.argtypes = argtypes
            function.restype = restype
            setattr(self, name[len("crm_"):], function)
        # Newer than the first v1 release: records with their logger and client where it exists.
        self._record_callback_set = getattr(cdll, "crm_log_record_callback_set", None)
        if self._record_callback_set is not None:
            self._record_callback_set.argtypes = [LogRecordFn, c_int32, c_void_p]
            self._record_callback_set.restype = c_int32
        # Since 1.2.0: crm_session_open that says why a session is refused (the error envelope).
        self.session_open_ex = getattr(cdll, "crm_session_open_ex", None)
        if self.session_open_ex is not None:
            self.session_open_ex.argtypes = [ClientP, c_char_p, POINTER(SessionP),
                                             POINTER(c_void_p)]
            self.session_open_ex.restype = c_int32
        # Clients by handle value, so that a record names its crm.Client.
        self.clients = weakref.WeakValueDictionary()
        if self.abi_version() != ABI_VERSION:
            raise LibraryNotFound(f"{path} implements crm ABI {self.abi_version()}, "
                                  f"not {ABI_VERSION}")
        self._log_lock = threading.Lock()
        self._log_level = None
        # Kept referenced for as long as the library may call it.
        self._log_fn = LogFn(self._on_log)
        self._log_record_fn = LogRecordFn(self._on_log_record)
        atexit.register(self._stop_logging)

    @property
    def version(self):
        return self.version_string().decode()

    def status_name(self, status):
        return self.status_string(status).decode()

    def take_string(self, pointer, length=None):
        """Copies a string the library handed over and frees it (None for NULL)."""
        if not pointer.value:
            return None
        try:
            return ctypes.string_at(pointer.value, -1 if length is None else length)
        finally:
            self.string_free(pointer)

    @staticmethod
    def _on_log(level, message, _user_data):
        # Runs on whichever thread logged; an exception here could not reach anyone.
        try:
            text = message.decode("utf-8", "replace") if message else ""
            LOGGER.log(_TO_LOGGING.get(level, logging.ERROR), "%s", text)
        except Exception:  # noqa: BLE001
            pass

    def _on_log_record(self, level, logger, client, message, _user_data):
        # The logger "crm" is the package's; any other name of the library's becomes "crm.NAME".
        try:
            name = logger.decode("utf-8", "replace") if logger else "crm"
            target = LOGGER if name == "crm" else LOGGER.getChild(name)
            text = message.decode("utf-8", "replace") if message else ""
            target.log(_TO_LOGGING.get(level, logging.ERROR), "%s", text,
                       extra={"crm_logger": name, "crm_client_handle": client,
                              "crm_client": self.clients.get(client) if client else None})
        except Exception:  # noqa: BLE001
            pass

    def sync_log_level(self):
        """Asks the library for the records the "crm" logger lets through (its effective level
        now), so that records nobody handles are not even formatted."""
        level = _logging_level_to_crm(LOGGER.getEffectiveLevel())
        with self._log_lock:
            if level != self._log_level:
                if self._record_callback_set is not None:
                    self._record_callback_set(self._log_record_fn, level, None)
                else:
                    self.log_callback_set(self._log_fn, level, None)
                self._log_level = level

    def _stop_logging(self):
        # No callback into an interpreter that is shutting down.
        with self._log_lock:
            if self._log_level is not None:
                self.log_callback_set(LogFn(), _CRM_LOG_OFF, None)
                self._log_level = None


_loaded = {}
_loaded_lock = threading.Lock()


def load(library=None):
    """Loads libcrm (once per name): `library` (a path, or a name for the dynamic linker) if
    given, else $CRM_LIBRARY, else the SONAME libcrm.so.1 through the dynamic linker's search."""
    if isinstance(library, Library):
        return library
    if library is not None:
        candidates = [(os.fspath(library), "the library argument")]
    elif os.environ.get(ENVIRONMENT_VARIABLE):
        candidates = [(os.environ[ENVIRONMENT_VARIABLE], f"${ENVIRONMENT_VARIABLE}")]
    else:
        candidates = [(SONAME, "the SONAME, through the dynamic linker's search "
                               f"(LD_LIBRARY_PATH={os.environ.get('LD_LIBRARY_PATH', '')!r}, "
                               "the ld.so cache, the system library folders)")]
    tried = []
    with _loaded_lock:
        for name, origin in candidates:
            if name in _loaded:
                return _loaded[name]
            try:
                cdll = ctypes.CDLL(name)
            except OSError as error:
                tried.append(f"{name} ({origin}): {error}")
                continue
            _loaded[name] = Library(cdll, name)
            return _loaded[name]
    raise LibraryNotFound("cannot load libcrm: tried " + "; ".join(tried) +
                          f". Pass library=PATH, set {ENVIRONMENT_VARIABLE}, or install "
                          f"{SONAME} where the dynamic linker finds it")


__all__ = ["ABI_VERSION", "SONAME", "ENVIRONMENT_VARIABLE", "TRACE", "Library", "load",
           "ClientP", "SessionP", "byref", "c_size_t", "c_void_p"]
