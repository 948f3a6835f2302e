// Internal: a BlockDevice over a regular (sparse) file or a kernel block device (a loop
// device). The file driver opens its volumes with it, and the local connector the files and
// loop devices it is handed.
#ifndef BLOCKSTORE_LIB_IO_FILE_BLOCK_DEVICE_HPP
#define BLOCKSTORE_LIB_IO_FILE_BLOCK_DEVICE_HPP

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "blockstore/driver.hpp"

namespace blockstore::io {

// The holes-aware extent map of an open file: SEEK_DATA/SEEK_HOLE, or one extent covering the
// file where the filesystem cannot tell.
Result<std::vector<Extent>> FileExtents(int fd, uint64_t size);

class FileBlockDevice final : public BlockDevice {
 public:
  // Opens `path` read-write (or read-only: writes then answer permission_denied); not_found
  // when it is missing.
  static Result<std::unique_ptr<BlockDevice>> Open(const std::string& path, bool read_only = false);
  ~FileBlockDevice() override;

  Result<std::size_t> ReadAt(uint64_t offset, std::span<std::byte> out) override;
  Status WriteAt(uint64_t offset, std::span<const std::byte> data) override;
  uint64_t SizeBytes() const override { return size_; }
  Status Flush() override;
  Result<std::vector<Extent>> AllocatedRanges() override;
  bool ConcurrentIo() const override { return true; }  // pread/pwrite

 private:
  FileBlockDevice(int fd, uint64_t size, std::string path, bool read_only, bool block)
      : fd_(fd), size_(size), path_(std::move(path)), read_only_(read_only), block_(block) {}
  // Large aligned writes to a file go around the page cache (O_DIRECT): the file's second
  // descriptor, opened at the first such write; -1 where the filesystem refuses direct I/O.
  // (Reads stay buffered: a backup gains from the kernel's readahead.)
  int DirectFd();
  // false when direct I/O turned out not to work here: the write is to be done buffered.
  bool WriteDirect(uint64_t offset, std::span<const std::byte> data, Status& status);

  int fd_;
  std::once_flag direct_once_;
  int direct_fd_ = -1;
  std::atomic<bool> direct_works_{true};
  uint64_t size_;
  std::string path_;
  bool read_only_;
  bool block_;  // a kernel block device: no hole map
};

}  // namespace blockstore::io

#endif  // BLOCKSTORE_LIB_IO_FILE_BLOCK_DEVICE_HPP
