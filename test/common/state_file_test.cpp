// SPDX-License-Identifier: GPL-2.0-or-later
#include "event_loop.h"
#include "state_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <limits>
#include <sstream>

#include "result_printer.h"

using namespace triplay;

namespace {

std::string json_string(std::string_view s) {
    JsonWriter w;
    w.value(s);
    return w.str();
}

std::string read_all(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

struct TempDir {
    std::string path;
    TempDir() {
        char tmpl[] = "/tmp/triplay-state-XXXXXX";
        REQUIRE(mkdtemp(tmpl));
        path = tmpl;
    }
    ~TempDir() {
        for (const char* f : {"/state.json", "/state.json.tmp"}) unlink((path + f).c_str());
        rmdir(path.c_str());
    }
};

}  // namespace

TEST_CASE("JsonWriter puts commas between members of nested containers", "[json]") {
    JsonWriter w;
    w.begin_object();
    w.key("daemon").value("ripd-passive");
    w.key("routes").begin_array();
    w.begin_object().key("dst").value("172.26.22.0/26").key("metric").value(3).end_object();
    w.begin_object().key("dst").value("10.0.0.0/8").key("metric").value(16u).end_object();
    w.end_array();
    w.key("empty_object").begin_object().end_object();
    w.key("empty_array").begin_array().end_array();
    w.key("nested")
        .begin_array()
        .begin_array()
        .value(1)
        .end_array()
        .begin_array()
        .end_array()
        .end_array();
    w.key("up").value(true);
    w.key("down").value(false);
    w.key("none").null();
    w.end_object();
    CHECK(w.str() == R"({"daemon":"ripd-passive","routes":[{"dst":"172.26.22.0/26","metric":3},)"
                     R"({"dst":"10.0.0.0/8","metric":16}],"empty_object":{},"empty_array":[],)"
                     R"("nested":[[1],[]],"up":true,"down":false,"none":null})");
}

TEST_CASE("JsonWriter top-level array of scalars", "[json]") {
    JsonWriter w;
    w.begin_array().value(1).value("a").null().value(-2).end_array();
    CHECK(w.str() == R"([1,"a",null,-2])");
}

TEST_CASE("JsonWriter integers cover the full 64-bit ranges", "[json]") {
    JsonWriter w;
    w.begin_array()
        .value(std::numeric_limits<int64_t>::min())
        .value(std::numeric_limits<uint64_t>::max())
        .value(0)
        .end_array();
    CHECK(w.str() == "[-9223372036854775808,18446744073709551615,0]");
}

TEST_CASE("JsonWriter doubles: shortest round-trip form, non-finite as null", "[json]") {
    JsonWriter w;
    w.begin_array()
        .value(1.5)
        .value(0.1)
        .value(-2.0)
        .value(1e21)
        .value(std::nan(""))
        .value(std::numeric_limits<double>::infinity())
        .value(-std::numeric_limits<double>::infinity())
        .end_array();
    CHECK(w.str() == "[1.5,0.1,-2,1e+21,null,null,null]");
}

TEST_CASE("JsonWriter escapes quotes, backslashes and control characters", "[json]") {
    CHECK(json_string("plain") == R"("plain")");
    CHECK(json_string("say \"hi\"") == R"("say \"hi\"")");
    CHECK(json_string("C:\\dir") == R"("C:\\dir")");
    CHECK(json_string("a/b") == R"("a/b")");
    CHECK(json_string("l1\nl2\ttab\r") == R"("l1\u000al2\u0009tab\u000d")");
    CHECK(json_string(std::string_view("\x00\x01\x1f\x7f", 4)) == "\"\\u0000\\u0001\\u001f\x7f\"");
    CHECK(json_string("") == R"("")");
}

TEST_CASE("JsonWriter keeps valid UTF-8 as it is", "[json]") {
    // ñ (2 bytes), € (3 bytes), U+10FFFF and 😀 (4 bytes)
    const char* s = "\xc3\xb1 \xe2\x82\xac \xf4\x8f\xbf\xbf \xf0\x9f\x98\x80";
    CHECK(json_string(s) == std::string("\"") + s + "\"");
}

TEST_CASE("JsonWriter replaces each byte that is not UTF-8 with U+FFFD", "[json]") {
    CHECK(json_string("a\xff"
                      "b") == R"("a\ufffdb")");
    CHECK(json_string("\xc0\xaf") == R"("\ufffd\ufffd")");                      // overlong '/'
    CHECK(json_string("\xe0\x80\xaf") == R"("\ufffd\ufffd\ufffd")");            // overlong, 3 bytes
    CHECK(json_string("\xed\xa0\x80") == R"("\ufffd\ufffd\ufffd")");            // surrogate U+D800
    CHECK(json_string("\xf4\x90\x80\x80") == R"("\ufffd\ufffd\ufffd\ufffd")");  // > U+10FFFF
    CHECK(json_string("\xe2\x82") == R"("\ufffd\ufffd")");    // truncated at the end
    CHECK(json_string("\xe2\x82z") == R"("\ufffd\ufffdz")");  // truncated in the middle
    CHECK(json_string("\x80") == R"("\ufffd")");              // lone continuation byte
    CHECK(json_string("\xc3") == R"("\ufffd")");
}

TEST_CASE("JsonWriter escapes keys too", "[json]") {
    JsonWriter w;
    w.begin_object().key("we\"ird\n").value(1).end_object();
    CHECK(w.str() == R"({"we\"ird\u000a":1})");
}

TEST_CASE("write_file_atomic creates, then replaces, a file and leaves no temp file", "[state]") {
    TempDir dir;
    std::string path = dir.path + "/state.json";
    mode_t old_mask = umask(022);
    REQUIRE(write_file_atomic(path, "{\"v\":1}\n"));
    CHECK(read_all(path) == "{\"v\":1}\n");
    struct stat st {};
    REQUIRE(stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0644);

    // A reader holding the old file keeps seeing all of the old contents.
    int old_fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    REQUIRE(old_fd >= 0);
    std::string big(100000, 'x');
    REQUIRE(write_file_atomic(path, big));
    CHECK(read_all(path) == big);
    char buf[32] = {};
    CHECK(read(old_fd, buf, sizeof buf) == 8);
    CHECK(std::string(buf) == "{\"v\":1}\n");
    close(old_fd);
    CHECK(access((path + ".tmp").c_str(), F_OK) != 0);

    REQUIRE(write_file_atomic(path, ""));
    CHECK(read_all(path).empty());
    umask(old_mask);
}

TEST_CASE("write_file_atomic into a missing directory fails with errno and the path", "[state]") {
    TempDir dir;
    std::string path = dir.path + "/no/such/dir/state.json";
    auto r = write_file_atomic(path, "x");
    REQUIRE_FALSE(r);
    CHECK(r.error().errnum == ENOENT);
    CHECK(r.error().message.find(path + ".tmp") != std::string::npos);
}

TEST_CASE("write_file_atomic over a directory fails and removes its temp file", "[state]") {
    TempDir dir;
    std::string path = dir.path + "/state.json";
    REQUIRE(mkdir(path.c_str(), 0755) == 0);  // rename(file, dir) fails with EISDIR
    auto r = write_file_atomic(path, "x");
    REQUIRE_FALSE(r);
    CHECK(r.error().errnum == EISDIR);
    CHECK(access((path + ".tmp").c_str(), F_OK) != 0);
    rmdir(path.c_str());
}

TEST_CASE("StateFile coalesces changes into one write after the delay", "[state_file]") {
    char dir[] = "/tmp/triplay-statefile-XXXXXX";
    REQUIRE(mkdtemp(dir));
    std::string path = std::string(dir) + "/d.json";
    auto loop = triplay::EventLoop::create();
    REQUIRE(loop);
    int renders = 0;
    triplay::StateFile sf(**loop, [&] { return "{\"n\":" + std::to_string(++renders) + "}\n"; },
                          std::chrono::milliseconds(20));
    sf.changed();  // no path yet: disabled
    CHECK((*loop)->pending_timers() == 0);
    sf.set_path(path);
    sf.changed();
    sf.changed();
    sf.changed();
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (renders == 0 && std::chrono::steady_clock::now() < deadline)
        REQUIRE((*loop)->run_once(std::chrono::milliseconds(100)));
    CHECK(renders == 1);
    std::ifstream in(path);
    std::string text((std::istreambuf_iterator<char>(in)), {});
    CHECK(text == "{\"n\":1}\n");
    sf.remove();
    CHECK(access(path.c_str(), F_OK) != 0);
    rmdir(dir);
}
