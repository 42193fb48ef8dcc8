# SPDX-License-Identifier: MIT
"""Handles over libleefbaar: a context, an options set, a result with its tables and rasters.

Every handle is freed deterministically by ``close()`` (or a ``with`` block) and, as a safety
net, when the Python object is collected. A result keeps its context alive: its rasters are read
on demand through the context.
"""

import ctypes
import json
import logging
import os
import warnings
from collections.abc import Mapping

from . import _errors
from ._lib import LOG_FN, PROGRESS_FN, lib

LB_COL_REAL = 0
LB_COL_INT = 1
LB_COL_TEXT = 2
LB_INT_NULL = -(2**63)  # INT64_MIN

_LOG_LEVELS = {0: "debug", 1: "info", 2: "warning"}
_logger = logging.getLogger("leefbaar")


def _dec(b):
    return None if b is None else b.decode("utf-8", errors="replace")


def _enc(s):
    return None if s is None else os.fsencode(s)


def status_str(status):
    """The library's name of an lb_status number ("invalid argument", ...)."""
    return _dec(lib().lb_status_str(int(status)))


class _CallbackState:
    """What the C callbacks share with the call that installed them. Kept apart from Context
    so that the ctypes callbacks hold no reference to the Context (no reference cycle)."""

    def __init__(self, log, progress):
        self.log = log
        self.progress = progress
        self.cancelled = False  # the progress callback asked to stop
        self.error = None  # an exception raised inside a callback, re-raised after the call


def _make_callbacks(state):
    def on_log(_user, level, msg):
        try:
            text = _dec(msg)
            name = _LOG_LEVELS.get(level, "info")
            if state.log is not None:
                state.log(name, text)
            elif name != "warning":
                # warnings reach Python through warnings.warn after the call (Result.warnings)
                _logger.log(logging.DEBUG if name == "debug" else logging.INFO, "%s", text)
        except BaseException as e:  # noqa: B902 - never let an exception unwind through C
            if state.error is None:
                state.error = e

    def on_progress(_user, done, stage):
        if state.error is not None or state.cancelled:
            return 1
        try:
            # a negative value only polls for cancellation; it is no progress to report
            if state.progress is not None and done >= 0:
                if state.progress(float(done), _dec(stage) or "") is False:
                    state.cancelled = True
                    return 1
        except BaseException as e:  # noqa: B902 - KeyboardInterrupt lands here: cancel
            state.error = e
            return 1
        return 0

    return LOG_FN(on_log), PROGRESS_FN(on_progress)


class Context:
    """An lb_ctx: the library's error message, warnings and callbacks for one thread's calls.

    ``log(level, message)`` receives every message of the library (level "debug", "info" or
    "warning"); without it, debug and info messages go to the ``logging`` logger "leefbaar"
    and warnings come back as :class:`leefbaar.LeefbaarWarning` after each call.
    ``progress(done, stage)`` receives done in [0, 1] and a short stage name; returning
    ``False`` (or raising) cancels the running call, which then raises
    :class:`leefbaar.Cancelled`. Ctrl-C during a call cancels it the same way.
    """

    def __init__(self, log=None, progress=None):
        L = lib()
        self._lib = L
        self._h = None
        h = ctypes.c_void_p()
        st = L.lb_ctx_create(ctypes.byref(h))
        if st != 0:
            raise _errors.error_class(st)(
                f"cannot create a leefbaar context: {status_str(st)}", st, status_str(st)
            )
        self._h = h
        self._state = _CallbackState(log, progress)
        self._log_cb, self._progress_cb = _make_callbacks(self._state)
        L.lb_ctx_set_log(h, self._log_cb, None)
        L.lb_ctx_set_progress(h, self._progress_cb, None)

    @property
    def handle(self):
        if self._h is None:
            raise ValueError("the leefbaar context is closed")
        return self._h

    def errmsg(self):
        return _dec(self._lib.lb_ctx_errmsg(self.handle)) or ""

    def warnings(self):
        L = self._lib
        return [_dec(L.lb_ctx_warning(self.handle, i)) for i in
                range(L.lb_ctx_warning_count(self.handle))]

    def reset_callback_state(self):
        self._state.cancelled = False
        self._state.error = None

    def check(self, status, what=None):
        """Raise for a failed call (status != 0), or for an exception a callback raised."""
        state = self._state
        pending, state.error = state.error, None
        cancelled, state.cancelled = state.cancelled, False
        if status == 0:
            if pending is not None:
                raise pending
            return
        msg = self.errmsg() or status_str(status)
        if what:
            msg = f"{what}: {msg}"
        if cancelled or pending is not None or status == _errors.ERR_CANCELLED:
            # the library gives LB_ERR_CANCELLED (older builds: LB_ERR_ARG) for a cancel
            err = _errors.Cancelled(msg, _errors.ERR_CANCELLED, status_str(status))
            if pending is not None:
                raise pending from err
            raise err
        raise _errors.error_class(status)(msg, status, status_str(status))

    def close(self):
        if self._h is not None:
            self._lib.lb_ctx_destroy(self._h)
            self._h = None
        # the callbacks may go only once the context that calls them is gone
        self._log_cb = self._progress_cb = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:  # noqa: BLE001 - interpreter shutdown
            pass


class KeyInfo:
    """One option key of an operation: name, one-line help, repeatable, flag."""

    __slots__ = ("name", "help", "repeatable", "flag")

    def __init__(self, name, help, repeatable, flag):  # noqa: A002
        self.name = name
        self.help = help
        self.repeatable = repeatable
        self.flag = flag

    def __repr__(self):
        extra = (" repeatable" if self.repeatable else "") + (" flag" if self.flag else "")
        return f"<KeyInfo {self.name}{extra}: {self.help}>"


class Options:
    """An lb_opts of one operation ("score", "change", "diagnose", "waterbed", "scores",
    "calibrate").

    Keys are the command-line tool's long option names; the library validates every key and
    value (an unknown key raises :class:`leefbaar.ArgError` listing the operation's keys).
    """

    def __init__(self, ctx, operation):
        self._ctx = ctx
        self._lib = ctx._lib
        self._h = None
        self.operation = operation
        h = ctypes.c_void_p()
        ctx.check(self._lib.lb_opts_create(ctx.handle, _enc(operation), ctypes.byref(h)))
        self._h = h
        self._keys = None

    @property
    def handle(self):
        if self._h is None:
            raise ValueError("the leefbaar options are closed")
        return self._h

    def keys(self):
        """The operation's keys in order, as {name: KeyInfo}."""
        if self._keys is None:
            L, h = self._lib, self.handle
            keys = {}
            for i in range(L.lb_opts_key_count(h)):
                name = _dec(L.lb_opts_key_name(h, i))
                keys[name] = KeyInfo(name, _dec(L.lb_opts_key_help(h, i)) or "",
                                     bool(L.lb_opts_key_repeatable(h, i)),
                                     bool(L.lb_opts_key_is_flag(h, i)))
            self._keys = keys
        return self._keys

    def set(self, key, value=None):
        """Set (or, for a repeatable key, append) ``key`` to the text ``value``."""
        self._ctx.check(self._lib.lb_opts_set(self._ctx.handle, self.handle, _enc(key),
                                              _enc(value)))

    def clear(self, key):
        self._ctx.check(self._lib.lb_opts_clear(self._ctx.handle, self.handle, _enc(key)))

    def close(self):
        if self._h is not None:
            self._lib.lb_opts_destroy(self._h)
            self._h = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:  # noqa: BLE001
            pass


# --- keyword arguments → option keys ---------------------------------------------------------

def _is_list(v):
    return isinstance(v, (list, tuple, set, frozenset)) or (
        hasattr(v, "__iter__") and not isinstance(v, (str, bytes, os.PathLike, Mapping))
    )


def _text(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, os.PathLike):
        return os.fspath(v)
    if isinstance(v, float):
        return repr(float(v))  # the shortest text that reads back as the same double
    if isinstance(v, bytes):
        return os.fsdecode(v)
    return str(v)


def option_key(name, keys):
    """The option key of a keyword argument: a trailing ``_`` dropped (``from_`` → "from"),
    underscores → dashes; a plural whose singular is a repeatable key maps to it
    (``inputs`` → "input", ``years`` → "year" where there is no "years")."""
    k = name.rstrip("_").replace("_", "-")
    if k in keys:
        return k
    if k.endswith("s") and k[:-1] in keys and keys[k[:-1]].repeatable:
        return k[:-1]
    return k  # unknown: lb_opts_set refuses it with the library's list of keys


def option_pairs(kwargs, keys):
    """(key, value text) pairs in order for keyword arguments; see :func:`leefbaar.score`.

    None skips the argument; a bool is a flag ("true"/"false"); a dict gives one NAME=VALUE
    per item (a list value repeats the name); a list repeats a repeatable key and is joined
    with commas for any other key; paths and numbers become text.
    """
    pairs = []
    for name, value in kwargs.items():
        if value is None:
            continue
        key = option_key(name, keys)
        info = keys.get(key)
        if isinstance(value, Mapping):
            for item_name, v in value.items():
                if v is None:
                    continue
                for item in (v if _is_list(v) else [v]):
                    pairs.append((key, f"{item_name}={_text(item)}"))
        elif _is_list(value):
            values = [_text(v) for v in value]
            if info is None or info.repeatable:
                pairs.extend((key, v) for v in values)
            else:
                pairs.append((key, ",".join(values)))
        else:
            pairs.append((key, _text(value)))
    return pairs


# --- results ---------------------------------------------------------------------------------

def _table_frame(L, t):
    """A table as a pandas DataFrame (GeoDataFrame in EPSG:28992 where it has geometry)."""
    import numpy as np
    import pandas as pd

    n = L.lb_table_row_count(t)
    cols = {}
    for c in range(L.lb_table_column_count(t)):
        name = _dec(L.lb_table_column_name(t, c))
        kind = L.lb_table_column_type(t, c)
        if name in cols:
            raise _errors.InternalError(f"table '{_dec(L.lb_table_name(t))}': column "
                                        f"'{name}' twice", _errors.ERR_INTERNAL)
        if kind == LB_COL_REAL:
            p = L.lb_table_reals(t, c)
            vals = np.ctypeslib.as_array(p, shape=(n,)).copy() if n and p else np.full(n, np.nan)
            cols[name] = vals
        elif kind == LB_COL_INT:
            p = L.lb_table_ints(t, c)
            vals = (np.ctypeslib.as_array(p, shape=(n,)).copy() if n and p
                    else np.full(n, LB_INT_NULL, dtype=np.int64))
            mask = vals == LB_INT_NULL
            vals[mask] = 0
            cols[name] = pd.arrays.IntegerArray(vals, mask)
        else:
            cols[name] = pd.array([_dec(L.lb_table_text(t, c, i)) for i in range(n)],
                                  dtype=object)
    df = pd.DataFrame(cols, index=pd.RangeIndex(n))
    if not L.lb_table_has_geometry(t):
        return df
    size = ctypes.c_size_t()
    wkb = []
    for i in range(n):
        p = L.lb_table_wkb(t, i, ctypes.byref(size))
        wkb.append(ctypes.string_at(p, size.value) if p else None)
    try:
        import geopandas
    except ImportError:
        df["geometry"] = wkb  # ISO WKB in EPSG:28992; install geopandas for shapes
        return df
    geom = geopandas.GeoSeries.from_wkb(wkb, index=df.index, crs="EPSG:28992")
    return geopandas.GeoDataFrame(df, geometry=geom, crs="EPSG:28992")


class Raster:
    """A raster of a result: ``name``, ``band_names``, ``geotransform`` (GDAL's six numbers, RD
    New metres), ``nx``/``ny``, and ``data``: a float32 array (bands, ny, nx), north-up, NaN =
    no data, read from the library on first use."""

    def __init__(self, result, handle):
        L = result._lib
        self._result = result
        self._h = handle
        self.name = _dec(L.lb_raster_name(handle))
        nx, ny, nb = ctypes.c_size_t(), ctypes.c_size_t(), ctypes.c_size_t()
        L.lb_raster_size(handle, ctypes.byref(nx), ctypes.byref(ny), ctypes.byref(nb))
        self.nx, self.ny, self.n_bands = nx.value, ny.value, nb.value
        gt = (ctypes.c_double * 6)()
        L.lb_raster_geotransform(handle, gt)
        self.geotransform = tuple(gt)
        self.band_names = [_dec(L.lb_raster_band_name(handle, b)) for b in range(self.n_bands)]
        self._data = None

    @property
    def crs(self):
        return "EPSG:28992"

    def read_band(self, band):
        """Band ``band`` (index or name) as a float32 array (ny, nx), read now."""
        import numpy as np

        if isinstance(band, str):
            band = self.band_names.index(band)
        res = self._result
        ctx = res._live_ctx()
        out = np.empty((self.ny, self.nx), dtype=np.float32)
        ctx.reset_callback_state()
        st = res._lib.lb_raster_read_band(
            ctx.handle, self._h, band, out.ctypes.data_as(ctypes.POINTER(ctypes.c_float)))
        ctx.check(st)
        return out

    @property
    def data(self):
        if self._data is None:
            import numpy as np

            data = np.empty((self.n_bands, self.ny, self.nx), dtype=np.float32)
            for b in range(self.n_bands):
                data[b] = self.read_band(b)
            self._data = data
        return self._data

    def __array__(self, dtype=None):
        return self.data if dtype is None else self.data.astype(dtype)

    def __repr__(self):
        return (f"<Raster {self.name}: {self.n_bands} bands {self.band_names} "
                f"{self.nx}x{self.ny}, gt={self.geotransform}>")


class _Lazy(Mapping):
    """name → value, converted from the result on first access and kept."""

    def __init__(self, names, convert):
        self._names = list(names)
        self._convert = convert
        self._done = {}

    def __getitem__(self, name):
        if name not in self._done:
            if name not in self._names:
                raise KeyError(f"{name!r} (the result has {', '.join(self._names) or 'none'})")
            self._done[name] = self._convert(name)
        return self._done[name]

    def __iter__(self):
        return iter(self._names)

    def __len__(self):
        return len(self._names)

    def __repr__(self):
        return "{" + ", ".join(repr(n) + ": ..." for n in self._names) + "}"


class Result:
    """What one operation computed, in memory; nothing is written until :meth:`write`.

    ``tables``: name → DataFrame (GeoDataFrame in EPSG:28992 where the table has geometry;
    REAL columns float64 with NaN for missing, INT columns pandas Int64 with <NA>, TEXT columns
    objects with None), converted on first access. ``rasters``: name → :class:`Raster`.
    ``provenance``: the run.json of the call as a dict. ``warnings``: the call's warnings.
    Free the library's memory with :meth:`close` or a ``with`` block (tables already converted
    stay usable).
    """

    def __init__(self, ctx, handle, pairs):
        self._ctx = ctx
        self._lib = ctx._lib
        self._h = handle
        self._pairs = list(pairs)
        L = self._lib
        self.operation = _dec(L.lb_result_operation(handle))
        self.warnings = [_dec(L.lb_result_warning(handle, i))
                         for i in range(L.lb_result_warning_count(handle))]
        prov = L.lb_result_provenance(handle)
        self.provenance = json.loads(_dec(prov)) if prov else {}
        tables = {}
        for i in range(L.lb_result_table_count(handle)):
            t = L.lb_result_table(handle, i)
            tables[_dec(L.lb_table_name(t))] = t
        self._table_handles = tables
        self.tables = _Lazy(tables, self._convert_table)
        rasters = {}
        for i in range(L.lb_result_raster_count(handle)):
            r = Raster(self, L.lb_result_raster(handle, i))
            rasters[r.name] = r
        self.rasters = _Lazy(rasters, rasters.__getitem__)

    def _live_ctx(self):
        if self._h is None:
            raise ValueError("the result is closed; read its tables and rasters before "
                             "closing it")
        return self._ctx

    def _convert_table(self, name):
        self._live_ctx()
        return _table_frame(self._lib, self._table_handles[name])

    def write(self, outdir, overwrite=False, **write_opts):
        """Write the files the command-line tool writes into ``outdir`` (``output``).

        ``overwrite=True`` replaces the outputs of an earlier leefbaar run there, as
        ``--overwrite`` does. Other keyword arguments are the operation's write keys
        (``outputs``, ``csv_sep``, ``full_precision``, ``geojson_rd``, ``raster_format``,
        ``co``, ``preview``, diagnose's ``basename``), mapped like the operation's own; they
        override those given to the operation. Returns ``outdir``.
        """
        ctx = self._live_ctx()
        with Options(ctx, self.operation) as opts:
            for k, v in self._pairs:
                opts.set(k, v)
            keys = opts.keys()
            override = option_pairs(write_opts, keys)
            for k in dict.fromkeys(k for k, _ in override):
                opts.clear(k)
            for k, v in override:
                opts.set(k, v)
            opts.clear("output")
            opts.set("output", os.fspath(outdir))
            if overwrite:
                opts.set("overwrite", "true")
            ctx.reset_callback_state()
            st = self._lib.lb_result_write(ctx.handle, self._h, opts.handle)
            ctx.check(st)  # the library's message names the directory
        return outdir

    def close(self):
        """Free the library's result; the context goes when nothing else needs it."""
        if self._h is not None:
            self._lib.lb_result_destroy(self._h)
            self._h = None
            self._table_handles = {}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:  # noqa: BLE001
            pass

    def __repr__(self):
        return (f"<leefbaar.Result {self.operation}: tables {list(self.tables)}, rasters "
                f"{list(self.rasters)}, {len(self.warnings)} warnings>")


_FUNCS = {
    "score": "lb_score_run",
    "change": "lb_change_run",
    "diagnose": "lb_diagnose_run",
    "waterbed": "lb_waterbed_run",
    "scores": "lb_scores_open",
    "calibrate": "lb_calibrate_run",
    "scan": "lb_scan_run",
    "viewer": "lb_viewer_run",
}


_PY_NAMES = {"score": "score", "change": "change", "diagnose": "diagnose",
             "waterbed": "waterbed", "scores": "scores_open", "calibrate": "calibrate",
             "scan": "scan", "viewer": "viewer"}


def _call_text(operation, kwargs):
    """How run.json records a call from Python (its command_line)."""
    args = ", ".join(f"{k}={v!r}" for k, v in kwargs.items())
    return f"python: leefbaar.{_PY_NAMES.get(operation, operation)}({args})"


def run(operation, kwargs, log=None, progress=None, warn=True):
    """Run ``operation`` with keyword arguments mapped to its option keys; return a Result.

    ``threads`` sets the context's number of threads (0 = all cores) where it is not an
    option key of the operation.
    """
    L = lib()
    fn = getattr(L, _FUNCS[operation])  # MissingFunctionError for an older library
    ctx = Context(log=log, progress=progress)
    try:
        with Options(ctx, operation) as opts:
            keys = opts.keys()
            kwargs = dict(kwargs)
            if "threads" in kwargs and "threads" not in keys:
                ctx.check(L.lb_ctx_set_threads(ctx.handle, int(kwargs.pop("threads"))),
                          "threads")
            pairs = option_pairs(kwargs, keys)
            if "command-line" in keys and not any(k == "command-line" for k, _ in pairs):
                pairs.append(("command-line", _call_text(operation, kwargs)))
            for k, v in pairs:
                opts.set(k, v)
            out = ctypes.c_void_p()
            ctx.reset_callback_state()
            st = fn(ctx.handle, opts.handle, ctypes.byref(out))
            if st == 0 and ctx._state.error is not None:
                L.lb_result_destroy(out)  # a callback raised: that exception, no result
            try:
                ctx.check(st)
            except _errors.Error:
                if warn:
                    _emit(ctx.warnings())
                raise
    except BaseException:
        ctx.close()
        raise
    try:
        result = Result(ctx, out, pairs)
    except BaseException:
        # the half-made Result frees the handle it was given when it is collected
        ctx.close()
        raise
    if warn:
        _emit(result.warnings)
    return result


def _emit(messages):
    for m in messages:
        warnings.warn(m, _errors.LeefbaarWarning, stacklevel=4)


def option_keys(operation):
    """The option keys of ``operation`` as {name: KeyInfo}, from the library."""
    with Context() as ctx, Options(ctx, operation) as opts:
        return dict(opts.keys())
