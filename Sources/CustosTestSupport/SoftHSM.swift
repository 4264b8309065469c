import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// SoftHSM2 (Debian's `softhsm2`) tokens for tests: a token store in a temporary directory,
/// named by `SOFTHSM2_CONF` for this process and the `custos` processes it starts, with the
/// tokens `labels` initialized once per process (a loaded module sees only the tokens that
/// existed when it was initialized). Every token has the user PIN `pin`.
///
/// What it leaves: `SOFTHSM2_CONF` stays set in the test process's environment until it exits
/// (every child it starts afterwards sees it; no shell or later process does). The store's
/// directory, `$TMPDIR/custos-softhsm-<uuid>`, is removed when the test process exits normally
/// (`atexit`); a test process killed by a signal leaves it behind, and removing
/// `$TMPDIR/custos-softhsm-*` then is safe whenever no test runs.
public enum SoftHSM {
    public static let module = "/usr/lib/softhsm/libsofthsm2.so"
    public static let pin = "123456"
    /// One token per test suite, so one suite's logged-in session never lets another's wrong PIN through.
    public static let labels = ["custos-test", "custos-node-keys", "custos-node-process", "custos-cluster-init", "custos-backup"]

    /// The token store, initialized on first use; fails with a clear reason when SoftHSM2 is missing.
    public static let tokens: Result<Void, TestEnvironmentError> = {
        let dir = directory
        atexit { try? FileManager.default.removeItem(at: SoftHSM.directory) }
        let tokens = dir.appendingPathComponent("tokens")
        let conf = dir.appendingPathComponent("softhsm2.conf")
        do {
            try FileManager.default.createDirectory(at: tokens, withIntermediateDirectories: true)
            try "directories.tokendir = \(tokens.path)\nobjectstore.backend = file\nlog.level = ERROR\n"
                .write(to: conf, atomically: true, encoding: .utf8)
        } catch {
            return .failure(TestEnvironmentError("cannot write the SoftHSM2 configuration: \(error)"))
        }
        setenv("SOFTHSM2_CONF", conf.path, 1)
        for label in labels {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/softhsm2-util")
            process.arguments = ["--init-token", "--free", "--label", label, "--so-pin", "87654321", "--pin", pin]
            process.standardOutput = FileHandle.nullDevice
            do { try process.run() } catch { return .failure(TestEnvironmentError("softhsm2-util is missing: run scripts/install-deps.sh")) }
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { return .failure(TestEnvironmentError("softhsm2-util --init-token \(label) failed")) }
        }
        return .success(())
    }()

    /// This process's token store (configuration and tokens), removed at exit.
    static let directory = FileManager.default.temporaryDirectory.appendingPathComponent("custos-softhsm-\(UUID().uuidString)")

    /// The label of an initialized token from `labels`.
    public static func token(_ label: String) throws -> String {
        precondition(labels.contains(label), "add \(label) to SoftHSM.labels")
        try tokens.get()
        return label
    }
}
