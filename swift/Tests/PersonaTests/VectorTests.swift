import Foundation
import Persona
import XCTest

// Both shared vector files (tests/vectors/, schema in its README.md), through the public Swift API.
// They are read from the repository, never copied here.

/// A body: exactly one of `utf8`, `base64`, or `repeat` × `times`.
struct VectorBody: Decodable {
    let utf8: String?
    let base64: String?
    let repeated: String?
    let times: Int?

    enum CodingKeys: String, CodingKey {
        case utf8, base64, times
        case repeated = "repeat"
    }

    var data: Data {
        if let utf8 = utf8 {
            return Data(utf8.utf8)
        }
        if let base64 = base64 {
            return Data(base64Encoded: base64) ?? Data()
        }
        return Data(String(repeating: repeated ?? "", count: times ?? 0).utf8)
    }
}

/// A text written as a JSON string, or as a BODY object (a header with a NUL byte, which some JSON
/// readers cannot hold in a string).
struct VectorText: Decodable {
    let value: String

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            value = text
        } else {
            value = String(decoding: try container.decode(VectorBody.self).data, as: UTF8.self)
        }
    }
}

struct WebhookVectors: Decodable {
    struct Case: Decodable {
        struct Expected: Decodable {
            let valid: Bool?
            let error: String?
            let message: String?
            let header: String?
        }

        /// The event a verified body gives (`payload` is compared from the raw file), or its error.
        struct Event: Decodable {
            let id: String?
            let name: String?
            let createdAt: String?
            let error: String?
            let message: String?
        }

        let name: String
        let op: String
        let body: VectorBody
        let expected: Expected
        // verify
        let secrets: [String]?
        let tolerance: UInt64?
        let now: Int64?
        let header: VectorText?
        let event: Event?
        // sign
        let secret: String?
        let timestamp: Int64?
    }

    let cases: [Case]
}

struct SigningVectors: Decodable {
    struct Expected: Decodable {
        // sign
        let canonicalRequest: String?
        let bodySha256: String?
        let macHex: String?
        let signature: String?
        let headers: [[String]]?
        // both
        let error: String?
        let message: String?
        // verify
        let valid: Bool?
        let keyId: String?
        let header: String?
    }

    struct Input: Decodable {
        let keyId: String
        let secret: String
        let method: String
        let url: String
        let body: VectorBody
        let timestamp: Int64
        let nonce: String
    }

    struct Verifier: Decodable {
        struct Key: Decodable {
            let keyId: String
            let secrets: [String]
        }

        let keys: [Key]
        let tolerance: UInt64
        let replayCache: Bool
    }

    struct Step: Decodable {
        struct Request: Decodable {
            let method: String
            let url: String
            let headers: [[String]]
            let body: VectorBody
        }

        let request: Request
        let now: Int64
        let expected: Expected
        let canonicalRequest: String?
    }

    struct Case: Decodable {
        let name: String
        let op: String
        // sign
        let input: Input?
        let expected: Expected?
        // verify
        let verifier: Verifier?
        let steps: [Step]?
    }

    let cases: [Case]
}

func loadVectors<T: Decodable>(_ type: T.Type, _ file: String) throws -> T {
    let data = try Data(contentsOf: Paths.vectors.appendingPathComponent(file))
    let decoder = JSONDecoder()
    decoder.keyDecodingStrategy = .convertFromSnakeCase
    return try decoder.decode(type, from: data)
}

func hex(_ data: Data) -> String {
    data.map { String(format: "%02x", $0) }.joined()
}

final class VectorTests: XCTestCase {
    func testRequestSigningVectors() throws {
        let cases = try loadVectors(SigningVectors.self, "request_signing.json").cases
        XCTAssertGreaterThanOrEqual(cases.count, 30)
        var signed = 0, verified = 0
        for vector in cases {
            switch vector.op {
            case "sign":
                try checkSign(vector)
                signed += 1
            case "verify":
                try checkVerify(vector)
                verified += 1
            default:
                XCTFail("\(vector.name): unknown op \(vector.op)")
            }
        }
        XCTAssertGreaterThan(signed, 0)
        XCTAssertGreaterThan(verified, 0)
    }

    private func checkSign(_ vector: SigningVectors.Case) throws {
        guard let input = vector.input, let expected = vector.expected else {
            return XCTFail("\(vector.name): no input/expected")
        }
        let sign = {
            try RequestSigner(keyID: input.keyId, secret: input.secret).signature(
                method: input.method, url: input.url, body: input.body.data,
                timestamp: date(input.timestamp), nonce: input.nonce
            )
        }
        if let code = expected.error {
            let error = assertPersonaError(try sign(), vector.name) { $0.kind == "invalidInput" }
            XCTAssertEqual(error?.code, code, vector.name)
            XCTAssertEqual(error?.message, expected.message, vector.name)
            return
        }
        let signature = try sign()
        // In the README's order: canonical request, body hash, MAC, signature, headers.
        XCTAssertEqual(signature.canonicalRequest, expected.canonicalRequest, vector.name)
        XCTAssertEqual(
            signature.canonicalRequest.split(separator: "\n", omittingEmptySubsequences: false).last.map { String($0) },
            expected.bodySha256, vector.name
        )
        let base64 = String(signature.signature.dropFirst("v1,".count))
        XCTAssertTrue(signature.signature.hasPrefix("v1,"), vector.name)
        XCTAssertEqual(Data(base64Encoded: base64).map(hex), expected.macHex, vector.name)
        XCTAssertEqual(base64, expected.signature, vector.name)
        XCTAssertEqual(signature.headerFields.map { [$0.name, $0.value] }, expected.headers, vector.name)
        // The plain dictionary form agrees.
        let headers = try RequestSigner(keyID: input.keyId, secret: input.secret).sign(
            method: input.method, url: input.url, body: input.body.data,
            timestamp: date(input.timestamp), nonce: input.nonce
        )
        var expectedHeaders: [String: String] = [:]
        for pair in expected.headers ?? [] {
            expectedHeaders[pair[0]] = pair[1]
        }
        XCTAssertEqual(headers, expectedHeaders, vector.name)
    }

    private func checkVerify(_ vector: SigningVectors.Case) throws {
        guard let config = vector.verifier, let steps = vector.steps else {
            return XCTFail("\(vector.name): no verifier/steps")
        }
        // One verifier for all steps, run in order (replay cases rely on it).
        var keys: [String: [String]] = [:]
        for key in config.keys {
            keys[key.keyId, default: []] += key.secrets
        }
        let verifier = try RequestVerifier(
            keys: keys, tolerance: config.tolerance, replayCacheCapacity: config.replayCache ? 10_000 : 0
        )
        for (index, step) in steps.enumerated() {
            let label = "\(vector.name) step \(index)"
            let request = step.request
            let headers = request.headers.map { ($0[0], $0[1]) }
            let verify = {
                try verifier.verify(
                    method: request.method, url: request.url, headers: headers, body: request.body.data,
                    now: date(step.now)
                )
            }
            if step.expected.valid == true {
                XCTAssertEqual(try verify(), step.expected.keyId, label)
                continue
            }
            let error = assertPersonaError(try verify(), label) { $0.kind == "requestRejected" }
            // Code and message: the same, word for word, in every language.
            XCTAssertEqual(error?.code, step.expected.error, label)
            XCTAssertEqual(error?.message, step.expected.message, label)
            if step.expected.error == "missing_header", let header = step.expected.header {
                XCTAssertTrue(error?.message.contains(header) ?? false, "\(label): \(String(describing: error))")
            }
        }
    }

    func testWebhookVectors() throws {
        let cases = try loadVectors(WebhookVectors.self, "webhooks.json").cases
        XCTAssertGreaterThanOrEqual(cases.count, 30)
        var events = 0
        for vector in cases {
            let body = vector.body.data
            if vector.op == "sign" {
                guard let secret = vector.secret, let timestamp = vector.timestamp, let header = vector.expected.header else {
                    XCTFail("\(vector.name): incomplete sign case")
                    continue
                }
                XCTAssertEqual(try WebhookVerifier.sign(secret: secret, body: body, timestamp: timestamp), header, vector.name)
                // And it verifies at its own timestamp, but not over another body.
                let verifier = try WebhookVerifier(secret: secret, tolerance: 0)
                XCTAssertNoThrow(
                    try verifier.verify(header: header, body: body, now: date(timestamp)), vector.name
                )
                assertPersonaError(
                    try verifier.verify(header: header, body: body + Data([0x20]), now: date(timestamp)),
                    vector.name
                ) { $0.code == "no_matching_signature" }
                continue
            }
            guard let secrets = vector.secrets, let tolerance = vector.tolerance, let now = vector.now else {
                XCTFail("\(vector.name): incomplete verify case")
                continue
            }
            let verifier = try WebhookVerifier(secrets: secrets, tolerance: tolerance)
            let header = vector.header?.value
            if vector.expected.valid == true {
                XCTAssertNoThrow(try verifier.verify(header: header, body: body, now: date(now)), vector.name)
                guard let expected = vector.event else {
                    XCTFail("\(vector.name): a valid case says what its event is")
                    continue
                }
                if let code = expected.error {
                    let error = assertPersonaError(
                        try verifier.verifyEvent(header: header, body: body, now: date(now)), vector.name
                    ) { $0.kind == "invalidPayload" }
                    XCTAssertEqual(error?.code, code, vector.name)
                    XCTAssertEqual(error?.message, expected.message, vector.name)
                    continue
                }
                let event = try verifier.verifyEvent(header: header, body: body, now: date(now))
                XCTAssertEqual(event.id, expected.id, vector.name)
                XCTAssertEqual(event.name, expected.name, vector.name)
                XCTAssertEqual(event.createdAt, expected.createdAt, vector.name)
                // `payload` is data.attributes.payload, compared as JSON with the vector's.
                let got = try JSONSerialization.jsonObject(with: event.payload, options: .fragmentsAllowed)
                let want = try payloads()[vector.name] ?? NSNull()
                XCTAssertTrue((got as AnyObject).isEqual(want), "\(vector.name): payload \(got) != \(want)")
                events += 1
            } else {
                let rejected = assertPersonaError(
                    try verifier.verify(header: header, body: body, now: date(now)), vector.name
                ) { $0.kind == "webhookRejected" }
                // Code and message: the same, word for word, in every language.
                XCTAssertEqual(rejected?.code, vector.expected.error, vector.name)
                XCTAssertEqual(rejected?.message, vector.expected.message, vector.name)
            }
        }
        XCTAssertGreaterThan(events, 0)
    }

    /// Each valid case's `event.payload`, as JSONSerialization reads it (any JSON value).
    private func payloads() throws -> [String: Any] {
        let data = try Data(contentsOf: Paths.vectors.appendingPathComponent("webhooks.json"))
        let document = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
        var payloads: [String: Any] = [:]
        for case let vector as [String: Any] in document["cases"] as? [Any] ?? [] {
            if let name = vector["name"] as? String, let event = vector["event"] as? [String: Any],
               let payload = event["payload"] {
                payloads[name] = payload
            }
        }
        return payloads
    }
}
