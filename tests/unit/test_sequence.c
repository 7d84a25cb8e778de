/* Image sequences: which files of a printf pattern are present, in numeric
 * order, in runs of consecutive numbers; names as the pattern makes them.
 * The expected lists are the files this test creates. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <criterion/criterion.h>
#include "engine/mediaqc.h"
#include "engine/sequence.h"

static char dir[256];

static void touch(const char *name)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "%s", path);
    fclose(f);
}

static void setup(void)
{
    snprintf(dir, sizeof(dir), "/tmp/mqc-seq-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    /* %04d: 1..3, 5, 9, 10 (10 after 9, not after 1); not: 5 digits with a
     * leading zero, another extension, another prefix, a suffix */
    const char *names[] = { "s_0001.dpx", "s_0002.dpx", "s_0003.dpx", "s_0005.dpx",
                            "s_0009.dpx", "s_0010.dpx", "s_00011.dpx", "s_0004.exr",
                            "t_0004.dpx", "s_0006.dpx.bak", "u_9.exr", "u_10.exr", "u_010.exr" };
    for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++)
        touch(names[i]);
}

static void teardown(void)
{
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}

static MqcSequence *open_seq(const char *base, int64_t start)
{
    char pattern[512];
    MqcSequence *s = NULL;
    MqcMsg msg = { "" };
    snprintf(pattern, sizeof(pattern), "%s/%s", dir, base);
    cr_assert(mqc_sequence_is_pattern(pattern));
    cr_assert_eq(mqc_sequence_open(&s, pattern, start, &msg), 0, "%s", msg.text);
    return s;
}

TestSuite(sequence, .init = setup, .fini = teardown);

Test(sequence, pattern_detection)
{
    cr_assert(mqc_sequence_is_pattern("shot_%04d.dpx"));
    cr_assert(mqc_sequence_is_pattern("dir/shot.%d.exr"));
    cr_assert_not(mqc_sequence_is_pattern("shot_0001.dpx"));
    cr_assert_not(mqc_sequence_is_pattern("100%.mov"));
    cr_assert_not(mqc_sequence_is_pattern("a_%04d_%04d.dpx"));    /* two numbers */
}

Test(sequence, numbers_present_in_numeric_order_and_runs)
{
    MqcSequence *s = open_seq("s_%04d.dpx", -1);
    const int64_t want[] = { 1, 2, 3, 5, 9, 10 };
    cr_assert_eq(mqc_sequence_files(s), 6);
    for (size_t i = 0; i < 6; i++)
        cr_assert_eq(mqc_sequence_number(s, i), want[i], "file %zu", i);
    cr_assert_eq(mqc_sequence_number(s, 6), -1);
    cr_assert_eq(mqc_sequence_start(s), 1);
    cr_assert_eq(mqc_sequence_last(s), 10);
    cr_assert(mqc_sequence_has(s, 5));
    cr_assert_not(mqc_sequence_has(s, 4));
    const int64_t runs[][2] = { { 1, 3 }, { 5, 1 }, { 9, 2 } };
    int64_t first, count;
    for (size_t i = 0; i < 3; i++) {
        cr_assert(mqc_sequence_next_run(s, &first, &count));
        cr_assert_eq(first, runs[i][0]);
        cr_assert_eq(count, runs[i][1]);
    }
    cr_assert_not(mqc_sequence_next_run(s, &first, &count));
    char name[64];
    mqc_sequence_name(s, 4, 0, name, sizeof(name));
    cr_assert_str_eq(name, "s_0004.dpx");
    mqc_sequence_free(&s);
    cr_assert_null(s);
}

Test(sequence, start_number_and_unpadded_numbers)
{
    MqcSequence *s = open_seq("s_%04d.dpx", 3);
    cr_assert_eq(mqc_sequence_files(s), 4);      /* 3, 5, 9, 10 */
    cr_assert_eq(mqc_sequence_start(s), 3);
    mqc_sequence_free(&s);
    s = open_seq("s_%04d.dpx", 0);                /* before the first file */
    cr_assert_eq(mqc_sequence_start(s), 0);
    cr_assert_eq(mqc_sequence_number(s, 0), 1);
    mqc_sequence_free(&s);
    s = open_seq("u_%d.exr", -1);                 /* 9 then 10; u_010 is not %d's name */
    cr_assert_eq(mqc_sequence_files(s), 2);
    cr_assert_eq(mqc_sequence_number(s, 0), 9);
    cr_assert_eq(mqc_sequence_number(s, 1), 10);
    mqc_sequence_free(&s);
}

Test(sequence, nothing_to_read_names_the_pattern)
{
    char pattern[512];
    MqcSequence *s = NULL;
    MqcMsg msg = { "" };
    snprintf(pattern, sizeof(pattern), "%s/s_%%04d.dpx", dir);
    cr_assert_eq(mqc_sequence_open(&s, pattern, 11, &msg), MQC_ERR_NOT_FOUND);
    cr_assert_not_null(strstr(msg.text, "numbered 11"), "%s", msg.text);
    cr_assert_not_null(strstr(msg.text, pattern), "%s", msg.text);
    snprintf(pattern, sizeof(pattern), "%s/nowhere/s_%%04d.dpx", dir);
    cr_assert_eq(mqc_sequence_open(&s, pattern, -1, &msg), MQC_ERR_NOT_FOUND);
    cr_assert_null(s);
}
