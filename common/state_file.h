// SPDX-License-Identifier: GPL-2.0-or-later
// A small JSON writer and the atomic replace that publishes a daemon's state file.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

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

}  // namespace triplay
