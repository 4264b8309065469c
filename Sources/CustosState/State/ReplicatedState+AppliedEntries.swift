extension ReplicatedState {
    /// While bound in a task, counts every entry that task runs through `apply(_:blockTime:)` —
    /// trial applications, validation and commits alike — so a test or a metric can see how often
    /// the transition really runs. Unbound (the default) nothing is counted.
    @TaskLocal package static var appliedEntries: AppliedEntryCounter?
}
