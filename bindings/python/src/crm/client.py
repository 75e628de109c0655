"""Client and Session: the handles of crm.h as Python objects that close themselves."""

import ctypes
import json
import threading

from . import errors
from ._library import ClientP, SessionP, byref, c_size_t, c_void_p, load


class Client:
    """crm_client_create: validates the configuration (a dict or a JSON string), opens the
    database and applies migrations. Thread-safe; close() (or the with block) destroys it, and
    its sessions with it."""

    def __init__(self, config, library=None):
        self._library = load(library)
        self._library.sync_log_level()
        text = config if isinstance(config, (str, bytes)) else json.dumps(config)
        if isinstance(text, str):
            text = text.encode("utf-8")
        handle = ClientP()
        message = c_void_p()
        status = self._library.client_create(text, byref(handle), byref(message))
        text = self._library.take_string(message)
        if status != 0:
            raise errors.from_envelope(status, {
                "code": status, "name": self._library.status_name(status),
                "message": text.decode("utf-8", "replace") if text else ""})
        self._handle = handle
        self._lock = threading.Lock()
        self._library.clients[ctypes.cast(handle, c_void_p).value] = self

    @property
    def library(self):
        return self._library

    @property
    def closed(self):
        return self._handle is None

    def session(self, user):
        """A session acting as the host user `user`, who must be an active CRM user or one of
        the configuration's organisation.bootstrap_admins. A refused user raises the error
        class of the status (PermissionDenied for an unknown or inactive user) with the
        library's message saying why (libcrm 1.2.0 and later, crm_session_open_ex; with an
        older library only the status is known)."""
        handle = self._handle
        if handle is None:
            raise errors.InvalidHandle("the client is closed")
        session = SessionP()
        key = user.encode("utf-8")
        envelope = None
        if self._library.session_open_ex is not None:
            error = c_void_p()
            status = self._library.session_open_ex(handle, key, byref(session), byref(error))
            raw = self._library.take_string(error)
            if raw is not None:
                try:
                    envelope = json.loads(raw.decode("utf-8"))
                except ValueError:
                    envelope = None
        else:
            status = self._library.session_open(handle, key, byref(session))
        if status != 0:
            if isinstance(envelope, dict) and isinstance(envelope.get("error"), dict):
                raise errors.from_envelope(status, envelope["error"])
            raise errors.from_envelope(status, {
                "code": status, "name": self._library.status_name(status),
                "message": f"cannot open a session for user {user!r}",
                "field": "user_key" if status in (errors.InvalidArgument.code,
                                                  errors.PermissionDenied.code) else None})
        return Session(self, session)

    def close(self):
        with self._lock:
            handle, self._handle = self._handle, None
        if handle is not None:
            self._library.client_destroy(handle)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        if getattr(self, "_handle", None) is not None:
            self.close()


class Session:
    """crm_session: used by one thread at a time. call() returns a method's result as Python
    values and raises the error class of a failure."""

    def __init__(self, client, handle):
        self._client = client  # the client outlives its sessions
        self._library = client.library
        self._handle = handle

    @property
    def closed(self):
        return self._handle is None

    def request(self, request):
        """Runs one request (a dict, a JSON string or bytes sent as is) and returns the whole
        response envelope, {"ok": true, "result": ...} or {"ok": false, "error": ...}."""
        if isinstance(request, dict):
            request = json.dumps(request, ensure_ascii=False)
        data = request.encode("utf-8") if isinstance(request, str) else bytes(request)
        handle = self._handle if self._handle is not None else SessionP()
        response = c_void_p()
        length = c_size_t(0)
        status = self._library.call(handle, data, len(data), byref(response), byref(length))
        raw = self._library.take_string(response, length.value)
        if raw is None:
            return {"ok": False, "error": {"code": status,
                                           "name": self._library.status_name(status),
                                           "message": "no response (out of memory)"}}
        return json.loads(raw.decode("utf-8"))

    def call(self, method, /, **params):
        """session.call("customer.create", name="...") -> the result."""
        request = {"method": method}
        if params:
            request["params"] = params
        envelope = self.request(request)
        if envelope.get("ok") is True:
            return envelope.get("result")
        raise errors.from_envelope(envelope.get("error", {}).get("code", 0),
                                   envelope.get("error"))

    def iterate(self, method, /, **params):
        """Every item of a list method, page after page (following next_cursor)."""
        params.pop("cursor", None)
        while True:
            page = self.call(method, **params)
            yield from page["items"]
            cursor = page.get("next_cursor")
            if cursor is None:
                return
            params["cursor"] = cursor

    def close(self):
        handle, self._handle = self._handle, None
        if handle is not None:
            self._library.session_close(handle)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        if getattr(self, "_handle", None) is not None:
            self.close()
