import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Persona
import XCTest

// Secrets never appear in descriptions or errors; bad input is a typed PersonaError, never a crash
// (python/tests/test_safety.py and test_client.py's secrets test). No network is used: a client
// pointed at an unused loopback port is only constructed, or fails before sending.

final class SafetyTests: XCTestCase {
    let webhookSecret = "wbhsec_SECRET_value"
    let unusedLoopback = URL(string: "http://127.0.0.1:9/api/v1")
    let now = date(1_700_000_000)

    func testSecretsNeverAppearInDescriptionsOrErrors() throws {
        let keyPairClient = try PersonaClient(
            credentials: .keyPair(keyID: Sandbox.keyID, secret: Sandbox.secret), baseURL: unusedLoopback
        )
        let apiKeyClient = try PersonaClient(credentials: .apiKey(Sandbox.apiKey), baseURL: unusedLoopback)
        let signer = try RequestSigner(keyID: Sandbox.keyID, secret: Sandbox.secret)
        let webhooks = try WebhookVerifier(secrets: [webhookSecret])
        let verifier = try RequestVerifier(keys: [Sandbox.keyID: [Sandbox.secret]])
        var values: [Any] = [keyPairClient, apiKeyClient, signer, webhooks, verifier]
        values.append(PersonaClient.Credentials.apiKey(Sandbox.apiKey))
        values.append(PersonaClient.Credentials.keyPair(keyID: Sandbox.keyID, secret: Sandbox.secret))

        var texts: [String] = []
        for value in values {
            texts.append(String(describing: value))
            texts.append(String(reflecting: value))
            var dumped = ""
            dump(value, to: &dumped)
            texts.append(dumped)
        }
        do {
            _ = try signer.sign(method: "GET", url: "https://h/", nonce: "bad")
            XCTFail("expected invalid_nonce")
        } catch {
            texts += [String(describing: error), String(reflecting: error), error.localizedDescription]
        }
        for text in texts {
            for secret in [Sandbox.secret, Sandbox.apiKey, webhookSecret] {
                XCTAssertFalse(text.contains(secret), text)
            }
        }
        XCTAssertTrue(String(describing: keyPairClient).contains("[REDACTED]"))
        XCTAssertTrue(String(describing: signer).contains("[REDACTED]"))
        XCTAssertTrue(String(describing: webhooks).contains("[REDACTED]"))
        XCTAssertTrue(String(describing: verifier).contains("[REDACTED]"))
        XCTAssertTrue(String(describing: verifier).contains(Sandbox.keyID))
    }

    func testEventsPrintIdAndNameOnly() throws {
        let body = Data(#"{"data":{"type":"event","id":"evt_p","attributes":{"name":"n","payload":{"ssn":"123-45-6789"}}}}"#.utf8)
        let verifier = try WebhookVerifier(secret: webhookSecret)
        let event = try verifier.verifyEvent(
            header: try WebhookVerifier.sign(secret: webhookSecret, body: body, timestamp: 1_700_000_000), body: body, now: now
        )
        XCTAssertEqual(event.payloadJSON, #"{"ssn":"123-45-6789"}"#)
        var dumped = ""
        dump(event, to: &dumped)
        for text in [String(describing: event), String(reflecting: event), dumped] {
            XCTAssertFalse(text.contains("123-45-6789"), text)
        }
        XCTAssertEqual(String(describing: event), "WebhookEvent(id: evt_p, name: n)")
    }

    func testBadSigningInput() throws {
        assertPersonaError(try RequestSigner(keyID: "bad id", secret: "s")) {
            $0.kind == "invalidInput" && $0.code == "invalid_key_id"
        }
        assertPersonaError(try RequestSigner(keyID: "kid", secret: "")) { $0.code == "invalid_secret" }
        let signer = try RequestSigner(keyID: "kid", secret: "s")
        assertPersonaError(try signer.sign(method: "GET", url: "not a url")) { $0.code == "invalid_url" }
        assertPersonaError(try signer.sign(method: "GET", url: "ftp://h/")) { $0.code == "invalid_url" }
        assertPersonaError(try signer.sign(method: "G T", url: "https://h/")) { $0.code == "invalid_method" }
        assertPersonaError(try signer.sign(method: "GET", url: "https://h/", nonce: "bad")) { $0.code == "invalid_nonce" }
        assertPersonaError(try signer.sign(method: "GET", url: "https://h/", timestamp: date(-1))) {
            $0.code == "invalid_timestamp"
        }
        var request = URLRequest(url: URL(string: "https://h/api/v1/inquiries?b=2&a=1")!)
        request.httpMethod = "POST"
        request.httpBody = Data("{}".utf8)
        try signer.sign(&request, timestamp: now, nonce: "nonce-12345678")
        XCTAssertEqual(request.value(forHTTPHeaderField: "Authorization"), "Bearer kid")
        XCTAssertEqual(request.value(forHTTPHeaderField: "Persona-Nonce"), "nonce-12345678")
        let verifier = try RequestVerifier(keyID: "kid", secrets: ["s"])
        XCTAssertEqual(
            try verifier.verify(
                method: "POST", url: "https://h/api/v1/inquiries?b=2&a=1",
                headers: request.allHTTPHeaderFields ?? [:], body: Data("{}".utf8), now: now
            ),
            "kid"
        )
        assertPersonaError(try RequestVerifier(keys: [:])) { $0.kind == "configuration" }
        assertPersonaError(try verifier.verify(method: "GET", url: "https://h/", headers: [], now: now)) {
            $0.kind == "requestRejected" && $0.code == "missing_header"
        }
    }

    func testBadWebhookInput() throws {
        assertPersonaError(try WebhookVerifier(secrets: [])) { $0.kind == "configuration" }
        assertPersonaError(try WebhookVerifier(secrets: [""])) { $0.code == "invalid_secret" }
        let webhooks = try WebhookVerifier(secret: "s")
        let body = Data("x".utf8)
        assertPersonaError(try webhooks.verify(header: nil, body: body, now: now)) {
            $0.kind == "webhookRejected" && $0.code == "missing_header"
        }
        assertPersonaError(try webhooks.verify(header: "", body: body, now: now)) { $0.code == "missing_header" }
        assertPersonaError(try webhooks.verify(header: "t=1,v1=\u{FFFF}", body: body, now: now)) {
            $0.kind == "webhookRejected"
        }
        assertPersonaError(try webhooks.verify(header: "garbage", body: body, now: now)) { $0.kind == "webhookRejected" }
    }

    func testLargeBodiesRoundTrip() throws {
        let body = Data(repeating: 0xff, count: 8 * 1024 * 1024)
        let signer = try RequestSigner(keyID: "kid", secret: "s")
        let signature = try signer.signature(
            method: "PUT", url: "https://h/upload", body: body, timestamp: now, nonce: "nonce-12345678"
        )
        let verifier = try RequestVerifier(keyID: "kid", secrets: ["s"])
        XCTAssertEqual(
            try verifier.verify(method: "PUT", url: "https://h/upload", headers: signature.headers, body: body, now: now),
            "kid"
        )
        var tampered = body
        tampered[0] = 0
        assertPersonaError(
            try verifier.verify(method: "PUT", url: "https://h/upload", headers: signature.headers, body: tampered, now: now)
        ) { $0.code == "signature_mismatch" }
    }

    func testBadClientInputFailsBeforeAnyRequest() async throws {
        assertPersonaError(
            try PersonaClient(credentials: .keyPair(keyID: "kid", secret: ""), baseURL: unusedLoopback)
        ) { $0.code == "invalid_secret" }
        let client = try PersonaClient(credentials: .apiKey(Sandbox.apiKey), baseURL: unusedLoopback, maxRetries: 0)
        do {
            _ = try await client.api.inquiries.create(body: ["when": Date()])
            XCTFail("expected invalid_json")
        } catch let error as PersonaError {
            XCTAssertEqual(error.code, "invalid_json")
        }
        do {
            _ = try await client.request("BAD METHOD", "/inquiries")
            XCTFail("expected invalid_method")
        } catch let error as PersonaError {
            XCTAssertEqual(error.code, "invalid_method")
        }
        do {
            _ = try await client.api.inquiries.list(filter: ["reference_id": "x"])  // Persona's name: reference-id
            XCTFail("expected invalid_argument")
        } catch let error as PersonaError {
            XCTAssertEqual(error.code, "invalid_argument")
        }
    }

    func testErrorDescriptionsAndKinds() {
        let notFound = PersonaError.api(APIError(code: "not_found", status: 404, requestID: "req_1", message: "Not found"))
        XCTAssertEqual(notFound.description, "PersonaError.api(not_found, status 404, request req_1): Not found")
        XCTAssertEqual(notFound.code, "not_found")
        XCTAssertEqual(notFound.status, 404)
        XCTAssertEqual(notFound.requestID, "req_1")
        if case let .api(error) = notFound {
            XCTAssertEqual(error.kind, .notFound)
        }
        XCTAssertEqual(APIError(code: "teapot", status: 418, message: "").kind, .other)
        let rejected = PersonaError.webhookRejected(code: "no_matching_signature", message: "no match")
        XCTAssertEqual(rejected.description, "PersonaError.webhookRejected(no_matching_signature): no match")
        XCTAssertEqual(PersonaError.network(message: "reset", idempotencyKey: "k").idempotencyKey, "k")
        XCTAssertEqual(PersonaError.internal(message: "bug").code, "internal")
    }
}
