package com.withpersona.libpersona

import com.fasterxml.jackson.databind.JsonNode
import com.fasterxml.jackson.databind.ObjectMapper
import java.io.File
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.util.concurrent.TimeUnit

/** The repository root (the pom passes it; tests also work from `kotlin/`). */
val repoRoot: File = File(System.getenv("PERSONA_REPO_ROOT") ?: "..").canonicalFile

/** A real `persona sandbox` process on an ephemeral loopback port, stopped at exit. */
class SandboxProcess {
    companion object {
        const val API_KEY = "persona_sandbox_KOTLIN-KEY-do-not-leak"
        const val KEY_ID = "kid_kotlin"
        const val SECRET = "kotlin-SECRET-do-not-leak"
        private const val ADMIN_TOKEN = "sbx_admin_kotlin"
        private val mapper = ObjectMapper()
        private val http: HttpClient = HttpClient.newHttpClient()
    }

    private val process: Process
    val origin: String
    val baseUrl: String

    init {
        val binary = System.getenv("PERSONA_BIN")?.let(::File)
            ?: listOf("debug", "release").map { File(repoRoot, "target/$it/persona") }.first { it.canExecute() }
        val builder = ProcessBuilder(binary.path, "sandbox", "--port", "0", "--rate-limit", "0").redirectError(ProcessBuilder.Redirect.INHERIT)
        builder.environment().putAll(mapOf("PERSONA_API_KEY" to API_KEY, "PERSONA_API_KEY_ID" to KEY_ID, "PERSONA_API_KEY_SECRET" to SECRET, "PERSONA_SANDBOX_ADMIN_TOKEN" to ADMIN_TOKEN))
        process = builder.start()
        val line = process.inputStream.bufferedReader().readLine() ?: error("sandbox exited before listening")
        check(line.startsWith("listening on ")) { line }
        origin = line.substringAfterLast(' ')
        baseUrl = "$origin/api/v1"
        Runtime.getRuntime().addShutdownHook(Thread { stop() })
    }

    /** A request to the sandbox's admin routes (`/_sandbox/<path>`), its JSON answer. */
    fun admin(method: String, path: String, body: Any? = null): JsonNode {
        val publisher = body?.let { HttpRequest.BodyPublishers.ofString(mapper.writeValueAsString(it)) } ?: HttpRequest.BodyPublishers.noBody()
        val request = HttpRequest.newBuilder(URI.create("$origin/_sandbox/$path"))
            .method(method, publisher)
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer $ADMIN_TOKEN")
            .build()
        val response = http.send(request, HttpResponse.BodyHandlers.ofString())
        check(response.statusCode() in 200..299) { "admin $path: ${response.statusCode()} ${response.body()}" }
        return mapper.readTree(response.body())
    }

    fun stop() {
        process.destroy()
        process.waitFor(10, TimeUnit.SECONDS)
    }
}

/** The sandbox process the whole test run shares. */
object Sandbox {
    const val API_KEY = SandboxProcess.API_KEY
    const val KEY_ID = SandboxProcess.KEY_ID
    const val SECRET = SandboxProcess.SECRET

    private val process = SandboxProcess()
    val origin: String get() = process.origin
    val baseUrl: String get() = process.baseUrl

    /** Adds a fault rule (`kind`: status, reset, lose_response, delay; `method`, `path`, `count`, ...). */
    fun inject(vararg rule: Pair<String, Any>) {
        process.admin("POST", "faults", rule.toMap())
    }

    fun inquiryCount(): Long = process.admin("GET", "stats")["inquiries"].asLong()

    fun client(configure: PersonaClient.Builder.() -> Unit = { apiKey(API_KEY) }): PersonaClient =
        PersonaClient.builder().baseUrl(baseUrl).apply(configure).build()
}
