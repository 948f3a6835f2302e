#include "lib/backup/backup_engine.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <thread>

#include "lib/backup/aligned_buffer.hpp"
#include "lib/backup/chunk_cipher.hpp"
#include "lib/backup/chunk_fingerprint.hpp"
#include "lib/backup/read_turnstile.hpp"
#include "lib/backup/token_bucket.hpp"
#include "lib/core/macros.hpp"
#include "lib/encoding/base64.hpp"
#include "lib/env/retry.hpp"
#include "lib/json/json_codec.hpp"

namespace blockstore::internal {
namespace {

std::string ChunkName(const std::string& prefix, const std::string& backup_id, std::size_t index) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "chunk-%08zu", index);
  return prefix + "/" + backup_id + "/" + buf;
}

std::string Where(std::size_t index, uint64_t offset) {
  return "chunk " + std::to_string(index) + " at offset " + std::to_string(offset);
}

// Workers for a job, capped so that their chunk buffers fit the memory budget: two each (a
// backup's data and its compressed form; a restore's stored object and the chunk it decodes
// to), and a third with encryption (the sealed or the opened object).
int WorkersFor(const TransferOptions& o, uint64_t chunk_size) {
  int workers = std::max(1, o.workers);
  const uint64_t buffers = o.key.empty() ? 2 : 3;
  if (o.memory_budget > 0 && chunk_size > 0) {
    const uint64_t fit = std::max<uint64_t>(1, o.memory_budget / (buffers * chunk_size));
    workers = static_cast<int>(std::min<uint64_t>(static_cast<uint64_t>(workers), fit));
  }
  return workers;
}

bool Overlaps(const std::vector<Extent>& extents, uint64_t off, uint64_t len) {
  auto it = std::upper_bound(extents.begin(), extents.end(), off,
                             [](uint64_t o, const Extent& e) { return o < e.offset + e.length; });
  return it != extents.end() && it->offset < off + len;
}

// Progress with its rate and ETA, reported under a lock as chunks finish.
class ProgressMeter {
 public:
  ProgressMeter(uint64_t total, const std::function<void(const TransferProgress&)>& sink, Env& env)
      : sink_(sink), env_(env), start_(env.SteadyNow()) {
    p_.bytes_total = total;
  }
  void Add(uint64_t done, uint64_t stored) {
    std::lock_guard lock(mu_);
    p_.bytes_done += done;
    p_.bytes_stored += stored;
    const double secs =
        std::chrono::duration<double>(env_.SteadyNow() - start_).count();
    p_.rate_bytes_per_s = secs > 0 ? static_cast<double>(p_.bytes_done) / secs : 0;
    p_.eta_seconds = p_.rate_bytes_per_s > 0
                         ? static_cast<double>(p_.bytes_total - p_.bytes_done) / p_.rate_bytes_per_s
                         : 0;
    if (sink_) sink_(p_);
  }

 private:
  const std::function<void(const TransferProgress&)>& sink_;
  Env& env_;
  SteadyTime start_;
  std::mutex mu_;
  TransferProgress p_;
};

// Runs body(index, worker) for every index in [0, n) on `workers` threads (worker in
// [0, workers), so that each may keep buffers of its own); the first failure stops the others
// and is returned.
Status ForEach(std::size_t n, int workers, const std::atomic<bool>* cancel,
               const std::function<Status(std::size_t, int)>& body) {
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mu;
  Status first;
  auto run = [&](int worker) {
    while (!failed.load()) {
      if (cancel && cancel->load()) {
        std::lock_guard lock(mu);
        if (first.ok()) first = Cancelled("cancelled");
        failed = true;
        return;
      }
      const std::size_t i = next.fetch_add(1);
      if (i >= n) return;
      Status s = body(i, worker);
      if (!s.ok()) {
        std::lock_guard lock(mu);
        if (first.ok()) first = s;
        failed = true;
        return;
      }
    }
  };
  std::vector<std::thread> threads;
  for (int w = 1; w < std::max(1, workers); ++w) threads.emplace_back(run, w);
  run(0);
  for (auto& t : threads) t.join();
  return first;
}

}  // namespace

std::string ManifestObject(const std::string& prefix, const std::string& backup_id) {
  return prefix + "/" + backup_id + "/manifest.json";
}

Result<Manifest> RunBackup(BlockDevice& device, BackupTarget& target, const std::string& prefix,
                           const std::string& backup_id, const std::string& volume_id,
                           const Manifest* parent, const TransferOptions& o) {
  // An incremental cuts the volume as its parent did, whatever the configuration says now.
  const uint64_t chunk = parent ? parent->chunk_size : o.chunk_size;
  if (!ValidChunkSize(chunk)) {
    return InvalidArgument("the chunk size must be a multiple of 4 KiB up to 256 MiB");
  }
  const uint64_t size = device.SizeBytes();
  if (parent && parent->size_bytes > size) {
    return FailedPrecondition("the volume is smaller than at the parent backup: take a full backup");
  }
  auto extents = device.AllocatedRanges();
  if (!extents.ok()) return extents.status();
  Manifest m;
  m.backup_id = backup_id;
  m.volume_id = volume_id;
  m.parent_id = parent ? parent->backup_id : "";
  m.size_bytes = size;
  m.chunk_size = chunk;
  m.key_id = o.key.empty() ? "" : o.key_id;
  m.source = o.source_volume;
  // A parent's chunk serves only when it is stored as this backup would store it.
  const bool reuse = parent && parent->key_id == m.key_id;
  const std::size_t n = static_cast<std::size_t>((size + chunk - 1) / chunk);
  m.chunks.resize(n);
  ProgressMeter meter(size, o.progress, *o.env);
  TokenBucket pace(o.bandwidth_bytes_per_s, *o.env);
  auto report = [&](uint64_t done, uint64_t stored) { meter.Add(done, stored); };
  const int workers = WorkersFor(o, chunk);
  // Each worker reads into one buffer of its own, reused chunk after chunk: a raw chunk goes to
  // the target from it and comes back, never copied or reallocated.
  std::vector<std::vector<std::byte>> buffers(static_cast<std::size_t>(workers));
  // The chunks to read (not holes), numbered in order: their turns at the read gate, which
  // lets them read in that order. An incremental, which stores little and so goes at the pace
  // of its read, reads o.read_streams chunks at a time (the disk's readahead keeps ahead of so
  // few); a full one, busy hashing, compressing and storing, lets every worker read. A device
  // that cannot take concurrent I/O is read one chunk at a time.
  constexpr std::size_t kHole = static_cast<std::size_t>(-1);
  constexpr std::size_t kUnchanged = kHole - 1;
  std::vector<std::size_t> turn(n, kHole);
  for (std::size_t i = 0, reads = 0; i < n; ++i) {
    const uint64_t off = i * chunk;
    const uint64_t len = std::min<uint64_t>(chunk, size - off);
    if (reuse && o.changed && i < parent->chunks.size() && parent->chunks[i].length == len &&
        !Overlaps(*o.changed, off, len)) {
      turn[i] = kUnchanged;  // the source says it did not change: the parent's, unread
    } else if (Overlaps(*extents, off, len)) {
      turn[i] = reads++;
    }
  }
  // With changed-block tracking an incremental reads a few scattered chunks, where no readahead
  // runs ahead of a stream: every worker reads.
  ReadTurnstile gate(!device.ConcurrentIo() ? 1 : parent && !o.changed ? o.read_streams : workers);
  Status s = ForEach(n, workers, o.cancel, [&](std::size_t i, int worker) -> Status {
    ChunkRef& c = m.chunks[i];
    c.offset = i * chunk;
    c.length = std::min<uint64_t>(chunk, size - c.offset);
    if (turn[i] == kHole) {
      c.zero = true;  // a hole: never read
      report(c.length, 0);
      return Status::Ok();
    }
    if (turn[i] == kUnchanged) {
      c = parent->chunks[i];
      report(c.length, 0);
      return Status::Ok();
    }
    ReadTurnstile::Ticket ticket(gate, turn[i]);  // passes its turn whatever happens
    std::vector<std::byte>& buf = buffers[static_cast<std::size_t>(worker)];
    buf.resize(c.length);
    pace.Take(c.length);
    {
      const auto reading = ticket.Read();
      auto got = device.ReadAt(c.offset, buf);
      if (!got.ok()) return got.status();
      if (*got != c.length) return DataLoss("short read of " + Where(i, c.offset));
    }
    if (AllZero(buf)) {
      c.zero = true;
      report(c.length, 0);
      return Status::Ok();
    }
    // The fingerprint first: a chunk equal to its parent's is known by it, and costs no SHA-256.
    const Fingerprint fingerprint = FingerprintOf(buf);
    const ChunkRef* p = reuse && i < parent->chunks.size() ? &parent->chunks[i] : nullptr;
    if (p && (p->zero || p->length != c.length)) p = nullptr;
    if (p && p->has_fingerprint && p->fingerprint == fingerprint) {
      c = *p;  // unchanged: the parent's object serves
      report(c.length, 0);
      return Status::Ok();
    }
    const Sha256 sha = Sha256Of(buf);
    if (p && !p->has_fingerprint && p->sha256 == sha) {
      c = *p;  // unchanged, by a parent written before fingerprints: from now on it has one
      c.has_fingerprint = true;
      c.fingerprint = fingerprint;
      report(c.length, 0);
      return Status::Ok();
    }
    auto enc = EncodeChunk(std::move(buf), o.compression, 0, &sha);
    if (!enc.ok()) return enc.status();
    c.sha256 = enc->sha256;
    c.has_fingerprint = true;
    c.fingerprint = fingerprint;
    c.stored_as = enc->stored_as;
    c.object = ChunkName(prefix, backup_id, i);
    std::vector<std::byte> sealed;
    if (!o.key.empty()) {
      auto made = Seal(o.key, c.object, enc->bytes);
      if (!made.ok()) return made.status();
      sealed = std::move(made).value();
      c.encrypted = true;
    }
    const std::span<const std::byte> payload = c.encrypted ? sealed : enc->bytes;
    c.stored_bytes = payload.size();
    // Stored as it is (raw, not sealed), the object's hash is the chunk's: a target that
    // needs it (S3 signs it) is told rather than hashing the chunk again.
    const bool as_is = c.stored_as == Compression::kNone && !c.encrypted;
    Status put = WithRetries(o.retries, [&] {
      return as_is ? target.PutHashed(c.object, payload, c.sha256) : target.Put(c.object, payload);
    }, *o.env);
    if (c.stored_as == Compression::kNone) buf = std::move(enc->bytes);  // the buffer back
    if (!put.ok()) return Status(put.code(), Where(i, c.offset) + ": " + put.message());
    report(c.length, c.stored_bytes);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  // The chunks are durable before the manifest that names them, and the manifest before the
  // backup is reported done.
  BS_RETURN_IF_ERROR(WithRetries(o.retries, [&] { return target.Flush(); }, *o.env));
  BS_RETURN_IF_ERROR(WriteManifest(target, prefix, m, o));
  BS_RETURN_IF_ERROR(WithRetries(o.retries, [&] { return target.Flush(); }, *o.env));
  return m;
}

namespace {
constexpr const char* kSealedFormat = "blockstore-backup-sealed";
std::span<const std::byte> AsBytes(std::string_view s) {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}
}  // namespace

Status WriteManifest(BackupTarget& target, const std::string& prefix, const Manifest& m,
                     const TransferOptions& o) {
  const std::string name = ManifestObject(prefix, m.backup_id);
  std::string text = EncodeManifest(m);
  if (!o.key.empty()) {
    BS_ASSIGN_OR_RETURN(auto sealed, Seal(o.key, name, AsBytes(text)));
    json::object envelope{
        {"format", kSealedFormat},
        {"version", kManifestVersion},
        {"key_id", m.key_id},
        {"sealed", Base64Encode({reinterpret_cast<const char*>(sealed.data()), sealed.size()})}};
    text = json::serialize(envelope);
  }
  return WithRetries(o.retries, [&] { return target.Put(name, AsBytes(text)); }, *o.env);
}

Result<Manifest> ReadManifest(BackupTarget& target, const std::string& prefix,
                              const std::string& backup_id, const KeyLookup& keys) {
  const std::string name = ManifestObject(prefix, backup_id);
  auto bytes = WithRetries(3, [&] { return target.Get(name); });
  if (!bytes.ok()) {
    if (bytes.status().code() == Code::kNotFound) {
      return DataLoss("backup " + backup_id + " has no manifest (" + name + ") on " +
                      target.Describe());
    }
    return bytes.status();
  }
  std::string text(reinterpret_cast<const char*>(bytes->data()), bytes->size());
  auto parsed = ParseJson(text, "backup manifest");
  const json::object* o = parsed.ok() ? parsed->if_object() : nullptr;
  if (const json::value* f = o ? o->if_contains("format") : nullptr; f && *f == kSealedFormat) {
    const auto* key_id = o->if_contains("key_id");
    const auto* sealed = o->if_contains("sealed");
    if (!key_id || !key_id->is_string() || !sealed || !sealed->is_string()) {
      return DataLoss("the sealed manifest " + name + " is malformed");
    }
    if (!keys) {
      return FailedPrecondition("backup " + backup_id + " is encrypted with key '" +
                                std::string(key_id->get_string()) + "' and no key provider is set");
    }
    BS_ASSIGN_OR_RETURN(std::string key, keys(std::string(key_id->get_string())));
    auto raw = Base64Decode(sealed->get_string());
    if (!raw.ok()) return DataLoss("the sealed manifest " + name + " is malformed");
    BS_ASSIGN_OR_RETURN(auto opened, Unseal(key, name, AsBytes(*raw), "the manifest " + name));
    text.assign(reinterpret_cast<const char*>(opened.data()), opened.size());
  }
  BS_ASSIGN_OR_RETURN(Manifest m, DecodeManifest(text));
  if (m.backup_id != backup_id) {
    return DataLoss("the manifest " + name + " belongs to backup " + m.backup_id);
  }
  return m;
}

namespace {

Status NoChunkMemory(uint64_t bytes) {
  return ResourceExhausted("no memory for a chunk buffer of " + std::to_string(bytes) + " bytes");
}

// Fetches chunk i and decodes it into `out` (its length), checked against its hash. The stored
// object is let go before returning, so that a worker holds no more than its budget while it
// writes the chunk out.
Status Fetch(const Manifest& m, std::size_t i, BackupTarget& target, const TransferOptions& o,
             std::span<std::byte> out) {
  const ChunkRef& c = m.chunks[i];
  auto stored = WithRetries(o.retries, [&] { return target.Get(c.object); }, *o.env);
  if (!stored.ok()) {
    if (stored.status().code() == Code::kNotFound) {
      return DataLoss(Where(i, c.offset) + ": object " + c.object + " is missing");
    }
    return Status(stored.status().code(), Where(i, c.offset) + ": " + stored.status().message());
  }
  const std::string what = Where(i, c.offset) + " (object " + c.object + ")";
  if (c.encrypted) {
    if (o.key.empty()) return FailedPrecondition(what + " is encrypted and no key was given");
    auto opened = Unseal(o.key, c.object, *stored, what);
    if (!opened.ok()) return opened.status();
    *stored = std::move(opened).value();
  }
  return DecodeChunkInto(*stored, c.stored_as, out, c.sha256, what);
}

}  // namespace

Status RunRestore(const Manifest& m, BackupTarget& target, BlockDevice& device, bool fresh,
                  const TransferOptions& o) {
  if (device.SizeBytes() < m.size_bytes) {
    return InvalidArgument("the volume (" + std::to_string(device.SizeBytes()) +
                           " bytes) is smaller than the backup (" + std::to_string(m.size_bytes) + ")");
  }
  std::mutex device_mu;
  ProgressMeter meter(m.size_bytes, o.progress, *o.env);
  TokenBucket pace(o.bandwidth_bytes_per_s, *o.env);
  const int workers = WorkersFor(o, m.chunk_size);
  // Each worker decodes into an aligned buffer of its own, which a file volume writes straight
  // to the disk (direct I/O, no bounce copy).
  std::vector<AlignedBuffer> buffers(static_cast<std::size_t>(workers));
  AlignedBuffer zero_buffer;
  std::span<std::byte> zeros;
  if (!fresh) {
    zeros = zero_buffer.Span(static_cast<std::size_t>(m.chunk_size));
    if (zeros.size() != m.chunk_size) return NoChunkMemory(m.chunk_size);
    std::memset(zeros.data(), 0, zeros.size());
  }
  Status s = ForEach(m.chunks.size(), workers, o.cancel, [&](std::size_t i, int worker) -> Status {
    const ChunkRef& c = m.chunks[i];
    std::span<const std::byte> data;
    if (c.zero) {
      if (fresh) {  // a fresh volume reads as zeros already
        meter.Add(c.length, 0);
        return Status::Ok();
      }
      data = zeros.first(c.length);
    } else {
      pace.Take(c.length);
      const auto out = buffers[static_cast<std::size_t>(worker)].Span(c.length);
      if (out.size() != c.length) return NoChunkMemory(c.length);
      BS_RETURN_IF_ERROR(Fetch(m, i, target, o, out));
      data = out;
    }
    {
      std::unique_lock lock(device_mu, std::defer_lock);
      if (!device.ConcurrentIo()) lock.lock();
      BS_RETURN_IF_ERROR(device.WriteAt(c.offset, data));
    }
    meter.Add(c.length, 0);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return device.Flush();
}

Status RunVerify(const Manifest& m, BackupTarget& target, const TransferOptions& o) {
  const int workers = WorkersFor(o, m.chunk_size);
  std::vector<AlignedBuffer> buffers(static_cast<std::size_t>(workers));
  return ForEach(m.chunks.size(), workers, o.cancel, [&](std::size_t i, int worker) -> Status {
    const ChunkRef& c = m.chunks[i];
    if (c.zero) return Status::Ok();
    const auto out = buffers[static_cast<std::size_t>(worker)].Span(c.length);
    if (out.size() != c.length) return NoChunkMemory(c.length);
    return Fetch(m, i, target, o, out);
  });
}

}  // namespace blockstore::internal
