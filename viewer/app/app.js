/* SPDX-License-Identifier: MIT */
/* leefbaar viewer: the scores of a run on a map, opened from disk without network.
 *
 * The data come as scripts (data/meta.js, data/units.js, data/units_*.js, data/grid_*.js,
 * data/waterbed.js) that assign to globals: a page opened from file:// may load scripts but not
 * fetch files. Below META.detail.minzoom the map draws the overview of units.js (every outline
 * snapped to a coarse grid); from that zoom on the full outlines, one script per gemeente
 * (META.detail.chunks), loaded only where they meet the view. The
 * class cut-points, labels and colours are those of the run (meta.js); this file holds none.
 * Colours are a MapLibre paint expression on the units' properties ("lbm_2022", "won_2022",
 * ...), so switching the view or the year only changes that expression.
 *
 * window.lbViewer is the page's test interface (see README, "Viewer"). */
(function () {
  'use strict';

  var META = window.LB_META, UNITS = window.LB_UNITS;
  var FILL = 'units-fill', LINE = 'units-line', SELECT = 'units-select';
  var OV_FILL = 'overview-fill', OV_LINE = 'overview-line', OV_SELECT = 'overview-select';
  var DETAIL = META && META.detail;

  function $(id) { return document.getElementById(id); }

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }

  function fail(msg) {
    var box = el('div', { id: 'lb-error', role: 'alert' }, msg);
    document.querySelector('main').appendChild(box);
  }

  if (!META || !UNITS) {
    fail('De gegevens (data/meta.js, data/units.js) ontbreken in deze map.');
    return;
  }
  if (!window.maplibregl) {
    fail('De kaartbibliotheek (lib/maplibre-gl.js) ontbreekt in deze map.');
    return;
  }

  var DEC = META.decimals;

  var ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_';
  var DIGIT = {};
  for (var ai = 0; ai < ALPHABET.length; ai++) DIGIT[ALPHABET.charCodeAt(ai)] = ai;

  /* The integers of lb_viewer_put_ints' text (src/viewer/shape.c): zigzag values in 5-bit
   * groups, lowest first, bit 5 set when another group follows. */
  function decodeInts(text) {
    var out = [], v = 0, mul = 1;
    for (var i = 0; i < text.length; i++) {
      var c = DIGIT[text.charCodeAt(i)];
      if (c === undefined) throw new Error('lbViewer: bad character in the grid data');
      v += (c & 31) * mul;
      if (c & 32) { mul *= 32; continue; }
      out.push(v % 2 ? -(v + 1) / 2 : v / 2);
      v = 0;
      mul = 1;
    }
    return out;
  }

  /* A unit's outline from the text of lb_viewer_put_polygon_ints: polygons, rings, points
   * as differences of 1e-6 degree; the closing point added. x / 1e6 is the very double the
   * 6-decimal text of the same point reads as. */
  function decodeGeometry(text) {
    var d = decodeInts(text), i = 0, x = 0, y = 0, polys = [];
    for (var np = d[i++], p = 0; p < np; p++) {
      var rings = [];
      for (var nr = d[i++], r = 0; r < nr; r++) {
        var ring = [];
        for (var n = d[i++], k = 0; k < n; k++) {
          x += d[i++];
          y += d[i++];
          ring.push([x / 1e6, y / 1e6]);
        }
        ring.push(ring[0]);
        rings.push(ring);
      }
      polys.push(rings);
    }
    return polys.length === 1 ? { type: 'Polygon', coordinates: polys[0] }
                              : { type: 'MultiPolygon', coordinates: polys };
  }
  var byId = new Map();
  UNITS.features.forEach(function (f) {
    if (typeof f.o === 'string') {
      f.geometry = decodeGeometry(f.o);
      delete f.o;
    }
    byId.set(f.id, f);
  });
  var WB = window.LB_WATERBED;
  if (WB) {
    /* the zones as a view of their own: their categories, labels and colours are the waterbed
     * run's (its QGIS style "ring"), the zone of each unit a property of the unit */
    META.views.push({ code: 'zones', label: 'Waterbedzones', kind: 'zones',
                      values: WB.legend.map(function (c) { return c.value; }),
                      classes: WB.legend.map(function (c) { return { label: c.label, colour: c.colour }; }) });
    UNITS.features.forEach(function (f) {
      var z = WB.units[f.properties.code];
      if (z && z.zone) f.properties.wb_zone = z.zone;
      if (z && z.focus) f.properties.wb_focus = z.focus;
    });
  }
  var views = {};
  META.views.forEach(function (v) { views[v.code] = v; });
  var years = META.years.slice();
  var dims = META.views.filter(function (v) { return v.kind === 'dim'; });
  var units = new Map();
  UNITS.features.forEach(function (f) { units.set(f.properties.code, f); });

  var state = {
    view: 'lbm',
    year: years[years.length - 1],
    from: years[0],
    selected: null,
    grid: false,
    cell: null,
    zones: false
  };

  /* ---- numbers ------------------------------------------------------------------------ */

  /* x with d decimals, rounded as C's printf("%.*f") and Python's '%.*f' do: to the nearest,
   * ties (an exactly representable ...5) to even. Number.toFixed rounds ties up. */
  function fixed(x, d) {
    var s = x.toFixed(d), long = Math.abs(x).toFixed(Math.min(100, d + 40));
    if (/^50*$/.test(long.slice(long.indexOf('.') + 1 + d))) {
      /* an exact tie: toFixed went away from zero; when that digit is odd, the even one is
       * one unit towards zero */
      var neg = s[0] === '-', digits = (neg ? s.slice(1) : s).replace('.', '');
      if (Number(digits[digits.length - 1]) % 2 === 1) {
        var t = (BigInt(digits) - 1n).toString().padStart(d + 1, '0');
        s = (neg ? '-' : '') + (d ? t.slice(0, t.length - d) + '.' + t.slice(t.length - d) : t);
      }
    }
    return s;
  }

  /* The shown text: the machine value with a decimal comma. */
  function dutch(s) { return s.replace('.', ','); }

  /* ---- the paint expression ----------------------------------------------------------- */

  function key(code, year) { return code + '_' + year; }

  /* [has, value] expressions of the view in the year shown. */
  function valueExpr(view) {
    if (view.kind === 'change') {
      var a = key('lbm', state.from), b = key('lbm', state.year);
      return [['all', ['has', a], ['has', b]], ['-', ['get', b], ['get', a]]];
    }
    var k = key(view.code, state.year);
    return [['has', k], ['get', k]];
  }

  /* step: a value equal to a cut-point is in the upper class, as the run's classes. */
  function colourExpr(view) {
    if (view.kind === 'zones') {
      var m = ['match', ['get', 'wb_zone']];
      view.values.forEach(function (v, i) { m.push(v, view.classes[i].colour); });
      m.push(META.nodata.colour);
      return ['case', ['has', 'wb_zone'], m, META.nodata.colour];
    }
    var ve = valueExpr(view), step = ['step', ve[1], view.classes[0].colour];
    view.cuts.forEach(function (c, i) { step.push(c, view.classes[i + 1].colour); });
    return ['case', ve[0], step, META.nodata.colour];
  }

  /* Evaluate the subset of the expression language colourExpr() uses on a feature's
   * properties: what the map draws for that feature. */
  function evaluate(e, props) {
    if (!Array.isArray(e)) return e;
    switch (e[0]) {
      case 'case':
        for (var i = 1; i + 1 < e.length; i += 2)
          if (evaluate(e[i], props)) return evaluate(e[i + 1], props);
        return evaluate(e[e.length - 1], props);
      case 'all':
        return e.slice(1).every(function (x) { return evaluate(x, props); });
      case 'has':
        return Object.prototype.hasOwnProperty.call(props, e[1]) && props[e[1]] !== null;
      case 'get':
        return props[e[1]];
      case 'match': {
        var x = evaluate(e[1], props);
        for (var q = 2; q + 1 < e.length; q += 2)
          if (x === e[q]) return e[q + 1];
        return e[e.length - 1];
      }
      case '-':
        return evaluate(e[1], props) - evaluate(e[2], props);
      case 'step': {
        var v = evaluate(e[1], props), out = e[2];
        for (var j = 3; j + 1 < e.length; j += 2)
          if (v >= e[j]) out = e[j + 1];
        return out;
      }
      default:
        throw new Error('lbViewer: expression ' + e[0] + ' not evaluated');
    }
  }

  /* Class index (0-based) of value v on the view's cut-points. */
  function classOf(view, v) {
    var k = 0;
    view.cuts.forEach(function (c, i) { if (v >= c) k = i + 1; });
    return k;
  }

  /* ---- controls ----------------------------------------------------------------------- */

  function fillSelect(sel, items) {
    sel.textContent = '';
    items.forEach(function (it) { sel.appendChild(el('option', { value: it[0] }, it[1])); });
  }

  function viewLabel(v) { return v.code === 'lbm' || v.kind !== 'dim' ? v.label : 'Dimensie: ' + v.label; }

  function setupControls() {
    document.title = META.title;
    $('lb-title').textContent = META.title;
    fillSelect($('lb-view'), META.views.map(function (v) { return [v.code, viewLabel(v)]; }));
    fillSelect($('lb-year'), years.map(function (y) { return [String(y), String(y)]; }));
    $('lb-view').value = state.view;
    $('lb-year').value = String(state.year);
    $('lb-view').addEventListener('change', function () { api.setView(this.value); });
    $('lb-year').addEventListener('change', function () { api.setYear(Number(this.value)); });
    $('lb-from').addEventListener('change', function () {
      state.from = Number(this.value);
      restyle();
    });
    var names = $('lb-names');
    units.forEach(function (f, code) {
      var n = f.properties.name;
      names.appendChild(el('option', { value: n ? n + ' (' + code + ')' : code }));
    });
    $('lb-search-form').addEventListener('submit', function (ev) {
      ev.preventDefault();
      search($('lb-search').value);
    });
    if (META.grids.length) {
      $('lb-grid-label').hidden = false;
      $('lb-grid').addEventListener('change', function () {
        state.grid = this.checked;
        updateGrid();
      });
    }
  }

  /* The "vanaf" year of the development: years before the year shown. */
  function updateFrom() {
    var show = state.view === 'change';
    $('lb-from-label').hidden = !show;
    var earlier = years.filter(function (y) { return y < state.year; });
    if (earlier.indexOf(state.from) < 0) state.from = earlier.length ? earlier[0] : years[0];
    fillSelect($('lb-from'), earlier.map(function (y) { return [String(y), String(y)]; }));
    $('lb-from').value = String(state.from);
  }

  function legend() {
    var v = views[state.view], box = $('lb-legend');
    box.textContent = '';
    var title = v.kind === 'change' ? v.label + ' ' + state.from + '\u2013' + state.year
              : v.kind === 'zones' ? v.label + (WB.period ? ' ' + WB.period : '')
              : viewLabel(v) + ' ' + state.year;
    box.appendChild(el('h2', null, title));
    if (v.kind === 'change' && state.from >= state.year)
      box.appendChild(el('p', { 'class': 'lb-sub' }, 'Kies een later jaar om de ontwikkeling te zien.'));
    if (v.kind === 'dim')
      box.appendChild(el('p', { 'class': 'lb-sub' }, 'afwijking van de referentie'));
    var ul = el('ul');
    (v.kind === 'zones' ? v.classes.slice() : v.classes.slice().reverse()).forEach(function (c) {
      var li = el('li', { 'data-colour': c.colour });
      var sw = el('span', { 'class': 'lb-swatch' });
      sw.style.background = c.colour;
      li.appendChild(sw);
      li.appendChild(el('span', null, c.label));
      ul.appendChild(li);
    });
    var nd = el('li', { 'data-colour': META.nodata.colour }), ns = el('span', { 'class': 'lb-swatch' });
    ns.style.background = META.nodata.colour;
    nd.appendChild(ns);
    nd.appendChild(el('span', null, META.nodata.label));
    ul.appendChild(nd);
    box.appendChild(ul);
  }

  /* ---- the map ------------------------------------------------------------------------ */

  /* index.html#ZOOM/LAT/LON opens the map there instead of on all units. */
  var start = /^#(\d+(?:\.\d+)?)\/(-?\d+(?:\.\d+)?)\/(-?\d+(?:\.\d+)?)$/.exec(location.hash || '');
  if (start) start = [Number(start[1]), Number(start[2]), Number(start[3])];

  var map = new maplibregl.Map({
    container: 'lb-map',
    style: {
      version: 8,
      sources: {},
      layers: [{ id: 'background', type: 'background', paint: { 'background-color': '#f7f7f5' } }]
    },
    bounds: start ? undefined : META.bounds.length === 4 ? [[META.bounds[0], META.bounds[1]], [META.bounds[2], META.bounds[3]]] : undefined,
    center: start ? [start[2], start[1]] : undefined,
    zoom: start ? start[0] : undefined,
    fitBoundsOptions: { padding: 30 },
    attributionControl: false,
    dragRotate: false,
    pitchWithRotate: false
  });
  map.touchZoomRotate.disableRotation();
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-left');
  map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-right');
  map.addControl(new maplibregl.AttributionControl({
    compact: true,
    customAttribution: META.tool + ' \u00b7 MapLibre GL JS'
  }));

  /* A promise resolved when the map has drawn everything it was asked to. */
  function idle() {
    return detailBusy.then(mapIdle, mapIdle);
  }

  function mapIdle() {
    return new Promise(function (resolve) {
      if (map.loaded() && !map.isMoving() && map.areTilesLoaded()) {
        map.once('idle', function () { resolve(); });
        map.triggerRepaint();
      } else {
        map.once('idle', function () { resolve(); });
      }
    });
  }

  function restyle() {
    updateFrom();
    var v = views[state.view];
    map.setPaintProperty(FILL, 'fill-color', colourExpr(v));
    map.setPaintProperty(OV_FILL, 'fill-color', colourExpr(v));
    legend();
    if (state.selected) showInfo(state.selected);
    updateGrid().then(function () {
      if (!state.cell) return;
      var f = gridCell(state.cell);
      selectCell(f ? f.properties : null);
    });
  }

  /* ---- the info panel ----------------------------------------------------------------- */

  /* The row "Klasse": the swatch and label of the lbm class of @p lbm (or the no-data label). */
  function classRow(t, lbm) {
    var lbmView = views.lbm;
    var cls = el('tr');
    cls.appendChild(el('th', null, 'Klasse'));
    var ctd = el('td');
    if (isFinite(lbm)) {
      var c = lbmView.classes[classOf(lbmView, lbm)];
      var sw = el('span', { 'class': 'lb-swatch' });
      sw.style.background = c.colour;
      ctd.appendChild(sw);
      ctd.appendChild(document.createTextNode(' '));
      ctd.appendChild(el('span', { 'data-field': 'class' }, c.label));
    } else {
      ctd.appendChild(el('span', { 'data-field': 'class' }, META.nodata.label));
    }
    cls.appendChild(ctd);
    t.appendChild(cls);
  }

  function row(table, label, field, value, extra) {
    var tr = el('tr');
    tr.appendChild(el('th', null, label));
    var td = el('td', { 'class': 'num' });
    if (value === null || value === undefined || !isFinite(value)) {
      td.appendChild(el('span', { 'data-field': field, 'data-value': '' }, '\u2013'));
    } else {
      var s = fixed(value, DEC);
      td.appendChild(el('span', { 'data-field': field, 'data-value': s }, dutch(s)));
    }
    tr.appendChild(td);
    if (extra) tr.appendChild(extra);
    table.appendChild(tr);
    return tr;
  }

  /* The bar of a dimension score: the unit's value from the reference (0, the line) and the
   * gemeente's mean (the blue mark), on a scale of the largest absolute value shown. */
  function bar(v, gm, scale, colour) {
    var td = el('td'), b = el('div', { 'class': 'lb-bar' });
    function pos(x) { return 50 + 50 * Math.max(-1, Math.min(1, x / scale)); }
    var z = el('div', { 'class': 'lb-zero' });
    z.style.left = '50%';
    b.appendChild(z);
    if (isFinite(v)) {
      var f = el('div', { 'class': 'lb-fill' }), a = pos(0), c = pos(v);
      f.style.left = Math.min(a, c) + '%';
      f.style.width = Math.abs(c - a) + '%';
      f.style.background = colour;
      b.appendChild(f);
    }
    if (isFinite(gm)) {
      var g = el('div', { 'class': 'lb-gm', title: 'gemeente' });
      g.style.left = pos(gm) + '%';
      b.appendChild(g);
    }
    td.appendChild(b);
    return td;
  }

  function num(p, k) {
    var v = p[k];
    return v === undefined || v === null ? NaN : v;
  }

  function showInfo(code) {
    var f = units.get(code), box = $('lb-info');
    if (!f) return;
    var p = f.properties, y = state.year, lbmView = views.lbm;
    var gmMeans = (META.gemeenten[p.gm || ''] || META.gemeenten[''] || {})[String(y)] || {};
    box.textContent = '';
    box.hidden = false;
    var close = el('button', { 'class': 'lb-close', type: 'button', 'aria-label': 'Sluiten' }, '\u00d7');
    close.addEventListener('click', function () { select(null); });
    box.appendChild(close);
    var h = el('h2');
    h.appendChild(el('span', { 'data-field': 'name' }, p.name || p.code));
    box.appendChild(h);
    var sub = el('div', { 'class': 'lb-sub' });
    sub.appendChild(el('span', { 'data-field': 'code' }, p.code));
    if (p.gm) {
      sub.appendChild(document.createTextNode(' \u00b7 gemeente '));
      sub.appendChild(el('span', { 'data-field': 'gemeente' }, p.gm));
    }
    sub.appendChild(document.createTextNode(' \u00b7 '));
    sub.appendChild(el('span', { 'data-field': 'year' }, String(y)));
    box.appendChild(sub);

    var t = el('table'), lbm = num(p, key('lbm', y));
    row(t, 'Leefbaarometer', 'lbm', lbm);
    classRow(t, lbm);
    row(t, 'gemiddelde gemeente', 'gm:lbm', gmMeans.lbm);
    row(t, 'referentie', 'ref', META.ref);
    box.appendChild(t);

    if (dims.length) {
      box.appendChild(el('h3', null, 'Dimensies (afwijking van de referentie)'));
      var scale = 0.05;
      dims.forEach(function (d) {
        scale = Math.max(scale, Math.abs(num(p, key(d.code, y))) || 0, Math.abs(gmMeans[d.code]) || 0);
      });
      var dt = el('table');
      dims.forEach(function (d) {
        var v = num(p, key(d.code, y));
        var colour = isFinite(v) ? d.classes[classOf(d, v)].colour : META.nodata.colour;
        var tr = row(dt, d.label, 'dim:' + d.code, v, bar(v, gmMeans[d.code], scale, colour));
        tr.setAttribute('title', 'gemeente: ' + (isFinite(gmMeans[d.code]) ? dutch(fixed(gmMeans[d.code], DEC)) : '\u2013'));
        var hidden = el('span', { 'data-field': 'gm:' + d.code, hidden: '' });
        if (isFinite(gmMeans[d.code])) hidden.setAttribute('data-value', fixed(gmMeans[d.code], DEC));
        tr.lastChild.appendChild(hidden);
      });
      box.appendChild(dt);
      var k = el('div', { 'class': 'lb-key' });
      k.appendChild(el('b'));
      k.appendChild(document.createTextNode(' referentie  '));
      k.appendChild(el('i'));
      k.appendChild(document.createTextNode(' gemiddelde gemeente'));
      box.appendChild(k);
    }

    if (years.length > 1) {
      box.appendChild(el('h3', null, 'Ontwikkeling'));
      var ot = el('table');
      years.forEach(function (yy) { row(ot, 'Leefbaarometer ' + yy, 'lbm:' + yy, num(p, key('lbm', yy))); });
      var from = state.from < y ? state.from : years[0], to = state.from < y ? y : years[years.length - 1];
      var a = num(p, key('lbm', from)), b = num(p, key('lbm', to));
      var delta = isFinite(a) && isFinite(b) ? b - a : NaN;
      row(ot, 'verschil ' + from + '\u2013' + to, 'change', delta);
      if (views.change) {
        var ctr = el('tr');
        ctr.appendChild(el('th', null, 'ontwikkeling'));
        var c2 = el('td');
        if (isFinite(delta)) {
          var cc = views.change.classes[classOf(views.change, delta)];
          var sw2 = el('span', { 'class': 'lb-swatch' });
          sw2.style.background = cc.colour;
          c2.appendChild(sw2);
          c2.appendChild(document.createTextNode(' '));
          c2.appendChild(el('span', { 'data-field': 'change-class' }, cc.label));
        } else {
          c2.appendChild(el('span', { 'data-field': 'change-class' }, META.nodata.label));
        }
        ctr.appendChild(c2);
        ot.appendChild(ctr);
      }
      box.appendChild(ot);
    }

    var diag = META.diagnoses[p.code] || (p.wk && META.diagnoses[p.wk]);
    if (diag) {
      var para = el('p');
      var a2 = el('a', { href: diag, 'data-field': 'diagnosis', target: '_blank', rel: 'noopener' },
                  'Diagnose van ' + (META.diagnoses[p.code] ? p.code : 'wijk ' + p.wk));
      para.appendChild(a2);
      box.appendChild(para);
    }
    if (WB) waterbedInfo(box, p);
  }

  function select(code) {
    state.selected = code && units.has(code) ? code : null;
    state.cell = null;
    if (map.getLayer('grid-select')) map.setFilter('grid-select', ['==', ['get', 'cell'], '']);
    map.setFilter(SELECT, ['==', ['get', 'code'], state.selected || '']);
    map.setFilter(OV_SELECT, ['==', ['get', 'code'], state.selected || '']);
    if (state.selected) showInfo(state.selected);
    else $('lb-info').hidden = true;
  }

  /* ---- search ------------------------------------------------------------------------- */

  function find(q) {
    q = (q || '').trim();
    if (!q) return null;
    var m = /\(([^()]+)\)\s*$/.exec(q);
    if (m && units.has(m[1])) return m[1];
    if (units.has(q)) return q;
    var lq = q.toLowerCase(), exact = null, part = null;
    units.forEach(function (f, code) {
      var n = (f.properties.name || '').toLowerCase();
      if (!exact && (n === lq || code.toLowerCase() === lq)) exact = code;
      if (!part && (n.indexOf(lq) >= 0 || code.toLowerCase().indexOf(lq) >= 0)) part = code;
    });
    return exact || part;
  }

  function bbox(f) {
    var b = [Infinity, Infinity, -Infinity, -Infinity];
    var polys = f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates;
    polys.forEach(function (poly) {
      poly[0].forEach(function (pt) {
        b[0] = Math.min(b[0], pt[0]); b[1] = Math.min(b[1], pt[1]);
        b[2] = Math.max(b[2], pt[0]); b[3] = Math.max(b[3], pt[1]);
      });
    });
    return [[b[0], b[1]], [b[2], b[3]]];
  }

  /* Jump to a unit with its full outline drawn: its chunk loaded first, the map no further out
   * than the zoom of the full outlines. */
  function zoomTo(code) {
    var f = units.get(code);
    if (!f) return Promise.resolve(false);
    return detailLoad(f.k).then(function () {
      var full = detailById.get(f.id) || f;
      var cam = map.cameraForBounds(bbox(full), { padding: 80, maxZoom: 15 });
      if (DETAIL && cam.zoom < DETAIL.minzoom) cam.zoom = DETAIL.minzoom;
      map.jumpTo(cam);
      return idle();
    }).then(function () { return true; });
  }

  function search(q) {
    var code = find(q);
    $('lb-search-msg').textContent = code ? '' : 'Niet gevonden: ' + q;
    if (!code) return Promise.resolve(null);
    select(code);
    return zoomTo(code).then(function () { return code; });
  }

  /* ---- the 100 m grid ----------------------------------------------------------------- */

  var loaded = {};

  function loadScript(src) {
    if (loaded[src]) return loaded[src];
    loaded[src] = new Promise(function (resolve, reject) {
      var s = el('script', { src: src });
      s.onload = function () { resolve(); };
      s.onerror = function () { reject(new Error('kan ' + src + ' niet laden')); };
      document.body.appendChild(s);
    });
    return loaded[src];
  }

  /* ---- the full outlines ---------------------------------------------------------------- */

  /* From DETAIL.minzoom on the units are drawn with their full outlines: the chunks (one
   * script per gemeente) whose box meets the view are loaded and put in the source "units";
   * below that zoom the overview (source "overview") is drawn and no chunk is loaded. */
  var detailFeatures = {}; /* chunk index -> features, decoded once */
  var detailById = new Map();
  var detailShown = [];    /* the chunk indices in the source now */
  var detailBusy = Promise.resolve();

  /* The features of chunk c: the full outlines with the very properties of the overview's
   * features, so that colours, clicks and the panel are the same in both. */
  function detailDecode(c) {
    if (detailFeatures[c]) return detailFeatures[c];
    var ch = DETAIL.chunks[c], data = window.LB_DETAIL && window.LB_DETAIL[ch.key];
    if (!data) return null;
    if (data.ids.length !== data.g.length || data.ids.length !== ch.units)
      throw new Error('lbViewer: ' + ch.file + ' has ' + data.g.length + ' outlines, not ' + ch.units);
    var feats = data.ids.map(function (id, i) {
      var o = byId.get(id);
      if (!o) throw new Error('lbViewer: ' + ch.file + ': no unit ' + id + ' in units.js');
      var f = { type: 'Feature', id: id, properties: o.properties, geometry: decodeGeometry(data.g[i]) };
      detailById.set(id, f);
      return f;
    });
    detailFeatures[c] = feats;
    return feats;
  }

  function detailLoad(c) {
    if (!DETAIL || c === undefined || c === null || !DETAIL.chunks[c]) return Promise.resolve();
    return loadScript(DETAIL.chunks[c].file).then(function () { detailDecode(c); });
  }

  /* The chunks whose box meets the view. */
  function detailWanted() {
    var b = map.getBounds(), w = b.getWest(), s = b.getSouth(), e = b.getEast(), n = b.getNorth(), out = [];
    DETAIL.chunks.forEach(function (c, i) {
      if (c.bbox[0] <= e && c.bbox[2] >= w && c.bbox[1] <= n && c.bbox[3] >= s) out.push(i);
    });
    return out;
  }

  function updateDetail() {
    if (!DETAIL) return Promise.resolve();
    detailBusy = detailBusy.then(detailStep, detailStep);
    return detailBusy;
  }

  function detailStep() {
    if (map.getZoom() < DETAIL.minzoom) return Promise.resolve();
    var want = detailWanted();
    return Promise.all(want.map(detailLoad)).then(function () {
      if (want.join(' ') === detailShown.join(' ')) return;
      sourceSwap('units', detailShown, want, function (c) { return detailFeatures[c]; });
      detailShown = want;
    });
  }

  /* Put the chunks @p want in the GeoJSON source @p id where the chunks @p shown are now: only
   * the features of the chunks that come or go are sent to the map's worker (updateData), which
   * re-tiles only the tiles they meet. A setData of every chunk in view sent all of them again
   * at each move, cloned on the main thread and tiled anew in the worker. */
  function sourceSwap(id, shown, want, features) {
    var add = [], remove = [];
    want.forEach(function (c) {
      if (shown.indexOf(c) < 0) Array.prototype.push.apply(add, features(c) || []);
    });
    shown.forEach(function (c) {
      if (want.indexOf(c) < 0) (features(c) || []).forEach(function (f) { remove.push(f.id); });
    });
    if (add.length || remove.length) map.getSource(id).updateData({ add: add, remove: remove });
  }

  /* The grid is drawn from this zoom on (a gemeente fills the map), and only the chunks
   * (one script per gemeente and year, META.grids) whose cells meet the view are loaded: a
   * national run's 449,000 cells are never loaded whole. */
  var GRID_MINZOOM = 11;
  var GRID_CHUNK_IDS = 1048576;
  var gridFeatures = {}; /* chunk key -> GeoJSON features, decoded once */
  var gridShown = [];    /* the chunk keys in the grid source now */

  function chunkKey(g) { return g.gemeente + '_' + g.year; }

  /* The cells of chunk g as GeoJSON features: a polygon of the 4 corners (1e-6 degree, as
   * written), properties as the units' ("lbm_2022", ...) so that one paint expression colours
   * both, with the cell id and gemeente. */
  function gridDecode(g) {
    var k = chunkKey(g);
    if (gridFeatures[k]) return gridFeatures[k];
    var c = window.LB_GRID && window.LB_GRID[k];
    if (!c) return null;
    var d = decodeInts(c.corners), x = 0, y = 0, feats = [], codes = Object.keys(c.values);
    /* ids unique over all chunks: the grid source gets and loses whole chunks by id */
    var base = META.grids.indexOf(g) * GRID_CHUNK_IDS;
    if (c.n >= GRID_CHUNK_IDS) throw new Error('lbViewer: ' + g.file + ' has more than ' + GRID_CHUNK_IDS + ' cells');
    if (d.length !== 8 * c.n) throw new Error('lbViewer: ' + g.file + ' has ' + d.length / 8 + ' cells, not ' + c.n);
    for (var i = 0; i < c.n; i++) {
      var ring = [];
      for (var j = 0; j < 4; j++) {
        x += d[8 * i + 2 * j];
        y += d[8 * i + 2 * j + 1];
        ring.push([x / 1e6, y / 1e6]);
      }
      ring.push(ring[0]);
      var props = { cell: c.cell[i], gm: /^geen_/.test(c.gemeente) ? 'geen' : c.gemeente, cx: (ring[0][0] + ring[2][0]) / 2, cy: (ring[0][1] + ring[2][1]) / 2 };
      codes.forEach(function (code) {
        var v = c.values[code][i];
        if (v !== null && v !== undefined) props[key(code, c.year)] = v;
      });
      feats.push({ type: 'Feature', id: base + i, properties: props, geometry: { type: 'Polygon', coordinates: [ring] } });
    }
    gridFeatures[k] = feats;
    return feats;
  }

  /* The chunks of the year shown whose cells meet the view. */
  function gridWanted() {
    var b = map.getBounds(), w = b.getWest(), s = b.getSouth(), e = b.getEast(), n = b.getNorth();
    return META.grids.filter(function (g) {
      return g.year === state.year && g.bbox && g.bbox[0] <= e && g.bbox[2] >= w && g.bbox[1] <= n && g.bbox[3] >= s;
    });
  }

  function gridHide() {
    if (map.getLayer('grid-fill')) map.setLayoutProperty('grid-fill', 'visibility', 'none');
    map.setPaintProperty(FILL, 'fill-opacity', 0.85);
    $('lb-grid-msg').textContent = state.grid && META.grids.length ? 'zoom in voor het raster' : '';
  }

  var gridBusy = Promise.resolve();

  function updateGrid() {
    if (!META.grids.length) return Promise.resolve();
    gridBusy = gridBusy.then(gridStep, gridStep);
    return gridBusy;
  }

  function gridStep() {
    var v = views[state.view];
    if (!state.grid || v.kind === 'change' || v.kind === 'zones' || map.getZoom() < GRID_MINZOOM) {
      gridHide();
      return Promise.resolve();
    }
    var want = gridWanted();
    return Promise.all(want.map(function (g) { return loadScript(g.file); })).then(function () {
      var keys = want.map(chunkKey), cells = 0;
      want.forEach(function (g) { cells += (gridDecode(g) || []).length; });
      if (!map.getSource('grid')) {
        map.addSource('grid', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
        map.addLayer({ id: 'grid-fill', type: 'fill', source: 'grid',
                       paint: { 'fill-color': colourExpr(v), 'fill-opacity': 0.9 } }, LINE);
        map.addLayer({ id: 'grid-select', type: 'line', source: 'grid', filter: ['==', ['get', 'cell'], ''],
                       paint: { 'line-color': '#000', 'line-width': 2 } });
      }
      if (keys.join(' ') !== gridShown.join(' '))
        sourceSwap('grid', gridShown, keys, function (k) { return gridFeatures[k]; });
      gridShown = keys;
      map.setPaintProperty('grid-fill', 'fill-color', colourExpr(v));
      map.setLayoutProperty('grid-fill', 'visibility', 'visible');
      map.setPaintProperty(FILL, 'fill-opacity', 0.15);
      $('lb-grid-msg').textContent = cells ? '' : 'geen raster hier';
    });
  }

  /* The info panel of a cell: its id, gemeente and values in the year shown, with the class
   * of its lbm (the class GeoTIFF's) and its dimension scores. */
  function showCell(p) {
    var box = $('lb-info'), y = state.year, lbmView = views.lbm;
    box.textContent = '';
    box.hidden = false;
    var close = el('button', { 'class': 'lb-close', type: 'button', 'aria-label': 'Sluiten' }, '\u00d7');
    close.addEventListener('click', function () { selectCell(null); });
    box.appendChild(close);
    var h = el('h2');
    h.appendChild(document.createTextNode('Rastercel '));
    h.appendChild(el('span', { 'data-field': 'cell' }, p.cell || '\u2013'));
    box.appendChild(h);
    var sub = el('div', { 'class': 'lb-sub' });
    sub.appendChild(document.createTextNode('100 m \u00b7 gemeente '));
    sub.appendChild(el('span', { 'data-field': 'gemeente' }, p.gm));
    sub.appendChild(document.createTextNode(' \u00b7 '));
    sub.appendChild(el('span', { 'data-field': 'year' }, String(y)));
    box.appendChild(sub);
    var t = el('table'), lbm = num(p, key('lbm', y));
    row(t, 'Leefbaarometer', 'lbm', lbm);
    classRow(t, lbm);
    row(t, 'afwijking', 'afw', num(p, key('afw', y)));
    dims.forEach(function (d) { row(t, d.label, 'dim:' + d.code, num(p, key(d.code, y))); });
    box.appendChild(t);
  }

  function selectCell(p) {
    state.cell = p ? p.cell : null;
    if (map.getLayer('grid-select')) map.setFilter('grid-select', ['==', ['get', 'cell'], state.cell || '']);
    if (p) {
      state.selected = null;
      map.setFilter(SELECT, ['==', ['get', 'code'], '']);
      map.setFilter(OV_SELECT, ['==', ['get', 'code'], '']);
      showCell(p);
    } else {
      $('lb-info').hidden = true;
    }
  }

  /* A drawn cell's properties by its id, from the chunks shown. */
  function gridCell(id) {
    for (var i = 0; i < gridShown.length; i++) {
      var f = (gridFeatures[gridShown[i]] || []).filter(function (x) { return x.properties.cell === id; })[0];
      if (f) return f;
    }
    return null;
  }

  /* ---- waterbed zones (data/waterbed.js) ---------------------------------------------- */

  function zoneLabel(z) {
    var i = views.zones ? views.zones.values.indexOf(z) : -1;
    return i >= 0 ? views.zones.classes[i].label : z;
  }

  /* The unit's zone and its focus area's difference-in-differences per zone (lbm, the main
   * period) with the placebo p-values, as the waterbed run's waterbed.csv has them. */
  function waterbedInfo(box, p) {
    if (!p.wb_zone && !p.wb_focus) return;
    box.appendChild(el('h3', null, 'Waterbed'));
    var para = el('p', { 'class': 'lb-sub' });
    para.appendChild(document.createTextNode('zone: '));
    para.appendChild(el('span', { 'data-field': 'wb:zone' }, p.wb_zone ? zoneLabel(p.wb_zone) : '\u2013'));
    box.appendChild(para);
    var fa = p.wb_focus && WB.results[p.wb_focus];
    if (!fa) return;
    var head = el('p');
    head.appendChild(document.createTextNode('Focusgebied '));
    head.appendChild(el('span', { 'data-field': 'wb:focus' }, p.wb_focus));
    if (fa.name) head.appendChild(document.createTextNode(' (' + fa.name + ')'));
    if (fa.period) head.appendChild(document.createTextNode(', ' + fa.period));
    box.appendChild(head);
    var t = el('table'), hr = el('tr');
    ['zone', 'n', 'DiD', 'p (verdringing)', 'p (tweezijdig)'].forEach(function (h) { hr.appendChild(el('th', null, h)); });
    t.appendChild(hr);
    fa.rows.forEach(function (r) {
      var tr = el('tr');
      tr.appendChild(el('td', null, r.scheme === 'ring' ? zoneLabel(r.zone) : r.zone));
      tr.appendChild(el('td', { 'class': 'num' }, r.n === null ? '\u2013' : String(r.n)));
      [['did', r.did], ['p', r.p_one], ['p2', r.p_two]].forEach(function (c) {
        var td = el('td', { 'class': 'num' });
        var s = c[1] === null || c[1] === undefined ? null : fixed(c[1], DEC);
        td.appendChild(el('span', { 'data-field': 'wb:' + c[0] + ':' + r.zone, 'data-value': s || '' },
                          s === null ? '\u2013' : dutch(s)));
        tr.appendChild(td);
      });
      t.appendChild(tr);
    });
    box.appendChild(t);
  }

  /* ---- start -------------------------------------------------------------------------- */

  var readyResolve, readyReject;
  var ready = new Promise(function (res, rej) { readyResolve = res; readyReject = rej; });

  var api = {
    ready: ready,
    years: years,
    views: META.views.map(function (v) { return v.code; }),
    map: map,
    setYear: function (y) {
      y = Number(y);
      if (years.indexOf(y) < 0) throw new Error('lbViewer.setYear: no year ' + y + ' (years: ' + years.join(', ') + ')');
      state.year = y;
      $('lb-year').value = String(y);
      restyle();
      return idle();
    },
    setView: function (code) {
      if (!views[code]) throw new Error('lbViewer.setView: no view ' + code + ' (views: ' + api.views.join(', ') + ')');
      state.view = code;
      $('lb-view').value = code;
      restyle();
      return idle();
    },
    setFrom: function (y) {
      state.from = Number(y);
      restyle();
      return idle();
    },
    year: function () { return state.year; },
    view: function () { return state.view; },
    from: function () { return state.from; },
    screenPoint: function (code) {
      var f = units.get(code);
      if (!f) return null;
      var pt = map.project([f.properties.lx, f.properties.ly]), r = map.getContainer().getBoundingClientRect();
      return [r.left + pt.x, r.top + pt.y];
    },
    /* the colour drawn at the unit's point, by the layer drawn at this zoom (the overview's
     * or the full outlines') */
    renderedColour: function (code) {
      var f = units.get(code);
      if (!f) return null;
      var layer = api.drawnLayer(), pt = map.project([f.properties.lx, f.properties.ly]);
      var hits = map.queryRenderedFeatures(pt, { layers: [layer] }).filter(function (h) {
        return h.properties.code === code;
      });
      if (!hits.length) return null;
      return String(evaluate(map.getPaintProperty(layer, 'fill-color'), hits[0].properties)).toLowerCase();
    },
    /* the units' fill layer drawn at this zoom, the chunk scripts of full outlines loaded and
     * the chunks drawn (their keys) */
    drawnLayer: function () { return DETAIL && map.getZoom() < DETAIL.minzoom ? OV_FILL : FILL; },
    detailMinZoom: DETAIL ? DETAIL.minzoom : 0,
    detailLoaded: function () { return Object.keys(loaded).filter(function (f) { return /units_/.test(f); }); },
    detailShown: function () { return detailShown.map(function (c) { return DETAIL.chunks[c].key; }); },
    /* the points of a unit's outline as drawn now (overview or full), for comparisons */
    outlinePoints: function (code, which) {
      var f = units.get(code);
      if (!f) return null;
      var g = which === 'overview' ? f : detailById.get(f.id);
      if (!g) return null;
      var polys = g.geometry.type === 'Polygon' ? [g.geometry.coordinates] : g.geometry.coordinates, n = 0;
      polys.forEach(function (p) { p.forEach(function (r) { n += r.length - 1; }); });
      return n;
    },
    selected: function () { return state.selected; },
    /* the 100 m grid: switch it on or off (resolves when drawn), the chunk scripts loaded,
     * the cells drawn, a cell's screen point and drawn colour */
    setGrid: function (on) {
      state.grid = !!on;
      $('lb-grid').checked = state.grid;
      return updateGrid().then(idle);
    },
    gridLoaded: function () { return Object.keys(loaded).filter(function (f) { return /grid_/.test(f); }); },
    gridShown: function () { return gridShown.slice(); },
    cellPoint: function (id) {
      var f = gridCell(id);
      if (!f) return null;
      var pt = map.project([f.properties.cx, f.properties.cy]), r = map.getContainer().getBoundingClientRect();
      return [r.left + pt.x, r.top + pt.y];
    },
    renderedCellColour: function (id) {
      var f = gridCell(id);
      if (!f) return null;
      var hits = map.queryRenderedFeatures(map.project([f.properties.cx, f.properties.cy]), { layers: ['grid-fill'] })
        .filter(function (h) { return h.properties.cell === id; });
      if (!hits.length) return null;
      return String(evaluate(map.getPaintProperty('grid-fill', 'fill-color'), hits[0].properties)).toLowerCase();
    },
    cell: function () { return state.cell; },
    select: function (code) { select(code); return state.selected; },
    zoomTo: zoomTo,
    search: search
  };
  window.lbViewer = api;

  setupControls();
  updateFrom();
  legend();

  map.on('error', function (e) {
    if (window.console) console.error('lbViewer:', e && e.error ? e.error.message : e);
  });
  map.on('load', function () {
    try {
      var minz = DETAIL ? DETAIL.minzoom : 0;
      map.addSource('overview', { type: 'geojson', data: UNITS });
      map.addSource('units', { type: 'geojson', data: DETAIL ? { type: 'FeatureCollection', features: [] } : UNITS });
      var fillPaint = function () { return { 'fill-color': colourExpr(views[state.view]), 'fill-opacity': 0.85 }; };
      var linePaint = { 'line-color': '#555', 'line-width': 0.6, 'line-opacity': 0.7 };
      var selPaint = { 'line-color': '#000', 'line-width': 3 };
      var none = ['==', ['get', 'code'], ''];
      map.addLayer({ id: OV_FILL, type: 'fill', source: 'overview', maxzoom: minz || 24, paint: fillPaint() });
      map.addLayer({ id: OV_LINE, type: 'line', source: 'overview', maxzoom: minz || 24, paint: linePaint });
      map.addLayer({ id: OV_SELECT, type: 'line', source: 'overview', maxzoom: minz || 24, filter: none, paint: selPaint });
      map.addLayer({ id: FILL, type: 'fill', source: 'units', minzoom: minz, paint: fillPaint() });
      map.addLayer({ id: LINE, type: 'line', source: 'units', minzoom: minz, paint: linePaint });
      map.addLayer({ id: SELECT, type: 'line', source: 'units', minzoom: minz, filter: none, paint: selPaint });
      if (window.LB_WATERBED_FOCUS) {
        map.addSource('focus', { type: 'geojson', data: window.LB_WATERBED_FOCUS });
        map.addLayer({ id: 'focus-line', type: 'line', source: 'focus',
                       paint: { 'line-color': '#000', 'line-width': 2.5, 'line-dasharray': [2, 1] } });
      }
      /* a cell of the grid, where drawn, before the unit under it */
      map.on('click', function (e) {
        var layers = map.getLayer('grid-fill') && map.getLayoutProperty('grid-fill', 'visibility') !== 'none'
          ? ['grid-fill', api.drawnLayer()] : [api.drawnLayer()];
        var hits = map.queryRenderedFeatures(e.point, { layers: layers });
        if (!hits.length) return;
        if (hits[0].layer.id === 'grid-fill') selectCell(hits[0].properties);
        else select(hits[0].properties.code);
      });
      map.on('moveend', function () {
        updateDetail();
        if (state.grid) updateGrid();
      });
      [FILL, OV_FILL].forEach(function (l) {
        map.on('mouseenter', l, function () { map.getCanvas().style.cursor = 'pointer'; });
        map.on('mouseleave', l, function () { map.getCanvas().style.cursor = ''; });
      });
      map.once('idle', function () {
        updateDetail();
        idle().then(function () { readyResolve(); }, function (err) {
          readyReject(err);
          fail('De kaart kon niet worden opgebouwd: ' + err.message);
        });
      });
    } catch (err) {
      readyReject(err);
      fail('De kaart kon niet worden opgebouwd: ' + err.message);
    }
  });
})();
