#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked gnome-keyring (Secret Service)
# and a throwaway HOME, so keychain tests use the real OS keychain path without touching the
# user's own keyring (test-stack.md §4).
set -euo pipefail
# Tests never leave loopback: network lookups (CRL/OCSP of corpus certificates) refuse other hosts.
export SIEGELPOST_NETWORK=loopback-only
if ! command -v dbus-run-session >/dev/null || ! command -v gnome-keyring-daemon >/dev/null; then
  if [ "${CI:-}" = "true" ]; then
    echo "with-keyring: dbus-run-session and gnome-keyring-daemon are required in CI (apt-get install dbus-x11 gnome-keyring)" >&2
    exit 1
  fi
  echo "with-keyring: no dbus-run-session/gnome-keyring here; keychain tests will say they were skipped" >&2
  exec "$@"
fi
sandbox=$(mktemp -d /tmp/siegelpost-keyring.XXXXXX)
trap 'rm -rf "$sandbox"' EXIT
export HOME="$sandbox/home" XDG_DATA_HOME="$sandbox/home/.local/share" XDG_CONFIG_HOME="$sandbox/home/.config" \
  XDG_CACHE_HOME="$sandbox/home/.cache" XDG_RUNTIME_DIR="$sandbox/run"
mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
status=0
dbus-run-session -- bash -c '
  eval "$(printf %s siegelpost-test | gnome-keyring-daemon --unlock --components=secrets 2>/dev/null)"
  export SIEGELPOST_TEST_KEYRING=1
  "$@"
' with-keyring "$@" </dev/null || status=$?
exit "$status"
