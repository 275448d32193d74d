package com.withpersona.libpersona

/**
 * What an operation answered: the whole JSON document ([bodyJson]: `data`, `included`, `meta`,
 * `links`), the HTTP [status], [requestId] and the [attempts] it took. Prints status and request id
 * only: bodies hold personal data.
 */
class Response internal constructor(
    val status: Int,
    val requestId: String?,
    val attempts: Int,
    val bodyJson: String,
    /** A list's `page[after]` for the next page (`links.next`); null on the last page. */
    val nextCursor: String? = null,
    /** A list's `page[before]` for the previous page (`links.prev`); null on the first page. */
    val previousCursor: String? = null,
) {
    /**
     * The `included` resources (JSON texts) that [relationship] of [resourceJson] (default: the
     * primary `data`) points to, in the relationship's order: the library's rule, as in every
     * language. Only what the call asked for with `include` can be found.
     */
    fun related(relationship: String, resourceJson: String? = null): List<String> =
        translated { com.withpersona.libpersona.ffi.relatedResources(bodyJson, relationship, resourceJson) }

    /**
     * The primary resource read into its typed model by the library's core, e.g.
     * `Resource.Inquiry` (its `value` has `status`, `referenceId`, …), `Resource.Other` for a type
     * without a model; null without data. A list is an error: use [models].
     */
    fun model(): com.withpersona.libpersona.ffi.Resource? =
        translated { com.withpersona.libpersona.ffi.documentModel(bodyJson) }

    /** Every resource of the primary `data` read into its typed model (a list's items). */
    fun models(): List<com.withpersona.libpersona.ffi.Resource> =
        translated { com.withpersona.libpersona.ffi.documentModels(bodyJson) }

    override fun toString() = "Response(status=$status, requestId=$requestId)"
}

/** A file an operation answered (the `print` operations' PDFs). Prints its size, not its bytes. */
class BinaryResponse internal constructor(
    val status: Int,
    val requestId: String?,
    val attempts: Int,
    val content: ByteArray,
    val contentType: String?,
) {
    override fun toString() = "BinaryResponse(status=$status, contentType=$contentType, size=${content.size})"
}
