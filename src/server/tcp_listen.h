/* tcp_listen — a libuv TCP listener on HOST:PORT, shared by the HTTP and
 * the PostgreSQL front ends: the address (IPv4, or IPv6 when HOST has a
 * ':'), bind + listen with a message naming what failed, and the port
 * actually bound (for port 0). */
#ifndef EDDY_TCP_LISTEN_H
#define EDDY_TCP_LISTEN_H

#include <stddef.h>
#include <uv.h>

/* Binds the initialized `listener` to host:port and starts listening with
 * `on_connection`.  Returns 0, or a negative libuv code with errbuf set
 * ("bad address ..." or "cannot listen on ..."). */
int tcp_listen_start(uv_tcp_t *listener, const char *host, int port, uv_connection_cb on_connection,
                     char *errbuf, size_t errlen);

/* The local port `listener` is bound to, or -1. */
int tcp_listen_port(const uv_tcp_t *listener);

#endif
