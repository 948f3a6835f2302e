"""A transport written in Python: the engine's roles talk through the host's own queues and
threads (blockstore.Transport)."""
import queue
import threading
import time

import pytest

import blockstore


class QueueTransport(blockstore.Transport):
    """One queue and a few threads per topic, as a host's bus might be."""

    def __init__(self):
        self.queues = {}
        self.threads = []
        self.handled = {}
        self.lock = threading.Lock()
        self.shut = False

    def listen(self, topic, handler, workers):
        with self.lock:
            if topic in self.queues:
                raise blockstore.AlreadyExists(f"topic {topic} already has a handler")
            q = self.queues[topic] = queue.Queue()
            self.handled[topic] = 0
        for _ in range(workers):
            t = threading.Thread(target=self._serve, args=(topic, q, handler), daemon=True)
            t.start()
            self.threads.append(t)

    def _serve(self, topic, q, handler):
        while True:
            item = q.get()
            if item is None:
                return
            message, reply = item
            try:
                out = (True, handler(message))
            except blockstore.Error as e:
                out = (False, e)
            with self.lock:
                self.handled[topic] += 1
            if reply is not None:
                reply.put(out)
            q.task_done()

    def _queue(self, topic):
        with self.lock:
            q = self.queues.get(topic)
        if q is None or self.shut:
            raise blockstore.Unavailable(f"nobody listens on topic '{topic}'")
        return q

    def cast(self, topic, message):
        self._queue(topic).put((message, None))

    def call(self, topic, message, timeout):
        reply = queue.Queue()
        self._queue(topic).put((message, reply))
        try:
            ok, value = reply.get(timeout=timeout)
        except queue.Empty:
            raise blockstore.DeadlineExceeded(f"no reply on {topic} within {timeout} s")
        if not ok:
            raise value
        return value

    def shutdown(self):
        for q in list(self.queues.values()):
            q.join()
        self.shut = True
        for q in self.queues.values():
            for _ in range(len(self.threads)):
                q.put(None)
        for t in self.threads:
            t.join()


def test_the_engine_runs_over_a_python_transport(tmp_path, alice):
    bus = QueueTransport()
    with blockstore.Engine(str(tmp_path / "state"), host="pybus", transport=bus) as engine:
        assert set(bus.queues) == {"scheduler", "volume.pybus@file", "backup"}
        vol = engine.create_volume(alice, 1, name="over-python")
        vol = engine.wait_for_volume(alice, vol.id, ["available", "error"], timeout=10)
        assert vol.status == "available"
        # The stats report and the create, then the volume service's create (a handler may
        # still be returning when the volume reads available).
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and (bus.handled["scheduler"] < 2 or bus.handled["volume.pybus@file"] < 1):
            time.sleep(0.01)
        assert bus.handled["scheduler"] >= 2
        assert bus.handled["volume.pybus@file"] >= 1
        # A handler's refusal comes back through the host's call with its code.
        with pytest.raises(blockstore.InvalidArgument):
            bus.call("scheduler", "not json", 5)
    assert bus.shut  # the engine's close shut the host's bus down


def test_a_transport_without_call_is_refused(tmp_path):
    class Incomplete:
        def listen(self, topic, handler, workers):
            pass

        def cast(self, topic, message):
            pass

    with pytest.raises(blockstore.InvalidArgument, match="call"):
        blockstore.Engine(str(tmp_path / "state"), transport=Incomplete())


def test_a_transport_error_reaches_the_caller_with_its_code(tmp_path, alice):
    class Down(QueueTransport):
        def cast(self, topic, message):
            if topic == "scheduler" and "create_volume" in message:
                raise blockstore.Unavailable("the bus is down")
            super().cast(topic, message)

    with blockstore.Engine(str(tmp_path / "state"), host="downbus", transport=Down()) as engine:
        with pytest.raises(blockstore.Unavailable, match="the bus is down"):
            engine.create_volume(alice, 1)
        # The create that never left is settled at once: error, nothing left creating.
        assert [v.status for v in engine.list_volumes(alice)] == ["error"]
