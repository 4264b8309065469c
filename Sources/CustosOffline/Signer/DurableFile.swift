import CustosCore
import Foundation

/// Writes that survive a crash: to a temporary file, fsync'd, renamed over the target, and the
/// directory fsync'd, so the target holds the old bytes or the new ones, never a part.
enum DurableFile {
    static func write(_ bytes: [UInt8], to url: URL, mode: mode_t = 0o600) throws(OfflineError) {
        let temporary = url.path + ".tmp"
        unlink(temporary)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode)
        guard fd >= 0 else { throw OfflineError(.io, "cannot write \(url.path)") }
        let written = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd)
        close(fd)
        guard written == bytes.count, synced == 0, rename(temporary, url.path) == 0 else {
            unlink(temporary)
            throw OfflineError(.io, "cannot write \(url.path)")
        }
        let dir = open(url.deletingLastPathComponent().path, O_RDONLY)
        guard dir >= 0 else { throw OfflineError(.io, "cannot sync \(url.deletingLastPathComponent().path)") }
        defer { close(dir) }
        guard fsync(dir) == 0 else { throw OfflineError(.io, "cannot sync \(url.deletingLastPathComponent().path)") }
    }

    static func read(_ url: URL) throws(OfflineError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: url.path) else { throw OfflineError(.io, "cannot read \(url.path)") }
        return Array(data)
    }

    /// Makes `url` (and its missing parents), then syncs its parent, so that a record written into
    /// it right after survives a power cut (review helper-143 L7).
    static func makeDirectory(_ url: URL) throws(OfflineError) {
        let existed = FileManager.default.fileExists(atPath: url.path)
        do { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700]) } catch {
            throw OfflineError(.io, "cannot make \(url.path)")
        }
        guard !existed else { return }
        let parent = url.deletingLastPathComponent().path
        let dir = open(parent, O_RDONLY)
        guard dir >= 0 else { throw OfflineError(.io, "cannot sync \(parent)") }
        defer { close(dir) }
        guard fsync(dir) == 0 else { throw OfflineError(.io, "cannot sync \(parent)") }
    }
}
