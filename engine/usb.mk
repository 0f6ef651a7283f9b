# engine/usb.mk: USB descriptor parsing, describe output, USB transports.
