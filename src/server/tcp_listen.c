#include "tcp_listen.h"

#include <stdio.h>
#include <string.h>

int tcp_listen_start(uv_tcp_t *listener, const char *host, int port, uv_connection_cb on_connection,
                     char *errbuf, size_t errlen)
{
    struct sockaddr_storage addr;
    int rc = strchr(host, ':') ? uv_ip6_addr(host, port, (struct sockaddr_in6 *)&addr)
                               : uv_ip4_addr(host, port, (struct sockaddr_in *)&addr);
    if (rc < 0) {
        snprintf(errbuf, errlen, "bad address %s: %s", host, uv_strerror(rc));
        return rc;
    }
    rc = uv_tcp_bind(listener, (const struct sockaddr *)&addr, 0);
    if (rc == 0)
        rc = uv_listen((uv_stream_t *)listener, 128, on_connection);
    if (rc < 0)
        snprintf(errbuf, errlen, "cannot listen on %s:%d: %s", host, port, uv_strerror(rc));
    return rc;
}

int tcp_listen_port(const uv_tcp_t *listener)
{
    struct sockaddr_storage addr;
    int len = sizeof addr;
    if (uv_tcp_getsockname(listener, (struct sockaddr *)&addr, &len) < 0)
        return -1;
    if (addr.ss_family == AF_INET6)
        return ntohs(((struct sockaddr_in6 *)&addr)->sin6_port);
    return ntohs(((struct sockaddr_in *)&addr)->sin_port);
}
