#!/bin/bash
# Runs as root after the E-Station .deb is installed or upgraded: the service user, the config,
# the udev rules and the systemd unit. Safe to run again; never touches /var/lib/estation data.
set -euo pipefail

RES=/opt/E-Station/resources/deploy

if ! getent group estation >/dev/null; then groupadd --system estation; fi
if ! getent passwd estation >/dev/null; then
  useradd --system --gid estation --home-dir /var/lib/estation --shell /usr/sbin/nologin --comment "E-Station terminal" estation
fi
for g in video dialout input render; do
  if getent group "$g" >/dev/null; then usermod -a -G "$g" estation; fi
done

install -d -m 0750 -o root -g estation /etc/estation
if [ ! -e /etc/estation/config.yaml ]; then
  install -m 0640 -o root -g estation "$RES/config.example.yaml" /etc/estation/config.yaml
fi
install -d -m 0700 -o estation -g estation /var/lib/estation

install -m 0644 "$RES/70-e-station.rules" /etc/udev/rules.d/70-e-station.rules
install -m 0644 "$RES/e-station.service" /etc/systemd/system/e-station.service
if command -v udevadm >/dev/null; then
  udevadm control --reload-rules || true
  udevadm trigger --subsystem-match=tty --subsystem-match=hidraw --subsystem-match=usb || true
fi
if [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  systemctl enable e-station.service
  # An upgrade restarts the kiosk; a first install waits for the operator to edit the config.
  if systemctl is-active --quiet e-station.service; then systemctl restart e-station.service; fi
fi
