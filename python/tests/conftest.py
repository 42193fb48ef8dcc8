# SPDX-License-Identifier: MIT
"""Fixtures for the leefbaar Python tests: the library, the demo city, one scored run.

Environment (meson's `python` test sets them): LEEFBAAR_LIBRARY, the libleefbaar.so to test;
LB_SOURCE_ROOT, the source tree with the demo data (shapes/, rasters/, models/); LEEFBAAR_CLI,
the leefbaar executable (used only to make a scored run when the loaded library has no
lb_score_run yet).
"""

import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))  # the package from this tree, installed or not

INSTALL_HINT = "install them with: bash scripts/setup-deps.sh --test (Debian packages " \
               "python3-pandas python3-geopandas python3-numpy python3-matplotlib)"


def missing_modules(*names):
    out = []
    for n in names:
        try:
            __import__(n)
        except ImportError:
            out.append(n)
    return out


def pytest_collection_modifyitems(config, items):
    missing = missing_modules("numpy", "pandas", "geopandas")
    if not missing:
        return
    reason = f"{', '.join(missing)} missing: {INSTALL_HINT}"
    for item in items:
        if "needs_data_stack" in item.keywords:
            item.add_marker(pytest.mark.skip(reason=reason))


def pytest_configure(config):
    config.addinivalue_line("markers", "needs_data_stack: needs numpy, pandas and geopandas")


def pytest_sessionfinish(session, exitstatus):
    # Under meson, a run whose operation tests were skipped for missing modules reports SKIP
    # (77) instead of a green OK, even when the tests that need no pandas passed.
    if os.environ.get("LEEFBAAR_MESON_TEST") and exitstatus == 0:
        missing = missing_modules("numpy", "pandas", "geopandas")
        if missing:
            print(f"\nSKIP: {', '.join(missing)} missing: {INSTALL_HINT}")
            session.exitstatus = 77


@pytest.fixture(scope="session")
def lb():
    import leefbaar

    leefbaar.load_library()
    return leefbaar


@pytest.fixture(scope="session")
def source_root():
    root = os.environ.get("LB_SOURCE_ROOT") or os.path.dirname(os.path.dirname(HERE))
    if not os.path.isfile(os.path.join(root, "shapes", "leefstad.gpkg")):
        pytest.fail(f"no demo data under {root}/shapes: set LB_SOURCE_ROOT to the source tree")
    return root


def demo_score_options(root):
    """The demo's score run (src/pipeline/demo.c): both years, 2020 the reference year."""
    s = lambda *p: os.path.join(root, *p)  # noqa: E731
    y = {yr: s("shapes", f"leefstad_{yr}.gpkg") for yr in (2020, 2022)}
    inputs = {}
    for name in ("buurten", "amenities", "incidents"):
        for yr in (2020, 2022):
            inputs[f"{name}@{yr}"] = f"{y[yr]}:{name}"
    inputs["roads"] = s("shapes", "leefstad.gpkg") + ":roads"
    inputs["noise"] = s("rasters", "noise_lden.tif")
    inputs["green"] = s("rasters", "green_share.tif")
    return dict(model=s("models", "default.yaml"), inputs=inputs, years=[2020, 2022])


@pytest.fixture(scope="session")
def demo(source_root):
    """Paths of the demo city and the demo's score options."""
    s = lambda *p: os.path.join(source_root, *p)  # noqa: E731
    return {
        "root": source_root,
        "city": s("shapes", "leefstad.gpkg"),
        "score": demo_score_options(source_root),
        "wijken": s("shapes", "leefstad.gpkg") + ":wijken",
        "gemeente": s("shapes", "leefstad.gpkg") + ":gemeente",
        "focus": s("shapes", "leefstad.gpkg") + ":focus_wijken",
    }


def has_function(name):
    import leefbaar

    return leefbaar.lib().has(name)


@pytest.fixture(scope="session")
def score_dir(tmp_path_factory, lb, demo):
    """A scored run of the demo on disk (both years), as change/diagnose/waterbed read it:
    written by leefbaar.score(...).write() when the library has lb_score_run, else by the
    command-line tool."""
    out = tmp_path_factory.mktemp("scored") / "score"
    if lb.lib().has("lb_score_run"):
        with lb.score(**demo["score"]) as r:
            r.write(out)
        return str(out)
    cli = os.environ.get("LEEFBAAR_CLI")
    if not cli:
        pytest.skip("no lb_score_run in the library and no LEEFBAAR_CLI to score the demo")
    o = demo["score"]
    args = [cli, "score", "-q", "--model", o["model"], "--years", "2020,2022", "-o", str(out)]
    for k, v in o["inputs"].items():
        args += ["--input", f"{k}={v}"]
    subprocess.run(args, check=True)
    return str(out)
