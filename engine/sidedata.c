#include <string.h>
#include <libavutil/dovi_meta.h>
#include <libavutil/mastering_display_metadata.h>
#include "sidedata.h"

static MqcRational rational(AVRational q)
{
    return (MqcRational){ q.num, q.den };
}

static void mastering(const AVMasteringDisplayMetadata *md, MqcHdrMetadata *m)
{
    m->has_primaries = md->has_primaries;
    m->has_luminance = md->has_luminance;
    for (int c = 0; c < 3; c++)
        for (int i = 0; i < 2; i++)
            m->primaries[c][i] = rational(md->display_primaries[c][i]);
    for (int i = 0; i < 2; i++)
        m->white_point[i] = rational(md->white_point[i]);
    m->min_luminance = rational(md->min_luminance);
    m->max_luminance = rational(md->max_luminance);
}

static void light_level(const AVContentLightMetadata *cll, MqcHdrMetadata *m)
{
    m->has_cll = 1;
    m->max_cll = cll->MaxCLL;
    m->max_fall = cll->MaxFALL;
}

static void dovi_config(const AVDOVIDecoderConfigurationRecord *d, MqcHdrMetadata *m)
{
    m->has_dovi = 1;
    m->dovi_version_major = d->dv_version_major;
    m->dovi_version_minor = d->dv_version_minor;
    m->dovi_profile = d->dv_profile;
    m->dovi_level = d->dv_level;
    m->dovi_rpu_present = d->rpu_present_flag;
    m->dovi_el_present = d->el_present_flag;
    m->dovi_bl_present = d->bl_present_flag;
    m->dovi_bl_compat_id = d->dv_bl_signal_compatibility_id;
}

/* Sizes are checked: a side data entry shorter than its struct is ignored. */
void mqc_hdr_from_stream(const AVStream *st, MqcHdrMetadata *m)
{
    memset(m, 0, sizeof(*m));
    size_t size;
    const uint8_t *p = av_stream_get_side_data(st, AV_PKT_DATA_MASTERING_DISPLAY_METADATA, &size);
    if (p && size >= sizeof(AVMasteringDisplayMetadata))
        mastering((const AVMasteringDisplayMetadata *)p, m);
    p = av_stream_get_side_data(st, AV_PKT_DATA_CONTENT_LIGHT_LEVEL, &size);
    if (p && size >= sizeof(AVContentLightMetadata))
        light_level((const AVContentLightMetadata *)p, m);
    p = av_stream_get_side_data(st, AV_PKT_DATA_DOVI_CONF, &size);
    if (p && size >= sizeof(AVDOVIDecoderConfigurationRecord))
        dovi_config((const AVDOVIDecoderConfigurationRecord *)p, m);
}

void mqc_hdr_from_frame(const AVFrame *f, MqcHdrMetadata *m)
{
    memset(m, 0, sizeof(*m));
    const AVFrameSideData *sd = av_frame_get_side_data(f, AV_FRAME_DATA_MASTERING_DISPLAY_METADATA);
    if (sd && sd->size >= sizeof(AVMasteringDisplayMetadata))
        mastering((const AVMasteringDisplayMetadata *)sd->data, m);
    sd = av_frame_get_side_data(f, AV_FRAME_DATA_CONTENT_LIGHT_LEVEL);
    if (sd && sd->size >= sizeof(AVContentLightMetadata))
        light_level((const AVContentLightMetadata *)sd->data, m);
    m->dovi_rpu = av_frame_get_side_data(f, AV_FRAME_DATA_DOVI_RPU_BUFFER) != NULL;
    m->hdr10plus = av_frame_get_side_data(f, AV_FRAME_DATA_DYNAMIC_HDR_PLUS) != NULL;
}

void mqc_hdr_complete_from_frame(const AVFrame *f, MqcHdrMetadata *m)
{
    MqcHdrMetadata fm;
    mqc_hdr_from_frame(f, &fm);
    if (!m->has_primaries && !m->has_luminance && (fm.has_primaries || fm.has_luminance)) {
        m->has_primaries = fm.has_primaries;
        m->has_luminance = fm.has_luminance;
        memcpy(m->primaries, fm.primaries, sizeof(m->primaries));
        memcpy(m->white_point, fm.white_point, sizeof(m->white_point));
        m->min_luminance = fm.min_luminance;
        m->max_luminance = fm.max_luminance;
        m->mastering_from_frame = 1;
    }
    if (!m->has_cll && fm.has_cll) {
        m->has_cll = 1;
        m->max_cll = fm.max_cll;
        m->max_fall = fm.max_fall;
        m->cll_from_frame = 1;
    }
}
