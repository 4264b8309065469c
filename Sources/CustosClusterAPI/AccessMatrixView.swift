import CustosPolicy

/// `GET /v1/access-matrix` and `POST /v1/access-matrix`: the access matrix (`AccessMatrix`) of the
/// policy in force, or of a document compiled with the registries in force, at the gateway's
/// committed height. The gateway's computation over its copy of the state; the CLI writes the
/// note itself.
public struct AccessMatrixView: Codable, Sendable, Equatable {
    /// The body of `POST /v1/access-matrix`.
    public struct Query: Codable, Sendable, Equatable {
        /// A policy document (YAML).
        public var policy: String

        public init(policy: String) { self.policy = policy }
    }

    public var height: UInt64
    public var note: String
    /// The version of the document the matrix is of.
    public var policyVersion: Int
    public var matrix: AccessMatrix

    public init(height: UInt64, policyVersion: Int, matrix: AccessMatrix) {
        self.height = height
        note = PolicyReplayView.note(height: height)
        self.policyVersion = policyVersion
        self.matrix = matrix
    }
}
