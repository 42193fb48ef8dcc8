-- SPDX-License-Identifier: MIT
-- bench step (d): buurt inhabitants onto the 100 m grid by exact area share. The buurten are
-- first cut with ST_Subdivide (the usual PostGIS speed-up for big polygons), then every grid
-- square of each piece (ST_SquareGrid, indices i = floor(x/100), j = floor(y/100)) gets
-- density x area of intersection.
COPY (WITH parts AS (SELECT aant_inw / ST_Area(geom) AS dens, ST_Subdivide(geom, 128) AS geom FROM buurten WHERE aant_inw > 0) SELECT 'E' || g.i || 'N' || g.j AS cell_id, sum(p.dens * ST_Area(ST_Intersection(p.geom, g.geom))) AS value FROM parts p CROSS JOIN LATERAL ST_SquareGrid(100, p.geom) g WHERE ST_Intersects(p.geom, g.geom) GROUP BY g.i, g.j)
  TO STDOUT WITH (FORMAT csv, HEADER) \g :out
