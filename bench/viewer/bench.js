// SPDX-License-Identifier: MIT
// The page side of the library comparison: draws window.LB_UNITS with MapLibre GL JS (WebGL)
// or Leaflet (canvas renderer), and offers window.bench: ready (resolves at the first
// complete render with the time since navigation), recolour(view) (ms until the new colours
// are drawn), frames.start()/stop() (requestAnimationFrame deltas) and settled().
(function () {
    const lib = new URLSearchParams(location.search).get('lib');
    const pal = ['#730000', '#e50000', '#e1702e', '#ffffbe', '#d3ffbe', '#93e667', '#55be00',
                 '#267300', '#2d4900'];
    const data = window.LB_UNITS;
    let b = [180, 90, -180, -90];
    const ext = (c) => {
        if (typeof c[0] === 'number') {
            b = [Math.min(b[0], c[0]), Math.min(b[1], c[1]), Math.max(b[2], c[0]),
                 Math.max(b[3], c[1])];
        } else
            c.forEach(ext);
    };
    data.features.forEach((f) => ext(f.geometry.coordinates));
    const nextFrame = () => new Promise((r) => requestAnimationFrame(() => r()));
    const frames = [];
    let recording = false, last = 0;
    function tick(t) {
        if (recording) {
            frames.push(t - last);
            last = t;
            requestAnimationFrame(tick);
        }
    }
    const bench = {
        lib, n: data.features.length,
        parseMs: window.BENCH_PARSED - window.BENCH_T0,
        frames: {
            start() { frames.length = 0; recording = true;
                      requestAnimationFrame((t) => { last = t; requestAnimationFrame(tick); }); },
            stop() { recording = false; return frames.slice(); },
        },
    };
    window.bench = bench;
    if (lib === 'maplibre') {
        const colour = (view) => ['match', ['get', 'k_' + view],
                                  ...pal.flatMap((c, i) => [i + 1, c]), '#d9d9d9'];
        const map = new maplibregl.Map({
            container: 'map', attributionControl: false, fadeDuration: 0,
            bounds: [[b[0], b[1]], [b[2], b[3]]],
            style: {version: 8, sources: {units: {type: 'geojson', data}},
                    layers: [{id: 'bg', type: 'background', paint: {'background-color': '#ffffff'}},
                             {id: 'units', type: 'fill', source: 'units',
                              paint: {'fill-color': colour('lbm'),
                                      'fill-outline-color': '#808080'}}]},
        });
        const idle = () => new Promise((r) => map.once('idle', r));
        bench.ready = idle().then(() => performance.now());
        bench.recolour = async (view) => {
            const t = performance.now();
            map.setPaintProperty('units', 'fill-color', colour(view));
            await idle();
            return performance.now() - t;
        };
        bench.settled = async () => { if (map.isMoving() || !map.loaded()) await idle(); };
        bench.map = map;
    } else {
        const map = L.map('map', {preferCanvas: true, zoomSnap: 0});
        const renderer = L.canvas({padding: 0.5});
        let view = 'lbm';
        const style = (f) => ({renderer, fillColor: pal[f.properties['k_' + view] - 1] || '#d9d9d9',
                               fillOpacity: 1, color: '#808080', weight: 0.5});
        map.fitBounds([[b[1], b[0]], [b[3], b[2]]]);
        const layer = L.geoJSON(data, {style, renderer}).addTo(map);
        // The canvas renderer draws in the next animation frame; two frames make sure it did.
        bench.ready = nextFrame().then(nextFrame).then(() => performance.now());
        bench.recolour = async (v) => {
            const t = performance.now();
            view = v;
            layer.setStyle(style);
            await nextFrame();
            await nextFrame();
            return performance.now() - t;
        };
        let moving = false;
        map.on('movestart zoomstart', () => { moving = true; });
        map.on('moveend zoomend', () => { moving = false; });
        bench.settled = async () => {
            while (moving)
                await new Promise((r) => setTimeout(r, 20));
            await nextFrame();
            await nextFrame();
        };
        bench.map = map;
    }
})();
