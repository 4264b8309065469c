/// The most recent `capacity` elements appended, oldest first: appending to a full one drops
/// the oldest. A ring buffer, so that an append costs O(1) however many are kept (dropping the
/// first element of an `Array` moves every other one). Read as a random-access collection in
/// the order the elements were appended.
public struct RecentItems<Element>: RandomAccessCollection {
    /// How many elements are kept at most.
    public let capacity: Int
    /// The kept elements; once `capacity` are kept, the oldest is at `oldest` and the newest
    /// just before it (cyclically).
    private var storage: [Element] = []
    private var oldest = 0

    public init(capacity: Int) {
        precondition(capacity > 0, "RecentItems keeps at least one element")
        self.capacity = capacity
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { storage.count }

    /// The `position`-th oldest element kept.
    public subscript(position: Int) -> Element {
        precondition(position >= 0 && position < storage.count, "index \(position) out of the \(storage.count) elements kept")
        let i = oldest + position
        return storage[i < storage.count ? i : i - storage.count]
    }

    /// Keeps `element` as the newest, dropping the oldest when `capacity` are kept already.
    public mutating func append(_ element: Element) {
        if storage.count < capacity {
            storage.append(element)
        } else {
            storage[oldest] = element
            oldest = oldest + 1 == capacity ? 0 : oldest + 1
        }
    }
}

extension RecentItems: Sendable where Element: Sendable {}

/// Two are equal when they keep the same elements in the same order (however the ring is laid out).
extension RecentItems: Equatable where Element: Equatable {
    public static func == (a: Self, b: Self) -> Bool { a.elementsEqual(b) }
}

extension RecentItems: Codable where Element: Codable {}
