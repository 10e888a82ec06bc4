# shellcheck shell=bash
# A private, throw-away PostgreSQL 15 + PostGIS 3 cluster for greenmine's PostGIS reference.
#
# Source this file, then:
#   gm_pg_start        # installs PostGIS if missing, starts a cluster on 127.0.0.1 and a
#                      # free port, creates database greenmine_ref with the postgis
#                      # extension, exports PGHOST PGPORT PGUSER PGDATABASE
#   ...                # psql, ogr2ogr PG:..., scripts/postgis_reference.sh
#   gm_pg_stop         # stops the cluster and deletes its directory
# Typical use:  . tests/integration/postgis_env.sh && gm_pg_start && trap gm_pg_stop EXIT
#
# Works as root (the cluster runs as the "postgres" system user, which the Debian package
# creates) and as an ordinary user; needs no stdin (CI=true), never touches the system's
# own clusters (5432) and listens on loopback only.  The functions return non-zero on
# failure instead of exiting, so the caller decides.  GM_PG_PORT picks a port (default:
# a free one); GM_PG_VERSION the PostgreSQL major version (default 15).

GM_PG_VERSION=${GM_PG_VERSION:-15}

_gm_pg_log() { echo "postgis_env: $*" >&2; }

_gm_pg_bindir() {
    local d
    for d in "/usr/lib/postgresql/${GM_PG_VERSION}/bin" /usr/lib/postgresql/*/bin; do
        if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
            echo "$d"
            return 0
        fi
    done
    return 1
}

_gm_pg_have_postgis() {
    local bindir share
    bindir=$(_gm_pg_bindir) || return 1
    share=$("$bindir/pg_config" --sharedir 2>/dev/null) ||
        share="/usr/share/postgresql/$(basename "$(dirname "$bindir")")"
    [ -f "$share/extension/postgis.control" ] && command -v psql >/dev/null &&
        command -v ogr2ogr >/dev/null
}

# Install PostgreSQL + PostGIS (+ ogr2ogr) from Debian's packages when missing.
gm_pg_install() {
    _gm_pg_have_postgis && return 0
    local sudo=""
    if [ "$(id -u)" != 0 ]; then
        if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
            sudo="sudo -n"
        else
            _gm_pg_log "PostGIS is missing and I am not root: apt-get install" \
                "postgresql-${GM_PG_VERSION}-postgis-3 gdal-bin"
            return 1
        fi
    fi
    local pkgs="postgresql-${GM_PG_VERSION} postgresql-${GM_PG_VERSION}-postgis-3 postgresql-client-${GM_PG_VERSION} gdal-bin"
    _gm_pg_log "installing $pkgs"
    # shellcheck disable=SC2086
    if ! $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
            $pkgs </dev/null >&2; then
        $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q </dev/null >&2 || return 1
        # shellcheck disable=SC2086
        $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
            $pkgs </dev/null >&2 || return 1
    fi
    _gm_pg_have_postgis
}

# Run a command as the cluster's owner.
_gm_pg_as_owner() {
    if [ "$(id -u)" = 0 ]; then
        if command -v runuser >/dev/null; then
            runuser -u postgres -- "$@"
        else
            su -s /bin/sh postgres -c "$(printf '%q ' "$@")"
        fi
    else
        "$@"
    fi
}

_gm_pg_free_port() {
    local p
    if [ -n "${GM_PG_PORT:-}" ]; then
        echo "$GM_PG_PORT"
        return 0
    fi
    # a random start: two test scripts starting clusters at once rarely collide
    local start=$((54329 + RANDOM % 900))
    for p in $(seq "$start" $((start + 100))); do
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            echo "$p"
            return 0
        fi
    done
    return 1
}

_gm_pg_start_once() {
    gm_pg_install || return 1
    local bindir port dir
    bindir=$(_gm_pg_bindir) || { _gm_pg_log "no initdb found"; return 1; }
    port=$(_gm_pg_free_port) || { _gm_pg_log "no free port"; return 1; }
    dir=$(mktemp -d "${TMPDIR:-/tmp}/gm-pg.XXXXXX") || return 1
    if [ "$(id -u)" = 0 ]; then
        id postgres >/dev/null 2>&1 || { _gm_pg_log "no postgres user"; rm -rf "$dir"; return 1; }
        chown postgres: "$dir"
        chmod 700 "$dir"
    fi
    if ! _gm_pg_as_owner "$bindir/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 \
            --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 </dev/null; then
        _gm_pg_log "initdb failed:"; cat "$dir/initdb.log" >&2; rm -rf "$dir"; return 1
    fi
    if ! _gm_pg_as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
            -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off \
                -c synchronous_commit=off -c full_page_writes=off" start \
            >/dev/null 2>&1 </dev/null; then
        _gm_pg_log "server failed to start:"; cat "$dir/server.log" >&2; rm -rf "$dir"; return 1
    fi
    GM_PG_DIR=$dir
    GM_PG_BINDIR=$bindir
    export GM_PG_DIR GM_PG_BINDIR
    export PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres PGDATABASE=greenmine_ref
    unset PGPASSWORD PGSERVICE PGHOSTADDR
    if ! "$bindir/createdb" greenmine_ref </dev/null ||
       ! "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -c "CREATE EXTENSION postgis" </dev/null >/dev/null; then
        _gm_pg_log "cannot create the database"; gm_pg_stop; return 1
    fi
    _gm_pg_log "PostgreSQL $(psql -X -At -c 'SHOW server_version' </dev/null)," \
        "PostGIS $(psql -X -At -c 'SELECT postgis_lib_version()' </dev/null)" \
        "on 127.0.0.1:$port ($dir)"
}

# Starts the cluster; a port taken between the check and the start (another
# test starting its own cluster) is retried on another port.
gm_pg_start() {
    local try
    for try in 1 2 3 4 5; do
        _gm_pg_start_once && return 0
        [ -n "${GM_PG_PORT:-}" ] && return 1
        _gm_pg_log "retrying on another port ($try)"
    done
    return 1
}

gm_pg_stop() {
    [ -n "${GM_PG_DIR:-}" ] || return 0
    if [ -d "$GM_PG_DIR/data" ]; then
        _gm_pg_as_owner "$GM_PG_BINDIR/pg_ctl" -D "$GM_PG_DIR/data" -m fast -w stop \
            >/dev/null 2>&1 </dev/null || true
    fi
    rm -rf "$GM_PG_DIR"
    unset GM_PG_DIR PGHOST PGPORT PGUSER PGDATABASE
}
