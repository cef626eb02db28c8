#!/usr/bin/env bash
# Debian packages the tests need. Installs only what is missing; a no-op on a prepared machine.
set -euo pipefail
need=()
# (each capability that needs a Debian package adds a line here: command -v X || need+=(pkg))
command -v chromium >/dev/null || need+=(chromium)  # report: headless browser checks of the HTML
command -v java >/dev/null || need+=(openjdk-17-jre-headless)  # census: Spark (local mode)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
