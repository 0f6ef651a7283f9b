# systemd/: unit, socket, sysusers, tmpfiles, udev rule (see issue 8).
