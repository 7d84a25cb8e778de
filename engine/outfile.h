/* Local output files that a crash, a full disk or a planted symbolic link
 * cannot turn into a damaged or misplaced file (docs/robustness.md, "Output
 * files and bytes"). Every local output goes through here: the sink of
 * reports/job.c and the --frames stream of the engine. */
#ifndef MQC_OUTFILE_H
#define MQC_OUTFILE_H

#include <stdio.h>
#include "mediaqc.h"

#define MQC_OUT_MKDIRS 1    /* create the missing folders of the path */

typedef struct MqcOutFile {
    FILE *fp;               /* write here; NULL once committed or aborted */
    int dirfd;              /* the destination's folder; -1 when written through */
    int owned;              /* fp is ours to close (not stdout) */
    int err;                /* the first write error's errno, 0 if none */
    char name[256];         /* the final name in dirfd */
    char tmp[256];          /* the temp file in dirfd */
    char path[4096];        /* as given, for messages */
    char what[64];          /* "report", "frames file", ... for messages */
} MqcOutFile;

/* Starts writing `path`: "-" is stdout; a device or pipe is written
 * through; anything else goes to a new temp file ".NAME.mqctmp.XXXXXX"
 * beside it, created exclusively (never through a link), that commit
 * renames over NAME (so a symbolic link at NAME is replaced, its target
 * untouched). Temp files that killed writers left beside NAME are removed.
 * With `confine` (a folder that path lies under), no symbolic link below
 * confine is followed, nor is a device at NAME written through: the path
 * was computed by a job, not named by the user. Errors (MQC_ERR_IO) name
 * path, `what` and the cause. */
int mqc_outfile_open(MqcOutFile *f, const char *path, const char *confine, unsigned flags,
                     const char *what, MqcMsg *msg);
/* The folder of `path` reached as mqc_outfile_open reaches it (no link
 * below `confine`; missing folders created with MQC_OUT_MKDIRS): returns an
 * O_PATH descriptor of it and sets name (the last component), or MQC_ERR_IO
 * naming path, `what` and the cause. For a file beside an output that is
 * not written through a temp file (a job's claim). */
int mqc_outfile_folder(const char *path, const char *confine, unsigned flags, const char *what,
                       char name[256], MqcMsg *msg);
/* Call after writes to fp: remembers the cause of a failed write. Returns
 * 0, or MQC_ERR_IO once a write failed. */
int mqc_outfile_check(MqcOutFile *f);
/* Flushes, syncs to disk and gives the file its name. On error the temp
 * file is removed and the old file (if any) stays. */
int mqc_outfile_commit(MqcOutFile *f, MqcMsg *msg);
/* Drops what was written (the temp file is removed). */
void mqc_outfile_abort(MqcOutFile *f);

#endif
