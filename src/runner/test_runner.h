/* test_runner — `eddy test`: runs statements against input records in a
 * private, temporary data directory and compares the records the sink
 * topics receive with the expected ones, in the file formats of ksqlDB's
 * ksql-test-runner.
 *
 * A case is applied as ksqlDB's test driver applies it: every statement
 * first, in order; then each input record is produced in file order and
 * travels through every persistent query it reaches before the next one.
 * Reading starts from the earliest offset.
 */
#ifndef EDDY_TEST_RUNNER_H
#define EDDY_TEST_RUNNER_H

/* The `eddy test` subcommand.  Exit status: 0 when the output matches, 1
 * on a mismatch, a refused statement or bad files, 2 on bad usage. */
int test_runner_main(int argc, char **argv);

#endif
