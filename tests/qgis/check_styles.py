# SPDX-License-Identifier: MIT
"""Open the demo's outputs in headless QGIS (PyQGIS) as a planner would by drag and drop, and
check that every map shows styled: each GeoPackage layer lists its named styles with the right
default, each style categorizes the field it names with its classes, per-year layers hold one
year (Identify finds one feature), and a dimension raster renders in its own legend, centred on
0. Usage: check_styles.py DEMO_OUT [AREA_OUT]. Exit 77 (skip) without python3-qgis."""
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
try:
    from qgis.core import (QgsApplication, QgsFeatureRequest, QgsMapRendererCustomPainterJob,
                           QgsMapSettings, QgsPointXY, QgsRasterLayer, QgsRectangle,
                           QgsVectorLayer)
    from qgis.PyQt.QtCore import QSize
    from qgis.PyQt.QtGui import QColor, QImage, QPainter
    from qgis.PyQt.QtXml import QDomDocument
except ImportError:
    print("SKIP: python3-qgis is missing (apt-get install python3-qgis)")
    sys.exit(77)

try:
    from osgeo import gdal
except ImportError:
    print("SKIP: python3-gdal is missing")
    sys.exit(77)

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def styles_of(layer):
    """{name: (qml, is_default)} of the layer's styles in its GeoPackage."""
    n, ids, names, descs, err = layer.listStylesInDatabase()
    out = {}
    # the first n ids are the styles of this layer (the others: other layers of the file)
    for i in range(n):
        qml, err = layer.getStyleFromDatabase(ids[i])
        out[names[i]] = qml
    return out


def apply_qml(layer, qml):
    doc = QDomDocument()
    ok = doc.setContent(qml)
    check(ok, "QML parses")
    return layer.importNamedStyle(doc)


def categories(layer):
    r = layer.renderer()
    if r.type() != "categorizedSymbol":
        return r.type(), None, []
    return r.type(), r.classAttribute(), [(c.value(), c.label(), c.symbol().color().name())
                                          for c in r.categories()]


def open_vector(path, name):
    lyr = QgsVectorLayer(f"{path}|layername={name}", name, "ogr")
    check(lyr.isValid(), f"{path} layer {name} opens in QGIS")
    return lyr


def check_layer_styles(path, name, default_field, n_default, named):
    """The layer opens categorized on default_field (n_default classes); every style in
    `named` (name → (field, n classes)) is stored and categorizes its field."""
    lyr = open_vector(path, name)
    if not lyr.isValid():
        return lyr
    t, field, cats = categories(lyr)
    check(t == "categorizedSymbol" and field == default_field and len(cats) == n_default,
          f"{name}: opens categorized on {default_field} ({n_default}), got {t} {field} "
          f"{len(cats)}")
    stored = styles_of(lyr)
    for sname, (sfield, ncls) in named.items():
        check(sname in stored, f"{name}: style {sname} stored (have {sorted(stored)})")
        if sname not in stored:
            continue
        probe = QgsVectorLayer(f"{path}|layername={name}", name, "ogr")
        apply_qml(probe, stored[sname])
        t, field, cats = categories(probe)
        check(t == "categorizedSymbol" and field == sfield and len(cats) == ncls,
              f"{name} style {sname}: categorized on {sfield} ({ncls}), got {t} {field} "
              f"{len(cats)}")
        if sfield.startswith("k_"):
            labels = [c[1] for c in cats]
            check(labels[4].startswith("gemiddeld") and "0,02" in labels[4],
                  f"{name} style {sname}: middle class is 'gemiddeld' around 0: {labels[4]}")
    return lyr


def one_feature_per_point(path, long_name, years):
    """Identify at a point inside a unit: the long layer holds it once per year, each per-year
    layer once."""
    long_l = open_vector(path, long_name)
    f0 = next(long_l.getFeatures())
    pt = f0.geometry().pointOnSurface().asPoint()
    rect = QgsRectangle(pt.x() - 0.01, pt.y() - 0.01, pt.x() + 0.01, pt.y() + 0.01)

    def hits(lyr):
        req = QgsFeatureRequest().setFilterRect(rect)
        return [f for f in lyr.getFeatures(req) if f.geometry().contains(QgsPointXY(pt))]

    check(len(hits(long_l)) == len(years), f"{long_name}: {len(years)} features at a point")
    total = 0
    for y in years:
        lyr = open_vector(path, f"{long_name}_{y}")
        h = hits(lyr)
        check(len(h) == 1 and h[0]["year"] == y,
              f"{long_name}_{y}: Identify finds one feature of {y} (got {len(h)})")
        n_long = sum(1 for f in long_l.getFeatures(QgsFeatureRequest().setFilterExpression(
            f'"year" = {y}')))
        check(lyr.featureCount() == n_long,
              f"{long_name}_{y}: {lyr.featureCount()} features, the long layer has {n_long}")
        total += lyr.featureCount()
    check(total == long_l.featureCount(), f"{long_name}: the years' layers cover the long layer")


def render(layer, extent, size=200):
    ms = QgsMapSettings()
    ms.setLayers([layer])
    ms.setExtent(extent)
    ms.setOutputSize(QSize(size, size))
    ms.setBackgroundColor(QColor(0, 0, 0, 0))
    img = QImage(QSize(size, size), QImage.Format_ARGB32)
    img.fill(0)
    p = QPainter(img)
    job = QgsMapRendererCustomPainterJob(ms, p)
    job.start()
    job.waitForFinished()
    p.end()
    return img, ms


DIM_BANDS = [-0.20, -0.10, -0.05, -0.02, 0.02, 0.05, 0.10, 0.20]
DEV_CUTS = [-0.20, -0.1333, -0.0666, 0.0666, 0.1333, 0.20]


def check_class_raster(path, value_tif, band_name, cuts, middle):
    """A class raster opens paletted with len(cuts) + 1 classes, the middle one `middle`
    (around 0); rendered, each cell shows the colour of the class its value (band `band_name`
    of `value_tif`) falls in on `cuts`."""
    lyr = QgsRasterLayer(path, os.path.basename(path))
    check(lyr.isValid(), f"{path} opens")
    r = lyr.renderer()
    check(r.type() == "paletted", f"{path}: paletted renderer (got {r.type()})")
    classes = r.classes()
    n = len(cuts) + 1
    check(len(classes) == n, f"{path}: {n} classes in the legend")
    legend = [c.label for c in classes]
    check(legend[n // 2].startswith(middle), f"{path}: middle class '{middle}': {legend}")
    colour = {c.value: c.color.name() for c in classes}
    ds = gdal.Open(value_tif)
    band = None
    for b in range(1, ds.RasterCount + 1):
        if ds.GetRasterBand(b).GetDescription() == band_name:
            band = ds.GetRasterBand(b)
    check(band is not None, f"{value_tif} has a band {band_name}")
    if band is None:
        return
    vals = band.ReadAsArray()
    gt = ds.GetGeoTransform()
    img, ms = render(lyr, lyr.extent(), size=max(ds.RasterXSize, ds.RasterYSize) * 4)
    mtp = ms.mapToPixel()
    n_mid = n_checked = 0
    import math
    for row in range(ds.RasterYSize):
        for col in range(ds.RasterXSize):
            v = float(vals[row, col])
            # skip nodata and values within float32 rounding of a cut
            if math.isnan(v) or min(abs(v - c) for c in cuts) < 1e-6:
                continue
            k = 1 + sum(1 for c in cuts if v >= c)  # a value on a cut in the upper class
            x = gt[0] + (col + 0.5) * gt[1]
            y = gt[3] + (row + 0.5) * gt[5]
            px = mtp.transform(QgsPointXY(x, y))
            got = QColor(img.pixel(int(px.x()), int(px.y()))).name()
            check(got == colour[k], f"{path}: cell ({row},{col}) value {v:.4f} is class {k} "
                  f"{colour[k]}, rendered {got}")
            n_checked += 1
            n_mid += k == n // 2 + 1
            if len(failures) > 20:
                return
    check(n_checked > 0, f"{path}: cells checked")
    print(f"{path}: {n_checked} cells rendered in their class colour, {n_mid} in '{middle}'")


def main():
    demo = sys.argv[1]
    area = sys.argv[2] if len(sys.argv) > 2 else None
    qgs = QgsApplication([], False)
    qgs.initQgis()
    score = os.path.join(demo, "score")
    gpkg = os.path.join(score, "scores.gpkg")
    dims = ["won", "pub", "vrz", "bev", "soc", "vei"]
    years = [2020, 2022]
    named = {"lbm": ("kscore", 9)}
    named.update({d: (f"k_{d}", 9) for d in dims})
    for base in ["grid", "buurten"]:
        for name in [base] + [f"{base}_{y}" for y in years]:
            check_layer_styles(gpkg, name, "kscore", 9, named)
        one_feature_per_point(gpkg, base, years)
    for y in years:
        for d in dims:
            check_class_raster(os.path.join(score, f"dim_{d}_{y}.tif"),
                               os.path.join(score, f"scores_{y}.tif"), d, DIM_BANDS, "gemiddeld")
        lyr = QgsRasterLayer(os.path.join(score, f"class_{y}.tif"), "class")
        check(lyr.renderer().type() == "paletted", f"class_{y}.tif paletted")
        lyr = QgsRasterLayer(os.path.join(score, f"scores_{y}.tif"), "scores")
        check(lyr.renderer().type() == "singlebandpseudocolor", f"scores_{y}.tif pseudocolour")
    geo = open_vector(os.path.join(score, "buurten.geojson"), "buurten")
    check(categories(geo)[1] == "kscore", "buurten.geojson opens with buurten.qml (kscore)")

    ch = os.path.join(demo, "change", "change.gpkg")
    cnamed = {"d_lbm": ("dk_lbm", 7), "lbm_2020": ("kscore_from", 9),
              "lbm_2022": ("kscore_to", 9)}
    cnamed.update({f"d_{d}": (f"dk_{d}", 7) for d in dims})
    check_layer_styles(ch, "change", "dk_lbm", 7, cnamed)
    cdir = os.path.join(demo, "change")
    for d in ["lbm"] + dims:
        name = "change_class_2020_2022.tif" if d == "lbm" else f"change_class_{d}_2020_2022.tif"
        check_class_raster(os.path.join(cdir, name), os.path.join(cdir, "change_2020_2022.tif"),
                           f"d_{d}", DEV_CUTS, "geen verandering")

    zones = os.path.join(demo, "waterbed", "zones.gpkg")
    units = open_vector(zones, "units")
    t, field, cats = categories(units)
    check(t == "categorizedSymbol" and field == "ring" and len(cats) >= 2,
          f"zones units open categorized on ring, got {t} {field} {len(cats)}")
    check(cats and cats[-1][0] == "beyond", "zones: the last ring category is 'beyond'")
    rings = [c[0] for c in cats]
    present = sorted({f["ring"] for f in units.getFeatures() if f["ring"]})
    check(sorted(rings) == present, f"zones: a category per ring present {present}: {rings}")
    stored = styles_of(units)
    for s in ["ring", "adj_order", "rigo"]:
        check(s in stored, f"zones units: style {s}")
    focus = open_vector(zones, "focus")
    check(focus.renderer().type() == "singleSymbol", "zones focus: one outline symbol")

    if area:
        agpkg = os.path.join(area, "scores.gpkg")
        ds = gdal.OpenEx(agpkg)
        names = [ds.GetLayer(i).GetName() for i in range(ds.GetLayerCount())]
        check(names == ["buurten", "buurten_2022", "layer_styles"],
              f"area scores.gpkg: the long layer and its year's ({names})")
        lyr = open_vector(agpkg, "buurten")
        anamed = {"lbm": ("kscore", 9)}
        anamed.update({f.name()[2:]: (f.name(), 9) for f in lyr.fields()
                       if f.name().startswith("k_")})
        check(len(anamed) > 1, f"area: dimension classes k_<code> in {lyr.fields().names()}")
        for name in names[:2]:
            check_layer_styles(agpkg, name, "kscore", 9, anamed)
        geo = open_vector(os.path.join(area, "buurten.geojson"), "buurten")
        check(categories(geo)[1] == "kscore", "area buurten.geojson opens with its .qml")
    if failures:
        print(f"{len(failures)} failure(s)")
        return 1
    print("all QGIS checks passed")
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    # QgsApplication's teardown at interpreter exit crashes headless QGIS 3.22 (SIGSEGV after
    # every check ran); leave without it
    os._exit(code)
