/// A person whose roles do not count yet: the enforced onboarding steps they have not completed.
public struct OnboardingGap: Sendable, Hashable, Codable {
    public let person: String
    /// Step names, in the policy's order; not empty.
    public let missing: [String]

    public init(person: String, missing: [String]) {
        self.person = person
        self.missing = missing
    }

    /// "erin has not completed onboarding: missing security_training, hardware_key".
    public var text: String { "\(person) has not completed onboarding: missing \(missing.joined(separator: ", "))" }
}
