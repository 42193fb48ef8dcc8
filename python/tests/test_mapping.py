# SPDX-License-Identifier: MIT
"""Keyword arguments → option keys and values (pure Python; the library validates keys)."""

import pathlib

from leefbaar._core import KeyInfo, option_key, option_pairs

KEYS = {k.name: k for k in (
    KeyInfo("model", "", False, False),
    KeyInfo("input", "", True, False),
    KeyInfo("year", "", True, False),
    KeyInfo("years", "", False, False),
    KeyInfo("where", "", True, False),
    KeyInfo("csv-sep", "", False, False),
    KeyInfo("full-precision", "", False, True),
    KeyInfo("from", "", False, False),
    KeyInfo("rings", "", False, False),
    KeyInfo("co", "", True, False),
    KeyInfo("scores", "", True, False),
)}


def test_names_map_to_keys():
    assert option_key("csv_sep", KEYS) == "csv-sep"
    assert option_key("from_", KEYS) == "from"
    assert option_key("inputs", KEYS) == "input"          # plural of a repeatable key
    assert option_key("years", KEYS) == "years"           # a key of its own wins
    assert option_key("wheres", KEYS) == "where"
    assert option_key("ringss", KEYS) == "ringss"         # 'rings' is not repeatable
    assert option_key("frobnicate", KEYS) == "frobnicate"  # unknown: left to the library


def test_values():
    pairs = option_pairs(dict(
        model=pathlib.Path("m.yaml"),
        inputs={"buurten@2020": "a.gpkg:buurten", "bins": ["z.geojson", "c.geojson"]},
        year=[2020, 2022],
        years=(2020, 2022),
        rings=[250, 500.5],
        full_precision=True,
        csv_sep=";",
        co=["COMPRESS=ZSTD", "LEVEL=9"],
        where=None,
        from_="run",
    ), KEYS)
    assert pairs == [
        ("model", "m.yaml"),
        ("input", "buurten@2020=a.gpkg:buurten"),
        ("input", "bins=z.geojson"),
        ("input", "bins=c.geojson"),
        ("year", "2020"),
        ("year", "2022"),
        ("years", "2020,2022"),
        ("rings", "250,500.5"),
        ("full-precision", "true"),
        ("csv-sep", ";"),
        ("co", "COMPRESS=ZSTD"),
        ("co", "LEVEL=9"),
        ("from", "run"),
    ]
    assert option_pairs({"full_precision": False}, KEYS) == [("full-precision", "false")]
    # a float keeps every digit it has
    assert option_pairs({"rings": 0.1 + 0.2}, KEYS) == [("rings", "0.30000000000000004")]
