#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# leefbaar benchmark: times leefbaar and its peers (PostGIS 3.3, GeoPandas 0.12 + rasterio, the
# GDAL 3.6 command-line tools; all from Debian) on the same synthetic tier, step by step, and
# prints wall time, peak RSS and leefbaar's speed ratio per step. See bench/README.md.
#
# usage: bash bench/run.sh [T0|T1|T2] [--reps N] [--steps a1,a10,b,c,d,e,t]
#                          [--tools leefbaar,postgis,geopandas,gdal,exactextract] [--timeout S]
#                          [--keep]
# env:   LB_TIERS (default /tmp/lb-tiers), LB_BENCH_OUT (default /tmp/lb-bench/TIER),
#        LB_BENCH_BUILD (default /tmp/lb-bench-build), LB_EXACTEXTRACT (an exactextract
#        binary built outside the project; without it that peer is skipped)
# steps: a1/a10 zonal means, b counts, c nearest, d area weights, e the 20-indicator model with
#        --outputs gpkg,csv, t (T2 only) that model with every default output then waterbed
#        (bench/waterbed.sh buurt), alternating; the load average is noted at every run
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bench=$root/bench

tier=T2
reps=3
steps=a1,a10,b,c,d,e,t
tools=leefbaar,postgis,geopandas,gdal,exactextract
timeout_s=1800
keep=0
while [[ $# -gt 0 ]]; do
    case $1 in
    T0 | T1 | T2) tier=$1 ;;
    --reps) reps=$2; shift ;;
    --steps) steps=$2; shift ;;
    --tools) tools=$2; shift ;;
    --timeout) timeout_s=$2; shift ;;
    --keep) keep=1 ;;
    -h | --help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "bench: unknown argument '$1' (try --help)" >&2; exit 2 ;;
    esac
    shift
done
has() { [[ ",$2," == *",$1,"* ]]; }

tiers=${LB_TIERS:-/tmp/lb-tiers}
out=${LB_BENCH_OUT:-/tmp/lb-bench/$tier}
build=${LB_BENCH_BUILD:-/tmp/lb-bench-build}
py=/usr/bin/python3 # Debian's Python: the one python3-geopandas installs into

echo "== setup: Debian packages (scripts/setup-deps.sh --bench) and an optimised build"
bash "$root/scripts/setup-deps.sh" --bench
if [[ ! -f $build/build.ninja ]]; then
    meson setup "$build" "$root" -Dbuildtype=release -Dtests=false >/dev/null
fi
meson compile -C "$build" >/dev/null
lb=$build/src/cli/leefbaar
gen=$build/tools/tiers/leefbaar-tiers

T=$tiers/$tier
if [[ ! -f $T/tier.txt ]] || ! grep -q "^seed: 20240$" "$T/tier.txt"; then
    echo "== generating $tier into $T"
    "$gen" "$tier" "$T"
fi
mkdir -p "$out"
# --keep adds to the results of an earlier run (e.g. the peers measured once, leefbaar again)
if [[ $keep -eq 0 ]]; then : >"$out/results.tsv"; fi
rasters=()
for n in noise_lden green_share no2 pm25 tree_cover impervious heat_island flood_depth \
    subsidence night_light; do
    rasters+=("$T/rasters/$n.tif")
done
nbuurten=$(sed -n 's/^buurten: \([0-9]*\).*/\1/p' "$T/tier.txt")

# measure STEP TOOL REP LOG CMD...: wall time and peak RSS of CMD (GNU time), its exit status.
measure() {
    local step=$1 tool=$2 rep=$3 log=$4
    shift 4
    local tf=$out/.time
    local rc=0
    note "$step" "$tool" "load1_$rep" "$(cut -d' ' -f1 /proc/loadavg)"
    /usr/bin/time -f "%e %M" -o "$tf" timeout "$timeout_s" "$@" >"$log" 2>&1 || rc=$?
    local wall rss
    read -r wall rss < <(tail -1 "$tf")
    [[ $rc -eq 124 ]] && wall=">$timeout_s"
    echo "  $step $tool rep $rep: ${wall} s, $((rss / 1024)) MB, exit $rc"
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$step" "$tool" "$rep" "$wall" "$((rss / 1024))" "$rc" \
        >>"$out/results.tsv"
}
# note STEP TOOL KEY VALUE: extra figures (compute-only seconds, extrapolation, ...).
note() { printf '%s\t%s\t%s\t%s\n' "$@" >>"$out/notes.tsv"; }
if [[ $keep -eq 0 ]]; then : >"$out/notes.tsv"; fi

# ---- leefbaar ---------------------------------------------------------------------------
lb_inputs() {
    local what=$1
    case $what in
    zonal-1) echo "--mode area --outputs csv --full-precision --input buurten=$T/buurten_2020.gpkg:buurten --input r01=${rasters[0]} --units buurten" ;;
    zonal-10)
        local s="--mode area --outputs csv --full-precision --input buurten=$T/buurten_2020.gpkg:buurten --units buurten"
        for k in $(seq 1 10); do s+=" --input $(printf 'r%02d' "$k")=${rasters[$((k - 1))]}"; done
        echo "$s" ;;
    count-500 | nearest) echo "--outputs csv --input vierkanten=$T/vierkanten_2020.gpkg:vierkanten --input amenities=$T/amenities_2020.gpkg:amenities --units grid" ;;
    areaweight) echo "--outputs csv --input buurten=$T/buurten_2020.gpkg:buurten --input r01=${rasters[0]} --units grid" ;;
    t2-20 | t2-all)
        local s="--input buurten=$T/buurten_2020.gpkg:buurten --input vierkanten=$T/vierkanten_2020.gpkg:vierkanten"
        s+=" --input amenities=$T/amenities_2020.gpkg:amenities --input incidents=$T/incidents_2020.gpkg:incidents --units buurten --year 2020"
        if [[ $what == t2-20 ]]; then s+=" --outputs gpkg,csv"; fi
        for k in $(seq 1 10); do s+=" --input $(printf 'r%02d' "$k")=${rasters[$((k - 1))]}"; done
        echo "$s" ;;
    esac
}
# The compute part of a run: run.json timings minus reading the inputs and writing the outputs.
lb_step() { "$py" "$bench/report.py" stepjson "$1"; }
# run_TOOL STEP REP: one repetition of STEP by that tool (run_step alternates the tools).
declare -A lb_model=([a1]=zonal-1 [a10]=zonal-10 [b]=count-500 [c]=nearest [d]=areaweight [e]=t2-20)
run_leefbaar() {
    local step=$1 rep=$2 model=${lb_model[$1]}
    local o=$out/leefbaar-$step-$rep
    rm -rf "$o"
    # shellcheck disable=SC2046
    measure "$step" leefbaar "$rep" "$out/leefbaar-$step.log" \
        "$lb" score -q --model "$bench/models/$model.yaml" $(lb_inputs "$model") -o "$o"
    if [[ -f $o/run.json ]]; then
        note "$step" leefbaar "compute_s_$rep" "$(lb_step "$o/run.json")"
        note "$step" leefbaar "timings_$rep" "$("$py" "$bench/report.py" timings "$o/run.json")"
    fi
    if [[ $rep -gt 1 ]]; then rm -rf "$o"; fi
}

# ---- PostGIS ------------------------------------------------------------------------------
pgdir=/tmp/lb-bench-pg
pgport=55433
pgconn="host=$pgdir port=$pgport dbname=bench user=postgres"
pgbin=/usr/lib/postgresql/15/bin
pg_stop() {
    if [[ -f $pgdir/data/postmaster.pid ]]; then
        su postgres -c "$pgbin/pg_ctl -D $pgdir/data -m fast stop" >/dev/null 2>&1 || true
    fi
}
pg_start() {
    pg_stop
    rm -rf "$pgdir"
    mkdir -p "$pgdir"
    chown postgres "$pgdir"
    su postgres -c "$pgbin/initdb -D $pgdir/data -A trust -E UTF8 --no-sync" >/dev/null
    # A cluster tuned as a user would for one analytic session on this 2-core, 24 GB machine.
    su postgres -c "$pgbin/pg_ctl -D $pgdir/data -w -l $pgdir/log -o \"-p $pgport -k $pgdir \
        -c listen_addresses='' -c shared_buffers=2GB -c work_mem=256MB \
        -c maintenance_work_mem=1GB -c max_parallel_workers_per_gather=2 -c fsync=off \
        -c synchronous_commit=off -c full_page_writes=off -c jit=off\" start" >/dev/null
    psql -q -X "host=$pgdir port=$pgport dbname=postgres user=postgres" -c "CREATE DATABASE bench" >/dev/null
    psql -q -X "$pgconn" -c "CREATE EXTENSION postgis; CREATE EXTENSION postgis_raster" >/dev/null
}
# The backend's peak RSS goes into the log through psql's \! (GNU time sees only psql).
pg_query() {
    local sqlfile=$1
    shift
    psql -X -q -v ON_ERROR_STOP=1 "$@" "$pgconn" <<SQL
SELECT pg_backend_pid() AS pid \gset
\i $sqlfile
\setenv LB_PG_PID :pid
\! grep VmHWM /proc/\$LB_PG_PID/status
SQL
}
pg_rss() { sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "$1" | tail -1; }
run_postgis() {
    local step=$1 rep=$2
    local log=$out/postgis-$step.log
    case $step in
    a1) measure a1 postgis "$rep" "$log" bash -c "$(declare -f pg_query); pgconn='$pgconn'; pg_query $bench/postgis/zonal.sql -v rtab=r01 -v out=$out/postgis-a1.csv" ;;
    a10)
        local script=""
        for k in $(seq 1 10); do
            script+="pg_query $bench/postgis/zonal.sql -v rtab=$(printf 'r%02d' "$k") -v out=$out/postgis-a10-$(printf 'r%02d' "$k").csv; "
        done
        measure a10 postgis "$rep" "$log" bash -c "$(declare -f pg_query); pgconn='$pgconn'; $script" ;;
    b) measure b postgis "$rep" "$log" bash -c "$(declare -f pg_query); pgconn='$pgconn'; pg_query $bench/postgis/count.sql -v out=$out/postgis-b.csv" ;;
    c) measure c postgis "$rep" "$log" bash -c "$(declare -f pg_query); pgconn='$pgconn'; pg_query $bench/postgis/nearest.sql -v out=$out/postgis-c.csv" ;;
    d) measure d postgis "$rep" "$log" bash -c "$(declare -f pg_query); pgconn='$pgconn'; pg_query $bench/postgis/areaweight.sql -v out=$out/postgis-d.csv" ;;
    esac
    local kb
    kb=$(pg_rss "$log")
    if [[ -n $kb ]]; then note "$step" postgis "backend_rss_mb_$rep" "$((kb / 1024))"; fi
}

# ---- GeoPandas ----------------------------------------------------------------------------
run_geopandas() {
    local step=$1 rep=$2 what rs=()
    case $step in
    a1) what=zonal; rs=("${rasters[0]}") ;;
    a10) what=zonal; rs=("${rasters[@]}") ;;
    b) what=count ;;
    c) what=nearest ;;
    d) what=areaweight ;;
    esac
    local log=$out/geopandas-$step.log
    measure "$step" geopandas "$rep" "$log" "$py" "$bench/peer_geopandas.py" "$what" "$T" \
        "$out/geopandas-$step.csv" "${rs[@]}"
    note "$step" geopandas "compute_s_$rep" "$(sed -n 's/^step_s //p' "$log")"
}

# ---- GDAL command-line tools --------------------------------------------------------------
run_gdal() {
    local step=$1 rep=$2 nsample=200
    local log=$out/gdal-$step.log
    case $step in
    a1) measure a1 gdal "$rep" "$log" bash "$bench/peer_gdal.sh" zonal "$T" "$out/gdal-work" \
            "$nsample" "$out/gdal-a1.csv" "${rasters[0]}"
        note a1 gdal "extrapolate_$rep" "$nbuurten/$nsample" ;;
    a10) measure a10 gdal "$rep" "$log" bash "$bench/peer_gdal.sh" zonal "$T" "$out/gdal-work" \
            "$nsample" "$out/gdal-a10.csv" "${rasters[@]}"
        note a10 gdal "extrapolate_$rep" "$nbuurten/$nsample" ;;
    c) measure c gdal "$rep" "$log" bash "$bench/peer_gdal.sh" nearest "$T" "$out/gdal-work" \
            "$out/gdal-c.tif" ;;
    d) measure d gdal "$rep" "$log" bash "$bench/peer_gdal.sh" areaweight "$T" "$out/gdal-work" \
            "$out/gdal-d.tif" ;;
    esac
}

# ---- exactextract -------------------------------------------------------------------------
# The exact zonal peer: exactextract's own CLI, built from its public source outside the project
# (bench/README.md) and given as LB_EXACTEXTRACT; its "mean" is the coverage-fraction-weighted
# mean over the pixels a polygon touches, nodata pixels left out, as ours.
ee=${LB_EXACTEXTRACT:-}
if has exactextract "$tools" && [[ -z $ee || ! -x $ee ]]; then
    echo "== exactextract: skipped (set LB_EXACTEXTRACT=/path/to/exactextract, built from"
    echo "   https://github.com/isciences/exactextract outside the project; see bench/README.md)"
    tools=${tools//exactextract/}
fi
run_exactextract() {
    local step=$1 rep=$2 n args=()
    case $step in
    a1) n=1 ;;
    a10) n=10 ;;
    *) return 0 ;;
    esac
    for k in $(seq 1 "$n"); do
        local code
        code=$(printf 'r%02d' "$k")
        args+=(-r "$code:${rasters[$((k - 1))]}" -s "mean($code)")
    done
    measure "$step" exactextract "$rep" "$out/exactextract-$step.log" "$ee" \
        -p "$T/buurten_2020.gpkg" -f BU_CODE "${args[@]}" -o "$out/exactextract-$step.csv"
}

# ---- the issue-17 total: score with every default output, then waterbed -----------------
# Alternating per repetition; waterbed is bench/waterbed.sh (T2 buurten, 40 focus areas, 199
# placebos, 999 draws), its scores and focus areas made once before the first timed run.
wtier=$tiers/T2-norasters
wdir=$out/waterbed
total_prepare() {
    echo "   (waterbed inputs: $wdir)"
    LB_TIERS=$wtier LB_BENCH_DIR=$wdir bash "$bench/waterbed.sh" buurt "$build" \
        >"$out/waterbed-prepare.log" 2>&1
}
run_total() {
    local rep=$2 # $1 is the step, t
    local o=$out/leefbaar-t-$rep
    rm -rf "$o"
    # shellcheck disable=SC2046
    measure t score "$rep" "$out/leefbaar-t.log" \
        "$lb" score -q --model "$bench/models/t2-20.yaml" $(lb_inputs t2-all) -o "$o"
    if [[ -f $o/run.json ]]; then
        note t score "timings_$rep" "$("$py" "$bench/report.py" timings "$o/run.json")"
    fi
    measure t waterbed "$rep" "$out/waterbed-t.log" \
        env LB_TIERS="$wtier" LB_BENCH_DIR="$wdir" bash "$bench/waterbed.sh" buurt "$build"
    if [[ $rep -gt 1 ]]; then rm -rf "$o"; fi
}

# The repetitions alternate between the tools (leefbaar, peer, peer, leefbaar, ...), so that a
# change in the machine's load falls on all of them alike.
run_step() {
    local step=$1 run=()
    case $step in
    t)
        if [[ $tier == T2 ]] && has leefbaar "$tools"; then
            echo "== step t: score with every default output + waterbed, alternating"
            total_prepare
            run=(run_total)
        fi ;;
    e)
        if has leefbaar "$tools"; then
            echo "== step e: the whole 20-indicator model"
            run=(run_leefbaar)
        fi ;;
    *)
        echo "== step $step"
        if has leefbaar "$tools"; then run+=(run_leefbaar); fi
        if has postgis "$tools"; then run+=(run_postgis); fi
        if has geopandas "$tools"; then run+=(run_geopandas); fi
        if has gdal "$tools" && [[ $step != b ]]; then run+=(run_gdal); fi
        if has exactextract "$tools" && [[ $step == a1 || $step == a10 ]]; then
            run+=(run_exactextract)
        fi ;;
    esac
    if [[ ${#run[@]} -eq 0 ]]; then return 0; fi
    for rep in $(seq 1 "$reps"); do
        for f in "${run[@]}"; do "$f" "$step" "$rep"; done
    done
}
# The slowest step for the peers (d) last.
for step in a1 a10 b c e t d; do
    if has "$step" "$steps"; then run_step "$step"; fi
done
# Only the cluster this run started: another bench run may be using its own.
if has postgis "$tools"; then pg_stop; fi
"$py" "$bench/report.py" table "$out" "$T" | tee "$out/table.md"
