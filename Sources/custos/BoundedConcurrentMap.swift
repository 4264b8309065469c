/// `body` applied to each of `items`, at most `width` at a time; the results in the order of
/// `items`.
func boundedConcurrentMap<T: Sendable, R: Sendable>(_ items: [T], width: Int = 8, _ body: @escaping @Sendable (T) async -> R) async -> [R] {
    await withTaskGroup(of: (Int, R).self) { group in
        var results = [R?](repeating: nil, count: items.count)
        var next = 0
        while next < min(width, items.count) {
            let i = next
            group.addTask { (i, await body(items[i])) }
            next += 1
        }
        while let (i, result) = await group.next() {
            results[i] = result
            if next < items.count {
                let j = next
                group.addTask { (j, await body(items[j])) }
                next += 1
            }
        }
        return results.compactMap { $0 }
    }
}
