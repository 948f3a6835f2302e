#include "lib/ceph/rbd_api.hpp"

#include <dlfcn.h>

#include <mutex>
#include <string>

namespace blockstore::ceph {
namespace {

RbdApi g_api;
Status g_loaded = Internal("librbd was never loaded");

Status Load() {
  // Debian's runtime packages: librados2, librbd1. Never unloaded.
  void* rados = ::dlopen("librados.so.2", RTLD_NOW | RTLD_LOCAL);
  if (!rados) return FailedPrecondition(std::string("the rbd driver needs librados2: ") + ::dlerror());
  void* rbd = ::dlopen("librbd.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!rbd) return FailedPrecondition(std::string("the rbd driver needs librbd1: ") + ::dlerror());
  std::string missing;
#define BS_RBD_LOAD(name)                                                                  \
  g_api.name = reinterpret_cast<decltype(g_api.name)>(::dlsym(std::string(#name).starts_with("rados_") ? rados : rbd, #name)); \
  if (!g_api.name) missing += std::string(missing.empty() ? "" : ", ") + #name;
  BS_RBD_CALLS(BS_RBD_LOAD)
#undef BS_RBD_LOAD
  if (!missing.empty()) return FailedPrecondition("librados or librbd lacks " + missing);
  return Status::Ok();
}

}  // namespace

Result<const RbdApi*> LoadRbdApi() {
  static std::once_flag once;
  std::call_once(once, [] { g_loaded = Load(); });
  if (!g_loaded.ok()) return g_loaded;
  return &g_api;
}

const RbdApi& Ceph() { return g_api; }

}  // namespace blockstore::ceph
