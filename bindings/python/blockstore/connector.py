"""The host side of attach: open what an attachment's connection info describes.

    info = engine.create_attachment(me, vol.id, connector=blockstore.host_connector()).connection_info
    with blockstore.connect_volume(info, initiator=connector["initiator"]) as f:
        f.seek(1 << 20)
        f.write(b"hello")

The object is a binary file (io.RawIOBase): read, readinto, write, seek, tell, flush, plus
read_at / write_at for positional I/O. Closing it ends the iSCSI session (or detaches the
loop device).
"""

import io
import os

from blockstore import _blockstore
from blockstore import errors as _errors


class VolumeFile(io.RawIOBase):
    """An attached volume as a seekable binary file of fixed size."""

    def __init__(self, device, read_only):
        super().__init__()
        self._dev = device
        self._pos = 0
        self._read_only = read_only

    def _check_closed(self):
        if self.closed:
            raise ValueError("I/O operation on a closed volume file")

    @property
    def size(self):
        return self._dev.size

    def readable(self):
        return True

    def writable(self):
        return not self._read_only

    def seekable(self):
        return True

    def tell(self):
        return self._pos

    def seek(self, offset, whence=os.SEEK_SET):
        if whence == os.SEEK_SET:
            pos = offset
        elif whence == os.SEEK_CUR:
            pos = self._pos + offset
        elif whence == os.SEEK_END:
            pos = self.size + offset
        else:
            raise ValueError("whence must be os.SEEK_SET, SEEK_CUR or SEEK_END")
        if pos < 0:
            raise ValueError("negative seek position")
        self._pos = pos
        return pos

    def readinto(self, buffer):
        self._check_closed()
        with memoryview(buffer) as view, view.cast("B") as b:
            n = self._dev.readinto_at(self._pos, b)
        self._pos += n
        return n

    def write(self, data):
        self._check_closed()
        if self._read_only:
            raise _errors.PermissionDenied("the volume is attached read-only")
        n = self._dev.write_at(self._pos, data)
        self._pos += n
        return n

    def read_at(self, offset, size):
        self._check_closed()
        return self._dev.read_at(offset, size)

    def write_at(self, offset, data):
        self._check_closed()
        return self._dev.write_at(offset, data)

    def flush(self):
        if not self.closed:
            self._dev.flush()

    def close(self):
        if self.closed:
            return
        try:
            super().close()  # flushes first
        finally:
            self._dev.close()


def connect_volume(connection_info, *, initiator="", use_loop_device=False, timeout=30.0,
                   ceph_conf="", ceph_keyring=""):
    """Opens the volume ``connection_info`` describes ({"driver_volume_type", "data"}).

    iscsi needs ``initiator``: this host's iSCSI name, the one its connector gave. local opens
    the file, or with ``use_loop_device`` a kernel loop device over it (root only). rbd opens
    the image through librbd with the keyring the connection carries, else this host's
    ``ceph_conf`` and ``ceph_keyring`` (or Ceph's default configuration). An "ro" access mode
    makes writes fail with PermissionDenied.
    """
    device = _blockstore._connect_volume(
        connection_info, initiator=initiator, use_loop_device=use_loop_device, timeout=timeout,
        ceph_conf=ceph_conf, ceph_keyring=ceph_keyring)
    data = connection_info.get("data") or {}
    return VolumeFile(device, data.get("access_mode") == "ro")
