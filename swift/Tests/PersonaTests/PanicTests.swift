import Foundation
import Persona
import PersonaBindings
import XCTest

// The one test that calls the generated bindings directly (debugTriggerPanic is not part of the
// idiomatic API). Both modules are imported here, so shared names are module-qualified.

final class PanicTests: XCTestCase {
    func testRustPanicIsAnErrorAndTheProcessSurvives() throws {
        XCTAssertThrowsError(try debugTriggerPanic()) { error in
            let converted = Persona.PersonaError(error)
            XCTAssertEqual(converted.code, "internal", "\(converted)")
            XCTAssertTrue(converted.message.contains("deliberate panic"), converted.message)
        }
        // The library still works afterwards.
        XCTAssertFalse(PersonaClient.libraryVersion.isEmpty)
        XCTAssertNoThrow(try Persona.WebhookVerifier(secret: "s"))
    }
}
