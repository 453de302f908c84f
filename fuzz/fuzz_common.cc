#include "fuzz/fuzz_common.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>


namespace mcpreg::fuzz {
namespace fs = std::filesystem;
namespace {

std::string MakeDir() {
  std::string base = fs::exists("/dev/shm") ? "/dev/shm" : fs::temp_directory_path().string();
  std::string tmpl = base + "/mcpreg-fuzz-XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (!mkdtemp(buf.data())) {
    std::perror("mcpreg fuzz: mkdtemp");
    std::abort();
  }
  return buf.data();
}

void RemoveDir() {
  std::error_code ec;
  fs::remove_all(SharedDir(), ec);
}

}  // namespace

void Check(bool cond, const char* what) {
  if (cond) return;
  std::fprintf(stderr, "mcpreg fuzz: property violated: %s\n", what);
  std::abort();
}

std::string ReadSourceFile(std::string_view relative_path) {
  std::string path = std::string(MCPREG_SOURCE_DIR) + "/" + std::string(relative_path);
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "mcpreg fuzz: cannot read %s\n", path.c_str());
    std::abort();
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const std::string& SharedDir() {
  // Never destroyed: RemoveDir runs from atexit, after function-local statics may be gone.
  static const std::string* dir = [] {
    auto* d = new std::string(MakeDir());
    std::atexit(RemoveDir);
    return d;
  }();
  return *dir;
}

}  // namespace mcpreg::fuzz
