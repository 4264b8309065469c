import CustosCrypto
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A passphrase typed at the controlling terminal (`/dev/tty`) with echo off (review A-M5): never
/// read from a standard input that is not a terminal (a pipe or a file is what
/// `--passphrase-file` is for), never echoed, printed or logged, and the terminal's settings
/// restored afterwards, also when the person interrupts with Ctrl-C.
enum TerminalPassphrase {
    /// The longest passphrase read, in bytes.
    static let maximumBytes = 1024

    /// Asks for the passphrase once (`twice`: a second time, and they must match, for a
    /// passphrase that seals new keys). Ends the command with a one-line error when standard
    /// input is not a terminal, there is no controlling terminal, or the answers are empty,
    /// too long or differ.
    static func read(what: String = "passphrase", twice: Bool = false) -> SecretBytes {
        guard isatty(STDIN_FILENO) == 1 else {
            fail("standard input is not a terminal: give the \(what) with --passphrase-file")
        }
        let fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard fd >= 0 else { fail("no controlling terminal to read the \(what) from: give it with --passphrase-file") }
        defer { close(fd) }
        var first = prompt(fd, "\(what): ")
        defer { Sodium.memzero(&first) }
        if twice {
            var second = prompt(fd, "\(what) again: ")
            defer { Sodium.memzero(&second) }
            guard first == second else { fail("the two \(what)s differ; nothing was done") }
        }
        return SecretBytes(first)
    }

    /// The terminal settings to restore when a signal ends the command with echo off.
    nonisolated(unsafe) private static var saved = termios()
    nonisolated(unsafe) private static var savedFD: Int32 = -1

    /// Writes `text` to the terminal, reads one line with echo off, restores the settings, and
    /// returns the line without its line ending.
    private static func prompt(_ fd: Int32, _ text: String) -> [UInt8] {
        var original = termios()
        guard tcgetattr(fd, &original) == 0 else { fail("cannot read the terminal's settings: give the passphrase with --passphrase-file") }
        var quiet = original
        quiet.c_lflag &= ~tcflag_t(ECHO | ECHOE | ECHOK | ECHONL)
        saved = original
        savedFD = fd
        let handlers = [SIGINT, SIGTERM, SIGHUP, SIGQUIT].map { sig in
            (sig, signal(sig) { caught in
                TerminalPassphrase.restoreSaved()
                _exit(128 + caught)
            })
        }
        guard tcsetattr(fd, TCSAFLUSH, &quiet) == 0 else { fail("cannot turn the terminal's echo off: give the passphrase with --passphrase-file") }
        _ = Array(text.utf8).withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        var line: [UInt8] = []
        line.reserveCapacity(maximumBytes + 1)
        var byte: UInt8 = 0
        var ended = false
        while true {
            let n = Glibc.read(fd, &byte, 1)
            if n < 0 && errno == EINTR { continue }
            guard n == 1 else { break }
            if byte == UInt8(ascii: "\n") { ended = true; break }
            if line.count <= maximumBytes { line.append(byte) }
        }
        byte = 0
        _ = tcsetattr(fd, TCSAFLUSH, &original)
        savedFD = -1
        for (sig, handler) in handlers { signal(sig, handler) }
        _ = Array("\n".utf8).withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        if line.last == UInt8(ascii: "\r") { line.removeLast() }
        guard ended || !line.isEmpty else { Sodium.memzero(&line); fail("no passphrase was typed") }
        guard line.count <= maximumBytes else { Sodium.memzero(&line); fail("a passphrase of more than \(maximumBytes) bytes") }
        guard !line.isEmpty else { fail("an empty passphrase") }
        return line
    }

    /// What the signal handlers do while echo is off, before the command ends: restore the
    /// terminal's settings (`tcsetattr` is async-signal-safe).
    private static func restoreSaved() {
        if savedFD >= 0 { _ = tcsetattr(savedFD, TCSAFLUSH, &saved) }
    }
}
