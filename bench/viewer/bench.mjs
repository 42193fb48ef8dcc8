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
// Where the long frames come from: long_frames (the frames over 50 ms, [page ms, length ms]),
// long_tasks (the page's long-task entries, the same form), source_calls (every setData /
// updateData of a map source during the pan and zoom) and, with LB_BENCH_PROFILE=FILE, a V8
// CPU profile of the page (bench/viewer/profile_top.py FILE reads it back).
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
            const frames = [], at = [];
            let recording = false, last = 0;
            const tick = (t) => {
                if (recording) {
                    frames.push(t - last); at.push(last); last = t; requestAnimationFrame(tick);
                }
            };
            const longTasks = [];
            try {
                new PerformanceObserver((l) => l.getEntries().forEach((e) => longTasks.push(
                    [e.startTime, e.duration]))).observe({type: 'longtask', buffered: true});
            } catch (e) { /* no long-task timing in this browser */ }
            window.bench = {
                lib: 'viewer', n: window.LB_UNITS ? window.LB_UNITS.features.length : null,
                parseMs: null,
                ready: v.ready.then(() => performance.now()),
                recolour: async (view) => {
                    const t = performance.now();
                    await v.setView(view);
                    return performance.now() - t;
                },
                // resolves with nothing: resolved with MapLibre's idle event, page.evaluate
                // would serialise the event's target, the whole map with its tiles' buffers, on
                // the page's main thread (seconds to minutes: the long frames measured before)
                settled: () => new Promise((r) => {
                    if (!v.map.isMoving() && v.map.loaded()) r(); else v.map.once('idle', () => r());
                }),
                frames: {
                    start() { frames.length = 0; recording = true;
                              requestAnimationFrame((t) => { last = t; requestAnimationFrame(tick); }); },
                    stop() { recording = false; return frames.slice(); },
                    // the frames over 50 ms: [start ms, length ms] on the page's clock
                    long() { return frames.map((f, i) => [at[i], f]).filter((x) => x[1] > 50); },
                },
                longTasks: () => longTasks.slice(),
                // the data scripts the page loaded: [name, start ms, end ms]
                scripts: () => performance.getEntriesByType('resource')
                    .filter((e) => /\/data\//.test(e.name))
                    .map((e) => [e.name.replace(/.*\//, ''), e.startTime, e.responseEnd]),
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

    // every setData / updateData of a GeoJSON source from here on: [page ms, source, features
    // sent, ms of the call itself], to line up with the long frames
    await page.evaluate(() => {
        const v = window.lbViewer, log = (window.bench.sourceCalls = []);
        const proto = v && Object.getPrototypeOf(v.map.getSource('units') || {});
        for (const name of ['setData', 'updateData']) {
            if (!proto || !proto[name])
                continue;
            const orig = proto[name];
            proto[name] = function (d, ...rest) {
                const t = performance.now();
                const n = d && (d.features ? d.features.length : (d.add || []).length +
                                                                 (d.remove || []).length);
                const r = orig.call(this, d, ...rest);
                log.push([t, this.id + '.' + name, n, performance.now() - t]);
                return r;
            };
        }
    });
    // LB_BENCH_PROFILE=FILE: a V8 CPU profile of the page's main thread over the pan and zoom
    // (or over the first drag alone with LB_BENCH_DRAG_ONLY=1) into FILE (.cpuprofile)
    const profFile = process.env.LB_BENCH_PROFILE;
    if (profFile) {
        await cdp.send('Profiler.enable');
        await cdp.send('Profiler.setSamplingInterval', {interval: 1000});
        await cdp.send('Profiler.start');
    }
    out.t_panzoom_start = r1(await page.evaluate(() => performance.now()));
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
    const dragOnly = process.env.LB_BENCH_DRAG_ONLY === '1';
    for (const dy of dragOnly ? [] : [-120, -120, 120, 120]) {
        await page.mouse.wheel(0, dy);
        await page.waitForTimeout(250);
        await page.evaluate(() => window.bench.settled());
    }
    if (!dragOnly) {
        await page.mouse.move(1000, 600);
        await page.mouse.down();
        for (let i = 1; i <= 20; i++) {
            await page.mouse.move(1000 - 20 * i, 600 - 10 * i);
            await page.waitForTimeout(16);
        }
        await page.mouse.up();
        await page.evaluate(() => window.bench.settled());
    }
    if (profFile)
        fs.writeFileSync(profFile, JSON.stringify((await cdp.send('Profiler.stop')).profile));
    const frames = await page.evaluate(() => window.bench.frames.stop());
    out.panzoom_s = r1((Date.now() - t0) / 1000);
    out.frames = frames.length;
    out.frame_median_ms = r1(q(frames, 0.5));
    out.frame_p95_ms = r1(q(frames, 0.95));
    out.frame_max_ms = r1(Math.max(...frames));
    out.frames_over_50ms = frames.filter((f) => f > 50).length;
    out.frames_over_1s = frames.filter((f) => f > 1000).length;
    out.long_frames = (await page.evaluate(() => window.bench.frames.long()))
                          .sort((a, b) => b[1] - a[1]).slice(0, 12).map((x) => x.map(r1));
    out.long_tasks = (await page.evaluate(() => window.bench.longTasks ? window.bench.longTasks() : []))
                         .sort((a, b) => b[1] - a[1]).slice(0, 12).map((x) => x.map(r1));
    out.long_tasks_total_ms = r1((await page.evaluate(() => window.bench.longTasks ?
                                    window.bench.longTasks() : [])).reduce((a, x) => a + x[1], 0));
    out.scripts = await page.evaluate(() => window.bench.scripts ? window.bench.scripts() : []);
    out.scripts = out.scripts.map((x) => [x[0], r1(x[1]), r1(x[2])]);
    out.source_calls = (await page.evaluate(() => window.bench.sourceCalls || []))
                           .map((x) => [r1(x[0]), x[1], x[2], r1(x[3])]);

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
