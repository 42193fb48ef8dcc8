# SPDX-License-Identifier: MIT
"""A scan's outputs as a planner opens them: scan.gpkg in headless QGIS opens styled by default
(categorized on the verdict, four classes with their Dutch labels and colours, the style stored
as the layer's default), it has one polygon per row of scan.csv, and every link of index.html
resolves to a file of the scan. Usage: check_scan.py SCAN_OUT. Exit 77 without python3-qgis."""
import csv
import html.parser
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
try:
    from qgis.core import QgsApplication, QgsVectorLayer
except ImportError:
    print("SKIP: python3-qgis is missing (apt-get install python3-qgis)")
    sys.exit(77)

LABELS = {1: "sterke aanwijzing", 2: "mogelijke aanwijzing", 3: "geen oordeel mogelijk",
          4: "geen aanwijzing"}
failures = []


def check(cond, what):
    print(("ok: " if cond else "FAIL: ") + what)
    if not cond:
        failures.append(what)


class Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if k in ("href", "src") and v:
                self.hrefs.append(v)


def main():
    out = sys.argv[1]
    rows = list(csv.DictReader(open(os.path.join(out, "scan.csv"), encoding="utf-8")))
    lyr = QgsVectorLayer(os.path.join(out, "scan.gpkg") + "|layername=scan", "scan", "ogr")
    check(lyr.isValid(), "scan.gpkg layer scan opens in QGIS")
    if lyr.isValid():
        check(lyr.featureCount() == len(rows),
              f"one feature per wijk ({lyr.featureCount()} for {len(rows)})")
        r = lyr.renderer()
        check(r.type() == "categorizedSymbol" and r.classAttribute() == "verdict_class",
              f"opens categorized on verdict_class (got {r.type()})")
        if r.type() == "categorizedSymbol":
            cats = {int(c.value()): c.label() for c in r.categories()}
            check(cats == LABELS, f"categories are the Dutch verdicts: {cats}")
            colours = {c.symbol().color().name() for c in r.categories()}
            check(len(colours) == 4, f"four colours: {sorted(colours)}")
        n, ids, names, descs, err = lyr.listStylesInDatabase()
        check(n >= 1 and "verdict" in names[:n], f"style 'verdict' stored ({names[:n]})")
        # every feature draws: its verdict_class is one of the categories
        vals = {f["verdict_class"] for f in lyr.getFeatures()}
        check(vals <= set(LABELS), f"verdict classes of the features {sorted(vals)}")
    p = Links()
    p.feed(open(os.path.join(out, "index.html"), encoding="utf-8").read())
    missing = [h for h in p.hrefs if not os.path.isfile(os.path.join(out, h))]
    check(len(p.hrefs) >= len(rows) and not missing,
          f"index.html: {len(p.hrefs)} links for {len(rows)} wijken, unresolved {missing[:5]}")
    linked = {h for h in p.hrefs}
    check(all(r["diagnosis"] in linked for r in rows), "every wijk's diagnosis is linked")


if __name__ == "__main__":
    app = QgsApplication([], False)
    app.initQgis()
    main()
    app.exitQgis()
    sys.exit(1 if failures else 0)
