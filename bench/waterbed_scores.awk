# SPDX-License-Identifier: MIT
# Scores for bench/waterbed.sh: three years of lbm, afw and six dimensions for the units of a
# benchmark tier, with a planted waterbed effect around the focus areas in the last period.
# Input lines: id,gm,wk,inhabitants,x,y (unit centroids in RD); focus centroids come from
# the file named by -v focus= (lines id,x,y). Deterministic: its own Park-Miller generator.
function rnd() {
    state = (16807 * state) % 2147483647
    return state / 2147483647
}
function gauss(  u, v) {
    u = rnd(); v = rnd()
    if (u < 1e-12) u = 1e-12
    return sqrt(-2 * log(u)) * cos(6.283185307179586 * v)
}
BEGIN {
    FS = ","
    state = 20240
    nf = 0
    while ((getline line < focus) > 0) {
        split(line, a, ",")
        fx[nf] = a[2]; fy[nf] = a[3]; nf++
    }
    split("0.10 0.06 0.05 0.08 0.05 0.09", sd, " ")
    print "CODE,GM_CODE,WK_CODE,jaar,lbm,afw,won,pub,vrz,bev,soc,vei,weight"
}
{ gsub(/"/, "") } # ogr2ogr quotes numbers that look like text
$4 > 0 {
    best = 1e18
    for (f = 0; f < nf; f++) {
        d = sqrt(($5 - fx[f]) ^ 2 + ($6 - fy[f]) ^ 2)
        if (d < best) best = d
    }
    # the focus area itself (centroid within 600 m of its centre) gains, 600-1500 m loses
    shift = best < 600 ? 0.10 : (best < 1500 ? -0.05 : 0)
    field = 0.08 * sin($5 / 23000) + 0.06 * cos($6 / 31000)
    for (k = 1; k <= 6; k++) d0[k] = field / 6 + sd[k] * gauss() / 2
    for (t = 0; t < 3; t++) {
        afw = 0
        for (k = 1; k <= 6; k++) {
            dk[k] = d0[k] + t * 0.01 * gauss() + (t == 2 ? shift / 6 : 0)
            afw += dk[k]
        }
        printf "%s,%s,%s,%d,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%d\n", $1, $2, $3, 2016 + 2 * t, 4.1 + afw, afw, dk[1], dk[2], dk[3], dk[4], dk[5], dk[6], $4
    }
}
