/// A validator's answer for one entry: never a thrown error, always a decision with a reason.
public enum EntryVerdict: Sendable, Hashable {
    case accept
    case reject(reason: String)
}
