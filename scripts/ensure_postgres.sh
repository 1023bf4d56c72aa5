#!/usr/bin/env bash
# Ensure a PostgreSQL server answers on $PGHOST:$PGPORT (default 127.0.0.1:5432)
# and that user "postgres" can connect without a password and create databases.
#
# - Server already answering: only verify the connection; never touch it.
# - Nothing answering: install the Debian "postgresql" package if needed, then
#   start the local cluster whose port is $PGPORT, or create one
#   ("main" if that name is free, else "ci_<port>"), with trust auth for
#   127.0.0.1/32 and ::1/128, and wait up to 30 s for it.
# Idempotent; prints one line per action (one line total when nothing to do).
# On failure: one-line reason on stderr, exit 1. No fallbacks.
set -euo pipefail

PGHOST="${PGHOST:-127.0.0.1}"
PGPORT="${PGPORT:-5432}"
WAIT_SECS=30
ME="ensure_postgres"
LOG="$(mktemp -t ensure_postgres.XXXXXX.log)"
trap 'rm -f "$LOG"' EXIT

say() { echo "$ME: $*"; }
die() {
    echo "$ME: ERROR: $*" >&2
    exit 1
}
trap 'die "unexpected failure (line $LINENO, exit $?); see messages above"' ERR

[[ "$PGPORT" =~ ^[0-9]+$ ]] || die "PGPORT='$PGPORT' is not a number"

SUDO=()
if [[ $EUID -ne 0 ]]; then
    command -v sudo >/dev/null 2>&1 || die "not root and sudo not available"
    SUDO=(sudo -n)
fi

apt_install() {
    say "installing Debian package(s): $* (apt-get)"
    if ! "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >"$LOG" 2>&1 ||
        ! "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
            -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
            "$@" >>"$LOG" 2>&1; then
        tail -n 20 "$LOG" >&2 || true
        die "apt-get install $* failed"
    fi
}

is_ready() { pg_isready -q -h "$PGHOST" -p "$PGPORT" -t 2 >/dev/null 2>&1; }

psql_pg() {
    PGCONNECT_TIMEOUT=5 psql -X -q -v ON_ERROR_STOP=1 -h "$PGHOST" -p "$PGPORT" \
        -U postgres -d postgres -w "$@"
}

# Server answers: check we can log in as postgres (no password) and create DBs.
verify() {
    local out
    if ! out="$(psql_pg -tA -c "select rolsuper or rolcreatedb from pg_roles where rolname = current_user" 2>&1)"; then
        die "server answers on $PGHOST:$PGPORT but 'psql -U postgres' without password fails: $(echo "$out" | head -n 1)"
    fi
    [[ "$out" == "t" ]] || die "connected to $PGHOST:$PGPORT as postgres, but that role cannot create databases"
}

# The client tools are needed even for the check.
if ! command -v pg_isready >/dev/null 2>&1 || ! command -v psql >/dev/null 2>&1; then
    apt_install postgresql-client
fi

if is_ready; then
    verify
    say "OK: PostgreSQL answers on $PGHOST:$PGPORT (user postgres, no password, can create databases)"
    exit 0
fi

# Nothing answers. Only a local server can be started by us.
case "$PGHOST" in
    127.0.0.1 | localhost | ::1 | /*) ;;
    *) die "nothing answers on $PGHOST:$PGPORT and it is not a local address; refusing to start a server" ;;
esac

server_versions() {
    local d
    for d in /usr/lib/postgresql/*/bin/postgres; do
        [[ -x "$d" ]] && basename "$(dirname "$(dirname "$d")")"
    done | sort -n
}

if [[ -z "$(server_versions)" ]] || ! command -v pg_createcluster >/dev/null 2>&1; then
    apt_install postgresql
    # The package's postinst may have created/started a default cluster.
    if is_ready; then
        verify
        say "OK: PostgreSQL answers on $PGHOST:$PGPORT after install"
        exit 0
    fi
fi
VER="$(server_versions | tail -n 1)"
[[ -n "$VER" ]] || die "no PostgreSQL server binaries under /usr/lib/postgresql after install"

# Pick the existing cluster on our port (newest version first), else create one.
read -r CVER CNAME CSTATUS < <(pg_lsclusters -h 2>/dev/null |
    awk -v p="$PGPORT" '$3 == p { print $1, $2, $4 }' | sort -rn | head -n 1) || true

if [[ -z "${CNAME:-}" ]]; then
    CVER="$VER"
    CNAME=main
    if [[ -e "/etc/postgresql/$CVER/main" ]]; then
        CNAME="ci_$PGPORT"
    fi
    [[ ! -e "/etc/postgresql/$CVER/$CNAME" ]] ||
        die "cluster $CVER/$CNAME exists but is not configured for port $PGPORT"
    say "creating PostgreSQL cluster $CVER/$CNAME on port $PGPORT (auth=trust)"
    if ! "${SUDO[@]}" pg_createcluster "$CVER" "$CNAME" -p "$PGPORT" -- --auth=trust >"$LOG" 2>&1; then
        tail -n 20 "$LOG" >&2 || true
        die "pg_createcluster $CVER $CNAME -p $PGPORT failed"
    fi
    CSTATUS=down
fi

CONF_DIR="/etc/postgresql/$CVER/$CNAME"
HBA="$("${SUDO[@]}" pg_conftool -s "$CVER" "$CNAME" show hba_file 2>/dev/null || true)"
HBA="${HBA:-$CONF_DIR/pg_hba.conf}"
[[ -f "$HBA" ]] || die "pg_hba.conf not found for cluster $CVER/$CNAME ($HBA)"

need_reload=0
need_restart=0

# pg_hba: trust for postgres over TCP from 127.0.0.1 and ::1 (first match wins,
# so missing lines are inserted before all other rules).
hba_add=()
for addr in 127.0.0.1/32 ::1/128; do
    if ! grep -Eq "^[[:space:]]*host[[:space:]]+all[[:space:]]+all[[:space:]]+${addr//./\\.}[[:space:]]+trust([[:space:]]|$)" "$HBA"; then
        hba_add+=("host    all             all             $addr            trust")
    fi
done
if ((${#hba_add[@]})); then
    say "adding trust rules for 127.0.0.1/32 and ::1/128 to $HBA"
    tmp="$(mktemp)"
    {
        echo "# added by scripts/ensure_postgres.sh: passwordless local TCP access"
        printf '%s\n' "${hba_add[@]}"
        cat "$HBA"
    } >"$tmp"
    "${SUDO[@]}" install -m 0640 -o postgres -g postgres "$tmp" "$HBA"
    rm -f "$tmp"
    need_reload=1
fi

# Port and listen_addresses.
port_conf="$("${SUDO[@]}" pg_conftool -s "$CVER" "$CNAME" show port 2>/dev/null || echo 5432)"
[[ "$port_conf" == "$PGPORT" ]] || die "cluster $CVER/$CNAME is configured for port $port_conf, not $PGPORT"
listen="$("${SUDO[@]}" pg_conftool -s "$CVER" "$CNAME" show listen_addresses 2>/dev/null || echo localhost)"
listen="${listen//\'/}"
if [[ "$PGHOST" != /* ]]; then
    want="$PGHOST"
    if [[ "$PGHOST" == 127.0.0.1 ]]; then want=localhost; fi # Debian default
    case ",${listen// /}," in
        *,\*,* | *,"$PGHOST",* | *,"$want",*) ;;
        *)
            new_listen="${listen:+$listen,}$want"
            say "setting listen_addresses='$new_listen' for cluster $CVER/$CNAME"
            "${SUDO[@]}" pg_conftool "$CVER" "$CNAME" set listen_addresses "$new_listen"
            need_restart=1
            ;;
    esac
fi

ctl() {
    if ! "${SUDO[@]}" pg_ctlcluster --skip-systemctl-redirect "$CVER" "$CNAME" "$1" >"$LOG" 2>&1; then
        tail -n 20 "$LOG" >&2 || true
        local lf="/var/log/postgresql/postgresql-$CVER-$CNAME.log"
        [[ -r "$lf" ]] && tail -n 10 "$lf" >&2
        die "pg_ctlcluster $CVER $CNAME $1 failed"
    fi
}

if [[ "$CSTATUS" == online* ]]; then
    if ((need_restart)); then
        say "restarting PostgreSQL cluster $CVER/$CNAME"
        ctl restart
    elif ((need_reload)); then
        say "reloading PostgreSQL cluster $CVER/$CNAME"
        ctl reload
    fi
else
    say "starting PostgreSQL cluster $CVER/$CNAME on port $PGPORT"
    ctl start
fi

for ((i = 0; i < WAIT_SECS; i++)); do
    is_ready && break
    sleep 1
done
is_ready || die "PostgreSQL cluster $CVER/$CNAME did not answer on $PGHOST:$PGPORT within ${WAIT_SECS}s (see /var/log/postgresql/postgresql-$CVER-$CNAME.log)"
verify
say "OK: PostgreSQL $CVER/$CNAME answers on $PGHOST:$PGPORT (user postgres, no password, can create databases)"
