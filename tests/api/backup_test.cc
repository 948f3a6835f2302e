// Backups through the Api: full and incremental backups of real sparse volume files to a real
// directory, restores onto new and existing volumes, export/import between engines, verify,
// damage, failures of the target, cancellation and restart recovery.
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <thread>

#include "blockstore/backup_target.hpp"
#include "blockstore/posix_target.hpp"
#include "tests/support/engine_fixture.hpp"

namespace blockstore::testing {
namespace {

using BS = BackupStatus;
using VS = VolumeStatus;
constexpr uint64_t kMiB = 1ull << 20;

// The regions the tests write, and a hole between them, compared between two volume files.
void RequireSameData(const std::string& a, const std::string& b) {
  for (const auto& region : {std::pair<uint64_t, uint64_t>{0, 6 * kMiB},
                              {100 * kMiB, 3 * kMiB},
                              {512 * kMiB, 8 * kMiB},
                              {1024 * kMiB - 4 * kMiB, 4 * kMiB}}) {
    const uint64_t off = region.first, len = region.second;  // (a lambda cannot capture bindings)
    CHECK_MESSAGE(ReadRange(a, off, len) == ReadRange(b, off, len), "offset " << off);
  }
}

// The files (or, with `directories`, the directories) under root, the root not counted.
std::vector<std::string> Objects(const std::string& root, bool directories = false) {
  std::vector<std::string> out;
  if (!std::filesystem::exists(root)) return out;
  for (auto& e : std::filesystem::recursive_directory_iterator(root)) {
    if (directories ? e.is_directory() : e.is_regular_file()) out.push_back(e.path().string());
  }
  return out;
}
std::vector<std::string> Directories(const std::string& root) { return Objects(root, true); }

// A target that fails: every Put from the `fail_after`-th on answers unavailable.
class FailingTarget final : public BackupTarget {
 public:
  FailingTarget(std::unique_ptr<BackupTarget> inner, int fail_after)
      : inner_(std::move(inner)), fail_after_(fail_after) {}
  Status Put(const std::string& name, std::span<const std::byte> data) override {
    if (puts_.fetch_add(1) >= fail_after_) return Unavailable("connection reset by peer");
    return inner_->Put(name, data);
  }
  Result<std::vector<std::byte>> Get(const std::string& name) override { return inner_->Get(name); }
  Result<std::vector<std::string>> List(const std::string& p) override { return inner_->List(p); }
  Status Delete(const std::string& name) override { return inner_->Delete(name); }
  std::string Describe() const override { return "failing:" + inner_->Describe(); }
  Status Flush() override { return inner_->Flush(); }
  std::atomic<int> puts_{0};

 private:
  std::unique_ptr<BackupTarget> inner_;
  int fail_after_;
};

// A target whose Puts wait until released, to catch a backup in the middle.
class GatedTarget final : public BackupTarget {
 public:
  explicit GatedTarget(std::unique_ptr<BackupTarget> inner) : inner_(std::move(inner)) {}
  Status Put(const std::string& name, std::span<const std::byte> data) override {
    ++waiting_;
    while (!open_) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    return inner_->Put(name, data);
  }
  Result<std::vector<std::byte>> Get(const std::string& name) override { return inner_->Get(name); }
  Result<std::vector<std::string>> List(const std::string& p) override { return inner_->List(p); }
  Status Delete(const std::string& name) override { return inner_->Delete(name); }
  std::string Describe() const override { return inner_->Describe(); }
  Status Flush() override { return inner_->Flush(); }
  std::atomic<bool> open_{false};
  std::atomic<int> waiting_{0};

 private:
  std::unique_ptr<BackupTarget> inner_;
};

// A new 1 GiB volume of `ctx`'s, available.
Volume NewVolume(Engine& e, const RequestContext& ctx) {
  auto v = e.volumes().Create(ctx, {.size_gb = 1});
  REQUIRE_MESSAGE(v.ok(), v.status().ToString());
  auto done = e.WaitForVolume(ctx, v->id, {VS::kAvailable}, kWait);
  REQUIRE_MESSAGE(done.ok(), done.status().ToString());
  return *done;
}

std::unique_ptr<BackupTarget> Posix(const std::string& root) {
  auto t = NewPosixTarget({root, false});
  REQUIRE_MESSAGE(t.ok(), t.status().ToString());
  return std::move(t).value();
}

struct BackupFixture : EngineFixture {
  Backup Backed(const RequestContext& ctx, BackupCreateRequest r) {
    auto b = engine->backups().Create(ctx, r);
    REQUIRE_MESSAGE(b.ok(), b.status().ToString());
    CHECK(b->status == BS::kCreating);
    auto done = engine->WaitForBackup(ctx, b->id, {BS::kAvailable, BS::kError}, kWait);
    REQUIRE_MESSAGE(done.ok(), done.status().ToString());
    REQUIRE_MESSAGE(done->status == BS::kAvailable, done->fail_reason);
    return *done;
  }
  Volume Restored(const RequestContext& ctx, const std::string& backup_id,
                  BackupRestoreRequest r = {}) {
    auto res = engine->backups().Restore(ctx, backup_id, r);
    REQUIRE_MESSAGE(res.ok(), res.status().ToString());
    auto b = engine->WaitForBackup(ctx, backup_id, {BS::kAvailable}, kWait);
    REQUIRE_MESSAGE(b.ok(), b.status().ToString());
    CHECK_MESSAGE(b->fail_reason.empty(), b->fail_reason);
    auto v = engine->WaitForVolume(ctx, res->volume_id, {VS::kAvailable, VS::kErrorRestoring,
                                                         VS::kError}, kWait);
    REQUIRE_MESSAGE(v.ok(), v.status().ToString());
    REQUIRE(v->status == VS::kAvailable);
    return *v;
  }
};

namespace fs = std::filesystem;

TEST_SUITE_BEGIN("backup service");

TEST_CASE_FIXTURE(BackupFixture, "a full backup and its restore onto a new volume") {
  Volume v = Available(alice, 1, {.name = "db", .description = "the database", .metadata = {{"tier", "gold"}}});
  VolumeUpdate image;
  image.image_metadata = Metadata{{"os_distro", "debian"}};
  image.bootable = true;
  BS_REQUIRE_OK(engine->volumes().Update(alice, v.id, image));
  WritePattern(VolumeFile(v.id), 0, 6 * kMiB, 1);
  WritePattern(VolumeFile(v.id), 512 * kMiB, 8 * kMiB, 2);
  Backup b = Backed(alice, {.volume_id = v.id, .name = "nightly"});
  CHECK(b.name == "nightly");
  CHECK(b.size_gb == 1);
  CHECK_FALSE(b.is_incremental);
  CHECK(b.object_count == 4);  // 6 MiB in 4 MiB chunks, and 8 MiB: only allocated chunks
  CHECK(b.progress_bytes == kGiB);
  CHECK(b.progress_total == kGiB);
  CHECK(b.container == "backups");  // the default container: a prefix of the target
  CHECK(b.host == "testhost");
  auto after = engine->volumes().Get(alice, v.id);
  BS_REQUIRE_OK(after);
  CHECK(after->status == VS::kAvailable);
  auto quota = engine->quotas().Get(alice, "alice");
  BS_REQUIRE_OK(quota);
  CHECK(quota->resources.at("backups").in_use == 1);
  CHECK(quota->resources.at("backup_gigabytes").in_use == 1);
  CHECK(quota->resources.at("backups").reserved == 0);

  Volume r = Restored(alice, b.id);
  // As Cinder: the source's name, description, metadata, image properties and bootable flag.
  CHECK(r.name == "db");
  CHECK(r.description == "the database");
  CHECK(r.metadata == Metadata{{"tier", "gold"}, {"src_backup_id", b.id}});
  CHECK(r.image_metadata == Metadata{{"os_distro", "debian"}});
  CHECK(r.bootable);
  RequireSameData(VolumeFile(v.id), VolumeFile(r.id));
  // Restored onto a fresh sparse volume, the holes stay holes.
  CHECK(AllocatedBytes(VolumeFile(r.id)) < 32 * kMiB);
  BS_CHECK_OK(engine->backups().Verify(alice, b.id));
}

TEST_CASE_FIXTURE(BackupFixture, "a backup in a container of its own; a volume created from a backup") {
  Volume v = Available(alice, 1, {.name = "src", .metadata = {{"k", "v"}}});
  WritePattern(VolumeFile(v.id), 4 * kMiB, 5 * kMiB, 7);
  Backup b = Backed(alice, {.volume_id = v.id, .container = "nightly-2026"});
  CHECK(b.container == "nightly-2026");
  const fs::path root = fs::path(dir.path()) / "backups";  // the engine's default posix target
  CHECK(fs::exists(root / "nightly-2026" / b.id / "manifest.json"));
  CHECK_FALSE(fs::exists(root / "backups" / b.id));
  // Bad containers are refused before anything is made.
  for (const char* bad : {"../up", "a/b", ".", "x y", "0123456789012345678901234567890123456789012345678901234567890123456789"}) {
    CAPTURE(bad);
    BS_CHECK_CODE(engine->backups().Create(alice, {.volume_id = v.id, .container = bad}), Code::kInvalidArgument);
  }
  // Create from backup (Cinder's 3.47): the size defaults to the backup's; a name given stays.
  VolumeCreateRequest from;
  from.backup_id = b.id;
  from.name = "copy";
  auto made = engine->volumes().Create(alice, from);
  BS_REQUIRE_OK(made);
  CHECK(made->size_gb == 1);
  auto done = engine->WaitForVolume(alice, made->id, {VS::kAvailable, VS::kError, VS::kErrorRestoring}, kWait);
  BS_REQUIRE_OK(done);
  CHECK(done->status == VS::kAvailable);
  CHECK(done->name == "copy");
  CHECK(done->metadata == Metadata{{"k", "v"}, {"src_backup_id", b.id}});
  RequireSameData(VolumeFile(v.id), VolumeFile(done->id));
  CHECK(engine->WaitForBackup(alice, b.id, {BS::kAvailable}, kWait).ok());
  // Deleting the backup removes its container's objects.
  BS_REQUIRE_OK(engine->backups().Delete(alice, b.id));
  REQUIRE(engine->WaitForBackupDeleted(alice, b.id, kWait).ok());
  CHECK_FALSE(fs::exists(root / "nightly-2026" / b.id));
  // Refused: a backup and a snapshot at once, a smaller size, a backup not available, another
  // project's backup.
  Backup other = Backed(alice, {.volume_id = v.id});
  VolumeCreateRequest both;
  both.backup_id = other.id;
  both.source_volid = v.id;
  BS_CHECK_CODE(engine->volumes().Create(alice, both), Code::kInvalidArgument);
  VolumeCreateRequest gone;
  gone.backup_id = b.id;
  BS_CHECK_CODE(engine->volumes().Create(alice, gone), Code::kNotFound);
  VolumeCreateRequest theirs;
  theirs.backup_id = other.id;
  BS_CHECK_CODE(engine->volumes().Create(bob, theirs), Code::kNotFound);
}

TEST_CASE_FIXTURE(BackupFixture, "a restore onto an existing volume overwrites all of it") {
  Volume v = Available(alice, 1);
  WritePattern(VolumeFile(v.id), 0, 6 * kMiB, 3);
  Backup b = Backed(alice, {.volume_id = v.id});
  Volume target = Available(alice, 2);
  WritePattern(VolumeFile(target.id), 100 * kMiB, 3 * kMiB, 4);  // must become zeros
  Volume r = Restored(alice, b.id, {.volume_id = target.id});
  CHECK(r.id == target.id);
  CHECK(r.size_gb == 2);
  RequireSameData(VolumeFile(v.id), VolumeFile(target.id));
}

TEST_CASE_FIXTURE(BackupFixture, "incremental backups store only what changed and restore whole") {
  Volume v = Available(alice, 1);
  const std::string file = VolumeFile(v.id);
  WritePattern(file, 0, 6 * kMiB, 5);
  WritePattern(file, 512 * kMiB, 8 * kMiB, 6);
  Backup full = Backed(alice, {.volume_id = v.id});
  WritePattern(file, 100 * kMiB, 3 * kMiB, 7);  // a new region
  WritePattern(file, 0, 4096, 8);               // one changed page
  Backup inc = Backed(alice, {.volume_id = v.id, .incremental = true});
  CHECK(inc.is_incremental);
  CHECK(inc.parent_id == full.id);
  CHECK(inc.object_count == 2);  // chunk 0 and the new region's chunk
  Backup inc2 = Backed(alice, {.volume_id = v.id, .incremental = true});
  CHECK(inc2.parent_id == inc.id);
  CHECK(inc2.object_count == 0);
  auto parent = engine->backups().Get(alice, full.id);
  BS_REQUIRE_OK(parent);
  CHECK(parent->has_dependent_backups);

  Volume r = Restored(alice, inc2.id);
  RequireSameData(file, VolumeFile(r.id));

  // A backup others are based on stays until they go.
  BS_CHECK_CODE(engine->backups().Delete(alice, full.id), Code::kFailedPrecondition);
  BS_CHECK_CODE(engine->backups().Delete(alice, inc.id), Code::kFailedPrecondition);
  for (const auto& id : {inc2.id, inc.id, full.id}) {
    BS_REQUIRE_OK(engine->backups().Delete(alice, id));
    BS_REQUIRE_OK(engine->WaitForBackupDeleted(alice, id, kWait));
  }
  CHECK(Objects(dir / "backups").empty());
  CHECK(Directories(dir / "backups").empty());  // no empty directory per deleted backup
  auto quota = engine->quotas().Get(alice, "alice");
  BS_REQUIRE_OK(quota);
  CHECK(quota->resources.at("backups").in_use == 0);
  CHECK(quota->resources.at("backup_gigabytes").in_use == 0);
}

TEST_CASE_FIXTURE(BackupFixture, "backup churn leaves no directories behind") {
  Volume v = Available(alice, 1);
  WritePattern(VolumeFile(v.id), 0, 6 * kMiB, 3);
  Backup keep = Backed(alice, {.volume_id = v.id});
  for (int i = 0; i < 10; ++i) {
    Backup b = Backed(alice, {.volume_id = v.id});
    BS_REQUIRE_OK(engine->backups().Delete(alice, b.id));
    BS_REQUIRE_OK(engine->WaitForBackupDeleted(alice, b.id, kWait));
  }
  // Only the kept backup's directory (and the prefix directory above it) remain.
  auto dirs = Directories(dir / "backups");
  CHECK(dirs.size() == 2);
  CHECK(std::filesystem::exists(dir / ("backups/backups/" + keep.id)));
  BS_CHECK_OK(engine->backups().Verify(alice, keep.id));
}

TEST_CASE_FIXTURE(BackupFixture, "deleting a full backup keeps the objects a later one uses") {
  // Two independent chains: deleting the first full backup must not touch the second chain's
  // objects, and the second chain restores completely afterwards.
  Volume v = Available(alice, 1);
  WritePattern(VolumeFile(v.id), 0, 6 * kMiB, 9);
  Backup a = Backed(alice, {.volume_id = v.id});
  Backup b = Backed(alice, {.volume_id = v.id});
  Backup c = Backed(alice, {.volume_id = v.id, .incremental = true});
  CHECK(c.parent_id == b.id);
  BS_REQUIRE_OK(engine->backups().Delete(alice, a.id));
  BS_REQUIRE_OK(engine->WaitForBackupDeleted(alice, a.id, kWait));
  BS_CHECK_OK(engine->backups().Verify(alice, c.id));
  Volume r = Restored(alice, c.id);
  RequireSameData(VolumeFile(v.id), VolumeFile(r.id));
}

TEST_CASE_FIXTURE(BackupFixture, "a backup of a snapshot reads the snapshot") {
  Volume v = Available(alice, 1);
  WritePattern(VolumeFile(v.id), 0, 6 * kMiB, 10);
  Snapshot s = AvailableSnapshot(alice, v.id);
  WritePattern(VolumeFile(v.id), 0, 6 * kMiB, 11);  // the volume moves on
  Backup b = Backed(alice, {.volume_id = v.id, .snapshot_id = s.id});
  CHECK(b.snapshot_id == s.id);
  CHECK(b.data_timestamp == s.created_at);
  auto snap = engine->snapshots().Get(alice, s.id);
  BS_REQUIRE_OK(snap);
  CHECK(snap->status == SnapshotStatus::kAvailable);
  Volume r = Restored(alice, b.id);
  CHECK(ReadRange(VolumeFile(r.id), 0, 6 * kMiB) ==
        ReadRange(dir / ("volumes/snapshot-" + s.id), 0, 6 * kMiB));
  CHECK(ReadRange(VolumeFile(r.id), 0, 6 * kMiB) !=
        ReadRange(VolumeFile(v.id), 0, 6 * kMiB));
}

TEST_CASE_FIXTURE(BackupFixture, "an in-use volume needs force") {
  Volume v = Available(alice, 1);
  BS_REQUIRE_OK(engine->volumes().ResetStatus(admin, v.id, VS::kInUse));
  const std::string before = State();
  BS_CHECK_CODE(engine->backups().Create(alice, {.volume_id = v.id}), Code::kFailedPrecondition);
  CHECK(State() == before);
  Backup b = Backed(alice, {.volume_id = v.id, .force = true});
  auto after = engine->volumes().Get(alice, v.id);
  BS_REQUIRE_OK(after);
  CHECK(after->status == VS::kInUse);  // back to what it was
}

TEST_CASE_FIXTURE(BackupFixture, "bad backup requests are refused and change nothing") {
  Volume v = Available(alice, 1);
  Volume bobs = Available(bob, 1);
  Backup b = Backed(alice, {.volume_id = v.id});
  const std::string before = State();
  BS_CHECK_CODE(engine->backups().Create(alice, {.volume_id = "nope"}), Code::kNotFound);
  BS_CHECK_CODE(engine->backups().Create(alice, {.volume_id = bobs.id}), Code::kNotFound);
  BS_CHECK_CODE(engine->backups().Create(alice, {.volume_id = v.id, .name = std::string("a\0b", 3)}),
                Code::kInvalidArgument);
  BS_CHECK_CODE(engine->backups().Create(alice, {.volume_id = v.id, .name = std::string(300, 'x')}),
                Code::kInvalidArgument);
  BS_CHECK_CODE(engine->backups().Create(bob, {.volume_id = bobs.id, .incremental = true}),
                Code::kFailedPrecondition);
  BS_CHECK_CODE(engine->backups().Get(bob, b.id), Code::kNotFound);
  BS_CHECK_CODE(engine->backups().Delete(bob, b.id), Code::kNotFound);
  BS_CHECK_CODE(engine->backups().Restore(bob, b.id, {}), Code::kNotFound);
  BS_CHECK_CODE(engine->backups().Restore(alice, b.id, {.volume_id = bobs.id}), Code::kNotFound);
  BS_CHECK_CODE(engine->backups().Delete(alice, b.id, /*force=*/true), Code::kPermissionDenied);
  BS_CHECK_CODE(engine->backups().ResetStatus(alice, b.id, BS::kError), Code::kPermissionDenied);
  BS_CHECK_CODE(engine->backups().ResetStatus(admin, b.id, BS::kRestoring), Code::kInvalidArgument);
  BS_CHECK_CODE(engine->backups().ExportRecord(alice, b.id), Code::kPermissionDenied);
  BS_CHECK_CODE(engine->backups().ImportRecord(admin, {"blockstore.backup", "!!!"}),
                Code::kInvalidArgument);
  BS_CHECK_CODE(engine->backups().ImportRecord(admin, {"cinder.backup.drivers.swift", "e30="}),
                Code::kInvalidArgument);
  BS_CHECK_CODE(engine->backups().ImportRecord(admin, {"blockstore.backup", "e30="}),  // "{}"
                Code::kInvalidArgument);
  BS_CHECK_CODE(engine->backups().List(alice, {.status = "bogus"}), Code::kInvalidArgument);
  BS_CHECK_CODE(engine->backups().List(alice, {.all_projects = true}), Code::kPermissionDenied);
  CHECK(State() == before);
  // A volume smaller than the backup.
  BS_REQUIRE_OK(engine->volumes().Extend(alice, v.id, 2));
  BS_REQUIRE_OK(engine->WaitForVolume(alice, v.id, {VS::kAvailable}, kWait));
  Backup big = Backed(alice, {.volume_id = v.id});
  Volume small = Available(alice, 1);
  const std::string before2 = State();
  BS_CHECK_CODE(engine->backups().Restore(alice, big.id, {.volume_id = small.id}),
                Code::kInvalidArgument);
  CHECK(State() == before2);
}

TEST_CASE_FIXTURE(BackupFixture, "backups count against their quotas") {
  Volume v = Available(alice, 1);
  BS_REQUIRE_OK(engine->quotas().Update(admin, "alice", {{"backups", 1}}));
  Backed(alice, {.volume_id = v.id});
  const std::string before = State();
  BS_CHECK_CODE(engine->backups().Create(alice, {.volume_id = v.id}), Code::kResourceExhausted);
  CHECK(State() == before);
  BS_REQUIRE_OK(engine->quotas().Update(admin, "alice", {{"backups", 5}, {"backup_gigabytes", 1}}));
  BS_CHECK_CODE(engine->backups().Create(alice, {.volume_id = v.id}), Code::kResourceExhausted);
}

TEST_CASE_FIXTURE(BackupFixture, "listing backups filters, sorts and pages") {
  Volume v = Available(alice, 1);
  Volume w = Available(alice, 1);
  Backed(alice, {.volume_id = v.id, .name = "a"});
  Backed(alice, {.volume_id = v.id, .name = "b"});
  Backed(alice, {.volume_id = w.id, .name = "c"});
  auto all = engine->backups().List(alice, {});
  BS_REQUIRE_OK(all);
  CHECK(all->size() == 3);
  auto of_v = engine->backups().List(alice, {.volume_id = v.id});
  BS_REQUIRE_OK(of_v);
  CHECK(of_v->size() == 2);
  auto by_name = engine->backups().List(alice, {.sort = {{"name", false}}, .limit = 2});
  BS_REQUIRE_OK(by_name);
  REQUIRE(by_name->size() == 2);
  CHECK((*by_name)[0].name == "a");
  auto next = engine->backups().List(alice, {.sort = {{"name", false}}, .marker = (*by_name)[1].id});
  BS_REQUIRE_OK(next);
  REQUIRE(next->size() == 1);
  CHECK((*next)[0].name == "c");
  auto none = engine->backups().List(bob, {});
  BS_REQUIRE_OK(none);
  CHECK(none->empty());
}

TEST_CASE("export and import: another engine restores from the same target") {
  TempDir a_dir, b_dir, target_dir;
  auto config = [&](const std::string& state) {
    EngineConfig c = BasicConfig(state);
    c.backup.target = Posix(target_dir.path());
    return c;
  };
  auto a = Engine::Open(config(a_dir.path()));
  BS_REQUIRE_OK(a);
  auto admin = RequestContext::Admin();
  auto v = (*a)->volumes().Create(admin, {.size_gb = 1});
  BS_REQUIRE_OK(v);
  BS_REQUIRE_OK((*a)->WaitForVolume(admin, v->id, {VS::kAvailable}, kWait));
  WritePattern(a_dir / ("volumes/volume-" + v->id), 0, 6 * kMiB, 12);
  auto b = (*a)->backups().Create(admin, {.volume_id = v->id, .name = "carried"});
  BS_REQUIRE_OK(b);
  BS_REQUIRE_OK((*a)->WaitForBackup(admin, b->id, {BS::kAvailable}, kWait));
  auto record = (*a)->backups().ExportRecord(admin, b->id);
  BS_REQUIRE_OK(record);
  CHECK(record->backup_service == "blockstore.backup");

  auto other = Engine::Open(config(b_dir.path()));
  BS_REQUIRE_OK(other);
  Engine& eng = **other;
  auto imported = eng.backups().ImportRecord(admin, *record);
  BS_REQUIRE_OK(imported);
  CHECK(imported->id == b->id);
  CHECK(imported->volume_id == std::string(kImportedBackupVolumeId));
  auto ready = (*other)->WaitForBackup(admin, b->id, {BS::kAvailable, BS::kError}, kWait);
  BS_REQUIRE_OK(ready);
  REQUIRE_MESSAGE(ready->status == BS::kAvailable, ready->fail_reason);
  CHECK(ready->name == "carried");
  BS_CHECK_CODE(eng.backups().ImportRecord(admin, *record), Code::kFailedPrecondition);
  auto res = eng.backups().Restore(admin, b->id, {});
  BS_REQUIRE_OK(res);
  BS_REQUIRE_OK((*other)->WaitForBackup(admin, b->id, {BS::kAvailable}, kWait));
  auto restored = (*other)->WaitForVolume(admin, res->volume_id, {VS::kAvailable}, kWait);
  BS_REQUIRE_OK(restored);
  CHECK(ReadRange(b_dir / ("volumes/volume-" + res->volume_id), 0, 6 * kMiB) ==
        ReadRange(a_dir / ("volumes/volume-" + v->id), 0, 6 * kMiB));

  // A record whose objects are not on the target ends in error, quota returned.
  auto gone = (*a)->backups().Create(admin, {.volume_id = v->id});
  BS_REQUIRE_OK(gone);
  BS_REQUIRE_OK((*a)->WaitForBackup(admin, gone->id, {BS::kAvailable}, kWait));
  auto gone_record = (*a)->backups().ExportRecord(admin, gone->id);
  BS_REQUIRE_OK(gone_record);
  BS_REQUIRE_OK((*a)->backups().Delete(admin, gone->id));
  BS_REQUIRE_OK((*a)->WaitForBackupDeleted(admin, gone->id, kWait));
  BS_REQUIRE_OK(eng.backups().ImportRecord(admin, *gone_record));
  auto failed = (*other)->WaitForBackup(admin, gone->id, {BS::kError}, kWait);
  BS_REQUIRE_OK(failed);
  CHECK(failed->fail_reason.find("manifest") != std::string::npos);
}

TEST_CASE("a damaged object fails verify and restore, naming the chunk") {
  TempDir target_dir;
  EngineFixture f([&](EngineConfig& c) { c.backup.target = Posix(target_dir.path()); });
  auto& alice = f.alice;
  const Volume v = NewVolume(*f.engine, alice);
  WritePattern(f.dir / ("volumes/volume-" + v.id), 0, 10 * kMiB, 13);
  auto b = f.engine->backups().Create(alice, {.volume_id = v.id});
  BS_REQUIRE_OK(b);
  BS_REQUIRE_OK(f.engine->WaitForBackup(alice, b->id, {BS::kAvailable}, kWait));
  BS_CHECK_OK(f.engine->backups().Verify(alice, b->id));
  const std::string chunk = target_dir / ("backups/" + b->id + "/chunk-00000001");
  REQUIRE(std::filesystem::exists(chunk));
  {
    std::fstream f(chunk, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(100);
    f.put('\x5a').put('\xa5');
  }
  Status verify = f.engine->backups().Verify(alice, b->id);
  CHECK(verify.code() == Code::kDataLoss);
  CHECK_MESSAGE(verify.message().find("chunk 1 at offset 4194304") != std::string::npos,
                verify.message());

  auto target = f.engine->volumes().Create(alice, {.size_gb = 1});
  BS_REQUIRE_OK(target);
  BS_REQUIRE_OK(f.engine->WaitForVolume(alice, target->id, {VS::kAvailable}, kWait));
  BS_REQUIRE_OK(f.engine->backups().Restore(alice, b->id, {.volume_id = target->id}));
  auto failed = f.engine->WaitForVolume(alice, target->id, {VS::kErrorRestoring}, kWait);
  BS_REQUIRE_OK(failed);
  auto after = f.engine->WaitForBackup(alice, b->id, {BS::kAvailable}, kWait);
  BS_REQUIRE_OK(after);
  CHECK_MESSAGE(after->fail_reason.find("chunk 1 at offset 4194304") != std::string::npos,
                after->fail_reason);

  // A missing object is named too.
  std::filesystem::remove(chunk);
  verify = f.engine->backups().Verify(alice, b->id);
  CHECK(verify.code() == Code::kDataLoss);
  CHECK_MESSAGE(verify.message().find("missing") != std::string::npos, verify.message());
}

TEST_CASE("a target that keeps failing ends the backup in error and leaves nothing behind") {
  TempDir target_dir;
  auto failing = std::make_shared<FailingTarget>(Posix(target_dir.path()), 2);
  EngineFixture f([&](EngineConfig& c) {
    c.backup.target = failing;
    c.backup.retries = 2;
  });
  auto& alice = f.alice;
  const Volume v = NewVolume(*f.engine, alice);
  WritePattern(f.dir / ("volumes/volume-" + v.id), 0, 20 * kMiB, 14);
  auto b = f.engine->backups().Create(alice, {.volume_id = v.id});
  BS_REQUIRE_OK(b);
  auto failed = f.engine->WaitForBackup(alice, b->id, {BS::kError, BS::kAvailable}, kWait);
  BS_REQUIRE_OK(failed);
  CHECK(failed->status == BS::kError);
  CHECK_MESSAGE(failed->fail_reason.find("connection reset") != std::string::npos,
                failed->fail_reason);
  CHECK(failing->puts_.load() > 2);  // retried before giving up
  auto vol = f.engine->volumes().Get(alice, v.id);
  BS_REQUIRE_OK(vol);
  CHECK(vol->status == VS::kAvailable);
  CHECK(Objects(target_dir.path()).empty());
  auto quota = f.engine->quotas().Get(alice, "alice");
  BS_REQUIRE_OK(quota);
  CHECK(quota->resources.at("backups").in_use == 0);
  CHECK(quota->resources.at("backups").reserved == 0);
  // A failed backup is not something to verify or restore, and it may be deleted.
  BS_CHECK_CODE(f.engine->backups().Verify(alice, b->id), Code::kFailedPrecondition);
  BS_CHECK_CODE(f.engine->backups().Restore(alice, b->id, {}), Code::kFailedPrecondition);
  BS_REQUIRE_OK(f.engine->backups().Delete(alice, b->id));
  BS_REQUIRE_OK(f.engine->WaitForBackupDeleted(alice, b->id, kWait));
}

TEST_CASE("a force delete cancels a backup being created") {
  TempDir target_dir;
  auto gated = std::make_shared<GatedTarget>(Posix(target_dir.path()));
  EngineFixture f([&](EngineConfig& c) {
    c.backup.target = gated;
    c.backup.progress_interval = std::chrono::milliseconds(0);
  });
  auto& admin = f.admin;
  const Volume v = NewVolume(*f.engine, admin);
  WritePattern(f.dir / ("volumes/volume-" + v.id), 0, 40 * kMiB, 15);
  auto b = f.engine->backups().Create(admin, {.volume_id = v.id});
  BS_REQUIRE_OK(b);
  while (gated->waiting_ == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  BS_CHECK_CODE(f.engine->backups().Delete(admin, b->id), Code::kFailedPrecondition);
  BS_REQUIRE_OK(f.engine->backups().Delete(admin, b->id, /*force=*/true));
  gated->open_ = true;
  BS_REQUIRE_OK(f.engine->WaitForBackupDeleted(admin, b->id, kWait));
  auto vol = f.engine->WaitForVolume(admin, v.id, {VS::kAvailable}, kWait);
  BS_REQUIRE_OK(vol);
  CHECK(Objects(target_dir.path()).empty());
}

TEST_CASE("progress reaches the host's callback with rate and ETA") {
  std::mutex mu;
  std::vector<BackupProgress> seen;
  EngineFixture f([&](EngineConfig& c) {
    c.backup.progress = [&](const BackupProgress& p) {
      std::lock_guard lock(mu);
      seen.push_back(p);
    };
  });
  auto& alice = f.alice;
  const Volume v = NewVolume(*f.engine, alice);
  WritePattern(f.dir / ("volumes/volume-" + v.id), 0, 8 * kMiB, 16);
  auto b = f.engine->backups().Create(alice, {.volume_id = v.id});
  BS_REQUIRE_OK(b);
  BS_REQUIRE_OK(f.engine->WaitForBackup(alice, b->id, {BS::kAvailable}, kWait));
  std::lock_guard lock(mu);
  REQUIRE(seen.size() == 256);  // one per 4 MiB chunk of 1 GiB
  uint64_t last = 0;
  for (const auto& p : seen) {
    CHECK(p.backup_id == b->id);
    CHECK(p.operation == "backup");
    CHECK(p.bytes_total == kGiB);
    CHECK(p.bytes_done > last);
    last = p.bytes_done;
  }
  CHECK(seen.back().bytes_done == kGiB);
  CHECK(seen.back().bytes_stored >= 8 * kMiB);  // random data does not compress
  CHECK(seen.back().rate_bytes_per_s > 0);
  CHECK(seen.back().eta_seconds == 0);
}

TEST_CASE("encrypted backups: nothing readable on the target, restore with the key only") {
  TempDir state, other_state, target_dir;
  const std::string key(32, '\x42');
  auto keys = [&](const std::string& id) -> Result<std::string> {
    if (id == "k1") return key;
    return NotFound("no key " + id);
  };
  EngineConfig c = BasicConfig(state.path());
  c.backup.target = Posix(target_dir.path());
  c.backup.encryption_key_id = "k1";
  c.backup.key_provider = keys;
  auto e = Engine::Open(c);
  BS_REQUIRE_OK(e);
  auto admin = RequestContext::Admin();
  const Volume v = NewVolume(**e, admin);
  const std::string file = state / ("volumes/volume-" + v.id);
  // Compressible, recognisable data: a plaintext copy would show it.
  {
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    for (int i = 0; i < 100000; ++i) f << "SECRET-PATIENT-RECORD-" << i << "\n";
  }
  auto b = (*e)->backups().Create(admin, {.volume_id = v.id});
  BS_REQUIRE_OK(b);
  auto done = (*e)->WaitForBackup(admin, b->id, {BS::kAvailable, BS::kError}, kWait);
  BS_REQUIRE_OK(done);
  REQUIRE_MESSAGE(done->status == BS::kAvailable, done->fail_reason);
  CHECK(done->encrypted);
  for (const auto& path : Objects(target_dir.path())) {
    std::ifstream in(path, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK_MESSAGE(bytes.find("SECRET-PATIENT") == std::string::npos, path);
    CHECK_MESSAGE(bytes.find("\"chunks\"") == std::string::npos, path);  // the manifest is sealed
  }
  BS_CHECK_OK((*e)->backups().Verify(admin, b->id));
  auto r = (*e)->backups().Restore(admin, b->id, {});
  BS_REQUIRE_OK(r);
  BS_REQUIRE_OK((*e)->WaitForBackup(admin, b->id, {BS::kAvailable}, kWait));
  auto restored = (*e)->WaitForVolume(admin, r->volume_id, {VS::kAvailable, VS::kErrorRestoring}, kWait);
  BS_REQUIRE_OK(restored);
  CHECK(restored->status == VS::kAvailable);
  CHECK(ReadRange(state / ("volumes/volume-" + r->volume_id), 0, 2 * kMiB) == ReadRange(file, 0, 2 * kMiB));

  // A changed byte in an object fails authentication, named.
  const std::string chunk = target_dir / ("backups/" + b->id + "/chunk-00000000");
  {
    std::fstream f(chunk, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(40);
    const char was = static_cast<char>(f.get());
    f.seekp(40);
    f.put(static_cast<char>(was ^ 1));
  }
  Status verify = (*e)->backups().Verify(admin, b->id);
  CHECK(verify.code() == Code::kDataLoss);
  CHECK_MESSAGE(verify.message().find("chunk 0 at offset 0") != std::string::npos, verify.message());

  // Another engine without the key cannot adopt the backup; with it, it can.
  auto record = (*e)->backups().ExportRecord(admin, b->id);
  BS_REQUIRE_OK(record);
  EngineConfig keyless = BasicConfig(other_state.path());
  keyless.backup.target = Posix(target_dir.path());
  auto other = Engine::Open(keyless);
  BS_REQUIRE_OK(other);
  BS_REQUIRE_OK((*other)->backups().ImportRecord(admin, *record));
  auto refused = (*other)->WaitForBackup(admin, b->id, {BS::kError, BS::kAvailable}, kWait);
  BS_REQUIRE_OK(refused);
  CHECK(refused->status == BS::kError);
  CHECK_MESSAGE(refused->fail_reason.find("key") != std::string::npos, refused->fail_reason);
  (*other)->Close();

  // A key id the provider does not know is refused when the engine opens.
  EngineConfig unknown = BasicConfig(other_state.path() + "-2");
  unknown.backup.encryption_key_id = "k9";
  unknown.backup.key_provider = keys;
  BS_CHECK_CODE(Engine::Open(unknown), Code::kNotFound);
  EngineConfig no_provider = BasicConfig(other_state.path() + "-3");
  no_provider.backup.encryption_key_id = "k1";
  BS_CHECK_CODE(Engine::Open(no_provider), Code::kInvalidArgument);
}

TEST_CASE("a restart settles backups and restores that were running") {
  TempDir state;
  std::string volume_id, restore_vol, backup_id, restoring_id, other_vol;
  auto admin = RequestContext::Admin();
  {
    auto e = Engine::Open(BasicConfig(state.path()));
    BS_REQUIRE_OK(e);
    const Volume v = NewVolume(**e, admin);
    volume_id = v.id;
    auto r = (*e)->volumes().Create(admin, {.size_gb = 1});
    BS_REQUIRE_OK(r);
    BS_REQUIRE_OK((*e)->WaitForVolume(admin, r->id, {VS::kAvailable}, kWait));
    restore_vol = r->id;
    other_vol = NewVolume(**e, admin).id;
    auto b = (*e)->backups().Create(admin, {.volume_id = v.id});
    BS_REQUIRE_OK(b);
    BS_REQUIRE_OK((*e)->WaitForBackup(admin, b->id, {BS::kAvailable}, kWait));
    restoring_id = b->id;
  }
  {
    // What a crash mid-job leaves in the store: a backup creating with its volume backing-up,
    // and a restore in progress.
    auto store = OpenStoreOf(state.path());
    BS_REQUIRE_OK(store);
    Backup b;
    b.id = "0b9a7d0e-6a43-4e58-9d3c-2f1f1b7a9c11";
    b.project_id = "admin";
    b.user_id = "admin";
    b.volume_id = volume_id;
    b.size_gb = 1;
    b.host = "testhost";
    BS_REQUIRE_OK((*store)->backups().Create(b, {VS::kAvailable}, {{"backups", 1}}));
    backup_id = b.id;
    BS_REQUIRE_OK((*store)->backups().BeginRestore(restoring_id, restore_vol, false));
    // A backup another backup service is running: its temporaries are that job's own.
    Backup elsewhere = b;
    elsewhere.id = "5c1e3a2b-0d4f-4b6a-8e7c-9a1b2c3d4e5f";
    elsewhere.volume_id = other_vol;
    elsewhere.host = "otherhost";
    BS_REQUIRE_OK((*store)->backups().Create(elsewhere, {VS::kAvailable}, {{"backups", 1}}));
  }
  // What the crash left on the target: the stranded backup's finished chunk and a chunk half
  // written; a half-written chunk of a backup whose record is gone; an empty directory; and a
  // chunk being written by the other host's running job.
  const std::string objects = state / "backups/backups";
  auto leave = [&](const std::string& rel) {
    std::filesystem::create_directories(std::filesystem::path(objects + "/" + rel).parent_path());
    std::ofstream(objects + "/" + rel) << "partial";
  };
  leave(backup_id + "/chunk-00000000");
  leave(backup_id + "/chunk-00000001.tmp-4242-7");
  leave("9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a/chunk-00000003.tmp-4242-9");
  std::filesystem::create_directories(objects + "/1a2b3c4d-0000-4000-8000-000000000000");
  leave("5c1e3a2b-0d4f-4b6a-8e7c-9a1b2c3d4e5f/chunk-00000002.tmp-77-1");
  auto e = Engine::Open(BasicConfig(state.path()));
  BS_REQUIRE_OK(e);
  CHECK((*e)->recovery().backup.backups_failed == 1);
  CHECK((*e)->recovery().backup.restores_stopped == 1);
  // The stranded backup's objects went when it was failed; the sweep took the gone backup's
  // temporary and its directory, and the empty directory. The other host's job keeps its own.
  CHECK((*e)->recovery().backup.leftovers_removed == 3);
  std::vector<std::string> left;  // besides the finished backup's own objects
  for (const auto& o : Objects(objects)) {
    if (o.find("/" + restoring_id + "/") == std::string::npos) left.push_back(o);
  }
  CHECK(left == std::vector<std::string>{
                    objects + "/5c1e3a2b-0d4f-4b6a-8e7c-9a1b2c3d4e5f/chunk-00000002.tmp-77-1"});
  CHECK(Directories(objects).size() == 2);  // the finished backup's and the other host's
  auto failed = (*e)->backups().Get(admin, backup_id);
  BS_REQUIRE_OK(failed);
  CHECK(failed->status == BS::kError);
  auto v = (*e)->volumes().Get(admin, volume_id);
  BS_REQUIRE_OK(v);
  CHECK(v->status == VS::kAvailable);
  auto restored = (*e)->backups().Get(admin, restoring_id);
  BS_REQUIRE_OK(restored);
  CHECK(restored->status == BS::kAvailable);
  auto rv = (*e)->volumes().Get(admin, restore_vol);
  BS_REQUIRE_OK(rv);
  CHECK(rv->status == VS::kErrorRestoring);
  auto quota = (*e)->quotas().Get(admin, "admin");
  BS_REQUIRE_OK(quota);
  CHECK(quota->resources.at("backups").in_use == 1);
  CHECK(quota->resources.at("backups").reserved == 1);  // the other host's job, still running
}

TEST_CASE("backup settings out of range are refused when the engine opens") {
  TempDir state, target_dir;
  for (auto bad : std::vector<std::function<void(BackupConfig&)>>{
           [](BackupConfig& b) { b.read_streams = 0; },
           [](BackupConfig& b) { b.read_streams = 65; },
           [](BackupConfig& b) { b.workers = 0; },
           [](BackupConfig& b) { b.chunk_size = 1000; }}) {
    EngineConfig c = BasicConfig(state.path());
    c.backup.target = Posix(target_dir.path());
    bad(c.backup);
    BS_CHECK_CODE(Engine::Open(c), Code::kInvalidArgument);
  }
  EngineConfig c = BasicConfig(state.path());
  c.backup.target = Posix(target_dir.path());
  c.backup.read_streams = 1;
  auto e = Engine::Open(c);
  BS_REQUIRE_OK(e);
  auto alice = RequestContext::User("alice");
  const Volume v = NewVolume(**e, alice);
  WritePattern(state / ("volumes/volume-" + v.id), 0, 9 * kMiB, 21);
  auto b = (*e)->backups().Create(alice, {.volume_id = v.id});
  BS_REQUIRE_OK(b);
  auto done = (*e)->WaitForBackup(alice, b->id, {BS::kAvailable, BS::kError}, kWait);
  BS_REQUIRE_OK(done);
  CHECK(done->status == BS::kAvailable);
  CHECK(done->object_count == 3);
}

}  // namespace
}  // namespace blockstore::testing

TEST_SUITE_END();
