# SPDX-License-Identifier: MIT
"""Exceptions: one class per lb_status, each carrying the library's message."""

# lb_status values (include/leefbaar/core.h); stable, never renumbered.
OK = 0
ERR_NOMEM = 1
ERR_ARG = 2
ERR_IO = 3
ERR_CRS = 4
ERR_GEOM = 5
ERR_DATA = 6
ERR_MODEL = 7
ERR_INTERNAL = 8
ERR_CANCELLED = 9


class Error(Exception):
    """A libleefbaar call failed.

    ``status`` is the lb_status number, ``status_name`` the library's name for it ("invalid
    argument", ...) and ``message`` the library's detail message, which names the file, layer,
    feature, field or line (``str(err)`` is the message).
    """

    status = None

    def __init__(self, message, status=None, status_name=None):
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
        self.status_name = status_name


class NoMemoryError(Error, MemoryError):
    """LB_ERR_NOMEM: out of memory."""

    status = ERR_NOMEM


class ArgError(Error, ValueError):
    """LB_ERR_ARG: an invalid argument or option (an unknown option key, a bad value)."""

    status = ERR_ARG


class IOError(Error, OSError):  # noqa: A001 - the library's name; leefbaar.IOError
    """LB_ERR_IO: a file could not be opened, read or written."""

    status = ERR_IO

    def __init__(self, message, status=None, status_name=None):
        # OSError's constructor would parse (errno, strerror); keep the message whole
        Error.__init__(self, message, status, status_name)

    def __str__(self):
        return self.message


class CRSError(Error):
    """LB_ERR_CRS: a missing, wrong or suspicious coordinate reference system."""

    status = ERR_CRS


class GeometryError(Error):
    """LB_ERR_GEOM: an invalid or unusable geometry."""

    status = ERR_GEOM


class DataError(Error):
    """LB_ERR_DATA: a layer, field or value is missing or unusable."""

    status = ERR_DATA


class ModelError(Error):
    """LB_ERR_MODEL: the model file is malformed or inconsistent."""

    status = ERR_MODEL


class InternalError(Error):
    """LB_ERR_INTERNAL: a bug in libleefbaar; please report it."""

    status = ERR_INTERNAL


class Cancelled(Error):
    """LB_ERR_CANCELLED: the progress callback asked to stop (or Ctrl-C during the call)."""

    status = ERR_CANCELLED


_BY_STATUS = {
    cls.status: cls
    for cls in (NoMemoryError, ArgError, IOError, CRSError, GeometryError, DataError,
                ModelError, InternalError, Cancelled)
}


def error_class(status):
    """The exception class of an lb_status number (Error for one this module does not know)."""
    return _BY_STATUS.get(status, Error)


class LeefbaarWarning(UserWarning):
    """A warning the library collected during a call (also in ``Result.warnings``)."""
