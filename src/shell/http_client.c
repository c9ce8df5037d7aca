/* http_client.c — see http_client.h. */
#include "http_client.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

/* Splits http://HOST[:PORT][/...] into host and port. */
static int parse_url(const char *url, char *host, size_t hcap, char *port, size_t pcap)
{
    if (strncmp(url, "http://", 7))
        return -1;
    const char *h = url + 7, *end = h + strcspn(h, "/");
    const char *colon = NULL;
    if (*h == '[') { /* [v6]:port */
        const char *rb = memchr(h, ']', (size_t)(end - h));
        if (!rb)
            return -1;
        colon = rb + 1 < end && rb[1] == ':' ? rb + 1 : NULL;
        snprintf(host, hcap, "%.*s", (int)(rb - h - 1), h + 1);
    } else {
        colon = memchr(h, ':', (size_t)(end - h));
        snprintf(host, hcap, "%.*s", (int)((colon ? colon : end) - h), h);
    }
    snprintf(port, pcap, "%.*s", colon ? (int)(end - colon - 1) : 2, colon ? colon + 1 : "80");
    return *host && *port ? 0 : -1;
}

static int connect_to(const char *url, buf *error)
{
    char host[256], port[16];
    if (parse_url(url, host, sizeof host, port, sizeof port)) {
        buf_printf(error, "bad server URL '%s' (expected http://HOST:PORT)", url);
        return -1;
    }
    struct addrinfo hints = {0}, *res = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    int rc = getaddrinfo(host, port, &hints, &res);
    if (rc) {
        buf_printf(error, "cannot resolve %s: %s", url, gai_strerror(rc));
        return -1;
    }
    int fd = -1, last = 0;
    for (struct addrinfo *a = res; a && fd < 0; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
        if (fd >= 0 && connect(fd, a->ai_addr, a->ai_addrlen)) {
            last = errno;
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    if (fd < 0)
        buf_printf(error, "cannot connect to %s: %s", url, strerror(last));
    return fd;
}

int http_client_send_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* The response being read: headers, then the body in one of three modes. */
typedef struct reader {
    buf in; /* received, not yet consumed */
    size_t pos;
    bool headers_done, chunked, eof;
    long long remaining;  /* Content-Length left, -1: until close */
    long long chunk_left; /* bytes left in the current chunk, -1: need size */
    int status;
    bool done;
} reader;

/* Consumes what it can of r->in; returns -1 on a malformed response. */
static int consume(reader *r, const http_sink *sink)
{
    if (!r->headers_done) {
        char *end = r->in.len ? memmem(r->in.data, r->in.len, "\r\n\r\n", 4) : NULL;
        if (!end)
            return r->in.len > 65536 ? -1 : 0;
        *end = '\0';
        if (sscanf(r->in.data, "HTTP/1.%*d %d", &r->status) != 1)
            return -1;
        r->remaining = -1;
        for (char *l = strstr(r->in.data, "\r\n"); l; l = strstr(l + 2, "\r\n")) {
            const char *h = l + 2;
            if (!strncasecmp(h, "content-length:", 15))
                r->remaining = atoll(h + 15);
            else if (!strncasecmp(h, "transfer-encoding:", 18) && strstr(h, "chunked"))
                r->chunked = true;
        }
        r->headers_done = true;
        r->chunk_left = -1;
        r->pos = (size_t)(end + 4 - r->in.data);
    }
    while (!r->done) {
        size_t avail = r->in.len - r->pos;
        const char *p = r->in.data + r->pos;
        if (!r->chunked) {
            size_t n = r->remaining >= 0 && (long long)avail > r->remaining ? (size_t)r->remaining : avail;
            if (n && sink->data)
                sink->data(sink->ctx, p, n);
            r->pos += n;
            if (r->remaining >= 0 && (r->remaining -= (long long)n) == 0)
                r->done = true;
            return 0;
        }
        if (r->chunk_left < 0) {
            const char *nl = avail ? memchr(p, '\n', avail) : NULL;
            if (!nl)
                return 0;
            r->chunk_left = strtoll(p, NULL, 16);
            r->pos += (size_t)(nl + 1 - p);
            if (r->chunk_left == 0)
                r->done = true; /* trailers are not read */
            continue;
        }
        size_t n = (long long)avail > r->chunk_left ? (size_t)r->chunk_left : avail;
        if (n && sink->data)
            sink->data(sink->ctx, p, n);
        r->pos += n;
        r->chunk_left -= (long long)n;
        if (r->chunk_left > 0)
            return 0;
        if (r->in.len - r->pos < 2) {
            r->chunk_left = 0;
            return 0;
        } /* wait for the CRLF */
        r->pos += 2;
        r->chunk_left = -1;
    }
    return 0;
}

int http_client_post(const char *url, const char *path, const char *authorization, const char *body, size_t len,
                     const http_sink *sink, buf *error)
{
    int fd = connect_to(url, error);
    if (fd < 0)
        return -1;
    buf req = BUF_INIT;
    buf_printf(&req,
               "POST %s HTTP/1.1\r\nHost: eddy\r\nContent-Type: application/json\r\n"
               "Accept: */*\r\nContent-Length: %zu\r\nConnection: close\r\n%s%s%s\r\n",
               path, len, authorization ? "Authorization: " : "", authorization ? authorization : "",
               authorization ? "\r\n" : "");
    buf_append(&req, body, len);
    int rc = http_client_send_all(fd, req.data, req.len);
    buf_free(&req);
    if (rc) {
        buf_printf(error, "cannot send to %s: %s", url, strerror(errno));
        close(fd);
        return -1;
    }
    reader r = {0};
    int result = -1;
    for (;;) {
        if (sink->cancelled && sink->cancelled(sink->ctx)) {
            result = 0;
            break;
        }
        struct pollfd pfd = {fd, POLLIN, 0};
        int pr = poll(&pfd, 1, 100);
        if (pr < 0 && errno != EINTR) {
            buf_printf(error, "%s: %s", url, strerror(errno));
            break;
        }
        if (pr <= 0)
            continue;
        buf_reserve(&r.in, 16384);
        ssize_t n = recv(fd, r.in.data + r.in.len, 16384, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            buf_printf(error, "reading from %s: %s", url, strerror(errno));
            break;
        }
        r.in.len += (size_t)n;
        if (consume(&r, sink)) {
            buf_printf(error, "malformed HTTP response from %s", url);
            break;
        }
        /* keep the buffer small: drop what was consumed */
        if (r.headers_done && r.pos) {
            memmove(r.in.data, r.in.data + r.pos, r.in.len - r.pos);
            r.in.len -= r.pos;
            r.pos = 0;
        }
        if (r.done || (n == 0 && r.headers_done && !r.chunked && r.remaining < 0)) {
            result = r.status;
            break;
        }
        if (n == 0) {
            buf_printf(error, "%s closed the connection mid-response", url);
            break;
        }
    }
    buf_free(&r.in);
    close(fd);
    return result;
}
