#!/usr/bin/env bash
# Installs the Debian packages Wren's test suite drives as real components:
# slapd/ldap-utils (directory provider tests), swaks and python3 (SMTP/IMAP/POP clients),
# isync (mbsync), postfix's smtp-source/smtp-sink (extracted from the .deb, the daemon is not installed),
# chromium (console end-to-end tests). Safe to re-run.
set -euo pipefail
need=()
command -v slapd >/dev/null 2>&1 || [ -x /usr/sbin/slapd ] || need+=(slapd)
command -v ldapadd >/dev/null 2>&1 || need+=(ldap-utils)
command -v swaks >/dev/null 2>&1 || need+=(swaks)
command -v mbsync >/dev/null 2>&1 || need+=(isync)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
dpkg -s libio-socket-ssl-perl >/dev/null 2>&1 || need+=(libio-socket-ssl-perl libnet-ssleay-perl)
[ -x /usr/bin/chromium ] || need+=(chromium)
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
if [ ${#need[@]} -gt 0 ]; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
# postfix's smtp-source / smtp-sink without installing the postfix daemon
tools="$(cd "$(dirname "$0")/.." && pwd)/.tools"
if [ ! -x "$tools/pf/usr/sbin/smtp-source" ]; then
  mkdir -p "$tools" && cd "$tools"
  [ -f /var/lib/apt/lists/lock ] || $SUDO apt-get update -qq
  apt-get download postfix >/dev/null 2>&1 || { $SUDO apt-get update -qq; apt-get download postfix; }
  dpkg -x postfix_*.deb pf && rm -f postfix_*.deb
fi
echo "system packages ready"
