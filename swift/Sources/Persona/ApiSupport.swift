import Foundation
import PersonaBindings

/// What an operation answered: the whole JSON document (`bodyJSON`: `data`, `included`, `meta`,
/// `links`), the HTTP status, request id and attempts. Prints status and request id only: bodies
/// hold personal data.
public struct Response: Sendable, CustomStringConvertible {
    public let status: Int
    public let requestID: String?
    public let attempts: Int
    public let bodyJSON: String
    /// A list's `page[after]` for the next page (`links.next`); nil on the last page.
    public let nextCursor: String?
    /// A list's `page[before]` for the previous page (`links.prev`); nil on the first page.
    public let previousCursor: String?

    /// The document, decoded.
    public func body() throws -> Any {
        try JSONSerialization.jsonObject(with: Data(bodyJSON.utf8), options: [.fragmentsAllowed])
    }

    /// `data` when it is one resource object.
    public var resource: [String: Any]? { ((try? body()) as? [String: Any])?["data"] as? [String: Any] }

    /// The primary resource's `id` (nil for a list).
    public var id: String? { resource?["id"] as? String }

    /// The primary resource's `attributes`, every one as sent (empty for a list).
    public var attributes: [String: Any] { resource?["attributes"] as? [String: Any] ?? [:] }

    /// The `included` resources that `relationship` of `resource` (default: the primary `data`)
    /// points to, in the relationship's order: the library's rule, as in every language. Only what
    /// the call asked for with `include` can be found.
    public func related(_ relationship: String, of resource: [String: Any]? = nil) throws -> [[String: Any]] {
        let resourceText = try resource.map(jsonText)
        let texts = try bridging { try relatedResources(documentJson: bodyJSON, relationship: relationship, resourceJson: resourceText) }
        return texts.compactMap { text in
            (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
        }
    }

    public var description: String { "Response(status: \(status), requestID: \(requestID ?? "nil"))" }
}

/// A file an operation answered (the `print` operations' PDFs). Prints its size, not its bytes.
public struct BinaryResponse: Sendable, CustomStringConvertible {
    public let status: Int
    public let requestID: String?
    public let attempts: Int
    public let content: Data
    public let contentType: String?

    public var description: String { "BinaryResponse(status: \(status), contentType: \(contentType ?? "nil"), size: \(content.count))" }
}

/// Every operation of Persona's API as an `async` method, by group (`client.api.inquiries`),
/// generated from Persona's OpenAPI document into Api.swift. Path parameters first; everything else
/// is what the operation declares, checked again by the library.
public struct Api: Sendable {
    let client: PersonaBindings.Client

    /// One operation by id, with the generated method's arguments (nil ones left out).
    func call(_ operationID: String, _ arguments: [String: Any?]) async throws -> Reply {
        var call: [String: Any] = [:]
        for (name, value) in arguments {
            if let value = value { call[name] = value }
        }
        let text = try jsonText(call)
        return try await bridgingAsync { try await client.call(operationId: operationID, callJson: text) }
    }

    /// `page`: only the members given.
    static func page(_ size: Int?, _ after: String?, _ before: String?) -> [String: Any]? {
        var page: [String: Any] = [:]
        if let size = size { page["size"] = size }
        if let after = after { page["after"] = after }
        if let before = before { page["before"] = before }
        return page.isEmpty ? nil : page
    }

    /// The pages of a list call, one request each, along `links.next` (`links.prev` when
    /// `backward`), until a page has no link onward or one that does not move. `arguments` makes the
    /// call's arguments for a `page[after]`/`page[before]` pair.
    func pages(
        _ operationID: String, after: String?, before: String?, backward: Bool,
        _ arguments: @escaping (String?, String?) -> [String: Any?]
    ) -> AsyncThrowingStream<Response, Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                var pageAfter = after
                var pageBefore = before
                do {
                    while !Task.isCancelled {
                        let page = try await call(operationID, arguments(pageAfter, pageBefore)).json()
                        continuation.yield(page)
                        let onward = backward ? page.previousCursor : page.nextCursor
                        guard let cursor = onward, cursor != (backward ? pageBefore : pageAfter) else { break }
                        if backward { pageBefore = cursor } else { pageAfter = cursor }
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// `form`: name/value pairs in the order given.
    static func form(_ pairs: [(String, String)]?) -> [[String]]? {
        pairs.map { $0.map { [$0.0, $0.1] } }
    }
}

// `dump()`, debuggers and playgrounds show what `description` shows: never a body, which holds
// personal data.
extension Response: CustomReflectable {
    public var customMirror: Mirror { Mirror(self, children: ["status": status, "requestID": requestID as Any]) }
}

extension BinaryResponse: CustomReflectable {
    public var customMirror: Mirror { Mirror(self, children: ["status": status, "size": content.count]) }
}

extension Reply {
    func json() -> Response {
        Response(
            status: Int(status), requestID: requestId, attempts: Int(attempts), bodyJSON: bodyJson ?? "null",
            nextCursor: nextCursor, previousCursor: previousCursor
        )
    }

    func binary() -> BinaryResponse {
        BinaryResponse(status: Int(status), requestID: requestId, attempts: Int(attempts), content: bytes ?? Data(), contentType: contentType)
    }
}

/// The typed models (`Inquiry`, `Account`, `Verification`, …, `Resource`), read by the library's
/// core with the rules every language shares: `response.model()` → `.inquiry(value:)` with its
/// `status` (an open enum: `.other(value:)` keeps an unlisted one), `referenceId`, … Models print
/// their type and id only.
extension Response {
    /// The primary resource read into its typed model; nil without data. A list throws: use
    /// `models()`.
    public func model() throws -> PersonaBindings.Resource? {
        try bridging { try documentModel(documentJson: bodyJSON) }
    }

    /// Every resource of the primary `data` read into its typed model (a list's items).
    public func models() throws -> [PersonaBindings.Resource] {
        try bridging { try documentModels(documentJson: bodyJSON) }
    }
}

extension WebhookEvent {
    /// The resource the event carries read into its typed model: `inquiry.completed` →
    /// `.inquiry(value:)`; nil when the payload has no data.
    public func model() throws -> PersonaBindings.Resource? {
        try bridging { try documentModel(documentJson: payloadJSON) }
    }
}
