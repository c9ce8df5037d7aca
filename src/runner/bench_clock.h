/* bench_clock — what every `eddy bench` case measures with: wall time
 * (CLOCK_MONOTONIC), the process's CPU time (getrusage, user + system),
 * its peak resident set (ru_maxrss), nearest-rank percentiles, and the
 * removal of a benchmark's temporary directory.  No state; any thread. */
#ifndef EDDY_BENCH_CLOCK_H
#define EDDY_BENCH_CLOCK_H

/* Seconds on the monotonic clock (an arbitrary origin). */
double bench_clock_now(void);
/* CPU seconds this process has used (user + system, every thread). */
double bench_clock_cpu(void);
/* The process's peak resident set so far, in KiB. */
long bench_clock_peak_rss_kb(void);
/* Sorts v[0..n) ascending. */
void bench_clock_sort(double *v, long n);
/* The nearest-rank p-quantile (0 < p <= 1) of sorted v[0..n); 0 when n is 0. */
double bench_clock_percentile(const double *v, long n, double p);
/* Removes directory dir and everything under it (best effort). */
void bench_clock_remove_tree(const char *dir);

#endif
