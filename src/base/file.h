/* file — whole-file reads for the front ends (scripts, test files). */
#ifndef EDDY_FILE_H
#define EDDY_FILE_H

#include <stddef.h>

/* The whole file, NUL-terminated, in memory the caller frees; its length
 * in *len.  NULL when it cannot be read (errno says why). */
char *file_read_all(const char *path, size_t *len);

#endif
