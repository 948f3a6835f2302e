// Internal: one REST request as the resource handlers see it, and the helpers they share.
#ifndef BLOCKSTORE_LIB_REST_REST_CALL_HPP
#define BLOCKSTORE_LIB_REST_REST_CALL_HPP

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "blockstore/rest.hpp"
#include "lib/json/json_codec.hpp"

namespace blockstore::rest {

namespace json = internal::json;

inline constexpr int kMinMinor = 0;
inline constexpr int kMaxMinor = 60;

struct Call {
  Engine& engine;
  const RestRequest& request;
  std::string method;
  RequestContext ctx;
  int minor = 0;                          // the microversion 3.<minor>
  std::string project;                    // from the URL
  std::vector<std::string> path;          // the segments after /v3/{project}/
  std::multimap<std::string, std::string> query;
  std::string base;                       // "http://host:port" for links
  std::string route;                      // filled in by the handler that serves it

  VolumeService& volumes() { return engine.volumes(); }
  SnapshotService& snapshots() { return engine.snapshots(); }
  BackupService& backups() { return engine.backups(); }
  AttachmentService& attachments() { return engine.attachments(); }
  TypeService& types() { return engine.types(); }
  QosService& qos() { return engine.qos(); }
  QuotaService& quotas() { return engine.quotas(); }
  bool Version(int at_least) const { return minor >= at_least; }
  // The query parameter, if given (the last one wins).
  std::optional<std::string> Param(const std::string& key) const;
  // The body as a JSON object: 400 unless it is one.
  Result<json::object> Body() const;
  // A link to a resource of this project.
  std::string Link(const std::string& collection, const std::string& id) const;
};

// `in` with every byte that is not part of valid UTF-8 (or is a control character) replaced
// by '?': what is echoed back in messages and links stays valid JSON text.
std::string Clean(const std::string& in);

RestResponse Json(int status, const json::value& body);
// A JSON answer already written as text.
RestResponse JsonText(int status, std::string body);
RestResponse Empty(int status);
// Cinder's error body for a Status: {"badRequest": {"code": 400, "message": …}}.
RestResponse Error(const Status& s);
RestResponse Error(int http, const std::string& message);

// The "resource" object of a body: {"volume": {…}} → {…}; 400 when missing or not an object.
Result<json::object> Member(const json::object& body, const char* key);

// The filters each list takes (beside limit, marker, sort, all_tenants, project_id,
// with_count), as GET /resource_filters reports them; the text ones also as `<key>~` (3.34).
const std::vector<std::string>& VolumeListFilters();
const std::vector<std::string>& SnapshotListFilters();
const std::vector<std::string>& BackupListFilters();
const std::vector<std::string>& AttachmentListFilters();

// A ListQuery from the query string: limit, marker, sort / sort_key+sort_dir, all_tenants
// (admins), project_id, and the filters the collection allows (`filters`: name, status,
// volume_id, availability_zone, bootable, size, metadata as a dict in JSON or Python form,
// and from 3.34 `<filter>~` substring filters on the allowed text filters and description).
Result<ListQuery> ListFrom(const Call& c, const std::vector<std::string>& filters);
// A boolean query parameter ("true", "1", "yes" …); 400 for anything else.
Result<bool> BoolParam(const Call& c, const std::string& key, bool fallback);
// Cinder's string booleans in bodies: true, "true", "True", "1", … ; 400 otherwise.
Result<bool> BodyBool(const json::value& v, const std::string& what);
// The link to the next page when this one is full (`limit`, or 1000 when none was given):
// this request's own path and query with the marker moved to `last_id`.
std::optional<std::string> NextLink(const Call& c, std::size_t returned,
                                    const std::optional<int64_t>& limit,
                                    const std::string& last_id);
// `<collection>_links` with rel next when the page is full.
void AddNextLink(const Call& c, json::object& out, const std::string& collection,
                 std::size_t returned, const std::optional<int64_t>& limit,
                 const std::string& last_id);
// `count` for with_count (3.45): every record the query matches, not one page of them, counted
// a page of 1000 at a time with `list(const ListQuery&)` → Result<std::vector<Record>>.
// nullopt when the caller did not ask, or asked below 3.45.
template <typename List>
Result<std::optional<std::size_t>> CountIfAsked(const Call& c, const ListQuery& q, List list) {
  auto asked = BoolParam(c, "with_count", false);
  if (!asked.ok()) return asked.status();
  if (!*asked || !c.Version(45)) return std::optional<std::size_t>();
  ListQuery all = q;
  all.limit = 1000;
  all.marker.clear();
  std::size_t count = 0;
  while (true) {
    auto page = list(all);
    if (!page.ok()) return page.status();
    count += page->size();
    if (page->size() < 1000) break;
    all.marker = page->back().id;
  }
  return std::optional<std::size_t>(count);
}
// RFC 3986 percent-encoding of everything but unreserved characters (and ':' ',').
std::string PercentEncode(std::string_view in);

// The handlers: each answers its collection's routes; nullopt when the path is not theirs.
std::optional<RestResponse> Volumes(Call& c);
std::optional<RestResponse> Snapshots(Call& c);
std::optional<RestResponse> Types(Call& c);
std::optional<RestResponse> Qos(Call& c);
std::optional<RestResponse> Quotas(Call& c);
std::optional<RestResponse> Backups(Call& c);
std::optional<RestResponse> Attachments(Call& c);
std::optional<RestResponse> Messages(Call& c);
std::optional<RestResponse> Transfers(Call& c);
std::optional<RestResponse> Service(Call& c);  // limits, get_pools, os-services

}  // namespace blockstore::rest

#endif  // BLOCKSTORE_LIB_REST_REST_CALL_HPP
