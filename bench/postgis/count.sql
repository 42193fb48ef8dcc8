-- SPDX-License-Identifier: MIT
-- bench step (b): amenities within 500 m of the centre of every inhabited square (exact).
COPY (SELECT c.cell_id, (SELECT count(*) FROM amenities a WHERE ST_DWithin(c.geom, a.geom, 500)) AS value FROM cells c)
  TO STDOUT WITH (FORMAT csv, HEADER) \g :out
