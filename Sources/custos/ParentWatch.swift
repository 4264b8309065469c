import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A child of `custos dev up` stops with its parent however the parent ends — Ctrl-C, SIGTERM,
/// SIGKILL, a crash: when the process that started it is gone (this process has been handed to
/// another parent), it sends itself SIGTERM, which its service group turns into a graceful
/// shutdown (and exits anyway 15 s later). Foundation's `Process` cannot ask the kernel for a
/// parent-death signal, so a thread looks four times a second.
enum ParentWatch {
    /// Starts watching, if `parent` is given and is still this process's parent; a parent that
    /// is already gone stops this process at once.
    static func start(parent: Int32?) {
        guard let parent else { return }
        let thread = Thread {
            while getppid() == parent { usleep(250_000) }
            kill(getpid(), SIGTERM)
            // A shutdown that does not finish must not leave an orphan behind.
            sleep(15)
            _exit(1)
        }
        thread.name = "custos.parent-watch"
        thread.start()
    }
}
