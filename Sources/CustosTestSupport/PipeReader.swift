import Foundation

/// Drains a pipe on its own thread and hands back what it read, so that a child process
/// writing to two pipes can never block on a full one.
final class PipeReader: @unchecked Sendable {
    // @unchecked: `data` is written once by the reader thread before `done` is signalled and
    // read only after waiting on it.
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread {
            self.data = handle.readDataToEndOfFile()
            self.done.signal()
        }.start()
    }

    func text() -> String {
        done.wait()
        return String(decoding: data, as: UTF8.self)
    }
}
