/* log.c — the log object: the data directory, the topic table, topic
 * metadata files, topic creation and deletion, and recovery on open.
 *
 * A topic exists on disk once DIR/topics/<name>/topic.meta exists: create
 * makes the directories first and writes the metadata last (atomically,
 * through a rename), so a crash leaves either a whole topic or a
 * directory without metadata, which open ignores and create reuses.
 * Delete renames the directory to <name>~deleted (a name no topic can
 * have) before removing it, so a crash mid-delete never leaves half a
 * topic; open finishes such deletions.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../base/mem.h"
#include "log_internal.h"

int log_fault_write_countdown;
int log_fault_fsync_countdown;

#define LOG_MAX_PARTITIONS 10000
#define LOG_TOPIC_NAME_MAX 249 /* Kafka's limit */
#define LOG_DELETED_SUFFIX "~deleted"

/* ---- file system helpers ---- */

/* True when the test-only counter *c reaches 0 now. */
static bool fault_hit(int *c)
{
    if (__atomic_load_n(c, __ATOMIC_RELAXED) <= 0)
        return false;
    return __atomic_sub_fetch(c, 1, __ATOMIC_RELAXED) == 0;
}

int log__fdatasync(int fd)
{
    if (fault_hit(&log_fault_fsync_countdown)) {
        errno = EIO;
        return -1;
    }
    return fdatasync(fd);
}

ssize_t log__pwrite(int fd, const void *p, size_t n, int64_t pos)
{
    if (fault_hit(&log_fault_write_countdown)) {
        /* A full disk often takes part of a write first: do that too, so
         * the cut-back is exercised. */
        if (n > 1 && pwrite(fd, p, n / 2, (off_t)pos) < 0)
            return -1;
        errno = ENOSPC;
        return -1;
    }
    return pwrite(fd, p, n, (off_t)pos);
}

int64_t log__now(const eventlog *l)
{
    if (l->opts.clock)
        return l->opts.clock(l->opts.clock_ctx);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int log__mkdir(const char *dir, err *e)
{
    if (mkdir(dir, 0755) < 0 && errno != EEXIST)
        return err_set(e, ERR_IO, "cannot create directory %s: %s", dir, strerror(errno));
    return 0;
}

/* mkdir -p */
static int log_mkdir_parents(const char *dir, err *e)
{
    char *path = mem_strdup(dir);
    int rc = 0;
    for (char *s = path + 1; *s && rc == 0; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        rc = log__mkdir(path, e);
        *s = '/';
    }
    if (rc == 0)
        rc = log__mkdir(path, e);
    free(path);
    return rc;
}

int log__fsync_dir(const char *dir, err *e)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || fsync(fd) < 0) {
        int saved = errno;
        if (fd >= 0)
            close(fd);
        return err_set(e, ERR_IO, "cannot sync directory %s: %s", dir, strerror(saved));
    }
    close(fd);
    return 0;
}

static int log_rm_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    return remove(path) < 0 ? -1 : 0;
}

static int log_rm_tree(const char *dir, err *e)
{
    if (nftw(dir, log_rm_entry, 16, FTW_DEPTH | FTW_PHYS) < 0)
        return err_set(e, ERR_IO, "cannot remove %s: %s", dir, strerror(errno));
    return 0;
}

/* ---- names and metadata ---- */

/* Topic names become directory names: letters, digits, '_', '-', '.',
 * as in Kafka, and never "." or "..". */
static int log_check_name(const char *name, err *e)
{
    size_t n = strlen(name);
    if (n == 0 || n > LOG_TOPIC_NAME_MAX)
        return err_set(e, ERR_INVALID, "topic name must be 1 to %d characters long",
                       LOG_TOPIC_NAME_MAX);
    if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        return err_set(e, ERR_INVALID, "topic name cannot be '%s'", name);
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.'))
            return err_set(e, ERR_INVALID,
                           "topic name '%s' may only contain letters, digits, '_', '-' and '.'",
                           name);
    }
    return 0;
}

static int log_check_config(const log_topic_config *cfg, err *e)
{
    if (cfg->partitions < 1 || cfg->partitions > LOG_MAX_PARTITIONS)
        return err_set(e, ERR_INVALID, "partitions must be between 1 and %d, not %d",
                       LOG_MAX_PARTITIONS, cfg->partitions);
    if (cfg->segment_bytes < 0)
        return err_set(e, ERR_INVALID, "segment_bytes must not be negative");
    if (cfg->flush != LOG_FLUSH_DEFAULT && cfg->flush != LOG_FLUSH_NONE &&
        cfg->flush != LOG_FLUSH_BATCH && cfg->flush != LOG_FLUSH_GROUP)
        return err_set(e, ERR_INVALID, "unknown flush policy %d", (int)cfg->flush);
    if (cfg->segment_ms < 0 || cfg->delete_retention_ms < 0)
        return err_set(e, ERR_INVALID, "segment_ms and delete_retention_ms must not be negative");
    if (cfg->retention_ms < -1 || cfg->retention_bytes < -1)
        return err_set(e, ERR_INVALID, "retention_ms and retention_bytes must be -1 (unlimited), "
                       "0 (default) or positive");
    return 0;
}

const char *log_flush_name(log_flush f)
{
    switch (f) {
    case LOG_FLUSH_NONE:
        return "none";
    case LOG_FLUSH_BATCH:
        return "batch";
    case LOG_FLUSH_GROUP:
        return "group";
    default:
        return "default";
    }
}

int log_flush_parse(const char *s, log_flush *out)
{
    for (log_flush f = LOG_FLUSH_NONE; f <= LOG_FLUSH_GROUP; f++) {
        if (strcmp(s, log_flush_name(f)) == 0) {
            *out = f;
            return 0;
        }
    }
    return -1;
}

static void meta_path(buf *b, const char *topic_dir, const char *suffix)
{
    buf_printf(b, "%s/topic.meta%s", topic_dir, suffix);
}

/* Writes topic.meta through a temporary file and a rename, fsyncing both
 * the file and the directory: the topic appears whole or not at all. */
static int log_write_meta(const log_topic *t, err *e)
{
    buf text = BUF_INIT, tmp = BUF_INIT, path = BUF_INIT;
    const log_topic_config *c = &t->cfg;
    buf_printf(&text,
               "partitions=%d\nsegment_bytes=%" PRId64 "\ncompact=%s\nflush=%s\n"
               "segment_ms=%" PRId64 "\nretention_ms=%" PRId64 "\nretention_bytes=%" PRId64
               "\ndelete_retention_ms=%" PRId64 "\n",
               c->partitions, c->segment_bytes, c->compact ? "true" : "false",
               log_flush_name(c->flush), c->segment_ms, c->retention_ms, c->retention_bytes,
               c->delete_retention_ms);
    meta_path(&tmp, t->dir, ".tmp");
    meta_path(&path, t->dir, "");
    int rc = 0;
    int fd = open(tmp.data, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || write(fd, text.data, text.len) != (ssize_t)text.len || fsync(fd) < 0)
        rc = err_set(e, ERR_IO, "cannot write %s: %s", tmp.data, strerror(errno));
    if (fd >= 0)
        close(fd);
    if (rc == 0 && rename(tmp.data, path.data) < 0)
        rc = err_set(e, ERR_IO, "cannot rename %s: %s", tmp.data, strerror(errno));
    if (rc == 0)
        rc = log__fsync_dir(t->dir, e);
    buf_free(&text);
    buf_free(&tmp);
    buf_free(&path);
    return rc;
}

static bool meta_parse_i64(const char *v, int64_t lo, int64_t hi, int64_t *out)
{
    char *end;
    errno = 0;
    long long x = strtoll(v, &end, 10);
    if (errno || end == v || *end || x < lo || x > hi)
        return false;
    *out = x;
    return true;
}

/* Applies one "key=value" line; false when it is malformed. */
static bool meta_apply(log_topic_config *cfg, char *line)
{
    char *eq = strchr(line, '=');
    if (!eq)
        return false;
    *eq = '\0';
    const char *k = line, *v = eq + 1;
    int64_t x;
    if (strcmp(k, "partitions") == 0 && meta_parse_i64(v, 1, LOG_MAX_PARTITIONS, &x))
        cfg->partitions = (int)x;
    else if (strcmp(k, "segment_bytes") == 0 && meta_parse_i64(v, 1, INT64_MAX, &x))
        cfg->segment_bytes = x;
    else if (strcmp(k, "compact") == 0 && (!strcmp(v, "true") || !strcmp(v, "false")))
        cfg->compact = strcmp(v, "true") == 0;
    else if (strcmp(k, "flush") == 0 && log_flush_parse(v, &cfg->flush) == 0)
        ;
    else if (strcmp(k, "segment_ms") == 0 && meta_parse_i64(v, 1, INT64_MAX, &x))
        cfg->segment_ms = x;
    else if (strcmp(k, "retention_ms") == 0 && meta_parse_i64(v, -1, INT64_MAX, &x) && x != 0)
        cfg->retention_ms = x;
    else if (strcmp(k, "retention_bytes") == 0 && meta_parse_i64(v, -1, INT64_MAX, &x) && x != 0)
        cfg->retention_bytes = x;
    else if (strcmp(k, "delete_retention_ms") == 0 && meta_parse_i64(v, 1, INT64_MAX, &x))
        cfg->delete_retention_ms = x;
    else
        return false;
    return true;
}

/* Reads topic.meta.  Returns 1 when read, 0 when there is none, -1 when
 * it cannot be read or is malformed. */
static int log_read_meta(const char *topic_dir, log_topic_config *cfg, err *e)
{
    buf path = BUF_INIT;
    meta_path(&path, topic_dir, "");
    FILE *f = fopen(path.data, "re");
    int rc = 1;
    if (!f) {
        /* No meta (or not a directory): not a topic, or one whose
         * creation never finished. */
        rc = errno == ENOENT || errno == ENOTDIR
                 ? 0
                 : err_set(e, ERR_IO, "cannot read %s: %s", path.data, strerror(errno));
        buf_free(&path);
        return rc;
    }
    /* Files written before a field existed get that field's default;
     * flush=none was the only unsynced policy then, so it stays. */
    *cfg = (log_topic_config){.flush = LOG_FLUSH_NONE};
    char line[256];
    int lineno = 0;
    while (rc == 1 && fgets(line, sizeof line, f)) {
        lineno++;
        line[strcspn(line, "\n")] = '\0';
        if (line[0] && line[0] != '#' && !meta_apply(cfg, line))
            rc = err_set(e, ERR_CORRUPT, "%s line %d is malformed", path.data, lineno);
    }
    if (rc == 1 && cfg->partitions == 0)
        rc = err_set(e, ERR_CORRUPT, "%s has no partitions line", path.data);
    fclose(f);
    buf_free(&path);
    return rc;
}

/* ---- topic objects ---- */

/* Replaces every 0 ("default") in cfg by the default it stands for. */
static void config_resolve(const eventlog *l, log_topic_config *c)
{
    if (c->flush == LOG_FLUSH_DEFAULT)
        c->flush = l->opts.default_flush;
    if (c->flush == LOG_FLUSH_DEFAULT)
        c->flush = LOG_FLUSH_GROUP;
    if (c->segment_bytes == 0)
        c->segment_bytes = LOG_DEFAULT_SEGMENT_BYTES;
    if (c->segment_ms == 0)
        c->segment_ms = LOG_DEFAULT_SEGMENT_MS;
    if (c->retention_ms == 0)
        c->retention_ms = -1;
    if (c->retention_bytes == 0)
        c->retention_bytes = -1;
    if (c->delete_retention_ms == 0)
        c->delete_retention_ms = LOG_DEFAULT_DELETE_RETENTION_MS;
}

static log_topic *topic_new(eventlog *l, const char *name, const log_topic_config *cfg)
{
    log_topic *t = mem_alloc(sizeof *t);
    t->l = l;
    t->name = mem_strdup(name);
    buf dir = BUF_INIT;
    buf_printf(&dir, "%s/%s", l->topics_dir, name);
    t->dir = buf_take(&dir);
    t->cfg = *cfg;
    config_resolve(l, &t->cfg);
    return t;
}

/* Frees t, closing the first `nparts` partitions (those opened). */
static void topic_free(log_topic *t, int nparts)
{
    for (int i = 0; i < nparts; i++)
        log__partition_close(&t->parts[i]);
    free(t->parts);
    free(t->name);
    free(t->dir);
    free(t);
}

/* Opens (recovering) every partition of t. */
static int topic_open_partitions(log_topic *t, err *e)
{
    t->parts = mem_alloc((size_t)t->cfg.partitions * sizeof *t->parts);
    for (int i = 0; i < t->cfg.partitions; i++) {
        if (log__partition_open(&t->parts[i], t, i, e) < 0) {
            log__partition_close(&t->parts[i]);
            topic_free(t, i);
            return -1;
        }
    }
    return 0;
}

/* Position where `name` is or would go in the sorted table. */
static size_t table_find(const eventlog *l, const char *name, bool *found)
{
    size_t lo = 0, hi = l->ntopics;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(l->topics[mid]->name, name);
        if (c == 0) {
            *found = true;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = false;
    return lo;
}

static void table_insert(eventlog *l, log_topic *t)
{
    bool found;
    size_t at = table_find(l, t->name, &found);
    if (l->ntopics == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->topics = mem_realloc(l->topics, l->cap * sizeof *l->topics);
    }
    memmove(&l->topics[at + 1], &l->topics[at], (l->ntopics - at) * sizeof *l->topics);
    l->topics[at] = t;
    l->ntopics++;
}

static void table_remove(eventlog *l, size_t at)
{
    memmove(&l->topics[at], &l->topics[at + 1], (l->ntopics - at - 1) * sizeof *l->topics);
    l->ntopics--;
}

/* ---- topics ---- */

static log_topic *topic_create_locked(eventlog *l, const char *name, const log_topic_config *cfg,
                                      err *e)
{
    log_topic *t = topic_new(l, name, cfg);
    int rc = log__mkdir(t->dir, e);
    for (int i = 0; i < cfg->partitions && rc == 0; i++) {
        buf pdir = BUF_INIT;
        buf_printf(&pdir, "%s/%d", t->dir, i);
        rc = log__mkdir(pdir.data, e);
        buf_free(&pdir);
    }
    if (rc == 0)
        rc = log_write_meta(t, e);
    if (rc == 0)
        rc = log__fsync_dir(l->topics_dir, e);
    if (rc < 0) {
        topic_free(t, 0);
        return NULL;
    }
    if (topic_open_partitions(t, e) < 0)
        return NULL;
    table_insert(l, t);
    return t;
}

log_topic *log_topic_create(eventlog *l, const char *name, const log_topic_config *cfg, err *e)
{
    log_topic_config defaults = {.partitions = 1};
    if (!cfg)
        cfg = &defaults;
    if (log_check_name(name, e) < 0 || log_check_config(cfg, e) < 0)
        return NULL;
    pthread_mutex_lock(&l->mu);
    bool found;
    table_find(l, name, &found);
    log_topic *t = NULL;
    if (found)
        err_set(e, ERR_ALREADY_EXISTS, "topic '%s' already exists", name);
    else
        t = topic_create_locked(l, name, cfg, e);
    pthread_mutex_unlock(&l->mu);
    return t;
}

log_topic *log_topic_find(eventlog *l, const char *name)
{
    pthread_mutex_lock(&l->mu);
    bool found;
    size_t at = table_find(l, name, &found);
    log_topic *t = found ? l->topics[at] : NULL;
    pthread_mutex_unlock(&l->mu);
    return t;
}

/* Takes t out of the table and renames its directory aside.  Called with
 * l->mu held.  Returns the new directory name (caller frees) or NULL. */
static char *topic_unlink_locked(eventlog *l, size_t at, err *e)
{
    log_topic *t = l->topics[at];
    buf trash = BUF_INIT;
    buf_printf(&trash, "%s%s", t->dir, LOG_DELETED_SUFFIX);
    if (rename(t->dir, trash.data) < 0) {
        err_set(e, ERR_IO, "cannot delete topic '%s': rename %s: %s", t->name, t->dir,
                strerror(errno));
        buf_free(&trash);
        return NULL;
    }
    /* Make the rename durable: after it, the topic is gone for good. */
    if (log__fsync_dir(l->topics_dir, e) < 0) {
        buf_free(&trash);
        return NULL;
    }
    table_remove(l, at);
    return buf_take(&trash);
}

int log_topic_delete(eventlog *l, const char *name, err *e)
{
    if (strcmp(name, LOG_OFFSETS_TOPIC) == 0)
        return err_set(e, ERR_INVALID, "topic '%s' is internal and cannot be deleted", name);
    /* maint_mu first: a maintenance step in progress may be using it. */
    pthread_mutex_lock(&l->maint_mu);
    pthread_mutex_lock(&l->mu);
    bool found;
    size_t at = table_find(l, name, &found);
    log_topic *t = found ? l->topics[at] : NULL;
    char *trash = t ? topic_unlink_locked(l, at, e) : NULL;
    pthread_mutex_unlock(&l->mu);
    int rc = -1;
    if (!t)
        err_set(e, ERR_UNKNOWN_TOPIC, "topic '%s' does not exist", name);
    if (trash) {
        log__maint_forget(l, t);
        topic_free(t, t->cfg.partitions);
        rc = log_rm_tree(trash, e);
        free(trash);
    }
    pthread_mutex_unlock(&l->maint_mu);
    return rc;
}

void log_topic_each(eventlog *l, void (*fn)(void *ctx, log_topic *t), void *ctx)
{
    /* Call fn on a snapshot, without the lock, so fn may use the log. */
    pthread_mutex_lock(&l->mu);
    size_t n = l->ntopics;
    log_topic **snap = mem_alloc((n ? n : 1) * sizeof *snap);
    memcpy(snap, l->topics, n * sizeof *snap);
    pthread_mutex_unlock(&l->mu);
    for (size_t i = 0; i < n; i++)
        fn(ctx, snap[i]);
    free(snap);
}

const char *log_topic_name(const log_topic *t) { return t->name; }

const char *log_dir(const eventlog *l) { return l->dir; }

int log_topic_partitions(const log_topic *t) { return t->cfg.partitions; }

const log_topic_config *log_topic_config_get(const log_topic *t) { return &t->cfg; }

/* ---- open and close ---- */

static bool has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Recovers the topic in directory entry `name`, if it is one. */
static int log_load_topic(eventlog *l, const char *name, err *e)
{
    buf dir = BUF_INIT;
    buf_printf(&dir, "%s/%s", l->topics_dir, name);
    int rc = 0;
    if (has_suffix(name, LOG_DELETED_SUFFIX)) {
        rc = log_rm_tree(dir.data, e); /* a delete interrupted by a crash */
    } else if (log_check_name(name, e) == 0) {
        log_topic_config cfg;
        rc = log_read_meta(dir.data, &cfg, e);
        if (rc == 1) {
            log_topic *t = topic_new(l, name, &cfg);
            rc = topic_open_partitions(t, e);
            if (rc == 0)
                table_insert(l, t);
        }
    }
    buf_free(&dir);
    return rc < 0 ? -1 : 0;
}

static int log_load_topics(eventlog *l, err *e)
{
    DIR *d = opendir(l->topics_dir);
    if (!d)
        return err_set(e, ERR_IO, "cannot list %s: %s", l->topics_dir, strerror(errno));
    int rc = 0;
    struct dirent *de;
    err ignored;
    while (rc == 0 && (de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        /* Entries that are not topic names are not ours: leave them. */
        if (!has_suffix(de->d_name, LOG_DELETED_SUFFIX) && log_check_name(de->d_name, &ignored) < 0)
            continue;
        rc = log_load_topic(l, de->d_name, e);
    }
    closedir(d);
    return rc;
}

/* Takes DIR/LOCK so a second process (or log) cannot open the same data
 * directory and interleave appends. */
static int log_lock_dir(eventlog *l, err *e)
{
    buf path = BUF_INIT;
    buf_printf(&path, "%s/LOCK", l->dir);
    l->lock_fd = open(path.data, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    int rc = 0;
    if (l->lock_fd < 0)
        rc = err_set(e, ERR_IO, "cannot open %s: %s", path.data, strerror(errno));
    else if (flock(l->lock_fd, LOCK_EX | LOCK_NB) < 0)
        rc = err_set(e, errno == EWOULDBLOCK ? ERR_IN_USE : ERR_IO,
                     "data directory %s is in use by another Eddy: %s", l->dir, strerror(errno));
    buf_free(&path);
    return rc;
}

eventlog *log_open(const char *dir, const log_options *opts, err *e)
{
    eventlog *l = mem_alloc(sizeof *l);
    l->dir = mem_strdup(dir);
    buf td = BUF_INIT;
    buf_printf(&td, "%s/topics", dir);
    l->topics_dir = buf_take(&td);
    l->lock_fd = -1;
    if (opts)
        l->opts = *opts;
    pthread_mutex_init(&l->mu, NULL);
    pthread_mutex_init(&l->offsets.mu, NULL);
    pthread_mutex_init(&l->maint_mu, NULL);
    pthread_mutex_init(&l->stop_mu, NULL);
    pthread_cond_init(&l->stop_cv, NULL);
    if (log_mkdir_parents(l->topics_dir, e) < 0 || log_lock_dir(l, e) < 0 ||
        log_load_topics(l, e) < 0 || log__offsets_open(l, e) < 0 ||
        (!l->opts.manual_maintenance && log__maint_start(l, e) < 0)) {
        log_close(l);
        return NULL;
    }
    return l;
}

void log_close(eventlog *l)
{
    if (!l)
        return;
    log__maint_stop(l);
    log__offsets_close(l);
    for (size_t i = 0; i < l->ntopics; i++)
        topic_free(l->topics[i], l->topics[i]->cfg.partitions);
    free(l->topics);
    if (l->lock_fd >= 0)
        close(l->lock_fd); /* releases the flock */
    pthread_mutex_destroy(&l->offsets.mu);
    pthread_mutex_destroy(&l->mu);
    pthread_mutex_destroy(&l->maint_mu);
    pthread_mutex_destroy(&l->stop_mu);
    pthread_cond_destroy(&l->stop_cv);
    free(l->topics_dir);
    free(l->dir);
    free(l);
}
