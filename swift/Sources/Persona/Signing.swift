import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import PersonaBindings

/// Signs requests with Persona's `v1` scheme. Thread-safe: make one per process.
///
/// It returns the four headers to add and touches no HTTP library, so it works with any transport.
///
/// ```swift
/// let signer = try RequestSigner(keyID: "kid_...", secret: secret)
/// let headers = try signer.sign(method: "POST", url: "https://api.withpersona.com/api/v1/inquiries", body: body)
/// ```
public final class RequestSigner: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    private let signer: PersonaBindings.RequestSigner
    /// The key id named in `Authorization: Bearer <key id>`.
    public let keyID: String

    /// - Throws: ``PersonaError/invalidInput(code:message:)`` (`invalid_key_id`, `invalid_secret`).
    public init(keyID: String, secret: String) throws {
        signer = try bridging { try PersonaBindings.RequestSigner(keyId: keyID, secret: secret) }
        self.keyID = keyID
    }

    /// The headers to add: `Authorization`, `Persona-Timestamp`, `Persona-Nonce`, `Persona-Signature`.
    ///
    /// - Parameters:
    ///   - url: the full URL exactly as it will be sent (its path and query are signed).
    ///   - body: the exact body bytes (empty for none).
    ///   - timestamp: nil for now (whole seconds are used).
    ///   - nonce: nil for a random one.
    /// - Throws: ``PersonaError/invalidInput(code:message:)`` (`invalid_method`, `invalid_url`,
    ///   `invalid_nonce`, `invalid_timestamp`).
    public func sign(
        method: String, url: String, body: Data = Data(), timestamp: Date? = nil, nonce: String? = nil
    ) throws -> [String: String] {
        try signature(method: method, url: url, body: body, timestamp: timestamp, nonce: nonce).headers
    }

    /// ``sign(method:url:body:timestamp:nonce:)`` with the headers in order and the canonical request.
    public func signature(
        method: String, url: String, body: Data = Data(), timestamp: Date? = nil, nonce: String? = nil
    ) throws -> RequestSignature {
        let signed = try bridging {
            try signer.sign(method: method, url: url, body: body, timestamp: timestamp.map(unixSeconds), nonce: nonce)
        }
        return RequestSignature(
            authorization: signed.authorization,
            timestamp: signed.timestamp,
            nonce: signed.nonce,
            signature: signed.signature,
            canonicalRequest: signed.canonicalRequest
        )
    }

    /// Signs `request` in place from its method, URL and `httpBody` (a body stream is not read:
    /// set `httpBody`), adding the four headers.
    public func sign(_ request: inout URLRequest, timestamp: Date? = nil, nonce: String? = nil) throws {
        guard let url = request.url?.absoluteString else {
            throw PersonaError.invalidInput(code: "invalid_url", message: "the request has no URL")
        }
        let signed = try signature(
            method: request.httpMethod ?? "GET", url: url, body: request.httpBody ?? Data(),
            timestamp: timestamp, nonce: nonce
        )
        for field in signed.headerFields {
            request.setValue(field.value, forHTTPHeaderField: field.name)
        }
    }

    public var description: String { "RequestSigner(keyID: \(keyID), secret: [REDACTED])" }

    public var debugDescription: String { description }
}

/// A `v1` signature: the four header values, and the canonical request that was signed.
public struct RequestSignature: Equatable, Sendable {
    /// `Authorization`: `Bearer <key id>`.
    public let authorization: String
    /// `Persona-Timestamp`: unix seconds.
    public let timestamp: String
    /// `Persona-Nonce`.
    public let nonce: String
    /// `Persona-Signature`: `v1,<base64 HMAC-SHA256>`.
    public let signature: String
    /// The eight-line canonical request (for debugging a mismatch; contains no secret).
    public let canonicalRequest: String

    /// The four headers in Persona's order.
    public var headerFields: [(name: String, value: String)] {
        [
            ("Authorization", authorization),
            ("Persona-Timestamp", timestamp),
            ("Persona-Nonce", nonce),
            ("Persona-Signature", signature),
        ]
    }

    /// The four headers by name.
    public var headers: [String: String] {
        [
            "Authorization": authorization,
            "Persona-Timestamp": timestamp,
            "Persona-Nonce": nonce,
            "Persona-Signature": signature,
        ]
    }
}

/// Verifies `v1`-signed requests (server or proxy side). Thread-safe: make one per process.
public final class RequestVerifier: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    private let verifier: PersonaBindings.RequestVerifier
    /// The accepted key ids, sorted.
    public let keyIDs: [String]
    /// Seconds a request's timestamp may differ from now, in either direction.
    public let tolerance: UInt64

    /// - Parameters:
    ///   - keys: each key id with its secrets (several during a rotation).
    ///   - tolerance: seconds.
    ///   - replayCacheCapacity: how many recent nonces to remember to reject replays (0: off).
    /// - Throws: ``PersonaError/configuration(message:)`` without keys,
    ///   ``PersonaError/invalidInput(code:message:)`` for an invalid key id or secret.
    public init(keys: [String: [String]], tolerance: UInt64 = 300, replayCacheCapacity: UInt64 = 0) throws {
        let ordered = keys.sorted { $0.key < $1.key }
        let entries: [PersonaBindings.KeyEntry] = ordered.flatMap { key in
            key.value.map { PersonaBindings.KeyEntry(keyId: key.key, secret: $0) }
        }
        verifier = try bridging {
            try PersonaBindings.RequestVerifier(
                keys: entries, toleranceSecs: tolerance, replayCacheCapacity: replayCacheCapacity
            )
        }
        keyIDs = ordered.map { $0.key }
        self.tolerance = tolerance
    }

    /// One key id.
    public convenience init(keyID: String, secrets: [String], tolerance: UInt64 = 300, replayCacheCapacity: UInt64 = 0) throws {
        try self.init(keys: [keyID: secrets], tolerance: tolerance, replayCacheCapacity: replayCacheCapacity)
    }

    /// Verifies a request; returns the authenticated key id.
    ///
    /// - Parameters:
    ///   - url: the full URL as received (scheme and host as the client used them).
    ///   - headers: the received headers as name/value pairs, in order, duplicates included.
    ///   - now: the clock (whole seconds are used); nil for the current time.
    /// - Throws: ``PersonaError/requestRejected(code:message:)``.
    public func verify(
        method: String, url: String, headers: [(String, String)], body: Data = Data(), now: Date? = nil
    ) throws -> String {
        let pairs = headers.map { PersonaBindings.Header(name: $0.0, value: $0.1) }
        return try bridging {
            try verifier.verify(method: method, url: url, headers: pairs, body: body, now: now.map(unixSeconds))
        }
    }

    /// ``verify(method:url:headers:body:now:)`` with headers by name.
    public func verify(
        method: String, url: String, headers: [String: String], body: Data = Data(), now: Date? = nil
    ) throws -> String {
        try verify(
            method: method, url: url, headers: headers.map { ($0.key, $0.value) }, body: body, now: now
        )
    }

    public var description: String {
        "RequestVerifier(keyIDs: \(keyIDs), secrets: [REDACTED], tolerance: \(tolerance))"
    }

    public var debugDescription: String { description }
}
