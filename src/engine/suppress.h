/* suppress — the suppression buffer of EMIT FINAL: the windows whose
 * final result waits for them to close, in the order they close.
 *
 * An EMIT FINAL aggregation emits one result per window, once stream time
 * passes the window's end plus grace (Kafka Streams' suppress
 * untilWindowCloses, which ksqlDB uses).  The buffer keeps, per window
 * (its store key), its end and the task whose stream time closes it; the
 * result itself is read from the store when the window closes.
 *
 * Order: windows leave ending first; windows with the same end leave in
 * the order they were opened (ksqlDB promises no order within one end).
 * Each task's windows are a binary min-heap on (end, opening number);
 * windows any task may close (task -1, reopened after a restart) are a
 * heap of their own, and suppress_pop takes the lesser of the two tops.
 * An index from store key to window finds a window in O(1) for an
 * update; opening, updating and taking out cost O(log n), so closing k
 * windows costs O(k log n), never a scan of the open ones.
 *
 * Ownership: the buffer copies keys in.  Not thread-safe: the query's
 * runtime thread owns it.
 */
#ifndef EDDY_SUPPRESS_H
#define EDDY_SUPPRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct suppress suppress;

/* A window taken out of the buffer.  key stays valid until the next
 * suppress_pop or suppress_free. */
typedef struct suppress_window {
    const uint8_t *key;
    size_t klen;
    int64_t wend;
    int task;
} suppress_window;

suppress *suppress_new(void);
void suppress_free(suppress *s);

/* Windows open. */
size_t suppress_count(const suppress *s);

/* A change of window `key`: opens the window (ending at wend, closed by
 * task's stream time, any task's when task is -1) when it is not open;
 * otherwise moves its end to wend (a session grows). */
void suppress_touch(suppress *s, const void *key, size_t klen, int64_t wend, int task);

/* Opens window key, which the caller knows is not open and will neither
 * touch nor remove (a tumbling or hopping window's first change when one
 * task changes the windows): as suppress_touch, without the index entry
 * that finds it again, so opening and closing it look nothing up. */
void suppress_open(suppress *s, const void *key, size_t klen, int64_t wend, int task);

/* Forgets window key (a session merged into another: it has no final
 * result); false when it was not open. */
bool suppress_remove(suppress *s, const void *key, size_t klen);

/* Takes out the window that closes next for `task`: of its windows and
 * those any task may close, the one ending first (ties: opened first),
 * when its end <= until.  Returns false, taking nothing, when there is
 * none such. */
bool suppress_pop(suppress *s, int task, int64_t until, suppress_window *out);

#endif
