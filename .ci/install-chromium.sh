#!/usr/bin/env bash
# Installs Debian's chromium package (/usr/bin/chromium) for the report's browser test
# (ReportBrowserTest), which runs this script itself when chromium is missing. Does nothing when
# chromium is already there. Needs root (or password-less sudo) and access to Debian's packages.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
SUDO=()
if [ "$(id -u)" != 0 ]; then
  SUDO=(sudo -n)
fi
export DEBIAN_FRONTEND=noninteractive
# Wait for another apt run (another build installing the same) rather than fail at once.
"${SUDO[@]}" apt-get -o DPkg::Lock::Timeout=300 update -qq
"${SUDO[@]}" apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends chromium
/usr/bin/chromium --version
