/* print — renders engine results as text tables on a FILE.
 *
 * A printer implements engine_output: messages are printed as they are;
 * a set of rows is drawn as a bordered table.  Rows of a streaming set
 * (push queries) are printed as they arrive, with column widths fixed by
 * the header; other sets are buffered so the widths fit the contents.
 * The printer owns its buffered rows and frees them at each footer.
 */
#ifndef EDDY_PRINT_H
#define EDDY_PRINT_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

#include "../engine/engine.h"

typedef struct printer {
    FILE *out;
    const volatile sig_atomic_t *interrupted; /* set by the SIGINT handler */
    /* current row set */
    const schema *cols;
    int ncols;
    char **names; /* copies of column names */
    int *widths;
    sqltype const **types;
    bool streaming;
    char ***rows; /* buffered rows (cells), when not streaming */
    int nrows, cap;
    long count; /* rows in the current set */
} printer;

void printer_init(printer *p, FILE *out, const volatile sig_atomic_t *interrupted);
void printer_free(printer *p);
/* A set of rows whose cells are already text (rows from a server):
 * header_names copies the names; row_cells takes ownership of cells (n
 * malloc'd strings in a malloc'd array).  End the set with the output's
 * footer. */
void printer_header_names(printer *p, const char *const *names, int n, bool streaming);
void printer_row_cells(printer *p, char **cells);
/* The engine_output that prints through p. */
engine_output printer_output(printer *p);

#endif
