# Public headers: the socket/shared-memory protocol and the hook API.
uacdincludedir = $(includedir)/uacd
uacdinclude_HEADERS = include/uacd/protocol.h include/uacd/io_operation.h
