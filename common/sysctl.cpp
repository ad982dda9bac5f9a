// SPDX-License-Identifier: GPL-2.0-or-later
#include "sysctl.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>

#include "unique_fd.h"

namespace triplay::sysctl {

namespace {

std::optional<int> read_int(const std::string& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return std::nullopt;
    char buf[32];
    ssize_t n = ::read(fd.get(), buf, sizeof buf - 1);
    if (n <= 0) return std::nullopt;
    size_t len = static_cast<size_t>(n);
    while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == ' ')) --len;
    int v = 0;
    auto [end, ec] = std::from_chars(buf, buf + len, v);
    if (ec != std::errc() || end != buf + len) return std::nullopt;
    return v;
}

Result<> write_int(const std::string& path, int value) {
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd) return os_fail(errno, "open {}", path);
    std::string s = std::to_string(value) + "\n";
    if (::write(fd.get(), s.data(), s.size()) != static_cast<ssize_t>(s.size()))
        return os_fail(errno, "write {} to {}", value, path);
    return {};
}

std::string conf_path(std::string_view root, std::string_view iface, std::string_view key) {
    return std::string(root) + "/conf/" + std::string(iface) + "/" + std::string(key);
}

}  // namespace

std::optional<int> read_ipv4(std::string_view key, std::string_view root) {
    return read_int(std::string(root) + "/" + std::string(key));
}

std::optional<int> read_conf(std::string_view iface, std::string_view key, std::string_view root) {
    // An interface name is a single path component; anything else is refused outright.
    if (iface.empty() || iface.find('/') != std::string_view::npos || iface == "." || iface == "..")
        return std::nullopt;
    return read_int(conf_path(root, iface, key));
}

Result<> write_ipv4(std::string_view key, int value, std::string_view root) {
    return write_int(std::string(root) + "/" + std::string(key), value);
}

Result<> write_conf(std::string_view iface, std::string_view key, int value,
                    std::string_view root) {
    if (iface.empty() || iface.find('/') != std::string_view::npos || iface == "." || iface == "..")
        return fail("'{}' is not an interface name", iface);
    return write_int(conf_path(root, iface, key), value);
}

}  // namespace triplay::sysctl
