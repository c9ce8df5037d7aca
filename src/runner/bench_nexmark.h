/* bench_nexmark — `eddy bench nexmark`: the Nexmark queries Eddy can
 * express (nexmark_queries.h), each run as persistent queries over
 * generated events (nexmark_gen.h) in a fresh temporary data directory,
 * in its own process.  Figures are printed, never asserted; --help says
 * how each is measured. */
#ifndef EDDY_BENCH_NEXMARK_H
#define EDDY_BENCH_NEXMARK_H

/* argv[0] is "bench", argv[1] "nexmark".  Returns the exit status: 0
 * when every query ran, 1 when one failed, 2 for a usage error. */
int bench_nexmark_main(int argc, char **argv);

#endif
