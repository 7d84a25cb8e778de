/* The run's learnt facts (check.h): spans of frames and named values that
 * checks publish in fold and read in finish. A handful of keys and spans
 * per run: plain arrays, searched linearly. Spans of one key are kept in
 * frame order, since checks mark them in display order. Out of memory, a
 * fact is lost: a span not marked lets dropped_frames report a repeat it
 * would have excused, a value not set makes expect report "not measured",
 * the safe side either way. */
#include <stdlib.h>
#include <string.h>
#include "internal.h"

typedef struct LearntSpan {
    const char *key;
    int64_t first, last;
} LearntSpan;

typedef struct LearntValue {
    const char *key;
    double v;
} LearntValue;

struct MqcLearnt {
    LearntSpan *spans;
    size_t nb_spans, cap_spans;
    LearntValue *values;
    size_t nb_values, cap_values;
};

MqcLearnt *mqc_learnt_alloc(void)
{
    return calloc(1, sizeof(MqcLearnt));
}

void mqc_learnt_free(MqcLearnt **l)
{
    if (!*l)
        return;
    free((*l)->spans);
    free((*l)->values);
    free(*l);
    *l = NULL;
}

static int grow(void **v, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return 0;
    size_t c = *cap ? 2 * *cap : 16;
    void *p = realloc(*v, c * size);
    if (!p)
        return -1;
    *v = p;
    *cap = c;
    return 0;
}

void mqc_learnt_span(MqcLearnt *l, const char *key, int64_t first, int64_t last)
{
    if (!l || last < first)
        return;
    /* the latest span of this key: extend it when the new one touches it */
    for (size_t i = l->nb_spans; i-- > 0;) {
        LearntSpan *s = &l->spans[i];
        if (strcmp(s->key, key))
            continue;
        if (first <= s->last + 1 && last >= s->first - 1) {
            s->first = first < s->first ? first : s->first;
            s->last = last > s->last ? last : s->last;
            return;
        }
        break;
    }
    if (grow((void **)&l->spans, &l->cap_spans, l->nb_spans, sizeof(*l->spans)) < 0)
        return;
    l->spans[l->nb_spans++] = (LearntSpan){ key, first, last };
}

int mqc_learnt_covers(const MqcLearnt *l, const char *key, int64_t first, int64_t last)
{
    if (!l)
        return 0;
    for (size_t i = 0; i < l->nb_spans; i++) {
        const LearntSpan *s = &l->spans[i];
        if (!strcmp(s->key, key) && s->first <= first && s->last >= last)
            return 1;
    }
    return 0;
}

void mqc_learnt_set(MqcLearnt *l, const char *key, double v)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->nb_values; i++)
        if (!strcmp(l->values[i].key, key)) {
            l->values[i].v = v;
            return;
        }
    if (grow((void **)&l->values, &l->cap_values, l->nb_values, sizeof(*l->values)) < 0)
        return;
    l->values[l->nb_values++] = (LearntValue){ key, v };
}

int mqc_learnt_get(const MqcLearnt *l, const char *key, double *v)
{
    for (size_t i = 0; l && i < l->nb_values; i++)
        if (!strcmp(l->values[i].key, key)) {
            *v = l->values[i].v;
            return 0;
        }
    return -1;
}
