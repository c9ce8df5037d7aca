/* fuzz_credentials — what the server fuzzers share: the credentials
 * user:secret (basic), loaded the way `--auth basic:FILE` loads them. */
#ifndef EDDY_FUZZ_CREDENTIALS_H
#define EDDY_FUZZ_CREDENTIALS_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "server/auth.h"

/* The credentials, for as long as the process lives; aborts on failure. */
static auth *fuzz_credentials(void)
{
    char path[] = "/tmp/eddy-fuzz-auth-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0 || write(fd, "user:secret\n", 12) != 12)
        abort();
    close(fd);
    char spec[64], msg[256];
    snprintf(spec, sizeof spec, "basic:%s", path);
    auth *credentials = auth_load(spec, msg, sizeof msg);
    unlink(path);
    if (!credentials)
        abort();
    return credentials;
}

#endif
