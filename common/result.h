// SPDX-License-Identifier: GPL-2.0-or-later
// Result<T>: a value or an Error that says what failed, with errno where the OS said no.
#pragma once

#include <fmt/format.h>

#include <cstring>
#include <string>
#include <tl/expected.hpp>

namespace triplay {

struct Error {
    std::string message;  // what failed, and where useful what to do about it
    int errnum = 0;       // errno from the failing call, 0 when not an OS error

    // "message: strerror(errnum)", or the message alone when errnum is 0.
    std::string to_string() const {
        return errnum ? message + ": " + std::strerror(errnum) : message;
    }
};

template <typename T = void>
using Result = tl::expected<T, Error>;

// fail("bind {}: port in use", port) -> unexpected Error without errno.
template <typename... Args>
tl::unexpected<Error> fail(fmt::format_string<Args...> f, Args&&... args) {
    return tl::unexpected(Error{fmt::format(f, std::forward<Args>(args)...), 0});
}

// os_fail(errno, "open {}", path) -> unexpected Error carrying errno.
template <typename... Args>
tl::unexpected<Error> os_fail(int errnum, fmt::format_string<Args...> f, Args&&... args) {
    return tl::unexpected(Error{fmt::format(f, std::forward<Args>(args)...), errnum});
}

}  // namespace triplay
