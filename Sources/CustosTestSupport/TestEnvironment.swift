import CustosCore
import Foundation

/// Where the test suite finds what lives outside Swift: the package root, the standards'
/// vectors in `../shared/vectors`, and the Python test peers in `.venv` (made by
/// `scripts/install-deps.sh`). Used by tests only.
public enum TestEnvironment {
    /// The package root, derived from this file's location.
    public static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // CustosTestSupport
        .deletingLastPathComponent()  // Sources
        .deletingLastPathComponent()

    /// `../shared/vectors/<relativePath>` next to the repository.
    public static func vectorURL(_ relativePath: String) -> URL {
        packageRoot.deletingLastPathComponent()
            .appendingPathComponent("shared/vectors")
            .appendingPathComponent(relativePath)
    }

    /// The bytes of a vector file; throws a clear error naming the path when it is missing.
    public static func vectorData(_ relativePath: String) throws -> Data {
        let url = vectorURL(relativePath)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw TestEnvironmentError("vector file missing: \(url.path)")
        }
        return data
    }
}

public struct TestEnvironmentError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
