/* Bytes on their way to terminals and parsers (issue 20.7): the one cleaning
 * rule, the CSV formula guard, UTF-8 repair of JSON trees. Expected values
 * are written out by hand from RFC 3629, OWASP's CSV-injection list and the
 * UTF-8 encoding of U+FFFD (EF BF BD). */
#include <string.h>
#include <criterion/criterion.h>
#include <cjson/cJSON.h>
#include "engine/utf8.h"
#include "reports/text.h"

static char *csv(const char *s)
{
    static char out[256];
    MqcBuf b = { 0 };
    mqc_buf_csv(&b, s);
    snprintf(out, sizeof(out), "%s", b.data ? b.data : "");
    mqc_buf_free(&b);
    return out;
}

Test(text, csv_guards_every_formula_lead_of_owasp)
{
    cr_expect_str_eq(csv("=1+1"), "\"'=1+1\"");
    cr_expect_str_eq(csv("+1"), "\"'+1\"");
    cr_expect_str_eq(csv("-1"), "\"'-1\"");
    cr_expect_str_eq(csv("@SUM(A1)"), "\"'@SUM(A1)\"");
    cr_expect_str_eq(csv("\t=1"), "\"'\t=1\"");
    cr_expect_str_eq(csv("\r=1"), "\"'\r=1\"");
    /* not a formula: left alone, quoted only for RFC 4180 */
    cr_expect_str_eq(csv("a=1"), "a=1");
    cr_expect_str_eq(csv("a,b"), "\"a,b\"");
    cr_expect_str_eq(csv(""), "");
}

static char *line(const char *s, size_t max)
{
    static char out[256];
    MqcBuf b = { 0 };
    mqc_buf_line(&b, s, max);
    snprintf(out, sizeof(out), "%s", b.data ? b.data : "");
    mqc_buf_free(&b);
    return out;
}

Test(text, line_cleaning_removes_controls_and_invalid_utf8)
{
    /* ESC BEL CR LF DEL become spaces; tab stays */
    cr_expect_str_eq(line("a\x1b]0;t\x07" "b\r\nc\x7f" "d\te", 100), "a ]0;t b  c d\te");
    /* C1 CSI (U+009B, C2 9B) and NEL (U+0085) too; U+2028 also */
    cr_expect_str_eq(line("x\xc2\x9b" "2J\xc2\x85y\xe2\x80\xa8z", 100), "x 2J y z");
    /* invalid bytes, an overlong '/', a surrogate: one '?' per byte */
    cr_expect_str_eq(line("\xff\xfe|\xc0\xaf|\xed\xa0\x80", 100), "??|??|???");
    /* valid UTF-8 passes; the limit never splits a character */
    cr_expect_str_eq(line("h\xc3\xa9h\xc3\xa9", 100), "h\xc3\xa9h\xc3\xa9");
    cr_expect_str_eq(line("h\xc3\xa9h\xc3\xa9", 5), "h\xc3\xa9h");
}

Test(text, json_repair_makes_values_and_names_utf8)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "path", "a\xff" "b");
    cJSON_AddStringToObject(o, "k\xfe", "ok");
    cJSON *arr = cJSON_AddArrayToObject(o, "argv");
    cJSON_AddItemToArray(arr, cJSON_CreateString("\xc3\xa9\xc3"));
    cr_assert_eq(mqc_json_utf8_repair(o), 0);
    cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(o, "path")->valuestring,
                     "a\xef\xbf\xbd" "b");
    cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(o, "k\xef\xbf\xbd")->valuestring, "ok");
    cr_expect_str_eq(cJSON_GetArrayItem(arr, 0)->valuestring, "\xc3\xa9\xef\xbf\xbd");
    char *text = cJSON_PrintUnformatted(o);
    cr_expect(mqc_utf8_valid(text));
    free(text);
    cJSON_Delete(o);
    cr_expect(!mqc_utf8_valid("\xf4\x90\x80\x80"));   /* above U+10FFFF */
    cr_expect(mqc_utf8_valid("\xf4\x8f\xbf\xbf"));    /* U+10FFFF */
}
