extension SigningHaltRecord {
    /// What a node whose identity was restored elsewhere says, every time it is asked to vote.
    public static func restoredElsewhereReason(height: UInt64) -> String {
        "this node's identity was restored elsewhere at height \(height); it must not vote"
    }
}
