import Foundation
import PersonaBindings

/// Every failure of libpersona: one case per kind of failure, each something the caller can act on.
///
/// `code` is the stable code shared by every language (`invalid_key_id`, `no_matching_signature`,
/// `not_found`, ...). Descriptions carry codes, statuses, request ids and Persona's own messages,
/// never a secret, an API key or an Authorization header.
///
/// ```swift
/// do {
///     let inquiry = try await client.inquiries.retrieve(id)
/// } catch PersonaError.api(let error) where error.kind == .notFound {
///     // ...
/// }
/// ```
public enum PersonaError: Error, Equatable, Sendable {
    /// An argument was invalid (`invalid_key_id`, `invalid_secret`, `invalid_nonce`,
    /// `invalid_timestamp`, `invalid_method`, `invalid_url`, `invalid_json`, ...).
    case invalidInput(code: String, message: String)
    /// Credentials or settings are missing or inconsistent (`configuration`).
    case configuration(message: String)
    /// A `v1`-signed request was rejected (`missing_header`, `malformed_header`, `unknown_key`,
    /// `signature_mismatch`, `timestamp_out_of_tolerance`, `replayed_nonce`).
    case requestRejected(code: String, message: String)
    /// A webhook was rejected (`missing_header`, `malformed_header`, `timestamp_out_of_tolerance`,
    /// `no_matching_signature`).
    case webhookRejected(code: String, message: String)
    /// A webhook is authentic but its body is not a Persona event (`invalid_payload`).
    case invalidPayload(message: String)
    /// The Persona API answered with an error status: see ``APIError``.
    case api(APIError)
    /// The request could not be completed (`network`). A POST can be retried with the same
    /// `idempotencyKey`: Persona then replays its stored response instead of creating twice.
    case network(message: String, idempotencyKey: String?)
    /// A per-request timeout or the total deadline passed (`timeout`).
    case timeout(message: String, idempotencyKey: String?)
    /// A response did not have the expected shape (`unexpected_response`).
    case unexpectedResponse(message: String)
    /// A bug inside libpersona (a caught Rust panic, `internal`); the process is unaffected.
    case `internal`(message: String)

    /// The stable code shared by all languages.
    public var code: String {
        switch self {
        case let .invalidInput(code, _), let .requestRejected(code, _), let .webhookRejected(code, _):
            return code
        case .configuration: return "configuration"
        case .invalidPayload: return "invalid_payload"
        case let .api(error): return error.code
        case .network: return "network"
        case .timeout: return "timeout"
        case .unexpectedResponse: return "unexpected_response"
        case .internal: return "internal"
        }
    }

    /// libpersona's or Persona's human-readable message.
    public var message: String {
        switch self {
        case let .invalidInput(_, message), let .requestRejected(_, message), let .webhookRejected(_, message):
            return message
        case let .configuration(message), let .invalidPayload(message), let .unexpectedResponse(message),
             let .internal(message):
            return message
        case let .network(message, _), let .timeout(message, _):
            return message
        case let .api(error):
            return error.message
        }
    }

    /// The HTTP status of an API error.
    public var status: Int? {
        if case let .api(error) = self { return error.status }
        return nil
    }

    /// Persona's request id (`X-Request-Id`) of an API error: quote it to Persona support.
    public var requestID: String? {
        if case let .api(error) = self { return error.requestID }
        return nil
    }

    /// The Idempotency-Key a failed POST was sent with: retry with it to avoid creating twice.
    public var idempotencyKey: String? {
        switch self {
        case let .api(error): return error.idempotencyKey
        case let .network(_, key), let .timeout(_, key): return key
        default: return nil
        }
    }
}

/// An error status from the Persona API.
public struct APIError: Equatable, Sendable {
    /// What kind of API error this is (from ``code``).
    public enum Kind: String, Sendable {
        /// 401: the API key or signature was not accepted.
        case authentication
        /// 403.
        case permissionDenied = "permission_denied"
        /// 404.
        case notFound = "not_found"
        /// 409, or an Idempotency-Key reused with different parameters.
        case conflict
        /// 400/422: see ``APIError/errors`` for every problem.
        case validation
        /// 429: wait ``APIError/retryAfter`` seconds.
        case rateLimited = "rate_limited"
        /// 5xx. For a POST, retrying with ``APIError/idempotencyKey`` replays Persona's stored response.
        case server
        /// Any other error status (`api_error`).
        case other = "api_error"
    }

    /// `authentication`, `permission_denied`, `not_found`, `conflict`, `validation`,
    /// `rate_limited`, `server` or `api_error`.
    public let code: String
    /// The HTTP status.
    public let status: Int
    /// Persona's request id, when the response had one.
    public let requestID: String?
    /// Persona's message.
    public let message: String
    /// Every `errors[]` entry of the response.
    public let errors: [APIErrorDetail]
    /// Seconds to wait before retrying (429), when Persona said.
    public let retryAfter: TimeInterval?
    /// The Idempotency-Key the request was sent with (POST).
    public let idempotencyKey: String?

    /// ``code`` as a ``Kind``.
    public var kind: Kind { Kind(rawValue: code) ?? .other }

    public init(
        code: String,
        status: Int,
        requestID: String? = nil,
        message: String,
        errors: [APIErrorDetail] = [],
        retryAfter: TimeInterval? = nil,
        idempotencyKey: String? = nil
    ) {
        self.code = code
        self.status = status
        self.requestID = requestID
        self.message = message
        self.errors = errors
        self.retryAfter = retryAfter
        self.idempotencyKey = idempotencyKey
    }
}

/// One `errors[]` entry of a Persona error response.
public struct APIErrorDetail: Equatable, Sendable {
    /// `title`.
    public let title: String?
    /// `details`.
    public let details: String?
    /// `source.pointer`, e.g. `/data/attributes/inquiry-template-id`.
    public let pointer: String?

    public init(title: String?, details: String?, pointer: String?) {
        self.title = title
        self.details = details
        self.pointer = pointer
    }
}

extension PersonaError: CustomStringConvertible, CustomDebugStringConvertible, LocalizedError {
    /// `PersonaError.webhookRejected(no_matching_signature): webhook rejected: no matching signature`,
    /// `PersonaError.api(not_found, status 404, request req_…): Not found`. Never contains a secret.
    public var description: String {
        switch self {
        case let .api(error):
            var context = "\(error.code), status \(error.status)"
            if let requestID = error.requestID {
                context += ", request \(requestID)"
            }
            return "PersonaError.api(\(context)): \(error.message)"
        default:
            return "PersonaError.\(kind)(\(code)): \(message)"
        }
    }

    public var debugDescription: String { description }

    public var errorDescription: String? { description }

    /// The case's name without its values (`"api"`, `"webhookRejected"`, ...), for logs and tests.
    public var kind: String {
        switch self {
        case .invalidInput: return "invalidInput"
        case .configuration: return "configuration"
        case .requestRejected: return "requestRejected"
        case .webhookRejected: return "webhookRejected"
        case .invalidPayload: return "invalidPayload"
        case .api: return "api"
        case .network: return "network"
        case .timeout: return "timeout"
        case .unexpectedResponse: return "unexpectedResponse"
        case .internal: return "internal"
        }
    }
}

extension PersonaError {
    /// Converts whatever the generated bindings (`PersonaBindings`) throw: their `PersonaError`
    /// case by case, and UniFFI's own errors (a Rust panic among them) as ``internal(message:)``.
    /// Only needed by code that calls `PersonaBindings` directly; this module does it everywhere.
    public init(_ error: any Error) {
        if let error = error as? PersonaError {
            self = error
            return
        }
        guard let error = error as? PersonaBindings.PersonaError else {
            self = .internal(message: (error as? LocalizedError)?.errorDescription ?? String(describing: error))
            return
        }
        // Positional bindings: the generated field names are not part of this mapping.
        switch error {
        case let .InvalidInput(code, message):
            self = PersonaError(kind: "invalid_input", code: code, message: message)
        case let .Configuration(code, message):
            self = PersonaError(kind: "configuration", code: code, message: message)
        case let .RequestRejected(code, message):
            self = PersonaError(kind: "request_rejected", code: code, message: message)
        case let .WebhookRejected(code, message):
            self = PersonaError(kind: "webhook_rejected", code: code, message: message)
        case let .InvalidPayload(code, message):
            self = PersonaError(kind: "invalid_payload", code: code, message: message)
        case let .Api(code, status, requestID, errors, retryAfterMs, idempotencyKey, message):
            self = .api(APIError(
                code: code,
                status: Int(status),
                requestID: requestID,
                message: message,
                errors: errors.map { APIErrorDetail(title: $0.title, details: $0.details, pointer: $0.pointer) },
                retryAfter: retryAfterMs.map { TimeInterval($0) / 1000 },
                idempotencyKey: idempotencyKey
            ))
        case let .Network(_, message, idempotencyKey):
            self = .network(message: message, idempotencyKey: idempotencyKey)
        case let .Timeout(_, message, idempotencyKey):
            self = .timeout(message: message, idempotencyKey: idempotencyKey)
        case let .UnexpectedResponse(code, message):
            self = PersonaError(kind: "unexpected_response", code: code, message: message)
        case let .Internal(code, message):
            self = PersonaError(kind: "internal", code: code, message: message)
        }
    }

    /// The error the library reported, its case chosen by `kind` (the library's kinds; the one
    /// place this package maps them), `code` and `message` as the library gave them.
    init(kind: String, code: String, message: String) {
        switch kind {
        case "invalid_input": self = .invalidInput(code: code, message: message)
        case "configuration": self = .configuration(message: message)
        case "request_rejected": self = .requestRejected(code: code, message: message)
        case "webhook_rejected": self = .webhookRejected(code: code, message: message)
        case "invalid_payload": self = .invalidPayload(message: message)
        case "network": self = .network(message: message, idempotencyKey: nil)
        case "timeout": self = .timeout(message: message, idempotencyKey: nil)
        case "unexpected_response": self = .unexpectedResponse(message: message)
        default: self = .internal(message: message)
        }
    }

    /// A bad argument, worded as the library words its own (`invalid_argument` everywhere).
    static func invalidArgument(_ name: String, _ reason: String) -> PersonaError {
        .invalidInput(code: "invalid_argument", message: "invalid argument `\(name)`: \(reason)")
    }
}

/// Runs a call into the bindings, rethrowing any error as a ``PersonaError``.
func bridging<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch {
        throw PersonaError(error)
    }
}

/// ``bridging(_:)`` for the async bindings.
func bridgingAsync<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch {
        throw PersonaError(error)
    }
}
