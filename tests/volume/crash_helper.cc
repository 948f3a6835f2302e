// A child process for the restart-recovery test: it drives an engine until four operations are
// stuck inside the driver, prints their ids, and waits to be killed with SIGKILL.
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <thread>

#include "blockstore/engine.hpp"
#include "blockstore/file_driver.hpp"

using namespace blockstore;

namespace {

std::atomic<bool> g_stall{false};
std::atomic<int> g_stuck{0};

[[noreturn]] void Hang() {
  ++g_stuck;
  while (true) pause();
}

// The file driver, except that once g_stall is set its operations never return: one before
// touching the disk (create, delete, snapshot), one after (extend), like a crash at either point.
class StallingDriver final : public VolumeDriver {
 public:
  explicit StallingDriver(std::unique_ptr<VolumeDriver> inner) : inner_(std::move(inner)) {}
  Status Initialize() override { return inner_->Initialize(); }
  std::string DefaultPool() const override { return inner_->DefaultPool(); }
  Status CreateVolume(const Volume& v) override {
    if (g_stall) Hang();
    return inner_->CreateVolume(v);
  }
  Status CreateVolumeFromSnapshot(const Volume& v, const Snapshot& s) override {
    return inner_->CreateVolumeFromSnapshot(v, s);
  }
  Status CreateClonedVolume(const Volume& v, const Volume& src) override {
    return inner_->CreateClonedVolume(v, src);
  }
  Status DeleteVolume(const Volume& v) override {
    if (g_stall) Hang();
    return inner_->DeleteVolume(v);
  }
  Status ExtendVolume(const Volume& v, uint64_t gb) override {
    Status s = inner_->ExtendVolume(v, gb);
    if (g_stall) Hang();
    return s;
  }
  Status CreateSnapshot(const Snapshot& s, const Volume& v) override {
    if (g_stall) Hang();
    return inner_->CreateSnapshot(s, v);
  }
  Status DeleteSnapshot(const Snapshot& s) override { return inner_->DeleteSnapshot(s); }
  Result<uint64_t> VolumeSizeBytes(const Volume& v) override { return inner_->VolumeSizeBytes(v); }
  Result<std::unique_ptr<BlockDevice>> OpenVolume(const Volume& v) override {
    return inner_->OpenVolume(v);
  }
  Result<BackendStats> GetStats() override { return inner_->GetStats(); }

 private:
  std::unique_ptr<VolumeDriver> inner_;
};

int Fail(const char* what, const Status& s) {
  std::fprintf(stderr, "crash_helper: %s: %s\n", what, s.ToString().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  EngineConfig c;
  c.state_path = argv[1];
  c.host = "testhost";
  c.volume_workers = 8;
  c.backends = {{"file", "stalling", "file", {{"volumes_dir", std::string(argv[1]) + "/volumes"}}}};
  c.register_drivers = [](DriverRegistry& r) {
    return r.Register("stalling", [](const BackendConfig& b) -> Result<std::unique_ptr<VolumeDriver>> {
      DriverRegistry inner;
      (void)RegisterFileDriver(inner);
      BackendConfig fb = b;
      fb.driver = "file";
      auto d = inner.Create(fb);
      if (!d.ok()) return d.status();
      return std::unique_ptr<VolumeDriver>(new StallingDriver(std::move(d).value()));
    });
  };
  auto engine = Engine::Open(c);
  if (!engine.ok()) return Fail("open", engine.status());
  Engine& eng = **engine;
  auto ctx = RequestContext::User("crash");
  const auto wait = std::chrono::seconds(10);
  std::string ids[3];
  for (auto& id : ids) {
    VolumeCreateRequest r;
    r.size_gb = 1;
    auto v = eng.volumes().Create(ctx, r);
    if (!v.ok()) return Fail("create", v.status());
    auto done = (*engine)->WaitForVolume(ctx, v->id, {VolumeStatus::kAvailable}, wait);
    if (!done.ok()) return Fail("wait", done.status());
    id = v->id;
  }
  g_stall = true;
  VolumeCreateRequest r;
  r.size_gb = 1;
  auto stuck_create = eng.volumes().Create(ctx, r);
  if (!stuck_create.ok()) return Fail("create", stuck_create.status());
  if (auto s = eng.volumes().Delete(ctx, ids[0]); !s.ok()) return Fail("delete", s.status());
  if (auto s = eng.volumes().Extend(ctx, ids[1], 3); !s.ok()) return Fail("extend", s.status());
  auto snap = eng.snapshots().Create(ctx, {ids[2], "s", "", false, {}});
  if (!snap.ok()) return Fail("snapshot", snap.status());
  while (g_stuck < 4) std::this_thread::yield();
  std::printf("%s %s %s %s %s\n", stuck_create->id.c_str(), ids[0].c_str(), ids[1].c_str(),
              ids[2].c_str(), snap->id.c_str());
  std::fflush(stdout);
  while (true) pause();
}
