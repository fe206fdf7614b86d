#!/usr/bin/env bash
# A throwaway TLS-only mail stack for the integration tests (test-stack.md §1):
# Postfix submission on 127.0.0.2:10465 (or MAILSTACK_IP) (implicit TLS) and :10587 (STARTTLS required), SASL via
# Dovecot, Dovecot IMAP on :10993 (TLS) and :10143 (STARTTLS required), a throwaway CA.
# Everything lives under ROOT; nothing in /etc is changed and nothing can leave the host.
# Listeners are on 127.0.0.2 (or MAILSTACK_IP) because Dovecot treats remote_ip == local_ip as "secured".
# MAILSTACK_MESSAGE_SIZE_LIMIT (bytes) sets Postfix's message_size_limit, which its EHLO announces as SIZE
# (the mailbox limit is lifted then); unset, Postfix's default of 10240000 applies.
# MAILSTACK_IMAP_CAPABILITY replaces Dovecot's IMAP capability list (e.g. without CONDSTORE, QRESYNC, IDLE).
#   mailstack.sh start ROOT   |   mailstack.sh stop ROOT
set -euo pipefail
cmd=${1:?start|stop}
ROOT=${2:?root folder}
PKI=$ROOT/pki
VUSER=vmail
# The loopback address to listen on (never 127.0.0.1, see above); mail-stack.ts gives each running stack its own.
IP=${MAILSTACK_IP:-127.0.0.2}
SIZE_LIMIT=${MAILSTACK_MESSAGE_SIZE_LIMIT:-}
case $SIZE_LIMIT in ''|*[!0-9]*) [ -z "$SIZE_LIMIT" ] || { echo "mailstack: MAILSTACK_MESSAGE_SIZE_LIMIT is not a number" >&2; exit 1; } ;; esac
# Virtual users (address:password); example.org holds the S/MIME test identities of test/helpers/smime-pki.ts.
USERS="advisor@kanzlei.test:advisor-pw client@mandant.test:client-pw archiv@kanzlei.test:archiv-pw max@mandant.test:max-pw alice@example.org:alice-pw fran@example.org:fran-pw"
case $IP in 127.0.0.1|127.*.*.*) [ "$IP" != 127.0.0.1 ] || { echo 'mailstack: not on 127.0.0.1' >&2; exit 1; } ;; *) echo "mailstack: $IP is not loopback" >&2; exit 1 ;; esac

need() { command -v "$1" >/dev/null || { echo "mailstack: $1 is missing (apt-get install postfix dovecot-core dovecot-imapd)" >&2; exit 1; }; }

mkpki() {
  mkdir -p "$PKI"; cd "$PKI"
  openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key.pem -out ca.pem -days 3 -subj '/CN=Siegelpost Test CA' \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -keyout server.key.pem -out server.csr -subj '/CN=mail.kanzlei.test' 2>/dev/null
  printf "subjectAltName=DNS:localhost,DNS:mail.kanzlei.test,IP:%s\nextendedKeyUsage=serverAuth\n" "$IP" > server.ext
  openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key.pem -CAcreateserial -days 3 -out server.pem -extfile server.ext 2>/dev/null
  chmod 644 ./*.pem; cd - >/dev/null
}

write_config() {
  mkdir -p "$ROOT"/{postfix,dovecot,log,run,maildirs,spool,postfix-data}
  chmod 755 "$ROOT" "$ROOT"/run "$ROOT"/log
  getent group $VUSER >/dev/null || groupadd -r $VUSER
  getent passwd $VUSER >/dev/null || useradd -r -g $VUSER -d /nonexistent -s /usr/sbin/nologin $VUSER
  chown $VUSER:$VUSER "$ROOT/maildirs"; chmod 700 "$ROOT/maildirs"
  chown postfix "$ROOT/postfix-data"
  local uid gid; uid=$(id -u $VUSER); gid=$(id -g $VUSER)
  cat > "$ROOT/postfix/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $ROOT/spool
data_directory = $ROOT/postfix-data
maillog_file = $ROOT/log/postfix.log
maillog_file_prefixes = $ROOT/log
myhostname = mail.kanzlei.test
mydomain = kanzlei.test
myorigin = \$myhostname
mydestination =
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
alias_maps =
alias_database =
biff = no
append_dot_mydomain = no
smtpd_peername_lookup = no
smtp_dns_support_level = disabled
local_transport = error:local delivery disabled
default_transport = error:outbound delivery disabled in test stack
relay_transport = error:outbound delivery disabled in test stack
virtual_mailbox_domains = kanzlei.test, mandant.test, example.org
virtual_mailbox_base = $ROOT/maildirs
virtual_mailbox_maps = texthash:$ROOT/postfix/vmailbox
virtual_uid_maps = static:$uid
virtual_gid_maps = static:$gid
virtual_minimum_uid = 100
smtpd_tls_cert_file = $PKI/server.pem
smtpd_tls_key_file = $PKI/server.key.pem
smtpd_tls_protocols = >=TLSv1.2
smtpd_tls_mandatory_protocols = >=TLSv1.2
smtpd_tls_loglevel = 1
smtpd_tls_received_header = yes
smtpd_tls_security_level = may
smtpd_sasl_type = dovecot
smtpd_sasl_path = $ROOT/run/dovecot/auth-postfix
smtpd_sasl_auth_enable = no
smtpd_sasl_security_options = noanonymous, noplaintext
smtpd_sasl_tls_security_options = noanonymous
smtpd_tls_auth_only = yes
smtpd_sender_login_maps = texthash:$ROOT/postfix/senders
smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination
smtpd_recipient_restrictions = reject_sender_login_mismatch, permit_sasl_authenticated, reject
EOF
  if [ -n "$SIZE_LIMIT" ]; then
    printf 'message_size_limit = %s\nvirtual_mailbox_limit = 0\n' "$SIZE_LIMIT" >> "$ROOT/postfix/main.cf"
  fi
  cat > "$ROOT/postfix/master.cf" <<EOF
$IP:10465 inet n       -      n      -      -       smtpd
  -o syslog_name=postfix/submissions
  -o smtpd_tls_wrappermode=yes
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_client_restrictions=permit_sasl_authenticated,reject
$IP:10587 inet n       -      n      -      -       smtpd
  -o syslog_name=postfix/submission
  -o smtpd_tls_security_level=encrypt
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_client_restrictions=permit_sasl_authenticated,reject
pickup     unix  n  -  n  60   1  pickup
cleanup    unix  n  -  n  -    0  cleanup
qmgr       unix  n  -  n  300  1  qmgr
tlsmgr     unix  -  -  n  1000? 1 tlsmgr
rewrite    unix  -  -  n  -    -  trivial-rewrite
bounce     unix  -  -  n  -    0  bounce
defer      unix  -  -  n  -    0  bounce
trace      unix  -  -  n  -    0  bounce
verify     unix  -  -  n  -    1  verify
flush      unix  n  -  n  1000? 0 flush
proxymap   unix  -  -  n  -    -  proxymap
proxywrite unix  -  -  n  -    1  proxymap
smtp       unix  -  -  n  -    -  smtp
relay      unix  -  -  n  -    -  smtp
showq      unix  n  -  n  -    -  showq
error      unix  -  -  n  -    -  error
retry      unix  -  -  n  -    -  error
discard    unix  -  -  n  -    -  discard
local      unix  -  n  n  -    -  local
virtual    unix  -  n  n  -    -  virtual
lmtp       unix  -  -  n  -    -  lmtp
anvil      unix  -  -  n  -    1  anvil
scache     unix  -  -  n  -    1  scache
postlog    unix-dgram n - n -  1  postlogd
EOF
  : > "$ROOT/postfix/vmailbox"; : > "$ROOT/postfix/senders"
  for u in $USERS; do
    a=${u%%:*}
    echo "$a ${a#*@}/${a%@*}/" >> "$ROOT/postfix/vmailbox"
    echo "$a $a" >> "$ROOT/postfix/senders"
  done

  : > "$ROOT/dovecot/users"
  for u in $USERS; do
    echo "${u%%:*}:$(doveadm pw -s SHA512-CRYPT -p "${u#*:}")::::::" >> "$ROOT/dovecot/users"
  done
  chown root:dovecot "$ROOT/dovecot/users"; chmod 640 "$ROOT/dovecot/users"
  cat > "$ROOT/dovecot/dovecot.conf" <<EOF
instance_name = siegelpost-test-$(basename "$ROOT")
base_dir = $ROOT/run/dovecot
state_dir = $ROOT/run/dovecot-state
protocols = imap
listen = $IP
log_path = $ROOT/log/dovecot.log
ssl = required
ssl_cert = <$PKI/server.pem
ssl_key = <$PKI/server.key.pem
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = yes
auth_mechanisms = plain login
login_trusted_networks =
${MAILSTACK_IMAP_CAPABILITY:+imap_capability = $MAILSTACK_IMAP_CAPABILITY}
passdb {
  driver = passwd-file
  args = scheme=SHA512-CRYPT username_format=%u $ROOT/dovecot/users
}
userdb {
  driver = static
  args = uid=$uid gid=$gid home=$ROOT/maildirs/%d/%n
}
mail_location = maildir:$ROOT/maildirs/%d/%n
namespace inbox {
  inbox = yes
  separator = /
  mailbox Sent {
    special_use = \Sent
    auto = subscribe
  }
}
service imap-login {
  inet_listener imap {
    address = $IP
    port = 10143
  }
  inet_listener imaps {
    address = $IP
    port = 10993
    ssl = yes
  }
}
service auth {
  unix_listener auth-postfix {
    mode = 0666
  }
}
EOF
}

wait_port() {
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/$IP/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "mailstack: port $1 did not open; see $ROOT/log" >&2; return 1
}

case $cmd in
  start)
    need postfix; need dovecot; need doveadm; need openssl; need script
    mkdir -p "$ROOT"
    [ -e /usr/sbin/policy-rc.d ] || { printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; }
    mkpki
    write_config
    mkdir -p "$ROOT/run/dovecot-state"
    # Daemons must not keep the caller's stdout/stderr open (a test waiting for EOF would hang).
    dovecot -c "$ROOT/dovecot/dovecot.conf" </dev/null >>"$ROOT/log/dovecot-start.log" 2>&1
    # Postfix prints fatal errors only to a TTY (test-stack.md gotcha 3).
    script -qec "postfix -c $ROOT/postfix start" /dev/null </dev/null >"$ROOT/log/postfix-start.log" 2>&1 || { cat "$ROOT/log/postfix-start.log" >&2; exit 1; }
    for port in 10465 10587 10993 10143; do wait_port $port; done
    echo "mailstack: up in $ROOT"
    ;;
  stop)
    postfix -c "$ROOT/postfix" stop >/dev/null 2>&1 || true
    if [ -f "$ROOT/run/dovecot/master.pid" ]; then kill "$(cat "$ROOT/run/dovecot/master.pid")" 2>/dev/null || true; fi
    for _ in $(seq 1 50); do
      [ -f "$ROOT/run/dovecot/master.pid" ] && kill -0 "$(cat "$ROOT/run/dovecot/master.pid")" 2>/dev/null || break
      sleep 0.1
    done
    ;;
esac
