// The posix backup target on a real directory: objects round-trip, replace atomically, list
// by prefix, and hostile names never leave the root.
#include <sys/stat.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "blockstore/backup_target.hpp"
#include "blockstore/posix_target.hpp"
#include "tests/support/test_support.hpp"

using namespace blockstore;
using blockstore::testing::TempDir;

namespace {

std::vector<std::byte> Bytes(const std::string& s) {
  std::vector<std::byte> out(s.size());
  std::memcpy(out.data(), s.data(), s.size());
  return out;
}

std::string Text(const std::vector<std::byte>& b) {
  return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

std::unique_ptr<BackupTarget> Open(const std::string& root) {
  auto t = NewPosixTarget({root, true});
  REQUIRE_MESSAGE(t.ok(), t.status().ToString());
  return std::move(t).value();
}

}  // namespace

TEST_SUITE("posix backup target") {
  TEST_CASE("put, get, list by prefix, replace, delete") {
    TempDir dir;
    auto t = Open(dir / "backups");
    CHECK(t->PreferredChunkSize() == 4u << 20);
    BS_REQUIRE_OK(t->Put("vol1/b1/chunk-00000", Bytes("first")));
    BS_REQUIRE_OK(t->Put("vol1/b1/chunk-00001", Bytes("second")));
    BS_REQUIRE_OK(t->Put("vol1/b2/chunk-00000", Bytes("third")));
    BS_REQUIRE_OK(t->Put("vol2/b3/manifest.json", Bytes("{}")));
    auto got = t->Get("vol1/b1/chunk-00001");
    BS_REQUIRE_OK(got);
    CHECK(Text(*got) == "second");
    auto b1 = t->List("vol1/b1/");
    BS_REQUIRE_OK(b1);
    CHECK(*b1 == std::vector<std::string>{"vol1/b1/chunk-00000", "vol1/b1/chunk-00001"});
    auto vol1 = t->List("vol1/");
    BS_REQUIRE_OK(vol1);
    CHECK(vol1->size() == 3);
    auto all = t->List("");
    BS_REQUIRE_OK(all);
    CHECK(all->size() == 4);
    CHECK(t->List("vol9/")->empty());
    BS_REQUIRE_OK(t->Put("vol1/b1/chunk-00000", Bytes("replaced")));
    CHECK(Text(*t->Get("vol1/b1/chunk-00000")) == "replaced");
    BS_REQUIRE_OK(t->Delete("vol1/b1/chunk-00000"));
    BS_REQUIRE_OK(t->Delete("vol1/b1/chunk-00000"));  // idempotent
    BS_CHECK_CODE(t->Get("vol1/b1/chunk-00000"), Code::kNotFound);
    BS_REQUIRE_OK(t->Put("empty", {}));
    CHECK(t->Get("empty")->empty());
    // Flush makes what was put durable; objects deleted meanwhile are no error.
    BS_REQUIRE_OK(t->Put("vol3/b4/chunk-00000", Bytes("gone soon")));
    BS_REQUIRE_OK(t->Delete("vol3/b4/chunk-00000"));
    BS_CHECK_OK(t->Flush());
    BS_CHECK_OK(t->Flush());  // nothing left to do
    CHECK(t->Describe() == "posix:" + (dir / "backups"));
  }

  TEST_CASE("large objects of every size round-trip: direct bulk, buffered tail") {
    TempDir dir;
    auto t = Open(dir / "backups");
    const std::size_t mib = 1 << 20;
    for (std::size_t size : {mib - 1, mib, mib + 1, 3 * mib + 512, 4 * mib - 1, 4 * mib, 4 * mib + 4095}) {
      CAPTURE(size);
      std::vector<std::byte> data(size);
      for (std::size_t i = 0; i < size; ++i) data[i] = std::byte((i * 7 + size) & 0xff);
      const std::string name = "big/obj-" + std::to_string(size);
      BS_REQUIRE_OK(t->Put(name, data));
      auto back = t->Get(name);
      BS_REQUIRE_OK(back);
      CHECK(*back == data);
      // Replaced by a smaller one: nothing of the old one is left.
      BS_REQUIRE_OK(t->Put(name, Bytes("small")));
      CHECK(Text(t->Get(name).value()) == "small");
    }
    BS_REQUIRE_OK(t->Flush());
  }

  TEST_CASE("hostile names are refused and nothing is written outside the root") {
    TempDir dir;
    auto t = Open(dir / "backups");
    for (const std::string& bad : std::vector<std::string>{"", "/etc/passwd", "../escape", "a/../../escape", "a//b", "a/./b",
                                  "a/", "with space", "semi;colon", std::string("nul\0x", 5),
                                  std::string(2000, 'a'), "ü"}) {
      CAPTURE(bad);
      BS_CHECK_CODE(t->Put(bad, Bytes("x")), Code::kInvalidArgument);
      BS_CHECK_CODE(t->Get(bad), Code::kInvalidArgument);
      BS_CHECK_CODE(t->Delete(bad), Code::kInvalidArgument);
    }
    BS_CHECK_CODE(t->List("../"), Code::kInvalidArgument);
    CHECK_FALSE(std::filesystem::exists(dir / "escape"));
    CHECK(std::filesystem::is_empty(dir / "backups"));
    BS_CHECK_CODE(NewPosixTarget({"relative/path", true}), Code::kInvalidArgument);
    {
      std::ofstream f(dir / "a-file");
      f << "x";
    }
    BS_CHECK_CODE(NewPosixTarget({dir / "a-file", true}), Code::kInvalidArgument);
  }

  TEST_CASE("a half-written object is never listed or read") {
    TempDir dir;
    auto t = Open(dir / "b");
    BS_REQUIRE_OK(t->Put("v/obj", Bytes("whole")));
    // What a crash in the middle of a Put leaves: a temporary file beside the object.
    {
      std::ofstream f(dir / "b/v/obj.tmp-1-1");
      f << "wh";
    }
    CHECK(*t->List("v/") == std::vector<std::string>{"v/obj"});
    CHECK(Text(*t->Get("v/obj")) == "whole");
  }

  TEST_CASE("a delete removes the directories it empties; leftovers of crashed puts are swept") {
    TempDir dir;
    auto t = Open(dir / "b");
    BS_REQUIRE_OK(t->Put("backups/a/chunk-1", Bytes("1")));
    BS_REQUIRE_OK(t->Put("backups/a/chunk-2", Bytes("2")));
    BS_REQUIRE_OK(t->Put("backups/k/chunk-1", Bytes("k")));
    BS_REQUIRE_OK(t->Delete("backups/a/chunk-1"));
    CHECK(std::filesystem::exists(dir / "b/backups/a"));  // still holds chunk-2
    BS_REQUIRE_OK(t->Delete("backups/a/chunk-2"));
    CHECK_FALSE(std::filesystem::exists(dir / "b/backups/a"));
    CHECK(std::filesystem::exists(dir / "b/backups/k"));
    BS_REQUIRE_OK(t->Delete("backups/k/chunk-1"));
    CHECK_FALSE(std::filesystem::exists(dir / "b/backups"));
    CHECK(std::filesystem::exists(dir / "b"));  // the root stays
    BS_REQUIRE_OK(t->Put("backups/a/chunk-3", Bytes("3")));  // and can be written again
    CHECK(Text(*t->Get("backups/a/chunk-3")) == "3");

    // What crashes leave: temporaries beside objects, in a directory of their own, and
    // directories with nothing in them.
    auto leave = [&](const std::string& rel) {
      std::filesystem::create_directories(std::filesystem::path(dir / ("b/" + rel)).parent_path());
      std::ofstream(dir / ("b/" + rel)) << "half";
    };
    leave("backups/a/chunk-4.tmp-11-0");
    leave("backups/x/chunk-1.tmp-11-1");
    leave("backups/live/chunk-9.tmp-12-0");
    std::filesystem::create_directories(dir / "b/backups/empty/deeper");
    leave("other/thing.tmp-1-1");  // outside the prefix: not the sweep's business
    std::vector<std::string> asked;
    auto removed = t->RemoveLeftovers("backups/", [&](const std::string& object) {
      asked.push_back(object);
      return object == "backups/live/chunk-9";
    });
    BS_REQUIRE_OK(removed);
    CHECK(*removed == 5);  // two temporaries; x, empty/deeper and empty
    std::sort(asked.begin(), asked.end());
    CHECK(asked == std::vector<std::string>{"backups/a/chunk-4", "backups/live/chunk-9",
                                            "backups/x/chunk-1"});
    CHECK(std::filesystem::exists(dir / "b/backups/live/chunk-9.tmp-12-0"));
    CHECK(std::filesystem::exists(dir / "b/other/thing.tmp-1-1"));
    CHECK_FALSE(std::filesystem::exists(dir / "b/backups/x"));
    CHECK_FALSE(std::filesystem::exists(dir / "b/backups/empty"));
    CHECK(*t->List("backups/") == std::vector<std::string>{"backups/a/chunk-3"});
    // Everything under one backup's directory, its directory too.
    BS_REQUIRE_OK(t->Delete("backups/a/chunk-3"));
    leave("backups/a/chunk-5.tmp-11-2");
    auto one = t->RemoveLeftovers("backups/a/", nullptr);
    BS_REQUIRE_OK(one);
    CHECK(*one == 2);
    CHECK_FALSE(std::filesystem::exists(dir / "b/backups/a"));
    BS_CHECK_CODE(t->RemoveLeftovers("../", nullptr), Code::kInvalidArgument);
  }
}
