/* Engine internals shared between engine/ files; not for checks or the CLI. */
#ifndef MQC_INTERNAL_H
#define MQC_INTERNAL_H

#include <cjson/cJSON.h>
#include "mediaqc.h"

/* Allocation-failure injection for tests: 1 when the allocation about to be
 * made must fail (MQC_FAIL_ALLOC_AFTER=N: the one after N successes). The
 * scheduler's and the event lists' allocations ask it first. */
int mqc_alloc_fails(void);

/* The run's learnt facts (check.h); NULL when out of memory. */
MqcLearnt *mqc_learnt_alloc(void);
void mqc_learnt_free(MqcLearnt **l);


#endif
