#!/usr/bin/env bash
# PostGIS geography reference for greenmine's integration test (a second, independent tool).
#
# Usage:  scripts/postgis_reference.sh [DATADIR] > postgis.json
#   DATADIR (default tests/integration/data) holds mines.shp, redlines.gpkg, parcels.geojson
#   and zones.gdb.  Needs a running PostgreSQL + PostGIS 3 reached through the usual libpq
#   variables (PGHOST PGPORT PGUSER PGDATABASE ...; tests/integration/postgis_env.sh starts
#   a private one), ogr2ogr and psql.
#
# Loads the four inputs into a scratch schema (dropped on exit) with
#   ogr2ogr -f PostgreSQL PG:... -t_srs EPSG:4490 -nlt PROMOTE_TO_MULTI -lco GEOMETRY_NAME=geom
# checks that the coordinates are lon/lat, repairs invalid geometries with
# ST_MakeValid(geom, 'method=structure') (polygonal parts kept), and computes the rules of
# docs/contract.md with ST_Intersection / ST_Union on geometry (EPSG:4490) and areas with
# ST_Area(geography, true) (spheroid: GeographicLib geod_polygonarea on GRS 80), in
# hectares.  Writes JSON shaped like tests/integration/expected.json to stdout.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
datadir=${1:-$here/../tests/integration/data}
[ -d "$datadir" ] || { echo "postgis_reference: no directory $datadir" >&2; exit 2; }
for f in mines.shp redlines.gpkg parcels.geojson zones.gdb; do
    [ -e "$datadir/$f" ] || { echo "postgis_reference: missing $datadir/$f" >&2; exit 2; }
done
command -v ogr2ogr >/dev/null || { echo "postgis_reference: ogr2ogr not found" >&2; exit 2; }
command -v psql >/dev/null || { echo "postgis_reference: psql not found" >&2; exit 2; }

schema="gm_ref_$$_$(date +%s)"
PSQL=(psql -X -q -At -v ON_ERROR_STOP=1)
"${PSQL[@]}" -c "CREATE SCHEMA $schema" </dev/null
trap '"${PSQL[@]}" -c "DROP SCHEMA IF EXISTS $schema CASCADE" </dev/null >/dev/null 2>&1 || true' EXIT

pg="PG:dbname='${PGDATABASE:-${PGUSER:-$(id -un)}}'"
load() {   # load SRC [LAYER] AS TABLE
    local src=$1 layer=$2 table=$3
    # shellcheck disable=SC2086
    ogr2ogr -f PostgreSQL "$pg" "$src" $layer -nln "$table" -t_srs EPSG:4490 \
        -nlt PROMOTE_TO_MULTI -lco GEOMETRY_NAME=geom -lco SCHEMA="$schema" \
        -lco FID=gm_fid -lco SPATIAL_INDEX=GIST </dev/null
}
load "$datadir/mines.shp" "" mines
load "$datadir/redlines.gpkg" redlines redlines
load "$datadir/parcels.geojson" "" parcels
load "$datadir/zones.gdb" zones zones

# column NAME of TABLE for a canonical field: the first alias present (case-insensitive)
col() {
    local table=$1 a q
    shift
    for a in "$@"; do
        q=$("${PSQL[@]}" -c "SELECT quote_ident(column_name) FROM information_schema.columns
              WHERE table_schema = '$schema' AND table_name = '$table'
                AND lower(column_name) = lower('$a') LIMIT 1" </dev/null)
        if [ -n "$q" ]; then echo "$q"; return 0; fi
    done
    echo "NULL"
}
m_id=$(col mines mine_id 采矿许可证号 许可证号 XKZH KSBH)
m_name=$(col mines name 矿山名称 KSMC)
m_scale=$(col mines scale 规模 生产规模 GM)
r_id=$(col redlines redline_id 红线编号 HXBH)
r_cat=$(col redlines category 类型 类别 LX)
p_kind=$(col parcels kind 类型 LX)
p_status=$(col parcels status 状态 ZT)
p_date=$(col parcels completed_on 完成日期 WCRQ)
p_legacy=$(col parcels legacy 历史遗留 LSYL)
z_id=$(col zones zone_id 编号 BH)
z_name=$(col zones name 名称 MC)

# the coordinates must be lon/lat (x = longitude), whatever the CRS's axis order says
read -r xmin ymin <<<"$("${PSQL[@]}" -F ' ' -c "SELECT min(ST_XMin(geom)), min(ST_YMin(geom))
    FROM (SELECT geom FROM $schema.mines UNION ALL SELECT geom FROM $schema.zones
          UNION ALL SELECT geom FROM $schema.parcels UNION ALL SELECT geom FROM $schema.redlines) s" </dev/null)"
if ! awk -v x="$xmin" -v y="$ymin" 'BEGIN { exit !(x > 70 && x < 140 && y > 0 && y < 60) }'; then
    echo "postgis_reference: coordinates are not lon/lat (min x $xmin, min y $ymin)" >&2
    exit 1
fi

ogrver=$(ogr2ogr --version | tr -d '"')

"${PSQL[@]}" <<SQL
SET search_path = $schema, public;
SET datestyle = ISO;
SET client_min_messages = warning;

-- repair: GEOS MakeValid "structure", polygonal parts only
UPDATE mines    SET geom = ST_Multi(ST_CollectionExtract(ST_MakeValid(geom, 'method=structure'), 3))
 WHERE geom IS NOT NULL AND NOT ST_IsValid(geom);
UPDATE redlines SET geom = ST_Multi(ST_CollectionExtract(ST_MakeValid(geom, 'method=structure'), 3))
 WHERE geom IS NOT NULL AND NOT ST_IsValid(geom);
UPDATE parcels  SET geom = ST_Multi(ST_CollectionExtract(ST_MakeValid(geom, 'method=structure'), 3))
 WHERE geom IS NOT NULL AND NOT ST_IsValid(geom);
UPDATE zones    SET geom = ST_Multi(ST_CollectionExtract(ST_MakeValid(geom, 'method=structure'), 3))
 WHERE geom IS NOT NULL AND NOT ST_IsValid(geom);

CREATE FUNCTION ha(g geometry) RETURNS double precision LANGUAGE sql IMMUTABLE AS
  \$\$ SELECT COALESCE(ST_Area(ST_CollectionExtract(g, 3)::geography, true) / 10000.0, 0) \$\$;

CREATE TABLE m AS
SELECT btrim($m_id::text) AS mine_id, btrim($m_name::text) AS name,
       CASE lower(btrim(coalesce($m_scale::text, '')))
            WHEN 'large' THEN 'large' WHEN '大型' THEN 'large'
            WHEN 'medium' THEN 'medium' WHEN '中型' THEN 'medium'
            WHEN 'small' THEN 'small' WHEN '小型' THEN 'small' ELSE '' END AS scale,
       geom
  FROM mines;
CREATE TABLE r AS SELECT btrim($r_id::text) AS redline_id, btrim($r_cat::text) AS category, geom
  FROM redlines WHERE geom IS NOT NULL;
CREATE TABLE z AS SELECT btrim($z_id::text) AS zone_id, btrim($z_name::text) AS name, geom
  FROM zones WHERE geom IS NOT NULL;
CREATE TABLE ru AS SELECT ST_Union(geom) AS g FROM r;

-- one row per mine x red line overlap; < 1e-6 ha is reprojection noise
CREATE TABLE ov AS
SELECT m.mine_id, r.redline_id, r.category, ha(ST_Intersection(m.geom, r.geom)) AS a
  FROM m JOIN r ON ST_Intersects(m.geom, r.geom);
DELETE FROM ov WHERE a < 1e-6;

CREATE TABLE mz AS
SELECT m.mine_id, z.name, ha(ST_Intersection(m.geom, z.geom)) AS a
  FROM m JOIN z ON ST_Intersects(m.geom, z.geom);

CREATE TABLE mr AS
SELECT m.mine_id, m.name, m.scale,
       (m.geom IS NULL OR ST_IsEmpty(m.geom)) AS empty,
       CASE WHEN m.geom IS NULL THEN 0 ELSE ha(m.geom) END AS mine_ha,
       COALESCE((SELECT ha(ST_Intersection(m.geom, ru.g)) FROM ru), 0) AS conflict,
       COALESCE((SELECT mz.name FROM mz WHERE mz.mine_id = m.mine_id AND mz.a >= 1e-6
                  ORDER BY mz.a DESC LIMIT 1), '') AS zone_name
  FROM m;
UPDATE mr SET conflict = 0 WHERE conflict < 1e-6;

-- qualifying parcels: completed, dated inside 2016-01-01 .. 2020-12-31 (both days in),
-- restoration needs legacy = true, reclamation does not
CREATE TABLE pq AS
SELECT kind, geom FROM (
  SELECT CASE lower(btrim(coalesce($p_kind::text, '')))
              WHEN 'restoration' THEN 'restoration' WHEN '恢复治理' THEN 'restoration'
              WHEN 'reclamation' THEN 'reclamation' WHEN '土地复垦' THEN 'reclamation' END AS kind,
         CASE lower(btrim(coalesce($p_status::text, '')))
              WHEN 'completed' THEN 'completed' WHEN '已完成' THEN 'completed' END AS status,
         CASE WHEN btrim($p_date::text) ~ '^[0-9]{4}[-/][0-9]{2}[-/][0-9]{2}'
              THEN to_date(replace(substr(btrim($p_date::text), 1, 10), '/', '-'), 'YYYY-MM-DD')
         END AS done_on,
         lower(btrim(coalesce($p_legacy::text, ''))) IN ('1', 'true', '是', 't', 'yes', 'y') AS legacy,
         geom
    FROM parcels WHERE geom IS NOT NULL) s
 WHERE status = 'completed' AND done_on BETWEEN DATE '2016-01-01' AND DATE '2020-12-31'
   AND (kind = 'reclamation' OR (kind = 'restoration' AND legacy));
CREATE TABLE pu AS
SELECT k.kind, (SELECT ST_Union(geom) FROM pq WHERE pq.kind = k.kind) AS g
  FROM (VALUES ('restoration'), ('reclamation')) AS k(kind);

SELECT jsonb_pretty(jsonb_build_object(
  '_header', jsonb_build_object(
      'generator', 'scripts/postgis_reference.sh (independent of the engine)',
      'postgis', postgis_full_version(),
      'postgresql', version(),
      'ogr2ogr', '$ogrver',
      'area', 'ST_Area(geography, use_spheroid => true) of ST_Intersection / ST_Union on EPSG:4490 geometry',
      'repair', 'ST_MakeValid(geom, ''method=structure'')',
      'period', jsonb_build_array('2016-01-01', '2020-12-31')),
  'mines', (SELECT jsonb_object_agg(mr.mine_id, jsonb_build_object(
      'name', mr.name, 'scale', mr.scale, 'empty', mr.empty,
      'mine_ha', mr.mine_ha, 'redline_conflict_ha', mr.conflict,
      'verdict', CASE WHEN mr.conflict > 0 THEN 'conflict' ELSE 'clear' END,
      'zone_name', mr.zone_name,
      'redline_ids', COALESCE((SELECT jsonb_agg(ov.redline_id ORDER BY ov.redline_id COLLATE "C")
                                 FROM ov WHERE ov.mine_id = mr.mine_id), '[]'::jsonb),
      'conflict_areas', COALESCE((SELECT jsonb_object_agg(ov.redline_id, jsonb_build_object(
                                          'area_ha', ov.a, 'category', ov.category))
                                    FROM ov WHERE ov.mine_id = mr.mine_id), '{}'::jsonb)))
      FROM mr),
  'zones', (SELECT jsonb_object_agg(z.zone_id, jsonb_build_object(
      'name', z.name,
      'restoration_done_ha', (SELECT ha(ST_Intersection(pu.g, z.geom)) FROM pu WHERE pu.kind = 'restoration'),
      'reclamation_done_ha', (SELECT ha(ST_Intersection(pu.g, z.geom)) FROM pu WHERE pu.kind = 'reclamation'),
      'mines', (SELECT count(*) FROM mr WHERE mr.zone_name = z.name),
      'large_medium_mines', (SELECT count(*) FROM mr WHERE mr.zone_name = z.name
                                AND mr.scale IN ('large', 'medium')),
      'conflict_mines', (SELECT count(*) FROM mr WHERE mr.zone_name = z.name AND mr.conflict > 0)))
      FROM z),
  'province', (SELECT jsonb_build_object(
      'restoration_done_ha', (SELECT COALESCE(ha(g), 0) FROM pu WHERE kind = 'restoration'),
      'reclamation_done_ha', (SELECT COALESCE(ha(g), 0) FROM pu WHERE kind = 'reclamation'),
      'mines', (SELECT count(*) FROM mr),
      'mines_with_known_scale', (SELECT count(*) FROM mr WHERE scale <> ''),
      'large_medium_mines', (SELECT count(*) FROM mr WHERE scale IN ('large', 'medium')),
      'large_medium_share', (SELECT CASE WHEN count(*) FILTER (WHERE scale <> '') = 0 THEN 0
                                    ELSE (count(*) FILTER (WHERE scale IN ('large', 'medium')))::float8
                                         / count(*) FILTER (WHERE scale <> '') END FROM mr),
      'targets', jsonb_build_object('restoration_done_ha', 2000, 'reclamation_done_ha', 500,
                                    'large_medium_share', 0.07)))
));
SQL
