"""The Python package against the build's libcrm: calls, errors, pages, handles, logging and
how the library is found."""

import logging
import os
import subprocess
import sys

import pytest

import crm
from crm import errors


def test_call_returns_python_values(session):
    created = session.call("customer.create", name="华联超市（北京）有限公司", region="华北")
    assert isinstance(created["id"], str)  # ids travel as strings
    assert created["name"] == "华联超市（北京）有限公司"
    assert created["created_by"] == "py-user"
    assert created["version"] == 1
    fetched = session.call("customer.get", id=created["id"])
    assert fetched["region"] == "华北"
    describe = session.call("system.describe")
    assert "customer.create" in {m["name"] for m in describe["methods"]}


def test_one_exception_class_per_error_name(client):
    library = client.library
    assert len(errors.ERRORS) == 11
    for cls in errors.ERRORS:
        assert library.status_name(cls.code) == cls.name
        assert issubclass(cls, crm.Error)
    assert library.status_name(-12) == "unknown"


def test_errors_carry_code_message_and_field(session):
    with pytest.raises(crm.InvalidArgument) as caught:
        session.call("customer.create")
    assert caught.value.code == -1
    assert caught.value.name == "invalid_argument"
    assert caught.value.field == "params.name"
    assert caught.value.message
    with pytest.raises(crm.Unsupported) as caught:
        session.call("no.such_method")
    assert caught.value.code == -7 and caught.value.field == "method"
    with pytest.raises(crm.NotFound) as caught:
        session.call("customer.get", id="999999")
    assert caught.value.code == -2
    created = session.call("customer.create", name="Northwind Traders")
    session.call("customer.update", id=created["id"], version=1, phone="010-1")
    with pytest.raises(crm.Conflict) as caught:
        session.call("customer.update", id=created["id"], version=1, phone="010-2")
    assert caught.value.code == -4


def test_request_returns_the_envelope(session):
    envelope = session.request(b'{"method":')
    assert envelope["ok"] is False and envelope["error"]["name"] == "invalid_argument"
    assert session.request({"method": "system.describe"})["ok"] is True


def test_iterate_follows_next_cursor(session):
    ids = {session.call("customer.create", name=f"customer {i}")["id"] for i in range(7)}
    first = session.call("customer.list", limit=3)
    assert len(first["items"]) == 3 and first["next_cursor"] is not None
    seen = [item["id"] for item in session.iterate("customer.list", limit=3)]
    assert len(seen) == 7 and set(seen) == ids


def test_context_managers_close_handles(config):
    with crm.Client(config) as client:
        with client.session("py-user") as session:
            session.call("system.describe")
        assert session.closed
        with pytest.raises(crm.InvalidHandle):
            session.call("system.describe")
        orphan = client.session("py-user")
    assert client.closed
    # Destroying the client invalidates its sessions (crm.h); they report it, never crash.
    with pytest.raises(crm.InvalidHandle):
        orphan.call("system.describe")
    orphan.close()
    with pytest.raises(crm.InvalidHandle):
        client.session("py-user")


def test_bad_configuration_and_user(tmp_path, client):
    with pytest.raises(crm.InvalidArgument) as caught:
        crm.Client({"database": {"dialect": "sqlite"}})
    assert "path" in caught.value.message
    with pytest.raises(crm.InvalidArgument) as caught:
        crm.Client({"database": {"dialect": "dbase3", "path": str(tmp_path / "x.db")}})
    assert "database.dialect" in caught.value.message
    with pytest.raises(crm.InvalidArgument):
        client.session("")


def test_sessions_are_refused_to_unknown_and_inactive_users(client):
    with pytest.raises(crm.PermissionDenied) as caught:
        client.session("nobody")
    assert caught.value.code == -3 and caught.value.name == "permission_denied"
    assert caught.value.field == "user_key"
    assert caught.value.message.startswith('unknown user "nobody"'), caught.value.message
    assert "bootstrap_admins" in caught.value.message
    with client.session("py-user") as admin:
        admin.call("user.create", user_key="py-sales", name="王芳", roles=["sales"])
        with client.session("py-sales") as sales:
            assert sales.call("user.me")["user_key"] == "py-sales"
        admin.call("user.update", user_key="py-sales", version=1, active=False)
    with pytest.raises(crm.PermissionDenied) as caught:
        client.session("py-sales")
    assert caught.value.message.startswith('inactive user "py-sales"'), caught.value.message


def test_log_records_arrive_through_logging(config, caplog):
    caplog.set_level(logging.DEBUG, logger="crm")
    with crm.Client(config) as client, client.session("py-logger") as session:
        session.call("customer.create", name="Logged Ltd")
    records = [r for r in caplog.records if r.name == "crm"]
    assert any("created by py-logger" in r.getMessage() and r.levelno == logging.INFO
               for r in records), [r.getMessage() for r in records]
    # Raised above the library's records: the library is asked for nothing below WARNING.
    caplog.clear()
    caplog.set_level(logging.WARNING, logger="crm")
    with crm.Client(config) as client, client.session("py-logger") as session:
        session.call("customer.create", name="Quiet Ltd")
    assert not [r for r in caplog.records if r.name == "crm" and r.levelno < logging.WARNING]


def test_explicit_path_and_missing_library(library_path, tmp_path):
    assert crm.load(library_path).version == crm.load(library_path).version_string().decode()
    missing = str(tmp_path / "nowhere" / "libcrm.so.1")
    with pytest.raises(crm.LibraryNotFound) as caught:
        crm.load(missing)
    assert missing in str(caught.value)


def _run(code, **environment):
    env = {k: v for k, v in os.environ.items() if k != crm.ENVIRONMENT_VARIABLE}
    env.update(environment)
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          check=False)


def test_found_by_soname_and_by_environment_variable(library_path, tmp_path):
    code = ("import crm; lib = crm.load(); print(lib.path, lib.version)")
    folder = os.path.dirname(os.path.abspath(library_path))
    by_soname = _run(code, LD_LIBRARY_PATH=folder)
    assert by_soname.returncode == 0, by_soname.stderr
    assert by_soname.stdout.startswith("libcrm.so.1 ")
    by_variable = _run(code, CRM_LIBRARY=library_path)
    assert by_variable.returncode == 0, by_variable.stderr
    assert by_variable.stdout.startswith(library_path + " ")
    bogus = str(tmp_path / "libcrm-bogus.so.1")
    failed = _run(code, CRM_LIBRARY=bogus)
    assert failed.returncode != 0
    assert "LibraryNotFound" in failed.stderr and bogus in failed.stderr
    assert "$CRM_LIBRARY" in failed.stderr


def test_log_records_name_their_client_and_logger(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="crm")
    first = crm.Client({"database": {"dialect": "sqlite", "path": str(tmp_path / "a.db")},
                        "organisation": {"bootstrap_admins": ["user-a"]}})
    second = crm.Client({"database": {"dialect": "sqlite", "path": str(tmp_path / "b.db")},
                         "organisation": {"bootstrap_admins": ["user-b"]}})
    with first, second:
        with first.session("user-a") as a, second.session("user-b") as b:
            a.call("customer.create", name="A Ltd")
            b.call("customer.create", name="B Ltd")
        by_message = {r.getMessage(): r for r in caplog.records if r.name == "crm"}
        record_a = next(r for m, r in by_message.items() if "created by user-a" in m)
        record_b = next(r for m, r in by_message.items() if "created by user-b" in m)
        assert record_a.crm_client is first and record_b.crm_client is second
        assert record_a.crm_logger == "crm"
        assert record_a.crm_client_handle != record_b.crm_client_handle
