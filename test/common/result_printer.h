// SPDX-License-Identifier: GPL-2.0-or-later
// Lets Catch print a failed Result as its error text instead of "{?}".
#pragma once

#include <catch2/catch.hpp>

#include "result.h"

namespace Catch {
template <typename T>
struct StringMaker<tl::expected<T, triplay::Error>> {
    static std::string convert(const tl::expected<T, triplay::Error>& r) {
        return r ? std::string("ok") : "error: " + r.error().to_string();
    }
};
}  // namespace Catch
