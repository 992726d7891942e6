-- A remembered SHA-256 for a file whose path, size and mtime are unchanged.
select sha256 from file_hashes
where path = $path and size_bytes = $size_bytes and mtime_ns = $mtime_ns
