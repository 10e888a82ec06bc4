#!/usr/bin/python3
"""Checks the rasters `greenmine analyze` wrote cell by cell against GEOS, and
their overviews against the full resolution.

Cells: in a sample of tiles that hold data, a window of cells around the
partly covered ones; each cell's expected fraction is shapely's (GEOS)
intersection area of the cell's square with the vector union, in the grid's
CRS (pyproj), from the GeoPackage's own polygons -- nothing of the engine's
raster code. A cell must hold that fraction within 1e-6, and be nodata
exactly where the mask polygons (zones, or mines) cover no more than 1e-9 of
it. (1e-6, not 1e-9: the GeoPackage holds the polygons in longitude/latitude
with straight edges, which the engine densifies every 0.001 degree before it
projects them, moving cell fractions by ~1e-8; tests/unit/test_raster.c
holds the engine's own projected polygons to 1e-9 against GEOS.)

Overviews: every overview cell must be the mean of the full-resolution data
cells under it (2^k x 2^k of them at level k; nodata when there are none),
within 1e-6 (the mean of Float32 values read back against the engine's own
double sums).

Usage: check_raster_cells.py OUTPUT_DIR [TILES_PER_RASTER]
"""
import os
import sys

import numpy as np
from osgeo import gdal, ogr
from pyproj import Transformer
from shapely import wkb
from shapely.geometry import box
from shapely.ops import transform, unary_union
from shapely.prepared import prep

gdal.UseExceptions()
out_dir = sys.argv[1]
n_tiles = int(sys.argv[2]) if len(sys.argv) > 2 else 3
WIN = 32  # cells on a side of each sampled window
NODATA = -9999
problems = []
ds = ogr.Open(os.path.join(out_dir, "greenmine.gpkg"))


def layer(name, where=None):
    lyr = ds.GetLayerByName(name)
    lyr.SetAttributeFilter(where)
    out = [wkb.loads(bytes(f.GetGeometryRef().ExportToWkb())) for f in lyr if f.GetGeometryRef()]
    lyr.SetAttributeFilter(None)
    return out


def check_cells(name, mask_ll, value_ll):
    r = gdal.Open(os.path.join(out_dir, name))
    band = r.GetRasterBand(1)
    gt = r.GetGeoTransform()
    cell = gt[1]
    to_grid = Transformer.from_crs("EPSG:4490", r.GetSpatialRef().ExportToWkt(), always_xy=True)
    mask = unary_union([transform(to_grid.transform, g) for g in mask_ll])
    value = unary_union([transform(to_grid.transform, g) for g in value_ll])
    tx = (band.XSize + 511) // 512
    ty = (band.YSize + 511) // 512
    data_tiles = [(x, y) for y in range(ty) for x in range(tx)
                  if band.GetMetadataItem(f"BLOCK_OFFSET_{x}_{y}", "TIFF")]
    # tiles with partly covered cells, spread over the list
    partial = []
    for x, y in data_tiles:
        a = band.ReadAsArray(x * 512, y * 512, min(512, band.XSize - x * 512),
                             min(512, band.YSize - y * 512))
        if ((a > 0) & (a < 1)).any():
            partial.append((x, y, a))
    if not partial:
        problems.append(f"{name}: no tile with partly covered cells: the check would prove nothing")
        return
    picks = [partial[i * len(partial) // n_tiles] for i in range(min(n_tiles, len(partial)))]
    worst, cells, boundary = 0.0, 0, 0
    for x, y, a in picks:
        rows, cols = np.nonzero((a > 0) & (a < 1))
        k = len(rows) // 2  # a window around a partly covered cell
        r0 = max(0, min(a.shape[0] - WIN, rows[k] - WIN // 2))
        c0 = max(0, min(a.shape[1] - WIN, cols[k] - WIN // 2))
        wx0, wy1 = gt[0] + (x * 512 + c0) * cell, gt[3] - (y * 512 + r0) * cell
        win = box(wx0, wy1 - WIN * cell, wx0 + WIN * cell, wy1)
        m = mask.intersection(win)
        v = value.intersection(win)
        pm, pv = prep(m), prep(v)
        for i in range(r0, min(r0 + WIN, a.shape[0])):
            for j in range(c0, min(c0 + WIN, a.shape[1])):
                cx0 = gt[0] + (x * 512 + j) * cell
                cy1 = gt[3] - (y * 512 + i) * cell
                sq = box(cx0, cy1 - cell, cx0 + cell, cy1)
                mf = m.intersection(sq).area / cell ** 2 if pm.intersects(sq) else 0.0
                got = float(a[i, j])
                if 1e-11 < mf < 1e-7:
                    continue  # at the 1e-9 threshold itself: either answer is right
                cells += 1
                if mf <= 1e-9:
                    if got != NODATA:
                        problems.append(f"{name} tile {x},{y} cell {i},{j}: {got}, expected nodata "
                                        f"(mask covers {mf:.3g})")
                    continue
                if got == NODATA:
                    problems.append(f"{name} tile {x},{y} cell {i},{j}: nodata, mask covers {mf:.6g}")
                    continue
                want = v.intersection(sq).area / cell ** 2 if pv.intersects(sq) else 0.0
                want = min(1.0, max(0.0, want))
                boundary += 0 < want < 1
                err = abs(got - want)
                worst = max(worst, err)
                if err > 1e-6:
                    problems.append(f"{name} tile {x},{y} cell {i},{j}: {got!r}, GEOS {want!r} "
                                    f"(difference {err:.3g})")
    print(f"{name}: {cells} cells in {len(picks)} tiles ({boundary} partly covered) against "
          f"GEOS; largest difference {worst:.3g}")
    if boundary == 0:
        problems.append(f"{name}: no partly covered cell sampled: the check would prove nothing")
    check_overviews(name, band)


def check_overviews(name, band):
    base = band.ReadAsArray().astype(np.float64)
    valid = base != NODATA
    h, w = base.shape
    for i in range(band.GetOverviewCount()):
        f = 2 ** (i + 1)
        ov = band.GetOverview(i)
        got = ov.ReadAsArray().astype(np.float64)
        oh, ow = -(-h // f), -(-w // f)
        if got.shape != (oh, ow):
            problems.append(f"{name} overview {i}: {got.shape[1]} x {got.shape[0]}, "
                            f"expected {ow} x {oh} (ceil of 1/{f})")
            continue
        pad = np.zeros((oh * f, ow * f))
        cnt = np.zeros((oh * f, ow * f))
        pad[:h, :w] = np.where(valid, base, 0)
        cnt[:h, :w] = valid
        s = pad.reshape(oh, f, ow, f).sum(axis=(1, 3))
        n = cnt.reshape(oh, f, ow, f).sum(axis=(1, 3))
        want = np.where(n > 0, s / np.maximum(n, 1), NODATA)
        bad_nodata = ((got == NODATA) != (n == 0)).sum()
        d = np.abs(got - want)[n > 0]
        err = d.max() if d.size else 0.0
        if bad_nodata or err > 1e-6:
            problems.append(f"{name} overview {i} (1/{f}): {bad_nodata} cells nodata where they "
                            f"should not be or the reverse; largest difference {err:.3g}")
        if i == 0:
            print(f"{name}: overview 1/{f} against the mean of its data cells: "
                  f"largest difference {err:.3g}")


zones = layer("zone_progress")
check_cells("restoration_coverage.tif", zones, layer("restored_areas", "zone_name <> ''"))
check_cells("redline_conflict.tif", layer("mine_conflicts"), layer("conflict_areas"))
for p in problems[:20]:
    print("FAIL:", p)
print(f"check_raster_cells: {len(problems)} problem(s)")
sys.exit(1 if problems else 0)
