/* fuzz_conn — what the fuzzers of memory connections share: how an input
 * is cut into reads, and the checks on what the server writes back. */
#ifndef EDDY_FUZZ_CONN_H
#define EDDY_FUZZ_CONN_H

#include <http_parser.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

/* The size of each read of an input of size bytes, picked by mode's low
 * three bits: 1, 2, 3, 7, 16, 61 or 512 bytes, or all at once. */
static size_t fuzz_read_size(unsigned mode, size_t size)
{
    static const size_t sizes[] = {1, 2, 3, 7, 16, 61, 512};
    return (mode & 7) == 7 ? size + 1 : sizes[mode & 7];
}

/* Aborts when the server writes to a connection it has closed. */
static void fuzz_check_open(bool closed)
{
    if (closed) {
        fprintf(stderr, "written after the connection closed\n");
        abort();
    }
}

static int fuzz_on_response(http_parser *p);

/* Feeds what the server wrote to resp (an HTTP_RESPONSE parser whose data
 * is a long counting complete responses, 100 Continue aside); aborts
 * when it is not HTTP. */
static void fuzz_check_http(http_parser *resp, const char *data, size_t len)
{
    static const http_parser_settings settings = {.on_message_complete = fuzz_on_response};
    size_t n = http_parser_execute(resp, &settings, data, len);
    if (n != len || HTTP_PARSER_ERRNO(resp) != HPE_OK) {
        fprintf(stderr, "the server wrote bad HTTP: %s\n%.*s\n",
                http_errno_description(HTTP_PARSER_ERRNO(resp)), (int)len, data);
        abort();
    }
}

static int fuzz_on_response(http_parser *p)
{
    if (p->status_code != 100)
        ++*(long *)p->data;
    return 0;
}

#endif
