#!/bin/bash
# Runs as root after the .deb is removed. Stops the kiosk and removes the unit and the rules;
# keeps /var/lib/estation (the transaction queue and records) and /etc/estation.
set -euo pipefail

if [ "${1:-remove}" = "upgrade" ]; then exit 0; fi
if [ -d /run/systemd/system ]; then
  systemctl disable --now e-station.service || true
fi
rm -f /etc/systemd/system/e-station.service /etc/udev/rules.d/70-e-station.rules
if [ -d /run/systemd/system ]; then systemctl daemon-reload || true; fi
if command -v udevadm >/dev/null; then udevadm control --reload-rules || true; fi
