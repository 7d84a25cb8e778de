/* What a check sees of the engine: pictures cut into bands, stream facts,
 * option tables, the event list and the per-frame record writer.
 * A check is a const MqcCheck table; the engine never knows one by name. */
#ifndef MQC_CHECK_H
#define MQC_CHECK_H

#include <stddef.h>
#include <stdint.h>

typedef enum MqcSeverity { MQC_SEV_INFO, MQC_SEV_WARNING, MQC_SEV_ERROR } MqcSeverity;

/* One decoded picture, as the checks read it. Sample planes are native
 * (little-endian) 8-bit or 16-bit containers; bit_depth is the real depth. */
typedef struct MqcPicture {
    const uint8_t *data[4];
    ptrdiff_t linesize[4];      /* bytes */
    int width, height;          /* luma size */
    int nb_planes;              /* colour planes (alpha not included) */
    int log2_chroma_w, log2_chroma_h;
    int bit_depth;              /* 8..16, or 32 for float */
    int bytes_per_sample;       /* 1 or 2; 4 for float */
    int is_float;               /* 32-bit float samples (EXR: linear light), only for
                                 * checks with float_input */
    /* The decoder's frame when the engine converted it for the checks and a
     * check asked for it (source_frame), else NULL: what ffmpeg hashes. */
    const struct AVFrame *source;
    int is_rgb;                 /* planes are G, B, R (FFmpeg gbrp order) */
    int full_range;
} MqcPicture;

/* A horizontal band of luma rows [y0, y1); chroma rows follow from the
 * subsampling. Band heights are multiples of the chroma subsampling.
 * Frames are measured one after another (bands in parallel), so a band can
 * be compared with earlier frames: `prev` is the previous frame in display
 * order and `ref` the frame this check last kept with MQC_KEEP_REFERENCE
 * (NULL when there is none or its size differs). */
typedef struct MqcBand {
    const MqcPicture *pic;
    const MqcPicture *prev;
    const MqcPicture *ref;
    int y0, y1;
    const void *stage;          /* this band's result of the check's stage, or NULL */
} MqcBand;

/* fold() return flags */
#define MQC_KEEP_REFERENCE 1    /* this frame becomes the check's band->ref */

/* HDR metadata as FFmpeg exports it (stream or frame side data), kept as
 * the rationals and integers ffprobe prints. */
typedef struct MqcRational {
    int num, den;
} MqcRational;
typedef struct MqcHdrMetadata {
    int has_primaries, has_luminance;   /* SMPTE ST 2086 mastering display */
    /* stream: taken from the first frame (codec SEI/OBU), not the container */
    int mastering_from_frame, cll_from_frame;
    MqcRational primaries[3][2];        /* R, G, B; x, y */
    MqcRational white_point[2];
    MqcRational min_luminance, max_luminance;   /* cd/m2 */
    int has_cll;                        /* CTA-861.3 content light level */
    unsigned max_cll, max_fall;         /* cd/m2 */
    int has_dovi;                       /* Dolby Vision configuration record */
    int dovi_version_major, dovi_version_minor, dovi_profile, dovi_level;
    int dovi_rpu_present, dovi_el_present, dovi_bl_present, dovi_bl_compat_id;
    int dovi_rpu;                       /* frame: carries a Dolby Vision RPU */
    int hdr10plus;                      /* frame: carries SMPTE ST 2094-40 metadata */
} MqcHdrMetadata;
/* What checks learn while folding, for other checks and the profile's
 * expectations to read when they finish. Every fold of the run has happened
 * before the first finish, so the order of the checks does not matter:
 * mark in fold, read in finish. Spans are frames with a named property
 * (the interlace check marks a regular pulldown cadence "pulldown", so
 * dropped_frames does not take its repeated frames for padding); values
 * are named measurements (active_area publishes "active_aspect", which
 * the profile's expect.active_aspect is held against). Keys are literals. */
typedef struct MqcLearnt MqcLearnt;
/* Marks frames [first, last]; joins a span that ends at first - 1 or later. */
void mqc_learnt_span(MqcLearnt *l, const char *key, int64_t first, int64_t last);
/* 1 when every frame of [first, last] lies inside spans of `key`. */
int mqc_learnt_covers(const MqcLearnt *l, const char *key, int64_t first, int64_t last);
/* Sets (replaces) the named value. */
void mqc_learnt_set(MqcLearnt *l, const char *key, double v);
/* 0 with *v when the value was set, -1 otherwise. */
int mqc_learnt_get(const MqcLearnt *l, const char *key, double *v);

/* The input file's bytes, each handed over once and in file order while the
 * engine reads them for the demuxer, local or remote: a whole-file hash
 * without a second read (ranges the demuxer skips are read for the tap).
 * Subscribe from init() when si->file_bytes is not NULL (a pipe has none).
 * `sink` runs on the decode thread, concurrently with measure() and fold():
 * what it writes may be read from finish() only. Its last call has
 * data == NULL, with `status` 0 when every byte of the file was handed over,
 * else the negative AVERROR that stopped the reading; a run that stops
 * early makes no last call. */
typedef struct MqcByteTap MqcByteTap;
typedef void (*MqcByteSink)(void *ud, const uint8_t *data, size_t len, int status);
int mqc_byte_tap_subscribe(MqcByteTap *tap, MqcByteSink sink, void *ud);
/* An image sequence's files (shot_%04d.dpx): which numbers exist, and
 * their names (the file name alone, or with_dir as given). */
typedef struct MqcSequence MqcSequence;
int mqc_sequence_has(const MqcSequence *s, int64_t number);
int64_t mqc_sequence_files(const MqcSequence *s);
/* The i-th number present (ascending), -1 past the end. */
int64_t mqc_sequence_number(const MqcSequence *s, size_t i);
void mqc_sequence_name(const MqcSequence *s, int64_t number, int with_dir, char *buf, size_t len);

/* Facts about the analysed stream, fixed for the whole run. */
typedef struct MqcStreamInfo {
    char codec[32];
    char pix_fmt[32];           /* format the checks see */
    char source_pix_fmt[32];    /* decoder output, differs when converted */
    int converted;              /* libswscale conversion was needed */
    int width, height;
    int bit_depth;              /* declared depth of the pixel format */
    int codec_bit_depth;        /* the codec's declared depth (bits_per_raw_sample) when
                                 * it states one, else bit_depth */
    int sar_num, sar_den;       /* sample aspect ratio: the container's, else the
                                 * codec's; 0/1 when unknown */
    int is_float;               /* float samples (gbrpf32le, grayf32le): codec_bit_depth is
                                 * 16 for half, 32 for float */
    int is_rgb;
    int full_range;
    char color_range[16], color_primaries[32], color_trc[32], color_matrix[32];
    int rate_num, rate_den;     /* nominal frame rate, 0/0 when unknown */
    int tb_num, tb_den;         /* time base of the stream's timestamps */
    int64_t frames_declared;    /* by the container, 0 when unknown */
    double duration_s;          /* by the container, 0 when unknown */
    int avg_rate_num, avg_rate_den; /* average rate (differs from the nominal one in VFR) */
    int64_t start_pts;          /* stream start time in time base, AV_NOPTS_VALUE if unknown */
    char start_timecode[32];    /* empty when the file carries none */
    char start_timecode_tag[32];/* the container's tag as written, kept when start_timecode
                                 * is emptied because it cannot be counted at this rate */
    char bad_timecode[32];      /* a start timecode tag that does not fit the rate (start_timecode is then empty) */
    char path[1024];            /* the input as given */
    MqcHdrMetadata hdr;         /* HDR side data of the container, else of the first frame */
    char field_order[16];       /* display order the container or codec header declares:
                                 * "progressive", "tff", "bff", or empty when unknown */
    MqcLearnt *learnt;          /* the run's learnt facts (never NULL in a run) */
    MqcByteTap *file_bytes;     /* the input's bytes as they are read; NULL when unavailable */
    int segment;                /* a segment or a merge (--segment): segment 0 taps the
                                 * file's bytes, the others have file_bytes NULL; what
                                 * a check learns from them goes through save/load */
    int nb_audio;               /* audio streams decoded beside the video */
    const struct MqcAudioInfo *audio;
    /* image sequence: its files, the number at timestamp 0 (pts counts
     * frames from it); NULL for other inputs */
    const MqcSequence *sequence;
    int64_t sequence_start;
} MqcStreamInfo;

/* ---- audio ---- */

#define MQC_AUDIO_MAX_IDS 64    /* channels past this have no known role */

/* One audio stream, as its checks see it. Samples reach the checks as
 * planar float at sample_rate (converted by libswresample). */
typedef struct MqcAudioInfo {
    int index;                  /* stream index in the file */
    char codec[32];
    char layout[64];            /* "stereo", "5.1(side)", "32 channels" */
    char sample_fmt[16];        /* the decoder's, before conversion */
    int channels;
    int sample_rate;
    int bits;                   /* integer sample bits (16, 24, 32); 0: float source */
    int channel_ids[MQC_AUDIO_MAX_IDS];  /* libavutil enum AVChannel per channel, -1 unknown */
    double start_s;             /* first sample on the report's clock (video frame 0 = 0) */
    /* filled by the engine as the run proceeds */
    int64_t samples;            /* decoded so far */
} MqcAudioInfo;

/* A run of samples of one stream, in order. */
typedef struct MqcAudioChunk {
    const float *const *data;   /* one plane per channel */
    int nb_samples;
    int64_t pos;                /* stream sample index of data[c][0] */
    double time_s;              /* time of data[c][0] on the report's clock */
} MqcAudioChunk;

typedef enum MqcMedia {
    MQC_MEDIA_VIDEO = 0,        /* pictures: measure/reduce/fold per frame */
    MQC_MEDIA_AUDIO = 1,        /* samples: audio() per chunk */
} MqcMedia;

/* One frame in display order, handed to fold(). */
typedef struct MqcFrameInfo {
    int64_t index;              /* 0-based display-order frame number */
    int64_t pts;                /* best-effort timestamp, stream time base (or INT64_MIN) */
    double time_s;              /* pts in seconds */
    int64_t duration;           /* frame duration in time base, 0 when unknown */
    int64_t pkt_pos;            /* byte position of its packet, -1 when unknown */
    int key_frame;
    int corrupt;                /* the decoder flagged damage */
    char timecode[32];          /* SMPTE 12M timecode carried by the frame, or empty */
    MqcHdrMetadata hdr;         /* HDR side data carried by the frame */
    int interlaced;             /* the decoder says the picture is coded as fields */
    int top_field_first;        /* with interlaced: the top field is displayed first */
    int repeat_pict;            /* fields to repeat (soft pulldown), 0 normally */
} MqcFrameInfo;

/* ---- options: one table per check drives validation, help, params ---- */

typedef enum MqcOptType {
    MQC_OPT_BOOL,               /* int */
    MQC_OPT_INT,                /* int64_t */
    MQC_OPT_DOUBLE,             /* double */
    MQC_OPT_ENUM,               /* int: index into choices */
    MQC_OPT_STRING,             /* char *, owned by the engine */
} MqcOptType;

typedef struct MqcOption {
    const char *name;
    MqcOptType type;
    size_t offset;              /* into the check's private state */
    double def;                 /* default for numeric, bool and enum options */
    double min, max;            /* inclusive range for numbers */
    const char *const *choices; /* ENUM: NULL-terminated names */
    const char *def_str;        /* STRING default (may be NULL) */
    const char *help;
} MqcOption;

/* ---- events ---- */

typedef struct MqcEvent {
    const char *code;           /* stable code from the check's code table */
    int64_t start_frame, end_frame;   /* inclusive */
    int64_t worst_frame;        /* frame where value peaked */
    double value;               /* worst value over the run */
    int info;                   /* a fact, not a fault: severity info whatever the check's */
    char detail[192];           /* optional: replaces the code's message */
    /* audio events: the engine derives the frames from the times */
    int audio;                  /* 1: the fields below are set */
    int stream;                 /* stream index in the file */
    int channel;                /* -1: the whole stream */
    double start_s, end_s;      /* sample-accurate, report clock */
} MqcEvent;

#define MQC_EVENTS_OPEN 8

typedef struct MqcEvents {
    MqcEvent *v;
    size_t n, cap;
    int oom;
    /* last event per code, so runs of one code extend while others interleave */
    struct { const char *code; size_t idx; } open[MQC_EVENTS_OPEN];
} MqcEvents;

/* Flags `frame` for `code`: extends the code's run when it ended on the
 * previous frame, else starts a new event. value keeps the maximum. */
void mqc_events_flag(MqcEvents *ev, const char *code, int64_t frame, double value);
/* Appends a fully formed event. */
int mqc_events_add(MqcEvents *ev, const MqcEvent *e);
/* Appends the event [start, end] (worst frame: start) whose message is
 * `detail` (printf-style). */
int mqc_events_add_span(MqcEvents *ev, const char *code, int64_t start, int64_t end,
                        double value, const char *detail, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 6, 7)))
#endif
    ;
/* Drops events of `code` that span fewer than min_frames frames. */
void mqc_events_drop_shorter(MqcEvents *ev, const char *code, int64_t min_frames);
void mqc_events_free(MqcEvents *ev);

/* A code a check may emit, with the message shown for it; the format takes
 * the event's value as its only (double) argument. */
typedef struct MqcEventCode {
    const char *code;
    const char *message;
} MqcEventCode;

/* ---- per-frame records (--frames) and run metrics ---- */

/* A frame's record: named values, written as one JSON line by --frames and
 * read by observers (HTML curves). Keys must be string literals. */
#define MQC_RECORD_MAX 32
typedef struct MqcRecordField {
    const char *key;
    enum { MQC_REC_INT, MQC_REC_DOUBLE, MQC_REC_STRING } type;
    int64_t i;
    double d;
    char s[72];
} MqcRecordField;
typedef struct MqcRecord {
    int n;
    MqcRecordField f[MQC_RECORD_MAX];
} MqcRecord;
void mqc_record_int(MqcRecord *r, const char *key, int64_t v);
void mqc_record_double(MqcRecord *r, const char *key, double v);
void mqc_record_string(MqcRecord *r, const char *key, const char *v);
/* The value of `key` as a number; 0 when present. */
int mqc_record_get(const MqcRecord *r, const char *key, double *v);

/* A check's metrics object (opaque JSON): write it with the calls below. */
typedef struct MqcMetrics {
    struct cJSON *obj;
} MqcMetrics;
void mqc_metric_int(MqcMetrics *m, const char *key, int64_t v);
void mqc_metric_double(MqcMetrics *m, const char *key, double v);
void mqc_metric_string(MqcMetrics *m, const char *key, const char *v);
/* A JSON value given as text (an object, null, ...); MQC_ERR_USAGE if it
 * does not parse. */
int mqc_metric_json(MqcMetrics *m, const char *key, const char *json);
/* Appends an object to the array `key` (made on first use); write into
 * it through *item (per-stream metrics of audio checks). */
void mqc_metric_append(MqcMetrics *m, const char *key, MqcMetrics *item);

/* ---- presentation: what the reports draw for a check ----
 *
 * Reports know no check by name: the HTML curves, their legend, limit
 * lines and thumbnail overlays come from these tables. A check that adds
 * a series (and records its key in record()) gets a curve in the HTML with
 * no edit in reports/ (docs/adding-a-check.md). Keys, labels, units and
 * colours are string literals. */

/* Which value of the frames that fall into one point of a curve is drawn
 * (a long file has more frames than the chart has points). */
typedef enum MqcStat { MQC_STAT_MEAN, MQC_STAT_MIN, MQC_STAT_MAX } MqcStat;

/* Where a number of the check's report entry is read: an option's
 * effective value (params) or a metric written by finish(). */
typedef enum MqcFrom { MQC_FROM_NONE, MQC_FROM_PARAMS, MQC_FROM_METRICS } MqcFrom;

/* A dashed line across a chart at a value of the check that owns the chart
 * (skipped when the check is skipped or the value is missing). */
typedef struct MqcLimit {
    MqcFrom from;               /* MQC_FROM_NONE: unused slot */
    const char *key;            /* param or metric name: "max_area_pct" */
    const char *label;          /* tooltip: "legal maximum" */
    double scale;               /* chart value = value x scale (0 counts as 1) */
} MqcLimit;

/* The range of a chart's vertical axis (the bottom is `min`). */
typedef enum MqcAxis {
    MQC_AXIS_FIXED,             /* min .. max */
    MQC_AXIS_AUTO,              /* min .. min + the first of 1, 2, 5, 10, 20, 50, ... that
                                 * reaches the curves' peak and 1.5 x every limit; at most
                                 * max when max > min */
    MQC_AXIS_CODE,              /* 0 .. the largest luma code value of the analysed format */
} MqcAxis;

#define MQC_CHART_LIMITS 4

/* One chart of the HTML timeline. Series of different checks share a
 * chart when their charts have the same title; the chart of the first
 * such check (registry order) gives the axis and the limit lines. */
typedef struct MqcChart {
    const char *title;          /* "luma (code)" */
    const char *unit;           /* printed after the axis numbers: "%", "" */
    double scale;               /* chart value = record value x scale (100: fraction -> %) */
    MqcAxis axis;
    double min, max;            /* see MqcAxis */
    MqcLimit limits[MQC_CHART_LIMITS];  /* drawn in this order */
} MqcChart;

/* One value of the per-frame record (--frames) that record() writes. */
typedef struct MqcSeries {
    const char *key;            /* record key: "y_max" (also a CSS class: [a-z0-9_]) */
    const char *label;          /* legend: "luma max" */
    const char *unit;           /* of the record value: "code", "fraction", "bits", "hex" */
    const MqcChart *chart;      /* NULL: in --frames only, not drawn */
    MqcStat stat;
    const char *colour;         /* CSS colour of the curve: "#c62828" */
} MqcSeries;

/* Thumbnail overlay: the luma samples outside [min_param, max_param],
 * both params in percent of nominal black..white (engine/range.h), are
 * painted red (above) and blue (below) over the event pictures. */
typedef struct MqcOverlay {
    const char *min_param, *max_param;
    const char *label;          /* "luma outside the legal band" */
} MqcOverlay;

/* ---- shared band statistics ---- */

/* Statistics several checks take from the same samples (one read of each
 * sample per band). A check names a stage in its table, with the stage's
 * flags for what it uses; the engine runs every stage an active check
 * names once per band, before those checks' measure, with the union of
 * their flags, and hands them the result in band->stage. The engine knows
 * a stage only through this table. */
typedef struct MqcStage {
    const char *name;
    size_t size;                        /* bytes of one band's result */
    /* Pure, any thread: writes the band's statistics for `needs` over *out. */
    void (*measure)(const MqcBand *band, unsigned needs, void *out);
} MqcStage;

/* ---- problems of the input (decode errors, unreadable, out of memory) ---- */

typedef enum MqcProblemKind {
    MQC_PROBLEM_DECODE,         /* demux/decode errors, corrupt frames, a stop mid-file */
    MQC_PROBLEM_UNREADABLE,     /* nothing could be analysed */
    MQC_PROBLEM_NOMEM,          /* the analysis ran out of memory: the verdict is error */
} MqcProblemKind;

typedef struct MqcInputProblem {
    MqcProblemKind kind;
    int64_t first_frame, last_frame;    /* the frames it concerns (display order) */
    int count;                  /* DECODE: problems seen since the previous frame */
    const char *what;           /* for a person: the first problem, the reason */
    int64_t pos;                /* byte position in the file, -1 when unknown */
    int audio;                  /* 1: a problem of audio stream `stream` at time_s (report
                                 * clock); the engine derives the frames from the time */
    int stream;
    double time_s;
} MqcInputProblem;

struct cJSON;
struct MqcMsg;

/* ---- the check table ---- */

typedef struct MqcCheck {
    const char *name;
    const char *summary;
    MqcSeverity default_severity;
    MqcMedia media;                     /* what it consumes; video checks leave it 0 */
    const MqcOption *options;           /* terminated by a {NULL} entry */
    const MqcEventCode *codes;          /* terminated by a {NULL} entry */
    size_t priv_size;                   /* options + derived limits + temporal state */
    size_t slice_size;                  /* partial results of one band */
    size_t frame_size;                  /* reduced result of one frame */

    /* Options are filled in; derive limits for this stream. A positive
     * return means "not applicable": the check is skipped with `why`. A
     * negative one stops the run as a configuration error (exit 2) with
     * `why` as the message (e.g. an unknown colour space, a bad reference). */
    int (*init)(void *priv, const MqcStreamInfo *si, char *why, size_t why_len);
    /* Pure; any thread; reads priv, writes only *slice. */
    void (*measure)(const void *priv, const MqcBand *band, void *slice);
    /* Band order, one thread; band 0 initialises *frame. */
    void (*reduce)(const void *priv, void *frame, const void *slice, int band);
    /* Display order, one thread, after this frame's reduce and before the
     * next frame's measure; keeps temporal state, flags events. Returns 0
     * or MQC_KEEP_REFERENCE. */
    int (*fold)(void *priv, const MqcFrameInfo *fi, const void *frame, MqcEvents *ev);
    /* Optional: fields of this frame's --frames record. */
    void (*record)(const void *priv, const void *frame, MqcRecord *rec);
    /* End of stream: close runs, filter events, write metrics. */
    void (*finish)(void *priv, const MqcStreamInfo *si, MqcEvents *ev, MqcMetrics *m);
    /* Optional: one job over the whole picture (a sequential hash cannot
     * be cut into bands). Pure like measure: any thread, reads priv, writes
     * only *frame, which fold() then receives. It runs as one extra job in
     * the OpenMP loop of the bands and may run ahead, on a later frame of
     * the window, so several frames are hashed at once. The alpha plane, if
     * the format has one, is in pic->data[3] (otherwise NULL). Checks with
     * measure_frame may leave measure and reduce NULL. */
    void (*measure_frame)(const void *priv, const MqcPicture *pic, void *frame);
    /* Audio checks: the samples of si->audio[a], in order, cut at video
     * frame ends (record() of a frame sees the audio up to its end). Runs
     * on one thread as one job beside the bands; chunk sizes vary. */
    void (*audio)(void *priv, int a, const MqcAudioChunk *chunk, MqcEvents *ev);
    /* Optional: frees what init allocated; runs whether or not finish ran
     * (a run can stop after init: another check's init failed, ...). */
    void (*close)(void *priv);

    /* Presentation (optional): every key record() writes, terminated by a
     * {NULL} entry; the ones with a chart are drawn in the HTML. */
    const MqcSeries *series;
    const MqcOverlay *overlay;
    /* Codes whose events get no thumbnails (NULL-terminated): the event is
     * not about what a frame shows (a file hash, a count, audio). NULL:
     * every event shows its first frame and its worst one. */
    const char *const *no_pictures;
    /* Optional: the shared statistics measure reads from band->stage, and
     * the stage's flags for the ones this check uses. */
    const MqcStage *stage;
    unsigned stage_needs;
    /* The check reads float pictures (MqcPicture.is_float). On float input
     * the engine skips a check that reads pixels without this. */
    int float_input;
    /* The check wants the decoder's frame as well when the engine converts
     * (MqcPicture.source): a hash of the decoded picture as ffmpeg makes it. */
    int source_frame;

    /* ---- segments (--segment, merge) ----
     * A segment records what fold() received; merge replays it in order
     * through a fresh priv, so fold state needs nothing here. What a check
     * learns outside fold (the whole-file hash from si->file_bytes) it
     * saves into a JSON object after the segment's last frame, and load()
     * gets every segment's object, in segment order, after init(). */
    int (*save)(const void *priv, struct cJSON *state);
    int (*load)(void *priv, const struct cJSON *state);
    /* Optional, for a check whose fold keeps a reference (MQC_KEEP_REFERENCE):
     * called before fold() on a frame the check folds after folding the
     * one before it; 1 when folding this frame leaves the state later
     * frames see (its reference too) the same whatever frames came before
     * and whatever frame the check started at (freeze: the frame moved
     * too far from the one before to match any reference). A segment folds
     * the frames before its first one from the latest such frame (its
     * lead-in, segments.md), so its frames meet the single pass's state. */
    int (*resync)(const void *priv, const MqcFrameInfo *fi, const void *frame);

    /* ---- checks of the input itself, not of its pictures (decode, format) ---- */
    unsigned flags;                     /* MQC_CHECK_* */
    /* Optional: problems of the input that no picture shows, in display
     * order (decode errors, input that cannot be analysed, an analysis that
     * ran out of memory); also called when init never ran. */
    void (*input_problem)(void *priv, const MqcInputProblem *p, MqcEvents *ev);
    /* Optional: the check is configured by this top-level object of the
     * profile (format: "expect") instead of checks.NAME options. It runs
     * when the profile has the block; validate_block checks it when the
     * profile is loaded (messages name the file and the JSON path);
     * configure hands it to priv before init; it is the report's params. */
    const char *profile_block;
    int (*validate_block)(const struct cJSON *block, const char *file, struct MqcMsg *msg);
    int (*configure)(void *priv, const struct cJSON *block);
} MqcCheck;

#define MQC_CHECK_ALWAYS 1              /* runs with every profile (which may set its severity) */
#define MQC_CHECK_WITHOUT_PICTURES 2    /* reports even when no picture could be decoded */

#endif
