"""A volume driver written in Python: volumes as sparse files in one directory (the backend
option ``path``), snapshots and clones as sparse copies. The driver conformance suite runs
against it as it does against the built-in drivers and the C one."""
import os
import shutil
import threading
import uuid

import blockstore

GIB = 1 << 30


def _id(value):
    """A record's id as a file name: it must be a UUID."""
    try:
        return str(uuid.UUID(value))
    except (ValueError, TypeError):
        raise blockstore.InvalidArgument(f"{value!r} is not a UUID") from None


class FileDevice(blockstore.BlockDevice):
    concurrent = True  # os.pread and os.pwrite on one descriptor

    def __init__(self, path, read_only=False):
        self._read_only = read_only
        self._fd = os.open(path, os.O_RDONLY if read_only else os.O_RDWR)
        self._size = os.fstat(self._fd).st_size

    def size(self):
        return self._size

    def read(self, offset, length):
        return os.pread(self._fd, max(0, min(length, self._size - offset)), offset)

    def write(self, offset, data):
        if self._read_only:
            raise blockstore.PermissionDenied("the snapshot is read-only")
        if offset + len(data) > self._size:
            raise blockstore.InvalidArgument("write past the end of the volume")
        done = 0
        while done < len(data):
            done += os.pwrite(self._fd, data[done:], offset + done)

    def flush(self):
        os.fdatasync(self._fd)

    def allocated(self):
        out, at = [], 0
        while at < self._size:
            try:
                data = os.lseek(self._fd, at, os.SEEK_DATA)
            except OSError:
                break  # no data after `at`
            hole = os.lseek(self._fd, data, os.SEEK_HOLE)
            out.append((data, hole - data))
            at = hole
        return out

    def close(self):
        os.close(self._fd)


def sparse_copy(source, target, size):
    part = target + ".part"
    with open(source, "rb") as src, open(part, "wb") as dst:
        fd = src.fileno()
        at = 0
        while True:
            try:
                data = os.lseek(fd, at, os.SEEK_DATA)
            except OSError:
                break
            hole = os.lseek(fd, data, os.SEEK_HOLE)
            while data < hole:
                chunk = os.pread(fd, min(1 << 20, hole - data), data)
                os.pwrite(dst.fileno(), chunk, data)
                data += len(chunk)
            at = hole
        dst.truncate(size)
        os.fsync(dst.fileno())
    os.replace(part, target)


class SparseDirDriver(blockstore.VolumeDriver):
    def __init__(self, backend):
        super().__init__(backend)
        options = dict(backend["options"])
        self.path = options.pop("path", "")
        self.pool = options.pop("pool_name", "sparse")
        if not self.path.startswith("/"):
            raise blockstore.InvalidArgument("sparse_dir: the option 'path' must be an absolute directory")
        if options:
            raise blockstore.InvalidArgument(f"sparse_dir: unknown option '{sorted(options)[0]}'")
        self._lock = threading.Lock()

    def _file(self, kind, record_id):
        return os.path.join(self.path, f"{kind}-{_id(record_id)}")

    def initialize(self):
        os.makedirs(self.path, exist_ok=True)
        for name in os.listdir(self.path):  # half-made copies a crash left
            if name.endswith(".part"):
                os.unlink(os.path.join(self.path, name))

    def default_pool(self):
        return self.pool

    def create_volume(self, volume):
        path = self._file("volume", volume.id)
        with open(path, "ab") as f:
            if f.tell() < volume.size * GIB:
                f.truncate(volume.size * GIB)

    def create_volume_from_snapshot(self, volume, snapshot):
        sparse_copy(self._file("snapshot", snapshot.id), self._file("volume", volume.id), volume.size * GIB)

    def create_cloned_volume(self, volume, source):
        sparse_copy(self._file("volume", source.id), self._file("volume", volume.id), volume.size * GIB)

    def delete_volume(self, volume):
        try:
            os.unlink(self._file("volume", volume.id))
        except FileNotFoundError:
            pass

    def extend_volume(self, volume, new_size_gb):
        path = self._file("volume", volume.id)
        if os.path.getsize(path) > new_size_gb * GIB:
            raise blockstore.InvalidArgument("extend would shrink the volume")
        os.truncate(path, new_size_gb * GIB)

    def create_snapshot(self, snapshot, volume):
        source = self._file("volume", volume.id)
        sparse_copy(source, self._file("snapshot", snapshot.id), os.path.getsize(source))

    def delete_snapshot(self, snapshot):
        try:
            os.unlink(self._file("snapshot", snapshot.id))
        except FileNotFoundError:
            pass

    def volume_size(self, volume):
        try:
            return os.path.getsize(self._file("volume", volume.id))
        except FileNotFoundError:
            raise blockstore.NotFound(f"volume {volume.id} has no file") from None

    def get_stats(self):
        usage = shutil.disk_usage(self.path)
        return {"vendor_name": "example", "driver_version": "1.0", "storage_protocol": "file",
                "pools": [{"pool_name": self.pool, "total_capacity_gb": usage.total / GIB,
                           "free_capacity_gb": usage.free / GIB, "thin_provisioning_support": True,
                           "thick_provisioning_support": False}]}

    def open_volume(self, volume):
        try:
            return FileDevice(self._file("volume", volume.id))
        except FileNotFoundError:
            raise blockstore.NotFound(f"volume {volume.id} has no file") from None

    def open_snapshot(self, snapshot):
        return FileDevice(self._file("snapshot", snapshot.id), read_only=True)

    def initialize_connection(self, volume, existing_export, connector):
        path = self._file("volume", volume.id)
        if not os.path.exists(path):
            raise blockstore.NotFound(f"volume {volume.id} has no file")
        return {"export": {"location": path, "auth": ""},
                "connection_info": {"driver_volume_type": "local", "data": {"device_path": path}}}

    def initialize_snapshot_connection(self, snapshot, connector):
        return {"driver_volume_type": "local",
                "data": {"device_path": self._file("snapshot", snapshot.id), "access_mode": "ro"}}

    def revert_to_snapshot(self, volume, snapshot):
        path = self._file("volume", volume.id)
        sparse_copy(self._file("snapshot", snapshot.id), path, os.path.getsize(path))
