"""Python bindings of libcrm (ctypes over the C ABI of crm.h; no compiler needed).

    config = {"database": {"dialect": "sqlite", "path": "erp.db"},
              "organisation": {"bootstrap_admins": ["erp-user-42"]}}
    with crm.Client(config) as client:
        with client.session("erp-user-42") as session:   # crm.PermissionDenied if no CRM user
            session.call("customer.create", name="Northwind Traders")

Log records of the library arrive as `logging` records of the logger "crm".
"""

from ._library import ABI_VERSION, ENVIRONMENT_VARIABLE, SONAME, TRACE, Library, load
from .client import Client, Session
from .errors import (AbiMismatch, Conflict, DatabaseError, Error, InternalError, InvalidArgument,
                     InvalidHandle, LibraryNotFound, NoMemory, NotFound, PermissionDenied,
                     Unavailable, Unsupported)

__version__ = "1.2.0"

__all__ = ["ABI_VERSION", "ENVIRONMENT_VARIABLE", "SONAME", "TRACE", "Library", "load", "Client",
           "Session", "Error", "InvalidArgument", "NotFound", "PermissionDenied", "Conflict",
           "DatabaseError", "Unavailable", "Unsupported", "InternalError", "NoMemory",
           "InvalidHandle", "AbiMismatch", "LibraryNotFound"]
