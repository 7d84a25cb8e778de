/* Transfer functions: the one place where non-linear signals become light.
 * The gamut check's target-gamut test and the hdr check both linearise
 * through these.
 *   PQ:  SMPTE ST 2084 EOTF (ITU-R BT.2100 Table 4), absolute cd/m2.
 *   HLG: ARIB STD-B67 / ITU-R BT.2100 inverse OETF (scene light) and OOTF
 *        (display light for a reference display of MQC_HLG_PEAK_NITS with
 *        system gamma MQC_HLG_GAMMA and black level 0).
 *   BT.1886 with a zero black level: a pure 2.4 power. */
#ifndef MQC_TRANSFER_H
#define MQC_TRANSFER_H

typedef enum MqcTransfer {
    MQC_TRANSFER_BT1886, MQC_TRANSFER_PQ, MQC_TRANSFER_HLG, MQC_TRANSFER_LINEAR
} MqcTransfer;

#define MQC_PQ_PEAK_NITS 10000.0
#define MQC_HLG_PEAK_NITS 1000.0     /* BT.2100 reference display */
#define MQC_HLG_GAMMA 1.2            /* its system gamma (BT.2100 note 5f) */
#define MQC_SDR_PEAK_NITS 100.0      /* BT.1886 reference display (BT.2035) */

/* ST 2084: cd/m2 of E' (0..1; the formula continues beyond 1). */
double mqc_pq_eotf(double e);
/* HLG inverse OETF: scene light 0..1 of E' (0..1). */
double mqc_hlg_inverse_oetf(double e);
/* HLG OOTF: display light of a component = gain(Ys) * its scene light,
 * where Ys = 0.2627 R + 0.6780 G + 0.0593 B (scene light, BT.2020 weights)
 * and gain = MQC_HLG_PEAK_NITS * Ys^(MQC_HLG_GAMMA - 1). */
double mqc_hlg_ootf_gain(double ys);
#define MQC_HLG_KR 0.2627
#define MQC_HLG_KG 0.6780
#define MQC_HLG_KB 0.0593

/* Relative linear light of E' (0..1 nominal; negative values mirror the
 * positive ones): PQ in units of 10000 cd/m2, HLG scene light (inverse
 * OETF, no OOTF), BT.1886 as a pure 2.4 power, linear unchanged. */
double mqc_transfer_linear(MqcTransfer tf, double e);

#endif
