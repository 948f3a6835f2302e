"""Transport: the bus the engine's roles talk over, written by the host.

Subclass it and pass an instance as ``Engine(state_path, transport=...)``. Messages are JSON
text. The engine calls these methods from its own threads (each call holds the GIL):

- ``listen(topic, handler, workers)``: serve ``topic`` ("scheduler", "volume.<host@backend>",
  "backup"): run each message for it through ``handler(message) -> reply`` on up to ``workers``
  threads of your own, and acknowledge it to your bus once the handler returns. ``handler``
  raises a :class:`blockstore.Error` for a message it refuses.
- ``cast(topic, message)``: queue the message for the topic's listener and return.
- ``call(topic, message, timeout)``: the same, then wait up to ``timeout`` seconds for the
  handler's reply (a str); raise the handler's error, or :class:`blockstore.DeadlineExceeded`.
- ``fanout(topic, message)`` (optional): to every process listening on the topic; the default
  is a cast.
- ``shutdown()`` (optional): let the messages in flight finish, then stop your threads; the
  engine's close calls it once.

Raise :class:`blockstore.Unavailable` when nobody listens on a topic or the bus is down.
"""


class Transport:
    """Base class of a host's transport; see the module's documentation."""

    def listen(self, topic, handler, workers):
        raise NotImplementedError

    def cast(self, topic, message):
        raise NotImplementedError

    def call(self, topic, message, timeout):
        raise NotImplementedError

    def fanout(self, topic, message):
        self.cast(topic, message)

    def shutdown(self):
        pass
