#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# 011_stream_tls: the replication stream over TLS.  tests/lib/certs.sh makes
# a CA, a server certificate (SAN DNS:localhost, IP:127.0.0.1), a client
# certificate, an unrelated CA and a certificate for the wrong name.  The
# source runs with --ssl-ca/--ssl-cert/--ssl-key and
# --require-secure-transport=ON; the user "sluice" logs in with a password,
# the user "x509" also needs a client certificate (REQUIRE X509).
#
# `sluice binlog --remote JOB --to-end --stats` must read the source's
# binlog (exit 0, rows > 0) with: preferred; required; verify-ca with the
# CA; verify-ca with CA, cert and key (x509); cert and key without a CA
# under required (x509); a wrong CA under required (no check asked for);
# verify-identity to 127.0.0.1 and to localhost; relative paths in the job
# file (taken from the job file's folder).  `sluice position` must work
# over verify-identity with a client certificate.
#
# And it must fail with exit 1 and exactly one line on stderr, "sluice
# binlog: source HOST:PORT: ..." (HOST:PORT not repeated) naming the cause,
# for: a wrong CA (verify-ca and verify-identity: "verification failed");
# verify-identity to a server whose certificate is for another name
# (127.0.0.1 and localhost: the mismatch); mode disabled against the
# server that requires secure transport; the x509 user without a client
# certificate; a CA file that does not exist.  Every case runs; the
# failures are listed at the end.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR/../lib source=mariadb.sh
. "$here/../lib/mariadb.sh"
# shellcheck source-path=SCRIPTDIR/../lib source=certs.sh
. "$here/../lib/certs.sh"
# shellcheck source-path=SCRIPTDIR/../lib source=stream_errors.sh
. "$here/../lib/stream_errors.sh"

T=011_stream_tls
SLUICE=${SLUICE:-$root/build/sluice}
fail() {
	printf '%s: FAIL: %s\n' "$T" "$*" >&2
	exit 1
}
[[ -x $SLUICE ]] || fail "sluice binary not found at $SLUICE (build it or set SLUICE)"
command -v openssl >/dev/null || fail "openssl not installed"

work=$(mktemp -d "${SL_TMP:-/tmp}/sluice-$T-XXXX")
# mariadb-install-db's bootstrap server keeps temporary tables in $TMPDIR
# (default /tmp) and a starting server deletes every #sql* file there:
# bootstraps of tests running in parallel would remove each other's.
export TMPDIR=$work
cleanup() {
	if [[ ${MDB_EXIT_STATUS:-0} != 0 || ${SL_KEEP:-0} == 1 ]]; then
		printf '%s: files kept in %s\n' "$T" "$work" >&2
	else
		rm -rf "$work"
	fi
}
mdb_trap cleanup

certs=$work/certs
certs_make "$certs"
for f in ca.pem server.pem server.key client.pem client.key other-ca.pem wrongname.pem wrongname.key; do
	[[ -s $certs/$f ]] || fail "certs_make did not write $f"
done

tls_opts() { # tls_opts CERT-STEM
	printf '%s\n' --ssl-ca="$certs/ca.pem" --ssl-cert="$certs/$1.pem" \
		--ssl-key="$certs/$1.key" --require-secure-transport=ON
}
mapfile -t opts < <(tls_opts server)
port=$(mdb_free_port 23320)
mdb_start_source src "$port" "${opts[@]}"
mdb_sql src "
	CREATE USER 'x509'@'127.0.0.1' IDENTIFIED BY 'x509pw' REQUIRE X509;
	GRANT ALL PRIVILEGES ON *.* TO 'x509'@'127.0.0.1';
	CREATE DATABASE d;
	CREATE TABLE d.t (id INT PRIMARY KEY, s VARCHAR(20));
	INSERT INTO d.t VALUES (1, 'one'), (2, 'two'), (3, 'three');
	UPDATE d.t SET s = 'deux' WHERE id = 2;"
[[ $(mdb_sql src "SELECT @@require_secure_transport, @@have_ssl") == $'1\tYES' ]] ||
	fail "the source does not require TLS: $(mdb_sql src "SELECT @@require_secure_transport, @@have_ssl")"
first=$(mdb_sql src "SHOW BINARY LOGS" | head -n 1 | cut -f1)

# The server with the certificate for the wrong name.
mapfile -t opts < <(tls_opts wrongname)
wport=$(mdb_free_port $((port + 1)))
MDB_SERVER_ID=2 mdb_start_source wrong "$wport" "${opts[@]}"
mdb_sql wrong "CREATE DATABASE d; CREATE TABLE d.t (id INT PRIMARY KEY); INSERT INTO d.t VALUES (1)"
wfirst=$(mdb_sql wrong "SHOW BINARY LOGS" | head -n 1 | cut -f1)

declare -a problems=()
passed=0
problem() {
	problems+=("$*")
	printf '%s: FAIL: %s\n' "$T" "$*" >&2
}

n=0
# job HOST PORT USER PASSWORD FIRST-FILE TLS-YAML: writes a job file in the
# certificates' folder (so relative paths work) and prints its path.
job() {
	n=$((n + 1))
	local f=$certs/job$n.yaml
	cat >"$f" <<EOF
name: t011
source: { host: "$1", port: $2, user: $3, password: $4, tls: $6 }
target: { hosts: ["127.0.0.1:4000"], user: root }
start: { mode: position, file: $5, position: 4 }
EOF
	printf '%s\n' "$f"
}

# run JOB: sluice binlog --to-end --stats from another folder, with a
# time limit; sets rc, out, errtext.
run() {
	local jf=$1
	rc=0
	(cd / && timeout 60 "$SLUICE" binlog --remote "$jf" --to-end --stats \
		>"$work/out" 2>"$work/err") || rc=$?
	out=$(cat "$work/out")
	errtext=$(cat "$work/err")
}

# ok NAME HOST USER PASSWORD TLS-YAML [SERVER]: must stream the binlog.
ok() {
	local name=$1 host=$2 user=$3 pw=$4 tls=$5 srv=${6:-src} p=$port f=$first rows
	if [[ $srv == wrong ]]; then
		p=$wport
		f=$wfirst
	fi
	run "$(job "$host" "$p" "$user" "$pw" "$f" "$tls")"
	rows=$(sed -n 's/.* rows \([0-9]*\) .*/\1/p' <<<"$out")
	if ((rc != 0)) || [[ -n $errtext ]] || [[ -z $rows ]] || ((rows == 0)); then
		problem "$name: expected exit 0 and rows > 0; got exit $rc, stdout '$out', stderr '$errtext'"
		return 0
	fi
	passed=$((passed + 1))
	printf '%s: ok   %-48s rows %s\n' "$T" "$name" "$rows"
}

# bad NAME HOST USER PASSWORD TLS-YAML SERVER REGEX…: must fail with exit 1
# and one line "sluice binlog: source HOST:PORT: …" matching every REGEX
# (grep -E, case-insensitive).
bad() {
	local name=$1 host=$2 user=$3 pw=$4 tls=$5 srv=$6 p=$port f=$first why
	shift 6
	if [[ $srv == wrong ]]; then
		p=$wport
		f=$wfirst
	fi
	run "$(job "$host" "$p" "$user" "$pw" "$f" "$tls")"
	why=$(stream_error_problems "$rc" "$errtext" "$host:$p" "$@")
	if [[ -n $why ]]; then
		problem "$name: $why; stderr: '$errtext'"
		return 0
	fi
	passed=$((passed + 1))
	printf '%s: ok   %-48s %s\n' "$T" "$name (fails)" "$errtext"
}

U=$MDB_USER P=$MDB_PASSWORD
ca=$certs/ca.pem cert=$certs/client.pem key=$certs/client.key

ok "preferred" 127.0.0.1 "$U" "$P" "{ mode: preferred }"
ok "required" 127.0.0.1 "$U" "$P" "{ mode: required }"
ok "verify-ca, CA" 127.0.0.1 "$U" "$P" "{ mode: verify-ca, ca: $ca }"
ok "verify-ca, CA + cert + key (X509 user)" 127.0.0.1 x509 x509pw \
	"{ mode: verify-ca, ca: $ca, cert: $cert, key: $key }"
ok "required, cert + key, no CA (X509 user)" 127.0.0.1 x509 x509pw \
	"{ mode: required, cert: $cert, key: $key }"
ok "required, wrong CA given (not checked)" 127.0.0.1 "$U" "$P" \
	"{ mode: required, ca: $certs/other-ca.pem }"
ok "verify-identity, host 127.0.0.1" 127.0.0.1 "$U" "$P" "{ mode: verify-identity, ca: $ca }"
ok "verify-identity, host localhost" localhost "$U" "$P" "{ mode: verify-identity, ca: $ca }"
ok "verify-identity, relative paths, X509 user" localhost x509 x509pw \
	"{ mode: verify-identity, ca: ca.pem, cert: client.pem, key: client.key }"
ok "ca only (mode defaults to verify-ca)" 127.0.0.1 "$U" "$P" "{ ca: ca.pem }"
ok "verify-ca to the wrong-name server" 127.0.0.1 "$U" "$P" "{ mode: verify-ca, ca: $ca }" wrong

bad "verify-ca, wrong CA" 127.0.0.1 "$U" "$P" "{ mode: verify-ca, ca: $certs/other-ca.pem }" src \
	'verification failed'
bad "verify-identity, wrong CA" localhost "$U" "$P" "{ mode: verify-identity, ca: $certs/other-ca.pem }" src \
	'verification failed'
bad "verify-identity, wrong name, host 127.0.0.1" 127.0.0.1 "$U" "$P" "{ mode: verify-identity, ca: $ca }" wrong \
	'verification failed|identity' 'mismatch|does not match|not valid for'
bad "verify-identity, wrong name, host localhost" localhost "$U" "$P" "{ mode: verify-identity, ca: $ca }" wrong \
	'verification failed|identity' 'mismatch|does not match|not valid for'
bad "X509 user without a client certificate" 127.0.0.1 x509 x509pw "{ mode: verify-ca, ca: $ca }" src \
	'access denied'
bad "CA file missing" 127.0.0.1 "$U" "$P" "{ mode: verify-ca, ca: no-such-ca.pem }" src \
	'no-such-ca\.pem' 'no such file'
# MariaDB 10.11 refuses a plain connection under require_secure_transport
# with error 1045 "Access denied … (using password: YES)", the same words
# as a wrong password; the line must still say that TLS / secure transport
# is the cause, not leave the user hunting for a password problem.
bad "disabled, server requires secure transport" 127.0.0.1 "$U" "$P" "{ mode: disabled }" src \
	'secure.transport|requires? (tls|ssl)|(tls|ssl) (is )?required'

# sluice position over TLS, with a client certificate.
jf=$(job localhost "$port" x509 x509pw "$first" "{ mode: verify-identity, ca: ca.pem, cert: client.pem, key: client.key }")
rc=0
pos=$(cd / && timeout 60 "$SLUICE" position "$jf" 2>"$work/err") || rc=$?
want_file=$(mdb_sql src "SHOW MASTER STATUS" | cut -f1)
want_gtid=$(mdb_sql src "SELECT @@gtid_binlog_pos")
if ((rc != 0)) || ! grep -qx "file: $want_file" <<<"$pos" || ! grep -qx "gtid: \"$want_gtid\"" <<<"$pos" ||
	! grep -qx "flavour: MariaDB" <<<"$pos"; then
	problem "sluice position over verify-identity + client cert: exit $rc, output '$pos', stderr '$(cat "$work/err")' (want file $want_file gtid $want_gtid)"
else
	passed=$((passed + 1))
	printf '%s: ok   %-48s %s\n' "$T" "sluice position, verify-identity + cert" "$(tr '\n' ' ' <<<"$pos")"
fi

# The server really did refuse plain connections (the cases above were TLS).
if mariadb --no-defaults --protocol=tcp -h 127.0.0.1 -P "$port" -u "$U" -p"$P" --skip-ssl \
	-e 'SELECT 1' >/dev/null 2>&1; then
	problem "the source accepted a plain TCP connection: require_secure_transport is not in force"
fi

if ((${#problems[@]} > 0)); then
	printf '%s: FAIL: %d of %d cases failed:\n' "$T" "${#problems[@]}" $((passed + ${#problems[@]})) >&2
	printf '  - %s\n' "${problems[@]}" >&2
	exit 1
fi
echo "$T: PASS: $passed TLS cases (modes, CAs, client certificates, identities, refusals)"
