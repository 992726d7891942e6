-- Remember a file's SHA-256 with the size and mtime it had when hashed.
insert or replace into file_hashes values ($path, $size_bytes, $mtime_ns, $sha256)
