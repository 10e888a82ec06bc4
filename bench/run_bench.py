#!/usr/bin/env python3
"""run_bench.py -- times `greenmine check` beside the same check in SpatiaLite SQL.

On the data of make_data.py (made into OUTDIR when missing):
  single   one application (one.wkt) from a cold process start, --buffer 100;
  batch    the 1,000 applications of apps.gpkg, --buffer 100;
each run REPEAT times (median and best reported): greenmine, then the
`spatialite` CLI running the equivalent SQL on the same GeoPackage (R-tree
candidates within the same 5 km search, ellipsoidal ST_Area / ST_Distance,
the union of the red lines hit). The batch answers of both are compared.
"Cold" = a new process each run; the OS file cache is warm.
Usage: run_bench.py GREENMINE OUTDIR [REPEAT]
"""
import json
import os
import statistics
import subprocess
import sys
import time

GM, OUT = sys.argv[1], sys.argv[2]
REPEAT = int(sys.argv[3]) if len(sys.argv) > 3 else 5
HERE = os.path.dirname(os.path.abspath(__file__))
if not os.path.exists(os.path.join(OUT, "redlines.gpkg")):
    subprocess.run(["/usr/bin/python3", os.path.join(HERE, "make_data.py"), OUT], check=True)
os.chdir(OUT)
one = open("one.wkt").read().strip()
BUFFER = 100.0
DLAT, DLON = 0.05, 0.06  # covers greenmine's 5 km search for the nearest red line


def timed(cmd, stdin=None, repeat=REPEAT):
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        p = subprocess.run(cmd, input=stdin, capture_output=True, text=True)
        times.append(time.perf_counter() - t)
        if p.returncode not in (0, 3):
            sys.exit(f"{cmd[0]} failed ({p.returncode}): {p.stderr}")
        out = p.stdout
    return statistics.median(times), min(times), out


def sql(app_source):
    return f"""
SELECT InitSpatialMetadata(1) IS NULL;
SELECT EnableGpkgAmphibiousMode();
ATTACH DATABASE 'redlines.gpkg' AS g;
{app_source}
WITH pairs AS (
  SELECT a.id AS id, a.g AS ag, SetSRID(GeomFromGPB(r.geom), 4490) AS rg
  FROM apps_in a
  JOIN g.rtree_redlines_geom t
    ON t.minx <= MbrMaxX(a.g) + {DLON} AND t.maxx >= MbrMinX(a.g) - {DLON}
   AND t.miny <= MbrMaxY(a.g) + {DLAT} AND t.maxy >= MbrMinY(a.g) - {DLAT}
  JOIN g.redlines r ON r.fid = t.id),
per_app AS (
  SELECT id,
         ST_Area(ST_Intersection(MIN(ag), SetSRID(ST_Union(CASE WHEN ST_Intersects(ag, rg) = 1 THEN rg END), 4490)), 1) / 10000.0 AS overlap_ha,
         MIN(ST_Distance(ag, rg, 1)) AS nearest_m
  FROM pairs GROUP BY id)
SELECT a.id, ST_Area(a.g, 1) / 10000.0, IFNULL(p.overlap_ha, 0), p.nearest_m,
       CASE WHEN IFNULL(p.overlap_ha, 0) >= 1e-6 THEN 'conflict'
            WHEN p.nearest_m <= {BUFFER} THEN 'near' ELSE 'clear' END
FROM apps_in a LEFT JOIN per_app p ON p.id = a.id ORDER BY a.id;
"""


single_src = f"CREATE TEMP TABLE apps_in AS SELECT 'one' AS id, GeomFromText('{one}', 4490) AS g;"
batch_src = ("ATTACH DATABASE 'apps.gpkg' AS ap;\n"
             "CREATE TEMP TABLE apps_in AS SELECT mine_id AS id, "
             "SetSRID(GeomFromGPB(geom), 4490) AS g FROM ap.apps;")

rows = []
med, best, _ = timed([GM, "version"])
rows.append(("greenmine version (process start alone)", med, best))
med, best, _ = timed([GM, "check", "--redlines", "redlines.gpkg", "--buffer", str(BUFFER), "--json", one])
rows.append(("greenmine check, 1 application (cold start)", med, best))
med, best, out_gm = timed([GM, "check", "--redlines", "redlines.gpkg", "--buffer", str(BUFFER),
                           "--json", "apps.gpkg"])
rows.append(("greenmine check, 1,000 applications", med, best))
med, best, _ = timed(["spatialite", "-silent", ":memory:"], sql(single_src))
rows.append(("SpatiaLite SQL, 1 application (cold start)", med, best))
med, best, out_sl = timed(["spatialite", "-silent", ":memory:"], sql(batch_src),
                          repeat=max(1, min(REPEAT, 3)))
rows.append(("SpatiaLite SQL, 1,000 applications", med, best))
med, best, _ = timed(["spatialite", "-silent", ":memory:"], "SELECT InitSpatialMetadata(1) IS NULL;")
rows.append(("  of which SpatiaLite start + InitSpatialMetadata", med, best))
for name, med, best in rows:
    print(f"{name:50s} median {med:8.3f} s   best {best:8.3f} s")

gm = {a["id"]: a for a in json.loads(out_gm)["applications"]}
sl = {p[0]: p for p in (line.split("|") for line in out_sl.splitlines()) if len(p) == 5}
verdicts = ("conflict", "near", "clear")
print("verdicts: greenmine", {v: sum(a["verdict"] == v for a in gm.values()) for v in verdicts},
      "SpatiaLite", {v: sum(p[4] == v for p in sl.values()) for v in verdicts})
print("applications whose verdicts differ:", [k for k in sl if sl[k][4] != gm[k]["verdict"]])
area = max(abs(gm[k]["area_ha"] - float(sl[k][1])) / float(sl[k][1]) for k in sl)
over = [k for k in sl if float(sl[k][2] or 0) > 0]
ovr = max((abs(gm[k]["redline_overlap_ha"] - float(sl[k][2])) / float(sl[k][2]) for k in over),
          default=0)
dist = [k for k in sl if sl[k][3] and gm[k]["nearest_redline"] and float(sl[k][3]) > 0 and
        float(sl[k][3]) <= 5000]
dd = max((abs(gm[k]["nearest_redline"]["distance_m"] - float(sl[k][3])) for k in dist), default=0)
print(f"largest differences: area {area:.1e} relative; overlap {ovr:.1e} relative ({len(over)} "
      f"applications); nearest distance {dd:.4f} m ({len(dist)} applications)")
