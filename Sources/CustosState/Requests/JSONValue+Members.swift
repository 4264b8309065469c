import CustosCore

extension JSONValue {
    /// The members of this object by name, for reading a request body strictly: refuses, with
    /// `invalid` and a reason naming `at`, a value that is not an object, a member not in
    /// `allowed` (listing the allowed ones) and a missing `required` member.
    func members(
        _ at: String, allowed: Set<String>, required: [String], invalid: (String) -> GovernanceError
    ) throws(GovernanceError) -> [String: JSONValue] {
        guard case .object(let members) = self else { throw invalid("\(at) is a \(typeName), not an object") }
        var out: [String: JSONValue] = [:]
        for member in members {
            guard allowed.contains(member.key) else {
                throw invalid("\(at) has unknown member \"\(member.key.printable(limit: 64))\"; allowed: \(allowed.sorted().joined(separator: ", "))")
            }
            out[member.key] = member.value
        }
        for key in required where out[key] == nil { throw invalid("\(at) is missing \(key)") }
        return out
    }
}
