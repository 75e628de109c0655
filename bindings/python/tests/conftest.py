"""The library under test comes from $CRM_LIBRARY (ctest sets it to the build's libcrm)."""

import os

import pytest

import crm


@pytest.fixture(scope="session")
def library_path():
    path = os.environ.get(crm.ENVIRONMENT_VARIABLE)
    if not path:
        pytest.fail(f"set {crm.ENVIRONMENT_VARIABLE} to the libcrm.so.1 to test")
    return path


@pytest.fixture
def config(tmp_path):
    # Sessions open only for CRM users; these are the administrators of a new installation.
    return {"database": {"dialect": "sqlite", "path": str(tmp_path / "crm.db")},
            "organisation": {"bootstrap_admins": ["py-user", "py-logger"]}}


@pytest.fixture
def client(config, library_path):
    with crm.Client(config) as client:
        yield client


@pytest.fixture
def session(client):
    with client.session("py-user") as session:
        yield session
