-- SPDX-License-Identifier: MIT
-- bench step (c): distance from every inhabited square's centre to the nearest amenity, by the
-- KNN operator <-> on the GiST index (exact for points).
COPY (SELECT c.cell_id, (SELECT ST_Distance(c.geom, a.geom) FROM amenities a ORDER BY c.geom <-> a.geom LIMIT 1) AS value FROM cells c)
  TO STDOUT WITH (FORMAT csv, HEADER) \g :out
