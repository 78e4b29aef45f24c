# pg_cluster.sh — sourced by the pgRouting benchmarks (pgrouting.sh,
# coverage.sh): installs PostgreSQL 15 + PostGIS 3 + pgRouting from Debian 12
# when missing, starts a private cluster in $PGDIR on 127.0.0.1:$PGPORT only
# (trust authentication: loopback, throw-away data; as root it runs as the
# `postgres` system user), creates the database yizhan_bench with both
# extensions, and sets $PSQL to a psql command on it.  The cluster stops when
# the calling script exits, unless KEEP_PG=1.  Expects $OUT, $PGDIR, $PGPORT
# and $PGBIN to be set.
# ---- packages ---------------------------------------------------------------
need=""
for p in postgresql-15 postgresql-15-postgis-3 postgresql-15-pgrouting; do
	dpkg -s "$p" >/dev/null 2>&1 || need="$need $p"
done
if [ -n "$need" ]; then
	echo "pg_cluster.sh: installing$need" >&2
	SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
	$SUDO apt-get update -qq
	# shellcheck disable=SC2086 # $need is a list of package names
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $need >&2
fi

# ---- private cluster --------------------------------------------------------
if [ "$(id -u)" -eq 0 ]; then
	as_pg() { runuser -u postgres -- "$@"; }
else
	as_pg() { "$@"; }
fi
started=0
stop_pg() {
	if [ "$started" = 1 ] && [ "${KEEP_PG:-0}" != 1 ]; then
		as_pg "$PGBIN/pg_ctl" -D "$PGDIR" -m fast -w stop >/dev/null 2>&1 || true
	fi
}
trap stop_pg EXIT INT TERM
if ! as_pg "$PGBIN/pg_ctl" -D "$PGDIR" status >/dev/null 2>&1; then
	if [ ! -f "$PGDIR/PG_VERSION" ]; then
		mkdir -p "$PGDIR"
		[ "$(id -u)" -ne 0 ] || chown postgres: "$PGDIR"
		chmod 700 "$PGDIR"
		as_pg "$PGBIN/initdb" -D "$PGDIR" -U postgres -A trust -E UTF8 --no-sync >"$OUT/pg.initdb.log"
	fi
	as_pg "$PGBIN/pg_ctl" -D "$PGDIR" -l "$PGDIR/server.log" -w \
		-o "-p $PGPORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=$PGDIR -c fsync=off" \
		start >/dev/null
	started=1
fi
PSQL="psql -X -q -h 127.0.0.1 -p $PGPORT -U postgres -v ON_ERROR_STOP=1"
$PSQL -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'yizhan_bench'" | grep -q 1 ||
	$PSQL -d postgres -c "CREATE DATABASE yizhan_bench"
PSQL="$PSQL -d yizhan_bench"
$PSQL -c "CREATE EXTENSION IF NOT EXISTS postgis; CREATE EXTENSION IF NOT EXISTS pgrouting;"
$PSQL -tAc "SELECT 'pgRouting ' || pgr_version() || ', PostGIS ' || postgis_lib_version() || ', GEOS ' || postgis_geos_version() || ', ' || version()" >"$OUT/pg.versions"

