import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import PersonaFFI

/// Signs requests with Persona's `v1` scheme. Thread-safe: make one per process.
///
/// It returns the four headers to add and touches no HTTP library, so it works with any transport.
///
/// ```swift
/// let signer = try RequestSigner(keyID: "kid_...", secret: secret)
/// let headers = try signer.sign(method: "POST", url: "https://api.withpersona.com/api/v1/inquiries", body: body)
/// ```
public final class RequestSigner: @unchecked Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    // @unchecked: the handle is immutable and the C ABI documents the signer as thread-safe.
    private let handle: OpaquePointer
    /// The key id named in `Authorization: Bearer <key id>`.
    public let keyID: String

    /// - Throws: ``PersonaError/invalidInput(code:message:)`` (`invalid_key_id`, `invalid_secret`).
    public init(keyID: String, secret: String) throws {
        var out: OpaquePointer?
        try CABI.withText(keyID) { idBytes, idLength in
            try CABI.withText(secret) { secretBytes, secretLength in
                try CABI.check(persona_request_signer_new(idBytes, idLength, secretBytes, secretLength, &out))
            }
        }
        guard let handle = out else { throw CABI.error() }
        self.handle = handle
        self.keyID = keyID
    }

    deinit {
        persona_request_signer_free(handle)
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
        var out: OpaquePointer?
        try CABI.withText(method) { methodBytes, methodLength in
            try CABI.withText(url) { urlBytes, urlLength in
                try CABI.withBytes(body) { bodyBytes, bodyLength in
                    try CABI.withOptionalInt64(timestamp.map(unixSeconds)) { timestampPointer in
                        try CABI.withOptionalText(nonce) { nonceBytes, nonceLength in
                            try CABI.check(persona_request_signer_sign(
                                handle, methodBytes, methodLength, urlBytes, urlLength, bodyBytes, bodyLength,
                                timestampPointer, nonceBytes, nonceLength, &out
                            ))
                        }
                    }
                }
            }
        }
        guard let signed = out else { throw CABI.error() }
        defer { persona_signed_request_free(signed) }
        // Header order: Authorization, Persona-Timestamp, Persona-Nonce, Persona-Signature.
        let value = { (index: Int) in persona_signed_request_header_value(signed, index).map { String(cString: $0) } ?? "" }
        return RequestSignature(
            authorization: value(0),
            timestamp: value(1),
            nonce: value(2),
            signature: value(3),
            canonicalRequest: persona_signed_request_canonical_request(signed).map { String(cString: $0) } ?? ""
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
public final class RequestVerifier: @unchecked Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    // @unchecked: the handle is immutable and the C ABI documents the verifier as thread-safe.
    private let handle: OpaquePointer
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
        let toleranceSecs = try CABI.int64(tolerance, "tolerance")
        let capacity = try CABI.size(replayCacheCapacity, "replayCacheCapacity")
        let ordered = keys.sorted { $0.key < $1.key }
        // (key id, secret) per entry, flattened: the table points into these texts.
        let texts = ordered.flatMap { key in key.value.flatMap { [key.key, $0] } }
        var out: OpaquePointer?
        try CABI.withTexts(texts) { parts in
            let table = stride(from: 0, to: parts.count, by: 2).map { index in
                persona_key(
                    key_id: parts[index].pointer, key_id_len: parts[index].length,
                    secret: parts[index + 1].pointer, secret_len: parts[index + 1].length
                )
            }
            try table.withUnsafeBufferPointer { entries in
                try CABI.check(persona_request_verifier_new(entries.baseAddress, entries.count, toleranceSecs, capacity, &out))
            }
        }
        guard let handle = out else { throw CABI.error() }
        self.handle = handle
        keyIDs = ordered.map { $0.key }
        self.tolerance = tolerance
    }

    deinit {
        persona_request_verifier_free(handle)
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
        var keyID: UnsafePointer<CChar>?
        try CABI.withTexts(headers.flatMap { [$0.0, $0.1] }) { parts in
            let table = stride(from: 0, to: parts.count, by: 2).map { index in
                persona_header(
                    name: parts[index].pointer, name_len: parts[index].length,
                    value: parts[index + 1].pointer, value_len: parts[index + 1].length
                )
            }
            try table.withUnsafeBufferPointer { entries in
                try CABI.withText(method) { methodBytes, methodLength in
                    try CABI.withText(url) { urlBytes, urlLength in
                        try CABI.withBytes(body) { bodyBytes, bodyLength in
                            try CABI.withOptionalInt64(now.map(unixSeconds)) { nowPointer in
                                try CABI.check(persona_request_verifier_verify(
                                    handle, methodBytes, methodLength, urlBytes, urlLength,
                                    entries.baseAddress, entries.count, bodyBytes, bodyLength, nowPointer, &keyID
                                ))
                            }
                        }
                    }
                }
            }
        }
        // Borrowed from the verifier, which this object keeps alive.
        return keyID.map { String(cString: $0) } ?? ""
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
