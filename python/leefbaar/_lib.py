# SPDX-License-Identifier: MIT
"""Find and load libleefbaar, and declare the C functions of its public API for ctypes.

Only opaque handles cross the boundary (``c_void_p``); no C struct is mirrored here, so a new
option in the library never breaks this module. Every function gets its argtypes and restype.
"""

import ctypes
import ctypes.util
import os
import sys
import threading

_SONAME_GLOB = ("libleefbaar.so", "libleefbaar.so.0")

# Opaque handles: lb_ctx*, lb_opts*, lb_result*, const lb_table*, const lb_raster*.
_h = ctypes.c_void_p
_s = ctypes.c_char_p
_sz = ctypes.c_size_t
_int = ctypes.c_int
_status = ctypes.c_int

LOG_FN = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_int, ctypes.c_char_p)
PROGRESS_FN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_double, ctypes.c_char_p)

# name: (restype, argtypes). The contract of include/leefbaar/{core,options,result}.h and the
# operations; functions the loaded library lacks are reported when first called.
_DECLS = {
    # core.h
    "lb_ctx_create": (_status, [ctypes.POINTER(_h)]),
    "lb_ctx_destroy": (None, [_h]),
    "lb_ctx_errmsg": (_s, [_h]),
    "lb_ctx_set_log": (None, [_h, LOG_FN, ctypes.c_void_p]),
    "lb_ctx_set_progress": (None, [_h, PROGRESS_FN, ctypes.c_void_p]),
    "lb_ctx_set_threads": (_status, [_h, _int]),
    "lb_ctx_threads": (_int, [_h]),
    "lb_ctx_warning_count": (_sz, [_h]),
    "lb_ctx_warning": (_s, [_h, _sz]),
    "lb_status_str": (_s, [_int]),
    "lb_config_set": (None, [_s, _s]),
    "lb_version": (_s, []),
    # options.h
    "lb_opts_create": (_status, [_h, _s, ctypes.POINTER(_h)]),
    "lb_opts_destroy": (None, [_h]),
    "lb_opts_set": (_status, [_h, _h, _s, _s]),
    "lb_opts_clear": (_status, [_h, _h, _s]),
    "lb_opts_key_count": (_sz, [_h]),
    "lb_opts_key_name": (_s, [_h, _sz]),
    "lb_opts_key_help": (_s, [_h, _sz]),
    "lb_opts_key_repeatable": (_int, [_h, _sz]),
    "lb_opts_key_is_flag": (_int, [_h, _sz]),
    # result.h
    "lb_result_destroy": (None, [_h]),
    "lb_result_operation": (_s, [_h]),
    "lb_result_table_count": (_sz, [_h]),
    "lb_result_table": (_h, [_h, _sz]),
    "lb_result_table_by_name": (_h, [_h, _s]),
    "lb_result_raster_count": (_sz, [_h]),
    "lb_result_raster": (_h, [_h, _sz]),
    "lb_result_provenance": (_s, [_h]),
    "lb_result_warning_count": (_sz, [_h]),
    "lb_result_warning": (_s, [_h, _sz]),
    "lb_result_write": (_status, [_h, _h, _h]),
    "lb_table_name": (_s, [_h]),
    "lb_table_row_count": (_sz, [_h]),
    "lb_table_column_count": (_sz, [_h]),
    "lb_table_column_name": (_s, [_h, _sz]),
    "lb_table_column_type": (_int, [_h, _sz]),
    "lb_table_column_index": (ctypes.c_long, [_h, _s]),
    "lb_table_reals": (ctypes.POINTER(ctypes.c_double), [_h, _sz]),
    "lb_table_ints": (ctypes.POINTER(ctypes.c_int64), [_h, _sz]),
    "lb_table_text": (_s, [_h, _sz, _sz]),
    "lb_table_has_geometry": (_int, [_h]),
    "lb_table_wkb": (ctypes.POINTER(ctypes.c_ubyte), [_h, _sz, ctypes.POINTER(_sz)]),
    "lb_raster_name": (_s, [_h]),
    "lb_raster_size": (None, [_h, ctypes.POINTER(_sz), ctypes.POINTER(_sz), ctypes.POINTER(_sz)]),
    "lb_raster_geotransform": (None, [_h, ctypes.POINTER(ctypes.c_double)]),
    "lb_raster_band_name": (_s, [_h, _sz]),
    "lb_raster_read_band": (_status, [_h, _h, _sz, ctypes.POINTER(ctypes.c_float)]),
    # the operations
    "lb_score_run": (_status, [_h, _h, ctypes.POINTER(_h)]),
    "lb_change_run": (_status, [_h, _h, ctypes.POINTER(_h)]),
    "lb_diagnose_run": (_status, [_h, _h, ctypes.POINTER(_h)]),
    "lb_waterbed_run": (_status, [_h, _h, ctypes.POINTER(_h)]),
    "lb_scores_open": (_status, [_h, _h, ctypes.POINTER(_h)]),
    "lb_calibrate_run": (_status, [_h, _h, ctypes.POINTER(_h)]),
    "lb_scan_run": (_status, [_h, _h, ctypes.POINTER(_h)]),
    "lb_viewer_run": (_status, [_h, _h, ctypes.POINTER(_h)]),
}


class LibraryNotFoundError(OSError):
    """libleefbaar could not be loaded; the message lists every place that was tried."""


class MissingFunctionError(AttributeError):
    """The loaded libleefbaar lacks a function of the API (an older build)."""


def _exports(cdll, name):
    try:
        getattr(cdll, name)
    except AttributeError:
        return False
    return True


class _Lib:
    """The loaded library: its path and the declared functions as attributes."""

    def __init__(self, cdll, path):
        self._cdll = cdll
        self.path = path
        self.missing = []
        self.legacy = []  # old struct-based functions of the same name, not usable
        for name, (restype, argtypes) in _DECLS.items():
            try:
                fn = getattr(cdll, name)
            except AttributeError:
                self.missing.append(name)
                continue
            fn.restype = restype
            fn.argtypes = argtypes
            setattr(self, name, fn)
        # Before the options API, lb_<op>_run took an options struct: same name, another
        # signature. Such a build still exports lb_<op>_options_init; its run functions must
        # never be called with an lb_opts handle.
        for op in ("score", "change", "diagnose", "waterbed"):
            run = f"lb_{op}_run"
            if run not in self.missing and (
                    _exports(cdll, f"lb_{op}_options_init") or "lb_opts_create" in self.missing):
                delattr(self, run)
                self.missing.append(run)
                self.legacy.append(run)

    def __getattr__(self, name):
        # only reached for names not set in __init__
        if name in self.legacy:
            raise MissingFunctionError(
                f"{self.path} has the struct-based {name}() of the library before the options "
                f"API (include/leefbaar/options.h): rebuild libleefbaar from a newer source or "
                f"point LEEFBAAR_LIBRARY at a newer build"
            )
        if name in _DECLS:
            raise MissingFunctionError(
                f"{self.path} has no {name}(): the library was built from a version without "
                f"it; rebuild libleefbaar or point LEEFBAAR_LIBRARY at a newer build"
            )
        raise AttributeError(name)

    def has(self, name):
        return name not in self.missing


_lock = threading.Lock()
_loaded = None


def _package_root():
    return os.path.dirname(os.path.abspath(__file__))


def _candidates_in_dir(d):
    return [os.path.join(d, n) for n in _SONAME_GLOB]


def _libdirs_of(prefix):
    multiarch = getattr(sys.implementation, "_multiarch", "") or "x86_64-linux-gnu"
    return [os.path.join(prefix, "lib", multiarch), os.path.join(prefix, "lib"),
            os.path.join(prefix, "lib64")]


def _installed_libdirs():
    """Library directories of the prefix this package is installed under (PREFIX/lib/python3
    /dist-packages/leefbaar → PREFIX/lib/<multiarch>, PREFIX/lib, PREFIX/lib64), then of the
    interpreter's prefix, /usr/local and /usr."""
    prefixes = []
    parts = _package_root().split(os.sep)
    for i in range(len(parts) - 1, 0, -1):
        if parts[i] in ("lib", "lib64"):
            prefixes.append(os.sep.join(parts[:i]) or os.sep)
            break
    prefixes += [sys.prefix, "/usr/local", "/usr"]
    dirs = []
    for p in prefixes:
        for d in _libdirs_of(p):
            if d not in dirs:
                dirs.append(d)
    return dirs


def _build_dirs():
    """libleefbaar in a meson build directory of the source tree this package sits in."""
    src = os.path.dirname(os.path.dirname(_package_root()))  # python/leefbaar -> repository
    if not os.path.isfile(os.path.join(src, "meson.build")):
        return []
    out = []
    try:
        names = sorted(os.listdir(src))
    except OSError:
        return []
    # 'build' first, then build-* (build-test, build-asan, ...) in name order
    names = [n for n in names if n == "build"] + [n for n in names if n.startswith("build-")]
    for n in names:
        d = os.path.join(src, n, "src")
        if os.path.isdir(d):
            out.append(d)
    return out


def _try_load(path, tried):
    try:
        cdll = ctypes.CDLL(path)
    except OSError as e:
        tried.append(f"{path} ({e})")
        return None
    return _Lib(cdll, path)


def load_library(path=None):
    """Load libleefbaar and return it; later calls return the same library.

    Looked for, in this order: ``path`` (a file, or a directory holding libleefbaar.so), the
    ``LEEFBAAR_LIBRARY`` environment variable (the same), the system's library search
    (``ctypes.util.find_library``), the library directories of the prefix this package is
    installed under and of ``/usr/local`` and ``/usr``, and finally a meson build directory
    (``build``, ``build-*``) of the source tree that holds this package. Raises
    :class:`LibraryNotFoundError` naming every place tried.
    """
    global _loaded
    with _lock:
        if _loaded is not None and path is None:
            return _loaded
        tried = []

        def explicit(p, what):
            p = os.path.abspath(p)  # relative to the directory the caller started in
            if os.path.isdir(p):
                for c in _candidates_in_dir(p):
                    if os.path.exists(c):
                        return _try_load(c, tried)
                tried.append(f"{what}{p} (a directory without libleefbaar.so)")
                return None
            if not os.path.exists(p):
                tried.append(f"{what}{p} (no such file)")
                return None
            return _try_load(p, tried)

        lib = None
        if path is not None:
            lib = explicit(os.fspath(path), "path ")
            if lib is None:
                raise LibraryNotFoundError("cannot load libleefbaar: tried " + "; ".join(tried))
        env = os.environ.get("LEEFBAAR_LIBRARY")
        if lib is None and env:
            lib = explicit(env, "LEEFBAAR_LIBRARY=")
            if lib is None:
                # an explicit setting that fails is an error, not a reason to pick another
                raise LibraryNotFoundError(
                    "cannot load libleefbaar: tried " + "; ".join(tried)
                    + "; fix or unset LEEFBAAR_LIBRARY"
                )
        if lib is None:
            found = ctypes.util.find_library("leefbaar")
            if found:
                lib = _try_load(found, tried)
            else:
                tried.append("ctypes.util.find_library('leefbaar') (not found)")
        if lib is None:
            for d in _installed_libdirs() + _build_dirs():
                for c in _candidates_in_dir(d):
                    if os.path.exists(c):
                        lib = _try_load(c, tried)
                        if lib is not None:
                            break
                if lib is not None:
                    break
            else:
                tried.append(
                    "libleefbaar.so in " + ", ".join(_installed_libdirs() + _build_dirs())
                )
        if lib is None:
            raise LibraryNotFoundError(
                "cannot find libleefbaar (build it with meson, or install it with meson "
                "install): tried " + "; ".join(tried)
                + ". Set LEEFBAAR_LIBRARY to the path of libleefbaar.so, or call "
                "leefbaar.load_library(PATH)."
            )
        _loaded = lib
        return lib


def lib():
    """The loaded library (loading it on first use)."""
    return _loaded if _loaded is not None else load_library()
