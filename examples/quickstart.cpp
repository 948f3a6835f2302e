// blockstore in C++: open an engine on a directory, create a volume, snapshot it, clone it.
//
//   quickstart [STATE_DIR]      (default: a new directory under /tmp)
#include <blockstore/engine.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>

using namespace blockstore;

namespace {

void Print(const char* what, const Volume& v) {
  std::printf("%-9s %s  %-9s %3llu GB  %-14s host=%s\n", what, v.id.c_str(),
              std::string(ToString(v.status)).c_str(), static_cast<unsigned long long>(v.size_gb),
              v.name.c_str(), v.host.c_str());
}

void Print(const char* what, const Backup& b) {
  std::printf("%-9s %s  %-9s %3llu GB  %-14s of %s\n", what, b.id.c_str(),
              std::string(ToString(b.status)).c_str(), static_cast<unsigned long long>(b.size_gb),
              b.name.c_str(), b.volume_id.c_str());
}

void Print(const char* what, const Snapshot& s) {
  std::printf("%-9s %s  %-9s %3llu GB  %-14s of %s\n", what, s.id.c_str(),
              std::string(ToString(s.status)).c_str(), static_cast<unsigned long long>(s.size_gb),
              s.name.c_str(), s.volume_id.c_str());
}

int Die(const Status& s) {
  std::fprintf(stderr, "quickstart: %s\n", s.ToString().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir;
  if (argc > 1) {
    dir = argv[1];
  } else {
    char tmpl[] = "/tmp/blockstore-quickstart-XXXXXX";
    if (!mkdtemp(tmpl)) return 1;
    dir = tmpl;
  }
  EngineConfig config;
  config.state_path = dir;
  auto engine = Engine::Open(config);
  if (!engine.ok()) return Die(engine.status());
  Engine& eng = **engine;
  const auto me = RequestContext::User("demo");
  const auto wait = std::chrono::seconds(30);

  VolumeCreateRequest create;
  create.size_gb = 1;
  create.name = "data";
  auto vol = eng.volumes().Create(me, create);  // returns at once, in "creating"
  if (!vol.ok()) return Die(vol.status());
  auto ready = (*engine)->WaitForVolume(me, vol->id, {VolumeStatus::kAvailable, VolumeStatus::kError}, wait);
  if (!ready.ok()) return Die(ready.status());
  Print("volume", *ready);

  auto snap = eng.snapshots().Create(me, {ready->id, "data-snap", "", false, {}});
  if (!snap.ok()) return Die(snap.status());
  auto snap_ready = (*engine)->WaitForSnapshot(me, snap->id, {SnapshotStatus::kAvailable, SnapshotStatus::kError}, wait);
  if (!snap_ready.ok()) return Die(snap_ready.status());
  Print("snapshot", *snap_ready);

  VolumeCreateRequest clone;
  clone.source_volid = ready->id;
  clone.name = "data-clone";
  auto copy = eng.volumes().Create(me, clone);
  if (!copy.ok()) return Die(copy.status());
  auto copy_ready = (*engine)->WaitForVolume(me, copy->id, {VolumeStatus::kAvailable, VolumeStatus::kError}, wait);
  if (!copy_ready.ok()) return Die(copy_ready.status());
  Print("clone", *copy_ready);

  // A backup of the volume, and its restore to a new volume.
  BackupCreateRequest backup;
  backup.volume_id = ready->id;
  backup.name = "data-backup";
  auto b = eng.backups().Create(me, backup);
  if (!b.ok()) return Die(b.status());
  auto b_ready = (*engine)->WaitForBackup(me, b->id, {BackupStatus::kAvailable, BackupStatus::kError}, wait);
  if (!b_ready.ok()) return Die(b_ready.status());
  Print("backup", *b_ready);
  auto restore = eng.backups().Restore(me, b->id, {});
  if (!restore.ok()) return Die(restore.status());
  if (auto back = (*engine)->WaitForBackup(me, b->id, {BackupStatus::kAvailable}, wait); !back.ok()) {
    return Die(back.status());
  }
  auto restored = (*engine)->WaitForVolume(me, restore->volume_id, {VolumeStatus::kAvailable, VolumeStatus::kErrorRestoring}, wait);
  if (!restored.ok()) return Die(restored.status());
  Print("restored", *restored);

  std::printf("state in %s\n", dir.c_str());
  return ready->status == VolumeStatus::kAvailable && copy_ready->status == VolumeStatus::kAvailable &&
                 restored->status == VolumeStatus::kAvailable
             ? 0
             : 1;
}
