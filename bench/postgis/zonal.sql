-- SPDX-License-Identifier: MIT
-- bench step (a): mean of raster table :rtab over every buurt. ST_Clip keeps the pixels whose
-- centre lies inside the buurt (PostGIS rasterises the geometry), not exact coverage.
COPY (SELECT b.bu_code AS "BU_CODE", (ST_SummaryStatsAgg(ST_Clip(r.rast, 1, b.geom, -9999, true), 1, true, 1)).mean AS value FROM buurten b JOIN :rtab r ON ST_Intersects(r.rast, b.geom) GROUP BY b.bu_code)
  TO STDOUT WITH (FORMAT csv, HEADER) \g :out
