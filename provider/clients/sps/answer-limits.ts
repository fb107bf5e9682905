/**
 * What the client reads from an appliance at most, per kind of answer: an answer that is larger, or
 * that has not fully arrived when the request's overall deadline passes, is not read further and fails
 * the call naming the node, the request and the limit. An appliance is not trusted to end its answers:
 * a slow drip or an endless body must not hold a run or fill the runner's memory.
 *
 * The JSON answers of the SPS REST API are small (the largest documented ones, the REST tree listings
 * and the license object, are a few kilobytes [doc: SPS REST API guide, "Message format"]); 4 MiB leaves
 * room for large configurations. A support bundle is a compressed archive of logs [doc: SPS
 * Administration Guide, "Collecting logs and system information for error reporting"]; it is kept up to
 * 256 MiB. Firmware images are streamed from disk on upload and never read back.
 */

/** Bytes of one JSON answer (login, info, slots, health, configuration, tree listings). */
export const JSON_ANSWER_MAX_BYTES = 4 * 1024 * 1024;

/** Bytes of one support bundle download. */
export const SUPPORT_BUNDLE_MAX_BYTES = 256 * 1024 * 1024;

/** Overall deadline of one support bundle download (ms). */
export const SUPPORT_BUNDLE_DEADLINE_MS = 30 * 60_000;

/** Overall deadline of one firmware upload (ms): a 2 GiB image at ~300 kB/s. */
export const FIRMWARE_UPLOAD_DEADLINE_MS = 2 * 60 * 60_000;

/** The error code of an answer larger than its cap (`ApplianceApiError.code`, failure "protocol"). */
export const ANSWER_TOO_LARGE = "EANSWERTOOLARGE";

/** The error code of an answer not complete when its overall deadline passed (failure "network"). */
export const ANSWER_DEADLINE = "ETIMEDOUT";

/**
 * The error code of an answer that is not JSON at all (failure "protocol"): a web page where the REST
 * API should answer — what a node in its first boot shows (its progress page, docs/appliance-facts.md §10).
 */
export const ANSWER_NOT_JSON = "ENOTJSON";
