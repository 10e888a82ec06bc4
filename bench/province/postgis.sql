-- postgis.sql -- the analyze job in PostGIS SQL (bench/run_province.py times it).
-- Tables mines, redlines, parcels, zones were loaded by ogr2ogr into EPSG:4490 (lon/lat),
-- geometry column geom, GiST indexes. Rules as scripts/postgis_reference.sh: repair with
-- MakeValid structure, ST_Intersection / ST_Union on geometry, ST_Area(geography, true);
-- with -v densify=1 the edges are first densified to 50 m along the geodesic (below).
-- Writes /dev/stdout-style CSV through \copy: mines then zones.
SET client_min_messages = warning;
SET datestyle = ISO;
UPDATE mines    SET geom = ST_Multi(ST_CollectionExtract(ST_MakeValid(geom, 'method=structure'), 3)) WHERE NOT ST_IsValid(geom);
UPDATE redlines SET geom = ST_Multi(ST_CollectionExtract(ST_MakeValid(geom, 'method=structure'), 3)) WHERE NOT ST_IsValid(geom);
UPDATE parcels  SET geom = ST_Multi(ST_CollectionExtract(ST_MakeValid(geom, 'method=structure'), 3)) WHERE NOT ST_IsValid(geom);
-- With -v densify=1: the contract's edges are geodesics, so, like greenmine, every edge over
-- 50 m gets points along it (ST_Segmentize on geography: great-circle points, a hair off the
-- GRS 80 geodesic) and the overlay's cuts on the lon/lat chords stay within ~3e-5 m of the
-- edges ST_Area(geography) assumes. Without it (densify=0, the plain job) a mine's long
-- edge cut by a red line moves its conflict by up to 3e-4 (bench/RESULTS.md).
\if :densify
UPDATE mines    SET geom = ST_Segmentize(geom::geography, 50)::geometry;
UPDATE redlines SET geom = ST_Segmentize(geom::geography, 50)::geometry;
UPDATE parcels  SET geom = ST_Segmentize(geom::geography, 50)::geometry;
UPDATE zones    SET geom = ST_Segmentize(geom::geography, 50)::geometry;
\endif
CREATE FUNCTION pg_temp.ha(g geometry) RETURNS double precision LANGUAGE sql IMMUTABLE AS
  $$ SELECT COALESCE(ST_Area(ST_CollectionExtract(g, 3)::geography, true) / 10000.0, 0) $$;
-- per mine: the union of its overlaps with the red lines it meets (no province-wide union)
CREATE TEMP TABLE mc AS
SELECT m.gm_fid, pg_temp.ha(ST_Union(ST_Intersection(m.geom, r.geom))) AS conflict
  FROM mines m JOIN redlines r ON ST_Intersects(m.geom, r.geom)
 GROUP BY m.gm_fid;
CREATE TEMP TABLE mz AS
SELECT DISTINCT ON (m.gm_fid) m.gm_fid, z."名称" AS zone_name,
       pg_temp.ha(ST_Intersection(m.geom, z.geom)) AS a
  FROM mines m JOIN zones z ON ST_Intersects(m.geom, z.geom)
 ORDER BY m.gm_fid, 3 DESC;
CREATE TEMP TABLE mr AS
SELECT m.gm_fid, m."许可证号" AS mine_id, m."规模" AS scale, pg_temp.ha(m.geom) AS mine_ha,
       CASE WHEN coalesce(mc.conflict, 0) < 1e-6 THEN 0 ELSE mc.conflict END AS conflict,
       CASE WHEN mz.a >= 1e-6 THEN mz.zone_name ELSE '' END AS zone_name
  FROM mines m LEFT JOIN mc USING (gm_fid) LEFT JOIN mz USING (gm_fid);
CREATE TEMP TABLE pq AS
SELECT CASE lx WHEN '恢复治理' THEN 'restoration' ELSE 'reclamation' END AS kind, geom
  FROM parcels
 WHERE zt = '已完成' AND wcrq BETWEEN '2016-01-01' AND '2020-12-31'
   AND (lx = '土地复垦' OR (lx = '恢复治理' AND lsyl = '是'));
CREATE TEMP TABLE pu AS SELECT kind, ST_Union(geom) AS g FROM pq GROUP BY kind;
CREATE TEMP TABLE zr AS
SELECT z."编号" AS zone_id, z."名称" AS name,
       (SELECT pg_temp.ha(ST_Intersection(pu.g, z.geom)) FROM pu WHERE kind = 'restoration') AS restoration,
       (SELECT pg_temp.ha(ST_Intersection(pu.g, z.geom)) FROM pu WHERE kind = 'reclamation') AS reclamation,
       (SELECT count(*) FROM mr WHERE mr.zone_name = z."名称") AS mines,
       (SELECT count(*) FROM mr WHERE mr.zone_name = z."名称" AND mr.conflict > 0) AS conflict_mines
  FROM zones z;
\copy (SELECT 'mine', mine_id, mine_ha, conflict, zone_name FROM mr ORDER BY mine_id) TO STDOUT WITH CSV
\copy (SELECT 'zone', name, restoration, reclamation, mines FROM zr ORDER BY zone_id) TO STDOUT WITH CSV
\copy (SELECT 'province', kind, pg_temp.ha(g), 0, '' FROM pu ORDER BY kind) TO STDOUT WITH CSV
