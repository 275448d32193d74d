package com.withpersona.libpersona

/*
 * The core build from Kotlin (issue 14 item 6): this jar's webhook and signing classes over a
 * libpersona built without the API client. tests/core/run.sh runs it with
 * -Duniffi.component.persona.libraryOverride=<the core libpersona.so>; JNA registers the C ABI
 * declarations (which leave the C client out), so the classes load and work; the client, whose
 * UniFFI functions the core build does not have, is not touched.
 */
fun main() {
    val body = """{"data":{}}""".toByteArray()
    val header = WebhookVerifier.sign("wbhsec_core", body, 1_700_000_000L)
    WebhookVerifier("wbhsec_core").verify(header, body, 1_700_000_000L)
    val headers = RequestSigner("kid_core", "secret").sign("GET", "https://api.withpersona.com/api/v1/inquiries", ByteArray(0))
    val keyId = RequestVerifier(mapOf("kid_core" to listOf("secret"))).verify(
        "GET", "https://api.withpersona.com/api/v1/inquiries", headers, ByteArray(0),
    )
    check(keyId == "kid_core")
    println("core Kotlin: webhook verify, v1 sign and verify work over ${System.getProperty("uniffi.component.persona.libraryOverride")}")
}
