// Restart recovery: a process is killed with SIGKILL while four operations are inside the
// driver; a new engine on the same state directory puts everything where Cinder would (and
// finishes the extend the driver had completed).
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sstream>

#include "tests/support/test_support.hpp"

extern char** environ;

using namespace blockstore;
using namespace blockstore::testing;

namespace {

// Runs the helper and returns its pid and the line it printed once everything was stuck.
std::pair<pid_t, std::string> SpawnHelper(const std::string& state_dir) {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  std::string helper = BS_CRASH_HELPER;
  char* argv[] = {helper.data(), const_cast<char*>(state_dir.c_str()), nullptr};
  pid_t pid = 0;
  REQUIRE(posix_spawn(&pid, helper.c_str(), &actions, nullptr, argv, environ) == 0);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  std::string line;
  char c;
  while (read(fds[0], &c, 1) == 1 && c != '\n') line.push_back(c);
  close(fds[0]);
  return {pid, line};
}

}  // namespace

TEST_SUITE("recovery") {
  TEST_CASE("kill -9 mid-operation, then reopen") {
    TempDir dir;
    const auto helper = SpawnHelper(dir.path());
    const pid_t pid = helper.first;
    const std::string& line = helper.second;
    kill(pid, SIGKILL);
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    REQUIRE(WIFSIGNALED(status));
    std::istringstream in(line);
    std::string creating, deleting, extending, parent, snapshot;
    in >> creating >> deleting >> extending >> parent >> snapshot;
    REQUIRE_MESSAGE(!snapshot.empty(), "helper printed: '" << line << "'");

    EngineConfig c = BasicConfig(dir.path());
    auto opened = Engine::Open(c);
    BS_REQUIRE_OK(opened);
    Engine& engine = **opened;
    auto ctx = RequestContext::User("crash");
    const auto& report = engine.recovery().backends.begin()->second;
    CHECK(report.volumes_failed == 1);
    CHECK(report.volumes_redeleted == 1);
    CHECK(report.extends_settled == 1);
    CHECK(report.snapshots_failed == 1);

    // creating → error, its reservation rolled back.
    auto v = engine.volumes().Get(ctx, creating);
    BS_REQUIRE_OK(v);
    CHECK(v->status == VolumeStatus::kError);
    // deleting → deleted again, file gone.
    BS_REQUIRE_OK(engine.WaitForVolumeDeleted(ctx, deleting, kWait));
    CHECK(ListFiles(dir / "volumes").count("volume-" + deleting) == 0);
    // The driver had grown the file before the crash: the extend is finished.
    auto ext = engine.volumes().Get(ctx, extending);
    BS_REQUIRE_OK(ext);
    CHECK(ext->status == VolumeStatus::kAvailable);
    CHECK(ext->size_gb == 3);
    // creating snapshot → error, parent back in use as it was.
    auto snap = engine.snapshots().Get(ctx, snapshot);
    BS_REQUIRE_OK(snap);
    CHECK(snap->status == SnapshotStatus::kError);
    CHECK(engine.volumes().Get(ctx, parent)->status == VolumeStatus::kAvailable);

    // Quota agrees with what exists: two 1 GB volumes + the 3 GB one... the extend's 2 GB
    // committed, the failed create and snapshot charged nothing.
    auto q = engine.quotas().Get(RequestContext::Admin(), "crash");
    BS_REQUIRE_OK(q);
    CHECK(q->resources["volumes"].in_use == 2);
    CHECK(q->resources["gigabytes"].in_use == 4);
    CHECK(q->resources["gigabytes"].reserved == 0);
    CHECK(q->resources["volumes"].reserved == 0);
    CHECK(q->resources["snapshots"].reserved == 0);
    CHECK(q->resources["snapshots"].in_use == 0);

    // The failed records can be cleaned up normally.
    BS_REQUIRE_OK(engine.snapshots().Delete(ctx, snapshot));
    BS_REQUIRE_OK(engine.WaitForSnapshotDeleted(ctx, snapshot, kWait));
    BS_REQUIRE_OK(engine.volumes().Delete(ctx, creating));
    BS_REQUIRE_OK(engine.WaitForVolumeDeleted(ctx, creating, kWait));
  }
}
