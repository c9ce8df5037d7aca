/* log_copy.c — log_copy_layout (see log.h): a data directory's topics,
 * empty, plus one topic's records, for `eddy check` to work on a copy.
 * It reads the files of a log another process may have open: topic.meta
 * is replaced atomically by rename, and a segment's tail may be torn —
 * log_open on the copy cuts it, as after a crash. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../base/buf.h"
#include "log.h"

static int copy_file(const char *from, const char *to, err *e)
{
    int in = open(from, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return err_set(e, ERR_IO, "cannot read %s: %s", from, strerror(errno));
    int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out < 0) {
        close(in);
        return err_set(e, ERR_IO, "cannot create %s: %s", to, strerror(errno));
    }
    char chunk[65536];
    ssize_t n;
    int rc = 0;
    while ((n = read(in, chunk, sizeof chunk)) > 0)
        if (write(out, chunk, (size_t)n) != n) {
            rc = err_set(e, ERR_IO, "cannot write %s: %s", to, strerror(errno));
            break;
        }
    if (n < 0)
        rc = err_set(e, ERR_IO, "cannot read %s: %s", from, strerror(errno));
    close(in);
    close(out);
    return rc;
}

/* Copies the regular files of directory `from` into `to` (created). */
static int copy_dir_files(const char *from, const char *to, err *e)
{
    if (mkdir(to, 0755) < 0 && errno != EEXIST)
        return err_set(e, ERR_IO, "cannot create %s: %s", to, strerror(errno));
    DIR *d = opendir(from);
    if (!d)
        return err_set(e, ERR_IO, "cannot list %s: %s", from, strerror(errno));
    int rc = 0;
    struct dirent *de;
    buf a = BUF_INIT, b = BUF_INIT;
    while (rc == 0 && (de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        buf_reset(&a);
        buf_reset(&b);
        buf_printf(&a, "%s/%s", from, de->d_name);
        buf_printf(&b, "%s/%s", to, de->d_name);
        struct stat st;
        if (stat(a.data, &st) == 0 && S_ISREG(st.st_mode))
            rc = copy_file(a.data, b.data, e);
    }
    closedir(d);
    buf_free(&a);
    buf_free(&b);
    return rc;
}

/* One topic: its meta and partition folders; their files only when full. */
static int copy_topic(const char *from, const char *to, const char *name, bool full, err *e)
{
    buf f = BUF_INIT, t = BUF_INIT;
    buf_printf(&f, "%s/topics/%s", from, name);
    buf_printf(&t, "%s/topics/%s", to, name);
    int rc = 0;
    if (mkdir(t.data, 0755) < 0 && errno != EEXIST)
        rc = err_set(e, ERR_IO, "cannot create %s: %s", t.data, strerror(errno));
    DIR *d = rc ? NULL : opendir(f.data);
    struct dirent *de;
    buf a = BUF_INIT, b = BUF_INIT;
    while (d && rc == 0 && (de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        buf_reset(&a);
        buf_reset(&b);
        buf_printf(&a, "%s/%s", f.data, de->d_name);
        buf_printf(&b, "%s/%s", t.data, de->d_name);
        struct stat st;
        if (stat(a.data, &st) != 0)
            continue;
        if (S_ISREG(st.st_mode) && !strcmp(de->d_name, "topic.meta"))
            rc = copy_file(a.data, b.data, e);
        else if (S_ISDIR(st.st_mode))
            rc = full ? copy_dir_files(a.data, b.data, e)
                      : (mkdir(b.data, 0755) < 0 && errno != EEXIST
                             ? err_set(e, ERR_IO, "cannot create %s: %s", b.data, strerror(errno))
                             : 0);
    }
    if (d)
        closedir(d);
    buf_free(&a);
    buf_free(&b);
    buf_free(&f);
    buf_free(&t);
    return rc;
}

int log_copy_layout(const char *from, const char *to, const char *full_topic, err *e)
{
    buf td = BUF_INIT;
    buf_printf(&td, "%s/topics", from);
    DIR *d = opendir(td.data);
    buf_free(&td);
    if (!d)
        return errno == ENOENT ? 0 : err_set(e, ERR_IO, "cannot list the topics of %s: %s", from, strerror(errno));
    buf_printf(&td, "%s/topics", to);
    int rc = 0;
    if (mkdir(to, 0755) < 0 && errno != EEXIST)
        rc = err_set(e, ERR_IO, "cannot create %s: %s", to, strerror(errno));
    else if (mkdir(td.data, 0755) < 0 && errno != EEXIST)
        rc = err_set(e, ERR_IO, "cannot create %s: %s", td.data, strerror(errno));
    buf_free(&td);
    struct dirent *de;
    while (rc == 0 && (de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.' || strchr(de->d_name, '~'))
            continue; /* deleted topics end in '~...' */
        rc = copy_topic(from, to, de->d_name, !strcmp(de->d_name, full_topic), e);
    }
    closedir(d);
    return rc;
}
