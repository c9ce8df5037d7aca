/* check — `eddy check FILE.sql`: parses and analyzes a script against the
 * catalog of a data directory (including what the script itself creates)
 * without running it, and lists every error. */
#ifndef EDDY_CHECK_H
#define EDDY_CHECK_H

/* argv[0] is "check".  Exit status 0 when the script is fine, 1 when it
 * has errors (all listed), 2 on bad usage. */
int check_main(int argc, char **argv);

#endif
