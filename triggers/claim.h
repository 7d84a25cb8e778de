/* One analysis per object version, however many workers get its event at
 * once: a claim beside the report (docs/triggers.md, "Duplicate deliveries"). */
#ifndef MQC_TRIGGERS_CLAIM_H
#define MQC_TRIGGERS_CLAIM_H

#include "../engine/mediaqc.h"

/* an object-storage claim not refreshed for this long is stale */
#define QC_CLAIM_LEASE_S 60

typedef struct QcClaim QcClaim;

/* Claims the job whose JSON report goes to `report` (a local path or an
 * s3:// / http(s):// URL); the claim is `report` + ".claim".
 * - local: the claim file is locked with flock(), which the kernel releases
 *   when the holder dies, however it dies;
 * - object storage: a claim object naming host, pid and time, refreshed every
 *   lease/3 while the job runs; it is stale when older than the lease or when
 *   its holder is a dead process on this host. A new claim is written, read
 *   back after a settling second, and kept only when it is still ours (two
 *   writers at once: the last one wins, the other waits).
 * While another live holder has it, waits, asking done(arg) every few hundred
 * ms whether the report it makes is there. Returns 1 when claimed (*claim set;
 * qc_claim_release() once the report is stored), 0 when done(arg) said yes
 * (before or right after claiming), or a negative error with msg.
 * `confine`: as for the report (mqc_outfile_open): a local claim's folders
 * below it are reached without following a link, so a linked folder is
 * refused before anything is created in its target. */
int qc_claim(const char *report, const char *confine, int quiet, int (*done)(void *arg), void *arg, QcClaim **claim,
             MqcMsg *msg);
/* Stops refreshing and removes the claim; NULL is fine. */
void qc_claim_release(QcClaim *c);

#endif
