/* topic_cli — kcat-style commands on the embedded log, without SQL:
 *
 *   eddy topic create|list|describe|delete ...
 *   eddy produce TOPIC ... < records.ndjson
 *   eddy consume TOPIC ...
 *
 * Each opens the data directory's log itself, so it needs a directory no
 * other Eddy process has open (the log holds a lock on it). */
#ifndef EDDY_TOPIC_CLI_H
#define EDDY_TOPIC_CLI_H

/* argv[0] is "topic", "produce" or "consume".  Returns the exit status:
 * 0 done, 1 failed (the message is on stderr), 2 bad usage. */
int topic_cli_main(int argc, char **argv);

#endif
