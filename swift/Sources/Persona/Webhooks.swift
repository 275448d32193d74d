import Foundation
import PersonaBindings

/// Verifies Persona webhooks (`Persona-Signature: t=…,v1=…`). Thread-safe: make one per process.
///
/// Pass the header value and the **raw** request body exactly as received, never re-serialized JSON.
///
/// ```swift
/// let verifier = try WebhookVerifier(secrets: ["wbhsec_..."])
/// let event = try verifier.verify(header: request.headers["Persona-Signature"], body: rawBody)
/// print(event.name)   // inquiry.completed
/// ```
public final class WebhookVerifier: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    private let verifier: PersonaBindings.WebhookVerifier
    /// Seconds a signature's timestamp may differ from now, in either direction.
    public let tolerance: UInt64

    /// - Parameters:
    ///   - secrets: every secret to accept: one, or the old and the new during a rotation.
    ///   - tolerance: seconds; 300 is Persona's usual.
    /// - Throws: ``PersonaError/configuration(message:)`` without secrets,
    ///   ``PersonaError/invalidInput(code:message:)`` for an empty secret.
    public init(secrets: [String], tolerance: UInt64 = 300) throws {
        verifier = try bridging { try PersonaBindings.WebhookVerifier(secrets: secrets, toleranceSecs: tolerance) }
        self.tolerance = tolerance
    }

    /// One secret.
    public convenience init(secret: String, tolerance: UInt64 = 300) throws {
        try self.init(secrets: [secret], tolerance: tolerance)
    }

    /// Verifies the webhook and reads its event.
    ///
    /// - Parameters:
    ///   - header: the `Persona-Signature` header's value; nil when the request had none.
    ///   - body: the raw body.
    ///   - now: the clock (whole seconds are used); nil for the current time.
    /// - Throws: ``PersonaError/webhookRejected(code:message:)`` when it is not authentic,
    ///   ``PersonaError/invalidPayload(message:)`` when it is authentic but not a Persona event.
    public func verify(header: String?, body: Data, now: Date? = nil) throws -> WebhookEvent {
        let event = try bridging {
            try verifier.verifyEvent(header: header ?? "", body: body, now: now.map(unixSeconds))
        }
        return WebhookEvent(event)
    }

    /// Verifies the signature only, without reading the body as an event.
    /// - Throws: ``PersonaError/webhookRejected(code:message:)``.
    public func verifySignature(header: String?, body: Data, now: Date? = nil) throws {
        try bridging {
            try verifier.verify(header: header ?? "", body: body, now: now.map(unixSeconds))
        }
    }

    /// A `Persona-Signature` value for `body` at `timestamp` (unix seconds): for tests and local
    /// servers that play Persona's part.
    /// - Throws: ``PersonaError/invalidInput(code:message:)`` for an empty secret or a negative timestamp.
    public static func sign(secret: String, body: Data, timestamp: Int64) throws -> String {
        try bridging { try PersonaBindings.signWebhook(secret: secret, body: body, timestamp: timestamp) }
    }

    public var description: String { "WebhookVerifier(secrets: [REDACTED], tolerance: \(tolerance))" }

    public var debugDescription: String { description }
}

/// A verified Persona event.
public struct WebhookEvent: Equatable, Sendable, CustomStringConvertible {
    /// `evt_...`.
    public let id: String
    /// `inquiry.completed`, `inquiry.approved`, ...
    public let name: String
    /// `created-at`, as sent.
    public let createdAt: String?
    /// `data.attributes.payload` as raw JSON text.
    public let payloadJSON: String

    init(_ event: PersonaBindings.WebhookEvent) {
        id = event.id
        name = event.name
        createdAt = event.createdAt
        payloadJSON = event.payloadJson
    }

    /// `data.attributes.payload` as JSON bytes.
    public var payload: Data { Data(payloadJSON.utf8) }

    /// Decodes the payload into your own type (throws the decoder's `DecodingError`).
    public func decodePayload<T: Decodable>(_ type: T.Type, using decoder: JSONDecoder = JSONDecoder()) throws -> T {
        try decoder.decode(type, from: payload)
    }

    /// Id and name only: the payload can hold personal data.
    public var description: String { "WebhookEvent(id: \(id), name: \(name))" }
}

/// Unix seconds, rounded down; out-of-range dates saturate.
func unixSeconds(_ date: Date) -> Int64 {
    let seconds = date.timeIntervalSince1970.rounded(.down)
    guard seconds.isFinite else { return seconds > 0 ? Int64.max : Int64.min }
    if seconds >= 9.2e18 { return Int64.max }
    if seconds <= -9.2e18 { return Int64.min }
    return Int64(seconds)
}
