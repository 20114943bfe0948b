"""Where finished documents are kept. A directory by default (DOCUMENTS_FILES_DIR); the service
uses nothing but `put`, `get` and `exists`, which an S3-compatible store could take over."""
import hashlib
import os
import tempfile


class Directory:
    def __init__(self, root):
        self.root = os.path.abspath(root)

    def _path(self, key):
        path = os.path.abspath(os.path.join(self.root, key))
        if not path.startswith(self.root + os.sep):
            raise ValueError(f"bad file key {key!r}")
        return path

    def put(self, key, data):
        """Write whole or not at all (a reader never sees half a file); returns its sha256."""
        path = self._path(key)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".part-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        return hashlib.sha256(data).hexdigest()

    def get(self, key):
        with open(self._path(key), "rb") as f:
            return f.read()

    def exists(self, key):
        return os.path.exists(self._path(key))
