import Foundation
import PersonaFFI

/// Verifies Persona webhooks (`Persona-Signature: t=…,v1=…`). Thread-safe: make one per process.
///
/// Pass the header value and the **raw** request body exactly as received, never re-serialized JSON.
/// ``verify(header:body:now:)`` checks the signature only; ``verifyEvent(header:body:now:)`` checks
/// it too and returns the event the library read from the body — the same two names, with the same
/// meaning, in every language libpersona ships to.
///
/// ```swift
/// let verifier = try WebhookVerifier(secrets: ["wbhsec_..."])
/// let event = try verifier.verifyEvent(header: request.headers["Persona-Signature"], body: rawBody)
/// print(event.name)   // inquiry.completed
/// ```
public final class WebhookVerifier: @unchecked Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    // @unchecked: the handle is immutable and the C ABI documents the verifier as thread-safe.
    private let handle: OpaquePointer
    /// Seconds a signature's timestamp may differ from now, in either direction.
    public let tolerance: UInt64

    /// - Parameters:
    ///   - secrets: every secret to accept: one, or the old and the new during a rotation.
    ///   - tolerance: seconds; 300 is Persona's usual (0: the same second only, never "off").
    /// - Throws: ``PersonaError/configuration(message:)`` without secrets,
    ///   ``PersonaError/invalidInput(code:message:)`` for an empty secret or one with a NUL.
    public init(secrets: [String], tolerance: UInt64 = 300) throws {
        let toleranceSecs = try CABI.int64(tolerance, "tolerance")
        var out: OpaquePointer?
        try CABI.withTexts(secrets) { parts in
            let table = parts.map { persona_str(ptr: $0.pointer, len: $0.length) }
            try table.withUnsafeBufferPointer { entries in
                try CABI.check(persona_webhook_verifier_new(entries.baseAddress, entries.count, toleranceSecs, &out))
            }
        }
        guard let handle = out else { throw CABI.error() }
        self.handle = handle
        self.tolerance = tolerance
    }

    /// One secret.
    public convenience init(secret: String, tolerance: UInt64 = 300) throws {
        try self.init(secrets: [secret], tolerance: tolerance)
    }

    deinit {
        persona_webhook_verifier_free(handle)
    }

    /// Checks the signature of the raw `body` against `header`.
    ///
    /// - Parameters:
    ///   - header: the `Persona-Signature` header's value; nil when the request had none.
    ///   - body: the raw body.
    ///   - now: the clock (whole seconds are used); nil for the current time.
    /// - Throws: ``PersonaError/webhookRejected(code:message:)`` when it must be rejected.
    public func verify(header: String?, body: Data, now: Date? = nil) throws {
        try CABI.withOptionalText(header) { headerBytes, headerLength in
            try CABI.withBytes(body) { bodyBytes, bodyLength in
                if let now = now {
                    try CABI.check(persona_webhook_verifier_verify_at(
                        handle, headerBytes, headerLength, bodyBytes, bodyLength, unixSeconds(now)
                    ))
                } else {
                    try CABI.check(persona_webhook_verifier_verify(
                        handle, headerBytes, headerLength, bodyBytes, bodyLength, nil
                    ))
                }
            }
        }
    }

    /// Checks the signature like ``verify(header:body:now:)``, then returns the event the library
    /// read from the body.
    /// - Throws: ``PersonaError/webhookRejected(code:message:)`` when it is not authentic,
    ///   ``PersonaError/invalidPayload(message:)`` when it is authentic but not a Persona event.
    public func verifyEvent(header: String?, body: Data, now: Date? = nil) throws -> WebhookEvent {
        var out: OpaquePointer?
        try CABI.withOptionalText(header) { headerBytes, headerLength in
            try CABI.withBytes(body) { bodyBytes, bodyLength in
                try CABI.withOptionalInt64(now.map(unixSeconds)) { nowPointer in
                    try CABI.check(persona_webhook_verifier_verify_event(
                        handle, headerBytes, headerLength, bodyBytes, bodyLength, nowPointer, &out
                    ))
                }
            }
        }
        guard let event = out else { throw CABI.error() }
        defer { persona_webhook_event_free(event) }
        return WebhookEvent(
            id: CABI.text { persona_webhook_event_id(event, $0) } ?? "",
            name: CABI.text { persona_webhook_event_name(event, $0) } ?? "",
            createdAt: CABI.text { persona_webhook_event_created_at(event, $0) },
            payloadJSON: CABI.text { persona_webhook_event_payload_json(event, $0) } ?? "null"
        )
    }

    /// A `Persona-Signature` value for `body` at `timestamp` (unix seconds): for tests and local
    /// servers that play Persona's part.
    /// - Throws: ``PersonaError/invalidInput(code:message:)`` for an empty secret or a negative timestamp.
    public static func sign(secret: String, body: Data, timestamp: Int64) throws -> String {
        var buffer = [CChar](repeating: 0, count: Int(PERSONA_WEBHOOK_HEADER_MAX))
        let capacity = buffer.count
        try CABI.withText(secret) { secretBytes, secretLength in
            try CABI.withBytes(body) { bodyBytes, bodyLength in
                try CABI.check(persona_webhook_sign(
                    secretBytes, secretLength, bodyBytes, bodyLength, timestamp, &buffer, capacity
                ))
            }
        }
        return String(cString: buffer)
    }

    public var description: String { "WebhookVerifier(secrets: [REDACTED], tolerance: \(tolerance))" }

    public var debugDescription: String { description }
}

/// A verified Persona event, as the library read it from the body.
public struct WebhookEvent: Equatable, Sendable, CustomStringConvertible {
    /// `evt_...`.
    public let id: String
    /// `inquiry.completed`, `inquiry.approved`, ...
    public let name: String
    /// The event as Persona's document lists it (nil for a name it does not list).
    public var kind: EventName? { EventName(rawValue: name) }
    /// `created-at`, as sent; nil when the event has none.
    public let createdAt: String?
    /// `data.attributes.payload` as raw JSON text (`null` when absent), in every language.
    public let payloadJSON: String

    /// `data.attributes.payload` as JSON bytes.
    public var payload: Data { Data(payloadJSON.utf8) }

    /// Decodes the payload into your own type (throws the decoder's `DecodingError`).
    public func decodePayload<T: Decodable>(_ type: T.Type, using decoder: JSONDecoder = JSONDecoder()) throws -> T {
        try decoder.decode(type, from: payload)
    }

    /// Id and name only: the payload can hold personal data.
    public var description: String { "WebhookEvent(id: \(id), name: \(name))" }
}

// `dump()` and debuggers show what `description` shows: no payload.
extension WebhookEvent: CustomReflectable {
    public var customMirror: Mirror { Mirror(self, children: ["id": id, "name": name]) }
}

/// Unix seconds, rounded down; out-of-range dates saturate.
func unixSeconds(_ date: Date) -> Int64 {
    let seconds = date.timeIntervalSince1970.rounded(.down)
    guard seconds.isFinite else { return seconds > 0 ? Int64.max : Int64.min }
    if seconds >= 9.2e18 { return Int64.max }
    if seconds <= -9.2e18 { return Int64.min }
    return Int64(seconds)
}
