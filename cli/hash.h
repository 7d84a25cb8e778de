/* `mediaqc hash`: per-frame checksums in ffmpeg's framemd5 text format. */
#ifndef MQC_CLI_HASH_H
#define MQC_CLI_HASH_H

/* argv[0] is "hash"; returns the exit code (0 ok, 1 decode errors,
 * 2 usage, 3 unreadable input). */
int mqc_cmd_hash(int argc, char **argv);

#endif
