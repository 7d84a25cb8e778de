/* OpenColorIO behind a C interface. No exception crosses into C: every
 * entry point catches and turns failures into a message. */
#include "ocio_shim.h"

#include <cstdio>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>

#include <OpenColorIO/OpenColorIO.h>

namespace OCIO = OCIO_NAMESPACE;

struct MqcOcioProcessor {
    OCIO::ConstCPUProcessorRcPtr cpu;
};

namespace {

std::mutex cache_lock;
/* statics: released by the C++ runtime at exit, so leak checkers stay quiet */
std::map<std::string, OCIO::ConstConfigRcPtr> configs;
std::map<std::tuple<std::string, std::string, std::string>, std::unique_ptr<MqcOcioProcessor>>
    processors;

void set_error(char *err, size_t len, const std::string &msg)
{
    if (err && len)
        std::snprintf(err, len, "%s", msg.c_str());
}

std::string colorspace_names(const OCIO::ConstConfigRcPtr &config)
{
    std::string names;
    for (int i = 0; i < config->getNumColorSpaces(); i++) {
        const char *name = config->getColorSpaceNameByIndex(i);
        if (config->getColorSpace(name) && config->getColorSpace(name)->isData())
            continue;   /* "Raw"-like data spaces are never a gamut */
        names += (names.empty() ? "" : ", ") + std::string(name);
    }
    return names;
}

OCIO::ConstConfigRcPtr load_config(const std::string &path)
{
    auto it = configs.find(path);
    if (it != configs.end())
        return it->second;
    OCIO::ConstConfigRcPtr config = OCIO::Config::CreateFromFile(path.c_str());
    config->validate();
    configs[path] = config;
    return config;
}

}  // namespace

extern "C" int mqc_ocio_processor(const char *config_path, const char *src, const char *dst,
                                  const MqcOcioProcessor **out, char *err, size_t err_len)
{
    *out = nullptr;
    std::lock_guard<std::mutex> guard(cache_lock);
    try {
        auto key = std::make_tuple(std::string(config_path), std::string(src), std::string(dst));
        auto it = processors.find(key);
        if (it != processors.end()) {
            *out = it->second.get();
            return 0;
        }
        OCIO::ConstConfigRcPtr config = load_config(config_path);
        for (const char *name : { src, dst })
            if (!config->getColorSpace(name)) {
                set_error(err, err_len, std::string("unknown colour space '") + name +
                          "' (valid: " + colorspace_names(config) + ")");
                return -1;
            }
        auto proc = std::make_unique<MqcOcioProcessor>();
        proc->cpu = config->getProcessor(src, dst)->getDefaultCPUProcessor();
        *out = proc.get();
        processors[key] = std::move(proc);
        return 0;
    } catch (const std::exception &e) {
        set_error(err, err_len, std::string(config_path) + ": " + e.what());
    } catch (...) {
        set_error(err, err_len, std::string(config_path) + ": unknown OpenColorIO error");
    }
    return -1;
}

extern "C" void mqc_ocio_apply(const MqcOcioProcessor *p, float *rgb, int n)
{
    try {
        OCIO::PackedImageDesc img(rgb, n, 1, 3);
        p->cpu->apply(img);
    } catch (...) {
        /* a matrix processor on a valid buffer does not throw; never let
         * an exception unwind through C frames */
    }
}
