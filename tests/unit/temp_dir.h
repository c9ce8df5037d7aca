/* temp_dir.h — a unit test's own directory: removed whole, with all it
 * holds, when the test is done.  (The tests make it with mkdtemp.) */
#ifndef EDDY_TEST_TEMP_DIR_H
#define EDDY_TEST_TEMP_DIR_H

#include <ftw.h>
#include <stdio.h>

static inline int temp_dir__remove_entry(const char *p, const struct stat *st, int type, struct FTW *f)
{
    (void)st, (void)type, (void)f;
    return remove(p);
}

static inline void temp_dir_remove(const char *dir)
{
    nftw(dir, temp_dir__remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

#endif
