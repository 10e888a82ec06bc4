# deps.sh -- sourced by the scripts: installs the Debian packages greenmine
# needs when they are missing. The one list of what a fresh machine lacks.

# Build and run: compiler, CMake, the GIS libraries.
GM_BUILD_PACKAGES=(build-essential cmake pkg-config libgdal-dev libproj-dev libgeos-dev
                   libspatialite-dev libsqlite3-dev libpq-dev libssl-dev gdal-bin
                   libdeflate-dev)
# Tests: cmocka, GDAL's Python bindings (validate_gpkg.py and the reference
# scripts), pyproj (GeographicLib through PROJ) and shapely for the reference
# figures; PostgreSQL + PostGIS for the geography reference, PG: inputs and the
# PostGIS registry; the spatialite shell; headless Chromium and a CJK font for
# the HTML report test; QGIS's Python bindings and data providers for the
# real-client test (tests/qgis; about 450 MB, 147 s to install on Debian 12).
GM_TEST_PACKAGES=(libcmocka-dev python3-gdal python3-pyproj python3-shapely
                  postgresql-15 postgresql-15-postgis-3 postgresql-client-15
                  spatialite-bin chromium fonts-wqy-microhei
                  python3-qgis qgis-providers)

gm_ensure_packages() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "greenmine: installing ${missing[*]}" >&2
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# Benchmarks only (bench/run_bench.py, bench/run_province.py): the spatialite CLI for
# the SQL comparisons, GeoPandas (+ rtree for its spatial joins) as a peer; PostGIS
# comes with GM_TEST_PACKAGES.
# Install with: . scripts/deps.sh && gm_ensure_packages "${GM_BENCH_PACKAGES[@]}"
GM_BENCH_PACKAGES=(spatialite-bin python3-geopandas python3-rtree)
