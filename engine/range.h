/* Colour facts shared by checks and reports: nominal code values per bit
 * depth and range, and EBU R103 style limits expressed in percent of the
 * nominal range. A check and the thumbnail overlay of its band convert
 * percent to code values with the same function, so they agree. */
#ifndef MQC_RANGE_H
#define MQC_RANGE_H

typedef struct MqcNominal {
    double black, white;        /* Y (or R'G'B') 0% and 100% */
    double chroma_lo, chroma_hi;/* Cb/Cr -50% and +50% */
    unsigned code_max;          /* 2^depth - 1 */
} MqcNominal;

/* limited: 16..235 / 16..240 scaled by 2^(depth-8) (BT.601/709/2020);
 * full: 0..2^depth-1 for both. */
MqcNominal mqc_nominal(int bit_depth, int full_range);

/* The code value at pct percent of [lo, hi], rounded to the nearest code
 * and clamped to [0, code_max]. R103's -5%..105% gives 5..246 at 8 bits,
 * 20..984 at 10, 81..3935 at 12 and 1293..62963 at 16. */
unsigned mqc_code_at(double lo, double hi, double pct, unsigned code_max);

/* Black, as ffmpeg's blackdetect defines it and every check that needs
 * "black" shares (black, freeze, active_area): a luma sample is black when
 * it is at most black + pct % of the nominal range, truncated to a code
 * (blackdetect truncates). MQC_BLACK_PCT is the black check's default. */
#define MQC_BLACK_PCT 10.0
#define MQC_BLACK_PICTURE_RATIO 0.98    /* a black picture: this share of black pixels */
unsigned mqc_black_code(int bit_depth, int full_range, double pct);

#endif
