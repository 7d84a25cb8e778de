/* What the HTML report needs from the single pass over the pictures: per
 * frame curves downsampled on the fly to a fixed number of buckets, and
 * PNG thumbnails of each event's first and worst frame. It is an
 * MqcObserver: nothing is decoded twice and memory does not grow with the
 * length of the file (thumbnails are capped). After a merge, whose
 * observers see no pictures, mqc_capture_pictures decodes the chosen
 * frames alone. */
#ifndef MQC_REPORTS_CAPTURE_H
#define MQC_REPORTS_CAPTURE_H

#include <stddef.h>
#include <stdint.h>
#include "../engine/mediaqc.h"

#define MQC_CAPTURE_BUCKETS 1000
#define MQC_CAPTURE_THUMB_WIDTH 320
#define MQC_CAPTURE_MAX_THUMBS 200

/* One point of a curve: the values of the frames [first, first + width)
 * of the run that had the curve's record key. */
typedef struct MqcBucket {
    double min, max, sum;
    int64_t n;
} MqcBucket;

/* A per-frame record key drawn as a curve: a series with a chart of one of
 * the run's checks (the first check that declares the key). */
typedef struct MqcCurve {
    const MqcSeries *series;
    int check;                          /* index in run->checks */
    MqcBucket *buckets;                 /* MQC_CAPTURE_BUCKETS */
} MqcCurve;

typedef struct MqcThumb {
    int64_t frame;
    int width, height;
    unsigned char *png;
    size_t png_len;
    unsigned char *overlay;             /* palette PNG: out-of-band luma, or NULL */
    size_t overlay_len;
    int64_t above, below;               /* thumbnail pixels marked in the overlay */
    int refs;
} MqcThumb;

/* The pictures captured for one event, found by check and event. */
typedef struct MqcShot {
    int check;                          /* index in run->checks */
    const char *code;
    int64_t start_frame;
    int first, worst;                   /* indices into thumbs, or -1 */
    int pictures;                       /* 0: the code takes none (MqcCheck.no_pictures) */
} MqcShot;

typedef struct MqcCapture {
    MqcObserver observer;
    int thumb_width, max_thumbs;
    /* curves, in the order of the run's checks and their series */
    MqcCurve *curves;
    int nb_curves;
    int nb_buckets;                     /* in use */
    int64_t bucket_frames;              /* frames per bucket: 1, 2, 4, ... */
    int64_t frames;
    /* thumbnails */
    MqcThumb *thumbs;
    int nb_thumbs;
    int64_t thumbs_missed;              /* pictures not taken because of the cap */
    MqcShot *shots;
    size_t nb_shots, cap_shots;
    /* per check: events already seen, and the shot of each event index */
    size_t *seen;
    size_t **shot_of;
    int nb_checks;
    /* the luma band of the first check with an overlay, in code values */
    const MqcOverlay *overlay;
    int have_band;
    unsigned band_lo, band_hi;
    int band_depth;
    struct SwsContext *sws;
    int error;                          /* first error; capturing stops */
    int sorted;                         /* shots sorted for lookups (after the run) */
    char pictures_error[512];           /* why a merge's thumbnails have no pictures */
} MqcCapture;

int mqc_capture_new(MqcCapture **out);
void mqc_capture_free(MqcCapture **cap);

/* After a merge: decodes the pictures of the thumbnails it chose from the
 * input the partials name (mqc_read_pictures). On failure the thumbnails
 * stay without pictures (the page leaves them out and says why, from
 * pictures_error) and msg names the input and the cause. */
int mqc_capture_pictures(MqcCapture *cap, const MqcRun *run, int stream_index, MqcMsg *msg);

/* The shot of an event of run->checks[check] after the run, or NULL. */
const MqcShot *mqc_capture_find(const MqcCapture *cap, int check, const MqcEvent *e);

#endif
