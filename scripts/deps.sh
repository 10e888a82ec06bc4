# deps.sh -- sourced by the scripts: installs the Debian packages greenmine
# needs when they are missing. The one list of what a fresh machine lacks.

# Build and run: compiler, CMake, the GIS libraries; HarfBuzz's subsetter and a
# CJK font, whose glyphs the HTML report embeds (src/out/font_embed.c); libsodium for
# the desk's password hashes and sessions (src/registry/users.c).
GM_BUILD_PACKAGES=(build-essential cmake pkg-config libgdal-dev libproj-dev libgeos-dev
                   libspatialite-dev libsqlite3-dev libpq-dev libssl-dev gdal-bin
                   libmicrohttpd-dev libjson-c-dev libjs-leaflet libharfbuzz-dev
                   fonts-wqy-microhei libdeflate-dev libsodium-dev libjemalloc-dev)
# Tests: cmocka, GDAL's Python bindings (validate_gpkg.py and the reference
# scripts), pyproj (GeographicLib through PROJ) and shapely for the reference
# figures; PostgreSQL + PostGIS for the geography reference, PG: inputs and the
# PostGIS registry; the spatialite shell; headless Chromium and a CJK font for
# the HTML report test; QGIS's Python bindings and data providers for the
# real-client test (tests/qgis; about 450 MB, 147 s to install on Debian 12);
# node + npm for playwright-core (greenmine serve's pages in Chromium) and wrk
# for serve's load benchmark (bench/serve_bench.sh, smoke in the suite); the reference
# argon2 library re-verifies the desk's password hashes (tests/serve/test_desk_api.py).
GM_TEST_PACKAGES=(libcmocka-dev python3-gdal python3-pyproj python3-shapely
                  postgresql-15 postgresql-15-postgis-3 postgresql-client-15
                  spatialite-bin chromium fonts-wqy-microhei fonts-dejavu-core
                  python3-qgis qgis-providers wrk poppler-utils python3-pil
                  libargon2-1 zlib1g-dev)
# Debian's node + npm, unless a node with its npm is already installed (a
# NodeSource node bundles npm and conflicts with Debian's npm package).
command -v npm >/dev/null 2>&1 || GM_TEST_PACKAGES+=(nodejs npm)
# Fuzzing (scripts/fuzz.sh, run briefly by scripts/test.sh): clang and its
# libFuzzer / sanitizer runtimes.
GM_FUZZ_PACKAGES=(clang-14 libclang-rt-14-dev)

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
