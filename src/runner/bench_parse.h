/* bench_parse — parser throughput, for `eddy bench parse`.  Figures are
 * printed, never asserted. */
#ifndef EDDY_BENCH_PARSE_H
#define EDDY_BENCH_PARSE_H

/* Parses a built-in representative SQL script `iterations` times (a
 * default when <= 0) and prints statements/s, MB/s and time per statement
 * to stdout.  Returns 0, or 1 (message on stderr) if the script does not
 * parse. */
int bench_parse(long iterations);

#endif
