/* bench — the `eddy bench` subcommand: throughput of the log and of a
 * persistent query, measured in a temporary data directory.  Figures are
 * printed, never asserted. */
#ifndef EDDY_BENCH_H
#define EDDY_BENCH_H

/* argv[0] is "bench".  Exit status 0 when the run completed. */
int bench_main(int argc, char **argv);

#endif
