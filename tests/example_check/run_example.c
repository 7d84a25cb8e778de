/* The test program of docs/adding-a-check.md: the shipped checks plus the
 * example check (flat.c), run through the real pipeline (mqc_job_run:
 * engine, capture, HTML writer, sink). Nothing in reports/ names the
 * example check; its curve must still be in the page (e2e_example_check.py
 * asserts it).
 *
 *   mqc-example-check INPUT HTML FRAMES JSON    run, write the three outputs
 *   mqc-example-check --series                  "check NAME" and
 *                                               "series NAME KEY CHARTED UNIT" lines */
#include <stdio.h>
#include <string.h>
#include "checks/all.h"
#include "reports/job.h"
#include "reports/reports.h"

extern const MqcCheck mqc_check_flat;

#define MAX_CHECKS 64

static int list_series(const MqcCheck *const *reg)
{
    for (; *reg; reg++) {
        printf("check %s\n", (*reg)->name);
        for (const MqcSeries *s = (*reg)->series; s && s->key; s++)
            printf("series %s %s %d %s\n", (*reg)->name, s->key, s->chart != NULL,
                   s->unit ? s->unit : "-");
    }
    return 0;
}

int main(int argc, char **argv)
{
    const MqcCheck *reg[MAX_CHECKS + 2];
    int n = 0;
    for (const MqcCheck *const *c = mqc_all_checks; *c && n < MAX_CHECKS; c++)
        reg[n++] = *c;
    reg[n++] = &mqc_check_flat;
    reg[n] = NULL;

    if (argc == 2 && !strcmp(argv[1], "--series"))
        return list_series(reg);
    if (argc != 5) {
        fprintf(stderr, "usage: %s INPUT HTML FRAMES JSON | --series\n", argv[0]);
        return 2;
    }
    MqcMsg msg = { { 0 } };
    MqcProfile *profile = NULL;
    MqcJobResult res = { .run = NULL };
    int ret = mqc_profile_load(reg, MQC_DEFAULT_PROFILE, &profile, &msg);
    if (ret >= 0) {
        /* the pipeline of `mediaqc check`: run with the HTML capture, store outputs */
        MqcJob job = { .reg = reg, .profile = profile, .argc = argc, .argv = argv,
                       .opt = { .input = argv[1], .stream_index = -1, .threads = 2,
                                .frames_path = argv[3] },
                       .out = { [MQC_OUTPUT_HTML] = argv[2], [MQC_OUTPUT_JSON] = argv[4] } };
        ret = mqc_job_run(&job, &res, &msg);
    }
    if (ret < 0)
        fprintf(stderr, "%s\n", msg.text[0] ? msg.text : mqc_strerror(ret));
    mqc_job_result_free(&res);
    mqc_profile_free(profile);
    return ret < 0 ? 2 : 0;
}
