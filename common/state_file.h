// SPDX-License-Identifier: GPL-2.0-or-later
// A small JSON writer and the atomic replace that publishes a daemon's state file.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "log.h"
#include "result.h"

namespace triplay {

// Streams JSON into a string; inserts commas itself. Strings are escaped (RFC 8259 §7),
// including control characters and invalid UTF-8 (as \uFFFD), so wire data is safe to store.
class JsonWriter {
public:
    JsonWriter& begin_object();
    JsonWriter& end_object();
    JsonWriter& begin_array();
    JsonWriter& end_array();
    JsonWriter& key(std::string_view k);
    JsonWriter& value(std::string_view s);
    JsonWriter& value(const char* s) { return value(std::string_view(s)); }
    JsonWriter& value(int64_t n);
    JsonWriter& value(uint64_t n);
    JsonWriter& value(int n) { return value(static_cast<int64_t>(n)); }
    JsonWriter& value(unsigned n) { return value(static_cast<uint64_t>(n)); }
    JsonWriter& value(double d);
    JsonWriter& value(bool b);
    JsonWriter& null();

    const std::string& str() const { return m_out; }

private:
    void separator();
    std::string m_out;
    std::vector<bool> m_first;  // per open container: no element written yet
    bool m_after_key = false;
};

// Writes `contents` to path.tmp in the same directory, fsyncs it and renames it over `path`,
// so readers see the old file or the new one, never half of one.
Result<> write_file_atomic(const std::string& path, std::string_view contents);

class EventLoop;

// A daemon's state file (/run/triplay/<daemon>.json): rewritten at most once per `delay`
// after changed() — counters move with every packet, the file needs not. An empty path
// disables it; the path may change on reload.
class StateFile {
public:
    StateFile(EventLoop& loop, std::function<std::string()> render,
              std::chrono::milliseconds delay = std::chrono::seconds(1))
        : m_loop(loop), m_render(std::move(render)), m_delay(delay) {}
    void set_path(std::string path) { m_path = std::move(path); }
    const std::string& path() const { return m_path; }
    void changed();
    // At exit: the file describes a process that is gone.
    void remove();

private:
    void write();
    EventLoop& m_loop;
    std::function<std::string()> m_render;
    std::chrono::milliseconds m_delay;
    std::string m_path;
    bool m_pending = false;
    log::RateLimiter m_log{5, std::chrono::seconds(30)};
};

}  // namespace triplay
