# SPDX-License-Identifier: MIT
"""leefbaar: livability scores for Dutch neighbourhoods, from Python.

A thin ctypes layer over the shared library libleefbaar (no compiler needed). Each operation
takes the command-line tool's long options as keyword arguments and returns a
:class:`Result` in memory; nothing is written until ``Result.write(outdir)``::

    import leefbaar
    r = leefbaar.score(model="models/default.yaml",
                       inputs={"buurten": "shapes/leefstad_2022.gpkg:buurten", ...},
                       years=[2022])
    r.tables["buurten"]          # a GeoDataFrame in EPSG:28992
    r.rasters["scores_2022"].data  # float32 (bands, ny, nx)
    r.write("out")               # the files `leefbaar score -o out` writes

Keyword arguments → option keys: underscores become dashes (``csv_sep`` → ``csv-sep``), a
trailing underscore is dropped (``from_`` → ``from``), a plural maps to its repeatable singular
(``inputs`` → ``input``); ``True``/``False`` set a flag; a dict gives ``NAME=VALUE`` per item
(``inputs={"buurten": path}`` → ``input=buurten=path``; a list value repeats the name); a list
repeats a repeatable key and is joined with commas for any other (``rings=[250, 500]`` →
``rings=250,500``); ``None`` leaves the option unset. The library checks every key and value:
an unknown key raises :class:`ArgError` with the operation's keys in the message.

The library is found as :func:`load_library` describes (``LEEFBAAR_LIBRARY`` to point at it).
"""

from ._core import (
    Context,
    KeyInfo,
    Options,
    Raster,
    Result,
    option_keys,
    option_pairs,
    status_str,
)
from ._core import run as _run
from ._errors import (
    ArgError,
    Cancelled,
    CRSError,
    DataError,
    Error,
    GeometryError,
    InternalError,
    IOError,
    LeefbaarWarning,
    ModelError,
    NoMemoryError,
)
from ._lib import LibraryNotFoundError, MissingFunctionError, lib, load_library

import os as _os

__version__ = "0.1.0"

__all__ = [
    "score", "change", "diagnose", "waterbed", "calibrate", "scan", "scores_open", "viewer",
    "Result", "Raster",
    "Options",
    "Context", "KeyInfo", "option_keys", "option_pairs", "library_version", "library_path",
    "config_set", "status_str", "load_library", "Error", "ArgError", "Cancelled", "CRSError",
    "DataError", "GeometryError", "InternalError", "ModelError", "NoMemoryError",
    "LeefbaarWarning", "LibraryNotFoundError", "MissingFunctionError",
]


def score(*, progress=None, log=None, **options):
    """Score units (``leefbaar score``): grid cells and polygons, per year, in memory.

    Options as ``leefbaar score --help`` lists them, e.g. ``model=PATH``,
    ``inputs={NAME: "PATH[:LAYER]", "NAME@YEAR": ...}``, ``years=[2020, 2022]``,
    ``mode="area"``, ``units="buurten"``, ``reference=RUN_JSON``, ``where={NAME: EXPR}``;
    ``viewer=True`` (with ``viewer_lib``, default ``$LEEFBAAR_VIEWER_LIB``) makes ``write``
    also write ``OUTDIR/viewer``, the offline map (as :func:`viewer`); so does change's.
    Result tables: one per unit level (``grid``, ``buurten``, ...); rasters ``scores_<year>``
    and ``class_<year>``.

    ``progress(done, stage)`` gets done in [0, 1]; returning False cancels (raises
    :class:`Cancelled`). ``log(level, message)`` gets the library's messages (default: the
    ``logging`` logger "leefbaar"; warnings as :class:`LeefbaarWarning`).
    """
    return _run("score", _with_viewer_lib(options), log=log, progress=progress)


def change(*, progress=None, log=None, **options):
    """Development between two years (``leefbaar change``), e.g. ``scores=RUN_DIR,
    from_year=2020, to_year=2022``, or ``from_=RUN_DIR, to=RUN_DIR``. Table ``change``."""
    return _run("change", _with_viewer_lib(options), log=log, progress=progress)


def diagnose(*, progress=None, log=None, **options):
    """First diagnosis of a wijk (``leefbaar diagnose``), e.g. ``scores=RUN_DIR,
    wijk="WK990100", wijk_polygon="wijken.gpkg:wijken", focus=...``."""
    return _run("diagnose", options, log=log, progress=progress)


def waterbed(*, progress=None, log=None, **options):
    """Waterbed analysis (``leefbaar waterbed``), e.g. ``scores=RUN_DIR,
    focus="leefstad.gpkg:focus_wijken", rings=[250, 500, 1000], periods="2020-2022",
    seed=1``."""
    return _run("waterbed", options, log=log, progress=progress)


def calibrate(*, progress=None, log=None, **options):
    """Fit a model's coefficients to a target per unit (``leefbaar calibrate``), e.g.
    ``model=PATH, inputs={"buurten": PATH}, target="oordeel.csv:cijfer", year=2016``, or
    per dimension ``target_dims={"won": "lbm.csv:RLBWON"}``; ``weight="none"``,
    ``folds=5``, ``ridge="cv"``, ``mode="grid"``. Tables (DataFrames): ``coefficients`` (one
    row per target and coefficient, with se, se_cluster, t, vif, sign_ok and whether it went
    into the fitted model), ``fit`` (one row per target: n, R², CV R², ...) and
    ``predictions`` (per target and unit: observed, fitted, cv_pred, residual, f_<id>).
    ``provenance`` is the calibrate.json document. ``write("fitted.yaml")`` writes the fitted
    model and its reports beside it."""
    return _run("calibrate", options, log=log, progress=progress)


def scan(*, progress=None, log=None, **options):
    """The preventiebudget check of every wijk at once (``leefbaar scan``), e.g.
    ``scores=RUN_DIR`` or a published table with ``geometry=PATH``, ``gemeente="35*"``,
    ``focus="3526,3527"``. Table ``scan``: the ranking, one row per wijk in rank order (rank,
    code, name, verdict, the three criteria, lbm and class of the last year, the trend per year
    with its standard error and the extrapolated years to the aandachtswijken level), a
    GeoDataFrame when the scores have polygons. ``write(outdir)`` writes scan.csv, scan.gpkg,
    index.html and a diagnosis per wijk, as ``leefbaar scan -o outdir`` does."""
    return _run("scan", options, log=log, progress=progress)


def scores_open(path, *, progress=None, log=None, **options):
    """Open scored units: a ``leefbaar score`` run directory or ``run.json``, or a published
    table of scores (``path`` may be a list; ``geometry=PATH`` joins polygons). Table
    ``scores``."""
    return _run("scores", dict(scores=path, **options), log=log, progress=progress)


def library_version():
    """The loaded libleefbaar's version ("MAJOR.MINOR.PATCH")."""
    return lib().lb_version().decode()


def library_path():
    """The file libleefbaar was loaded from."""
    return lib().path


def config_set(key, value):
    """Set a GDAL configuration option for this process (``--config KEY VALUE``); None
    unsets it."""
    lib().lb_config_set(key.encode(), None if value is None else str(value).encode())


def _viewer_lib(viewer_lib):
    """The web-map library's folder: given, else $LEEFBAAR_VIEWER_LIB (the library itself never
    reads the environment); None leaves the library to say what is missing."""
    if viewer_lib is not None:
        return _os.fspath(viewer_lib)
    return _os.environ.get("LEEFBAAR_VIEWER_LIB") or None


def viewer(runs, out, overwrite=False, title=None, viewer_lib=None, *, progress=None, log=None):
    """Write the offline map of run folders (``leefbaar viewer RUN_DIR... -o OUT``).

    ``runs``: a run folder or a list of them (score, change, diagnose, scan, waterbed runs).
    ``out``: the viewer folder, written all or nothing; ``overwrite=True`` replaces a viewer
    leefbaar wrote there. ``title``: the page's title. ``viewer_lib``: the folder holding
    maplibre-gl.js, maplibre-gl.css and LICENSE.txt (default ``$LEEFBAAR_VIEWER_LIB``;
    ``scripts/setup-deps.sh --viewer`` fetches it). Returns the path of ``out/index.html``.
    Errors raise with the library's message (:class:`ArgError` for a folder that is no run or
    a library folder that lacks a file).
    """
    if isinstance(runs, (str, bytes)) or hasattr(runs, "__fspath__"):
        runs = [runs]
    options = dict(runs=[_os.fspath(r) for r in runs], title=title,
                   viewer_lib=_viewer_lib(viewer_lib))
    with _run("viewer", options, log=log, progress=progress) as r:
        r.write(out, overwrite=overwrite)
    return _os.path.join(_os.fspath(out), "index.html")


def _with_viewer_lib(options):
    """score/change with ``viewer=True``: the library's folder as :func:`viewer` finds it."""
    if options.get("viewer") and options.get("viewer_lib") is None:
        lib_dir = _viewer_lib(None)
        if lib_dir:
            options = dict(options, viewer_lib=lib_dir)
    return options
