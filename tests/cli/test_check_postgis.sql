-- test_check_postgis.sql -- the PostGIS side of test_check_postgis.sh.
-- Per application, as one JSON array: its area, the overlap with the union of
-- the red lines it intersects, each red line's own overlap, the nearest red
-- line, the existing mines it overlaps and the zone holding its largest part.
-- Every figure twice: on geometries densified along geodesics to 50 m
-- (ST_Segmentize on geography: greenmine takes edges as geodesics and
-- densifies the same way, PostGIS geometry overlays take them as straight
-- lon/lat lines) and on the raw geometries, to show why the first is needed.
-- Areas ST_Area(geography, true), distances ST_Distance(geography, geography)
-- (both on the spheroid). The densified distance is taken vertex-wise (gdist):
-- PostGIS 3.3 takes nearly collinear geography edges as intersecting (a 5.9 km
-- edge and a 1 km edge on the same parallel, 0.35 m apart at the closest, give
-- ST_Distance 0), while the distance of two disjoint polygons is always
-- reached at a vertex of one of them, which point-to-polygon distances measure
-- right; at 50 m spacing that is the exact distance.
\set ON_ERROR_STOP 1
CREATE FUNCTION gdist(a geometry, b geometry) RETURNS float8 LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN ST_Intersects(a, b) THEN 0 ELSE
    LEAST(ST_Distance(ST_Points(a)::geography, b::geography, true),
          ST_Distance(a::geography, ST_Points(b)::geography, true)) END $$;
CREATE TABLE r AS SELECT "红线编号" AS id, geom AS raw,
    ST_Segmentize(geom::geography, 50)::geometry AS seg FROM redlines;
CREATE TABLE a AS SELECT mine_id AS id, geom AS raw,
    ST_Segmentize(geom::geography, 50)::geometry AS seg FROM apps;
CREATE TABLE m AS SELECT "采矿许可证号" AS id, geom AS raw,
    ST_Segmentize(geom::geography, 50)::geometry AS seg FROM mines;
CREATE TABLE z AS SELECT "名称" AS name, geom AS raw,
    ST_Segmentize(geom::geography, 50)::geometry AS seg FROM zones;

SELECT json_agg(json_build_object(
  'id', a.id,
  'area_ha', ST_Area(a.raw::geography, true) / 1e4,
  'overlap_ha', COALESCE((SELECT ST_Area(ST_Intersection(a.seg, ST_Union(r.seg))::geography, true)
                          FROM r WHERE ST_Intersects(a.seg, r.seg)) / 1e4, 0),
  'overlap_raw_ha', COALESCE((SELECT ST_Area(ST_Intersection(a.raw, ST_Union(r.raw))::geography, true)
                              FROM r WHERE ST_Intersects(a.raw, r.raw)) / 1e4, 0),
  'redlines', (SELECT json_object_agg(r.id, json_build_array(
                   ST_Area(ST_Intersection(a.seg, r.seg)::geography, true) / 1e4,
                   ST_Area(ST_Intersection(a.raw, r.raw)::geography, true) / 1e4))
               FROM r WHERE ST_Intersects(a.seg, r.seg) OR ST_Intersects(a.raw, r.raw)),
  'nearest', (SELECT json_build_array(n.id, n.d, n.d_raw) FROM (
                  SELECT r.id, gdist(a.seg, r.seg) AS d,
                         ST_Distance(a.raw::geography, r.raw::geography, true) AS d_raw
                  FROM r ORDER BY 2 LIMIT 1) n),
  'mines', (SELECT json_object_agg(m.id, json_build_array(
                ST_Area(ST_Intersection(a.seg, m.seg)::geography, true) / 1e4,
                ST_Area(ST_Intersection(a.raw, m.raw)::geography, true) / 1e4))
            FROM m WHERE ST_Intersects(a.seg, m.seg)),
  'zone', (SELECT zz.name FROM (
               SELECT z.name, ST_Area(ST_Intersection(a.seg, z.seg)::geography, true) AS s
               FROM z WHERE ST_Intersects(a.seg, z.seg)) zz
           WHERE zz.s >= 0.01 ORDER BY zz.s DESC LIMIT 1)
) ORDER BY a.id) FROM a;
