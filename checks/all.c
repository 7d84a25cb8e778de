#include "all.h"

extern const MqcCheck mqc_check_legal_range;
extern const MqcCheck mqc_check_black;

const MqcCheck *const mqc_all_checks[] = {
    &mqc_check_legal_range,
    &mqc_check_black,
    NULL
};
