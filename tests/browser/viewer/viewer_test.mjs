// SPDX-License-Identifier: MIT
// The offline viewer in headless Chromium (playwright-core driving Debian's chromium): the page
// opened from disk makes no request outside its folder and logs no error; clicking known buurten
// shows the numbers of scores.gpkg; every year and view colours them with the class the runs'
// own files give; search finds a buurt by name and by code; a screenshot per state.
//
// node viewer_test.mjs VIEWER_DIR EXPECTED.json SHOT_DIR
//   EXPECTED.json from expected.py. Environment: CHROMIUM (default /usr/bin/chromium),
//   LB_NODE_MODULES (the node_modules holding playwright-core), LB_VIEWERTEST_QUICK=1 (only the
//   last year's lbm view and clicks, no screenshots: the run that must fail on spoilt data).
// Prints TAP-like "ok"/"not ok" lines; exits 1 when any check failed.
import {createRequire} from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import {pathToFileURL} from 'node:url';

const require = createRequire(path.join(process.env.LB_NODE_MODULES || '.', 'x.js'));
const {chromium} = require('playwright-core');

const [viewerDir, expectedPath, shotDir] = process.argv.slice(2);
if (!viewerDir || !expectedPath || !shotDir) {
    console.error('usage: viewer_test.mjs VIEWER_DIR EXPECTED.json SHOT_DIR');
    process.exit(2);
}
const exp = JSON.parse(fs.readFileSync(expectedPath, 'utf8'));
const root = pathToFileURL(path.resolve(viewerDir)).href + '/';
fs.mkdirSync(shotDir, {recursive: true});
const quick = process.env.LB_VIEWERTEST_QUICK === '1';
const shoot = (page, name) => quick ? null : page.screenshot({path: path.join(shotDir, name)});

let pass = 0, fail = 0;
const ok = (cond, msg) => {
    if (cond) {
        pass++;
        console.log('ok - ' + msg);
    } else {
        fail++;
        console.log('not ok - ' + msg);
    }
    return cond;
};

// A number as the page shows it (decimal comma or point, Unicode minus) → the same digits with
// a point; null when the text holds no number.
function shownNumber(text) {
    const t = (text || '').trim().replace(/\u2212/g, '-').replace(',', '.');
    const m = t.match(/^[-+]?\d+(\.\d+)?/);
    return m ? m[0] : null;
}
// The gpkg value at the decimals the page shows.
const fixed = (v, decimals) => {
    const s = v.toFixed(decimals);
    return /^-0\.?0*$/.test(s) ? s.slice(1) : s;
};
const decimalsOf = (s) => (s.split('.')[1] || '').length;

const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    // WebGL in software (SwiftShader): headless Chromium has no GPU here.
    args: ['--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'],
});
let exitCode = 0;
try {
    const context = await browser.newContext({viewport: {width: 1200, height: 800}});
    const outside = [];
    // Every request outside the viewer's folder is aborted and counted; data: and blob: URLs
    // (workers the library makes from its own code) never leave the page.
    await context.route('**/*', (route) => {
        const url = route.request().url();
        if (url.startsWith(root) || url.startsWith('data:') || url.startsWith('blob:'))
            return route.continue();
        outside.push(url);
        return route.abort();
    });
    const page = await context.newPage();
    const requested = []; // every URL the page asked for (the grid's chunks load on demand)
    page.on('request', (r) => requested.push(r.url()));
    const errors = [];
    page.on('console', (m) => {
        if (m.type() === 'error')
            errors.push('console: ' + m.text());
    });
    page.on('pageerror', (e) => errors.push('page error: ' + e.message));
    page.on('requestfailed', (r) => {
        if (!outside.includes(r.request ? r.request().url() : r.url()))
            errors.push('request failed: ' + r.url());
    });

    const t0 = Date.now();
    await page.goto(root + 'index.html');
    await page.waitForFunction(() => window.lbViewer && window.lbViewer.ready, null,
                               {timeout: 30000});
    await page.evaluate(() => window.lbViewer.ready);
    ok(true, `lbViewer.ready after ${Date.now() - t0} ms`);

    const hooks = await page.evaluate(() => ({years: window.lbViewer.years,
                                              views: window.lbViewer.views}));
    ok(JSON.stringify(hooks.years.map(Number)) === JSON.stringify(exp.years),
       `years ${JSON.stringify(hooks.years)} are the run's ${JSON.stringify(exp.years)}`);
    const wantViews = ['lbm', ...exp.dims, ...(exp.change ? ['change'] : [])];
    ok(wantViews.every((v) => hooks.views.includes(v)),
       `views ${JSON.stringify(hooks.views)} hold ${JSON.stringify(wantViews)}`);

    // Let the map settle: two animation frames after the hook's promise.
    const settle = () => page.evaluate(
        () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const codes = quick ? exp.probes : [...exp.probes, ...exp.unscored];
    const lastYear = exp.years[exp.years.length - 1];

    // Colours: every year × view, each probe drawn in the colour of its class.
    for (const year of quick ? [lastYear] : exp.years) {
        await page.evaluate((y) => window.lbViewer.setYear(y), year);
        for (const view of quick ? ['lbm'] : ['lbm', ...exp.dims]) {
            await page.evaluate((v) => window.lbViewer.setView(v), view);
            await settle();
            const got = await page.evaluate(
                (cs) => Object.fromEntries(cs.map((c) => [c, window.lbViewer.renderedColour(c)])),
                exp.probes);
            const bad = [];
            for (const code of exp.probes) {
                const y = exp.units[code].years[String(year)];
                const cls = view === 'lbm' ? y.class : y.dim_class[view];
                const want = exp.palettes[view][String(year)][String(cls)];
                if ((got[code] || '').toLowerCase() !== want)
                    bad.push(`${code}: ${got[code]}, class ${cls} is ${want}`);
            }
            ok(bad.length === 0,
               `${year} ${view}: ${exp.probes.length} buurten in their class colour` +
               (bad.length ? ' — ' + bad.join('; ') : ''));
            await shoot(page, `viewer_${year}_${view}.png`);
        }
    }
    if (exp.change && !quick) {
        await page.evaluate((y) => window.lbViewer.setYear(y), exp.change.to);
        await page.evaluate(() => window.lbViewer.setView('change'));
        await settle();
        const bad = [];
        let n = 0;
        for (const code of exp.probes) {
            const ch = exp.units[code].change;
            if (!ch || ch.class === null)
                continue;
            n++;
            const want = exp.change.palette[String(ch.class)];
            const got = await page.evaluate((c) => window.lbViewer.renderedColour(c), code);
            if ((got || '').toLowerCase() !== want)
                bad.push(`${code}: ${got}, development class ${ch.class} is ${want}`);
        }
        ok(n > 0 && bad.length === 0,
           `change ${exp.change.from}-${exp.change.to}: ${n} buurten in their class colour` +
           (bad.length ? ' — ' + bad.join('; ') : ''));
        await shoot(page, 'viewer_change.png');
    }

    // Clicks: the info panel holds the gpkg's numbers at the decimals it shows.
    await page.evaluate((y) => window.lbViewer.setYear(y), lastYear);
    await page.evaluate(() => window.lbViewer.setView('lbm'));
    await settle();
    const field = (f) => page.evaluate(
        (f) => {
            const e = document.querySelector(`#lb-info [data-field="${f}"]`);
            return e ? e.textContent : null;
        }, f);
    for (const code of codes) {
        const u = exp.units[code];
        const y = u.years[String(lastYear)];
        const [x, yy] = await page.evaluate((c) => window.lbViewer.screenPoint(c), code);
        await page.mouse.click(x, yy);
        await settle();
        const sel = await page.evaluate(() => window.lbViewer.selected());
        if (!ok(sel === code, `click at (${Math.round(x)}, ${Math.round(yy)}) selects ${code}` +
                              (sel === code ? '' : `, got ${sel}`)))
            continue;
        ok((await field('code') || '').trim() === code, `${code}: code shown`);
        ok((await field('name') || '').trim() === u.name, `${code}: name '${u.name}' shown`);
        const checks = [['lbm', y.lbm], ...exp.dims.map((d) => ['dim:' + d, y.dims[d]])];
        const bad = [];
        let decimals = null;
        for (const [f, v] of checks) {
            const text = await field(f);
            if (text === null) {
                bad.push(`${f}: no element`);
                continue;
            }
            const shown = shownNumber(text);
            if (v === null) {
                if (shown !== null)
                    bad.push(`${f}: '${text.trim()}' shown for a missing score`);
                continue;
            }
            if (shown === null) {
                bad.push(`${f}: '${text.trim()}' is no number`);
                continue;
            }
            decimals = decimals ?? decimalsOf(shown);
            if (decimalsOf(shown) !== decimals || decimals < 2)
                bad.push(`${f}: '${shown}' has ${decimalsOf(shown)} decimals`);
            else if (shown !== fixed(v, decimals))
                bad.push(`${f}: shown ${shown}, scores.gpkg ${fixed(v, decimals)} (${v})`);
        }
        ok(bad.length === 0, `${code} ${lastYear}: lbm and ${exp.dims.length} dimensions are ` +
                             (y.lbm === null ? 'missing, no number shown'
                                             : `scores.gpkg's at ${decimals} decimals`) +
                             (bad.length ? ' — ' + bad.join('; ') : ''));
        const cls = (await field('class') || '').trim();
        ok(y.label === null ? !/\d/.test(cls) : cls.includes(y.label),
           `${code}: class '${cls}' is '${y.label}'`);
        await shoot(page, `viewer_click_${code}.png`);
    }

    // Search by name and by code: the first match is selected.
    const search = quick ? null : await page.$('#lb-search');
    if (!quick && ok(search !== null, 'a search field #lb-search')) {
        const probe = exp.probes[exp.probes.length - 1];
        for (const q of [exp.units[probe].name, probe]) {
            await page.evaluate(() => window.lbViewer.select && window.lbViewer.select(null));
            await search.fill('');
            await search.fill(q);
            await search.press('Enter');
            await settle();
            const sel = await page.evaluate(() => window.lbViewer.selected());
            ok(sel === probe, `search '${q}' selects ${probe}` + (sel === probe ? '' : `, got ${sel}`));
        }
        await shoot(page, 'viewer_search.png');
    }

    // The 100 m grid: no chunk before it is switched on; zoomed in on a probe cell with the
    // grid on, only chunks of the year shown whose cells meet the view are loaded, each probe
    // cell is drawn in the colour of its class (class_<year>.qml) and a click shows the
    // numbers of scores.gpkg's layer grid; zoomed out to the country, no cells are drawn.
    if (exp.grid && !quick) {
        const g = exp.grid, gridReqs = () => requested.filter((u) => /\/data\/grid_/.test(u));
        ok(gridReqs().length === 0, `no grid chunk loaded before the grid is switched on`);
        await page.evaluate((y) => window.lbViewer.setYear(y), g.year);
        await page.evaluate(() => window.lbViewer.setView('lbm'));
        const meta = await page.evaluate(() => window.LB_META.grids);
        const cells = meta.filter((m) => m.year === g.year).reduce((a, m) => a + m.cells, 0);
        ok(cells === g.n, `META.grids: ${cells} cells in ${g.year}, scores.gpkg's grid ${g.n}`);
        for (const c of g.probes) {
            await page.evaluate(([lon, lat]) => {
                window.lbViewer.map.jumpTo({center: [lon, lat], zoom: 15});
            }, [c.lon, c.lat]);
            await page.evaluate(() => window.lbViewer.setGrid(true));
            await settle();
            const view = await page.evaluate(() => {
                const b = window.lbViewer.map.getBounds();
                return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()];
            });
            const want = meta.filter((m) => m.year === g.year && m.bbox[0] <= view[2] &&
                                            m.bbox[2] >= view[0] && m.bbox[1] <= view[3] &&
                                            m.bbox[3] >= view[1]).map((m) => m.file);
            const got = [...new Set(gridReqs().map((u) => u.slice(root.length)))];
            ok(got.length > 0 && got.every((f) => want.includes(f)),
               `${c.id}: grid chunks loaded ${JSON.stringify(got)} are those of ${g.year} ` +
               `meeting the view ${JSON.stringify(want)}`);
            const colour = await page.evaluate((id) => window.lbViewer.renderedCellColour(id), c.id);
            const wantColour = exp.palettes.lbm[String(g.year)][String(c.class)];
            ok((colour || '').toLowerCase() === wantColour,
               `cell ${c.id} drawn ${colour}, class ${c.class} is ${wantColour}`);
            const pt = await page.evaluate((id) => window.lbViewer.cellPoint(id), c.id);
            if (!ok(pt !== null, `cell ${c.id} is drawn`))
                continue;
            await page.mouse.click(pt[0], pt[1]);
            await settle();
            ok((await field('cell') || '').trim() === c.id, `click on cell ${c.id} shows it`);
            const bad = [];
            for (const [f, v] of [['lbm', c.lbm], ...exp.dims.map((d) => ['dim:' + d, c.dims[d]])]) {
                const shown = shownNumber(await field(f));
                const want = v === null ? null : fixed(v, 3);
                if (shown !== want)
                    bad.push(`${f}: shown ${shown}, scores.gpkg ${want} (${v})`);
            }
            ok(bad.length === 0, `cell ${c.id}: lbm and ${exp.dims.length} dimensions are ` +
                                 `scores.gpkg's` + (bad.length ? ' — ' + bad.join('; ') : ''));
            const cls = (await field('class') || '').trim();
            ok(cls === c.label, `cell ${c.id}: class '${cls}' is '${c.label}'`);
        }
        await shoot(page, 'viewer_grid.png');
        // a dimension view colours the cells by the dimension's classes
        const d0 = exp.dims[0], c0 = g.probes[0];
        await page.evaluate(([lon, lat]) => window.lbViewer.map.jumpTo({center: [lon, lat], zoom: 15}),
                            [c0.lon, c0.lat]);
        await page.evaluate((v) => window.lbViewer.setView(v), d0);
        await page.evaluate(() => window.lbViewer.setGrid(true));
        const dc = await page.evaluate((id) => window.lbViewer.renderedCellColour(id), c0.id);
        const dw = exp.palettes[d0][String(g.year)][String(c0.dim_class[d0])];
        ok((dc || '').toLowerCase() === dw, `cell ${c0.id} in view ${d0} drawn ${dc}, class ` +
                                             `${c0.dim_class[d0]} is ${dw}`);
        const other = requested.filter((u) => /\/data\/grid_/.test(u) &&
                                              !u.endsWith('_' + g.year + '.js'));
        ok(other.length === 0, `no grid chunk of another year loaded (${other.length})`);
        // zoomed out to the whole country, the grid is not drawn
        await page.evaluate(() => window.lbViewer.map.jumpTo({center: [5.3, 52.2], zoom: 7}));
        await page.evaluate(() => window.lbViewer.setGrid(true));
        const vis = await page.evaluate(() => window.lbViewer.map.getLayoutProperty('grid-fill', 'visibility'));
        ok(vis === 'none', `at zoom 7 the grid is hidden (${vis})`);
        await page.evaluate(() => window.lbViewer.setGrid(false));
        await page.evaluate(() => window.lbViewer.setView('lbm'));
        await page.evaluate(() => window.lbViewer.select(null));
    }

    // Waterbed: clicking a member of each focus area shows its DiD and p-values per zone as
    // waterbed.csv has them (lbm, main period).
    for (const [focus, fa] of Object.entries(quick ? {} : exp.waterbed || {})) {
        // the search zoomed in elsewhere: bring the unit into view first
        await page.evaluate((c) => window.lbViewer.zoomTo(c), fa.unit);
        const [x, yy] = await page.evaluate((c) => window.lbViewer.screenPoint(c), fa.unit);
        await page.mouse.click(x, yy);
        await settle();
        const sel = await page.evaluate(() => window.lbViewer.selected());
        ok(sel === fa.unit && (await field('wb:focus') || '').trim() === focus,
           `${fa.unit} (selected: ${sel}): focus area ${focus} shown`);
        const bad = [];
        for (const [zone, z] of Object.entries(fa.zones))
            for (const [f, v] of [['did', z.did], ['p', z.p_one], ['p2', z.p_two]]) {
                // a zero rounded from below may keep its sign
                const shown = (shownNumber(await field(`wb:${f}:${zone}`)) || '')
                                  .replace(/^-(0\.0+)$/, '$1') || null;
                const want = v === null ? null : fixed(v, 3);
                if (shown !== want)
                    bad.push(`${f} ${zone}: shown ${shown}, waterbed.csv ${want}`);
            }
        ok(bad.length === 0, `${focus}: DiD and p of ${Object.keys(fa.zones).length} zones are ` +
                             `waterbed.csv's` + (bad.length ? ' — ' + bad.join('; ') : ''));
        await shoot(page, `viewer_waterbed_${focus}.png`);
    }

    // Overview and full outlines: opened below META.detail.minzoom the page draws the
    // overview and loads no chunk of full outlines; each probe is drawn in its class colour and
    // a click shows scores.gpkg's numbers. Zoomed in on a probe, only the chunks whose box
    // meets the view are loaded and the probe has the same colour and numbers.
    if (!quick) {
        const detail = await page.evaluate(() => window.LB_META.detail);
        const b = await page.evaluate(() => window.LB_META.bounds);
        const z = detail.minzoom - 0.1, lat = (b[1] + b[3]) / 2, lon = (b[0] + b[2]) / 2;
        requested.length = 0;
        await page.goto(root + `index.html?overview#${z}/${lat}/${lon}`);
        await page.waitForFunction(() => window.lbViewer && window.lbViewer.ready, null,
                                   {timeout: 30000});
        await page.evaluate(() => window.lbViewer.ready);
        await page.evaluate((y) => window.lbViewer.setYear(y), lastYear);
        await settle();
        const layer = await page.evaluate(() => window.lbViewer.drawnLayer());
        ok(layer === 'overview-fill', `at zoom ${z} the overview is drawn (${layer})`);
        const chunkReqs = () => [...new Set(requested.filter((u) => /\/data\/units_/.test(u))
                                                      .map((u) => u.slice(root.length)))];
        ok(chunkReqs().length === 0, `at zoom ${z} no chunk of full outlines is loaded ` +
                                     JSON.stringify(chunkReqs()));
        const colourAt = {};
        let hit = 0;
        const bad = [];
        for (const code of exp.probes) {
            const c = await page.evaluate((c) => window.lbViewer.renderedColour(c), code);
            if (c === null)
                continue; // the overview point may miss a unit thinner than the grid
            hit++;
            colourAt[code] = c;
            const y = exp.units[code].years[String(lastYear)];
            const want = exp.palettes.lbm[String(lastYear)][String(y.class)];
            if (c.toLowerCase() !== want)
                bad.push(`${code}: ${c}, class ${y.class} is ${want}`);
        }
        ok(hit >= exp.probes.length / 2 && bad.length === 0,
           `overview: ${hit} of ${exp.probes.length} probes found, in their class colour` +
           (bad.length ? ' — ' + bad.join('; ') : ''));
        await shoot(page, 'viewer_overview.png');
        const clickShows = async (code, where) => {
            const [x, yy] = await page.evaluate((c) => window.lbViewer.screenPoint(c), code);
            await page.mouse.click(x, yy);
            await settle();
            const sel = await page.evaluate(() => window.lbViewer.selected());
            const y = exp.units[code].years[String(lastYear)];
            const shown = shownNumber(await field('lbm'));
            const want = y.lbm === null ? null : fixed(y.lbm, 3);
            ok(sel === code && shown === want,
               `${where}: a click on ${code} selects it (${sel}) and shows lbm ${shown}, ` +
               `scores.gpkg ${want}`);
        };
        const probe = Object.keys(colourAt)[0];
        if (ok(probe !== undefined, 'a probe drawn in the overview')) {
            await clickShows(probe, 'overview');
            const p = exp.units[probe];
            const [lx, ly] = await page.evaluate((c) => {
                const f = window.LB_UNITS.features.find((f) => f.properties.code === c);
                return [f.properties.lx, f.properties.ly];
            }, probe);
            await page.evaluate(([x, y]) => window.lbViewer.map.jumpTo({center: [x, y], zoom: 15}),
                                [lx, ly]);
            await page.evaluate(() => window.lbViewer.setYear(window.lbViewer.year()));
            await settle();
            const layer2 = await page.evaluate(() => window.lbViewer.drawnLayer());
            ok(layer2 === 'units-fill', `at zoom 15 the full outlines are drawn (${layer2})`);
            const view = await page.evaluate(() => {
                const b = window.lbViewer.map.getBounds();
                return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()];
            });
            const want = detail.chunks.filter((c) => c.bbox[0] <= view[2] && c.bbox[2] >= view[0] &&
                                                     c.bbox[1] <= view[3] && c.bbox[3] >= view[1])
                             .map((c) => c.file);
            const got = chunkReqs();
            ok(got.length > 0 && got.every((f) => want.includes(f)) &&
                   want.every((f) => got.includes(f)),
               `zoom 15: chunks loaded ${JSON.stringify(got)} are those meeting the view ` +
               JSON.stringify(want) + ` (of ${detail.chunks.length})`);
            const c2 = await page.evaluate((c) => window.lbViewer.renderedColour(c), probe);
            ok(c2 !== null && c2 === colourAt[probe],
               `${probe} (${p.name}) drawn ${c2} in full, ${colourAt[probe]} in the overview`);
            const pts = await page.evaluate((c) => [window.lbViewer.outlinePoints(c, 'overview'),
                                                    window.lbViewer.outlinePoints(c, 'full')], probe);
            ok(pts[1] !== null && pts[0] <= pts[1],
               `${probe}: ${pts[0]} overview points, ${pts[1]} in the full outline`);
            await clickShows(probe, 'full outlines');
            await shoot(page, 'viewer_detail.png');
            // search jumps to a unit with its full outline drawn
            const other = exp.probes[0] === probe ? exp.probes[1] : exp.probes[0];
            await page.evaluate((c) => window.lbViewer.map.jumpTo({center: [0, 0], zoom: 3}), other);
            await page.evaluate((c) => window.lbViewer.search(c), other);
            await settle();
            const st = await page.evaluate((c) => ({layer: window.lbViewer.drawnLayer(),
                                                    pts: window.lbViewer.outlinePoints(c, 'full'),
                                                    colour: window.lbViewer.renderedColour(c)}), other);
            ok(st.layer === 'units-fill' && st.pts !== null && st.colour !== null,
               `search ${other}: its full outline drawn (${JSON.stringify(st)})`);
        }
    }

    ok(outside.length === 0, `${outside.length} requests outside the folder` +
                             (outside.length ? ': ' + outside.slice(0, 3).join(' ') : ''));
    ok(errors.length === 0, `${errors.length} console or page errors` +
                            (errors.length ? ': ' + errors.slice(0, 3).join(' | ') : ''));
} catch (e) {
    ok(false, 'the test ran through: ' + (e && e.stack || e));
} finally {
    await browser.close();
}
console.log(`${pass} passed, ${fail} failed`);
process.exit(fail === 0 ? exitCode : 1);
