import CustosCore
import Foundation

extension SLIP39 {
    /// One group of a split: `threshold` of its `count` members recover the group's share.
    public struct MemberGroup: Sendable, Hashable, CustomStringConvertible {
        public let threshold: Int
        public let count: Int

        public init(threshold: Int, count: Int) {
            self.threshold = threshold
            self.count = count
        }

        /// Reads "2of3" (or "2-of-3"); refuses anything else, naming it.
        public init(parsing text: String) throws(BackupError) {
            let parts = text.lowercased().replacingOccurrences(of: "-", with: "").components(separatedBy: "of")
            guard parts.count == 2, let threshold = Int(parts[0]), let count = Int(parts[1]) else {
                throw BackupError(.invalidParameters, "a group is written THRESHOLDofCOUNT, e.g. 2of3, not \(text.printable(limit: 40))")
            }
            self.init(threshold: threshold, count: count)
        }

        public var description: String { "\(threshold)of\(count)" }
    }
}
