#include "lib/io/direct_io.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstdint>
#include <cstring>
#include <memory>

namespace blockstore::io {

DirectOutcome PwriteDirect(int fd, std::span<const std::byte> data, uint64_t offset) {
  if (data.size() % kDirectAlign != 0 || offset % kDirectAlign != 0) {
    return DirectOutcome::kUnsupported;
  }
  if (data.empty()) return DirectOutcome::kWritten;
  // An aligned buffer is written as it is; any other from an aligned copy.
  std::unique_ptr<std::byte, decltype(&std::free)> copy(nullptr, &std::free);
  const std::byte* from = data.data();
  if (reinterpret_cast<std::uintptr_t>(from) % kDirectAlign != 0) {
    copy.reset(static_cast<std::byte*>(std::aligned_alloc(kDirectAlign, data.size())));
    if (!copy) return DirectOutcome::kUnsupported;
    std::memcpy(copy.get(), data.data(), data.size());
    from = copy.get();
  }
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::pwrite(fd, from + done, data.size() - done,
                               static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EINVAL && done == 0) return DirectOutcome::kUnsupported;
      return DirectOutcome::kFailed;
    }
    done += static_cast<std::size_t>(n);
  }
  return DirectOutcome::kWritten;
}

}  // namespace blockstore::io
