# SPDX-License-Identifier: Apache-2.0
# tests/lib/certs.sh: test certificates made with openssl, sourced by TLS
# tests.  certs_make DIR writes:
#   ca.pem ca.key            the test CA
#   server.pem server.key    signed by the CA, CN=localhost, SAN DNS:localhost,
#                            IP:127.0.0.1 (so verify-identity passes on both)
#   client.pem client.key    signed by the CA, for client-certificate auth
#   other-ca.pem             an unrelated CA (verification must fail with it)
#   wrongname.pem/.key       signed by the CA for "db.example" (identity fails)
certs_make() {
	local d=$1
	mkdir -p "$d"
	(
		cd "$d"
		openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=sluice test CA" \
			-keyout ca.key -out ca.pem 2>/dev/null
		openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=unrelated CA" \
			-keyout other-ca.key -out other-ca.pem 2>/dev/null
		printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >server.ext
		printf 'subjectAltName=DNS:db.example\n' >wrong.ext
		for n in server client wrongname; do
			cn=localhost
			[ $n = client ] && cn=sluice
			[ $n = wrongname ] && cn=db.example
			openssl req -newkey rsa:2048 -nodes -subj "/CN=$cn" \
				-keyout $n.key -out $n.csr 2>/dev/null
			ext=()
			[ $n = server ] && ext=(-extfile server.ext)
			[ $n = wrongname ] && ext=(-extfile wrong.ext)
			openssl x509 -req -in $n.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
				-days 2 -out $n.pem "${ext[@]}" 2>/dev/null
		done
		chmod 600 ./*.key
	)
}
