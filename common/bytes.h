// SPDX-License-Identifier: GPL-2.0-or-later
// Bounds-checked big-endian readers and writers over spans. Failure is sticky: after the first
// short read (or write past the end) every further call returns zero / does nothing and ok()
// stays false, so a parser checks once at the end and never trusts a value read after a fault.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "net_types.h"

namespace triplay {

class ByteReader {
public:
    explicit ByteReader(std::span<const uint8_t> data) : m_data(data) {}

    bool ok() const { return !m_failed; }
    size_t remaining() const { return m_failed ? 0 : m_data.size() - m_pos; }
    size_t offset() const { return m_pos; }
    bool at_end() const { return remaining() == 0; }

    uint8_t u8();
    uint16_t u16();
    uint32_t u32();
    Ipv4 ipv4() { return Ipv4(u32()); }
    // The next n bytes; an empty span (and failure) if fewer remain.
    std::span<const uint8_t> bytes(size_t n);
    // A reader over the next n bytes, which this reader skips.
    ByteReader sub(size_t n) {
        auto region = bytes(n);  // before reading m_failed: a short region sets it
        return ByteReader(region, m_failed);
    }
    void skip(size_t n) { (void)bytes(n); }
    // Everything not yet read.
    std::span<const uint8_t> rest() { return bytes(remaining()); }

private:
    ByteReader(std::span<const uint8_t> data, bool failed) : m_data(data), m_failed(failed) {}
    bool take(size_t n);

    std::span<const uint8_t> m_data;
    size_t m_pos = 0;
    bool m_failed = false;
};

class ByteWriter {
public:
    explicit ByteWriter(std::span<uint8_t> out) : m_out(out) {}

    bool ok() const { return !m_failed; }
    size_t size() const { return m_pos; }
    size_t capacity_left() const { return m_out.size() - m_pos; }
    std::span<const uint8_t> written() const { return m_out.first(m_pos); }

    void u8(uint8_t v);
    void u16(uint16_t v);
    void u32(uint32_t v);
    void ipv4(Ipv4 a) { u32(a.value()); }
    void bytes(std::span<const uint8_t> b);
    void zeros(size_t n);
    // Overwrite a value already written (length fields, checksums).
    void patch_u16(size_t offset, uint16_t v);

private:
    bool room(size_t n);

    std::span<uint8_t> m_out;
    size_t m_pos = 0;
    bool m_failed = false;
};

}  // namespace triplay
