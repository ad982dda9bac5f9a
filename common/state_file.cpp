// SPDX-License-Identifier: GPL-2.0-or-later
#include "state_file.h"

#include "event_loop.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>

#include "unique_fd.h"

namespace triplay {

namespace {

// Length of the well-formed UTF-8 sequence starting at s[i], or 0 if the byte there does not
// start one. Follows RFC 3629 §4: no overlong forms, no surrogates (U+D800..DFFF), nothing
// above U+10FFFF.
size_t utf8_sequence_length(std::string_view s, size_t i) {
    auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
    auto cont = [&](size_t k, unsigned char lo = 0x80, unsigned char hi = 0xbf) {
        return k < s.size() && byte(k) >= lo && byte(k) <= hi;
    };
    unsigned char c = byte(i);
    if (c < 0x80) return 1;
    if (c >= 0xc2 && c <= 0xdf) return cont(i + 1) ? 2 : 0;
    if (c == 0xe0) return cont(i + 1, 0xa0) && cont(i + 2) ? 3 : 0;
    if ((c >= 0xe1 && c <= 0xec) || c == 0xee || c == 0xef)
        return cont(i + 1) && cont(i + 2) ? 3 : 0;
    if (c == 0xed) return cont(i + 1, 0x80, 0x9f) && cont(i + 2) ? 3 : 0;
    if (c == 0xf0) return cont(i + 1, 0x90) && cont(i + 2) && cont(i + 3) ? 4 : 0;
    if (c >= 0xf1 && c <= 0xf3) return cont(i + 1) && cont(i + 2) && cont(i + 3) ? 4 : 0;
    if (c == 0xf4) return cont(i + 1, 0x80, 0x8f) && cont(i + 2) && cont(i + 3) ? 4 : 0;
    return 0;  // continuation byte out of place, C0, C1, F5..FF
}

// RFC 8259 §7: '"', '\' and U+0000..U+001F must be escaped. Bytes that are not UTF-8 cannot be
// represented at all (§8.1 requires UTF-8), so each one becomes U+FFFD.
void append_string(std::string& out, std::string_view s) {
    out += '"';
    size_t i = 0;
    while (i < s.size()) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
            ++i;
        } else if (c < 0x20) {
            out += fmt::format("\\u{:04x}", c);
            ++i;
        } else if (size_t n = utf8_sequence_length(s, i); n > 0) {
            out.append(s.substr(i, n));
            i += n;
        } else {
            out += "\\ufffd";
            ++i;
        }
    }
    out += '"';
}

}  // namespace

void JsonWriter::separator() {
    if (m_after_key) {
        m_after_key = false;
        return;
    }
    if (m_first.empty()) return;
    if (!m_first.back()) m_out += ',';
    m_first.back() = false;
}

JsonWriter& JsonWriter::begin_object() {
    separator();
    m_out += '{';
    m_first.push_back(true);
    return *this;
}

JsonWriter& JsonWriter::end_object() {
    if (!m_first.empty()) m_first.pop_back();
    m_out += '}';
    return *this;
}

JsonWriter& JsonWriter::begin_array() {
    separator();
    m_out += '[';
    m_first.push_back(true);
    return *this;
}

JsonWriter& JsonWriter::end_array() {
    if (!m_first.empty()) m_first.pop_back();
    m_out += ']';
    return *this;
}

JsonWriter& JsonWriter::key(std::string_view k) {
    separator();
    append_string(m_out, k);
    m_out += ':';
    m_after_key = true;
    return *this;
}

JsonWriter& JsonWriter::value(std::string_view s) {
    separator();
    append_string(m_out, s);
    return *this;
}

JsonWriter& JsonWriter::value(int64_t n) {
    separator();
    m_out += fmt::format("{}", n);
    return *this;
}

JsonWriter& JsonWriter::value(uint64_t n) {
    separator();
    m_out += fmt::format("{}", n);
    return *this;
}

JsonWriter& JsonWriter::value(double d) {
    separator();
    // RFC 8259 §6: NaN and Infinity are not permitted; null is the usual stand-in.
    if (std::isfinite(d))
        m_out += fmt::format("{}", d);
    else
        m_out += "null";
    return *this;
}

JsonWriter& JsonWriter::value(bool b) {
    separator();
    m_out += b ? "true" : "false";
    return *this;
}

JsonWriter& JsonWriter::null() {
    separator();
    m_out += "null";
    return *this;
}

Result<> write_file_atomic(const std::string& path, std::string_view contents) {
    std::string tmp = path + ".tmp";
    UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (!fd) {
        return os_fail(errno, "create {}", tmp);
    }
    auto fail_and_unlink = [&](int err, std::string_view what) {
        ::unlink(tmp.c_str());
        return os_fail(err, "{} {}", what, tmp);
    };
    size_t done = 0;
    while (done < contents.size()) {
        ssize_t n = ::write(fd.get(), contents.data() + done, contents.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            return fail_and_unlink(errno, "write");
        }
        done += static_cast<size_t>(n);
    }
    // The data must be on disk before the rename makes it visible, or a crash could leave an
    // empty file under the final name.
    if (::fsync(fd.get()) < 0) return fail_and_unlink(errno, "fsync");
    if (::close(fd.release()) < 0) return fail_and_unlink(errno, "close");
    if (::rename(tmp.c_str(), path.c_str()) < 0) {
        int err = errno;
        ::unlink(tmp.c_str());
        return os_fail(err, "rename {} to {}", tmp, path);
    }
    // The rename itself lives in the directory; sync it so the new name survives a crash.
    size_t slash = path.rfind('/');
    std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
    UniqueFd dfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dfd) return os_fail(errno, "open directory {}", dir);
    if (::fsync(dfd.get()) < 0) return os_fail(errno, "fsync directory {}", dir);
    return {};
}

void StateFile::changed() {
    if (m_pending || m_path.empty()) return;
    m_pending = true;
    m_loop.add_timer(EventLoop::Clock::now() + m_delay, [this] {
        m_pending = false;
        write();
    });
}

void StateFile::write() {
    if (m_path.empty()) return;
    if (auto r = write_file_atomic(m_path, m_render()); !r)
        log::limited(m_log, log::Level::Warning, "state file: {}", r.error().to_string());
}

void StateFile::remove() {
    if (!m_path.empty()) ::unlink(m_path.c_str());
}

}  // namespace triplay
