/* The checks this program ships, in report order. */
#ifndef MQC_ALL_CHECKS_H
#define MQC_ALL_CHECKS_H

#include "../engine/check.h"

extern const MqcCheck *const mqc_all_checks[];

#endif
