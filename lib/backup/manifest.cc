#include "lib/backup/manifest.hpp"

#include <boost/json.hpp>

#include "lib/json/json_parse.hpp"

namespace blockstore::internal {
namespace json = boost::json;

std::string EncodeManifest(const Manifest& m) {
  json::array chunks;
  chunks.reserve(m.chunks.size());
  for (const auto& c : m.chunks) {
    json::object o{{"offset", c.offset}, {"length", c.length}};
    if (c.zero) {
      o["zero"] = true;
    } else {
      o["object"] = c.object;
      o["sha256"] = Hex(c.sha256);
      if (c.has_fingerprint) o["blake3"] = Hex(c.fingerprint);
      o["compression"] = ToString(c.stored_as);
      o["stored_bytes"] = c.stored_bytes;
      if (c.encrypted) o["encrypted"] = true;
    }
    chunks.push_back(std::move(o));
  }
  json::object root{{"format", "blockstore-backup"},
                    {"version", m.version},
                    {"backup_id", m.backup_id},
                    {"volume_id", m.volume_id},
                    {"parent_id", m.parent_id.empty() ? json::value(nullptr) : json::value(m.parent_id)},
                    {"size_bytes", m.size_bytes},
                    {"chunk_size", m.chunk_size},
                    {"chunks", std::move(chunks)}};
  if (!m.key_id.empty()) root["key_id"] = m.key_id;
  if (m.source) {
    auto pairs = [](const Metadata& md) {
      json::object o;
      for (const auto& [k, v] : md) o[k] = v;
      return o;
    };
    root["source_volume"] = json::object{{"name", m.source->name},
                                         {"description", m.source->description},
                                         {"metadata", pairs(m.source->metadata)},
                                         {"image_metadata", pairs(m.source->image_metadata)},
                                         {"bootable", m.source->bootable}};
  }
  return json::serialize(root);
}

namespace {

Status Bad(const std::string& why) { return DataLoss("backup manifest: " + why); }

Result<uint64_t> U64(const json::object& o, std::string_view k) {
  const auto* v = o.if_contains(k);
  if (!v || !(v->is_uint64() || (v->is_int64() && v->get_int64() >= 0))) {
    return Bad("'" + std::string(k) + "' must be a non-negative integer");
  }
  return v->is_uint64() ? v->get_uint64() : static_cast<uint64_t>(v->get_int64());
}

Result<std::string> Str(const json::object& o, std::string_view k) {
  const auto* v = o.if_contains(k);
  if (!v || !v->is_string()) return Bad("'" + std::string(k) + "' must be a string");
  return std::string(v->get_string());
}

// An optional flag: absent is false; anything but true or false is damage.
Result<bool> Flag(const json::object& o, std::string_view k) {
  const auto* v = o.if_contains(k);
  if (!v) return false;
  if (!v->is_bool()) return Bad("'" + std::string(k) + "' must be true or false");
  return v->get_bool();
}

}  // namespace

Result<Manifest> DecodeManifest(std::string_view text) {
  auto parsed = ParseJson(text, "manifest");
  if (!parsed.ok()) return DataLoss("backup " + parsed.status().message());
  const json::value& v = *parsed;
  const auto* o = v.if_object();
  if (!o) return Bad("not an object");
  if (const auto* f = o->if_contains("format"); !f || *f != "blockstore-backup") {
    return Bad("not a blockstore backup manifest");
  }
  Manifest m;
  auto version = U64(*o, "version");
  if (!version.ok()) return version.status();
  if (*version != kManifestVersion) {
    return FailedPrecondition("backup manifest version " + std::to_string(*version) +
                              " is not one this build reads (" + std::to_string(kManifestVersion) + ")");
  }
  auto id = Str(*o, "backup_id");
  auto vol = Str(*o, "volume_id");
  auto size = U64(*o, "size_bytes");
  auto chunk = U64(*o, "chunk_size");
  for (const Status* s : {&id.status(), &vol.status(), &size.status(), &chunk.status()}) {
    if (!s->ok()) return *s;
  }
  m.backup_id = *id;
  m.volume_id = *vol;
  m.size_bytes = *size;
  m.chunk_size = *chunk;
  if (!ValidChunkSize(m.chunk_size)) {
    return Bad("'chunk_size' must be a multiple of 4 KiB up to 256 MiB");
  }
  // Optional: parent_id is null for a full backup, key_id absent when not encrypted; any other
  // type is damage, never read as "none".
  for (auto [key, field] : {std::pair{"parent_id", &m.parent_id}, std::pair{"key_id", &m.key_id}}) {
    if (const auto* f = o->if_contains(key); f && !f->is_null()) {
      auto text = Str(*o, key);
      if (!text.ok()) return text.status();
      *field = *text;
    }
  }
  if (const auto* sv = o->if_contains("source_volume")) {  // optional: older manifests have none
    const auto* so = sv->if_object();
    if (!so) return Bad("'source_volume' must be an object");
    SourceVolumeMeta source;
    auto name = Str(*so, "name");
    auto description = Str(*so, "description");
    auto bootable = Flag(*so, "bootable");
    for (const Status* s : {&name.status(), &description.status(), &bootable.status()}) {
      if (!s->ok()) return *s;
    }
    source.name = *name;
    source.description = *description;
    source.bootable = *bootable;
    for (auto [key, field] : {std::pair{"metadata", &source.metadata},
                              std::pair{"image_metadata", &source.image_metadata}}) {
      const auto* mv = so->if_contains(key);
      if (!mv || !mv->is_object()) return Bad("'source_volume." + std::string(key) + "' must be an object");
      for (const auto& kv : mv->get_object()) {
        if (!kv.value().is_string()) return Bad("'source_volume." + std::string(key) + "' values must be strings");
        (*field)[std::string(kv.key())] = std::string(kv.value().get_string());
      }
    }
    m.source = std::move(source);
  }
  const auto* chunks = o->if_contains("chunks");
  if (!chunks || !chunks->is_array()) return Bad("'chunks' must be a list");
  uint64_t expect = 0;
  for (const auto& cv : chunks->get_array()) {
    const auto* co = cv.if_object();
    if (!co) return Bad("a chunk must be an object");
    ChunkRef c;
    auto off = U64(*co, "offset");
    auto len = U64(*co, "length");
    if (!off.ok()) return off.status();
    if (!len.ok()) return len.status();
    c.offset = *off;
    c.length = *len;
    if (c.offset != expect || c.length == 0 || c.length > m.chunk_size) {
      return Bad("chunk at " + std::to_string(c.offset) + " does not follow the one before");
    }
    expect += c.length;
    auto zero = Flag(*co, "zero");
    if (!zero.ok()) return zero.status();
    if (*zero) {
      c.zero = true;
    } else {
      auto obj = Str(*co, "object");
      auto sha = Str(*co, "sha256");
      auto comp = Str(*co, "compression");
      auto stored = U64(*co, "stored_bytes");
      for (const Status* s : {&obj.status(), &sha.status(), &comp.status(), &stored.status()}) {
        if (!s->ok()) return *s;
      }
      c.object = *obj;
      auto h = ParseHex(*sha);
      if (!h.ok()) return Bad(h.status().message());
      c.sha256 = *h;
      if (co->contains("blake3")) {  // optional: older manifests have none
        auto b3 = Str(*co, "blake3");
        auto fp = b3.ok() ? ParseHex(*b3) : Result<Sha256>(b3.status());
        if (!fp.ok()) return Bad("'blake3' must be 64 lowercase hex digits");
        c.has_fingerprint = true;
        c.fingerprint = *fp;
      }
      auto cs = ParseCompression(*comp);
      if (!cs.ok()) return Bad(cs.status().message());
      c.stored_as = *cs;
      c.stored_bytes = *stored;
      auto encrypted = Flag(*co, "encrypted");
      if (!encrypted.ok()) return encrypted.status();
      c.encrypted = *encrypted;
      if (c.encrypted && m.key_id.empty()) return Bad("an encrypted chunk in a manifest without a key");
    }
    m.chunks.push_back(std::move(c));
  }
  if (expect != m.size_bytes) return Bad("the chunks do not cover the volume");
  return m;
}

}  // namespace blockstore::internal
