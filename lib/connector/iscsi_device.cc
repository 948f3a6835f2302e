#include "lib/connector/iscsi_device.hpp"

#include <poll.h>

#include <algorithm>
#include <cstring>
#include <vector>

extern "C" {
#include <iscsi/iscsi.h>
#include <iscsi/scsi-lowlevel.h>
}

namespace blockstore::internal {
namespace {

// One command's share of a call: at most this much, and this many commands in flight.
constexpr uint32_t kMaxTransfer = 1u << 20;
constexpr int kQueueDepth = 8;

struct Pending {
  bool done = false;
  int status = SCSI_STATUS_GOOD;
  std::string error;
  scsi_iovec iov{};
};

void OnComplete(iscsi_context* iscsi, int status, void* command_data, void* private_data) {
  auto* p = static_cast<Pending*>(private_data);
  auto* task = static_cast<scsi_task*>(command_data);
  p->done = true;
  p->status = status;
  if (status == SCSI_STATUS_CHECK_CONDITION && task) {
    p->error = std::string("SCSI check condition: ") + scsi_sense_key_str(task->sense.key);
  } else if (status != SCSI_STATUS_GOOD) {
    const char* e = iscsi_get_error(iscsi);
    p->error = e && *e ? e : "the command failed (status " + std::to_string(status) + ")";
  }
  if (task) scsi_free_scsi_task(task);
}

class IscsiDevice final : public BlockDevice {
 public:
  IscsiDevice(iscsi_context* iscsi, IscsiTarget t, uint64_t blocks, uint32_t block_size)
      : iscsi_(iscsi), t_(std::move(t)), block_size_(block_size), size_(blocks * block_size) {}

  ~IscsiDevice() override {
    if (healthy_) iscsi_logout_sync(iscsi_);
    iscsi_destroy_context(iscsi_);
  }

  Result<std::size_t> ReadAt(uint64_t offset, std::span<std::byte> out) override {
    if (offset >= size_) return std::size_t{0};
    const std::size_t want = static_cast<std::size_t>(std::min<uint64_t>(out.size(), size_ - offset));
    if (Aligned(offset, want)) {
      if (Status s = Transfer(false, offset, out.data(), want); !s.ok()) return s;
      return want;
    }
    // Whole blocks around the range, then the part asked for.
    const uint64_t start = offset / block_size_ * block_size_;
    const uint64_t end = RoundUp(offset + want);
    std::vector<std::byte> bounce(static_cast<std::size_t>(end - start));
    if (Status s = Transfer(false, start, bounce.data(), bounce.size()); !s.ok()) return s;
    std::memcpy(out.data(), bounce.data() + (offset - start), want);
    return want;
  }

  Status WriteAt(uint64_t offset, std::span<const std::byte> data) override {
    if (t_.read_only) return PermissionDenied("the volume is attached read-only");
    if (offset > size_ || data.size() > size_ - offset) {
      return InvalidArgument("write of " + std::to_string(data.size()) + " bytes at " +
                             std::to_string(offset) + " runs past the end of the " +
                             std::to_string(size_) + "-byte volume");
    }
    if (data.empty()) return Status::Ok();
    auto* p = const_cast<std::byte*>(data.data());
    if (Aligned(offset, data.size())) return Transfer(true, offset, p, data.size());
    // Read-modify-write of the blocks the range touches.
    const uint64_t start = offset / block_size_ * block_size_;
    const uint64_t end = RoundUp(offset + data.size());
    std::vector<std::byte> bounce(static_cast<std::size_t>(end - start));
    if (Status s = Transfer(false, start, bounce.data(), bounce.size()); !s.ok()) return s;
    std::memcpy(bounce.data() + (offset - start), data.data(), data.size());
    return Transfer(true, start, bounce.data(), bounce.size());
  }

  uint64_t SizeBytes() const override { return size_; }

  Status Flush() override {
    if (t_.read_only) return Status::Ok();
    Pending p;
    if (!iscsi_synchronizecache16_task(iscsi_, t_.lun, 0, 0, 0, 0, OnComplete, &p)) {
      return Fail("queueing SYNCHRONIZE CACHE");
    }
    std::vector<Pending*> waiting{&p};
    return Wait(waiting);
  }

  Result<std::vector<Extent>> AllocatedRanges() override {
    return std::vector<Extent>{{0, size_}};
  }

 private:
  bool Aligned(uint64_t offset, std::size_t n) const {
    return offset % block_size_ == 0 && n % block_size_ == 0;
  }
  uint64_t RoundUp(uint64_t x) const { return (x + block_size_ - 1) / block_size_ * block_size_; }

  Status Fail(const std::string& what) {
    const char* e = iscsi_get_error(iscsi_);
    return Unavailable("iSCSI " + t_.iqn + ": " + what + (e && *e ? std::string(": ") + e : ""));
  }

  // Moves [offset, offset+n) (block-aligned) with up to kQueueDepth commands in flight.
  Status Transfer(bool write, uint64_t offset, std::byte* buf, std::size_t n) {
    if (!healthy_) return Unavailable("iSCSI " + t_.iqn + ": the session was lost");
    std::vector<Pending> slots(kQueueDepth);
    std::vector<Pending*> in_flight;
    std::size_t next = 0;
    std::size_t free_slot = 0;
    auto issue = [&](Pending& p) -> Status {
      const uint32_t len = static_cast<uint32_t>(std::min<std::size_t>(kMaxTransfer, n - next));
      p = Pending{};
      p.iov.iov_base = buf + next;
      p.iov.iov_len = len;
      const uint64_t lba = (offset + next) / block_size_;
      scsi_task* task =
          write ? iscsi_write16_iov_task(iscsi_, t_.lun, lba, nullptr, len,
                                         static_cast<int>(block_size_), 0, 0, 0, 0, 0,
                                         OnComplete, &p, &p.iov, 1)
                : iscsi_read16_iov_task(iscsi_, t_.lun, lba, len, static_cast<int>(block_size_),
                                        0, 0, 0, 0, 0, OnComplete, &p, &p.iov, 1);
      if (!task) return Fail(write ? "queueing a WRITE" : "queueing a READ");
      next += len;
      return Status::Ok();
    };
    while (next < n && free_slot < slots.size()) {
      if (Status s = issue(slots[free_slot]); !s.ok()) return Drain(in_flight, s);
      in_flight.push_back(&slots[free_slot++]);
    }
    while (!in_flight.empty()) {
      if (Status s = Service(); !s.ok()) return Drain(in_flight, s);
      for (std::size_t i = 0; i < in_flight.size();) {
        Pending* p = in_flight[i];
        if (!p->done) {
          ++i;
          continue;
        }
        if (p->status != SCSI_STATUS_GOOD) {
          in_flight.erase(in_flight.begin() + static_cast<std::ptrdiff_t>(i));
          return Drain(in_flight, Unavailable("iSCSI " + t_.iqn + ": " +
                                              (write ? "WRITE" : "READ") + " failed: " + p->error));
        }
        if (next < n) {
          if (Status s = issue(*p); !s.ok()) {
            in_flight.erase(in_flight.begin() + static_cast<std::ptrdiff_t>(i));
            return Drain(in_flight, s);
          }
          ++i;
        } else {
          in_flight.erase(in_flight.begin() + static_cast<std::ptrdiff_t>(i));
        }
      }
    }
    return Status::Ok();
  }

  Status Wait(std::vector<Pending*>& waiting) {
    while (!waiting.front()->done) {
      if (Status s = Service(); !s.ok()) return Drain(waiting, s);
    }
    if (waiting.front()->status != SCSI_STATUS_GOOD) {
      return Unavailable("iSCSI " + t_.iqn + ": " + waiting.front()->error);
    }
    return Status::Ok();
  }

  // One round of the event loop, bounded by the command timeout.
  Status Service() {
    pollfd pfd{iscsi_get_fd(iscsi_), static_cast<short>(iscsi_which_events(iscsi_)), 0};
    const auto deadline_ms = static_cast<int>(t_.timeout.count());
    const int n = ::poll(&pfd, 1, deadline_ms);
    if (n < 0) {
      if (errno == EINTR) return Status::Ok();
      return Unavailable(std::string("iSCSI: poll: ") + std::strerror(errno));
    }
    if (n == 0) {
      return DeadlineExceeded("iSCSI " + t_.iqn + ": no answer within " +
                              std::to_string(t_.timeout.count()) + " ms");
    }
    if (iscsi_service(iscsi_, pfd.revents) < 0) return Fail("the connection failed");
    return Status::Ok();
  }

  // After a failure: the session cannot be trusted with more commands (their buffers are the
  // caller's), so it is dropped and every later call fails.
  Status Drain(std::vector<Pending*>& in_flight, Status why) {
    healthy_ = false;
    iscsi_scsi_cancel_all_tasks(iscsi_);
    iscsi_disconnect(iscsi_);
    in_flight.clear();
    return why;
  }

  iscsi_context* iscsi_;
  IscsiTarget t_;
  uint32_t block_size_;
  uint64_t size_;
  bool healthy_ = true;
};

}  // namespace

Result<std::unique_ptr<BlockDevice>> OpenIscsiDevice(const IscsiTarget& t) {
  if (t.initiator.empty()) {
    return InvalidArgument("an iSCSI connection needs this host's initiator name");
  }
  iscsi_context* iscsi = iscsi_create_context(t.initiator.c_str());
  if (!iscsi) return Internal("iSCSI: cannot create a context");
  auto fail = [&](auto make, const std::string& what) {
    const char* e = iscsi_get_error(iscsi);
    std::string msg = "iSCSI " + t.iqn + " at " + t.portal + ": " + what +
                      (e && *e ? std::string(": ") + e : "");
    iscsi_destroy_context(iscsi);
    return make(std::move(msg));
  };
  iscsi_set_targetname(iscsi, t.iqn.c_str());
  iscsi_set_session_type(iscsi, ISCSI_SESSION_NORMAL);
  iscsi_set_header_digest(iscsi, ISCSI_HEADER_DIGEST_NONE_CRC32C);
  iscsi_set_timeout(iscsi, static_cast<int>(std::max<int64_t>(1, t.timeout.count() / 1000)));
  if (!t.user.empty() &&
      iscsi_set_initiator_username_pwd(iscsi, t.user.c_str(), t.password.c_str()) != 0) {
    return fail(Internal, "cannot set the CHAP credentials");
  }
  if (iscsi_full_connect_sync(iscsi, t.portal.c_str(), t.lun) != 0) {
    const char* e = iscsi_get_error(iscsi);
    const std::string err = e ? e : "";
    if (err.find("Authentication failure") != std::string::npos ||
        err.find("Target not found") != std::string::npos ||
        err.find("Authorization failure") != std::string::npos) {
      return fail(PermissionDenied, "login refused");
    }
    return fail(Unavailable, "cannot log in");
  }
  // From here on a lost connection fails the command at hand instead of being retried.
  iscsi_set_noautoreconnect(iscsi, 1);
  scsi_task* task = iscsi_readcapacity16_sync(iscsi, t.lun);
  if (!task || task->status != SCSI_STATUS_GOOD) {
    if (task) scsi_free_scsi_task(task);
    iscsi_logout_sync(iscsi);
    return fail(Unavailable, "READ CAPACITY failed");
  }
  auto* cap = static_cast<scsi_readcapacity16*>(scsi_datain_unmarshall(task));
  if (!cap || cap->block_length == 0) {
    scsi_free_scsi_task(task);
    iscsi_logout_sync(iscsi);
    return fail(Unavailable, "READ CAPACITY returned nothing usable");
  }
  const uint64_t blocks = cap->returned_lba + 1;
  const uint32_t block_size = cap->block_length;
  scsi_free_scsi_task(task);
  return std::unique_ptr<BlockDevice>(new IscsiDevice(iscsi, t, blocks, block_size));
}

}  // namespace blockstore::internal
