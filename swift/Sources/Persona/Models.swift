import Foundation
import PersonaBindings

// Values returned by PersonaClient. Each keeps the whole JSON:API resource object as sent
// (`resourceJSON`, unknown attributes included) and exposes the common fields as properties.
// Descriptions show ids and statuses only: attributes can hold personal data.
// JSON is stored as String and handed out as Data: String is Sendable on every platform, while
// Data's Sendable conformance is missing from older Linux Foundations.

/// An inquiry.
public struct Inquiry: Equatable, Sendable, CustomStringConvertible {
    /// `inq_...`.
    public let id: String
    /// `created`, `pending`, `completed`, `approved`, `declined`, `expired`, ...
    public let status: String
    /// Your reference id, when set.
    public let referenceID: String?
    /// `created-at`, as sent.
    public let createdAt: String?
    /// The whole JSON:API resource object (`type`, `id`, `attributes`, `relationships`).
    public var resourceJSON: Data { Data(json.utf8) }
    let json: String

    init(_ record: PersonaBindings.Inquiry) {
        id = record.id
        status = record.status
        referenceID = record.referenceId
        createdAt = record.createdAt
        json = record.resourceJson
    }

    /// The resource object, parsed.
    public var raw: [String: Any] { jsonObject(resourceJSON) }
    /// Every attribute as sent, unknown ones included.
    public var attributes: [String: Any] { raw["attributes"] as? [String: Any] ?? [:] }
    /// Decodes ``resourceJSON`` into your own type.
    public func decode<T: Decodable>(_ type: T.Type, using decoder: JSONDecoder = JSONDecoder()) throws -> T {
        try decoder.decode(type, from: resourceJSON)
    }

    public var description: String { "Inquiry(id: \(id), status: \(status))" }
}

/// An account.
public struct Account: Equatable, Sendable, CustomStringConvertible {
    /// `act_...`.
    public let id: String
    /// Your reference id, when set.
    public let referenceID: String?
    /// The whole JSON:API resource object.
    public var resourceJSON: Data { Data(json.utf8) }
    let json: String

    init(_ record: PersonaBindings.Account) {
        id = record.id
        referenceID = record.referenceId
        json = record.resourceJson
    }

    /// The resource object, parsed.
    public var raw: [String: Any] { jsonObject(resourceJSON) }
    /// Every attribute as sent, unknown ones included.
    public var attributes: [String: Any] { raw["attributes"] as? [String: Any] ?? [:] }
    /// Decodes ``resourceJSON`` into your own type.
    public func decode<T: Decodable>(_ type: T.Type, using decoder: JSONDecoder = JSONDecoder()) throws -> T {
        try decoder.decode(type, from: resourceJSON)
    }

    public var description: String { "Account(id: \(id))" }
}

/// Any other resource: a verification, an event or a webhook.
public struct Resource: Equatable, Sendable, CustomStringConvertible {
    /// The JSON:API `type` (`verification/government-id`, `event`, `webhook`, ...).
    public let type: String
    /// The resource id.
    public let id: String
    /// The whole JSON:API resource object.
    public var resourceJSON: Data { Data(json.utf8) }
    let json: String

    init(_ record: PersonaBindings.Resource) {
        type = record.kind
        id = record.id
        json = record.resourceJson
    }

    /// The resource object, parsed.
    public var raw: [String: Any] { jsonObject(resourceJSON) }
    /// Every attribute as sent, unknown ones included.
    public var attributes: [String: Any] { raw["attributes"] as? [String: Any] ?? [:] }
    /// Decodes ``resourceJSON`` into your own type.
    public func decode<T: Decodable>(_ type: T.Type, using decoder: JSONDecoder = JSONDecoder()) throws -> T {
        try decoder.decode(type, from: resourceJSON)
    }

    public var description: String { "Resource(type: \(type), id: \(id))" }
}

/// A raw API response (``PersonaClient/request(_:_:query:json:idempotencyKey:)``).
public struct APIResponse: Equatable, Sendable, CustomStringConvertible {
    /// The HTTP status (2xx: error statuses throw ``PersonaError/api(_:)``).
    public let status: Int
    /// Persona's request id.
    public let requestID: String?
    /// The JSON body.
    public var body: Data { Data(bodyText.utf8) }
    let bodyText: String
    /// How many attempts the request took (retries included).
    public let attempts: Int

    init(_ record: PersonaBindings.ApiResponse) {
        status = Int(record.status)
        requestID = record.requestId
        bodyText = record.bodyJson
        attempts = Int(record.attempts)
    }

    /// The body, parsed (`[String: Any]` for a JSON object).
    public func json() throws -> Any {
        try JSONSerialization.jsonObject(with: body)
    }

    /// Decodes the body into your own type.
    public func decode<T: Decodable>(_ type: T.Type, using decoder: JSONDecoder = JSONDecoder()) throws -> T {
        try decoder.decode(type, from: body)
    }

    public var description: String {
        "APIResponse(status: \(status), requestID: \(requestID ?? "nil"), \(body.count) bytes)"
    }
}

func jsonObject(_ data: Data) -> [String: Any] {
    ((try? JSONSerialization.jsonObject(with: data)) as? [String: Any]) ?? [:]
}

/// JSON text for attributes and request bodies; anything JSONSerialization cannot write is
/// ``PersonaError/invalidInput(code:message:)`` (`invalid_json`), never a crash.
func jsonText(_ object: [String: Any]) throws -> String {
    guard JSONSerialization.isValidJSONObject(object),
          let data = try? JSONSerialization.data(withJSONObject: object),
          let text = String(data: data, encoding: .utf8)
    else {
        throw PersonaError.invalidInput(code: "invalid_json", message: "attributes are not representable as a JSON object")
    }
    return text
}

// `dump()`, debuggers and playgrounds show what `description` shows: type and id, no attributes.
extension Inquiry: CustomReflectable {
    public var customMirror: Mirror { Mirror(self, children: ["id": id, "status": status]) }
}

extension Account: CustomReflectable {
    public var customMirror: Mirror { Mirror(self, children: ["id": id]) }
}

extension Resource: CustomReflectable {
    public var customMirror: Mirror { Mirror(self, children: ["type": type, "id": id]) }
}
