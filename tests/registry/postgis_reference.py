#!/usr/bin/python3
"""Progress recomputed by PostGIS from a PostgreSQL registry, and compared.

  postgis_reference.py DBNAME PROGRESS.json [OTHER.json]

For every snapshot in the registry database DBNAME (reached through the PG*
environment, psql), the qualifying parcels of that snapshot are unioned with
ST_Union per kind and measured with ST_Area(geography, true) -- for the
province, and clipped (ST_Intersection) to each zone in force. Each
`greenmine progress --json` figure must agree within 1e-4 relative (1e-6 ha
floor). With OTHER.json (the same series from another backend), every figure
of both must agree within 1e-9 relative. Exit 1 on any difference.
"""
import json
import subprocess
import sys

SQL = """
WITH snap AS (SELECT snapshot_id, as_of FROM snapshot),
q AS (
  SELECT s.as_of, v.snapshot_id, v.kind, v.geom FROM parcel_version v JOIN snap s USING (snapshot_id)
  WHERE v.status = 'completed' AND v.completed_on BETWEEN '2016-01-01' AND s.as_of
    AND (v.kind = 'reclamation' OR (v.kind = 'restoration' AND v.legacy = 1))),
u AS (SELECT as_of, snapshot_id, kind, ST_Union(geom) AS g FROM q GROUP BY as_of, snapshot_id, kind),
z AS (
  SELECT l.snapshot_id, zv.name, zv.geom FROM snapshot_layer l
  JOIN zone_version zv ON zv.snapshot_id = l.data_snapshot_id WHERE l.layer = 'zones')
SELECT as_of, kind, '', ST_Area(g::geography, true) / 1e4 FROM u
UNION ALL
SELECT u.as_of, u.kind, z.name, ST_Area(ST_Intersection(u.g, z.geom)::geography, true) / 1e4
FROM u JOIN z ON z.snapshot_id = u.snapshot_id
"""


def main(db, progress, other=None):
    out = subprocess.run(["psql", "-X", "-At", "-F", "|", "-v", "ON_ERROR_STOP=1", "-d", db,
                          "-c", SQL], check=True, capture_output=True, text=True).stdout
    ref = {}
    for line in out.splitlines():
        as_of, kind, zone, ha = line.split("|")
        ref[(as_of, zone or None, kind)] = float(ha)
    series = json.load(open(progress))["series"]
    fails = checks = 0
    worst = 0.0
    for r in series:
        for kind in ("restoration", "reclamation"):
            got = r[kind + "_done_ha"]
            want = ref.get((r["as_of"], r["zone"], kind), 0.0)
            rel = abs(got - want) / max(abs(want), 1e-2)
            checks += 1
            worst = max(worst, rel)
            if abs(got - want) > max(1e-4 * abs(want), 1e-6):
                fails += 1
                print("FAIL %s %s %s: greenmine %.6f, PostGIS geography %.6f" %
                      (r["as_of"], r["zone"], kind, got, want))
    if other:
        theirs = json.load(open(other))["series"]
        if len(theirs) != len(series):
            fails += 1
            print("FAIL the two backends give %d and %d rows" % (len(series), len(theirs)))
        for a, b in zip(series, theirs):
            for k, v in a.items():
                checks += 1
                w = b.get(k)
                if k == "snapshot_id":
                    continue
                if isinstance(v, float) and isinstance(w, float):
                    if abs(v - w) > 1e-9 * max(1.0, abs(v)):
                        fails += 1
                        print("FAIL %s %s %s: %r vs %r" % (a["as_of"], a["zone"], k, v, w))
                elif v != w:
                    fails += 1
                    print("FAIL %s %s %s: %r vs %r" % (a["as_of"], a["zone"], k, v, w))
    print("%d checks, %d failed; largest relative difference to PostGIS %.2e" %
          (checks, fails, worst))
    return 1 if fails or not series else 0


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    sys.exit(main(*sys.argv[1:]))
