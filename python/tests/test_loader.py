# SPDX-License-Identifier: MIT
"""Finding libleefbaar: explicit path, LEEFBAAR_LIBRARY, and the message when it is absent."""

import os
import subprocess
import sys

import pytest

PKG = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_python(code, env_extra, cwd):
    env = dict(os.environ)
    env.pop("LEEFBAAR_LIBRARY", None)
    env.update(env_extra)
    return subprocess.run([sys.executable, "-c", code], env=env, cwd=cwd,
                          capture_output=True, text=True)


def test_env_var_and_explicit_path(lb, tmp_path):
    path = lb.library_path()
    code = "import leefbaar; print(leefbaar.library_path()); print(leefbaar.library_version())"
    p = run_python(code, {"LEEFBAAR_LIBRARY": path, "PYTHONPATH": PKG}, tmp_path)
    assert p.returncode == 0, p.stderr
    assert p.stdout.split("\n")[:2] == [path, lb.library_version()]
    # a directory holding the library is accepted too
    code = f"import leefbaar; print(leefbaar.load_library({os.path.dirname(path)!r}).path)"
    p = run_python(code, {"PYTHONPATH": PKG}, tmp_path)
    assert p.returncode == 0, p.stderr
    assert os.path.dirname(p.stdout.strip()) == os.path.dirname(path)


def test_bad_env_var_names_what_was_tried(tmp_path):
    bad = str(tmp_path / "nowhere" / "libleefbaar.so")
    p = run_python("import leefbaar; leefbaar.library_version()",
                   {"LEEFBAAR_LIBRARY": bad, "PYTHONPATH": PKG}, tmp_path)
    assert p.returncode != 0
    assert "LibraryNotFoundError" in p.stderr
    assert f"LEEFBAAR_LIBRARY={bad} (no such file)" in p.stderr
    assert "unset LEEFBAAR_LIBRARY" in p.stderr


def test_absent_library_lists_the_places(tmp_path):
    # a copy of the package outside the source tree, with no library anywhere it looks
    import shutil

    shutil.copytree(os.path.join(PKG, "leefbaar"), tmp_path / "pkg" / "leefbaar",
                    ignore=shutil.ignore_patterns("__pycache__"))
    p = run_python("import leefbaar; leefbaar.lib()",
                   {"PYTHONPATH": str(tmp_path / "pkg"), "LD_LIBRARY_PATH": ""}, tmp_path)
    if p.returncode == 0:
        pytest.skip("a libleefbaar is installed system-wide; cannot test its absence")
    assert "find_library('leefbaar')" in p.stderr
    assert "/usr/local/lib" in p.stderr
    assert "LEEFBAAR_LIBRARY" in p.stderr


def test_import_needs_no_library(tmp_path):
    p = run_python("import leefbaar; print(leefbaar.__version__)",
                   {"LEEFBAAR_LIBRARY": str(tmp_path / "x.so"), "PYTHONPATH": PKG}, tmp_path)
    assert p.returncode == 0, p.stderr


def test_found_in_the_installed_prefix(lb, tmp_path):
    """PREFIX/lib/python3/dist-packages/leefbaar finds PREFIX/lib/<multiarch>/libleefbaar.so.0,
    where meson install puts it, without LEEFBAAR_LIBRARY."""
    import shutil

    prefix = tmp_path / "prefix"
    site = prefix / "lib" / "python3" / "dist-packages"
    shutil.copytree(os.path.join(PKG, "leefbaar"), site / "leefbaar",
                    ignore=shutil.ignore_patterns("__pycache__"))
    multiarch = getattr(sys.implementation, "_multiarch", "") or "x86_64-linux-gnu"
    libdir = prefix / "lib" / multiarch
    libdir.mkdir(parents=True)
    shutil.copy(os.path.realpath(lb.library_path()), libdir / "libleefbaar.so.0")
    p = run_python("import leefbaar; print(leefbaar.library_path())",
                   {"PYTHONPATH": str(site), "LD_LIBRARY_PATH": ""}, tmp_path)
    assert p.returncode == 0, p.stderr
    if p.stdout.strip() != str(libdir / "libleefbaar.so.0"):
        # only a system-wide libleefbaar (found first by the system search) may win
        assert "/tmp" not in p.stdout and p.stdout.startswith("/usr"), p.stdout
