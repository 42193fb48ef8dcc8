// SPDX-License-Identifier: MIT
// The browser side of bench/viewer/run.sh: one run of one page in a fresh headless Chromium,
// printed as one JSON line: load time to the first complete render, JS heap, requestAnimation-
// Frame deltas over a scripted pan and zoom (mouse drag and wheel), time to recolour for two
// switches of view, the WebGL renderer and the load average before and after.
//
// node bench.mjs PAGE_URL LABEL [LON,LAT,ZOOM[,grid]]   (LB_NODE_MODULES: the node_modules with
// playwright-core). With a place, the viewer of `leefbaar viewer` is moved there after it is
// ready (and its 100 m grid switched on with ",grid"; grid_ms is the time until the grid's
// chunks are loaded and drawn) before the pan and zoom are measured.
import {createRequire} from 'node:module';
import fs from 'node:fs';
import path from 'node:path';

const require = createRequire(path.join(process.env.LB_NODE_MODULES || '.', 'x.js'));
const {chromium} = require('playwright-core');
const [url, label, at] = process.argv.slice(2);
const loadavg = () => fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
const q = (a, p) => {
    const s = [...a].sort((x, y) => x - y);
    return s.length ? s[Math.min(s.length - 1, Math.floor(p * (s.length - 1) + 0.5))] : null;
};
const r1 = (x) => x === null ? null : Math.round(x * 10) / 10;

const out = {label, url, load_before: loadavg()};
const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'],
});
try {
    const page = await browser.newPage({viewport: {width: 1200, height: 800}});
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    // The viewer of `leefbaar viewer` (window.lbViewer) gets the same window.bench: ready when
    // lbViewer.ready resolves, recolour through setView, settled when the map is idle.
    await page.addInitScript(() => {
        const iv = setInterval(() => {
            const v = window.lbViewer;
            if (window.bench)
                clearInterval(iv); // a page of its own (page.html)
            if (!v || window.bench)
                return;
            clearInterval(iv);
            const frames = [];
            let recording = false, last = 0;
            const tick = (t) => {
                if (recording) { frames.push(t - last); last = t; requestAnimationFrame(tick); }
            };
            window.bench = {
                lib: 'viewer', n: window.LB_UNITS ? window.LB_UNITS.features.length : null,
                parseMs: null,
                ready: v.ready.then(() => performance.now()),
                recolour: async (view) => {
                    const t = performance.now();
                    await v.setView(view);
                    return performance.now() - t;
                },
                settled: () => new Promise((r) => {
                    if (!v.map.isMoving() && v.map.loaded()) r(); else v.map.once('idle', r);
                }),
                frames: {
                    start() { frames.length = 0; recording = true;
                              requestAnimationFrame((t) => { last = t; requestAnimationFrame(tick); }); },
                    stop() { recording = false; return frames.slice(); },
                },
            };
        }, 5);
    });
    await page.goto(url, {timeout: 600000, waitUntil: 'commit'});
    await page.waitForFunction(() => window.bench && window.bench.ready, null, {timeout: 600000});
    out.load_ms = r1(await page.evaluate(() => window.bench.ready));
    out.parse_ms = r1(await page.evaluate(() => window.bench.parseMs));
    out.features = await page.evaluate(() => window.bench.n);
    out.webgl = await page.evaluate(() => {
        const gl = document.createElement('canvas').getContext('webgl');
        const e = gl && gl.getExtension('WEBGL_debug_renderer_info');
        return e ? gl.getParameter(e.UNMASKED_RENDERER_WEBGL) : null;
    });
    if (at) {
        const [lon, lat, zoom, grid] = at.split(',');
        out.at = at;
        out.grid_ms = r1(await page.evaluate(async ([lon, lat, zoom, grid]) => {
            const v = window.lbViewer, t = performance.now();
            v.map.jumpTo({center: [Number(lon), Number(lat)], zoom: Number(zoom)});
            await new Promise((r) => v.map.once('idle', r));
            if (grid === 'grid')
                await v.setGrid(true);
            return performance.now() - t;
        }, [lon, lat, zoom, grid]));
        out.grid_chunks = await page.evaluate(() => window.lbViewer.gridLoaded ?
                                                     window.lbViewer.gridLoaded() : []);
    }
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('HeapProfiler.collectGarbage');
    await cdp.send('Performance.enable');
    const m = (await cdp.send('Performance.getMetrics')).metrics;
    out.heap_mb = r1(m.find((x) => x.name === 'JSHeapUsedSize').value / 1048576);

    // Pan and zoom: a drag of 400 px in 20 mouse moves, two wheel notches in, two out,
    // a drag back; frames recorded from the first move until the map has settled.
    await page.evaluate(() => window.bench.frames.start());
    const t0 = Date.now();
    await page.mouse.move(600, 400);
    await page.mouse.down();
    for (let i = 1; i <= 20; i++) {
        await page.mouse.move(600 + 20 * i, 400 + 10 * i);
        await page.waitForTimeout(16);
    }
    await page.mouse.up();
    await page.evaluate(() => window.bench.settled());
    for (const dy of [-120, -120, 120, 120]) {
        await page.mouse.wheel(0, dy);
        await page.waitForTimeout(250);
        await page.evaluate(() => window.bench.settled());
    }
    await page.mouse.move(1000, 600);
    await page.mouse.down();
    for (let i = 1; i <= 20; i++) {
        await page.mouse.move(1000 - 20 * i, 600 - 10 * i);
        await page.waitForTimeout(16);
    }
    await page.mouse.up();
    await page.evaluate(() => window.bench.settled());
    const frames = await page.evaluate(() => window.bench.frames.stop());
    out.panzoom_s = r1((Date.now() - t0) / 1000);
    out.frames = frames.length;
    out.frame_median_ms = r1(q(frames, 0.5));
    out.frame_p95_ms = r1(q(frames, 0.95));
    out.frame_max_ms = r1(Math.max(...frames));
    out.frames_over_50ms = frames.filter((f) => f > 50).length;

    const rec = [];
    for (const v of ['won', 'pub', 'lbm'])
        rec.push(await page.evaluate((v) => window.bench.recolour(v), v));
    out.recolour_ms = r1(q(rec, 0.5));
    out.errors = errors;
} catch (e) {
    out.error = String(e && e.message || e);
} finally {
    await browser.close();
}
out.load_after = loadavg();
console.log(JSON.stringify(out));
