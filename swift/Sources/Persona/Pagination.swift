import Foundation
import PersonaBindings

/// One page of a list, and the cursor of the next (nil on the last page).
public struct Page<Element: Sendable>: Sendable {
    /// The page's items, in Persona's order.
    public let data: [Element]
    /// Pass as `after:` to fetch the next page; nil when this is the last.
    public let nextCursor: String?
}

/// Every item of a list, fetching pages as you iterate (`for try await item in ...`).
///
/// Nothing is fetched until iteration starts; each page is fetched when the previous one is used
/// up, so breaking out of the loop early stops the fetching. Each iteration starts from the first
/// page again.
public struct AutoPagingSequence<Element: Sendable>: AsyncSequence, Sendable {
    let after: String?
    let fetch: @Sendable (_ after: String?) async throws -> Page<Element>

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(fetch: fetch, cursor: after)
    }

    /// Every item, all pages fetched.
    public func collect() async throws -> [Element] {
        var items: [Element] = []
        for try await item in self {
            items.append(item)
        }
        return items
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let fetch: @Sendable (_ after: String?) async throws -> Page<Element>
        var cursor: String?
        var buffer: [Element] = []
        var index = 0
        var exhausted = false

        public mutating func next() async throws -> Element? {
            while index >= buffer.count {
                if exhausted {
                    return nil
                }
                let page = try await fetch(cursor)
                buffer = page.data
                index = 0
                cursor = page.nextCursor
                exhausted = page.nextCursor == nil
            }
            let item = buffer[index]
            index += 1
            return item
        }
    }
}

func listParams(_ pageSize: Int?, _ after: String?, _ filters: [String: String]) -> PersonaBindings.ListParams {
    PersonaBindings.ListParams(pageSize: pageSize.map { UInt32(clamping: $0) }, after: after, filters: filters)
}
