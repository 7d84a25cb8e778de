/* One error space (issue 12): mediaqc's codes are AVERROR codes that do
 * not collide, one text for each, and one mapping to exit codes. */
#include <string.h>
#include <criterion/criterion.h>
#include "engine/mediaqc.h"

static const int codes[] = { MQC_ERR_NOMEM, MQC_ERR_USAGE, MQC_ERR_NOT_FOUND, MQC_ERR_IO,
                             MQC_ERR_PROFILE, MQC_ERR_UNREADABLE };
#define NB_CODES (int)(sizeof(codes) / sizeof(*codes))

Test(errors, codes_are_distinct_negative_averrors)
{
    for (int i = 0; i < NB_CODES; i++) {
        cr_expect_lt(codes[i], 0);
        for (int j = i + 1; j < NB_CODES; j++)
            cr_expect_neq(codes[i], codes[j], "codes %d and %d collide", i, j);
    }
    cr_expect_eq(MQC_ERR_NOMEM, AVERROR(ENOMEM));
    cr_expect_eq(MQC_ERR_NOT_FOUND, AVERROR(ENOENT));
    /* the old -1 was AVERROR(EPERM): out of memory read "Operation not permitted" */
    cr_expect_neq(MQC_ERR_NOMEM, AVERROR(EPERM));
    cr_expect_neq(MQC_ERR_PROFILE, AVERROR_INVALIDDATA);
    cr_expect_neq(MQC_ERR_UNREADABLE, AVERROR_INVALIDDATA);
}

Test(errors, one_text_for_every_code)
{
    cr_expect_str_eq(mqc_strerror(0), "success");
    cr_expect_str_eq(mqc_strerror(AVERROR(ENOMEM)), "out of memory");
    cr_expect_str_eq(mqc_strerror(MQC_ERR_PROFILE), "invalid profile");
    cr_expect_str_eq(mqc_strerror(MQC_ERR_UNREADABLE), "input cannot be analysed");
    /* errno values and libavutil's tags read as libavutil writes them */
    char want[AV_ERROR_MAX_STRING_SIZE];
    int others[] = { AVERROR(EPERM), AVERROR(ENOENT), AVERROR(EIO), AVERROR(EINVAL),
                     AVERROR_INVALIDDATA, AVERROR_EOF, AVERROR_DECODER_NOT_FOUND };
    for (size_t i = 0; i < sizeof(others) / sizeof(*others); i++) {
        av_strerror(others[i], want, sizeof(want));
        cr_expect_str_eq(mqc_strerror(others[i]), want);
        cr_expect_str_neq(mqc_strerror(others[i]), "out of memory");
    }
}

Test(errors, one_mapping_to_exit_codes)
{
    cr_expect_eq(mqc_exit_code(0, MQC_PASS), MQC_EXIT_PASS);
    cr_expect_eq(mqc_exit_code(0, MQC_FAIL), MQC_EXIT_FAIL);
    cr_expect_eq(mqc_exit_code(0, MQC_ERROR), MQC_EXIT_UNREADABLE);
    cr_expect_eq(mqc_exit_code(MQC_ERR_USAGE, MQC_PASS), MQC_EXIT_USAGE);
    cr_expect_eq(mqc_exit_code(MQC_ERR_NOT_FOUND, MQC_PASS), MQC_EXIT_USAGE);
    cr_expect_eq(mqc_exit_code(MQC_ERR_PROFILE, MQC_PASS), MQC_EXIT_USAGE);
    cr_expect_eq(mqc_exit_code(MQC_ERR_IO, MQC_PASS), MQC_EXIT_USAGE);
    cr_expect_eq(mqc_exit_code(MQC_ERR_NOMEM, MQC_PASS), MQC_EXIT_UNREADABLE);
    cr_expect_eq(mqc_exit_code(MQC_ERR_UNREADABLE, MQC_PASS), MQC_EXIT_UNREADABLE);
    cr_expect_eq(mqc_exit_code(AVERROR_INVALIDDATA, MQC_PASS), MQC_EXIT_UNREADABLE);
    cr_expect_eq(mqc_exit_code(AVERROR(EPERM), MQC_PASS), MQC_EXIT_UNREADABLE);
}

Test(errors, verdict_names)
{
    cr_expect_str_eq(mqc_verdict_name(MQC_PASS), "pass");
    cr_expect_str_eq(mqc_verdict_name(MQC_FAIL), "fail");
    cr_expect_str_eq(mqc_verdict_name(MQC_ERROR), "error");
}
