#include "blockstore/types.hpp"

#include <array>
#include <cstdio>
#include <ctime>
#include <utility>

namespace blockstore {
namespace {

template <typename E, std::size_t N>
using Table = std::array<std::pair<E, std::string_view>, N>;

constexpr Table<VolumeStatus, 26> kVolume{{
    {VolumeStatus::kCreating, "creating"},
    {VolumeStatus::kAvailable, "available"},
    {VolumeStatus::kReserved, "reserved"},
    {VolumeStatus::kAttaching, "attaching"},
    {VolumeStatus::kInUse, "in-use"},
    {VolumeStatus::kDetaching, "detaching"},
    {VolumeStatus::kMaintenance, "maintenance"},
    {VolumeStatus::kDeleting, "deleting"},
    {VolumeStatus::kAwaitingTransfer, "awaiting-transfer"},
    {VolumeStatus::kError, "error"},
    {VolumeStatus::kErrorDeleting, "error_deleting"},
    {VolumeStatus::kManaging, "managing"},
    {VolumeStatus::kErrorManaging, "error_managing"},
    {VolumeStatus::kBackingUp, "backing-up"},
    {VolumeStatus::kRestoringBackup, "restoring-backup"},
    {VolumeStatus::kErrorRestoring, "error_restoring"},
    {VolumeStatus::kErrorBackingUp, "error_backing-up"},
    {VolumeStatus::kErrorExtending, "error_extending"},
    {VolumeStatus::kDownloading, "downloading"},
    {VolumeStatus::kUploading, "uploading"},
    {VolumeStatus::kRetyping, "retyping"},
    {VolumeStatus::kExtending, "extending"},
    {VolumeStatus::kReverting, "reverting"},
    {VolumeStatus::kUnmanaging, "unmanaging"},
    {VolumeStatus::kErrorUnmanaging, "error_unmanaging"},
    {VolumeStatus::kErrorManagingDeleting, "error_managing_deleting"},
}};

constexpr Table<AttachStatus, 7> kAttach{{
    {AttachStatus::kReserved, "reserved"},
    {AttachStatus::kAttaching, "attaching"},
    {AttachStatus::kAttached, "attached"},
    {AttachStatus::kDetached, "detached"},
    {AttachStatus::kErrorAttaching, "error_attaching"},
    {AttachStatus::kErrorDetaching, "error_detaching"},
    {AttachStatus::kDeleted, "deleted"},
}};

constexpr Table<SnapshotStatus, 10> kSnapshot{{
    {SnapshotStatus::kCreating, "creating"},
    {SnapshotStatus::kAvailable, "available"},
    {SnapshotStatus::kDeleting, "deleting"},
    {SnapshotStatus::kDeleted, "deleted"},
    {SnapshotStatus::kUpdating, "updating"},
    {SnapshotStatus::kError, "error"},
    {SnapshotStatus::kErrorDeleting, "error_deleting"},
    {SnapshotStatus::kUnmanaging, "unmanaging"},
    {SnapshotStatus::kBackingUp, "backing-up"},
    {SnapshotStatus::kRestoring, "restoring"},
}};

constexpr Table<BackupStatus, 7> kBackup{{
    {BackupStatus::kCreating, "creating"},
    {BackupStatus::kAvailable, "available"},
    {BackupStatus::kDeleting, "deleting"},
    {BackupStatus::kDeleted, "deleted"},
    {BackupStatus::kRestoring, "restoring"},
    {BackupStatus::kError, "error"},
    {BackupStatus::kErrorDeleting, "error_deleting"},
}};

template <typename E, std::size_t N>
std::string_view Name(const Table<E, N>& table, E value) {
  for (const auto& [e, name] : table) {
    if (e == value) return name;
  }
  return "unknown";
}

template <typename E, std::size_t N>
std::optional<E> Parse(const Table<E, N>& table, std::string_view s) {
  for (const auto& [e, name] : table) {
    if (name == s) return e;
  }
  return std::nullopt;
}

template <typename E, std::size_t N>
std::vector<E> All(const Table<E, N>& table) {
  std::vector<E> out;
  for (const auto& entry : table) out.push_back(entry.first);
  return out;
}

}  // namespace

std::string_view ToString(VolumeStatus s) { return Name(kVolume, s); }
std::string_view ToString(AttachStatus s) { return Name(kAttach, s); }
std::string_view ToString(SnapshotStatus s) { return Name(kSnapshot, s); }
std::string_view ToString(BackupStatus s) { return Name(kBackup, s); }
std::optional<VolumeStatus> ParseVolumeStatus(std::string_view s) { return Parse(kVolume, s); }
std::optional<AttachStatus> ParseAttachStatus(std::string_view s) { return Parse(kAttach, s); }
std::optional<SnapshotStatus> ParseSnapshotStatus(std::string_view s) {
  return Parse(kSnapshot, s);
}
std::optional<BackupStatus> ParseBackupStatus(std::string_view s) { return Parse(kBackup, s); }

const std::vector<VolumeStatus>& AllVolumeStatuses() {
  static const auto all = All(kVolume);
  return all;
}
const std::vector<AttachStatus>& AllAttachStatuses() {
  static const auto all = All(kAttach);
  return all;
}
const std::vector<SnapshotStatus>& AllSnapshotStatuses() {
  static const auto all = All(kSnapshot);
  return all;
}
const std::vector<BackupStatus>& AllBackupStatuses() {
  static const auto all = All(kBackup);
  return all;
}

std::string FormatTime(TimePoint t) {
  const auto micros = t.time_since_epoch().count();
  auto secs = static_cast<std::time_t>(micros / 1000000);
  auto frac = micros % 1000000;
  if (frac < 0) {
    frac += 1000000;
    --secs;
  }
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06lld", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long long>(frac));
  return buf;
}

std::optional<TimePoint> ParseTime(std::string_view s) {
  if (!s.empty() && s.back() == 'Z') s.remove_suffix(1);
  if (s.size() < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') ||
      s[13] != ':' || s[16] != ':') {
    return std::nullopt;
  }
  auto digits = [&](std::size_t pos, std::size_t n, int& out) {
    out = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      out = out * 10 + (s[i] - '0');
    }
    return true;
  };
  std::tm tm{};
  int year = 0, mon = 0;
  if (!digits(0, 4, year) || !digits(5, 2, mon) || !digits(8, 2, tm.tm_mday) ||
      !digits(11, 2, tm.tm_hour) || !digits(14, 2, tm.tm_min) || !digits(17, 2, tm.tm_sec)) {
    return std::nullopt;
  }
  if (mon < 1 || mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
      tm.tm_min > 59 || tm.tm_sec > 60) {
    return std::nullopt;
  }
  tm.tm_year = year - 1900;
  tm.tm_mon = mon - 1;
  long long frac = 0;
  if (s.size() > 19) {
    if (s[19] != '.' || s.size() == 20 || s.size() > 26) return std::nullopt;
    int scale = 1000000;
    for (std::size_t i = 20; i < s.size(); ++i) {
      if (s[i] < '0' || s[i] > '9') return std::nullopt;
      scale /= 10;
      frac += (s[i] - '0') * scale;
    }
  }
  const std::time_t secs = timegm(&tm);
  return TimePoint(std::chrono::microseconds(static_cast<long long>(secs) * 1000000 + frac));
}

}  // namespace blockstore
