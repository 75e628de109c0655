#!/usr/bin/env python3
"""abi.python_ctypes: a Python host that uses libcrm through ctypes only (standard library).

    python_ctypes.py LIBRARY

Strings the library hands over are owned by the caller: they are received as raw pointers
(c_void_p), copied with ctypes.string_at and released with crm_string_free. Declaring such a
return as c_char_p would make ctypes copy the bytes and drop the pointer, leaking the string.
Exits non-zero on any failure.
"""

import ctypes
import json
import os
import sys
import tempfile
from ctypes import (CFUNCTYPE, POINTER, Structure, byref, c_char_p, c_int32, c_size_t, c_uint32,
                    c_void_p)

CRM_OK = 0
CRM_E_INVALID_ARGUMENT = -1
CRM_E_PERMISSION_DENIED = -3
CRM_E_UNSUPPORTED = -7
CRM_E_INVALID_HANDLE = -10
CRM_E_ABI_MISMATCH = -11
CRM_ABI_VERSION = 1

CUSTOMER_NAME = "华联超市（北京）有限公司"


class Client(Structure):
    """Opaque crm_client; only pointers to it exist."""


class Session(Structure):
    """Opaque crm_session; only pointers to it exist."""


ClientP = POINTER(Client)
SessionP = POINTER(Session)
LogFn = CFUNCTYPE(None, c_int32, c_char_p, c_void_p)


class PluginApi(Structure):
    """crm_plugin_api, member for member as in crm.h."""
    _fields_ = [
        ("struct_size", c_uint32),
        ("abi_version", c_uint32),
        ("manifest_json", c_char_p),  # static, owned by the library: converting it is fine
        ("version_string", CFUNCTYPE(c_char_p)),
        ("version_number", CFUNCTYPE(c_uint32)),
        ("status_string", CFUNCTYPE(c_char_p, c_int32)),
        ("string_free", CFUNCTYPE(None, c_void_p)),
        ("log_callback_set", CFUNCTYPE(c_int32, LogFn, c_int32, c_void_p)),
        ("client_create", CFUNCTYPE(c_int32, c_char_p, POINTER(ClientP), POINTER(c_void_p))),
        ("client_destroy", CFUNCTYPE(None, ClientP)),
        ("session_open", CFUNCTYPE(c_int32, ClientP, c_char_p, POINTER(SessionP))),
        ("session_close", CFUNCTYPE(None, SessionP)),
        ("call", CFUNCTYPE(c_int32, SessionP, c_char_p, c_size_t, POINTER(c_void_p),
                           POINTER(c_size_t))),
    ]


class Failures:
    def __init__(self):
        self.count = 0

    def check(self, condition, what):
        if not condition:
            print(f"python_ctypes: check failed: {what}", file=sys.stderr)
            self.count += 1
        return condition


def load(path):
    lib = ctypes.CDLL(path)
    declarations = {
        # Static strings (never freed) may be converted by ctypes.
        "crm_version_string": ([], c_char_p),
        "crm_version_number": ([], c_uint32),
        "crm_abi_version": ([], c_uint32),
        "crm_status_string": ([c_int32], c_char_p),
        "crm_string_free": ([c_void_p], None),
        "crm_log_callback_set": ([LogFn, c_int32, c_void_p], c_int32),
        "crm_client_create": ([c_char_p, POINTER(ClientP), POINTER(c_void_p)], c_int32),
        "crm_client_destroy": ([ClientP], None),
        "crm_session_open": ([ClientP, c_char_p, POINTER(SessionP)], c_int32),
        "crm_session_close": ([SessionP], None),
        "crm_call": ([SessionP, c_char_p, c_size_t, POINTER(c_void_p), POINTER(c_size_t)],
                     c_int32),
        "crm_plugin_query": ([c_uint32, POINTER(POINTER(PluginApi))], c_int32),
    }
    for name, (argtypes, restype) in declarations.items():
        function = getattr(lib, name)
        function.argtypes = argtypes
        function.restype = restype
    return lib


def take_string(lib, pointer, length=None):
    """Copies an owned string out of the library and frees it."""
    if not pointer.value:
        return None
    try:
        if length is None:
            return ctypes.string_at(pointer.value)
        return ctypes.string_at(pointer.value, length)
    finally:
        lib.crm_string_free(pointer)


def call(lib, session, request):
    """Runs one request (str, or bytes sent as is); returns (status, raw bytes, parsed)."""
    data = request if isinstance(request, bytes) else request.encode("utf-8")
    response = c_void_p()
    length = c_size_t(0)
    status = lib.crm_call(session, data, len(data), byref(response), byref(length))
    raw = take_string(lib, response, length.value)
    return status, raw, json.loads(raw.decode("utf-8")) if raw is not None else None


def check_error(failures, what, result, status, name, field=None):
    got_status, raw, body = result
    failures.check(got_status == status, f"{what}: status {got_status}, expected {status}")
    if not failures.check(body is not None and body.get("ok") is False,
                          f"{what}: not an error envelope: {raw!r}"):
        return
    error = body.get("error", {})
    failures.check(error.get("code") == status, f"{what}: error.code {error.get('code')}")
    failures.check(error.get("name") == name, f"{what}: error.name {error.get('name')}")
    failures.check(isinstance(error.get("message"), str) and error["message"],
                   f"{what}: error.message missing")
    if field is not None:
        failures.check(error.get("field") == field, f"{what}: error.field {error.get('field')}")


def check_unknown_user(lib, failures, client):
    """No session for a user who is no CRM user; crm_session_open_ex (1.2.0, looked up by name
    as a host for older libraries would) says why."""
    session = SessionP()
    status = lib.crm_session_open(client, b"stranger", byref(session))
    failures.check(status == CRM_E_PERMISSION_DENIED and not session,
                   f"crm_session_open of an unknown user: status {status}")
    open_ex = getattr(lib, "crm_session_open_ex", None)
    if not failures.check(open_ex is not None, "crm_session_open_ex is not exported"):
        return
    open_ex.argtypes = [ClientP, c_char_p, POINTER(SessionP), POINTER(c_void_p)]
    open_ex.restype = c_int32
    error = c_void_p()
    status = open_ex(client, b"stranger", byref(session), byref(error))
    raw = take_string(lib, error)
    body = json.loads(raw.decode("utf-8")) if raw is not None else None
    check_error(failures, "crm_session_open_ex of an unknown user", (status, raw, body),
                CRM_E_PERMISSION_DENIED, "permission_denied", "user_key")
    failures.check(body is not None and 'unknown user "stranger"' in body["error"]["message"],
                   f"the refusal does not name the user: {raw!r}")


def check_plugin_table(lib, failures):
    api = POINTER(PluginApi)()
    if not failures.check(lib.crm_plugin_query(CRM_ABI_VERSION, byref(api)) == CRM_OK,
                          "crm_plugin_query") or not failures.check(bool(api), "table is NULL"):
        return
    table = api.contents
    # The table is appended to only: a newer library may report a larger size, never smaller.
    failures.check(table.struct_size >= ctypes.sizeof(PluginApi),
                   f"struct_size {table.struct_size} < {ctypes.sizeof(PluginApi)}")
    failures.check(table.abi_version == CRM_ABI_VERSION, "table abi_version")
    manifest = json.loads(table.manifest_json.decode("utf-8"))
    failures.check(manifest.get("abi_version") == CRM_ABI_VERSION, "manifest abi_version")
    failures.check(manifest.get("version") == lib.crm_version_string().decode(),
                   f"manifest version {manifest.get('version')}")
    failures.check(isinstance(manifest.get("name"), str) and manifest["name"], "manifest name")
    methods = {m["name"] if isinstance(m, dict) else m for m in manifest.get("methods", [])}
    for method in ("customer.create", "interaction.log", "system.describe"):
        failures.check(method in methods, f"manifest lacks {method}")
    failures.check(table.version_number() == lib.crm_version_number(), "table version_number")
    failures.check(table.status_string(CRM_E_UNSUPPORTED) == b"unsupported",
                   "table status_string")

    api = POINTER(PluginApi)()
    failures.check(lib.crm_plugin_query(CRM_ABI_VERSION + 1, byref(api)) == CRM_E_ABI_MISMATCH,
                   "crm_plugin_query accepts a foreign ABI version")
    failures.check(not api, "crm_plugin_query left a table on mismatch")


def check_session(lib, failures, session):
    # Byte for byte: the UTF-8 of the name must come back unescaped and unchanged.
    name_utf8 = CUSTOMER_NAME.encode("utf-8")
    request = json.dumps({"method": "customer.create", "params": {"name": CUSTOMER_NAME}},
                         ensure_ascii=False)
    status, raw, body = call(lib, session, request)
    if not failures.check(status == CRM_OK and body["ok"] is True, f"customer.create: {raw!r}"):
        return
    failures.check(b'"ok":true' in raw, "customer.create response lacks \"ok\":true")
    failures.check(name_utf8 in raw, f"name not returned as raw UTF-8: {raw!r}")
    failures.check(body["result"]["name"].encode("utf-8") == name_utf8, "name changed")
    customer_id = body["result"]["id"]
    failures.check(isinstance(customer_id, str), "ids travel as JSON strings")

    status, raw, body = call(lib, session, json.dumps({"method": "customer.get",
                                                       "params": {"id": customer_id}}))
    failures.check(status == CRM_OK and name_utf8 in raw, f"customer.get: {raw!r}")

    status, raw, body = call(lib, session, json.dumps({
        "method": "interaction.log",
        "params": {"customer_id": customer_id, "channel": "tel", "direction": "inbound",
                   "occurred_at": "2026-11-27T10:00:00+08:00", "subject": "询价：交货期"},
    }, ensure_ascii=False))
    failures.check(status == CRM_OK and b'"ok":true' in raw, f"interaction.log: {raw!r}")
    if status == CRM_OK:
        failures.check(body["result"]["occurred_at"] == "2026-11-27T02:00:00Z",
                       f"occurred_at {body['result']['occurred_at']}")
        failures.check(body["result"]["subject"] == "询价：交货期", "subject changed")

    check_error(failures, "invalid JSON", call(lib, session, b'{"method":'),
                CRM_E_INVALID_ARGUMENT, "invalid_argument")
    check_error(failures, "unknown method", call(lib, session, '{"method":"no.such_method"}'),
                CRM_E_UNSUPPORTED, "unsupported", "method")
    check_error(failures, "missing name",
                call(lib, session, '{"method":"customer.create","params":{}}'),
                CRM_E_INVALID_ARGUMENT, "invalid_argument", "params.name")
    # Invalid UTF-8 must be rejected, not stored.
    check_error(failures, "invalid UTF-8",
                call(lib, session, b'{"method":"customer.create","params":{"name":"\xff\xfe"}}'),
                CRM_E_INVALID_ARGUMENT, "invalid_argument")

    # Only request_len bytes are read; what follows must not matter.
    data = b'{"method":"system.describe"}trailing garbage'
    response = c_void_p()
    length = c_size_t(0)
    status = lib.crm_call(session, data, len(b'{"method":"system.describe"}'), byref(response),
                          byref(length))
    raw = take_string(lib, response, length.value)
    failures.check(status == CRM_OK and raw is not None and b'"ok":true' in raw,
                   "request_len not honoured")


def main():
    if len(sys.argv) != 2:
        print("usage: python_ctypes.py LIBRARY", file=sys.stderr)
        return 2
    lib = load(sys.argv[1])
    failures = Failures()

    failures.check(lib.crm_abi_version() == CRM_ABI_VERSION, "crm_abi_version")
    failures.check(lib.crm_status_string(CRM_E_INVALID_HANDLE) == b"invalid_handle",
                   "crm_status_string")
    failures.check(lib.crm_status_string(12345) == b"unknown", "crm_status_string(12345)")
    check_plugin_table(lib, failures)

    # NULL handles: reported, with an envelope that still has to be freed.
    check_error(failures, "NULL session", call(lib, SessionP(), '{"method":"system.describe"}'),
                CRM_E_INVALID_HANDLE, "invalid_handle")
    lib.crm_session_close(SessionP())
    lib.crm_client_destroy(ClientP())
    lib.crm_string_free(None)

    with tempfile.TemporaryDirectory(prefix="crm-abi-py-") as directory:
        client = ClientP()
        message = c_void_p()
        status = lib.crm_client_create(b'{"database": {"dialect": "sqlite"}}', byref(client),
                                       byref(message))
        text = take_string(lib, message)
        failures.check(status == CRM_E_INVALID_ARGUMENT and not client,
                       f"config without path: status {status}")
        failures.check(text is not None and b"path" in text, f"config error message {text!r}")

        # Sessions open only for CRM users; erp-user-42 is the installation's first administrator.
        config = json.dumps({"database": {"dialect": "sqlite",
                                          "path": os.path.join(directory, "crm.db")},
                             "organisation": {"bootstrap_admins": ["erp-user-42"]}})
        message = c_void_p()
        status = lib.crm_client_create(config.encode("utf-8"), byref(client), byref(message))
        text = take_string(lib, message)
        if not failures.check(status == CRM_OK and client, f"crm_client_create: {text!r}"):
            return 1
        session = SessionP()
        if failures.check(lib.crm_session_open(client, "erp-user-42".encode(), byref(session))
                          == CRM_OK and session, "crm_session_open"):
            check_session(lib, failures, session)
            lib.crm_session_close(session)
            check_error(failures, "closed session", call(lib, session, '{"method":"x"}'),
                        CRM_E_INVALID_HANDLE, "invalid_handle")
        check_unknown_user(lib, failures, client)
        lib.crm_client_destroy(client)

    if failures.count:
        print(f"python_ctypes: {failures.count} check(s) failed", file=sys.stderr)
        return 1
    print("python_ctypes: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
