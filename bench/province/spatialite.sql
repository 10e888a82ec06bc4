-- spatialite.sql -- the analyze job in SpatiaLite SQL (bench/run_province.py times it).
-- Tables loaded by ogr2ogr -f SQLite -dsco SPATIALITE=YES in EPSG:4490 (lon/lat), column
-- GEOMETRY, R-tree spatial indexes. Areas: ST_Area(geom, 1), on the ellipsoid.
UPDATE mines    SET GEOMETRY = CastToMultiPolygon(CollectionExtract(MakeValid(GEOMETRY), 3)) WHERE NOT ST_IsValid(GEOMETRY);
UPDATE redlines SET GEOMETRY = CastToMultiPolygon(CollectionExtract(MakeValid(GEOMETRY), 3)) WHERE NOT ST_IsValid(GEOMETRY);
UPDATE parcels  SET GEOMETRY = CastToMultiPolygon(CollectionExtract(MakeValid(GEOMETRY), 3)) WHERE NOT ST_IsValid(GEOMETRY);
CREATE TEMP TABLE mc AS
SELECT m.ogc_fid AS fid, ST_Area(ST_Union(ST_Intersection(m.GEOMETRY, r.GEOMETRY)), 1) / 10000.0 AS conflict
  FROM mines m JOIN redlines r
    ON r.ROWID IN (SELECT ROWID FROM SpatialIndex WHERE f_table_name = 'redlines' AND search_frame = m.GEOMETRY)
   AND ST_Intersects(m.GEOMETRY, r.GEOMETRY)
 GROUP BY m.ogc_fid;
CREATE TEMP TABLE mz AS
SELECT m.ogc_fid AS fid, z."名称" AS zone_name, ST_Area(ST_Intersection(m.GEOMETRY, z.GEOMETRY), 1) / 10000.0 AS a
  FROM mines m JOIN zones z
    ON m.ROWID IN (SELECT ROWID FROM SpatialIndex WHERE f_table_name = 'mines' AND search_frame = z.GEOMETRY)
   AND ST_Intersects(m.GEOMETRY, z.GEOMETRY);
CREATE TEMP TABLE mr AS
SELECT m.ogc_fid AS fid, m."许可证号" AS mine_id, ST_Area(m.GEOMETRY, 1) / 10000.0 AS mine_ha,
       CASE WHEN coalesce(mc.conflict, 0) < 1e-6 THEN 0 ELSE mc.conflict END AS conflict,
       coalesce((SELECT zone_name FROM mz WHERE mz.fid = m.ogc_fid AND mz.a >= 1e-6 ORDER BY a DESC LIMIT 1), '') AS zone_name
  FROM mines m LEFT JOIN mc ON mc.fid = m.ogc_fid;
CREATE TEMP TABLE pu AS
SELECT CASE "LX" WHEN '恢复治理' THEN 'restoration' ELSE 'reclamation' END AS kind, ST_Union(GEOMETRY) AS g
  FROM parcels
 WHERE "ZT" = '已完成' AND "WCRQ" BETWEEN '2016-01-01' AND '2020-12-31'
   AND ("LX" = '土地复垦' OR ("LX" = '恢复治理' AND "LSYL" = '是'))
 GROUP BY 1;
.mode csv
SELECT 'mine', mine_id, mine_ha, conflict, zone_name FROM mr ORDER BY mine_id;
SELECT 'zone', z."名称",
       (SELECT ST_Area(ST_Intersection(pu.g, z.GEOMETRY), 1) / 10000.0 FROM pu WHERE kind = 'restoration'),
       (SELECT ST_Area(ST_Intersection(pu.g, z.GEOMETRY), 1) / 10000.0 FROM pu WHERE kind = 'reclamation'),
       (SELECT count(*) FROM mr WHERE mr.zone_name = z."名称")
  FROM zones z ORDER BY z."编号";
SELECT 'province', kind, ST_Area(g, 1) / 10000.0, 0, '' FROM pu ORDER BY kind;
