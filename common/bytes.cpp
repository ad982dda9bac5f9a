// SPDX-License-Identifier: GPL-2.0-or-later
#include "bytes.h"

#include <algorithm>

namespace triplay {

bool ByteReader::take(size_t n) {
    if (m_failed || n > m_data.size() - m_pos) {
        m_failed = true;
        return false;
    }
    return true;
}

uint8_t ByteReader::u8() {
    if (!take(1)) return 0;
    return m_data[m_pos++];
}

uint16_t ByteReader::u16() {
    if (!take(2)) return 0;
    auto v = static_cast<uint16_t>(m_data[m_pos] << 8 | m_data[m_pos + 1]);
    m_pos += 2;
    return v;
}

uint32_t ByteReader::u32() {
    if (!take(4)) return 0;
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = v << 8 | m_data[m_pos++];
    return v;
}

std::span<const uint8_t> ByteReader::bytes(size_t n) {
    if (!take(n)) return {};
    auto s = m_data.subspan(m_pos, n);
    m_pos += n;
    return s;
}

bool ByteWriter::room(size_t n) {
    if (m_failed || n > m_out.size() - m_pos) {
        m_failed = true;
        return false;
    }
    return true;
}

void ByteWriter::u8(uint8_t v) {
    if (room(1)) m_out[m_pos++] = v;
}

void ByteWriter::u16(uint16_t v) {
    if (!room(2)) return;
    m_out[m_pos++] = static_cast<uint8_t>(v >> 8);
    m_out[m_pos++] = static_cast<uint8_t>(v);
}

void ByteWriter::u32(uint32_t v) {
    if (!room(4)) return;
    for (int shift = 24; shift >= 0; shift -= 8) m_out[m_pos++] = static_cast<uint8_t>(v >> shift);
}

void ByteWriter::bytes(std::span<const uint8_t> b) {
    if (!room(b.size())) return;
    std::copy(b.begin(), b.end(), m_out.begin() + static_cast<std::ptrdiff_t>(m_pos));
    m_pos += b.size();
}

void ByteWriter::zeros(size_t n) {
    if (!room(n)) return;
    std::fill_n(m_out.begin() + static_cast<std::ptrdiff_t>(m_pos), n, uint8_t{0});
    m_pos += n;
}

void ByteWriter::patch_u16(size_t offset, uint16_t v) {
    if (m_failed || offset > m_pos || m_pos - offset < 2) {
        m_failed = true;
        return;
    }
    m_out[offset] = static_cast<uint8_t>(v >> 8);
    m_out[offset + 1] = static_cast<uint8_t>(v);
}

}  // namespace triplay
