/// Assigns dense indices to names (chains, assets, roles, tags, ...) at compile time, so that
/// evaluation compares integers.
struct Interner: Sendable {
    private(set) var index: [String: Int] = [:]
    private(set) var names: [String] = []

    @discardableResult
    mutating func intern(_ name: String) -> Int {
        if let i = index[name] { return i }
        index[name] = names.count
        names.append(name)
        return names.count - 1
    }

    /// The index of a name, or -1 when the policy never mentions it.
    @inline(__always)
    func lookup(_ name: String) -> Int { index[name] ?? -1 }

    var count: Int { names.count }
}
