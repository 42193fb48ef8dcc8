#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Load a tier into the throwaway PostGIS database: buurten, amenities, the centres of the
# inhabited squares (cells) with GiST indexes, and RASTERS as 256 x 256 tiles (raster2pgsql).
# usage: load.sh TIER_DIR PGCONN RASTER...
set -euo pipefail
tier=$1; conn=$2; shift 2
ogr2ogr -f PostgreSQL "PG:$conn" "$tier/buurten_2020.gpkg" buurten -nln buurten \
    -lco GEOMETRY_NAME=geom -lco SPATIAL_INDEX=GIST -lco FID=fid -overwrite -q
ogr2ogr -f PostgreSQL "PG:$conn" "$tier/amenities_2020.gpkg" amenities -nln amenities \
    -lco GEOMETRY_NAME=geom -lco SPATIAL_INDEX=GIST -overwrite -q
ogr2ogr -f PostgreSQL "PG:$conn" "$tier/vierkanten_2020.gpkg" vierkanten -nln vierkanten \
    -lco GEOMETRY_NAME=geom -lco SPATIAL_INDEX=NONE -overwrite -q
psql -q -X -v ON_ERROR_STOP=1 "$conn" <<'SQL'
DROP TABLE IF EXISTS cells;
CREATE TABLE cells AS
  SELECT 'E' || floor(ST_XMin(geom) / 100)::int || 'N' || floor(ST_YMin(geom) / 100)::int AS cell_id,
         ST_Centroid(geom)::geometry(Point, 28992) AS geom
  FROM vierkanten;
CREATE INDEX ON cells USING gist (geom);
VACUUM ANALYZE buurten;
VACUUM ANALYZE amenities;
VACUUM ANALYZE cells;
SQL
k=0
for r in "$@"; do
    k=$((k + 1))
    t=$(printf 'r%02d' $k)
    raster2pgsql -q -s 28992 -t 256x256 -N -9999 -I -C -M "$r" "$t" 2>/dev/null \
        | psql -q -X -v ON_ERROR_STOP=1 "$conn" >/dev/null
done
