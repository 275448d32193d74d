import Foundation
import PersonaBindings

// The raw escape hatch's response, and the JSON helpers the client uses. (Every operation's answer
// is a ``Response`` or ``BinaryResponse``, in ApiSupport.swift.) JSON is stored as String and
// handed out as Data: String is Sendable on every platform, while Data's Sendable conformance is
// missing from older Linux Foundations.

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
