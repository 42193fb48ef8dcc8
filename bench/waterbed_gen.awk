# SPDX-License-Identifier: MIT
# Synthetic national units for bench/waterbed.sh: a quadtree of square units over the RD
# extent of the Netherlands (280 x 325 km), small near 40 city centres and large in between;
# three years of scores with a planted ring effect; 40 rectangular focus areas.
# Usage: awk -v dir=OUT -v min_m=625 -v seed=1 -f waterbed_gen.awk
# Deterministic: its own Park-Miller generator (awk's rand() differs between awks).

function rnd() {
    state = (16807 * state) % 2147483647
    return state / 2147483647
}
function gauss(  u, v) {
    u = rnd(); v = rnd()
    if (u < 1e-12) u = 1e-12
    return sqrt(-2 * log(u)) * cos(6.283185307179586 * v)
}
function target(x, y,   c, d, best, t) {
    best = 1e18
    for (c = 0; c < ncity; c++) {
        d = sqrt((x - cx[c]) ^ 2 + (y - cy[c]) ^ 2) / cr[c]
        if (d < best) best = d
    }
    t = min_m
    while (t < 10000 && best > 1) { t *= 2; best /= 2.2 }
    return t
}
function leaf(x, y, s,   k, i, wkt, px, py) {
    n++
    ux[n] = x; uy[n] = y; us[n] = s
    wkt = "POLYGON (("
    # densified edges: pts points per side, counter-clockwise from the lower left
    for (i = 0; i < pts; i++) wkt = wkt sprintf("%.1f %.1f,", x + s * i / pts, y)
    for (i = 0; i < pts; i++) wkt = wkt sprintf("%.1f %.1f,", x + s, y + s * i / pts)
    for (i = 0; i < pts; i++) wkt = wkt sprintf("%.1f %.1f,", x + s - s * i / pts, y + s)
    for (i = 0; i < pts; i++) wkt = wkt sprintf("%.1f %.1f,", x, y + s - s * i / pts)
    wkt = wkt sprintf("%.1f %.1f))", x, y)
    gm[n] = sprintf("GM%04d", int((x - X0) / 20000) * 20 + int((y - Y0) / 20000))
    wk[n] = sprintf("WK%06d", int((x - X0) / 5000) * 100 + int((y - Y0) / 5000))
    printf "\"%s\",BU%08d,%s,%s\n", wkt, n, gm[n], wk[n] > units
}
function subdiv(x, y, s,   h) {
    if (s <= target(x + s / 2, y + s / 2) || s <= min_m) { leaf(x, y, s); return }
    h = s / 2
    subdiv(x, y, h); subdiv(x + h, y, h); subdiv(x, y + h, h); subdiv(x + h, y + h, h)
}
function rect_gap(ax0, ay0, ax1, ay1, bx0, by0, bx1, by1,   dx, dy) {
    dx = bx0 - ax1; if (ax0 - bx1 > dx) dx = ax0 - bx1; if (dx < 0) dx = 0
    dy = by0 - ay1; if (ay0 - by1 > dy) dy = ay0 - by1; if (dy < 0) dy = 0
    return sqrt(dx * dx + dy * dy)
}
BEGIN {
    if (seed == "") seed = 1
    if (min_m == "") min_m = 625
    if (pts == "") pts = 10
    state = 12345 + 7919 * seed
    X0 = 13000; Y0 = 306000; W = 280000; H = 325000
    units = dir "/units.csv"; scores = dir "/scores.csv"; focus = dir "/focus.csv"
    ncity = 40
    for (c = 0; c < ncity; c++) {
        cx[c] = X0 + 20000 + rnd() * (W - 40000)
        cy[c] = Y0 + 20000 + rnd() * (H - 40000)
        cr[c] = 1500 + 3200 * rnd()
    }
    print "WKT,BU_CODE,GM_CODE,WK_CODE" > units
    n = 0
    for (gx = X0; gx < X0 + W; gx += 10000)
        for (gy = Y0; gy < Y0 + H; gy += 10000)
            subdiv(gx, gy, 10000)
    # focus areas: 1.6 km squares near the city centres, snapped to the finest grid
    print "WKT,WK_CODE,WK_NAAM,GM_CODE" > focus
    for (c = 0; c < ncity; c++) {
        fx0[c] = int((cx[c] + 1500 * (rnd() - 0.5)) / min_m) * min_m
        fy0[c] = int((cy[c] + 1500 * (rnd() - 0.5)) / min_m) * min_m
        fx1[c] = fx0[c] + 1600; fy1[c] = fy0[c] + 1600
        printf "\"POLYGON ((%d %d,%d %d,%d %d,%d %d,%d %d))\",FOCUS%02d,Focus %d,GM%04d\n", fx0[c], fy0[c], fx1[c], fy0[c], fx1[c], fy1[c], fx0[c], fy1[c], fx0[c], fy0[c], c, c, int((fx0[c] - X0) / 20000) * 20 + int((fy0[c] - Y0) / 20000) > focus
    }
    # scores: six dimensions, a smooth field plus noise; Δ noise plus +0.10 in focus areas and
    # -0.05 within 500 m of them from 2018 on
    print "BU_CODE,GM_CODE,WK_CODE,jaar,lbm,afw,won,pub,vrz,bev,soc,vei,weight" > scores
    split("0.10 0.06 0.05 0.08 0.05 0.09", sd, " ")
    for (u = 1; u <= n; u++) {
        mx = ux[u] + us[u] / 2; my = uy[u] + us[u] / 2
        field = 0.08 * sin(mx / 23000) + 0.06 * cos(my / 31000)
        inside = 0; near = 0
        for (c = 0; c < ncity; c++) {
            g = rect_gap(ux[u], uy[u], ux[u] + us[u], uy[u] + us[u], fx0[c], fy0[c], fx1[c], fy1[c])
            if (g == 0 && mx > fx0[c] && mx < fx1[c] && my > fy0[c] && my < fy1[c]) inside = 1
            else if (g <= 500) near = 1
        }
        pop = int(us[u] * us[u] / 1e6 * (300 + 9000 * min_m * min_m / (us[u] * us[u])) + 0.5)
        for (k = 1; k <= 6; k++) d0[k] = field / 6 + sd[k] * gauss() / 2 - (inside ? 0.03 : 0)
        for (t = 0; t < 3; t++) {
            afw = 0
            for (k = 1; k <= 6; k++) {
                dk[k] = d0[k] + t * 0.01 * gauss()
                if (t == 2) dk[k] += (inside ? 0.10 : (near ? -0.05 : 0)) / 6
                afw += dk[k]
            }
            printf "BU%08d,%s,%s,%d,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%d\n", u, gm[u], wk[u], 2016 + 2 * t, 4.1 + afw, afw, dk[1], dk[2], dk[3], dk[4], dk[5], dk[6], pop > scores
        }
    }
    printf "%d units\n", n
}
