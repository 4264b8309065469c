import Foundation

/// Runs blocking work — waiting for a child process, starting a server — on a thread of its
/// own, and suspends the calling task until it ends. Swift's cooperative pool has one thread
/// per core (two on CI): a test that blocks one of them in `waitUntilExit` stalls every other
/// test of the process, and their long polls and time limits run out. Everything in the tests
/// that waits on another process goes through here.
public enum Blocking {
    public static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try body() }) }.start()
        }
    }
}
