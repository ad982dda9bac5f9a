// SPDX-License-Identifier: GPL-2.0-or-later
// Without clang's libFuzzer, each fuzz target is linked with this main, which runs it once on
// every file of the corpus directories given as arguments: the corpus becomes a regression test.
#include <dirent.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int main(int argc, char** argv) {
    size_t files = 0;
    for (int i = 1; i < argc; ++i) {
        DIR* d = opendir(argv[i]);
        if (!d) {
            std::fprintf(stderr, "cannot open corpus %s\n", argv[i]);
            return 1;
        }
        while (dirent* e = readdir(d)) {
            if (e->d_name[0] == '.') continue;
            std::string path = std::string(argv[i]) + "/" + e->d_name;
            std::ifstream f(path, std::ios::binary);
            std::vector<char> bytes((std::istreambuf_iterator<char>(f)), {});
            LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
            ++files;
        }
        closedir(d);
    }
    std::printf("replayed %zu inputs\n", files);
    return files ? 0 : 1;  // an empty corpus would pass vacuously
}
