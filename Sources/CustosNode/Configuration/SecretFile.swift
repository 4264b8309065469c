import CustosCore
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Files only their owner reads (mode 0600 from their creation, never readable by others even
/// for a moment), written whole and durably: a reader sees the old file or the complete new
/// one, never a part, and the content and its name are on disk when `write` returns.
public enum SecretFile {
    /// Writes `bytes` to `path` through a new temporary file (O_EXCL), fsync, rename(2) and an
    /// fsync of the folder. With `replacing` false, refuses (`alreadyExists`) when `path` exists.
    public static func write(_ path: String, _ bytes: [UInt8], replacing: Bool = true) throws(StorageError) {
        let temporary = path + ".tmp"
        unlink(temporary)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { throw StorageError(.databaseFailure, "cannot create \(temporary): \(Self.lastError)") }
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(fd) == 0 else {
            let reason = Self.lastError
            close(fd)
            unlink(temporary)
            throw StorageError(.databaseFailure, "cannot write \(temporary): \(reason)")
        }
        close(fd)
        if replacing {
            guard rename(temporary, path) == 0 else { throw StorageError(.databaseFailure, "cannot replace \(path): \(Self.lastError)") }
        } else {
            // link(2) refuses an existing name atomically, where a check before rename would race.
            let linked = link(temporary, path)
            let reason = errno
            unlink(temporary)
            guard linked == 0 else {
                if reason == EEXIST { throw StorageError(.alreadyExists, "\(path) already exists; refusing to replace it") }
                throw StorageError(.databaseFailure, "cannot create \(path): \(String(cString: strerror(reason)))")
            }
        }
        let parent = (path as NSString).deletingLastPathComponent
        let folder = open(parent.isEmpty ? "." : parent, O_RDONLY)
        if folder >= 0 {
            fsync(folder)
            close(folder)
        }
    }

    private static var lastError: String { String(cString: strerror(errno)) }
}
