import Foundation
import PersonaBindings

/// The Persona API client: `async` methods over libpersona's client (Rust, on its own tokio runtime).
///
/// One client per process is enough: it is `Sendable`, and concurrent calls from many tasks overlap.
/// Retries are built in (429 with its Retry-After, 502/503/504, connection failures), and every POST
/// carries one Idempotency-Key for all of its attempts, so a retry never creates twice.
///
/// ```swift
/// let client = try PersonaClient(credentials: .apiKey("persona_sandbox_..."))
/// let inquiry = try await client.api.inquiries.create(body: ["data": ["attributes": ["inquiry-template-id": "itmpl_..."]]])
/// for try await page in client.api.inquiries.listPages(filter: ["status": "completed"]) {
///     print(page.bodyJSON)
/// }
/// ```
public final class PersonaClient: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// How the client authenticates.
    public enum Credentials: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
        /// Persona's bearer API key.
        case apiKey(String)
        /// A `v1` signing key id and its secret: every request is signed.
        case keyPair(keyID: String, secret: String)
        /// `PERSONA_API_KEY`, or `PERSONA_API_KEY_ID` + `PERSONA_API_KEY_SECRET`, from the environment.
        case environment

        public var description: String {
            switch self {
            case .apiKey: return "apiKey([REDACTED])"
            case let .keyPair(keyID, _): return "keyPair(keyID: \(keyID), secret: [REDACTED])"
            case .environment: return "environment"
            }
        }

        public var debugDescription: String { description }

        /// `dump()` and debuggers show the redacted description, not the secret.
        public var customMirror: Mirror { Mirror(self, children: ["credentials": description]) }
    }

    /// The API base URL (nil: Persona's, `https://api.withpersona.com/api/v1`).
    public var baseURL: URL? { baseURLString.flatMap { URL(string: $0) } }
    // Stored as String: URL's Sendable conformance is missing from older Linux Foundations.
    private let baseURLString: String?
    /// Every operation of Persona's API as an `async` method, by group, generated from Persona's
    /// OpenAPI document: `try await client.api.inquiries.retrieve("inq_…", include: ["sessions"])`.
    public var api: Api { Api(client: client) }
    private let client: PersonaBindings.Client

    /// - Parameters:
    ///   - credentials: an API key, a `v1` key pair, or the environment (the default).
    ///   - baseURL: another API root, e.g. a local `persona sandbox`; plain http only for loopback.
    ///   - personaVersion: the `Persona-Version` header (default: the version the operations were
    ///     generated for); `"none"` sends none, so the API key's dashboard version applies.
    ///   - expectedEnvironment: `sandbox` or `production`: fails when the key is for the other.
    ///   - timeout: per attempt, in seconds.
    ///   - totalTimeout: for a whole call, retries included, in seconds.
    ///   - maxRetries: retries after the first attempt.
    /// - Throws: ``PersonaError/configuration(message:)`` or ``PersonaError/invalidInput(code:message:)``.
    public init(
        credentials: Credentials = .environment,
        baseURL: URL? = nil,
        personaVersion: String? = nil,
        expectedEnvironment: String? = nil,
        timeout: TimeInterval? = nil,
        totalTimeout: TimeInterval? = nil,
        maxRetries: Int? = nil
    ) throws {
        let retries: UInt32? = try maxRetries.map { value in
            guard let retries = UInt32(exactly: value) else {
                throw PersonaError.invalidArgument("maxRetries", "must be an integer from 0 to \(UInt32.max)")
            }
            return retries
        }
        for (name, value) in [("timeout", timeout), ("totalTimeout", totalTimeout)] {
            if let value = value, !(value >= 0) {
                throw PersonaError.invalidArgument(name, "must not be negative")
            }
        }
        let config = PersonaBindings.ClientConfig(
            baseUrl: baseURL?.absoluteString,
            personaVersion: personaVersion,
            expectedEnvironment: expectedEnvironment,
            requestTimeoutMs: timeout.map(milliseconds),
            totalTimeoutMs: totalTimeout.map(milliseconds),
            maxRetries: retries,
            binding: "swift"
        )
        // Credentials are an opaque object: no record (whose description would print it) holds them.
        let opaque: PersonaBindings.Credentials = try bridging {
            switch credentials {
            case let .apiKey(key): return try PersonaBindings.Credentials.apiKey(key: key)
            case let .keyPair(keyID, secret): return try PersonaBindings.Credentials.keyPair(keyId: keyID, secret: secret)
            case .environment: return try PersonaBindings.Credentials.fromEnv()
            }
        }
        let client = try bridging { try PersonaBindings.Client(credentials: opaque, config: config) }
        self.client = client
        baseURLString = baseURL?.absoluteString
    }

    /// Any endpoint: `path` is relative to the base URL (e.g. `/reports/rep_1`). Error statuses throw
    /// ``PersonaError/api(_:)``; a POST is retried with one Idempotency-Key like every other call.
    public func request(
        _ method: String,
        _ path: String,
        query: [String: String] = [:],
        json body: [String: Any]? = nil,
        idempotencyKey: String? = nil
    ) async throws -> APIResponse {
        let pairs = query.sorted { $0.key < $1.key }.map { PersonaBindings.QueryParam(name: $0.key, value: $0.value) }
        let bodyText = try body.map(jsonText)
        return try await bridgingAsync {
            let response = try await client.request(
                method: method, path: path, query: pairs, bodyJson: bodyText, idempotencyKey: idempotencyKey
            )
            return APIResponse(response)
        }
    }

    /// libpersona's version.
    public static var libraryVersion: String { PersonaBindings.version() }

    public var description: String {
        "PersonaClient(baseURL: \(baseURLString ?? "default"), credentials: [REDACTED])"
    }

    public var debugDescription: String { description }
}

func milliseconds(_ seconds: TimeInterval) -> UInt64 {
    guard seconds.isFinite else { return seconds > 0 ? UInt64.max : 0 }
    let ms = (seconds * 1000).rounded()
    if ms <= 0 { return 0 }
    if ms >= 1.8e19 { return UInt64.max }
    return UInt64(ms)
}
