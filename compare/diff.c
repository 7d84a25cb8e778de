/* `mediaqc diff OLD.json NEW.json`: the events, verdict, stream facts and
 * metrics that changed between two reports of one title. Works on the
 * JSON only (reports of any mediaqc that writes mediaqc.report/1). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cjson/cJSON.h>
#include "compare.h"

#define MAX_REPORT_BYTES (512LL << 20)

int mqc_diff_load(const char *path, cJSON **out, MqcMsg *msg)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        mqc_msg(msg, "%s: cannot read report: %s", path, strerror(errno));
        return errno == ENOENT ? MQC_ERR_NOT_FOUND : MQC_ERR_UNREADABLE;
    }
    struct stat sb;
    if (fstat(fileno(f), &sb) < 0 || !S_ISREG(sb.st_mode) || sb.st_size > MAX_REPORT_BYTES) {
        fclose(f);
        mqc_msg(msg, "%s: not a report file (not a regular file, or over 512 MB)", path);
        return MQC_ERR_UNREADABLE;
    }
    char *text = malloc((size_t)sb.st_size + 1);
    size_t n = text ? fread(text, 1, (size_t)sb.st_size, f) : 0;
    fclose(f);
    if (!text)
        return MQC_ERR_NOMEM;
    text[n] = 0;
    cJSON *doc = cJSON_ParseWithLength(text, n);
    free(text);
    const cJSON *schema = cJSON_GetObjectItemCaseSensitive(doc, "schema");
    const char *s = cJSON_IsString(schema) ? schema->valuestring : NULL;
    if (!cJSON_IsObject(doc))
        mqc_msg(msg, "%s: not a mediaqc report (not a JSON object)", path);
    else if (s && !strcmp(s, "mediaqc.partial/1"))
        mqc_msg(msg, "%s: a partial report (mediaqc.partial/1) of one segment: merge the "
                "segments first (mediaqc merge)", path);
    else if (!s || strcmp(s, MQC_REPORT_SCHEMA))
        mqc_msg(msg, "%s: not a mediaqc report (schema \"%.64s\", expected %s)", path,
                s ? s : "none", MQC_REPORT_SCHEMA);
    else if (!cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(doc, "checks")) ||
             !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(doc, "verdict")))
        mqc_msg(msg, "%s: an incomplete report (no checks or verdict)", path);
    else {
        *out = doc;
        return 0;
    }
    cJSON_Delete(doc);
    return MQC_ERR_UNREADABLE;
}

/* ---- small JSON readers ---- */

static const cJSON *get(const cJSON *o, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(o, key);
}

static const char *str(const cJSON *o, const char *key, const char *def)
{
    const cJSON *v = get(o, key);
    return cJSON_IsString(v) ? v->valuestring : def;
}

static double num(const cJSON *o, const char *key, double def)
{
    const cJSON *v = get(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : def;
}

static cJSON *dup_or_null(const cJSON *v)
{
    return v ? cJSON_Duplicate(v, 1) : cJSON_CreateNull();
}

static double report_fps(const cJSON *rep)
{
    const char *r = str(get(rep, "video"), "frame_rate", NULL);
    long a, b;
    char *end;
    if (r) {
        a = strtol(r, &end, 10);
        if (*end == '/' && (b = strtol(end + 1, NULL, 10)) > 0 && a > 0)
            return (double)a / b;
    }
    return 25.0;
}

/* ---- events ---- */

typedef struct Ev {
    const cJSON *j;
    const char *check, *code, *sev;
    double start, end;          /* frames, or seconds for events without frames */
    int by_frames;
    int pair;                   /* index into the other list, -1 */
} Ev;

static int collect(const cJSON *rep, Ev **out)
{
    int n = 0;
    const cJSON *c, *e;
    cJSON_ArrayForEach(c, get(rep, "checks"))
        n += cJSON_GetArraySize(get(c, "events"));
    Ev *v = calloc((size_t)n + 1, sizeof(*v));
    if (!v)
        return MQC_ERR_NOMEM;
    n = 0;
    cJSON_ArrayForEach(c, get(rep, "checks")) {
        cJSON_ArrayForEach(e, get(c, "events")) {
            Ev *x = &v[n++];
            x->j = e;
            x->check = str(c, "id", "?");
            x->code = str(e, "code", "?");
            x->sev = str(e, "severity", "error");
            x->by_frames = cJSON_IsNumber(get(e, "start_frame"));
            x->start = x->by_frames ? num(e, "start_frame", 0) : num(e, "start_s", 0);
            x->end = x->by_frames ? num(e, "end_frame", x->start) : num(e, "end_s", x->start);
            x->pair = -1;
        }
    }
    *out = v;
    return n;
}

/* Both absent, or equal (cJSON_Compare says absent values differ). */
static int same_json(const cJSON *a, const cJSON *b)
{
    return (!a && !b) || cJSON_Compare(a, b, 1);
}

/* Same kind of event: check, code, and for audio events stream and channel. */
static int same_kind(const Ev *a, const Ev *b)
{
    return !strcmp(a->check, b->check) && !strcmp(a->code, b->code) &&
           a->by_frames == b->by_frames &&
           same_json(get(a->j, "stream"), get(b->j, "stream")) &&
           same_json(get(a->j, "channel"), get(b->j, "channel"));
}

static int same_value(double a, double b)
{
    return fabs(a - b) <= 1e-9 * fmax(1.0, fmax(fabs(a), fabs(b)));
}

/* The matching rule (docs/compare.md): an OLD event pairs with the NEW event
 * of the same check and code whose span, widened by `tol` on both sides,
 * overlaps it most (nearest start on a tie); each event pairs at most once,
 * OLD events in report order. */
static void match(Ev *o, int no, Ev *n, int nn, double tol_frames, double tol_s)
{
    for (int i = 0; i < no; i++) {
        int best = -1;
        double best_overlap = 0, best_dist = 0;
        for (int k = 0; k < nn; k++) {
            if (n[k].pair >= 0 || !same_kind(&o[i], &n[k]))
                continue;
            double tol = o[i].by_frames ? tol_frames : tol_s;
            double overlap = fmin(o[i].end + tol, n[k].end) - fmax(o[i].start - tol, n[k].start);
            double dist = fabs(o[i].start - n[k].start);
            if (overlap < 0)
                continue;
            if (best < 0 || overlap > best_overlap || (overlap == best_overlap && dist < best_dist))
                best = k, best_overlap = overlap, best_dist = dist;
        }
        if (best >= 0) {
            o[i].pair = best;
            n[best].pair = i;
        }
    }
}

typedef struct Row {
    const Ev *o, *n;
    const char *status;
    double at;                  /* seconds, for the order of the list */
} Row;

static int row_order(const void *pa, const void *pb)
{
    const Row *a = pa, *b = pb;
    if (a->at != b->at)
        return a->at < b->at ? -1 : 1;
    const Ev *x = a->n ? a->n : a->o, *y = b->n ? b->n : b->o;
    int c = strcmp(x->check, y->check);
    return c ? c : strcmp(x->code, y->code);
}

static cJSON *event_row(const Row *r, double tol_frames, double tol_s, int *new_errors)
{
    cJSON *o = cJSON_CreateObject();
    const Ev *e = r->n ? r->n : r->o;
    cJSON_AddStringToObject(o, "status", r->status);
    cJSON_AddStringToObject(o, "check", e->check);
    cJSON_AddStringToObject(o, "code", e->code);
    cJSON_AddStringToObject(o, "severity", e->sev);
    cJSON_AddItemToObject(o, "old", dup_or_null(r->o ? r->o->j : NULL));
    cJSON_AddItemToObject(o, "new", dup_or_null(r->n ? r->n->j : NULL));
    cJSON *changes = cJSON_AddArrayToObject(o, "changes");
    if (r->o && r->n) {
        double tol = e->by_frames ? tol_frames : tol_s;
        if (strcmp(r->o->sev, r->n->sev))
            cJSON_AddItemToArray(changes, cJSON_CreateString("severity"));
        if (!same_value(num(r->o->j, "value", 0), num(r->n->j, "value", 0)))
            cJSON_AddItemToArray(changes, cJSON_CreateString("value"));
        if (fabs(r->o->start - r->n->start) > tol || fabs(r->o->end - r->n->end) > tol)
            cJSON_AddItemToArray(changes, cJSON_CreateString("span"));
    }
    /* an error OLD lacked: a new one, or one that became an error */
    if (r->n && !strcmp(r->n->sev, "error") && (!r->o || strcmp(r->o->sev, "error")))
        ++*new_errors;
    return o;
}

static void events_diff(cJSON *diff, const Ev *o, int no, const Ev *n, int nn,
                        double fps, double tol_frames, double tol_s, int counts[4],
                        int *new_errors)
{
    Row *rows = calloc((size_t)(no + nn) + 1, sizeof(*rows));
    cJSON *arr = cJSON_AddArrayToObject(diff, "events");
    if (!rows || !arr) {
        free(rows);
        return;
    }
    int nr = 0;
    for (int i = 0; i < no; i++) {
        Row *r = &rows[nr++];
        r->o = &o[i];
        r->n = o[i].pair >= 0 ? &n[o[i].pair] : NULL;
    }
    for (int k = 0; k < nn; k++)
        if (n[k].pair < 0)
            rows[nr++].n = &n[k];
    for (int i = 0; i < nr; i++) {
        Row *r = &rows[i];
        const Ev *e = r->n ? r->n : r->o;
        r->at = e->by_frames ? e->start / fps : e->start;
        if (!r->n)
            r->status = "fixed";
        else if (!r->o)
            r->status = "new";
        else
            r->status = "pending";
    }
    qsort(rows, (size_t)nr, sizeof(*rows), row_order);
    for (int i = 0; i < nr; i++) {
        cJSON *row = event_row(&rows[i], tol_frames, tol_s, new_errors);
        if (!strcmp(rows[i].status, "pending")) {
            int changed = cJSON_GetArraySize(get(row, "changes")) > 0;
            cJSON_ReplaceItemInObjectCaseSensitive(row, "status",
                cJSON_CreateString(changed ? "changed" : "unchanged"));
        }
        const char *st = str(row, "status", "");
        counts[!strcmp(st, "fixed") ? 0 : !strcmp(st, "new") ? 1 : !strcmp(st, "changed") ? 2 : 3]++;
        cJSON_AddItemToArray(arr, row);
    }
    free(rows);
}

/* ---- facts, metrics, check status ---- */

static void one_change(cJSON *arr, const char *check, const char *key, const cJSON *a,
                       const cJSON *b)
{
    if (same_json(a, b))
        return;
    cJSON *o = cJSON_CreateObject();
    if (check)
        cJSON_AddStringToObject(o, "check", check);
    cJSON_AddStringToObject(o, "key", key);
    cJSON_AddItemToObject(o, "old", dup_or_null(a));
    cJSON_AddItemToObject(o, "new", dup_or_null(b));
    cJSON_AddItemToArray(arr, o);
}

/* Every key of a or b whose values differ, as "prefix.key". */
static void object_changes(cJSON *arr, const char *check, const char *prefix, const cJSON *a,
                           const cJSON *b)
{
    const cJSON *it;
    char key[256];
    cJSON_ArrayForEach(it, a) {
        snprintf(key, sizeof(key), "%s%s", prefix, it->string);
        one_change(arr, check, key, it, get(b, it->string));
    }
    cJSON_ArrayForEach(it, b) {
        if (get(a, it->string))
            continue;
        snprintf(key, sizeof(key), "%s%s", prefix, it->string);
        one_change(arr, check, key, NULL, it);
    }
}

static void facts_diff(cJSON *arr, const cJSON *a, const cJSON *b)
{
    one_change(arr, NULL, "input.format", get(get(a, "input"), "format"),
               get(get(b, "input"), "format"));
    one_change(arr, NULL, "input.size_bytes", get(get(a, "input"), "size_bytes"),
               get(get(b, "input"), "size_bytes"));
    const cJSON *va = get(a, "video"), *vb = get(b, "video");
    if (cJSON_IsObject(va) && cJSON_IsObject(vb))
        object_changes(arr, NULL, "video.", va, vb);
    else
        one_change(arr, NULL, "video", va, vb);
    const cJSON *aa = get(a, "audio"), *ab = get(b, "audio");
    int na = cJSON_GetArraySize(aa), nb = cJSON_GetArraySize(ab);
    if (na != nb) {
        cJSON *x = cJSON_CreateNumber(na), *y = cJSON_CreateNumber(nb);
        one_change(arr, NULL, "audio.streams", x, y);
        cJSON_Delete(x);
        cJSON_Delete(y);
    }
    for (int i = 0; i < (na > nb ? na : nb); i++) {
        char prefix[32];
        snprintf(prefix, sizeof(prefix), "audio[%d].", i);
        const cJSON *sa = cJSON_GetArrayItem(aa, i), *sb = cJSON_GetArrayItem(ab, i);
        if (sa && sb)
            object_changes(arr, NULL, prefix, sa, sb);
        else {
            prefix[strlen(prefix) - 1] = 0;
            one_change(arr, NULL, prefix, sa, sb);
        }
    }
    one_change(arr, NULL, "summary.frames_analyzed", get(get(a, "summary"), "frames_analyzed"),
               get(get(b, "summary"), "frames_analyzed"));
}

static const cJSON *find_check(const cJSON *rep, const char *id)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, get(rep, "checks"))
        if (!strcmp(str(c, "id", ""), id))
            return c;
    return NULL;
}

static void checks_diff(cJSON *metrics, cJSON *checks, const cJSON *a, const cJSON *b)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, get(a, "checks")) {
        const char *id = str(c, "id", "?");
        const cJSON *d = find_check(b, id);
        one_change(checks, id, "status", get(c, "status"), d ? get(d, "status") : NULL);
        if (d)
            object_changes(metrics, id, "", get(c, "metrics"), get(d, "metrics"));
    }
    cJSON_ArrayForEach(c, get(b, "checks"))
        if (!find_check(a, str(c, "id", "?")))
            one_change(checks, str(c, "id", "?"), "status", NULL, get(c, "status"));
}

static cJSON *side(const cJSON *rep, const char *path)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "report", path);
    cJSON_AddStringToObject(o, "input", str(get(rep, "input"), "path", "?"));
    cJSON_AddStringToObject(o, "verdict", str(rep, "verdict", "?"));
    cJSON_AddStringToObject(o, "profile", str(get(rep, "profile"), "name", "?"));
    cJSON_AddStringToObject(o, "tool_version", str(get(rep, "tool"), "version", "?"));
    cJSON_AddItemToObject(o, "video", dup_or_null(get(rep, "video")));
    cJSON_AddNumberToObject(o, "frames", num(get(rep, "summary"), "frames_analyzed", 0));
    cJSON_AddNumberToObject(o, "errors", num(get(rep, "summary"), "errors", 0));
    cJSON_AddNumberToObject(o, "warnings", num(get(rep, "summary"), "warnings", 0));
    return o;
}

static void warn_if_differs(cJSON *warnings, const cJSON *a, const cJSON *b, const char *obj,
                            const char *key, const char *what)
{
    const char *x = str(get(a, obj), key, "?"), *y = str(get(b, obj), key, "?");
    if (strcmp(x, y)) {
        char text[512];
        snprintf(text, sizeof(text), "%s differ (%.200s in OLD, %.200s in NEW): compared anyway",
                 what, x, y);
        cJSON_AddItemToArray(warnings, cJSON_CreateString(text));
    }
}

int mqc_diff_reports(const cJSON *a, const cJSON *b, const char *old_path,
                     const char *new_path, int shift, cJSON **out)
{
    *out = NULL;
    Ev *o = NULL, *n = NULL;
    int no = collect(a, &o), nn = no >= 0 ? collect(b, &n) : MQC_ERR_NOMEM;
    cJSON *d = cJSON_CreateObject();
    if (no < 0 || nn < 0 || !d) {
        free(o);
        free(n);
        cJSON_Delete(d);
        return MQC_ERR_NOMEM;
    }
    double fps = report_fps(b);
    double tol_s = shift / fps;     /* events without frames (audio-only input) */
    match(o, no, n, nn, shift, tol_s);

    cJSON_AddStringToObject(d, "schema", MQC_DIFF_SCHEMA);
    cJSON *tool = cJSON_AddObjectToObject(d, "tool");
    cJSON_AddStringToObject(tool, "name", "mediaqc");
    cJSON_AddStringToObject(tool, "version", MQC_VERSION);
    cJSON_AddItemToObject(d, "old", side(a, old_path));
    cJSON_AddItemToObject(d, "new", side(b, new_path));
    cJSON *warnings = cJSON_AddArrayToObject(d, "warnings");
    warn_if_differs(warnings, a, b, "profile", "name", "profiles");
    warn_if_differs(warnings, a, b, "profile", "source", "profile sources");
    warn_if_differs(warnings, a, b, "tool", "version", "mediaqc versions");
    cJSON *match_rule = cJSON_AddObjectToObject(d, "matching");
    cJSON_AddNumberToObject(match_rule, "shift_frames", shift);
    cJSON_AddNumberToObject(match_rule, "shift_s", round(tol_s * 1e6) / 1e6);
    cJSON *verdict = cJSON_AddObjectToObject(d, "verdict");
    cJSON_AddStringToObject(verdict, "old", str(a, "verdict", "?"));
    cJSON_AddStringToObject(verdict, "new", str(b, "verdict", "?"));
    cJSON_AddBoolToObject(verdict, "changed", strcmp(str(a, "verdict", "?"), str(b, "verdict", "?")));

    int counts[4] = { 0 }, new_errors = 0;
    cJSON *summary = cJSON_AddObjectToObject(d, "summary");
    events_diff(d, o, no, n, nn, fps, shift, tol_s, counts, &new_errors);
    static const char *const names[4] = { "fixed", "new", "changed", "unchanged" };
    for (int i = 0; i < 4; i++)
        cJSON_AddNumberToObject(summary, names[i], counts[i]);
    cJSON_AddNumberToObject(summary, "new_errors", new_errors);
    facts_diff(cJSON_AddArrayToObject(d, "facts"), a, b);
    cJSON *metrics = cJSON_AddArrayToObject(d, "metrics");
    checks_diff(metrics, cJSON_AddArrayToObject(d, "checks"), a, b);
    free(o);
    free(n);
    char *probe = cJSON_PrintUnformatted(d);   /* every allocation above succeeded? */
    if (!probe) {
        cJSON_Delete(d);
        return MQC_ERR_NOMEM;
    }
    free(probe);
    *out = d;
    return 0;
}

MqcExitCode mqc_diff_exit_code(const cJSON *diff)
{
    return num(get(diff, "summary"), "new_errors", 0) > 0 ? MQC_EXIT_FAIL : MQC_EXIT_PASS;
}

/* ---- terminal text ---- */

#define TEXT_MAX_LINES 12

static void line_text(MqcBuf *b, const char *s)
{
    mqc_buf_line(b, s, 512);
}

static void value_text(MqcBuf *b, const cJSON *v)
{
    mqc_buf_json_value(b, v, "-", line_text);
}

static void event_place(MqcBuf *b, const cJSON *e)
{
    if (!e || cJSON_IsNull(e))
        return;
    if (cJSON_IsNumber(get(e, "start_frame"))) {
        line_text(b, str(e, "start_tc", "?"));
        mqc_buf_printf(b, " (frames %lld-%lld)", (long long)num(e, "start_frame", 0),
                       (long long)num(e, "end_frame", 0));
    } else {
        mqc_buf_printf(b, "%.3f-%.3f s", num(e, "start_s", 0), num(e, "end_s", 0));
    }
}

void mqc_diff_text(const cJSON *d, MqcBuf *b)
{
    const cJSON *o = get(d, "old"), *n = get(d, "new"), *s = get(d, "summary"), *it;
    line_text(b, str(o, "input", "?"));
    mqc_buf_puts(b, " -> ");
    line_text(b, str(n, "input", "?"));
    mqc_buf_printf(b, "\n  verdict  %s -> %s%s\n", str(o, "verdict", "?"), str(n, "verdict", "?"),
                   cJSON_IsTrue(get(get(d, "verdict"), "changed")) ? "" : " (unchanged)");
    mqc_buf_printf(b, "  events   %d fixed, %d new, %d changed, %d unchanged\n",
                   (int)num(s, "fixed", 0), (int)num(s, "new", 0), (int)num(s, "changed", 0),
                   (int)num(s, "unchanged", 0));
    cJSON_ArrayForEach(it, get(d, "warnings")) {
        mqc_buf_puts(b, "  warning  ");
        line_text(b, it->valuestring);
        mqc_buf_puts(b, "\n");
    }
    cJSON_ArrayForEach(it, get(d, "events")) {
        const char *st = str(it, "status", "");
        if (!strcmp(st, "unchanged"))
            continue;
        mqc_buf_printf(b, "  %-8s %-7s ", st, str(it, "severity", ""));
        line_text(b, str(it, "check", ""));
        mqc_buf_puts(b, "/");
        line_text(b, str(it, "code", ""));
        mqc_buf_puts(b, " at ");
        const cJSON *e = get(it, strcmp(st, "fixed") ? "new" : "old");
        event_place(b, e);
        if (!strcmp(st, "changed")) {
            const cJSON *c;
            mqc_buf_puts(b, " (");
            cJSON_ArrayForEach(c, get(it, "changes")) {
                mqc_buf_printf(b, "%s%s", c == get(it, "changes")->child ? "" : ", ",
                               c->valuestring);
                if (!strcmp(c->valuestring, "value")) {
                    mqc_buf_printf(b, " %g -> %g", num(get(it, "old"), "value", 0),
                                   num(get(it, "new"), "value", 0));
                } else if (!strcmp(c->valuestring, "severity")) {
                    mqc_buf_printf(b, " %s -> %s", str(get(it, "old"), "severity", ""),
                                   str(get(it, "new"), "severity", ""));
                } else if (!strcmp(c->valuestring, "span")) {
                    mqc_buf_puts(b, " was ");
                    event_place(b, get(it, "old"));
                }
            }
            mqc_buf_puts(b, ")");
        }
        mqc_buf_puts(b, ": ");
        line_text(b, str(e, "message", ""));
        mqc_buf_puts(b, "\n");
    }
    static const char *const lists[3] = { "facts", "metrics", "checks" };
    static const char *const labels[3] = { "fact", "metric", "check" };
    for (int l = 0; l < 3; l++) {
        int shown = 0, total = cJSON_GetArraySize(get(d, lists[l]));
        cJSON_ArrayForEach(it, get(d, lists[l])) {
            if (shown++ == TEXT_MAX_LINES) {   /* the terminal gets the gist; -o has all */
                mqc_buf_printf(b, "  %-8s ... %d more in the diff's %s list\n", labels[l],
                               total - TEXT_MAX_LINES, lists[l]);
                break;
            }
            mqc_buf_printf(b, "  %-8s ", labels[l]);
            if (get(it, "check")) {
                line_text(b, str(it, "check", ""));
                mqc_buf_puts(b, ".");
            }
            line_text(b, str(it, "key", ""));
            mqc_buf_puts(b, ": ");
            value_text(b, get(it, "old"));
            mqc_buf_puts(b, " -> ");
            value_text(b, get(it, "new"));
            mqc_buf_puts(b, "\n");
        }
    }
}
