// Internal: the gate a backup's workers pass to read the volume. Chunks are read in the order
// of their index, at most `streams` at a time, while the workers hash, compress and upload
// in parallel after their read.
//
// Why: a local disk reads a volume fastest as one or two streams in order, with the kernel's
// readahead ahead of them. Eight workers each reading the next 4 MiB chunk as they free up put
// eight requests in flight in no particular order, and the readahead gives up. An incremental,
// which does little besides reading, goes at the pace of its read: through this gate at two
// streams it took 0.92–0.98 of a sequential read, against 1.28–1.36 with eight
// (docs/PERFORMANCE.md). A full backup, whose pace is its hashing and storing, lets every
// worker through.
//
// Indexes number only the chunks that are read (a backup gives holes none). Every index must
// pass, in turn, exactly once: Enter/Leave around its read, or Skip when it is not read after
// all. A Ticket does that even when the worker fails before its read, so no later chunk waits
// forever.
//
// Thread-safety: all methods may be called from several threads at once.
#ifndef BLOCKSTORE_LIB_BACKUP_READ_TURNSTILE_HPP
#define BLOCKSTORE_LIB_BACKUP_READ_TURNSTILE_HPP

#include <condition_variable>
#include <cstddef>
#include <mutex>

namespace blockstore::internal {

class ReadTurnstile {
 public:
  explicit ReadTurnstile(int streams);

  // Waits until every index before `index` has entered or skipped and fewer than `streams`
  // reads run, then counts this one as running.
  void Enter(std::size_t index);
  // A read that Enter admitted is done.
  void Leave();
  // Waits for the turn of `index`, and passes it without a read.
  void Skip(std::size_t index);

  // One index's pass: Read() enters and returns a guard that leaves when destroyed; an index
  // that never read is skipped when its ticket is destroyed.
  class Ticket {
   public:
    Ticket(ReadTurnstile& gate, std::size_t index) : gate_(gate), index_(index) {}
    ~Ticket() {
      if (!passed_) gate_.Skip(index_);
    }
    Ticket(const Ticket&) = delete;
    Ticket& operator=(const Ticket&) = delete;

    class Reading {
     public:
      explicit Reading(ReadTurnstile& gate) : gate_(gate) {}
      ~Reading() { gate_.Leave(); }
      Reading(const Reading&) = delete;
      Reading& operator=(const Reading&) = delete;

     private:
      ReadTurnstile& gate_;
    };
    [[nodiscard]] Reading Read() {
      gate_.Enter(index_);
      passed_ = true;
      return Reading(gate_);
    }

   private:
    ReadTurnstile& gate_;
    std::size_t index_;
    bool passed_ = false;
  };

 private:
  const int streams_;
  std::mutex mu_;
  std::condition_variable turn_;
  std::size_t next_ = 0;  // the index whose turn it is
  int running_ = 0;
};

}  // namespace blockstore::internal

#endif  // BLOCKSTORE_LIB_BACKUP_READ_TURNSTILE_HPP
